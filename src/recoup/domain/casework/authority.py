"""One rule for everything that takes money off what a customer owes.

A credit note from a dispute (resolved by credit note, or upheld), a settlement for
less than the balance and a write-off are *reductions*. Whoever asks for one, the same
rule decides:

- a viewer may take nothing off: refused;
- an owner may take anything off: allowed;
- a collector may go as far as the policy's authority: credit notes and write-offs
  within `[authority.collector]` (`recoup.domain.authority_limits`), settlements at or
  above the settlement floors (`recoup.domain.casework.settlement`). Beyond that the
  reduction waits for an owner's approval, and nothing reaches the ledger until then.

The service `recoup.services.casework.authority` finds the actor's role and calls
`decide`; every path that reduces a balance goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.casework.settlement import AuthorityCheck, authority_check
from recoup.domain.money import Money
from recoup.domain.policy import Authority


class Role(StrEnum):
    """Who asks (the web users' roles; an actor that is not a web user acts as owner)."""

    VIEWER = "viewer"
    COLLECTOR = "collector"
    OWNER = "owner"


class Kind(StrEnum):
    CREDIT_NOTE = "credit_note"  # a dispute resolved by a credit note of an agreed amount
    UPHELD = "upheld"  # a dispute upheld: the whole disputed part is credited
    SETTLEMENT = "settlement"  # the balance settled for less
    WRITE_OFF = "write_off"


KIND_WORDS = {
    Kind.CREDIT_NOTE: "a credit note",
    Kind.UPHELD: "upholding a dispute",
    Kind.SETTLEMENT: "a settlement",
    Kind.WRITE_OFF: "a write-off",
}


class Outcome(StrEnum):
    ALLOWED = "allowed"  # do it now
    NEEDS_OWNER = "needs_owner"  # keep it as a request until an owner approves it
    REFUSED = "refused"  # not for this actor at all


@dataclass(frozen=True, slots=True)
class Reduction:
    """`amount` taken off `base` (the invoice for a credit note; the balance for a
    settlement or a write-off). For a settlement, `base - amount` is the offer and
    `days_past_due` the account's age, which chooses the floor. `earlier`: what was taken
    off the same way before (credit notes on the invoice, write-offs of the account), so
    that a limit holds for the sum and cannot be passed in small steps."""

    kind: Kind
    amount: Money
    base: Money
    days_past_due: int = 0
    earlier: Money | None = None

    @property
    def total(self) -> Money:
        return self.amount if self.earlier is None else self.amount + self.earlier

    def __post_init__(self) -> None:
        if self.amount.currency != self.base.currency:
            raise CaseworkError(f"{self.amount} cannot come off an amount in {self.base.currency}")
        if self.amount.minor <= 0:
            raise CaseworkError(f"{KIND_WORDS[self.kind]} takes off more than nothing")


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str
    settlement: AuthorityCheck | None = None  # the floors' answer, for a settlement

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED


def decide(role: Role, authority: Authority, reduction: Reduction) -> Verdict:
    """Whether `role` may make `reduction` now, must ask an owner, or may not at all."""
    what = KIND_WORDS[reduction.kind]
    floors: AuthorityCheck | None = None
    if reduction.kind is Kind.SETTLEMENT:
        floors = authority_check(
            authority, reduction.base, reduction.days_past_due, reduction.base - reduction.amount
        )
    if role is Role.VIEWER:
        return Verdict(
            Outcome.REFUSED,
            f"a viewer may not take anything off what a customer owes ({what} of "
            f"{reduction.amount})",
            floors,
        )
    if role is Role.OWNER:
        # beyond the floors, it says so; "the owner must approve" is what this decision is
        below = floors.reason.removesuffix(": the owner must approve") if floors else ""
        said = below + "; " if floors is not None and not floors.within else ""
        return Verdict(Outcome.ALLOWED, f"{said}an owner's decision", floors)
    if floors is not None:
        outcome = Outcome.ALLOWED if floors.within else Outcome.NEEDS_OWNER
        return Verdict(outcome, floors.reason, floors)
    limit = (
        authority.collector.write_off
        if reduction.kind is Kind.WRITE_OFF
        else authority.collector.credit
    )
    beyond = limit.beyond(reduction.total, reduction.base)
    asked = f"{what} of {reduction.amount}"
    if reduction.earlier:
        asked += f" ({reduction.total} with the {reduction.earlier} taken off before)"
    if beyond is None:
        return Verdict(
            Outcome.ALLOWED, f"{asked} is within a collector's authority ({limit.describe()})"
        )
    return Verdict(
        Outcome.NEEDS_OWNER,
        f"{asked} is beyond a collector's authority ({beyond}): the owner must approve",
    )
