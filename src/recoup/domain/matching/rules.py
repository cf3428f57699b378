"""The matching rules of the policy file's `[matching]` table, as values.

A rule of `apply_when` is a set of evidence terms that, found together on one
candidate, make it confident enough to be applied without asking (when it is the only
one). The terms are the words the file uses:

- `reference`   the structured creditor reference (ISO 11649 RF, checksum valid) or the
                invoice's own payment reference;
- `number`      the invoice number written in the payment's text;
- `near_number` the invoice number with one character wrong;
- `amount`      the amount fits: exact, short by bank charges, or the sum of several
                invoices of one customer;
- `iban`        the payer's account is one a confirmed payment of this customer came from;
- `name`        the payer's name is the customer's (matched fuzzily).

A candidate whose payer is someone else (a name given that is not the customer's, or
an account known for another customer) is confident only by its `reference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Term(StrEnum):
    REFERENCE = "reference"
    NUMBER = "number"
    NEAR_NUMBER = "near_number"
    AMOUNT = "amount"
    IBAN = "iban"
    NAME = "name"


def parse_rule(text: str) -> frozenset[Term]:
    """A rule from its text, e.g. "number + amount" (raises ValueError with a plain message)."""
    parts = [p.strip() for p in text.split("+")]
    if not all(parts):
        raise ValueError(f'not a rule: "{text}" (write e.g. "number + amount")')
    terms = []
    for part in parts:
        try:
            terms.append(Term(part))
        except ValueError:
            known = ", ".join(t.value for t in Term)
            raise ValueError(f'unknown evidence "{part}" in "{text}"; known: {known}') from None
    return frozenset(terms)


def rule_text(rule: frozenset[Term]) -> str:
    """The rule as the file writes it, its terms in a fixed order."""
    return " + ".join(t.value for t in Term if t in rule)


DEFAULT_APPLY_WHEN: tuple[frozenset[Term], ...] = tuple(
    parse_rule(text)
    for text in (
        "reference",
        "number + amount",
        "number + iban",
        "number + name",
        "near_number + amount + iban",
        "near_number + amount + name",
        "iban + amount",
        "name + amount",
    )
)


@dataclass(frozen=True, slots=True)
class MatchingRules:
    """How bank statement lines are matched to open invoices (`[matching]`)."""

    auto_apply: bool = True  # false: every match waits for a person
    apply_when: tuple[frozenset[Term], ...] = DEFAULT_APPLY_WHEN
    charges_up_to: Decimal = Decimal("15.00")  # a payment this much short still fits
    charges_currency: str | None = None  # None: the figure in every currency
    charges_percent: Decimal = Decimal(10)  # ... and at most this part of the invoice
    name_similarity: int = 90  # percent (0-100) for a payer's name to count as the customer's
    sum_up_to: int = 5  # at most this many invoices paid by one transfer
    suggestions: int = 5  # candidates kept for the review queue

    def confident(self, terms: frozenset[Term]) -> bool:
        """Whether evidence with these terms may be applied by itself."""
        return self.auto_apply and any(rule <= terms for rule in self.apply_when)


Issue = tuple[tuple[str | int, ...], str]


def matching_issues(rules: MatchingRules) -> list[Issue]:
    """What is wrong with `rules`, as (policy-file key path, message)."""
    at = ("matching",)
    issues: list[Issue] = []
    if rules.charges_up_to < 0:
        issues.append(((*at, "charges_up_to"), "charges_up_to must not be negative"))
    if not 0 <= rules.charges_percent <= 100:
        issues.append(((*at, "charges_percent"), "charges_percent is a percentage, 0 to 100"))
    if not 0 <= rules.name_similarity <= 100:
        issues.append(((*at, "name_similarity"), "name_similarity is a percentage, 0 to 100"))
    elif rules.name_similarity < 70:
        message = "name_similarity below 70 would take other people's names for the customer's"
        issues.append(((*at, "name_similarity"), message))
    if not 1 <= rules.sum_up_to <= 20:
        issues.append(((*at, "sum_up_to"), "sum_up_to is 1 to 20 invoices"))
    if not 1 <= rules.suggestions <= 20:
        issues.append(((*at, "suggestions"), "suggestions is 1 to 20 candidates"))
    for i, rule in enumerate(rules.apply_when):
        if rule == frozenset({Term.AMOUNT}):
            message = "the amount alone never tells whose payment it is: add number, iban or name"
            issues.append(((*at, "apply_when", i), message))
        elif rule <= frozenset({Term.NEAR_NUMBER, Term.AMOUNT}):
            message = (
                f'"{rule_text(rule)}" could apply a payment to the wrong invoice: add iban or name'
            )
            issues.append(((*at, "apply_when", i), message))
    return issues
