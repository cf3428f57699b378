"""The facts of a case, as the planning rule reads them (`recoup.domain.collection`):
from a customer's data read for the run (`recoup.store.run_repo.CustomerData`), one
`CaseInput` per currency; the plan's interest terms, the holds it honours, whether it
charges the statutory compensation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from functools import lru_cache

from recoup.domain.accrual import InterestTerms
from recoup.domain.collection import (
    CaseInput,
    OpenInvoice,
)
from recoup.domain.contact_rules import Debtor, Hold, PastContact
from recoup.domain.interest import InterestError
from recoup.domain.ledger import Channel
from recoup.domain.limitation import LimitationTable, time_barred_on
from recoup.domain.policy import InterestKind, Policy
from recoup.domain.priority import PayerKind
from recoup.jurisdictions.catalogue import default_catalogue, default_limitations
from recoup.store.run_repo import CustomerData

_CHANNEL = {"email": Channel.EMAIL, "letter": Channel.LETTER, "call": Channel.PHONE}


@lru_cache(maxsize=1024)  # a book has a few distinct tag sets
def payer_kind(tags: tuple[str, ...]) -> PayerKind:
    for tag in tags:
        if tag in PayerKind.__members__.values():
            return PayerKind(tag)
    return PayerKind.UNKNOWN


CONSUMER_TAG = "consumer"  # a customer tagged so gets the consumer limitation period


def is_consumer(tags: tuple[str, ...]) -> bool:
    return CONSUMER_TAG in tags


@lru_cache(maxsize=4096)
def past_contact(day: date, kind: str) -> PastContact:
    """A recorded contact: its day at noon UTC (the run records days), by its channel.
    Remembered: a book's contacts fall on a few hundred days."""
    return PastContact(datetime.combine(day, time(12), UTC), _CHANNEL[kind])


_LIMITATIONS: dict[tuple[date, str, bool], tuple[date | None, str]] = {}
_LIMITATIONS_OF: list[LimitationTable] = []


def limitation_of(
    oldest: date, country: str, consumer: bool, table: LimitationTable
) -> tuple[date | None, str]:
    """The day the oldest invoice becomes time-barred, and the rule in words. Remembered
    for the table in use (by identity): a book's oldest due dates, countries and kinds
    of debt repeat from case to case."""
    if not _LIMITATIONS_OF or _LIMITATIONS_OF[0] is not table:
        _LIMITATIONS.clear()
        _LIMITATIONS_OF[:] = [table]
    key = (oldest, country, consumer)
    found = _LIMITATIONS.get(key)
    if found is None:
        limitation = time_barred_on(oldest, country, consumer, table=table)
        rule = table.find(country)
        found = _LIMITATIONS[key] = (
            limitation,
            rule.describe(consumer) if rule and limitation else "",
        )
    return found


def case_inputs(
    data: CustomerData,
    limitations: LimitationTable | None = None,
    holds: Sequence[Hold] = (),
    disputed: Mapping[str, int] | None = None,
    policy: Policy | None = None,
    broken_promises: int = 0,
) -> list[CaseInput]:
    """One planner input per currency the customer has open or a case in.

    The limitation day comes from the customer's country and the oldest open invoice's
    due date (`limitations`: the shipped table unless given). `holds` stop contact (see
    `recoup.services.casework.holds`); `disputed` (invoice number -> minor units under an
    open dispute) is left out of what is asked for.
    """
    table = limitations if limitations is not None else default_limitations()
    consumer = is_consumer(data.tags)
    contacts = tuple(past_contact(day, kind) for day, kind in data.contacts)
    debtor = Debtor(
        country=data.country,
        timezone=data.timezone or "UTC",
        contacts=contacts,
        holds=tuple(holds),
    )
    disputed = disputed or {}
    if disputed and data.summaries:
        raise ValueError("disputed parts are taken off invoice by invoice: load the details")
    out = []
    currencies = {i[2] for i in data.invoices} | set(data.summaries) | set(data.cases)
    for currency in sorted(currencies):
        start, _review = data.cases.get(currency, (None, None))
        invoices = tuple(
            OpenInvoice(n, due, m - disputed.get(n, 0), currency)
            for n, due, cur, m in data.invoices
            if cur == currency and m - disputed.get(n, 0) > 0
        )
        summary = data.summaries.get(currency)
        oldest: date | None = None
        if summary is not None:
            oldest = summary.oldest_due
        elif invoices:
            oldest = min(i.due_date for i in invoices)
        limitation, basis = (
            limitation_of(oldest, data.country or "", consumer, table)
            if oldest is not None
            else (None, "")
        )
        out.append(
            CaseInput(
                data.key,
                currency,
                invoices,
                debtor,
                data.tags,
                payer_kind(data.tags),
                start,
                tuple(data.done.get(currency, ())),
                limitation=limitation,
                limitation_basis=basis,
                interest=interest_terms(policy, consumer) if policy is not None else None,
                interest_charged=data.interest_charged.get(currency, 0),
                compensated=frozenset(data.compensated.get(currency, ())),
                broken_promises=broken_promises,
                summary=summary,
            )
        )
    return out


_TERMS: list[tuple[Policy, bool, InterestTerms | None]] = []


def interest_terms(policy: Policy, consumer: bool) -> InterestTerms | None:
    """The plan's interest for a business (or consumer) debtor; None when it charges none
    (or when its jurisdiction has no statutory rule for consumers). Remembered for the
    policy object in use (by identity: hashing a whole plan per account costs more than
    the answer)."""
    for known, kind, terms in _TERMS:
        if known is policy and kind == consumer:
            return terms
    terms = _interest_terms(policy, consumer)
    _TERMS[:] = [t for t in _TERMS[-3:] if t[0] is not policy or t[1] != consumer]
    _TERMS.append((policy, consumer, terms))
    return terms


def _interest_terms(policy: Policy, consumer: bool) -> InterestTerms | None:
    fees = policy.fees
    if fees.interest is InterestKind.CONTRACTUAL:
        return InterestTerms(rate_percent=fees.rate_percent, grace_days=fees.grace_days)
    if fees.interest is InterestKind.STATUTORY and policy.jurisdiction:
        try:
            rule = default_catalogue().get(policy.jurisdiction).rule(consumer)
        except InterestError:
            return None
        return InterestTerms(rule=rule, compensation=fees.compensation)
    return None


def charges_compensation(policy: Policy) -> bool:
    """Whether the plan charges the statutory compensation (then the run reads which
    invoices had it in each case's cycle)."""
    return policy.fees.interest is InterestKind.STATUTORY and policy.fees.compensation


def applying_holds(policy: Policy, found: Iterable[Hold]) -> tuple[Hold, ...]:
    """The holds the plan honours: those its `contact.holds` lists, and always the
    absolute ones (cease contact, insolvency, agency), which no plan can switch off."""
    if not found:
        return ()  # most accounts: nothing in force
    wanted = {h.value for h in policy.contact.holds}
    return tuple(h for h in found if h.absolute or h.kind.value in wanted)
