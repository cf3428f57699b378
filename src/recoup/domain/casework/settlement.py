"""Settlements: is an offer within the policy's authority, and what is given up.

A settlement accepts `offer` in full and final settlement of `balance` (one currency).
The policy's settlement floors (`Authority.settlement_floor`) say the least a collector
may accept, by how far past due the oldest open invoice is and by the size of the
balance. An offer at or above that floor is *within authority*; below it, or when no
floor applies, it needs the owner's approval. When the settled amount is paid, the rest
(`balance - offer`) is written off with the reason "settlement".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.domain.policy import Authority

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class AuthorityCheck:
    within: bool
    floor: Money | None  # the least the policy allows (None: no floor applies)
    floor_percent: Decimal | None
    percent: Decimal  # the offer as a percentage of the balance (2 places)
    reason: str


def percent_of(part: Money, whole: Money) -> Decimal:
    """`part` as a percentage of `whole`, to two places (half-up)."""
    if not whole:
        return Decimal(0)
    return (Decimal(part.minor) * HUNDRED / Decimal(whole.minor)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def check_offer(offer: Money, balance: Money) -> None:
    if offer.currency != balance.currency:
        raise CaseworkError(
            f"the offer is in {offer.currency} but the balance in {balance.currency}"
        )
    if offer.minor <= 0:
        raise CaseworkError(f"a settlement needs an amount above zero, not {offer}")
    if offer >= balance:
        raise CaseworkError(
            f"an offer of {offer} is not less than the balance of {balance}: "
            "ask for payment in full instead"
        )


def authority_check(
    authority: Authority, balance: Money, days_past_due: int, offer: Money
) -> AuthorityCheck:
    """Whether `offer` for `balance` at `days_past_due` is within the policy's authority."""
    check_offer(offer, balance)
    pct = percent_of(offer, balance)
    floor_rule = authority.settlement_floor(days_past_due, balance)
    floor = authority.lowest_settlement(days_past_due, balance)
    if floor_rule is None or floor is None:
        return AuthorityCheck(
            False,
            None,
            None,
            pct,
            f"the policy grants no authority to settle {balance} at {days_past_due} days "
            "past due: the owner must approve",
        )
    if offer >= floor:
        return AuthorityCheck(
            True,
            floor,
            floor_rule.min_percent,
            pct,
            f"{offer} ({pct}%) is within authority: from {floor_rule.from_days} days past due "
            f"the policy allows settling for no less than {floor_rule.min_percent}% ({floor})",
        )
    return AuthorityCheck(
        False,
        floor,
        floor_rule.min_percent,
        pct,
        f"{offer} ({pct}%) is below the floor of {floor_rule.min_percent}% ({floor}) from "
        f"{floor_rule.from_days} days past due: the owner must approve",
    )
