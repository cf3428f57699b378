"""The court claim is what is still owed, contacts count once, and the statutory
compensation comes once per late invoice per cycle with words made from its figures.
Regression tests with the correct figures worked out here by hand, through the daily
run, on SQLite and PostgreSQL (the `book` fixture).

German law (§ 288 BGB), a business debt due on Monday 6 January 2025: the base rate of
H1 2025 is 2.27%, so interest runs at 2.27 + 9 = 11.27% a year, simple, actual days /
365, from the day after the due date to the as-of day inclusive; €40 compensation per
late invoice (§ 288(5) BGB). A payment pays costs, then interest, then the principal
(§ 367(1) BGB).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from recoup.domain.claim import ClaimPart
from recoup.domain.money import Money
from recoup.services import casefile, daily_run, dispatch, history
from recoup.services.book import Book
from recoup.services.casework import calls
from recoup.services.policy import use_policy_text
from recoup.settings import Settings
from recoup.store import ledger_repo, run_repo
from tests.figures_data import customer, invoice, minor, payment, settle
from tests.test_casefile import money_text, pdf_text

DUE = date(2025, 1, 6)  # a Monday
POLICY = """name = "p"
jurisdiction = "DE"
[fees]
interest = "statutory"
compensation = true

[[stage]]
name = "friendly"
days_from_due = 10
tone = "friendly"
email = "overdue-friendly"

