"""Write-offs: the reasons, and how much of a written-off amount is tax.

The accountant reclaims the tax (VAT) paid on a bad debt: the *tax part* of an amount
written off an invoice is the invoice's tax in proportion, `amount × tax / invoice
amount`, rounded half-up to the minor unit. A later recovery reverses a write-off in
part; its tax part is computed the same way and shown as a negative line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.domain.words import term


class WriteOffReason(StrEnum):
    SETTLEMENT = "settlement"  # the rest of a settled account
    UNCOLLECTIBLE = "uncollectible"  # no realistic prospect of payment
    INSOLVENCY = "insolvency"  # the customer is insolvent
    TIME_BARRED = "time_barred"  # the limitation period has run out
    SMALL_BALANCE = "small_balance"  # not worth collecting
    DISPUTE = "dispute"  # given up after a dispute
    AGENCY = "agency"  # the agency closed the account as unrecoverable
    OTHER = "other"


REASON_WORDS: dict[WriteOffReason, str] = {
    r: term("write_off_reason", r) for r in WriteOffReason
}  # from recoup.domain.words


def parse_reason(text: str) -> WriteOffReason:
    try:
        return WriteOffReason(text.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in WriteOffReason)
        raise CaseworkError(f"unknown write-off reason {text!r}; choose one of {known}") from None


def tax_part(written_off: Money, invoice_amount: Money, invoice_tax: Money | None) -> Money:
    """The tax in `written_off` of an invoice of `invoice_amount` including `invoice_tax`."""
    if invoice_tax is None or not invoice_amount or not invoice_tax:
        return Money.zero(written_off.currency)
    exact = Decimal(written_off.minor) * invoice_tax.minor / invoice_amount.minor
    return Money(int(exact.quantize(Decimal(1), ROUND_HALF_UP)), written_off.currency)


@dataclass(frozen=True, slots=True)
class WriteOffLine:
    invoice: str
    amount: Money
    tax: Money
