"""Deciding once for every case with the same facts.

A book has many more cases than decisions. On one day and under one plan, the planning
rule (`collection.shape`) reads a case's `CaseFacts` and nothing else, so cases with
equal facts are decided alike, and the facts are the key their decision is kept under.
What makes many cases' facts equal: their balances given as the same figure when they
lie between the same two amounts of the plan (`balance_floor`), whether anything is
overdue only when a stage charges a share of the overdue part (`overdue_matters`), and
their tags and kind only as far as the plan tells them apart (`tags_seen`). What
differs between such cases (the customer, the cycle's first day, the balance itself,
the overdue part, the invoices' numbers) shows only in the figures and texts of their
actions (`collection.fill` fills the shared `CaseShape`'s templates), and in the safety
net's day, which is the customer's own (`collection.safety_review`).

On the 200,000-case bench book a full re-evaluation meets ~5,000 distinct facts; an
ordinary day's 3,700 accounts due for a look, ~70.

Used only for plans that charge no interest: interest is worked out invoice by invoice,
so no two cases share it.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from recoup.domain.collection import CaseFacts, CaseShape, shape
from recoup.domain.policy import AmountBand, InterestKind, Policy
from recoup.domain.priority import PayerKind


def planning_bands(policy: Policy) -> tuple[AmountBand, ...]:
    """Every amount band the planner compares a case's balance with: the stages'
    conditions and the escalation and write-off rules."""
    return (
        *(s.conditions.band for s in policy.stages),
        *(r.band for r in policy.escalation.recommend),
        *(w.band for w in policy.escalation.write_off),
    )


class SharedPlans:
    """The shapes (`collection.shape`) of one plan's cases on one day, by their facts."""

    def __init__(self, policy: Policy, as_of: date) -> None:
        if policy.fees.interest is not InterestKind.NONE:
            raise ValueError("plans that charge interest are decided case by case")
        self.policy = policy
        self.as_of = as_of
        self._bands = planning_bands(policy)
        self._edges: dict[str, tuple[int, ...]] = {}
        self._known: dict[CaseFacts, CaseShape] = {}
        # whether a case's overdue part can change its shape: a stage charges a share
        self.overdue_matters = any(s.actions.fee_percent is not None for s in policy.stages)
        conditions = [stage.conditions for stage in policy.stages]
        self._categories = any(c.categories for c in conditions)
        self._tags = frozenset(t for c in conditions for t in (*c.tags, *c.exclude_tags))

    @property
    def decided(self) -> int:
        """How many distinct facts were decided (for the benchmark's curiosity)."""
        return len(self._known)

    def balance_floor(self, currency: str, minor: int) -> int:
        """The one figure given for every balance between the same two of the plan's
        amounts (such balances meet every band of the plan alike, `AmountBand.edges`):
        the lower amount, or one below the lowest."""
        edges = self._edges.get(currency)
        if edges is None:
            edges = self._edges[currency] = tuple(
                sorted({e for band in self._bands for e in band.edges(currency)})
            )
        if not edges:
            return 0
        at = bisect_right(edges, minor)
        return edges[at - 1] if at else edges[0] - 1

    def tags_seen(
        self, tags: tuple[str, ...], kind: PayerKind
    ) -> tuple[tuple[str, ...], PayerKind]:
        """A customer's tags and kind as far as the plan's stages tell them apart: the
        tags their conditions name, the kind only when some stage asks for it."""
        return (
            tuple(sorted(self._tags.intersection(tags))),
            kind if self._categories else PayerKind.UNKNOWN,
        )

    def shared(self, facts: CaseFacts) -> CaseFacts:
        """These facts as every case decided alike gives them (the figures above)."""
        tags, kind = self.tags_seen(facts.tags, facts.kind)
        return facts._replace(
            balance=self.balance_floor(facts.currency, facts.balance),
            overdue=facts.overdue and self.overdue_matters,
            tags=tags,
            kind=kind,
        )

    def shape(self, facts: CaseFacts) -> CaseShape:
        """The shape of the cases with these facts (give them as `shared` does, or no
        two cases share anything), worked out the first time they are met."""
        try:
            return self._known[facts]
        except KeyError:
            made = self._known[facts] = shape(facts, self.policy, self.as_of, with_notes=False)
            return made
