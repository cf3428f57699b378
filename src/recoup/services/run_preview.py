"""Today's run for people (the web's run page): what the daily run will do, or did, in
groups (emails, letters, calls, fees and interest, recommendations, and what waits),
each a page at a time, with the customers' names. The run itself is
`recoup.services.run.run`; a preview is its dry run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recoup.domain.money import Money
from recoup.services import run as daily_run
from recoup.services.book import Book
from recoup.services.outbox_view import customer_names

GROUPS = ("emails", "letters", "calls", "fees", "recommendations", "waiting")
_GROUP_OF = {
    "email": "emails",
    "letter": "letters",
    "call": "calls",
    "fee": "fees",
    "interest": "fees",
}  # any other kind (an escalation, a write-off recommendation) is a recommendation
PER_PAGE = 25


@dataclass(frozen=True)
class Item:
    """One thing the run does (or, for the "waiting" group, does not do yet) and why."""

    customer: str
    name: str
    kind: str  # the action's kind; "waiting" for what waits
    stage: str
    currency: str
    amount: Money | None
    template: str | None
    invoices: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Page:
    group: str
    total: int
    page: int
    pages: int
    items: list[Item]


@dataclass
class RunView:
    """A run's report, grouped."""

    as_of: date
    dry_run: bool
    policy_version: int
    reviewed: int
    review: dict[str, int]  # casework review changes by kind (a real run only)
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def count(self, group: str) -> int:
        return len(self.groups.get(group, []))

    @property
    def actions(self) -> int:
        return sum(self.count(g) for g in GROUPS if g != "waiting")

    @property
    def first_group(self) -> str:
        """The first group with something in it (emails when all are empty)."""
        return next((g for g in GROUPS if self.count(g)), GROUPS[0])


def _view(report: daily_run.RunReport) -> RunView:
    review = {k: len(v) for k, v in report.review.items() if isinstance(v, list) and v}
    view = RunView(report.as_of, report.dry_run, report.policy_version, report.reviewed, review)
    groups: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    for action in report.actions:
        groups[_GROUP_OF.get(str(action["kind"]), "recommendations")].append(action)
    groups["waiting"] = list(report.skipped)
    view.groups = groups
    return view


def preview(book: Book, as_of: date) -> RunView:
    """What the run of `as_of` would do now (its dry run: nothing is recorded)."""
    return _view(daily_run.run(book, as_of, dry_run=True))


def run(book: Book, as_of: date, batch_size: int = daily_run.BATCH) -> RunView:
    """The daily run of `as_of` (the outbox is delivered separately: `dispatch`)."""
    return _view(daily_run.run(book, as_of, batch_size=batch_size))


def page(book: Book, view: RunView, group: str, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of a group, with the customers' names."""
    if group not in GROUPS:
        raise ValueError(f"no run group {group!r}")
    entries = view.groups.get(group, [])
    pages = max(1, -(-len(entries) // per_page))
    number = min(max(number, 1), pages)
    shown = entries[(number - 1) * per_page : number * per_page]
    names = customer_names(book, [str(e["customer"]) for e in shown])
    items = [_item(e, names, group) for e in shown]
    return Page(group, len(entries), number, pages, items)


def _item(entry: dict[str, Any], names: dict[str, str], group: str) -> Item:
    key = str(entry["customer"])
    currency = str(entry.get("currency") or "")
    amount = entry.get("amount")
    return Item(
        key,
        names.get(key, key),
        "waiting" if group == "waiting" else str(entry["kind"]),
        str(entry.get("stage") or ""),
        currency,
        Money.of(str(amount), currency) if amount is not None and currency else None,
        entry.get("template"),
        tuple(entry.get("invoices") or ()),
        str(entry.get("reason") or ""),
    )
