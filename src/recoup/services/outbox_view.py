"""The outbox for people (the web's outbox page): messages waiting and why, those
delivered recently, those withdrawn and why, and the delivery problems with what fixes
them, a page at a time. "Send now" is `recoup.services.dispatch.dispatch`, as the CLI's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from recoup.domain.money import Money
from recoup.services import delivery_problems
from recoup.services.book import Book
from recoup.services.delivery_problems import DeliveryProblem, OutboxCounts
from recoup.services.doctor import WAIT_PREFIX
from recoup.store import outbox_pages

SECTIONS = ("waiting", "problems", "delivered", "withdrawn")
PER_PAGE = 25

_HELD_TEMPLATE = re.compile(re.escape(WAIT_PREFIX) + r": template (\S+) \(([a-z]{2}), ")


@dataclass(frozen=True)
class Fix:
    """What fixes a message held by the set-up: a template to sign off (`template`,
    with its name and language), or settings to set (`setup`: `recoup doctor`'s list)."""

    kind: str  # template | setup
    template: str | None = None
    language: str | None = None


def fix_for(reason: str) -> Fix | None:
    """The fix of a wait reason or error, when the set-up holds the message."""
    if not reason.startswith(WAIT_PREFIX):
        return None
    found = _HELD_TEMPLATE.match(reason)
    if found:
        return Fix("template", found.group(1), found.group(2))
    return Fix("setup")


@dataclass(frozen=True)
class Message:
    """One outbox message as the page shows it."""

    id: int
    customer: str
    name: str
    channel: str
    template: str | None
    stage: str
    amount: Money
    state: str
    since: date  # queued by the run on
    until: datetime | None  # not tried again before (a deferral, a retry)
    reason: str  # why it waits, why it failed or was withdrawn; "" when nothing is known
    attempts: int
    recipient: str | None
    sent_at: datetime | None
    withdrawn_on: date | None

    @property
    def fix(self) -> Fix | None:
        return fix_for(self.reason)


@dataclass(frozen=True)
class Problem:
    """A delivery problem (`delivery_problems.problems`) with what fixes it."""

    problem: DeliveryProblem

    @property
    def fix(self) -> Fix | None:
        return fix_for(self.problem.reason)


@dataclass(frozen=True)
class Section:
    name: str
    total: int
    page: int
    pages: int
    messages: list[Message]
    problems: list[Problem]


@dataclass(frozen=True)
class Outbox:
    counts: OutboxCounts
    problem_count: int
    section: Section

    def total(self, name: str) -> int:
        """How many messages a section holds."""
        return {
            "waiting": self.counts.waiting,
            "problems": self.problem_count,
            "delivered": self.counts.sent,
            "withdrawn": self.counts.withdrawn,
        }[name]


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def overview(book: Book, section: str, page: int = 1, per_page: int = PER_PAGE) -> Outbox:
    """The outbox's counts and one page of `section` (one of SECTIONS)."""
    if section not in SECTIONS:
        raise ValueError(f"no outbox section {section!r}")
    counts = delivery_problems.outbox_counts(book)
    found = delivery_problems.problems(book)
    if section == "problems":
        pages = _pages(len(found), per_page)
        page = min(max(page, 1), pages)
        start = (page - 1) * per_page
        shown = [Problem(p) for p in found[start : start + per_page]]
        return Outbox(counts, len(found), Section(section, len(found), page, pages, [], shown))
    with book.read() as conn:
        total = outbox_pages.count(conn, outbox_pages.SECTION_STATES[section])
        pages = _pages(total, per_page)
        page = min(max(page, 1), pages)
        rows = outbox_pages.page(conn, section, (page - 1) * per_page, per_page)
    messages = [_message(r) for r in rows]
    return Outbox(counts, len(found), Section(section, total, page, pages, messages, []))


def _message(r: dict[str, Any]) -> Message:
    return Message(
        int(r["id"]),
        str(r["customer"]),
        str(r["name"]),
        str(r["channel"]),
        r["template"],
        str(r["stage"]),
        Money(int(r["amount_minor"]), str(r["currency"])),
        str(r["state"]),
        _day(r["created_on"]),
        _aware(r["next_attempt_at"]),
        str(r["wait_reason"] or r["last_error"] or ""),
        int(r["attempts"] or 0),
        r["recipient"],
        _aware(r["sent_at"]),
        _day(r["withdrawn_on"]) if r["withdrawn_on"] is not None else None,
    )


def customer_names(book: Book, keys: list[str]) -> dict[str, str]:
    """Customer key -> name (keys unknown to the book are left out)."""
    with book.read() as conn:
        return outbox_pages.names(conn, keys)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
