"""How many login attempts a username and a client address may have (the `limits`
library, moving windows).

Every attempt counts, before its password is checked, against two limits: one for the
username (`Settings.login_attempts_per_user`, default 5 per 15 minutes; a successful
login starts that count again) and one for the client's address
(`login_attempts_per_address`, default 20, successful logins included, so that one
machine cannot try many names). Past either, the attempt is refused without checking
the password: no argon2 work, no hint whether it was right. Counting before checking
also keeps many attempts sent at once within the limit.

The counts live in the web process (`memory://`), right for one process. Several web
workers or servers must share them: `RECOUP_RATE_LIMIT_STORAGE=redis://HOST:6379`
(any storage URL `limits` knows). Behind a reverse proxy the address is the one uvicorn
takes from X-Forwarded-For when the proxy is trusted (`--forwarded-allow-ips`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from recoup.i18n import ngettext
from recoup.settings import Settings


@dataclass(frozen=True)
class Refusal:
    """An attempt refused; `minutes`: until the next one may be made."""

    minutes: int

    @property
    def message(self) -> str:
        return ngettext(
            "Too many attempts; try again in %(num)d minute.",
            "Too many attempts; try again in %(num)d minutes.",
            self.minutes,
        ) % {"num": self.minutes}


class LoginLimits:
    def __init__(self, settings: Settings) -> None:
        window = max(1, settings.login_window_minutes)
        self.per_user: RateLimitItem = RateLimitItemPerMinute(
            max(1, settings.login_attempts_per_user), window
        )
        self.per_address: RateLimitItem = RateLimitItemPerMinute(
            max(1, settings.login_attempts_per_address), window
        )
        self.limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))

    def attempt(self, username: str, address: str) -> Refusal | None:
        """Count one attempt; a Refusal when a limit is used up (nothing more counted)."""
        if not self.limiter.hit(self.per_address, "address", address):
            return self._refusal(self.per_address, "address", address)
        name = _name_key(username)
        if not self.limiter.hit(self.per_user, "user", name):
            return self._refusal(self.per_user, "user", name)
        return None

    def succeeded(self, username: str) -> None:
        """The user proved their password: their earlier attempts no longer count."""
        self.limiter.clear(self.per_user, "user", _name_key(username))

    def _refusal(self, item: RateLimitItem, *key: str) -> Refusal:
        reset = self.limiter.get_window_stats(item, *key).reset_time
        return Refusal(max(1, math.ceil((reset - time.time()) / 60)))


def _name_key(username: str) -> str:
    """One count for every spelling of a name (case, surrounding spaces)."""
    return username.strip().casefold()
