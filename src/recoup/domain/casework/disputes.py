"""Disputes: on an invoice or part of one, with a reason code, and how they end.

While a dispute is open, collection of the disputed part is on hold. It ends one of
three ways:

- `credit_note`: settled by a credit note for an agreed amount (at most the disputed
  part); the rest of the disputed part is owed again;
- `upheld`: the customer is right: a credit note cancels the whole disputed part;
- `rejected`: the invoice stands: the disputed part is owed again, collection resumes.
"""

from __future__ import annotations

from enum import StrEnum

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.domain.words import term


class Reason(StrEnum):
    NOT_RECEIVED = "not_received"  # goods or service not received
    QUALITY = "quality"  # faulty, incomplete or not as agreed
    PRICE = "price"  # wrong price, quantity or rate
    ALREADY_PAID = "already_paid"
    DUPLICATE = "duplicate"  # invoiced twice
    NOT_ORDERED = "not_ordered"
    WRONG_CUSTOMER = "wrong_customer"  # addressed to the wrong party
    OTHER = "other"


# in English; recoup.domain.words has them in German and French too
REASON_WORDS: dict[Reason, str] = {r: term("dispute_reason", r) for r in Reason}


class Resolution(StrEnum):
    CREDIT_NOTE = "credit_note"
    UPHELD = "upheld"
    REJECTED = "rejected"


def parse_reason(text: str) -> Reason:
    try:
        return Reason(text.strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(r.value for r in Reason)
        raise CaseworkError(f"unknown dispute reason {text!r}; choose one of {known}") from None


def parse_resolution(text: str) -> Resolution:
    try:
        return Resolution(text.strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(r.value for r in Resolution)
        raise CaseworkError(f"unknown resolution {text!r}; choose one of {known}") from None


def check_disputed_part(part: Money, open_amount: Money, already_disputed: Money) -> None:
    """A dispute covers more than nothing and no more than is open and not yet disputed."""
    if part.minor <= 0:
        raise CaseworkError(f"the disputed part must be above zero, not {part}")
    free = open_amount - already_disputed
    if part > free:
        raise CaseworkError(
            f"the disputed part {part} is more than the {free} of the invoice that is open "
            "and not already disputed"
        )


def credit_for(resolution: Resolution, disputed: Money, credit: Money | None) -> Money:
    """The credit note a resolution gives (zero for a rejection)."""
    zero = Money.zero(disputed.currency)
    if resolution is Resolution.REJECTED:
        if credit:
            raise CaseworkError("a rejected dispute gives no credit note")
        return zero
    if resolution is Resolution.UPHELD:
        if credit is not None and credit != disputed:
            raise CaseworkError(
                f"an upheld dispute credits the whole disputed part ({disputed}); use "
                "credit_note for another amount"
            )
        return disputed
    if credit is None or credit.minor <= 0:
        raise CaseworkError("a resolution by credit note needs its amount (above zero)")
    if credit > disputed:
        raise CaseworkError(f"the credit note {credit} is more than the disputed {disputed}")
    return credit
