"""The court case file of one account: gathered from the book, rendered as a PDF and a
zip of the originals (`recoup.casefile` does the rendering).

What it holds: the account's summary and totals per currency with the claim and its
working (`recoup.domain.claim` on the account's state: the overdue principal, the
charges not paid, the interest since the last charge and the compensation not charged
yet, less money on account), a statement, the invoices and payments, the chronology of
every contact (each once: messages delivered and contacts made by hand) with copies
(the text of .eml copies included), promises, plans, settlements and disputes, the
statutory interest and compensation the law gives to the as-of day
(`services.interest`), the fees the plan charged, the hash-chain verification of the
whole history (and of this account's history against the newest signed anchor,
`services.anchors`), and whether the claim fits the small-claims limit of the debtor's
place (`jurisdictions.small_claims`).

The book is taken as it stands; `as_of` is the day interest runs to and days past due
are counted on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any

from recoup import clock
from recoup.casefile import bundle, pdf
from recoup.casefile.model import (
    AnchorSeen,
    Arrangement,
    CaseFile,
    ChainCheck,
    Charge,
    Contact,
    Dispute,
    Document,
    Event,
    InterestLine,
    InterestWorkings,
    Invoice,
    Party,
    Payment,
    SmallClaims,
    Totals,
)
from recoup.domain.account_state import ChargeKind
from recoup.domain.accrual import InterestTerms
from recoup.domain.claim import claim
from recoup.domain.interest import InterestError
from recoup.domain.money import Money
from recoup.jurisdictions.catalogue import default_catalogue
from recoup.jurisdictions.small_claims import find as small_claims_limit
from recoup.services import accounts, anchors, history, interest, reports
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework import disputes, plans, promises, settlements
from recoup.services.policy import active_policy
from recoup.services.run import interest_terms
from recoup.settings import Settings
from recoup.store import run_repo

__all__ = [
    "CaseFile",
    "NotFoundError",
    "Rendered",
    "build",
    "place_of",
    "render",
    "worst_account",
]

CONSUMER_TAG = "consumer"
KINDS = ("reliable", "evader", "juggler", "troubled")
CHARGE_KINDS = ("fee", "interest")
_US_STATE = re.compile(r",\s*([A-Z]{2})\s+\d{5}(?:-\d{4})?\s*$", re.M)


@dataclass(frozen=True)
class Rendered:
    case: CaseFile
    pdf: bytes
    zip: bytes


def worst_account(book: Book, as_of: date) -> str | None:
    """The demo book's (any book's) worst account: the largest amount past due on
    `as_of` (compared as numbers across currencies, like the dashboard's list); None
    when nothing is overdue."""
    top = reports.top_overdue(book, as_of, 1)
    return top[0].customer if top else None


def place_of(acct: accounts.Account) -> str:
    """Where the debtor of an account is, as the jurisdiction tables name it: "US-TX"
    when a US address names the state, else the country ("GB", "DE"), or ""."""
    country = str(acct.customer.get("country", "")).upper()
    addresses = [Contact("", "", "", str(ct.get("address", "")), "") for ct in acct.contacts]
    region = _region(country, addresses)
    return f"{country}-{region}" if region else country


def render(book: Book, key: str, as_of: date, *, creditor: str = "") -> Rendered:
    """The case file of customer `key` as PDF bytes and zip bytes."""
    case = build(book, key, as_of, creditor=creditor)
    document = pdf.render(case)
    return Rendered(case, document, bundle.pack(case, document))


def build(
    book: Book,
    key: str,
    as_of: date,
    *,
    creditor: str = "",
    made_at: datetime | None = None,
    settings: Settings | None = None,
) -> CaseFile:
    """Everything the case file says about customer `key` (NotFoundError if unknown).
    `settings`: where the book's keys are (RECOUP_KEY_DIR), for the newest anchor's
    signer."""
    acct = accounts.account(book, key, as_of)
    c = acct.customer
    tags = tuple(t.strip() for t in str(c.get("tags", "")).split(",") if t.strip())
    contacts = tuple(
        Contact(
            str(ct.get("name", "")),
            str(ct.get("email", "")),
            str(ct.get("phone", "")),
            str(ct.get("address", "")),
            str(ct.get("preferred_channel", "")),
        )
        for ct in acct.contacts
    )
    country = str(c.get("country", "")).upper()
    party = Party(
        key,
        str(c["name"]),
        country,
        _region(country, contacts),
        str(c.get("language", "")),
        str(c.get("timezone", "")),
        next((t for t in tags if t in KINDS), ""),
        contacts,
    )
    invoices = tuple(
        Invoice(
            i.number,
            i.kind,
            i.issue_date,
            i.due_date,
            i.amount,
            i.tax,
            i.open,
            i.status,
            i.days_past_due,
            i.settled_on,
            i.reference,
        )
        for i in acct.invoices
    )
    payments = tuple(
        Payment(p.date, p.amount, p.method, p.reference, p.invoice) for p in acct.payments
    )
    events = tuple(_events(book, key))
    consumer = CONSUMER_TAG in tags
    workings = tuple(
        _interest(country, cur, invoices, as_of, consumer)
        for cur in _currencies(invoices, payments)
        if any(_overdue(i) and i.amount.currency == cur for i in invoices)
    )
    terms = claim_terms(book, country, consumer)
    with book.read() as conn:
        cycles = run_repo.cycles_at(conn, int(c["id"]), as_of)
    totals = tuple(
        _totals(cur, invoices, payments, acct, terms, cycles.get(cur))
        for cur in _currencies(invoices, payments)
    )
    check = history.verify(book)
    seen = anchors.latest_check(book, key, settings or Settings())
    chain = ChainCheck(
        check.ok,
        check.checked,
        check.describe(),
        None if seen is None else AnchorSeen(
            seen.made_at, seen.fingerprint, seen.own_key, seen.entries, seen.holds, seen.problem
        ),
    )  # fmt: skip
    where = f"{country}-{party.region}" if party.region else country
    return CaseFile(
        as_of=as_of,
        made_at=made_at or clock.now(),
        creditor=creditor,
        debtor=party,
        invoices=invoices,
        payments=payments,
        totals=totals,
        events=events,
        interest=workings,
        charges=tuple(_charges(events)),
        small_claims=tuple(_small_claims(where, t) for t in totals),
        chain=chain,
        arrangements=tuple(_arrangements(book, key)),
        dispute_records=tuple(
            Dispute(
                d.invoice,
                d.amount,
                d.reason.replace("_", " "),
                d.text,
                d.opened_on,
                d.status,
                d.resolved_on,
                d.credit,
            )
            for d in disputes.list_disputes(book, key)
        ),
    )


# --- pieces ---------------------------------------------------------------------------


def _arrangements(book: Book, key: str) -> list[Arrangement]:
    """The account's promises, payment plans and settlements, oldest first."""
    out = [
        Arrangement("promise", p.made_on, p.amount, p.promised_on, p.status, p.paid,
                    f"grace {p.grace_days} days")
        for p in promises.list_promises(book, key)
    ]  # fmt: skip
    for plan in plans.list_plans(book, key):
        last = plan.installments[-1].due_on if plan.installments else plan.start_on
        paid = [i for i in plan.installments if i.status == "paid"]
        out.append(
            Arrangement(
                "plan", plan.start_on, plan.total, last, plan.status.replace("_", " "), None,
                f"{len(plan.installments)} installments every {plan.every_days} days, "
                f"{len(paid)} paid; {plan.authority_note}",
            )
        )  # fmt: skip
    for st in settlements.list_settlements(book, key):
        out.append(
            Arrangement(
                "settlement", st.offered_on, st.amount, st.deadline,
                st.status.replace("_", " "), st.paid,
                f"{st.percent}% of {st.balance}; {st.authority_note}"
                + (f"; approved by {st.approved_by}" if st.approved_by else ""),
            )
        )  # fmt: skip
    out.sort(key=lambda a: a.made_on)
    return out


def _region(country: str, contacts: Sequence[Contact]) -> str:
    """The US state named in an address ("Austin, TX 73301"); "" elsewhere or unknown."""
    if country != "US":
        return ""
    for ct in contacts:
        found = _US_STATE.search(ct.address)
        if found:
            return found.group(1)
    return ""


def _overdue(i: Invoice) -> bool:
    return i.kind == "invoice" and i.open.minor > 0 and i.days_past_due > 0


def _currencies(invoices: Sequence[Invoice], payments: Sequence[Payment]) -> list[str]:
    return sorted({i.amount.currency for i in invoices} | {p.amount.currency for p in payments})


def _events(book: Book, key: str) -> list[Event]:
    out = []
    for e in history.entries(book, key):
        docs: tuple[Document, ...] = ()
        if e.attachments:
            kept = history.entry_documents(book, e.id)
            docs = tuple(
                Document(
                    e.id,
                    name,
                    media_type,
                    meta["sha256"],
                    content,
                    _readable(name, media_type, content),
                )
                for (name, media_type, content), meta in zip(kept, e.attachments, strict=False)
            )
        out.append(
            Event(
                e.id, date.fromisoformat(e.on), e.at, e.kind, e.actor, e.text, e.hash, docs, e.data
            )
        )
    return out


def _readable(name: str, media_type: str, content: bytes) -> str | None:
    """The text of an e-mail copy (headers that matter and the plain-text body) or of a
    plain-text document; None for anything else (a PDF letter, an image)."""
    if media_type == "message/rfc822" or name.lower().endswith(".eml"):
        msg = BytesParser(policy=email_policy.default).parsebytes(content)
        lines = [f"{h}: {msg[h]}" for h in ("Date", "From", "To", "Cc", "Subject") if msg[h]]
        body = msg.get_body(preferencelist=("plain",))
        text = ""
        if body is not None:
            try:
                text = str(body.get_content())
            except (LookupError, ValueError):
                text = body.get_payload(decode=True).decode("utf-8", "replace")  # type: ignore[union-attr]
        return "\n".join(lines) + "\n\n" + text.strip()
    if media_type.startswith("text/plain"):
        return content.decode("utf-8", "replace")
    return None


def _interest(
    country: str, currency: str, invoices: Sequence[Invoice], as_of: date, consumer: bool
) -> InterestWorkings:
    law = country if country in interest.jurisdictions() else ""
    lines: list[InterestLine] = []
    notes: list[str] = []
    for i in invoices:
        if not (_overdue(i) and i.amount.currency == currency):
            continue
        if not law:
            why = (
                "No statutory late-payment interest rule is held for "
                f"{country or 'an unknown country'}; only contractual interest could be "
                "claimed, and none is computed here."
            )
            lines.append(_no_interest(i, as_of, why))
            continue
        try:
            r = interest.statutory_interest(
                law, i.open.amount, i.due_date, as_of, currency=currency, consumer=consumer
            )
        except (InterestError, interest.InterestRequestError) as err:
            lines.append(_no_interest(i, as_of, f"{i.number}: {err}"))
            continue
        periods = tuple((p.start, p.end, str(p.rate_percent), p.interest) for p in r.periods)
        lines.append(
            InterestLine(
                i.number, i.open, i.due_date, as_of, r.days, periods, r.interest, r.compensation
            )
        )
        notes.extend(n for n in r.notes if n not in notes)
    if law:
        notes.insert(
            0,
            "Simple interest on actual days / 365 from the day after the due date to the "
            f"as-of day {as_of.isoformat()} inclusive, on the open amount of each invoice, "
            "rounded once, half-up.",
        )
    return InterestWorkings(law, "consumer" if consumer else "business", tuple(lines), tuple(notes))


def _no_interest(i: Invoice, as_of: date, why: str) -> InterestLine:
    return InterestLine(i.number, i.open, i.due_date, as_of, i.days_past_due, (), None, None, why)


def claim_terms(book: Book, country: str, consumer: bool) -> InterestTerms | None:
    """The interest a claim runs by: the plan's, where it charges interest; else the
    statutory interest and compensation of the debtor's country, where Recoup holds its
    law; else none."""
    _version, policy = active_policy(book)
    terms = interest_terms(policy, consumer)
    if terms is not None or country not in interest.jurisdictions():
        return terms
    try:
        rule = default_catalogue().get(country).rule(consumer)
    except InterestError:
        return None
    return InterestTerms(rule=rule, compensation=True)


def _totals(
    currency: str,
    invoices: Sequence[Invoice],
    payments: Sequence[Payment],
    acct: accounts.Account,
    terms: InterestTerms | None,
    cycle: date | None,
) -> Totals:
    """One currency's figures: what was invoiced, credited and paid, and the claim on
    the account's state (`recoup.domain.claim`)."""

    def total(items: list[Money]) -> Money:
        out = Money.zero(currency)
        for m in items:
            out = out + m
        return out

    mine = [i for i in invoices if i.amount.currency == currency]
    invoiced = total([i.amount for i in mine if i.kind == "invoice"])
    credited = total([i.amount for i in mine if i.kind == "credit_note"])  # kept positive
    paid = total([p.amount for p in payments if p.amount.currency == currency])
    state = acct.figures(currency)
    if state is None:  # nothing dated by the as-of day in this currency
        zero = Money.zero(currency)
        return Totals(currency, invoiced, credited, paid, zero, zero, zero, zero, zero, zero, zero)
    found = claim(state, terms, cycle)
    return Totals(
        currency,
        invoiced,
        credited,
        paid,
        state.balance,
        found.principal,
        found.interest_since,
        found.compensation_due,
        found.charges,
        found.on_account,
        found.total,
        found.lines,
        terms.describe() if terms is not None else "",
        any(c.charge.cycle == cycle and c.charge.kind is not ChargeKind.FEE for c in state.charges),
        tuple(
            (c.charge.on, f"{_CHARGE_WORDS[c.charge.kind]} ({c.charge.stage})", c.charge.amount)
            for c in state.charges
        ),
    )


_CHARGE_WORDS = {
    ChargeKind.FEE: "Fee charged",
    ChargeKind.COMPENSATION: "Compensation charged",
    ChargeKind.INTEREST: "Interest charged",
}


def _charges(events: Sequence[Event]) -> list[Charge]:
    out = []
    for e in events:
        if e.kind not in CHARGE_KINDS:
            continue
        out.append(Charge(e.on, e.kind, e.text, charge_amount(e.data)))
    return out


def _small_claims(where: str, totals: Totals) -> SmallClaims:
    claim = totals.claim
    found = small_claims_limit(where) if where else None
    if found is None:
        place = where or "the debtor's place (no country recorded)"
        if where == "US":
            note = "the debtor's US state is not known (no address names it); limits differ."
        else:
            note = f"the jurisdiction reference holds no small-claims limit for {place}."
        return SmallClaims(where, "", None, claim, None, "", "", note)
    if found.limit is None:
        note = f"the sources disagree on the {found.court} limit ({found.notes}); ask the court."
        return SmallClaims(
            found.code, found.court, None, claim, None, found.status, found.source, note
        )
    if found.limit.currency != claim.currency:
        note = (
            f"the claim is in {claim.currency} and the {found.court} limit in "
            f"{found.limit.currency}; amounts are not converted."
        )
        return SmallClaims(
            found.code, found.court, found.limit, claim, None, found.status, found.source, note
        )
    return SmallClaims(
        found.code,
        found.court,
        found.limit,
        claim,
        claim <= found.limit,
        found.status,
        found.source,
        found.notes,
    )


def charge_amount(data: str) -> Money | None:
    """The amount a fee or interest entry's data names (`amount` and `currency`)."""
    try:
        parsed: Any = json.loads(data or "{}")
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    amount, currency = parsed.get("amount"), parsed.get("currency")
    if isinstance(amount, str) and isinstance(currency, str):
        try:
            return Money.of(amount, currency)
        except ValueError:
            return None
    return None
