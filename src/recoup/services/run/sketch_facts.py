"""The facts of the cases the run's first read sketches, decided once per facts.

A sketch (`recoup.store.sketch_repo`) gives each customer's cases about as the store
keeps them: the open invoices counted and added up, the cycle's steps as one text,
every contact's step in another, the tags as stored. `SketchFacts` turns each case into
the `CaseFacts` the planning rule reads, as `SharedPlans` shares them (balances between
the same two amounts of the plan as one figure, tags and kind as far as the plan tells
them apart), and gets its decision from `SharedPlans`. What repeats from customer to
customer (the texts of steps and contacts, tags, oldest due dates) is read once per
run: a large book has ~200,000 cases and a few thousand distinct texts.

One `SketchFacts` serves one plan on one day: the run makes one and hands it every
batch (a planning process gets its own copy when it forks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from recoup.domain.collection import CaseFacts, CaseShape
from recoup.domain.contact_rules import Debtor, Hold
from recoup.domain.limitation import LimitationTable
from recoup.domain.policy import Policy
from recoup.domain.priority import PayerKind
from recoup.domain.shared_plans import SharedPlans
from recoup.jurisdictions.catalogue import default_limitations
from recoup.services.run.facts import (
    applying_holds,
    is_consumer,
    limitation_of,
    past_contact,
    payer_kind,
)
from recoup.store import steps
from recoup.store.run_repo import CONTACT_KINDS
from recoup.store.sketch_repo import Sketch


class SketchFacts:
    def __init__(
        self, policy: Policy, as_of: date, limitations: LimitationTable | None = None
    ) -> None:
        self.policy = policy
        self.as_of = as_of
        self.plans = SharedPlans(policy, as_of)
        self._table = limitations if limitations is not None else default_limitations()
        self._tags: dict[str, tuple[tuple[str, ...], PayerKind, bool]] = {}
        self._done: dict[str, tuple[tuple[str, date], ...]] = {}
        self._debtors: dict[tuple[str, str, str, tuple[Hold, ...]], Debtor] = {}
        self._days: dict[Any, date] = {}

    def shapes(
        self,
        sketch: Sketch,
        day: Callable[[Any], date],
        in_force: Mapping[int, Sequence[Hold]],
        broken: Mapping[int, int],
    ) -> list[tuple[str, CaseShape]]:
        """The shape of each of this customer's cases with something open (`day` reads
        the driver's dates)."""
        tags, kind, consumer = self._tags_of(sketch.tags)
        debtor = self._debtor(sketch, applying_holds(self.policy, in_force.get(sketch.id, ())))
        broken_here = broken.get(sketch.id, 0)
        plans = self.plans
        out = []
        for currency, (_count, balance, overdue, oldest) in sorted(sketch.open.items()):
            due = self._days.get(oldest)
            if due is None:
                due = self._days[oldest] = day(oldest)
            barred_on, basis = limitation_of(due, sketch.country or "", consumer, self._table)
            facts = CaseFacts(
                currency,
                plans.balance_floor(currency, balance),
                plans.overdue_matters and overdue > 0,
                due,
                debtor,
                tags,
                kind,
                self._done_of(sketch.steps.get(currency, "")),
                broken_here,
                barred_on,
                basis,
            )
            out.append((currency, plans.shape(facts)))
        return out

    def _tags_of(self, text: str) -> tuple[tuple[str, ...], PayerKind, bool]:
        found = self._tags.get(text)
        if found is None:
            tags = tuple(t for t in text.split(",") if t)
            seen, kind = self.plans.tags_seen(tags, payer_kind(tags))
            found = self._tags[text] = (seen, kind, is_consumer(tags))
        return found

    def _done_of(self, text: str) -> tuple[tuple[str, date], ...]:
        """The stages done in the cycle (and when), from its steps."""
        found = self._done.get(text)
        if found is None:
            found = self._done[text] = tuple((stage, on) for on, _k, stage, _m in steps.read(text))
        return found

    def _debtor(self, sketch: Sketch, holds: tuple[Hold, ...]) -> Debtor:
        """The customer as the contact rules see it: where, and every contact that can
        still count (`run_repo.apply_steps` reads the same from the same steps)."""
        text = sketch.contact_text()
        key = (sketch.country, sketch.timezone, text, holds)
        found = self._debtors.get(key)
        if found is None:
            contacts = contacts_in(text, self.as_of)
            found = self._debtors[key] = Debtor(
                country=sketch.country,
                timezone=sketch.timezone or "UTC",
                contacts=tuple(past_contact(on, kind) for on, kind in contacts),
                holds=holds,
            )
        return found


def contacts_in(text: str, as_of: date) -> list[tuple[date, str]]:
    """The contacts (day, kind) among these steps up to `as_of`, in order: what
    `run_repo.apply_steps` reads of the same steps (the case work's notices answer the
    customer: they are not contacts)."""
    return sorted(
        (on, kind)
        for on, kind, stage, _m in steps.read(text)
        if kind in CONTACT_KINDS and on <= as_of and not stage.startswith("notice:")
    )
