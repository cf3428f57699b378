"""Business details a book carries itself.

A business normally sets its details in the environment (RECOUP_BUSINESS_NAME,
RECOUP_BUSINESS_ADDRESS, ... see recoup.settings). A book may also keep them, in its
`meta` table as `setting.<field>` rows: they fill in whatever the environment leaves
unset, so that a book made to be shown (the demo book) writes complete messages on any
machine. The environment always wins. The CLI and the web app apply a book's details
as they open it (`apply`).
"""

from __future__ import annotations

from collections.abc import Mapping

from recoup.services.book import Book
from recoup.settings import Settings
from recoup.store import setup_repo

FIELDS = (
    "business_name",
    "business_address",
    "business_country",
    "business_phone",
    "business_email",
    "business_website",
    "business_bank",
    "business_signature",
    "payment_link",
    "mail_from",
    "reply_to",
)
"""The settings a book may carry: who writes, and from which address."""


def stored(book: Book) -> dict[str, str]:
    with book.read() as conn:
        found = setup_repo.book_settings(conn)
    return {k: v for k, v in found.items() if k in FIELDS}


def store(book: Book, details: Mapping[str, str]) -> None:
    """Keep these details in the book (replacing the ones of the same names)."""
    unknown = sorted(set(details) - set(FIELDS))
    if unknown:
        raise ValueError(f"a book carries only {', '.join(FIELDS)}; not {', '.join(unknown)}")
    with book.write() as conn:
        setup_repo.set_book_settings(conn, dict(details))


def apply(settings: Settings, book: Book) -> Settings:
    """Fill in, in place, every business detail `settings` leaves unset (empty) from the
    book's own; returns `settings`."""
    for name, value in stored(book).items():
        if not str(getattr(settings, name) or "").strip():
            setattr(settings, name, value)
    return settings