[[stage]]
name = "firm"
days_from_due = 30
tone = "firm"
email = "overdue-firm"
"""
RATE = Decimal("0.1127")


def eur(amount: str) -> Money:
    return Money(minor(amount), "EUR")


def interest(principal: str, days: int) -> Decimal:
    exact = Decimal(principal) * RATE * days / 365
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def run_days(book: Book, first: date, last: date) -> list[dict]:
    out = []
    day = first
    while day <= last:
        out += daily_run.run(book, day).actions
        day += timedelta(days=1)
    return out


def test_the_claim_leaves_out_what_was_paid(book: Book, tmp_path: Path) -> None:
    """R-1 (K1) and R-2 (K2), €1,000.00 each, due 6 January. The friendly stage on
    16 January (10 days) charges each
        interest 1,000.00 x 11.27% x 10 / 365 = 3.0877 -> 3.09, and the €40.00 compensation.
    K1 pays €43.09 on 20 January: 40.00 compensation, then 3.09 interest; R-1 untouched.
    K2 pays €20.00: 20.00 of the compensation.
    The claim on 31 January (25 days past due):
        interest to the day: 1,000.00 x 11.27% x 25 / 365 = 7.7192 -> 7.72
        since the last charge: 7.72 - 3.09 = 4.63
        K1: 1,000.00 + 0.00 (charges unpaid) + 4.63 = €1,004.63
        K2: 1,000.00 + 20.00 (compensation unpaid) + 3.09 (interest unpaid) + 4.63 = €1,027.72
    (The old claim, for both: 1,000.00 + 7.72 + 40.00 = €1,047.72: K1's 43.09 paid
    claimed again.)"""
    assert interest("1000.00", 10) == Decimal("3.09")
    assert interest("1000.00", 25) == Decimal("7.72")
    with book.write() as conn:
        k1 = customer(conn, "K1", "DE")
        k2 = customer(conn, "K2", "DE")
        for cid, number in ((k1, "R-1"), (k2, "R-2")):
            invoice(conn, cid, number, DUE - timedelta(days=30), DUE, "EUR", minor("1000.00"))
        run_repo.enqueue(conn, [k1, k2])
    use_policy_text(book, POLICY)
    charged = run_days(book, DUE, date(2025, 1, 19))
    made = [(a["customer"], a["stage"], a["amount"]) for a in charged if a["kind"] != "email"]
    assert sorted(made) == [
        ("K1", "friendly", "3.09"), ("K1", "friendly:compensation", "40.00"),
        ("K2", "friendly", "3.09"), ("K2", "friendly:compensation", "40.00"),
    ]  # fmt: skip
    with book.write() as conn:
        payment(conn, k1, "P-1", date(2025, 1, 20), "EUR", minor("43.09"))
        payment(conn, k2, "P-2", date(2025, 1, 20), "EUR", minor("20.00"))
        settle(conn, [k1, k2])
    day = date(2025, 1, 31)
    one = casefile.build(book, "K1", day)
    [t1] = one.totals
    assert (t1.overdue, t1.charges, t1.interest, t1.compensation, t1.claim) == (
        eur("1000.00"), eur("0.00"), eur("4.63"), eur("0.00"), eur("1004.63")
    )  # fmt: skip
    assert [(line.part, line.amount) for line in t1.lines] == [
        (ClaimPart.PRINCIPAL, eur("1000.00")),
        (ClaimPart.INTEREST_SINCE, eur("4.63")),
    ]
    assert "7.72 EUR" in t1.lines[1].working
    assert "less 3.09 EUR charged before" in t1.lines[1].working
    two = casefile.build(book, "K2", day)
    [t2] = two.totals
    assert (t2.overdue, t2.charges, t2.interest, t2.claim) == (
        eur("1000.00"), eur("23.09"), eur("4.63"), eur("1027.72")
    )  # fmt: skip
    assert [(line.part, line.amount) for line in t2.lines] == [
        (ClaimPart.PRINCIPAL, eur("1000.00")),
        (ClaimPart.INTEREST, eur("3.09")),  # charged with the compensation, same day
        (ClaimPart.COMPENSATION, eur("20.00")),  # 40.00 charged, 20.00 paid
        (ClaimPart.INTEREST_SINCE, eur("4.63")),
    ]
    # the claim is the account's balance plus what accrued since the last charge
    assert t2.claim == t2.balance + t2.interest
    # the PDF states the same
    words = pdf_text(casefile.render(book, "K1", day).pdf, tmp_path)
    assert f"Claim {money_text(eur('1004.63'))}" in words
    assert "1,047.72" not in words
    assert f"Interest since the last charge {money_text(eur('4.63'))}" in words
    # the statement of account has the charges: its running balance ends at the balance
    statement = words.split("2. Statement of account", 1)[1].split("3. Invoices", 1)[0]
    # 1,000.00 + 3.09 = 1,003.09; + 40.00 = 1,043.09; - 43.09 (the payment) = 1,000.00
    assert "2025-01-16 Interest charged (friendly) EUR 3.09 EUR 1,003.09" in statement
    assert "Compensation charged (friendly:compensation) EUR 40.00 EUR 1,043.09" in statement
    assert "2025-01-20 Payment P-1 EUR 43.09 EUR 1,000.00" in statement


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        outbox_dir=str(tmp_path / "outbox"),
        business_name="Acme GmbH",
        mail_from="accounts@acme.example",
        business_address="Hafenstraße 12|20457 Hamburg",
        business_phone="+49 40 1234 5678",
        business_bank="IBAN DE89 3704 0044 0532 0130 00",
    )


def test_contacts_are_counted_once(book: Book, tmp_path: Path) -> None:
    """The friendly reminder queued and sent on 16 January is one contact (the history
    has its "queued" entry and its "message_sent" entry); a call on 20 January is
    another; the firm reminder queued on 5 February and withdrawn at delivery (the
    invoice was paid that day) is none: 2 contacts. (The old count: 2 queued + 1 sent +
    1 call = 4.)"""
    settings = _settings(tmp_path)
    with book.write() as conn:
        cid = customer(conn, "K1", "DE")
        ledger_repo.insert_contacts(
            conn, [(cid, "Anna Berg", "anna@kunde.example", "+49 30 1234", "", "email")]
        )
        invoice(conn, cid, "R-1", DUE - timedelta(days=30), DUE, "EUR", minor("1000.00"))
        run_repo.enqueue(conn, [cid])
    use_policy_text(book, POLICY)
    for day in (DUE + timedelta(days=n) for n in range(31)):
        daily_run.run(book, day)
        if day == date(2025, 2, 5):  # the firm reminder is queued; then the invoice is paid
            with book.write() as conn:
                payment(conn, cid, "P-1", day, "EUR", minor("2000.00"))
                settle(conn, [cid])
        dispatch.dispatch(book, now=datetime.combine(day, time(16), UTC), settings=settings)
        if day == date(2025, 1, 20):
            calls.record_call(book, "K1", "no_answer", actor="carl", on=day,
                              override_reason="the test calls")  # fmt: skip
    kinds = [e.kind for e in history.entries(book, "K1")]
    assert kinds.count("email") == 2  # friendly and firm, queued
    assert kinds.count("message_sent") == 1
    case = casefile.build(book, "K1", date(2025, 2, 6))
    assert [e.kind for e in case.contacts] == ["message_sent", "call"]


def test_compensation_once_per_late_invoice_with_its_own_words(book: Book) -> None:
    """C1: R-1 (€1,000.00) due 6 January, R-2 (€500.00) due 20 January. On 16 January
    (friendly) only R-1 is late: 40.00 for R-1. On 5 February (firm) R-2 is late too and
    has had none: 40.00 for R-2. R-1 does not get it twice in the cycle.
    C2: R-3 and R-4 (€300.00 each) both due 6 January: 2 x 40.00 = 80.00 at once.
    (The old run: C1's friendly compensation said "for 2 late invoice(s)" over €40.00,
    and R-2 never had its €40.00.)"""
    with book.write() as conn:
        c1 = customer(conn, "C1", "DE")
        c2 = customer(conn, "C2", "DE")
        invoice(conn, c1, "R-1", DUE - timedelta(days=30), DUE, "EUR", minor("1000.00"))
        invoice(conn, c1, "R-2", date(2024, 12, 21), date(2025, 1, 20), "EUR", minor("500.00"))
        invoice(conn, c2, "R-3", DUE - timedelta(days=30), DUE, "EUR", minor("300.00"))
        invoice(conn, c2, "R-4", DUE - timedelta(days=30), DUE, "EUR", minor("300.00"))
        run_repo.enqueue(conn, [c1, c2])
    use_policy_text(book, POLICY)
    charged = run_days(book, DUE, date(2025, 2, 6))
    comp = [
        (a["customer"], a["stage"], a["invoices"], a["amount"], a["reason"])
        for a in charged
        if a["stage"].endswith(":compensation")
    ]
    assert sorted(comp) == [
        ("C1", "firm:compensation", ["R-2"], "40.00",
         "statutory 40.00 EUR compensation for 1 late invoice (R-2)"),
        ("C1", "friendly:compensation", ["R-1"], "40.00",
         "statutory 40.00 EUR compensation for 1 late invoice (R-1)"),
        ("C2", "friendly:compensation", ["R-3", "R-4"], "80.00",
         "statutory 80.00 EUR compensation for 2 late invoices (R-3, R-4), 40.00 EUR each"),
    ]  # fmt: skip
    # the history says what the action charged, in the same figures
    texts = [e.text for e in history.entries(book, "C2") if e.kind == "fee"]
    assert texts == [
        "Fee charged (stage friendly:compensation, 80.00 EUR): statutory 80.00 EUR "
        "compensation for 2 late invoices (R-3, R-4), 40.00 EUR each"
    ]
    # interest: each charge is the increment since the last, adding up to the accrual
    firm = next(
        a for a in charged if a["customer"] == "C1" and a["kind"] == "interest"
        and a["stage"] == "firm"
    )  # fmt: skip
    friendly = next(
        a for a in charged if a["customer"] == "C1" and a["kind"] == "interest"
        and a["stage"] == "friendly"
    )  # fmt: skip
    # friendly, 16 January: R-1 10 days (R-2 not yet due): 3.09
    assert friendly["amount"] == str(interest("1000.00", 10))
    # firm, 5 February: R-1 30 days (9.26), R-2 16 days (2.47); less 3.09 charged
    total = interest("1000.00", 30) + interest("500.00", 16)
    assert (interest("1000.00", 30), interest("500.00", 16)) == (Decimal("9.26"), Decimal("2.47"))
    assert firm["amount"] == str(total - Decimal("3.09"))
