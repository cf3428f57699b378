"""A policy's amounts (with or without a currency), its bands and percentages, and the
problems the checks report (`PolicyIssue`, with the path of the key they are about)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from functools import lru_cache

from recoup.domain.currencies import is_currency
from recoup.domain.money import CurrencyMismatchError, Money, to_decimal

Key = str | int
KeyPath = tuple[Key, ...]

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """Something wrong with a policy: the policy-file key it is about, and why."""

    path: KeyPath
    message: str


# --- amounts -------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _rounded(value: Decimal, currency: str) -> Money:
    """Money.round, remembered: the daily run asks for the same few figures per case."""
    return Money.round(value, currency)


@dataclass(frozen=True, slots=True)
class PolicyAmount:
    """An amount of the policy: `value` in `currency`, or in every currency when None."""

    value: Decimal
    currency: str | None = None

    def applies_to(self, currency: str) -> bool:
        return self.currency is None or self.currency == currency

    def in_currency(self, currency: str) -> Money:
        """This amount as Money of `currency` (a plain figure is rounded half-up to it)."""
        if not self.applies_to(currency):
            raise CurrencyMismatchError(f"{self} does not apply to {currency} balances")
        return _rounded(self.value, currency)

    def __str__(self) -> str:
        return f"{self.value} {self.currency}" if self.currency else str(self.value)


@dataclass(frozen=True, slots=True)
class AmountBand:
    """Balances from `low` (inclusive) up to `below` (exclusive); either end may be open."""

    low: PolicyAmount | None = None
    below: PolicyAmount | None = None

    @property
    def currency(self) -> str | None:
        for bound in (self.low, self.below):
            if bound is not None and bound.currency is not None:
                return bound.currency
        return None

    @property
    def is_open(self) -> bool:
        return self.low is None and self.below is None

    def contains(self, balance: Money) -> bool:
        if self.low is None and self.below is None:
            return True
        for bound in (self.low, self.below):
            if bound is not None and not bound.applies_to(balance.currency):
                return False
        if self.low is not None and balance < self.low.in_currency(balance.currency):
            return False
        return not (self.below is not None and balance >= self.below.in_currency(balance.currency))

    def edges(self, currency: str) -> tuple[int, ...]:
        """The balances of `currency`, in minor units, at which `contains` changes its
        answer: below the first edge, from one edge up to below the next, and from the
        last edge up, every balance of `currency` gets the same answer."""
        bounds = [b for b in (self.low, self.below) if b is not None]
        if not bounds or not all(b.applies_to(currency) for b in bounds):
            return ()  # open (everything in), or in another currency (nothing in)
        return tuple(b.in_currency(currency).minor for b in bounds)

    def overlaps(self, other: AmountBand) -> bool:
        """Whether some balance could fall in both bands."""
        mine, theirs = self.currency, other.currency
        if mine is not None and theirs is not None and mine != theirs:
            return False
        lows = [b.low.value for b in (self, other) if b.low is not None]
        belows = [b.below.value for b in (self, other) if b.below is not None]
        if not lows or not belows:
            return True
        return max(lows) < min(belows)

    def describe(self) -> str:
        if self.low is not None and self.below is not None:
            return f"balance from {self.low} up to below {self.below}"
        if self.low is not None:
            return f"balance of at least {self.low}"
        if self.below is not None:
            return f"balance below {self.below}"
        return "any balance"


def day_count(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def parse_amount(text: str, default_currency: str | None) -> PolicyAmount:
    """An amount from "25.00" or "25.00 EUR" (raises ValueError with a plain message)."""
    parts = text.split()
    if not 1 <= len(parts) <= 2:
        raise ValueError(f'not an amount: "{text}" (write e.g. "25.00" or "25.00 EUR")')
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", parts[0]):
        raise ValueError(f'not an amount: "{text}" (write e.g. "25.00" or "25.00 EUR")')
    value = to_decimal(parts[0])
    currency = parts[1] if len(parts) == 2 else default_currency
    if currency is not None and not is_currency(currency):
        raise ValueError(f'unknown currency "{currency}" (not ISO 4217)')
    return PolicyAmount(value, currency)


def parse_percent(text: str) -> Decimal:
    """A percentage from "2.5" or "2.5%" (raises ValueError)."""
    body = text.strip().removesuffix("%").strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", body):
        raise ValueError(f'not a percentage: "{text}" (write e.g. "2.5")')
    return to_decimal(body)


def parse_hours(text: str) -> tuple[time, time]:
    """("08:00", "20:00") from "08:00-20:00"; "24:00" means the end of the day."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        raise ValueError(f'hours are written "HH:MM-HH:MM", e.g. "08:00-20:00", not "{text}"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f'not a time of day in "{text}"')
    until = time.max if h2 == 24 else time(h2, m2)
    return time(h1, m1), until
