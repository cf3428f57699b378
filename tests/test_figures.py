"""One definition of every figure: the figures found wrong when Recoup was tried as a
user, each as a regression test with its correct figure worked out here by hand.

- the customer list added €1,500 and £300 into "€1,800.00";
- a payment that paid fees or interest made the balance wrong (€1,400.00 shown while
  €1,480.58 was owed; $9,900.00 while $9,956.03 was owed);
- on a past day the account showed one balance and its aging another;
- message figures counted fees and interest already paid.

The case file's claim and contacts and the compensation are in `test_figures_claim.py`.
Runs on SQLite and PostgreSQL (the `book` fixture).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from recoup.cli.app import app as cli
from recoup.domain.money import Money
from recoup.services import accounts, daily_run, importing, reports
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.services.policy import use_policy_text
from recoup.services.templates import message_data
from recoup.settings import Settings
from recoup.store import run_repo
from recoup.web.app import create_app
from tests.figures_data import charge, customer, invoice, minor, payment, settle
from tests.test_web import add_user, log_in


def eur(amount: str) -> Money:
    return Money(minor(amount), "EUR")


def usd(amount: str) -> Money:
    return Money(minor(amount), "USD")


@pytest.fixture
def client(book: Book) -> Iterator[TestClient]:
    """The web UI on this book, logged in as a viewer (en_US: €1,480.58, $9,956.03)."""
    add_user(book, "vera")
    app = create_app(Settings(secret_key="test-secret-" + "x" * 32, locale="en_US"), book)
    with TestClient(app) as c:
        log_in(c, "vera")
        yield c


def cli_json(book: Book, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--db", book.url, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- the customer list: one figure per currency --------------------------------------


def test_the_customer_list_never_adds_currencies(book: Book, client: TestClient) -> None:
    with book.write() as conn:
        cid = customer(conn, "M1", "IE")
        invoice(conn, cid, "E-1", date(2026, 1, 5), date(2026, 2, 4), "EUR", minor("1500.00"))
        invoice(conn, cid, "G-1", date(2026, 1, 5), date(2026, 2, 4), "GBP", minor("300.00"))
    day = date(2026, 3, 1)
    [line] = accounts.list_customers(book, day).lines
    # two figures, one per currency: €1,500.00 and £300.00 (both past due on 1 March)
    assert [(f.balance, f.overdue) for f in line.figures] == [
        (Money(150000, "EUR"), Money(150000, "EUR")),
        (Money(30000, "GBP"), Money(30000, "GBP")),
    ]
    assert line.open_count == 2  # counts add up; money does not
    page = client.get(f"/customers?as_of={day}").text
    assert "€1,500.00" in page
    assert "£300.00" in page
    assert "1,800.00" not in page  # what the list showed: 1,500 + 300 under the € sign
    listed = accounts.list_customers(book, day).to_json()["customers"][0]
    assert listed["balances"] == [
        {"currency": "EUR", "balance": "1500.00", "overdue": "1500.00", "open_invoices": 1,
         "oldest_due": "2026-02-04"},
        {"currency": "GBP", "balance": "300.00", "overdue": "300.00", "open_invoices": 1,
         "oldest_due": "2026-02-04"},
    ]  # fmt: skip
    # the dashboard's totals: one block per currency, nothing added across them
    blocks = {c.currency: c.total for c in reports.aging(book, day).currencies}
    assert blocks == {"EUR": Money(150000, "EUR"), "GBP": Money(30000, "GBP")}


# --- a payment that paid fees and interest -------------------------------------------


def test_a_payment_that_paid_compensation_and_interest_leaves_the_right_balance(
    book: Book, client: TestClient
) -> None:
    """Invoice R-1 of €1,500.00; the run charged the €40.00 compensation and €40.58 of
    interest; then €100.00 came in. Costs, then interest, then the principal:
        100.00 - 40.00 (compensation) - 40.58 (interest) = 19.42 to R-1
        R-1 open: 1,500.00 - 19.42 = 1,480.58; charges open 0.00; nothing on account
        balance: 1,480.58 + 0.00 - 0.00 = €1,480.58
    (The old figure: open 1,480.58 less the 80.58 that paid the charges, taken for money
    on account: €1,400.00.)"""
    issued, due = date(2026, 1, 1), date(2026, 1, 31)
    with book.write() as conn:
        cid = customer(conn, "K1", "DE")
        invoice(conn, cid, "R-1", issued, due, "EUR", minor("1500.00"))
        comp = charge(conn, cid, "fee", "friendly:compensation", date(2026, 2, 10), "EUR",
                      minor("40.00"), ["R-1"], cycle=due)  # fmt: skip
        interest = charge(conn, cid, "interest", "firm", date(2026, 5, 1), "EUR",
                          minor("40.58"), ["R-1"], cycle=due)  # fmt: skip
        payment(conn, cid, "P-1", date(2026, 5, 10), "EUR", minor("100.00"))
        settle(conn, [cid])
    day = date(2026, 5, 15)
    acct = accounts.account(book, "K1", day)
    assert acct.balances == [eur("1480.58")]
    [r1] = acct.invoices
    assert r1.open == eur("1480.58")
    assert [(c.kind, c.amount, c.paid, c.open) for c in acct.charges] == [
        ("compensation", eur("40.00"), eur("40.00"), eur("0.00")),
        ("interest", eur("40.58"), eur("40.58"), eur("0.00")),
    ]
    with book.read() as conn:  # the store's own figures say the same
        paid = dict(conn.exec_driver_sql("SELECT id, paid_minor FROM actions").all())
        assert paid == {comp: 4000, interest: 4058}
    # every place shows the same figure
    page = client.get(f"/customers/K1?as_of={day}").text
    assert re.findall(r'data-figure="balance">([^<]+)<', page) == ["€1,480.58"]
    assert "€1,400.00" not in page
    charges = page.split('id="charge-table"', 1)[1].split("</table>", 1)[0]
    assert charges.count("€40.58") == 2  # charged and paid
    assert charges.count("€0.00") == 2  # nothing of either left open
    assert cli_json(book, "account", "K1", "--as-of", day.isoformat())["balance"][0] == {
        "currency": "EUR", "amount": "1480.58", "principal": "1480.58", "overdue": "1480.58",
        "charges": "0.00", "unapplied": "0.00", "disputed": "0.00",
    }  # fmt: skip
    [line] = accounts.list_customers(book, day).lines
    assert line.figures[0].balance == eur("1480.58")
    [block] = reports.aging(book, day).currencies
    assert (block.total, block.charges, block.unapplied) == (
        eur("1480.58"), eur("0.00"), eur("0.00")
    )  # fmt: skip
    # a message lists no fee or interest: they are paid
    with book.read() as conn:
        data, _contact = message_data(conn, cid, "EUR", day, Settings())
    assert (data.principal, data.interest, data.fees, data.total) == (
        eur("1480.58"), eur("0.00"), eur("0.00"), eur("1480.58")
    )  # fmt: skip


def test_a_payment_that_paid_interest_in_dollars(book: Book, client: TestClient) -> None:
    """Invoice of $10,000.00, $56.03 of interest charged, then $100.00 paid:
        100.00 - 56.03 (interest first) = 43.97 to the invoice
        open: 10,000.00 - 43.97 = $9,956.03, the balance
    (The old figure: 9,956.03 - 56.03 = $9,900.00.)"""
    with book.write() as conn:
        cid = customer(conn, "U1", "US")
        invoice(conn, cid, "U-1", date(2026, 1, 1), date(2026, 1, 31), "USD", minor("10000.00"))
        charge(conn, cid, "interest", "firm", date(2026, 4, 1), "USD", minor("56.03"), ["U-1"],
               cycle=date(2026, 1, 31))  # fmt: skip
        payment(conn, cid, "P-1", date(2026, 4, 10), "USD", minor("100.00"))
        settle(conn, [cid])
    day = date(2026, 4, 30)
    assert accounts.account(book, "U1", day).balances == [usd("9956.03")]
    page = client.get(f"/customers/U1?as_of={day}").text
    assert re.findall(r'data-figure="balance">([^<]+)<', page) == ["$9,956.03"]
    assert "$9,900.00" not in page
    listed = cli_json(book, "customers")["customers"][0]
    assert (listed["currency"], listed["balance"]) == ("USD", "9956.03")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


CONTRACTUAL = """name = "p"
[fees]
interest = "contractual"
rate_percent = "8"

