"""Exact money: integer minor units plus an ISO 4217 currency.

`Money` never holds a float and never mixes currencies. Amounts with more decimal
places than the currency has are refused rather than rounded; rounding is always an
explicit call (`Money.round`) with the rule in its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from recoup.domain.currencies import minor_units

ZERO = Decimal(0)


class MoneyError(ValueError):
    """An amount that cannot be money: a float, a bad number, too many decimals."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined."""


def to_decimal(value: Decimal | int | str) -> Decimal:
    """A Decimal from an int, a str or a Decimal; floats are refused."""
    if isinstance(value, (bool, float)):
        raise MoneyError(f"refusing {type(value).__name__} {value!r}: use Decimal or str")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"not a number: {value!r}") from None
    else:
        raise MoneyError(f"refusing {type(value).__name__} {value!r}: use Decimal or str")
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount of one currency, held as an integer count of its minor unit."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise MoneyError(f"minor units must be int, not {type(self.minor).__name__}")
        minor_units(self.currency)  # raises for an unknown code

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Money from a decimal amount; refuses more decimals than `currency` allows."""
        value = to_decimal(amount)
        digits = minor_units(currency)
        scaled = value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise MoneyError(
                f"{value} has more than {digits} decimal places, the most {currency} allows"
            )
        return cls(int(scaled), currency)

    @classmethod
    def round(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Money from any decimal, rounded half-up to the currency's minor unit."""
        value = to_decimal(amount)
        scaled = value.scaleb(minor_units(currency)).quantize(Decimal(1), ROUND_HALF_UP)
        return cls(int(scaled), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        """The decimal amount, with exactly the currency's number of places."""
        digits = minor_units(self.currency)
        return Decimal(self.minor).scaleb(-digits) if digits else Decimal(self.minor)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def is_negative(self) -> bool:
        return self.minor < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def to_json(self) -> str:
        """The amount as a decimal string, e.g. "123.45" (the JSON contract's form)."""
        return str(self.amount)


def format_minor(minor: int, currency: str) -> str:
    """A decimal string for `minor` units of `currency` (e.g. 12345, USD -> "123.45")."""
    return str(Money(minor, currency).amount)


def sum_money(items: list[Money], currency: str) -> Money:
    """The sum of `items`, all of which must be in `currency`."""
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
