"""Whether a statement's booked lines account for the move between its opening and its
closing balance. A statement that gives both balances and whose lines do not add up to
their difference is missing lines (a file cut short, an export filtered by date or by
kind) or carries lines the bank did not book: it is still taken, line by line, and the
gap is said and kept with it so that nobody mistakes it for the whole account."""

from __future__ import annotations

from dataclasses import dataclass

from recoup.imports.bank.model import Statement, Status


@dataclass(frozen=True, slots=True)
class Gap:
    opening_minor: int
    closing_minor: int
    lines_minor: int  # the booked lines in the balances' currency, signed
    currency: str

    @property
    def minor(self) -> int:
        """What the lines leave unexplained: closing - opening - lines."""
        return self.closing_minor - self.opening_minor - self.lines_minor


def gap(statement: Statement) -> Gap | None:
    """The statement's gap, or None when it has none or does not give both balances (an
    intraday report or a notification gives no closing booked balance to check)."""
    opening, closing = statement.balance("opening"), statement.balance("closing")
    if opening is None or closing is None or opening.currency != closing.currency:
        return None
    lines = sum(
        line.amount_minor
        for line in statement.lines
        if line.status is Status.BOOKED and line.currency == closing.currency
    )
    found = Gap(opening.amount_minor, closing.amount_minor, lines, closing.currency)
    return found if found.minor else None
