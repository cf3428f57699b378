"""Matching one incoming statement line to open invoices, with the evidence for each
candidate, and the decision: apply by itself only when exactly one candidate is
confident by the policy's rules and nothing else the payer wrote points elsewhere."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from recoup.domain.matching.book import MatchBook, OpenInvoice
from recoup.domain.matching.evidence import (
    TERMS,
    Candidate,
    Decision,
    Evidence,
    IncomingLine,
    Kind,
    Match,
)
from recoup.domain.matching.references import (
    compact,
    iban_key,
    is_rf,
    near_keys,
    rf_in_text,
    text_windows,
)
from recoup.domain.matching.rules import MatchingRules, Term
from recoup.domain.money import Money

SAME_AMOUNT_UP_TO = 20  # more open invoices of one amount than this say nothing by amount
NEAR_WINDOWS = 3  # written stretches tried for a number with one character wrong
SUM_FROM = 25  # a customer's oldest open invoices tried for a combined payment
SUM_STEPS = 20_000  # at most this many partial sums tried per customer

_WEIGHT = {
    Kind.REFERENCE: 8,
    Kind.NUMBER: 6,
    Kind.AMOUNT_EXACT: 4,
    Kind.AMOUNT_SUM: 4,
    Kind.AMOUNT_CHARGES: 3,
    Kind.IBAN: 4,
    Kind.NAME: 3,
    Kind.NEAR_NUMBER: 3,
    Kind.AMOUNT_PART: 1,
}


def charges_minor(rules: MatchingRules, currency: str) -> int:
    """The bank charges a payment may be short by, in minor units of `currency`."""
    if rules.charges_currency not in (None, currency):
        return 0
    return Money.round(rules.charges_up_to, currency).minor


@dataclass(slots=True)
class _Found:
    """The evidence gathered so far, per set of invoices (positions in the book)."""

    line: IncomingLine
    book: MatchBook
    rules: MatchingRules
    charges: int
    groups: dict[tuple[int, ...], list[Evidence]] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)  # customer -> name similarity
    payer: str = ""  # the payer's name, made comparable
    payers: set[str] = field(default_factory=set)  # customers the payer is, by account or name

    def add(self, indexes: tuple[int, ...], evidence: Evidence) -> None:
        found = self.groups.setdefault(indexes, [])
        if all(e.kind is not evidence.kind for e in found):
            found.append(evidence)

    def usable(self, i: int) -> bool:
        book = self.book
        return book.currencies[i] == self.line.currency and book.open_minor[i] > 0

    def fits(self, open_minor: int) -> Kind | None:
        short = open_minor - self.line.amount_minor
        if short == 0:
            return Kind.AMOUNT_EXACT
        if 0 < short <= self.charges and short * 100 <= open_minor * self.rules.charges_percent:
            return Kind.AMOUNT_CHARGES
        return None

    def other_payer(self, customer: str) -> str:
        """The payer's name or account when they show the payer is not `customer`."""
        line, book = self.line, self.book
        if line.payer_iban:
            known = book.by_iban.get(iban_key(line.payer_iban), set())
            if customer in known:
                return ""
            if known:
                return iban_key(line.payer_iban)
        if self.payer and self.name_score(customer) < self.rules.name_similarity:
            return line.payer_name
        return ""

    def name_score(self, customer: str) -> int:
        if customer not in self.names:
            known = self.book.names.get(customer, "")
            score = fuzz.token_sort_ratio(self.payer, known) if self.payer and known else 0
            self.names[customer] = round(score)
        return self.names[customer]


def match_lines(
    lines: Sequence[IncomingLine], book: MatchBook, rules: MatchingRules
) -> list[Match]:
    """Each line matched in turn: the book prepared for all of them first."""
    prepare(lines, book)
    return [match_prepared(line, book, rules) for line in lines]


def prepare(lines: Sequence[IncomingLine], book: MatchBook) -> None:
    """The book's lookups by amount and by customer, for these lines."""
    paying = [
        (ln.payer_name, ln.payer_iban) for ln in lines if ln.is_credit and ln.amount_minor > 0
    ]
    payers = book.payers_of(paying)
    book.prepare({(line.currency, line.amount_minor) for line in lines}, payers)


