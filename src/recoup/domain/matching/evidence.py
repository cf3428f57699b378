"""What a match is made of: each piece of evidence with its figures, the candidates it
points to, and the decision (apply, ask, no match, not a customer payment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from recoup.domain.matching.rules import Term
from recoup.domain.money import format_minor
from recoup.domain.words import term


class Kind(StrEnum):
    REFERENCE = "reference"  # found: the reference
    NUMBER = "number"  # found: the invoice number(s) as written
    NEAR_NUMBER = "near_number"  # found: what was written
    AMOUNT_EXACT = "amount_exact"
    AMOUNT_CHARGES = "amount_charges"  # figure: minor units short
    AMOUNT_SUM = "amount_sum"  # figure: how many invoices
    AMOUNT_PART = "amount_part"  # figure: minor units left open
    AMOUNT_OVER = "amount_over"  # figure: minor units more than is open (kept on account)
    IBAN = "iban"  # found: the payer's IBAN
    NAME = "name"  # found: the payer's name; figure: similarity in percent
    OTHER_PAYER = "other_payer"  # found: the payer's name or account, not this customer's
    DATE = "date"  # figure: days from the (first) due date to the payment


TERMS: dict[Kind, Term] = {
    Kind.REFERENCE: Term.REFERENCE,
    Kind.NUMBER: Term.NUMBER,
    Kind.NEAR_NUMBER: Term.NEAR_NUMBER,
    Kind.AMOUNT_EXACT: Term.AMOUNT,
    Kind.AMOUNT_CHARGES: Term.AMOUNT,
    Kind.AMOUNT_SUM: Term.AMOUNT,
    Kind.IBAN: Term.IBAN,
    Kind.NAME: Term.NAME,
}


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: Kind
    found: str = ""
    figure: int = 0

    def describe(self, currency: str, lang: str = "en") -> str:
        """The evidence in plain words, in `lang` (English, German or French; the words
        are `recoup.domain.vocabulary.EVIDENCE`)."""
        n = self.figure
        if self.kind is Kind.DATE:
            code = "date_on" if n == 0 else "date_after" if n > 0 else "date_before"
            code += "_1" if abs(n) == 1 else ""
        else:
            code = self.kind.value
        words = term("evidence", code, lang)
        # "12.34 EUR": a page shows it as its reader's money (`figures_in`)
        money = f"{format_minor(n, currency)} {currency}" if "{money}" in words else ""
        return words.format(found=self.found, n=abs(n), money=money)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way to read the line: these invoices of this customer, these amounts each."""

    customer: str
    invoices: tuple[str, ...]  # invoice numbers
    amounts: tuple[int, ...]  # minor units to apply to each (the rest stays on account)
    evidence: tuple[Evidence, ...]
    confident: bool = False

    @property
    def terms(self) -> frozenset[Term]:
        return frozenset(TERMS[e.kind] for e in self.evidence if e.kind in TERMS)

    def has(self, *kinds: Kind) -> bool:
        return any(e.kind in kinds for e in self.evidence)

    def describe(self, currency: str, lang: str = "en") -> list[str]:
        return [e.describe(currency, lang) for e in self.evidence]


class Decision(StrEnum):
    APPLY = "apply"  # exactly one candidate is confident: apply it
    ASK = "ask"  # candidates, none (or more than one) confident: the review queue
    UNMATCHED = "unmatched"  # nothing points to an open invoice: the review queue
    NOT_PAYMENT = "not_payment"  # money out, a fee, a return: not a customer's payment


@dataclass(frozen=True, slots=True)
class Match:
    decision: Decision
    candidates: tuple[Candidate, ...]  # best first; when APPLY, the first is applied
    reason: str

    @property
    def applied(self) -> Candidate | None:
        return self.candidates[0] if self.decision is Decision.APPLY else None


@dataclass(frozen=True, slots=True)
class IncomingLine:
    """A statement line as the matcher sees it."""

    amount_minor: int  # signed: money in is positive
    currency: str
    on: date | None = None
    payer_name: str = ""
    payer_iban: str = ""
    text: str = ""  # what the payer wrote (remittance, additional information)
    reference: str = ""  # the structured creditor reference, if any
    is_credit: bool = True  # false for debits, fees, interest and returns
