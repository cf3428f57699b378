"""The one settings object. Every setting can come from a RECOUP_* environment variable.

`Settings()` reads RECOUP_<FIELD> (in any case: RECOUP_DATABASE_URL, recoup_database_url)
for each field, and arguments given to it win over the environment; pydantic turns the
text into each field's type ("1", "true", "yes" for a flag, digits for a number) and
refuses what does not fit. Variables that name no setting are left alone. This is what
pydantic-settings' `BaseSettings` did here; a plain pydantic model reading them itself
starts faster (pydantic-settings imports asyncio and its cloud-provider sources, about
0.045 s of every `recoup` command; bench/RESULTS.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

ENV_PREFIX = "RECOUP_"

RUN_BATCH = 4000
"""Customers per transaction of the daily run: fewer commits and per-batch reads, short
locks (`recoup.services.run.daily`)."""


def from_environment(fields: Mapping[str, object], environ: Mapping[str, str]) -> dict[str, str]:
    """The values `environ` gives the `fields`: RECOUP_<FIELD>, the name in any case."""
    found: dict[str, str] = {}
    for key, value in environ.items():
        if key[: len(ENV_PREFIX)].upper() == ENV_PREFIX:
            name = key[len(ENV_PREFIX) :].lower()
            if name in fields:
                found[name] = value
    return found


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**from_environment(type(self).model_fields, os.environ), **values})

    database_url: str = "recoup.db"
    """A SQLite file path, or a URL such as postgresql://user@host/db (RECOUP_DATABASE_URL)."""

    secret_key: str | None = None
    """Signs web session cookies (RECOUP_SECRET_KEY). Unset: a random key made once and
    kept in a file readable by its owner only, outside the book (`recoup.db.session.key`
    beside a SQLite book; see `recoup.services.keys`)."""

    key_dir: str | None = None
    """The folder for the book's key files (RECOUP_KEY_DIR) instead of beside a SQLite
    book, or the user's config folder (~/.config/recoup/keys) for PostgreSQL."""

    # --- web sessions and logins (issue 14) ----------------------------------------------
    https_only: bool = False
    """Session cookies only over HTTPS (`Secure`; RECOUP_HTTPS_ONLY=1): set it when the
    web UI is served behind TLS."""

    login_attempts_per_user: int = 5
    """Login attempts one username may have per window (RECOUP_LOGIN_ATTEMPTS_PER_USER);
    a successful login starts its count again."""

    login_attempts_per_address: int = 20
    """Login attempts one client address may have per window, successful ones included
    (RECOUP_LOGIN_ATTEMPTS_PER_ADDRESS)."""

    login_window_minutes: int = 15
    """The moving window of the two limits above (RECOUP_LOGIN_WINDOW_MINUTES)."""

    rate_limit_storage: str = "memory://"
    """Where login attempts are counted (RECOUP_RATE_LIMIT_STORAGE), a `limits` storage
    URL. memory:// counts in the web process: right for one process; several web workers
    or servers need a shared one, e.g. redis://HOST:6379 (with `pip install limits[redis]`)."""

    host: str = "127.0.0.1"
    port: int = 8000
    run_batch: int = RUN_BATCH
    """Customers per transaction of the daily run (RECOUP_RUN_BATCH; the daily run's
    own default, and what `bench/daily_run.py` measures)."""

    locale: str = "en_US"
    """How numbers, money and dates are shown to people (Babel locale)."""

    import_max_line_bytes: int = 1_048_576
    """The longest line of a CSV file an import reads, in bytes (1 MiB;
    RECOUP_IMPORT_MAX_LINE_BYTES; `recoup import ... --max-line-bytes`): a longer one
    refuses the file at once, before it is read to the end."""

    web_upload_max_bytes: int = 50 * 1024 * 1024
    """The largest file the web's import page takes, in bytes (50 MiB;
    RECOUP_WEB_UPLOAD_MAX_BYTES); a larger one is refused before it is read. `recoup
    import` reads files of any size."""

    now: str = ""
    """The moment to act at instead of the clock's (RECOUP_NOW; `recoup --now`): an ISO
    date (12:00 UTC that day) or date-time (UTC when naive), see `recoup.clock`. The web
    app serves every page at it; empty: the clock."""

    # --- talking to debtors (issue 5) -------------------------------------------------
    smtp_url: str | None = None
    """smtp://HOST:PORT, smtp://USER:PASSWORD@HOST:587?starttls=1 or
    smtps://USER:PASSWORD@HOST:465 (RECOUP_SMTP_URL). Unset: emails are written as .eml
    files to the outbox folder instead of being sent."""

    outbox_dir: str | None = None
    """Where .eml files (without SMTP) and printable letters (letters/) go
    (RECOUP_OUTBOX_DIR). Unset: `outbox/` beside a SQLite book, else in the working
    directory."""

    templates_dir: str | None = None
    """A folder of template files `<lang>/<name>.txt` that replace the built-in ones
    (RECOUP_TEMPLATES_DIR); templates saved in the web UI replace both."""

    mail_from: str = ""
    """The sender address of emails (RECOUP_MAIL_FROM); unset: business_email."""

    reply_to: str = ""
    """Where debtors' replies go (RECOUP_REPLY_TO); unset: business_email."""

    # The business details messages and letters print. Unset ("") means unset: a message
    # whose template prints an unset detail waits, naming the setting (`recoup doctor`
    # lists them all); nothing is ever filled in with a placeholder. A book can carry its
    # own details in its `meta` table (the demo book does, see
    # recoup.services.business_details); they fill in what the environment leaves unset.
    business_name: str = ""
    """The business's name: email heading and sender name, letterhead, sign-off."""
    business_address: str = ""
    """The letterhead address; lines separated by `|` or newlines (RECOUP_BUSINESS_ADDRESS)."""
    business_country: str = ""
    business_phone: str = ""
    business_email: str = ""
    business_website: str = ""
    business_bank: str = ""
    """How to pay by transfer, e.g. "IBAN DE89 ... · BIC ..." (RECOUP_BUSINESS_BANK)."""
    business_signature: str = ""
    """Who signs messages and letters (RECOUP_BUSINESS_SIGNATURE); unset: business_name."""
    payment_link: str = ""
    """A web page where debtors can pay (RECOUP_PAYMENT_LINK); optional."""

    third_party_collector: bool = False
    """This book collects for others (an agency): consumer debts of US customers (tag
    "consumer") then follow Regulation F: an email opt-out, contact 08:00-21:00 only."""

    dispatch_max_attempts: int = 8
    """Delivery attempts before a temporary SMTP failure counts as permanent."""

    dispatch_retry_minutes: int = 5
    """The first retry after a temporary failure; each further one waits twice as long."""

    dispatch_lease_seconds: int = 300
    """How long a delivery holds the messages it claimed (RECOUP_DISPATCH_LEASE_SECONDS)
    before another delivery may take them over; longer than the SMTP timeout."""
