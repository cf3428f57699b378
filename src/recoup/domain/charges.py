"""Which part of a payment pays the charges (costs and interest) and which the invoices.

The daily run charges fees, statutory compensation (costs) and interest as actions. A
payment pays them in the order the plan gives (`Policy.application_order`): where the
law fixes it (Germany, § 367(1) BGB; the Netherlands, art. 6:44 BW) costs first, then
interest, then the principal.

- Parts before the principal in that order are taken from each payment first: the
  charges made by the payment's date, each part oldest first (`take_before_principal`).
  What remains goes to the invoices by the allocation rule (`recoup.domain.allocation`).
- Parts after the principal are paid from what the invoices left unapplied
  (`pay_from_rest`).

Only payments pay charges; a credit note corrects an invoice and goes to its principal.
No cent is lost or invented: for every payment, charges paid + allocations to invoices +
unapplied rest = its amount. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from recoup.domain.ledger import Credit, CreditKind
from recoup.domain.money import Money
from recoup.domain.policy import Part


@dataclass(frozen=True, slots=True)
class Charge:
    key: str  # e.g. "a:123": the action that charged it
    part: Part  # COSTS or INTEREST
    on: date
    amount: Money


@dataclass(frozen=True, slots=True)
class ChargePaid:
    credit: str  # Credit.key of the payment
    charge: str  # Charge.key
    amount: Money
    on: date


def _parts(order: Sequence[Part]) -> tuple[tuple[Part, ...], tuple[Part, ...]]:
    at = list(order).index(Part.PRINCIPAL)
    return tuple(order[:at]), tuple(order[at + 1 :])


def take_before_principal(
    credits: Iterable[Credit], charges: Iterable[Charge], order: Sequence[Part]
) -> tuple[list[Credit], list[ChargePaid]]:
    """Credits with the charges before the principal taken out of their payments, and
    what was taken. A payment reduced to nothing is left out of the credits."""
    before, _after = _parts(order)
    owed = {c.key: c.amount.minor for c in charges}
    pending = sorted(
        charges, key=lambda c: (before.index(c.part) if c.part in before else 99, c.on, c.key)
    )
    pending = [c for c in pending if c.part in before]
    out: list[Credit] = []
    paid: list[ChargePaid] = []
    for credit in sorted(credits, key=lambda c: (c.date, c.key)):
        left = credit.amount.minor
        if credit.kind is CreditKind.PAYMENT:
            for charge in pending:
                if left == 0:
                    break
                if charge.on > credit.date or charge.amount.currency != credit.amount.currency:
                    continue
                take = min(left, owed[charge.key])
                if take:
                    owed[charge.key] -= take
                    left -= take
                    paid.append(
                        ChargePaid(
                            credit.key, charge.key, Money(take, credit.amount.currency), credit.date
                        )
                    )
        if left:
            out.append(replace(credit, amount=Money(left, credit.amount.currency)))
    return out, paid


def pay_from_rest(
    unapplied: Mapping[str, Money],
    dates: Mapping[str, date],
    charges: Iterable[Charge],
    already: Iterable[ChargePaid],
    order: Sequence[Part],
) -> list[ChargePaid]:
    """The charges after the principal, paid from payments' unapplied rests (oldest
    payment first; each charge oldest first, on the later of the two dates)."""
    _before, after = _parts(order)
    owed = {c.key: c.amount.minor for c in charges}
    for p in already:
        owed[p.charge] -= p.amount.minor
    pending = sorted(
        (c for c in charges if c.part in after),
        key=lambda c: (after.index(c.part), c.on, c.key),
    )
    out: list[ChargePaid] = []
    for key in sorted(unapplied, key=lambda k: (dates[k], k)):
        left = unapplied[key].minor
        currency = unapplied[key].currency
        for charge in pending:
            if left == 0:
                break
            if charge.amount.currency != currency:
                continue
            take = min(left, owed[charge.key])
            if take:
                owed[charge.key] -= take
                left -= take
                out.append(
                    ChargePaid(key, charge.key, Money(take, currency), max(dates[key], charge.on))
                )
    return out
