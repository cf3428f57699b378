"""Properties of the one definition of an account's figures, for random small books
(invoices, credit notes, payments, the run's fee, compensation and interest charges,
disputes, in two currencies) read on random days, on SQLite and PostgreSQL:

- the accounts' balances on a day add up to the aging of that day in each currency
  (open principal, money on account, open charges, and bucket by bucket);
- the customer list shows each account's figures per currency, sorted by them;
- the case file's claim is made of the account's state;
- the daily run's (and the worklist's) reading of the open invoices is the state's;
- on a day after everything, the store's own figures are the state's;
- the largest overdue accounts are the accounts' invoices past due.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoup.domain.money import Money
from recoup.services import accounts, casefile, reports
from recoup.services.account_state import read_states
from recoup.services.book import Book
from recoup.store import open_repo, point_in_time, run_repo
from tests.figures_data import (
    charge,
    customer,
    dispute,
    empty,
    invoice,
    payment,
    settle,
    stored_paid,
)

D0 = date(2026, 1, 1)
CURRENCIES = ("EUR", "GBP")
# what a charge is -> the action's kind and stage ({} takes the charge's number)
STAGES = {
    "fee": ("fee", "firm{}"),
    "compensation": ("fee", "firm{}:compensation"),
    "interest": ("interest", "firm{}"),
}

money = st.integers(1, 200_000)
day = st.integers(0, 120)
accounts_ = st.lists(
    st.fixed_dictionaries(
        {
            "invoices": st.lists(
                st.tuples(st.sampled_from(CURRENCIES), day, st.integers(0, 40), money),
                max_size=3,
            ),
            "notes": st.lists(
                st.tuples(st.sampled_from(CURRENCIES), day, money, st.integers(0, 3)),
                max_size=1,
            ),
            "payments": st.lists(
                st.tuples(st.sampled_from(CURRENCIES), day, money, st.integers(0, 4)),
                max_size=3,
            ),
            "charges": st.lists(
                st.tuples(
                    st.sampled_from(tuple(STAGES)),
                    st.sampled_from(CURRENCIES),
                    day,
                    st.integers(1, 5_000),
                ),
                max_size=2,
            ),
            "disputes": st.lists(
                st.tuples(st.integers(0, 2), money, day, st.none() | st.integers(1, 30)),
                max_size=1,
            ),
        }
    ),
    min_size=1,
    max_size=3,
)


def write(book: Book, drawn: list[dict[str, Any]]) -> list[int]:
    """The drawn book, written as imports and the daily run write it."""
    empty(book)
    ids = []
    with book.write() as conn:
        for n, acct in enumerate(drawn):
            cid = customer(conn, f"K{n}", "DE")
            ids.append(cid)
            numbers = []
            for i, (cur, issued, terms, amount) in enumerate(acct["invoices"]):
                number = f"I{n}-{i}"
                on = D0 + timedelta(days=issued)
                invoice(conn, cid, number, on, on + timedelta(days=terms), cur, amount)
                numbers.append(number)
            for i, (cur, issued, amount, names) in enumerate(acct["notes"]):
                on = D0 + timedelta(days=issued)
                named = numbers[names] if names < len(numbers) else None
                invoice(conn, cid, f"N{n}-{i}", on, on, cur, amount, credit_note=True,
                        applies_to=named)  # fmt: skip
            for i, (cur, on, amount, names) in enumerate(acct["payments"]):
                named = numbers[names] if names < len(numbers) else None
                payment(conn, cid, f"P{n}-{i}", D0 + timedelta(days=on), cur, amount, named)
            for i, (what, cur, on, amount) in enumerate(acct["charges"]):
                kind, stage = STAGES[what]
                charge(conn, cid, kind, stage.format(i), D0 + timedelta(days=on), cur, amount,
                       numbers[:1], cycle=D0)  # fmt: skip
            for which, amount, opened, lasted in acct["disputes"]:
                if which < len(numbers):
                    start = D0 + timedelta(days=opened)
                    end = None if lasted is None else start + timedelta(days=lasted)
                    dispute(conn, cid, numbers[which], amount, start, end)
        settle(conn, None)
    return ids


def _sum(into: dict[tuple[str, str], int], currency: str, what: str, m: Money) -> None:
    into[(currency, what)] += m.minor


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=accounts_, when=st.integers(-5, 160))
def test_balances_add_up_to_the_aging_and_every_reading_agrees(
    book: Book, drawn: list[dict[str, Any]], when: int
) -> None:
    ids = write(book, drawn)
    on = D0 + timedelta(days=when)
    with book.read() as conn:
        states = read_states(conn, ids, on)
        past = point_in_time.moved_past(conn, on)
        loaded = {d.id: d for d in run_repo.load(conn, ids, on, past=past)}
    # 1. the accounts add up to the aging, per currency (and bucket by bucket)
    added: dict[tuple[str, str], int] = defaultdict(int)
    for state in states.values():
        for cs in state.currencies:
            for what, m in (
                ("principal", cs.principal), ("unapplied", cs.unapplied),
                ("charges", cs.charges_open()), ("balance", cs.balance),
            ):  # fmt: skip
                _sum(added, cs.currency, what, m)
        for block in reports.state_aging(state):
            for b in block.buckets:
                _sum(added, block.currency, b.label, b.amount)
    aged: dict[tuple[str, str], int] = defaultdict(int)
    for block in reports.aging(book, on).currencies:
        for what, m in (
            ("principal", block.total), ("unapplied", block.unapplied),
            ("charges", block.charges), ("balance", block.balance),
        ):  # fmt: skip
            _sum(aged, block.currency, what, m)
        for b in block.buckets:
            _sum(aged, block.currency, b.label, b.amount)
    assert {k: v for k, v in added.items() if v} == {k: v for k, v in aged.items() if v}
    # 2. the customer list: each account's own figures, one per currency
    page = accounts.list_customers(book, on, sort="balance", per_page=500)
    by_key = {line.key: line for line in page.lines}
    for n, cid in enumerate(ids):
        state = states[cid]
        line = by_key[f"K{n}"]
        assert line.figures == accounts.listed_figures(state)
        for f in line.figures:
            cs = state.of(f.currency)
            assert cs is not None
            assert (f.balance, f.overdue) == (cs.balance, cs.overdue)
    # the list sorts by the store's figures (report_repo): exact unless the book moved
    # past the day or a charge came after it
    later = any(c[2] > when for acct in drawn for c in acct["charges"])
    if not past and not later:
        seen = [(line.currency, line.balance_minor) for line in page.lines if line.currency]
        for cur in CURRENCIES:
            mine = [b for c, b in seen if c == cur]
            assert mine == sorted(mine)
    # 3. the daily run's (and the worklist's) reading of what is open
    for cid in ids:
        read = sorted((n, due, cur, m) for n, due, cur, m in loaded[cid].invoices)
        state_open = sorted(
            (i.number, i.due_date, cs.currency, i.open.minor)
            for cs in states[cid].currencies
            for i in cs.open_invoices
        )
        assert read == state_open
    # 4. the case file's claim is made of the account's state
    made = casefile.build(book, "K0", on)
    first = states[ids[0]]
    for t in made.totals:
        cs = first.of(t.currency)
        if cs is None:
            assert t.claim.minor == 0
            continue
        assert (t.balance, t.overdue, t.charges, t.on_account) == (
            cs.balance, cs.overdue, cs.charges_open(), cs.unapplied
        )  # fmt: skip
        owed = t.overdue + t.charges + t.interest + t.compensation - t.on_account
        assert t.claim == (owed if owed.minor > 0 else Money.zero(t.currency))
        lines = sum((line.amount for line in t.lines), Money.zero(t.currency))
        assert t.claim == (lines if lines.minor > 0 else Money.zero(t.currency))
    # 6. the largest overdue accounts are the accounts' invoices past due on the day
    late = []
    for n, cid in enumerate(ids):
        for cs in states[cid].currencies:
            due = [i for i in cs.open_invoices if i.due_date < on]
            if due:
                total = sum(i.open.minor for i in due)
                late.append((f"K{n}", cs.currency, total, len(due), min(i.due_date for i in due)))
    late.sort(key=lambda r: (-r[2], r[0], r[1]))
    top = reports.top_overdue(book, on, 5)
    assert [
        (t.customer, t.overdue.currency, t.overdue.minor, t.count, t.oldest_due) for t in top
    ] == late[:5]
    assert all(type(t.count) is int for t in top)
    with book.read() as conn:  # what is open, kept as the invoices were written
        assert open_repo.kept(conn) == open_repo.from_invoices(conn)
    # 5. after everything, the store's own figures are the state's
    with book.read() as conn:
        paid, charges_paid = stored_paid(conn)
        final = read_states(conn, ids, D0 + timedelta(days=400))
    for state in final.values():
        for cs in state.currencies:
            for i in cs.invoices:
                assert paid[i.number] == i.paid.minor
            for c in cs.charges:
                assert charges_paid[int(c.charge.key[2:])] == c.paid.minor
