"""An account's history as a timeline on the account page, filtered by groups of kinds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from recoup import i18n
from recoup.domain.kinds import GROUP_OF, EntryGroup, kinds_in
from recoup.domain.words import term
from recoup.i18n import N_
from recoup.services import history
from recoup.services.book import Book
from recoup.services.history import Entry

TIMELINE_ID = "timeline"
TIMELINE_ENTRIES_ID = "timeline-entries"  # what the filter swaps
# entries on the page, newest first; the filter and the case file reach the rest
TIMELINE_LIMIT = 100

# The filter's groups, in the order of `EntryGroup`: (value in the address, label, the
# history kinds it shows).
GROUP_LABELS: dict[EntryGroup, str] = {
    EntryGroup.CONTACTS: N_("Contacts"),
    EntryGroup.PROMISES: N_("Promises & plans"),
    EntryGroup.SETTLEMENTS: N_("Settlements"),
    EntryGroup.DISPUTES: N_("Disputes & holds"),
    EntryGroup.MONEY: N_("Money"),
    EntryGroup.PLAN: N_("Collection plan"),
    EntryGroup.HANDOFF: N_("Agency & write-off"),
    EntryGroup.CORRECTIONS: N_("Corrections"),
}
GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = tuple(
    (g.value, GROUP_LABELS[g], frozenset(kinds_in(g))) for g in EntryGroup
)


def group_of(kind: str) -> str:
    """The filter group of a history kind (one the book no longer writes: corrections)."""
    found = GROUP_OF.get(kind)  # type: ignore[call-overload]  # a str is looked up as itself
    return str(found or EntryGroup.CORRECTIONS)


@dataclass(frozen=True)
class TimelineItem:
    entry: Entry
    group: str

    @property
    def on(self) -> date:
        return date.fromisoformat(self.entry.on)

    @property
    def label(self) -> str:
        return term("entry", self.entry.kind, i18n.current().language)


@dataclass(frozen=True)
class Timeline:
    """An account's history, newest first, and the filter that chose what is shown."""

    key: str
    items: list[TimelineItem]
    total: int  # entries before filtering
    counts: dict[str, int]  # entries per group
    selected: frozenset[str]  # the groups shown; empty: all
    as_of: date | None  # only when given in the address
    matching: int = 0  # entries the filter lets through (items holds at most TIMELINE_LIMIT)
    groups: Sequence[tuple[str, str, frozenset[str]]] = field(default=GROUPS)

    def url(self, selected: frozenset[str] | None = None) -> str:
        chosen = self.selected if selected is None else selected
        params: list[tuple[str, str]] = [("show", g) for g, _l, _k in GROUPS if g in chosen]
        if self.as_of:
            params.append(("as_of", self.as_of.isoformat()))
        query = urlencode(params)
        path = f"/customers/{quote(self.key, safe='')}"
        return path + (f"?{query}" if query else "") + f"#{TIMELINE_ID}"

    @property
    def all_url(self) -> str:
        return self.url(frozenset())

    def is_shown(self, group: str) -> bool:
        return not self.selected or group in self.selected


def timeline(book: Book, key: str, show: Sequence[str], as_of: date | None) -> Timeline:
    """The timeline of customer `key`; `show` names groups (unknown names are ignored)."""
    known = {g for g, _l, _k in GROUPS}
    selected = frozenset(s for s in show if s in known)
    everything = history.entries(book, key)
    counts: dict[str, Any] = {g: 0 for g, _l, _k in GROUPS}
    for e in everything:
        counts[group_of(e.kind)] += 1
    shown = [e for e in everything if not selected or group_of(e.kind) in selected]
    items = [TimelineItem(e, group_of(e.kind)) for e in reversed(shown)]
    return Timeline(
        key, items[:TIMELINE_LIMIT], len(everything), counts, selected, as_of, len(items)
    )
