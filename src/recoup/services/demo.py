"""Write a generated demo book into a book, or out as CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from recoup.demo.generator import GeneratedBook, generate
from recoup.domain.money import Money
from recoup.services import allocation_sync
from recoup.services.book import Book
from recoup.settings import Settings
from recoup.store import history_repo, ledger_repo, run_repo

Step = Callable[[str], None]


@dataclass(frozen=True)
class GenerateReport:
    customers: int
    invoices: int
    payments: int

    def to_json(self) -> dict[str, int]:
        return {"customers": self.customers, "invoices": self.invoices, "payments": self.payments}


def make(
    customers: int, invoices: int, seed: int, as_of: date, currency: str | None = "USD"
) -> GeneratedBook:
    return generate(customers, invoices, seed, as_of, currency)


def write_book(book: Book, gen: GeneratedBook, step: Step | None = None) -> GenerateReport:
    """Add the generated records to `book` in one transaction; refuses a non-empty book."""
    say = step or (lambda _msg: None)
    with book.write() as conn:
        if ledger_repo.count_customers(conn):
            raise ValueError("the book already has customers; generate into a new book")
        say("customers")
        ledger_repo.insert_customers(
            conn,
            [(c.key, c.name, c.country, c.language, c.timezone, c.kind) for c in gen.customers],
        )
        ids = ledger_repo.customer_ids(conn)
        ledger_repo.insert_contacts(conn, [(ids[c.key], *c.contact) for c in gen.customers])
        say("invoices")
        ledger_repo.insert_plain_invoices(
            conn,
            [
                (
                    ids[i.customer],
                    i.number,
                    i.issue_date,
                    i.due_date,
                    i.currency,
                    i.amount_minor,
                    i.tax_minor,
                    "",
                    i.terms_days,
                )
                for i in gen.invoices
            ],
        )
        say("payments")
        ledger_repo.insert_payments(
            conn,
            [
                (
                    ids[p.customer],
                    f"ref:{p.reference}",
                    p.date,
                    p.currency,
                    p.amount_minor,
                    p.method,
                    p.reference,
                    p.invoice,
                )
                for p in gen.payments
            ],
        )
        say("allocations")
        allocation_sync.recompute(conn, None)
        run_repo.enqueue(conn, ids.values())
    return GenerateReport(len(gen.customers), len(gen.invoices), len(gen.payments))


def write_csv(gen: GeneratedBook, folder: Path) -> list[Path]:
    """customers.csv, invoices.csv and payments.csv in `folder`, in the import layout."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "customers.csv", folder / "invoices.csv", folder / "payments.csv"]
    with paths[0].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "customer",
                "name",
                "country",
                "language",
                "timezone",
                "tags",
                "contact",
                "email",
                "phone",
                "address",
                "channel",
            ]
        )
        for c in gen.customers:
            w.writerow([c.key, c.name, c.country, c.language, c.timezone, c.kind, *c.contact])
    with paths[1].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "customer",
                "number",
                "issue_date",
                "due_date",
                "amount",
                "currency",
                "tax",
                "terms_days",
            ]
        )
        for i in gen.invoices:
            w.writerow(
                [
                    i.customer,
                    i.number,
                    i.issue_date.isoformat(),
                    i.due_date.isoformat(),
                    _dec(i.amount_minor),
                    i.currency,
                    _dec(i.tax_minor),
                    i.terms_days,
                ]
            )
    with paths[2].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["invoice", "customer", "date", "amount", "currency", "reference", "method"])
        for p in gen.payments:
            w.writerow(
                [
                    p.invoice,
                    p.customer,
                    p.date.isoformat(),
                    _dec(p.amount_minor),
                    p.currency,
                    p.reference,
                    p.method,
                ]
            )
    return paths