def match_line(line: IncomingLine, book: MatchBook, rules: MatchingRules) -> Match:
    """The candidates for `line` among `book`'s open invoices, and what to do with it."""
    prepare([line], book)
    return match_prepared(line, book, rules)


def match_prepared(line: IncomingLine, book: MatchBook, rules: MatchingRules) -> Match:
    """`match_line` for a book already prepared for `line` (`prepare`)."""
    if not line.is_credit or line.amount_minor <= 0:
        return Match(Decision.NOT_PAYMENT, (), "money out, a fee or a return")
    found = _Found(line, book, rules, charges_minor(rules, line.currency))
    found.payer = book.payer_key(line.payer_name) if line.payer_name else ""
    found.payers = _payer_customers(found)
    _references(found)
    numbered = _numbers(found)
    if not _number_backed(found, numbered):
        _near_numbers(found)
    _same_amount(found)
    _payers(found)
    candidates = _dominant([_candidate(found, g, ev) for g, ev in found.groups.items()])
    candidates.sort(key=_order)
    return _decide(candidates[: rules.suggestions], candidates)


def _references(found: _Found) -> None:
    line = found.line
    refs = rf_in_text(line.text)
    if line.reference:
        refs.insert(0, compact(line.reference))
    for ref in dict.fromkeys(refs):
        if ref.startswith("RF") and not is_rf(ref):
            continue  # a creditor reference whose check fails says nothing
        for i in found.book.referenced(ref):
            if found.usable(i):
                found.add((i,), Evidence(Kind.REFERENCE, ref))


def _written(found: _Found) -> str:
    line = found.line
    ref = line.reference if line.reference and not is_rf(line.reference) else ""
    return f"{line.text} {ref}"


def _numbers(found: _Found) -> list[int]:
    """Invoices whose numbers are written; the longest stretch that is a number wins."""
    hits: list[int] = []
    covered = 0
    for start, end, key in text_windows(_written(found)):
        if start < covered:
            continue
        matched = [i for i in found.book.numbered(key) if found.usable(i)]
        if matched:
            covered = end
            for i in matched:
                found.add((i,), Evidence(Kind.NUMBER, key))
                hits.append(i)
    if len(hits) > 1:
        _named_together(found, hits)
    return hits


def _named_together(found: _Found, hits: list[int]) -> None:
    """Several invoices of one customer written on one payment that pays them all."""
    by_customer: dict[str, list[int]] = {}
    for i in dict.fromkeys(hits):
        by_customer.setdefault(found.book.customers[i], []).append(i)
    for indexes in by_customer.values():
        if len(indexes) > 1:
            total = sum(found.book.open_minor[i] for i in indexes)
            if found.fits(total) is not None:
                numbers = ", ".join(found.book.numbers[i] for i in indexes)
                group = tuple(sorted(indexes))
                found.add(group, Evidence(Kind.NUMBER, numbers))
                found.add(group, Evidence(Kind.AMOUNT_SUM, "", len(indexes)))


def _number_backed(found: _Found, numbered: list[int]) -> bool:
    """Whether a written number is backed by the amount or by the payer; when none is,
    the payer may have mistyped it, and numbers one character away are looked for."""
    book, line = found.book, found.line
    payers = book.by_iban.get(iban_key(line.payer_iban), set()) if line.payer_iban else set()
    for i in numbered:
        invoice = book.invoice(i)
        if invoice.customer in payers:
            return True
        if found.fits(invoice.open_minor) is not None and not found.other_payer(invoice.customer):
            return True
        if found.name_score(invoice.customer) >= found.rules.name_similarity:
            return True
    return any(len(g) > 1 for g in found.groups)


def _near_numbers(found: _Found) -> None:
    book = found.book
    keys = [
        key
        for _, _, key in text_windows(_written(found))
        if sum(c.isdigit() for c in key) >= 4 and book.looks_like_number(key)
    ]
    for key in sorted(set(keys), key=len, reverse=True)[:NEAR_WINDOWS]:
        for variant in near_keys(key):
            for i in book.numbered(variant):
                if found.usable(i) and _supported(found, i):
                    found.add((i,), Evidence(Kind.NEAR_NUMBER, key))


