"""Property tests of the daily run through the store: random books, contact histories,
holds and plans, run day after day (with missed days) on a real SQLite book.

- No recorded contact breaks the minimum gap, the weekly cap, the allowed weekdays, the
  debtor's public holidays or a hold in force (a promise, a dispute, a cease-contact
  request, a placement with an agency), counting contacts made by hand.
- Running every date twice records exactly what running it once does.

The quiet hours are a rule of the moment of sending: the run decides days, and delivery
(`recoup dispatch`) keeps the hours; `tests/test_contact_rules.py` covers them.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.contact_rules import promise_hold
from recoup.domain.local_calendar import holiday_calendar
from recoup.domain.policy import Policy, validate_policy
from recoup.policy.writer import to_toml
from recoup.services import daily_run
from recoup.services.book import Book
from recoup.services.casework import agency, calls, disputes, holds, promises
from recoup.services.policy import use_policy_text
from recoup.store import ledger_repo, run_repo
from tests.test_collection_properties import policies

START = date(2026, 9, 1)
DAYS = 30
COUNTRIES = ["GB", "DE", "FR", "US", ""]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"]


@st.composite
def books(draw):
    customers = []
    for c in range(draw(st.integers(1, 4))):
        invoices = [
            (f"C{c}-I{i}", draw(st.integers(-90, 20)), draw(st.integers(100, 10**6)))
            for i in range(draw(st.integers(1, 3)))
        ]
        hold = draw(st.sampled_from([None, "promise", "dispute", "cease", "agency"]))
        hold_day = draw(st.integers(0, DAYS // 2))
        calls_on = sorted(draw(st.sets(st.integers(0, DAYS - 1), max_size=2)))
        customers.append(
            {
                "key": f"C{c}",
                "country": draw(st.sampled_from(COUNTRIES)),
                "zone": draw(st.sampled_from(ZONES)),
                "invoices": invoices,
                "hold": hold,
                "hold_day": hold_day,
                "promise_days": draw(st.integers(0, 10)),
                "calls": calls_on,
            }
        )
    missed = draw(st.sets(st.integers(1, DAYS - 1), max_size=8))
    return customers, missed


def _make(path: Path, customers: list[dict], policy: Policy) -> Book:
    book = Book.create(str(path))
    with book.write() as conn:
        ledger_repo.insert_customers(
            conn, [(c["key"], c["key"], c["country"], "en", c["zone"], "") for c in customers]
        )
        ids = ledger_repo.customer_ids(conn)
        rows = []
        for c in customers:
            for number, due, amount in c["invoices"]:
                due_on = START + timedelta(days=due)
                rows.append(
                    (ids[c["key"]], number, due_on - timedelta(days=30), due_on, "EUR", amount,
                     None, "", 30)
                )  # fmt: skip
        ledger_repo.insert_plain_invoices(conn, rows)
        run_repo.enqueue(conn, ids.values())  # as an import does: the next run looks
    use_policy_text(book, to_toml(policy))
    return book


def _day_events(book: Book, customers: list[dict], day: date) -> None:
    """What people do by hand on `day`, before the run: holds and calls."""
    offset = (day - START).days
    for c in customers:
        if c["hold"] and c["hold_day"] == offset:
            if c["hold"] == "promise":
                promises.add_promise(
                    book, c["key"], "1.00", day + timedelta(days=c["promise_days"]),
                    actor="anna", on=day, currency="EUR",
                )  # fmt: skip
            elif c["hold"] == "dispute":
                disputes.open_dispute(
                    book, c["key"], c["invoices"][0][0], "quality", actor="anna", on=day
                )
            elif c["hold"] == "cease":
                holds.set_flag(book, c["key"], "cease_contact", actor="anna", on=day)
            else:
                agency.place(book, c["key"], "Acme Recoveries", actor="anna", on=day)
        if offset in c["calls"]:
            # a call by hand; it may break a rule, so it carries an override reason
            # (absolute holds refuse it even so: then it did not happen)
            with contextlib.suppress(CaseworkError):  # refused: the call is not made
                calls.record_call(
                    book,
                    c["key"],
                    outcome="no_answer",
                    actor="anna",
                    on=day,
                    override_reason="the customer asked us to call today",
                )


def _run_days(book: Book, customers: list[dict], missed: set[int], twice: bool) -> None:
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        _day_events(book, customers, day)
        if offset in missed:
            continue  # the machine was off: the next run catches up
        daily_run.run(book, day)
        if twice:
            assert daily_run.run(book, day).actions == []


def _actions(book: Book) -> list[tuple[str, ...]]:
    with book.read() as conn:
        rows = conn.execute(
            text(
                "SELECT c.key, a.currency, a.cycle_start, a.run_on, a.kind, a.stage, "
                "a.invoices, a.amount_minor FROM actions a JOIN customers c "
                "ON c.id = a.customer_id"
            )
        )
        return sorted(tuple(map(str, r)) for r in rows)


def _contacts(book: Book) -> tuple[dict[str, list[date]], dict[str, list[date]]]:
    """Per customer: the days the run contacted them, and the days of calls by hand."""
    auto: dict[str, list[date]] = defaultdict(list)
    manual: dict[str, list[date]] = defaultdict(list)
    with book.read() as conn:
        for key, day in conn.execute(
            text(
                "SELECT DISTINCT c.key, a.run_on FROM actions a JOIN customers c "
                "ON c.id = a.customer_id WHERE a.kind IN ('email', 'letter', 'call') "
                "AND a.stage NOT LIKE 'notice:%'"
            )
        ):
            auto[key].append(day if isinstance(day, date) else date.fromisoformat(day))
        for key, day in conn.execute(
            text(
                "SELECT c.key, m.day FROM manual_contacts m JOIN customers c "
                "ON c.id = m.customer_id WHERE m.kind = 'call'"
            )
        ):
            manual[key].append(day if isinstance(day, date) else date.fromisoformat(day))
    return auto, manual


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(books(), policies().filter(lambda p: not validate_policy(p)))
def test_the_run_keeps_every_rule_and_a_second_run_adds_nothing(book_spec, policy):
    customers, missed = book_spec
    with TemporaryDirectory() as tmp:
        twice = _make(Path(tmp) / "twice.db", customers, policy)
        once = _make(Path(tmp) / "once.db", customers, policy)
        _run_days(twice, customers, missed, twice=True)
        _run_days(once, customers, missed, twice=False)
        assert _actions(twice) == _actions(once)
        auto, manual = _contacts(twice)
        held = {
            (key, day): holds.holds_of(twice, key, day)
            for key, days in auto.items()
            for day in days
        }
        twice.close()
        once.close()
    rules = policy.contact
    for c in customers:
        days = sorted(set(auto.get(c["key"], [])))
        calendar = holiday_calendar(c["country"])
        for day in days:
            assert day.weekday() in rules.weekday_numbers, (c, day)
            if rules.skip_holidays:
                assert calendar.holiday(day) is None, (c, day)
            # no hold was in force on a day the run made contact (the casework's own
            # reading of promises, plans, disputes, flags and placements) ...
            assert held[(c["key"], day)] == [], (c, day)
            if c["hold"]:
                start = START + timedelta(days=c["hold_day"])
                if c["hold"] == "promise":
                    # ... and, read independently: the promise holds from the day it was
                    # made up to its date plus (at least) the default grace days
                    end = promise_hold(start + timedelta(days=c["promise_days"])).until
                    assert end is not None
                    assert not start <= day <= end, (c, day, "promise")
                else:  # dispute, cease contact, agency: until resolved, lifted, recalled
                    assert day < start, (c, day, c["hold"])
        by_hand = manual.get(c["key"], [])
        every = sorted(days + by_hand)
        # each contact the run made kept the gap from every contact before it (a call by
        # hand made later may have broken it with an override: that is not the run's)
        for day in days:
            before = [d for d in days if d < day] + [d for d in by_hand if d <= day]
            for earlier in before:
                assert (day - earlier).days >= rules.min_gap_days, (c, earlier, day)
            window = [d for d in every if day - timedelta(days=6) <= d <= day]
            assert len(window) <= rules.max_per_7_days, (c, day, window)
