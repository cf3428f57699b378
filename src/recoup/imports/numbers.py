"""Amounts as accounting exports write them, to integer minor units.

Accepted: "1234.56", "1,234.56", "1.234,56", "1 234,56", "1'234.56", "-12.50",
"(12.50)" and "12.50-" (negative), currency symbols and codes around the number.
A value with a single separator followed by exactly three digits ("1,234", "1.234")
is ambiguous on its own; it is settled by the separator the rest of the file uses
for decimals, or by --decimal, and otherwise read as a thousands separator, which is
the only reading that fits a currency with two or fewer decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_STRIP = re.compile(r"[€$£¥₹₽₩₺₪\s\u00a0\u202f']|[A-Z]{3}")
_SHAPE = re.compile(r"\d[\d.,]*")


class AmountError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ParsedAmount:
    """A parsed amount: sign, digits and the decimal part (as text) or None."""

    negative: bool
    whole: str
    fraction: str
    decimal_sep: str | None  # the separator seen as a decimal mark, if any
    ambiguous_sep: str | None  # a lone separator before exactly three digits


def parse_amount(text: str, decimal: str | None = None) -> ParsedAmount:
    s = text.strip()
    if _PLAIN.fullmatch(s) and decimal != ",":
        neg = s.startswith("-")
        body = s[1:] if neg else s
        whole, _, frac = body.partition(".")
        return ParsedAmount(neg, whole, frac, "." if frac else None, None)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = _STRIP.sub("", s)
    if s.endswith("-"):
        negative, s = not negative, s[:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not s or not _SHAPE.fullmatch(s):
        raise AmountError(f"{text!r} is not an amount")
    dots, commas = s.count("."), s.count(",")
    if decimal is not None:
        thousands = "," if decimal == "." else "."
        whole, _, frac = s.replace(thousands, "").partition(decimal)
        if decimal in frac:
            raise AmountError(f"{text!r} has more than one decimal mark")
        return ParsedAmount(negative, whole, frac, decimal if frac else None, None)
    if dots and commas:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if dec == "." else "."
        if s.count(dec) > 1:
            raise AmountError(f"{text!r} has more than one decimal mark")
        whole, _, frac = s.replace(thousands, "").partition(dec)
        return ParsedAmount(negative, whole, frac, dec, None)
    sep = "." if dots else "," if commas else None
    if sep is None:
        return ParsedAmount(negative, s, "", None, None)
    if s.count(sep) > 1:
        groups = s.split(sep)
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            return ParsedAmount(negative, "".join(groups), "", None, None)
        raise AmountError(f"{text!r} is not an amount")
    whole, frac = s.split(sep)
    if len(frac) == 3 and 1 <= len(whole) <= 3:
        # "1,234": thousands unless the file says otherwise
        return ParsedAmount(negative, whole + frac, "", None, sep)
    return ParsedAmount(negative, whole, frac, sep, None)


def to_minor(parsed: ParsedAmount, digits: int) -> int:
    """The amount in minor units; refuses more decimals than `digits`."""
    frac = parsed.fraction.rstrip("0")
    if len(frac) > digits:
        raise AmountError(f"has more than {digits} decimal places")
    whole = parsed.whole or "0"
    scale: int = 10**digits
    value = int(whole) * scale + (int(frac.ljust(digits, "0")) if digits else 0)
    return -value if parsed.negative else value


def ambiguous_as_decimal(parsed: ParsedAmount) -> ParsedAmount:
    """Re-read an ambiguous "1,234" with its separator as the decimal mark."""
    assert parsed.ambiguous_sep is not None
    whole, frac = parsed.whole[:-3], parsed.whole[-3:]
    return ParsedAmount(parsed.negative, whole, frac, parsed.ambiguous_sep, None)