def _supported(found: _Found, i: int) -> bool:
    """Whether a number one character away is worth showing: the amount fits or the
    payer is the customer."""
    book = found.book
    return found.fits(book.open_minor[i]) is not None or book.customers[i] in found.payers


def _same_amount(found: _Found) -> None:
    same = found.book.by_amount.get((found.line.currency, found.line.amount_minor), set())
    if len(same) <= SAME_AMOUNT_UP_TO:
        for i in sorted(same):
            found.add((i,), Evidence(Kind.AMOUNT_EXACT))


def _payer_customers(found: _Found) -> set[str]:
    """The customers the payer is: by an account learned for them, or by a name as
    alike as the rules ask."""
    book, line = found.book, found.line
    customers = set(book.by_iban.get(iban_key(line.payer_iban), ())) if line.payer_iban else set()
    if found.payer:
        for customer in book.customers_named(found.payer):
            if found.name_score(customer) >= found.rules.name_similarity:
                customers.add(customer)
    return customers


def _payers(found: _Found) -> None:
    """Customers the payer is known to be: their invoices that the amount fits, alone,
    together, or in part."""
    book = found.book
    customers = found.payers
    for customer in sorted(customers):
        indexes = [i for i in book.by_customer.get(customer, ()) if found.usable(i)]
        indexes.sort(key=lambda i: (book.due_dates[i], book.numbers[i]))
        fitting = [i for i in indexes if found.fits(book.open_minor[i])]
        for i in fitting:
            found.add((i,), Evidence(Kind.AMOUNT_EXACT))
        sums = list(_sums(found, indexes[:SUM_FROM]))
        for group in sums:
            found.add(group, Evidence(Kind.AMOUNT_SUM, "", len(group)))
        if not fitting and not sums:
            for i in indexes[: found.rules.suggestions]:
                found.groups.setdefault((i,), [])


def _sums(found: _Found, indexes: list[int]) -> Iterator[tuple[int, ...]]:
    """Sets of 2 to `sum_up_to` of these invoices whose open amounts the line pays."""
    amounts = [found.book.open_minor[i] for i in indexes]
    target, slack = found.line.amount_minor, found.charges
    steps = 0
    stack: list[tuple[int, tuple[int, ...], int]] = [(0, (), 0)]
    while stack and steps < SUM_STEPS:
        start, chosen, total = stack.pop()
        for k in range(start, len(indexes)):
            steps += 1
            new_total = total + amounts[k]
            if new_total > target + slack:
                continue
            group = (*chosen, indexes[k])
            if len(group) > 1 and target <= new_total:
                yield tuple(sorted(group))
            elif len(group) < found.rules.sum_up_to:
                stack.append((k + 1, group, new_total))


def _candidate(found: _Found, group: tuple[int, ...], evidence: list[Evidence]) -> Candidate:
    """The candidate for these invoices: the evidence gathered, with what the amount, the
    payer and the dates add; the line's amount applied oldest first, the rest on account."""
    book, line = found.book, found.line
    invoices = [book.invoice(i) for i in group]
    customer = invoices[0].customer
    ev = [e for e in evidence if e.kind not in (Kind.AMOUNT_EXACT, Kind.AMOUNT_SUM)]
    ev += _amount_evidence(found, invoices, evidence)
    if line.payer_iban and customer in book.by_iban.get(iban_key(line.payer_iban), ()):
        ev.append(Evidence(Kind.IBAN, iban_key(line.payer_iban)))
    score = found.name_score(customer)
    if score >= found.rules.name_similarity:
        ev.append(Evidence(Kind.NAME, line.payer_name, score))
    other = found.other_payer(customer)
    if other:
        ev.append(Evidence(Kind.OTHER_PAYER, other))
    if line.on is not None:
        ev.append(Evidence(Kind.DATE, "", (line.on - min(i.due_date for i in invoices)).days))
    left = line.amount_minor
    amounts = []
    for inv in invoices:
        amounts.append(min(left, inv.open_minor))
        left -= amounts[-1]
    terms = frozenset(TERMS[e.kind] for e in ev if e.kind in TERMS)
    confident = found.rules.confident(terms)
    if other and Term.REFERENCE not in terms:
        confident = False  # someone else paid: only a reference says it is for this invoice
    numbers = tuple(i.number for i in invoices)
    return Candidate(customer, numbers, tuple(amounts), tuple(ev), confident)


