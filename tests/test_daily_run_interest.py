"""The daily run charges interest (and statutory compensation) as actions, each with its
workings: contractual and statutory, worked out by hand here to the cent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from recoup.services import daily_run
from recoup.services.book import Book
from recoup.services.policy import use_policy_text
from recoup.store import ledger_repo, run_repo

STAGES = """
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

[[stage]]
name = "call"
days_from_due = 40
tone = "firm"
call = true
"""


def _book(book: Book, policy: str, due: date, amounts: list[str], country: str = "DE") -> None:
    with book.write() as conn:
        ledger_repo.insert_customers(conn, [("C1", "Kunde", country, "de", "Europe/Berlin", "")])
        cid = ledger_repo.customer_ids(conn)["C1"]
        rows = [
            (
                cid,
                f"R-{i}",
                due - timedelta(days=30),
                due,
                "EUR",
                int(Decimal(a) * 100),
                None,
                "",
                30,
            )
            for i, a in enumerate(amounts, start=1)
        ]
        ledger_repo.insert_plain_invoices(conn, rows)
        run_repo.enqueue(conn, [cid])
    use_policy_text(book, policy)


def _run(book: Book, start: date, days: int) -> list[dict]:
    out = []
    for n in range(days):
        out += daily_run.run(book, start + timedelta(days=n)).actions
    return out


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_contractual_interest_is_charged_in_increments_that_add_up(book: Book):
    policy = 'name = "p"\n[fees]\ninterest = "contractual"\nrate_percent = "8"\n' + STAGES
    due = date(2026, 3, 2)  # a Monday
    _book(book, policy, due, ["1000.00", "250.00"])
    actions = _run(book, due, 45)
    interest = [a for a in actions if a["kind"] == "interest"]
    emails = {a["stage"] for a in actions if a["kind"] == "email"}
    assert {a["stage"] for a in interest} == {"friendly", "firm"}  # charged with messages only
    by_stage = {a["stage"]: a for a in interest}
    days_on = {}
    with book.read() as conn:
        for stage, run_on in conn.exec_driver_sql(
            "SELECT stage, run_on FROM actions WHERE kind = 'interest'"
        ):
            days_on[stage] = run_on if isinstance(run_on, date) else date.fromisoformat(run_on)

    def accrued(to: date) -> Decimal:
        days = (to - due).days
        return sum(
            (_cents(Decimal(p) * Decimal("0.08") * days / 365) for p in ("1000.00", "250.00")),
            Decimal(0),
        )

    first = accrued(days_on["friendly"])
    assert Decimal(by_stage["friendly"]["amount"]) == first
    total = accrued(days_on["firm"])
    assert Decimal(by_stage["firm"]["amount"]) == total - first
    assert "8% a year" in by_stage["firm"]["reason"]
    assert "R-1:" in by_stage["firm"]["reason"]
    # running the same days again charges nothing more
    assert [a for a in _run(book, due, 45) if a["kind"] == "interest"] == []
    assert emails == {"friendly", "firm"}


def test_statutory_interest_and_compensation_in_germany(book: Book):
    """§ 288 BGB, business debt: base rate 2.27% in H1 2025 + 9 points = 11.27%; EUR 40
    compensation per late invoice (§ 288(5) BGB), charged once with the first message."""
    policy = (
        'name = "p"\njurisdiction = "DE"\n[fees]\ninterest = "statutory"\ncompensation = true\n'
        + STAGES
    )
    due = date(2025, 1, 6)  # a Monday
    _book(book, policy, due, ["1000.00"])
    actions = _run(book, due, 45)
    interest = {a["stage"]: a for a in actions if a["kind"] == "interest"}
    fees = [a for a in actions if a["kind"] == "fee"]
    with book.read() as conn:
        days_on = {
            s: (d if isinstance(d, date) else date.fromisoformat(d))
            for s, d in conn.exec_driver_sql(
                "SELECT stage, run_on FROM actions WHERE kind = 'interest'"
            )
        }

    def accrued(to: date) -> Decimal:
        return _cents(Decimal("1000.00") * Decimal("0.1127") * (to - due).days / 365)

    first = accrued(days_on["friendly"])
    assert Decimal(interest["friendly"]["amount"]) == first
    assert Decimal(interest["firm"]["amount"]) == accrued(days_on["firm"]) - first
    assert [(f["stage"], f["amount"]) for f in fees] == [("friendly:compensation", "40.00")]
    assert "statutory interest (DE" in interest["friendly"]["reason"]
