"""The policy file's `[matching]` table: read (with positions) and written."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from recoup.domain.matching.rules import MatchingRules, parse_rule, rule_text
from recoup.domain.money import MoneyError
from recoup.domain.policy import parse_amount

if TYPE_CHECKING:
    from recoup.policy.locate import KeyPath
    from recoup.policy.reader import _Reader

MATCHING_KEYS = (
    "auto_apply",
    "apply_when",
    "charges_up_to",
    "charges_percent",
    "name_similarity",
    "sum_up_to",
    "suggestions",
)


def read_matching(reader: _Reader, top: dict[str, Any]) -> MatchingRules:
    base = MatchingRules()
    if "matching" not in top:
        return base
    at: KeyPath = ("matching",)
    t = reader.table(top["matching"], at, MATCHING_KEYS)
    charges, currency = base.charges_up_to, base.charges_currency
    text = reader.string(t, at, "charges_up_to")
    if text is not None:
        try:
            amount = parse_amount(text, None)  # a plain figure: in every currency
            charges, currency = amount.value, amount.currency
        except (ValueError, MoneyError) as err:
            reader.wrong((*at, "charges_up_to"), str(err))
    rules = base.apply_when
    if "apply_when" in t:
        rules = tuple(
            _rule(reader, (*at, "apply_when", i), text)
            for i, text in enumerate(reader.strings(t, at, "apply_when"))
        )
    return MatchingRules(
        auto_apply=reader.boolean(t, at, "auto_apply", base.auto_apply),
        apply_when=tuple(r for r in rules if r),
        charges_up_to=charges,
        charges_currency=currency,
        charges_percent=_percent(reader, t, at, base.charges_percent),
        name_similarity=reader.integer(t, at, "name_similarity", base.name_similarity),
        sum_up_to=reader.integer(t, at, "sum_up_to", base.sum_up_to),
        suggestions=reader.integer(t, at, "suggestions", base.suggestions),
    )


def _percent(reader: _Reader, t: dict[str, Any], at: KeyPath, default: Decimal) -> Decimal:
    value = reader.percent(t, at, "charges_percent")
    return default if value is None else value


def _rule(reader: _Reader, path: KeyPath, text: str) -> frozenset:  # type: ignore[type-arg]
    try:
        return parse_rule(text)
    except ValueError as err:
        reader.wrong(path, str(err))
        return frozenset()


def matching_data(rules: MatchingRules) -> dict[str, Any]:
    """`[matching]` in the file's shape."""
    charges = str(rules.charges_up_to)
    if rules.charges_currency:
        charges = f"{charges} {rules.charges_currency}"
    return {
        "auto_apply": rules.auto_apply,
        "apply_when": [rule_text(r) for r in rules.apply_when],
        "charges_up_to": charges,
        "charges_percent": str(rules.charges_percent),
        "name_similarity": rules.name_similarity,
        "sum_up_to": rules.sum_up_to,
        "suggestions": rules.suggestions,
    }