def _dec(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


# --- who the demo business is ----------------------------------------------------------

DEMO_BUSINESS = {
    "business_name": "Northwind Design Studio",
    "business_address": "410 Maple Avenue|Portland, OR 97204|USA",
    "business_country": "US",
    "business_phone": "+1 503 555 0142",
    "business_email": "accounts@northwind-design.example",
    "business_website": "https://northwind-design.example",
    "business_bank": "Cascade Community Bank · routing 123 000 220 · account 4471 0923 88",
    "business_signature": "Maja Lindqvist, accounts",
}
"""The demo book's own business details, kept in the book (recoup.services.
business_details): its messages are complete and `recoup doctor` finds nothing missing,
whatever the environment says. The environment's details still win."""


def write_business(book: Book) -> None:
    """Give the demo book its business details, unless it carries some already."""
    from recoup.services import business_details

    if not business_details.stored(book):
        business_details.store(book, DEMO_BUSINESS)


# --- the demo's last four weeks --------------------------------------------------------

DELIVERY_HOUR = time(17, 0)  # UTC: within the contact hours of every demo customer's zone


@dataclass
class Deliveries:
    """The demo's daily delivery: each past day's outbox delivered at 17:00 UTC (as a
    business would run `recoup dispatch` through the day), today's at the moment the
    demo runs; to the .eml folder unless RECOUP_SMTP_URL is set. Adds up what it did."""

    book: Book
    settings: Settings
    now: datetime
    sent: int = 0
    withdrawn: int = 0
    waiting: int = 0

    @property
    def folder(self) -> Path:
        from recoup.services.templates import outbox_folder

        return outbox_folder(self.settings, self.book)

    def day(self, day: date) -> None:
        from recoup.services import dispatch

        at = self.now if day >= self.now.date() else datetime.combine(day, DELIVERY_HOUR, UTC)
        result = dispatch.dispatch(self.book, now=at, settings=self.settings)
        self.sent += result.sent
        self.withdrawn += result.withdrawn
        self.waiting = result.pending


DEMO_COLLECTOR = "collector"


@dataclass
class PlayReport:
    recorded: int = 0  # actions the daily runs recorded
    waiting: int = 0  # today's skipped (waiting for the contact rules or a hold)
    casework: list[str] = field(default_factory=list)  # what the collector did, in words
    # taking over old debt: each account's first contact in the weeks, by stage, and how
    # many of them were already past the plan's final notice by age (onboarding)
    first_contacts: dict[str, int] = field(default_factory=dict)
    opened_gently: int = 0


def play(
    book: Book,
    today: date,
    days: int = 28,
    deliver: Callable[[date], object] | None = None,
    money_in: Callable[[date, Sequence[str]], object] | None = None,
    payments_arrive: bool = False,
) -> PlayReport:
    """Run the plan day by day over the last `days` days, with a collector working the
    largest overdue accounts along the way (a promise that is then broken, a dispute, a
    payment plan, a note, a settlement offer), so that the worklist, the histories and
    the approvals have something real to show. The same code as `recoup run` and the
    case-work commands; what the contact rules refuse is simply not done. `deliver`,
    when given, is called with each day after its run (to deliver the outbox);
    `money_in`, when given, on the last day between its run and its delivery, with the
    accounts the collector worked (today's bank statement: what it shows paid is then
    not reminded of). `payments_arrive`: the ledger's payments (but the bank's) are
    written into their customers' histories as they arrive, as the payments import
    writes them: those dated before the first day first, then each day's before its
    run (the demo's generator writes the ledger and no history; a payment the history
    has already is not written again).

    The book is new to the plan: its long-overdue accounts show how old debt is taken
    over (`PlayReport.first_contacts`, `opened_gently`)."""
    from recoup.domain.casework.errors import CaseworkError
    from recoup.services import reports
    from recoup.services import run as daily_run

    start = today - timedelta(days=days)
    top = [a.customer for a in reports.top_overdue(book, start, limit=6)]
    out = PlayReport()
    oldest = {
        (a.customer, a.overdue.currency): a.oldest_due
        for a in reports.top_overdue(book, start, limit=1_000_000)
    }
    final, finals = _final_notice(book)
    seen: set[tuple[str, str]] = set()
    if payments_arrive:
        record_arrived_payments(book, None, start - timedelta(days=1))

    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        if payments_arrive:
            record_arrived_payments(book, day, day)
        if len(top) >= 5:
            try:
                done = _collector_day(book, offset, day, top)
            except CaseworkError:
                done = None  # e.g. a contact rule said no that day: then it is not done
            if done:
                out.casework.append(done)
        report = daily_run.run(book, day)
        out.recorded += len(report.actions)
        out.waiting = len(report.skipped)
        for action in report.actions:
            case = (action["customer"], action["currency"])
            if action["kind"] not in ("email", "letter", "call") or case in seen:
                continue
            seen.add(case)
            out.first_contacts[action["stage"]] = out.first_contacts.get(action["stage"], 0) + 1
            due = oldest.get(case)
            if final is not None and due is not None and (day - due).days >= final:
                out.opened_gently += action["stage"] not in finals
        if money_in is not None and offset == days:
            money_in(day, top[:5])
        if deliver is not None:
            deliver(day)
    return out


DEMO_PAYMENTS = "the demo's payments"  # where the histories say they came from


def record_arrived_payments(book: Book, first: date | None, last: date) -> None:
    """The history entries of the payments dated `first` (None: any day) to `last`."""
    from recoup.services import importing

    with book.write() as conn:
        rows = ledger_repo.payments_dated(conn, first, last, not_keyed="bank:")
        if rows:  # once each, also when a demo book is played again (`--keep`)
            recorded = history_repo.recorded_payment_keys(conn)
            rows = [r for r in rows if r[1] not in recorded]
        if rows:
            importing.record_payments(conn, DEMO_PAYMENTS, rows)


def _final_notice(book: Book) -> tuple[int | None, frozenset[str]]:
    """The first day past due on which the plan in force sends a final notice (None:
    never), and the names of its final stages."""
    from recoup.domain.policy import Tone, TriggerKind
    from recoup.services.policy import active_policy

    _version, policy = active_policy(book)
    finals = [s for s in policy.stages if s.tone is Tone.FINAL]
    days = [s.trigger.days for s in finals if s.trigger.kind is TriggerKind.DAYS_FROM_DUE]
    return (min(days) if days else None), frozenset(s.name for s in finals)


def _collector_day(book: Book, offset: int, day: date, top: list[str]) -> str | None:
    """What the demo's collector does on day `offset` of the four weeks, in words."""
    from recoup.services.casework import calls, disputes, plans, promises, settlements

    who = DEMO_COLLECTOR
    if offset == 7:
        a = top[0]
        call = calls.record_call(book, a, "promise", actor=who, on=day, notes="will pay part")
        amount = _part(book, a, day, 10)
        promises.add_promise(
            book, a, amount, day + timedelta(days=7), actor=who, on=day, contact_id=call.id
        )
        return f"{a}: a call and a promise of {_words(amount)} in a week (not kept)"
    if offset == 9:
        b = top[1]
        calls.record_call(book, b, "dispute", actor=who, on=day)
        number = _oldest(book, b, day)
        disputes.open_dispute(
            book, b, number, "quality", actor=who, on=day, text="says the delivery was incomplete"
        )
        return f"{b}: a call and a dispute about invoice {number}"
    if offset == 14:
        plans.create_plan(book, top[2], 3, day + timedelta(days=7), actor=who, on=day)
        return f"{top[2]}: a payment plan of three installments"
    if offset == 20:
        calls.record_note(
            book, top[3], "Owner away until next week; call back then.", actor=who, on=day
        )
        return f"{top[3]}: a note"
    if offset == 21:
        amount = _part(book, top[4], day, 40)
        settlements.offer(book, top[4], amount, day + timedelta(days=14), actor=who, on=day)
        return f"{top[4]}: a settlement offer of {_words(amount)}"
    return None


def _open_invoices(book: Book, key: str, day: date) -> list[tuple[date, str, int, str]]:
    from recoup.services import accounts

    acc = accounts.account(book, key, day)
    return sorted(
        (i.due_date, i.number, i.open.minor, i.open.currency)
        for i in acc.invoices
        if i.open.minor > 0 and i.due_date < day
    )


def _oldest(book: Book, key: str, day: date) -> str:
    return _open_invoices(book, key, day)[0][1]


def _words(amount: Money) -> str:
    """An amount in the demo's English sentences ("$7,562.24")."""
    from recoup.money_format import format_money

    return format_money(amount, "en_US")


def _part(book: Book, key: str, day: date, percent: int) -> Money:
    found = _open_invoices(book, key, day)
    currency = found[0][3]
    total = sum(m for _d, _n, m, c in found if c == currency)
    return Money(total * percent // 100, currency)
