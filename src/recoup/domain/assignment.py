"""Which collector works an account: an ordered list of rules, the first that matches wins.

A rule names a collector and up to four conditions, all of which must hold:
- `currency`: the account has something open in that currency;
- `at_least` / `below`: its open balance in the rule's currency is at least / below an
  amount (an amount always has the rule's currency: balances in different currencies
  are never compared);
- `tag`: the customer carries the tag (compared without regard to case);
- `country`: the customer's country (ISO 3166-1 alpha-2).
A rule without conditions matches every account (a catch-all, at the end of the list).

Pure: the caller reads the accounts and the rules and writes what `first_match` says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from recoup.domain.currencies import is_currency
from recoup.domain.money import Money, MoneyError


class RuleError(ValueError):
    """A rule that cannot be: an amount without a currency, `below` not above
    `at_least`, a negative amount, a country that is not two letters."""


@dataclass(frozen=True)
class Rule:
    collector: str
    currency: str | None = None
    at_least: int | None = None  # minor units of `currency`
    below: int | None = None  # minor units of `currency`
    tag: str | None = None
    country: str | None = None
    id: int = 0
    position: int = 0

    def __post_init__(self) -> None:
        check(self)

    @property
    def catch_all(self) -> bool:
        return not (self.currency or self.tag or self.country)

    def amount(self, minor: int | None) -> Money | None:
        """`at_least` or `below` as money (None when the condition is not set)."""
        if minor is None or self.currency is None:
            return None
        return Money(minor, self.currency)


@dataclass(frozen=True)
class Account:
    """What the rules look at: the open balance per currency (minor units), the tags,
    the country."""

    balances: Mapping[str, int]
    tags: frozenset[str] = field(default_factory=frozenset)
    country: str = ""


def check(rule: Rule) -> None:
    if not rule.collector:
        raise RuleError("a rule names the collector it assigns to")
    amounts = [a for a in (rule.at_least, rule.below) if a is not None]
    if amounts and rule.currency is None:
        raise RuleError("a balance condition needs a currency (--currency EUR)")
    if rule.currency is not None and not is_currency(rule.currency):
        raise RuleError(f"unknown currency {rule.currency!r} (an ISO 4217 code such as EUR)")
    if any(a < 0 for a in amounts):
        raise RuleError("a balance condition is not negative")
    if rule.at_least is not None and rule.below is not None and rule.below <= rule.at_least:
        raise RuleError("'below' must be more than 'at least'")
    if rule.country is not None and not (len(rule.country) == 2 and rule.country.isalpha()):
        raise RuleError(f"a country is two letters (ISO 3166-1), not {rule.country!r}")
    if rule.tag is not None and (not rule.tag or "," in rule.tag):
        raise RuleError("a tag is one word or phrase, without commas")


def make_rule(
    collector: str,
    *,
    currency: str | None = None,
    at_least: str | Decimal | None = None,
    below: str | Decimal | None = None,
    tag: str | None = None,
    country: str | None = None,
) -> Rule:
    """A rule from what a person typed: amounts as decimals in the currency, codes in
    any case; empty strings are conditions not set."""
    cur = (currency or "").strip().upper() or None

    def minor(value: str | Decimal | None) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if cur is None:
            raise RuleError("a balance condition needs a currency (--currency EUR)")
        try:
            return Money.of(value, cur).minor
        except MoneyError as err:
            raise RuleError(str(err)) from None

    return Rule(
        collector.strip(),
        currency=cur,
        at_least=minor(at_least),
        below=minor(below),
        tag=(tag or "").strip().lower() or None,
        country=(country or "").strip().upper() or None,
    )


def parse_tags(text: str) -> frozenset[str]:
    """The customer's tags as the book keeps them (comma-separated), in lower case."""
    return frozenset(t.strip().lower() for t in text.split(",") if t.strip())


def matches(rule: Rule, account: Account) -> bool:
    if rule.country is not None and account.country.upper() != rule.country:
        return False
    if rule.tag is not None and rule.tag not in account.tags:
        return False
    if rule.currency is not None:
        balance = account.balances.get(rule.currency, 0)
        if balance <= 0:
            return False
        if rule.at_least is not None and balance < rule.at_least:
            return False
        if rule.below is not None and balance >= rule.below:
            return False
    return True


def first_match(
    rules: Sequence[Rule], account: Account, usable: Iterable[str] | None = None
) -> Rule | None:
    """The first rule (in the list's order) that matches `account`; with `usable`, only
    rules whose collector is among them (a disabled user, or one who is no longer a
    collector, is passed over)."""
    allowed = None if usable is None else set(usable)
    for rule in rules:
        if allowed is not None and rule.collector not in allowed:
            continue
        if matches(rule, account):
            return rule
    return None
