"""What a court is asked for on an account: what is still owed on the as-of day.

Read from the account's state (`recoup.domain.account_state`), one currency at a time,
each line with its working:

- **principal**: each overdue invoice's open amount (what payments and credit notes
  left of it; a disputed part stays in and is named);
- **charges**: each fee, compensation and interest charge the collection plan made and
  payments have not paid (a charge paid in full is not claimed again);
- **interest since the last charge**: the interest accrued to the as-of day on the open
  overdue invoices (the same rule the daily run charges by, `recoup.domain.accrual`)
  less the interest already charged in the case's cycle;
- **compensation not charged yet**: the fixed sum for each late invoice that has not
  had it in the cycle;
- less **money on account** (payments and credit notes not applied).

The total is never below zero. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from recoup.domain.account_state import ChargeKind, ChargeState, CurrencyState
from recoup.domain.accrual import InterestTerms, accrue, compensation_words
from recoup.domain.money import Money


class ClaimPart(StrEnum):
    PRINCIPAL = "principal"
    FEE = "fee"  # a fee charged and unpaid
    COMPENSATION = "compensation"  # compensation charged and unpaid
    INTEREST = "interest"  # interest charged and unpaid
    INTEREST_SINCE = "interest_since"  # accrued since the last charge
    COMPENSATION_DUE = "compensation_due"  # for late invoices not charged it yet
    ON_ACCOUNT = "on_account"  # money not applied (a negative line)


_CHARGED = {
    ChargeKind.FEE: ClaimPart.FEE,
    ChargeKind.COMPENSATION: ClaimPart.COMPENSATION,
    ChargeKind.INTEREST: ClaimPart.INTEREST,
}


@dataclass(frozen=True, slots=True)
class ClaimLine:
    part: ClaimPart
    label: str
    working: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Claim:
    currency: str
    as_of: date
    lines: tuple[ClaimLine, ...]
    notes: tuple[str, ...] = ()

    def part(self, *parts: ClaimPart) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            if line.part in parts:
                total = total + line.amount
        return total

    @property
    def principal(self) -> Money:
        return self.part(ClaimPart.PRINCIPAL)

    @property
    def charges(self) -> Money:
        """Fees, compensation and interest charged and not paid."""
        return self.part(ClaimPart.FEE, ClaimPart.COMPENSATION, ClaimPart.INTEREST)

    @property
    def interest_since(self) -> Money:
        return self.part(ClaimPart.INTEREST_SINCE)

    @property
    def compensation_due(self) -> Money:
        return self.part(ClaimPart.COMPENSATION_DUE)

    @property
    def on_account(self) -> Money:
        """Money on account, as a positive amount (its line is negative)."""
        return -self.part(ClaimPart.ON_ACCOUNT)

    @property
    def total(self) -> Money:
        total = self.part(*ClaimPart)
        return total if total.minor > 0 else Money.zero(self.currency)


def claim(state: CurrencyState, terms: InterestTerms | None, cycle: date | None) -> Claim:
    """The claim on `state`'s day. `terms`: the interest that runs (the plan's, or the
    law's where the plan charges none; None: no interest is claimed beyond what was
    charged); `cycle`: the first day of the case's current cycle (the charges of that
    cycle are those "already charged"; None: none is)."""
    as_of, currency = state.as_of, state.currency
    lines: list[ClaimLine] = []
    late = [i for i in state.invoices if i.overdue(as_of)]
    for inv in late:
        working = (
            f"invoice of {inv.issue_date} for {inv.amount}, due {inv.due_date}, "
            f"{inv.days_past_due(as_of)} days past due"
        )
        if inv.paid.minor:
            working += f"; {inv.paid} paid or credited, {inv.open} open"
        if inv.disputed.minor:
            working += f"; {inv.disputed} of it under an open dispute"
        lines.append(ClaimLine(ClaimPart.PRINCIPAL, f"Invoice {inv.number}", working, inv.open))
    for ch in state.charges:
        if ch.open.minor > 0:
            lines.append(_charge_line(ch))
    notes: list[str] = []
    if terms is not None and late:
        mine = [c for c in state.charges if cycle is not None and c.charge.cycle == cycle]
        charged = Money.zero(currency)
        for c in mine:
            if c.charge.kind is ChargeKind.INTEREST:
                charged = charged + c.charge.amount
        comp = [c for c in mine if c.charge.kind is ChargeKind.COMPENSATION]
        had = {n for c in comp for n in c.charge.invoices}
        accrued = accrue(
            ((i.number, i.due_date, i.open) for i in late),
            as_of,
            terms,
            compensate=[i.number for i in late if i.number not in had],
        )
        if accrued is not None:
            notes.extend(accrued.notes)
            since = accrued.interest - charged
            if since.minor > 0:
                each = "; ".join(f"{n}: {m}" for n, m in accrued.per_invoice)
                lines.append(
                    ClaimLine(
                        ClaimPart.INTEREST_SINCE,
                        "Interest since the last charge" if charged.minor else "Interest",
                        f"{terms.describe()} to {as_of} on the open amounts: "
                        f"{accrued.interest} ({each}), less {charged} charged before in "
                        "this cycle",
                        since,
                    )
                )
            if accrued.compensation.minor > 0:
                lines.append(
                    ClaimLine(
                        ClaimPart.COMPENSATION_DUE,
                        "Compensation not charged yet",
                        f"statutory {compensation_words(sorted(accrued.compensated))}",
                        accrued.compensation,
                    )
                )
    if state.unapplied.minor > 0:
        parts = "; ".join(
            f"{c.kind.value.replace('_', ' ')} of {c.on}: {c.unapplied}"
            for c in state.credits
            if c.unapplied.minor
        )
        lines.append(
            ClaimLine(ClaimPart.ON_ACCOUNT, "Less money on account", parts, -state.unapplied)
        )
    return Claim(currency, as_of, tuple(lines), tuple(notes))


def _charge_line(ch: ChargeState) -> ClaimLine:
    c = ch.charge
    label = {
        ChargeKind.FEE: "Fee",
        ChargeKind.COMPENSATION: "Compensation",
        ChargeKind.INTEREST: "Interest",
    }[c.kind]
    working = f"charged on {c.on}" + (f" (stage {c.stage})" if c.stage else "")
    if c.invoices:
        working += f" on {', '.join(c.invoices)}"
    working += f": {c.amount}"
    if ch.paid.minor:
        working += f", of which {ch.paid} paid"
    return ClaimLine(_CHARGED[c.kind], f"{label} charged, unpaid", working, ch.open)
