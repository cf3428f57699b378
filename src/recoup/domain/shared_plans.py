"""Deciding once for every case in the same situation.

A book has many more cases than situations. On one day and under one plan, two cases
are decided alike when their oldest open invoices fall due on the same day, they have
reached the same stages on the same days, their customers were contacted on the same
days, live in the same country and time zone, carry the same tags (as far as the plan
can tell them apart) and holds and the same number of broken promises, and their
balances lie between the same two amounts of the plan (`balance_class`), overdue or not
when a stage charges a share of the overdue part. What differs between such cases (the
customer, the cycle's first day, the balance itself, the overdue part, the invoices'
numbers) shows only in the figures and texts of their actions (`collection.fill` puts
them into the shared `CaseShape`), and in the safety net's day, which is the customer's
own (`collection.safety_review`).

`SharedPlans` keeps the shape `collection.shape` gave the first case of each situation.
On the 200,000-case bench book a full re-evaluation meets ~5,000 situations; an ordinary
day's 3,700 accounts due for a look, ~70.

Used only for plans that charge no interest: interest is worked out invoice by invoice,
so no two cases share it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable
from datetime import date

from recoup.domain.collection import CaseInput, CaseShape, shape
from recoup.domain.contact_rules import Hold
from recoup.domain.policy import AmountBand, InterestKind, Policy
from recoup.domain.priority import PayerKind

Situation = tuple[Hashable, ...]


def planning_bands(policy: Policy) -> tuple[AmountBand, ...]:
    """Every amount band the planner compares a case's balance with: the stages'
    conditions and the escalation and write-off rules."""
    return (
        *(s.conditions.band for s in policy.stages),
        *(r.band for r in policy.escalation.recommend),
        *(w.band for w in policy.escalation.write_off),
    )


class SharedPlans:
    """The shapes (`collection.shape`) of one plan's cases on one day, by situation."""

    def __init__(self, policy: Policy, as_of: date) -> None:
        if policy.fees.interest is not InterestKind.NONE:
            raise ValueError("plans that charge interest are decided case by case")
        self.policy = policy
        self.as_of = as_of
        self._bands = planning_bands(policy)
        self._edges: dict[str, tuple[int, ...]] = {}
        self._known: dict[Situation, CaseShape] = {}
        # whether a case's overdue part can change its shape: a stage charges a share
        self.overdue_matters = any(s.actions.fee_percent is not None for s in policy.stages)
        conditions = [stage.conditions for stage in policy.stages]
        self._categories = any(c.categories for c in conditions)
        self._tags = frozenset(t for c in conditions for t in (*c.tags, *c.exclude_tags))
        self._tag_classes: dict[tuple[tuple[str, ...], PayerKind, bool], Hashable] = {}
        self.situations = 0  # how many were worked out (for the benchmark's curiosity)

    def balance_class(self, currency: str, minor: int) -> int:
        """Which stretch between the plan's amounts a balance lies in: balances of one
        class meet every band of the plan alike (`AmountBand.edges`)."""
        edges = self._edges.get(currency)
        if edges is None:
            edges = self._edges[currency] = tuple(
                sorted({e for band in self._bands for e in band.edges(currency)})
            )
        return bisect_right(edges, minor)

    def tag_class(self, tags: tuple[str, ...], kind: PayerKind, consumer: bool) -> Hashable:
        """What the plan can tell of a customer by its tags: whether its debts are a
        consumer's (the limitation period), its kind and the tags the stages' conditions
        name (only when some stage asks for them)."""
        key = (tags, kind, consumer)
        found = self._tag_classes.get(key)
        if found is None:
            found = self._tag_classes[key] = (
                consumer,
                kind if self._categories else None,
                tuple(sorted(self._tags.intersection(tags))),
            )
        return found

    def situation(
        self,
        currency: str,
        balance_minor: int,
        overdue_minor: int,
        oldest_due: Hashable,
        done: Hashable,
        contacts: Hashable,
        holds: tuple[Hold, ...],
        country: str,
        timezone: str,
        tag_class: Hashable,
        broken_promises: int,
    ) -> Situation:
        """The situation of a case, from what `collection.shape` reads of it.

        `overdue_minor` counts only where `overdue_matters` (whether it is above 0);
        `oldest_due`, `done` and `contacts` may be given in any form that tells cases
        apart exactly as `shape` would: the oldest due date; the steps done in this
        cycle in the order given to `CaseInput.done` (`shape` keeps the last day of a
        stage named twice); the customer's contacts (days or moments, repeats kept: the
        weekly cap counts them). `tag_class` is `tag_class(...)`. The limitation day
        follows from the oldest due date, the country and whether the debt is a
        consumer's."""
        return (
            currency,
            self.balance_class(currency, balance_minor),
            self.overdue_matters and overdue_minor > 0,
            oldest_due,
            done,
            contacts,
            holds,
            country,
            timezone,
            tag_class,
            broken_promises,
        )

    def shape(self, situation: Situation, case: Callable[[], CaseInput]) -> CaseShape:
        """The shape of the cases in this situation; `case()` makes one of them (from a
        summary without its details: they only go into actions, by `collection.fill`)
        the first time the situation is met."""
        try:
            return self._known[situation]
        except KeyError:
            self.situations += 1
            made = self._known[situation] = shape(case(), self.policy, self.as_of, with_notes=False)
            return made