[[stage]]
name = "friendly"
days_from_due = 10
tone = "friendly"
email = "overdue-friendly"
"""


def test_interest_the_run_charged_and_a_payment_paid(book: Book, tmp_path) -> None:
    """Through the daily run: €1,000.00 due on Monday 2 March 2026, contractual 8% a
    year. The friendly stage (10 days after the due date) charges
        1,000.00 x 8% x 10 / 365 = 2.1918 -> €2.19
    and a payment of €100.00 on 20 March pays the interest first:
        100.00 - 2.19 = 97.81 to the invoice; open 1,000.00 - 97.81 = €902.19."""
    due = date(2026, 3, 2)
    with book.write() as conn:
        cid = customer(conn, "C1", "DE")
        invoice(conn, cid, "R-1", due - timedelta(days=30), due, "EUR", minor("1000.00"))
        run_repo.enqueue(conn, [cid])
    use_policy_text(book, CONTRACTUAL)
    charged = []
    for n in range(13):
        charged += daily_run.run(book, due + timedelta(days=n)).actions
    [interest] = [a for a in charged if a["kind"] == "interest"]
    assert Decimal(interest["amount"]) == _cents(Decimal("1000.00") * Decimal("0.08") * 10 / 365)
    assert interest["amount"] == "2.19"
    day = date(2026, 3, 20)
    with book.read() as conn:
        before, _c = message_data(conn, cid, "EUR", day, Settings())
    assert (before.interest, before.total) == (eur("2.19"), eur("1002.19"))
    pay = tmp_path / "pay.csv"
    pay.write_text(f"customer,date,amount,currency,reference\nC1,{day},100.00,EUR,T1\n")
    assert importing.import_file(book, Kind.PAYMENTS, pay, Options()).ok
    acct = accounts.account(book, "C1", day)
    assert acct.balances == [eur("902.19")]
    assert acct.invoices[0].open == eur("902.19")
    with book.read() as conn:
        after, _c = message_data(conn, cid, "EUR", day, Settings())
    assert (after.interest, after.principal, after.total) == (
        eur("0.00"), eur("902.19"), eur("902.19")
    )  # fmt: skip


# --- a day in the past ------------------------------------------------------------------


def test_a_past_day_shows_one_balance_and_the_same_aging(book: Book, client: TestClient) -> None:
    """Invoice A of $100.00 due 31 January; a $10.00 fee charged on 10 February; $50.00
    paid on 20 February; $70.00 paid on 10 March.
    On 25 February (a day the book has moved past):
        the $50.00 pays the fee first (10.00), then 40.00 of A: A open 100.00 - 40.00 = 60.00
        balance 60.00 + 0.00 (fee paid) - 0.00 (on account) = $60.00; aging $60.00 in 1-30
    (The old page: 60.00 less the 10.00 that paid the fee, taken for money on account,
    = $50.00, beside an aging of $60.00.)
    On 31 March: the $70.00 pays A's last 60.00 and leaves 10.00 on account:
        balance 0.00 + 0.00 - 10.00 = -$10.00; aging: nothing open, $10.00 unapplied."""
    with book.write() as conn:
        cid = customer(conn, "P1", "US")
        invoice(conn, cid, "A", date(2026, 1, 1), date(2026, 1, 31), "USD", minor("100.00"))
        charge(conn, cid, "fee", "firm", date(2026, 2, 10), "USD", minor("10.00"),
               cycle=date(2026, 1, 31))  # fmt: skip
        payment(conn, cid, "P-1", date(2026, 2, 20), "USD", minor("50.00"))
        payment(conn, cid, "P-2", date(2026, 3, 10), "USD", minor("70.00"))
        settle(conn, [cid])
    then = date(2026, 2, 25)
    acct = accounts.account(book, "P1", then)
    assert acct.balances == [usd("60.00")]
    [aged] = acct.aging
    assert (aged.total, aged.charges, aged.unapplied) == (usd("60.00"), usd("0.00"), usd("0.00"))
    assert {b.label: b.amount for b in aged.buckets if b.count} == {"1-30": usd("60.00")}
    assert [p.date for p in acct.payments] == [date(2026, 2, 20)]  # P-2 came later
    [block] = reports.aging(book, then).currencies
    assert block.balance == usd("60.00")
    page = client.get(f"/customers/P1?as_of={then}").text
    assert re.findall(r'data-figure="balance">([^<]+)<', page) == ["$60.00"]
    assert "$60.00" in page.split('id="aging"', 1)[1].split("</section>", 1)[0]
    now = date(2026, 3, 31)
    acct = accounts.account(book, "P1", now)
    assert acct.balances == [usd("-10.00")]
    [block] = reports.aging(book, now).currencies
    assert (block.total, block.unapplied, block.balance) == (
        usd("0.00"), usd("10.00"), usd("-10.00")
    )  # fmt: skip
    assert accounts.list_customers(book, then).lines[0].figures[0].balance == usd("60.00")
    assert accounts.list_customers(book, now).lines[0].figures[0].balance == usd("-10.00")


def test_an_unpaid_fee_is_owed_everywhere(book: Book, client: TestClient) -> None:
    """Invoice F-1 of €100.00 and a €10.00 fee nobody paid:
    balance 100.00 + 10.00 = €110.00 on the account, the list and the dashboard."""
    with book.write() as conn:
        cid = customer(conn, "F1", "DE")
        invoice(conn, cid, "F-1", date(2026, 1, 1), date(2026, 1, 31), "EUR", minor("100.00"))
        charge(conn, cid, "fee", "firm", date(2026, 2, 20), "EUR", minor("10.00"), ["F-1"])
        settle(conn, [cid])
    day = date(2026, 3, 1)
    page = client.get(f"/customers/F1?as_of={day}").text
    assert re.findall(r'data-figure="balance">([^<]+)<', page) == ["€110.00"]
    parts = re.findall(r'data-figure="balance-parts">([^<]+)<', page)
    assert parts == ["invoices €100.00 + charges unpaid €10.00"]
    listed = client.get(f"/customers?as_of={day}").text
    assert '<span class="figure-line" data-currency="EUR">€110.00</span>' in listed
    dash = client.get(f"/?as_of={day}").text
    assert "€10.00 of fees and interest charged and not yet paid: €110.00 owed in all" in dash
    with book.read() as conn:
        data, _c = message_data(conn, cid, "EUR", day, Settings())
    assert (data.fees, data.total) == (eur("10.00"), eur("110.00"))
