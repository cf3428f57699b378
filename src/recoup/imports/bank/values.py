"""Values every bank format writes: exact amounts, references, account numbers.

An amount is read from its decimal text, never through a float. A bank may write more
decimals than its currency has (camt allows five): trailing zeros are dropped
("8.850" EUR is 885 cents); any other extra digit refuses the line, because a payment
of 8.855 EUR cannot be booked as it stands and a rounded one is not what the bank says.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from recoup.domain.currencies import MINOR_UNITS

_DECIMAL = re.compile(r"[+-]?(\d+)(?:[.,](\d*))?|[+-]?[.,](\d+)")


class BankValueError(ValueError):
    """A value that cannot be read exactly; the message says why."""


def currency_digits(code: str | None) -> int:
    if not code:
        raise BankValueError("no currency is given")
    try:
        return MINOR_UNITS[code.upper()]
    except KeyError:
        raise BankValueError(f"{code!r} is not an ISO 4217 currency") from None


def minor_units(text: str | Decimal, currency: str | None) -> int:
    """`text` ("1234.56", "1234,56" as MT940 writes it) in minor units of `currency`,
    exactly, or BankValueError."""
    digits = currency_digits(currency)
    if isinstance(text, Decimal):
        value = text
    else:
        raw = text.strip()
        if not _DECIMAL.fullmatch(raw):
            raise BankValueError(f"{text!r} is not an amount")
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise BankValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise BankValueError(f"{text!r} is not an amount")
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        code = (currency or "").upper()
        raise BankValueError(
            f"{text} {code} has more decimals than {code} has ({digits}): refused, never rounded"
        )
    return int(scaled)


def clean(text: str | None) -> str | None:
    """`text` with its runs of white space made one space; None when nothing is left."""
    if text is None:
        return None
    out = " ".join(text.split())
    return out or None


def iso11649_valid(ref: str) -> bool:
    """Whether `ref` is an ISO 11649 creditor reference: RF, two check digits, up to 21
    letters and digits, and the check (mod 97 as for IBANs) holds."""
    compact = ref.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def iban_valid(text: str) -> bool:
    """Whether `text` is an IBAN: a country code, two check digits, its account part,
    and the check (ISO 13616, mod 97) holds. Lengths per country are not checked."""
    compact = text.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[0-9A-Z]{10,30}", compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def _mod97(text: str) -> int:
    digits = "".join(str(int(ch, 36)) for ch in text)
    return int(digits) % 97