def _amount_evidence(
    found: _Found, invoices: list[OpenInvoice], evidence: list[Evidence]
) -> list[Evidence]:
    total = sum(i.open_minor for i in invoices)
    paid = found.line.amount_minor
    if len(invoices) > 1:
        return [e for e in evidence if e.kind is Kind.AMOUNT_SUM]
    kind = found.fits(total)
    if kind is Kind.AMOUNT_EXACT:
        return [Evidence(kind)]
    if kind is Kind.AMOUNT_CHARGES:
        return [Evidence(kind, "", total - paid)]
    if paid < total:
        return [Evidence(Kind.AMOUNT_PART, "", total - paid)]
    return [Evidence(Kind.AMOUNT_OVER, "", paid - total)]


def _dominant(candidates: list[Candidate]) -> list[Candidate]:
    """Leave out a candidate that another says more about: the other covers its invoices,
    has all its evidence terms, and the amount fits the other but not it."""
    terms = [c.terms for c in candidates]
    fitting = [
        (set(c.invoices), t) for c, t in zip(candidates, terms, strict=True) if Term.AMOUNT in t
    ]
    if not fitting:
        return candidates
    return [
        c
        for c, t in zip(candidates, terms, strict=True)
        if Term.AMOUNT in t
        or not any(set(c.invoices) <= covers and t <= more for covers, more in fitting)
    ]


def _order(c: Candidate) -> tuple[int, int, int, tuple[str, ...]]:
    """Confident first, then by the weight of the evidence; among equals the oldest
    invoice first, as the book's own rule applies money (then by number)."""
    weight = sum(_WEIGHT.get(e.kind, 0) for e in c.evidence)
    late = max((e.figure or 0 for e in c.evidence if e.kind is Kind.DATE), default=0)
    return (0 if c.confident else 1, -weight, -late, c.invoices)


def _points_elsewhere(c: Candidate) -> bool:
    """Whether a candidate that is not confident still holds evidence that must be
    weighed by a person: a reference, or a written number that the amount or the payer
    backs."""
    if c.has(Kind.REFERENCE):
        return True
    return c.has(Kind.NUMBER) and bool(c.terms & {Term.AMOUNT, Term.IBAN, Term.NAME})


def _written_first(confident: list[Candidate]) -> list[Candidate]:
    """Among confident candidates of one customer, those the payer wrote a reference or
    number for go before those found by amount and payer alone."""
    written = {c.customer for c in confident if c.has(Kind.REFERENCE, Kind.NUMBER)}
    return [c for c in confident if c.customer not in written or c.has(Kind.REFERENCE, Kind.NUMBER)]


def _decide(shown: list[Candidate], every: list[Candidate]) -> Match:
    if not every:
        return Match(Decision.UNMATCHED, (), "no open invoice fits")
    confident = _written_first([c for c in every if c.confident])
    if len(confident) == 1:
        others = [c for c in every if c is not confident[0]]
        doubts = [c for c in others if _points_elsewhere(c)]
        if not doubts:  # the one decided on goes first: it is what `Match.applied` takes
            chosen = (confident[0], *(c for c in shown if c is not confident[0]))
            return Match(Decision.APPLY, chosen[: len(shown)], "one candidate fits by the rules")
        return Match(Decision.ASK, tuple(shown), "the payment also points to another invoice")
    if len(confident) > 1:
        return Match(Decision.ASK, tuple(shown), f"{len(confident)} candidates fit")
    return Match(Decision.ASK, tuple(shown), "no candidate fits by the rules")
