"""Aging and DSO reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.account_state import AccountState
from recoup.domain.aging import DEFAULT_BUCKETS, Bucket, bucket_index, days_past_due
from recoup.domain.dates import month_periods_back
from recoup.domain.dso import SalesPeriod, countback_dso, standard_dso
from recoup.domain.money import Money
from recoup.services import account_state
from recoup.services.book import Book
from recoup.store import ledger_repo, report_repo
from recoup.store.report_repo import DueRow


@dataclass(frozen=True)
class BucketLine:
    label: str
    amount: Money
    count: int


@dataclass(frozen=True)
class CurrencyAging:
    currency: str
    buckets: tuple[BucketLine, ...]
    total: Money  # open principal
    overdue: Money
    unapplied: Money  # payments and credit notes not applied (to invoices or charges)
    charges: Money  # fees, compensation and interest charged and not paid

    @property
    def balance(self) -> Money:
        """What is owed: the open principal and charges less money on account (the
        accounts' balances add up to this)."""
        return self.total + self.charges - self.unapplied

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "buckets": [
                {"label": b.label, "amount": b.amount.to_json(), "count": b.count}
                for b in self.buckets
            ],
            "total": self.total.to_json(),
            "overdue": self.overdue.to_json(),
            "unapplied": self.unapplied.to_json(),
            "charges": self.charges.to_json(),
            "balance": self.balance.to_json(),
        }


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    currencies: tuple[CurrencyAging, ...]

    def to_json(self) -> dict[str, Any]:
        if len(self.currencies) == 1:
            return {"as_of": self.as_of.isoformat(), **self.currencies[0].to_json()}
        return {
            "as_of": self.as_of.isoformat(),
            "by_currency": [c.to_json() for c in self.currencies],
        }


def aging(
    book: Book,
    as_of: date,
    buckets: Sequence[Bucket] = DEFAULT_BUCKETS,
    customer: str | None = None,
    with_unapplied: bool = True,
) -> AgingReport:
    """Open invoices at `as_of` by days past due, one block per currency, with the money
    on account and the open charges (each account's balance adds up to the block's).

    The invoices and the money on account are added up by the database; the few
    customers with fee or interest charges are read account by account
    (`services.account_state`: what their payments paid of the charges is worked out
    there). With no open invoice at all, the book's first currency (or USD for an empty
    book) is shown with zero totals; for one customer with nothing open there are no
    blocks."""
    with book.read() as conn:
        return _aging_in(conn, as_of, buckets, customer, with_unapplied)[0]


def aging_and_due(book: Book, as_of: date) -> tuple[AgingReport, list[DueRow]]:
    """The whole book's aging and the open invoices per currency and due date it is
    made of, in one reading: a page that shows the DSO too gives them to `dso`."""
    with book.read() as conn:
        return _aging_in(conn, as_of, DEFAULT_BUCKETS, None, True)


def _aging_in(
    conn: Connection,
    as_of: date,
    buckets: Sequence[Bucket],
    customer: str | None,
    with_unapplied: bool,
) -> tuple[AgingReport, list[DueRow]]:
    cid = None
    if customer is not None:
        row = ledger_repo.get_customer(conn, customer)
        cid = row["id"] if row else -1
    rows = report_repo.open_by_due_date(conn, as_of, cid)
    unapplied: dict[str, int] = {}
    charges: dict[str, int] = {}
    if with_unapplied:
        charged = ledger_repo.customers_charged(conn, as_of)
        if cid is None:
            unapplied = report_repo.unapplied_credit(conn, as_of)
            if charged:  # their money on account is worked out with their charges
                _less(unapplied, report_repo.unapplied_credit(conn, as_of, sorted(charged)))
        elif cid in charged:
            charged = {cid}
        else:
            unapplied = report_repo.unapplied_credit(conn, as_of, [cid])
            charged = set()
        for state in account_state.read_states(conn, sorted(charged), as_of).values():
            for cs in state.currencies:
                _add(unapplied, cs.currency, cs.unapplied.minor)
                _add(charges, cs.currency, cs.charges_open().minor)
    unapplied = {c: m for c, m in unapplied.items() if m}
    charges = {c: m for c, m in charges.items() if m}
    known = report_repo.currencies(conn) if not rows and not unapplied else []
    amounts: dict[str, list[int]] = {}
    counts: dict[str, list[int]] = {}
    for r in rows:
        i = bucket_index(buckets, days_past_due(r.due_date, as_of))
        amounts.setdefault(r.currency, [0] * len(buckets))[i] += r.amount_minor
        counts.setdefault(r.currency, [0] * len(buckets))[i] += r.count
    currencies = sorted({r.currency for r in rows} | set(unapplied) | set(charges))
    if not currencies and customer is None:
        currencies = known[:1] or ["USD"]  # an empty book still shows its (zero) aging
    out = [
        _block(cur, buckets, amounts, counts, unapplied.get(cur, 0), charges.get(cur, 0))
        for cur in currencies
    ]
    return AgingReport(as_of, tuple(out)), rows


def _add(into: dict[str, int], currency: str, minor: int) -> None:
    into[currency] = into.get(currency, 0) + minor


def _less(into: dict[str, int], less: dict[str, int]) -> None:
    for currency, minor in less.items():
        _add(into, currency, -minor)


def _block(
    cur: str,
    buckets: Sequence[Bucket],
    amounts: dict[str, list[int]],
    counts: dict[str, list[int]],
    unapplied: int,
    charges: int,
) -> CurrencyAging:
    cur_amounts = amounts.get(cur, [0] * len(buckets))
    cur_counts = counts.get(cur, [0] * len(buckets))
    lines = tuple(
        BucketLine(b.label, Money(cur_amounts[i], cur), cur_counts[i])
        for i, b in enumerate(buckets)
    )
    overdue = sum(cur_amounts[i] for i, b in enumerate(buckets) if b.low is not None and b.low > 0)
    return CurrencyAging(
        cur,
        lines,
        Money(sum(cur_amounts), cur),
        Money(overdue, cur),
        Money(unapplied, cur),
        Money(charges, cur),
    )


def state_aging(
    state: AccountState, buckets: Sequence[Bucket] = DEFAULT_BUCKETS
) -> tuple[CurrencyAging, ...]:
    """One account's aging, from its state: a block per currency with open invoices."""
    out = []
    for cs in state.currencies:
        amounts = [0] * len(buckets)
        counts = [0] * len(buckets)
        for inv in cs.invoices:
            if inv.open.minor > 0:
                i = bucket_index(buckets, inv.days_past_due(state.as_of))
                amounts[i] += inv.open.minor
                counts[i] += 1
        if any(counts):
            out.append(
                _block(
                    cs.currency,
                    buckets,
                    {cs.currency: amounts},
                    {cs.currency: counts},
                    cs.unapplied.minor,
                    cs.charges_open().minor,
                )
            )
    return tuple(out)


@dataclass(frozen=True)
class CurrencyDso:
    currency: str
    dso: Decimal | None
    countback_dso: Decimal | None
    receivable: Money
    credit_sales: Money

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "dso": None if self.dso is None else str(self.dso),
            "countback_dso": None if self.countback_dso is None else str(self.countback_dso),
            "receivable": self.receivable.to_json(),
            "credit_sales": self.credit_sales.to_json(),
        }


@dataclass(frozen=True)
class DsoReport:
    as_of: date
    window_days: int
    currencies: tuple[CurrencyDso, ...]

    def to_json(self) -> dict[str, Any]:
        head = {"as_of": self.as_of.isoformat(), "window": self.window_days}
        if len(self.currencies) == 1:
            return {**head, **self.currencies[0].to_json()}
        return {**head, "by_currency": [c.to_json() for c in self.currencies]}


COUNTBACK_MONTHS = 36


def dso(
    book: Book, as_of: date, window_days: int = 90, due: Sequence[DueRow] | None = None
) -> DsoReport:
    """Standard DSO over `window_days` and countback DSO (calendar months, up to 3 years).

    The receivable is the gross amount of invoices open at `as_of`; credit sales are
    the invoices issued in the window less credit notes issued in it. `due`: the
    open invoices per currency and due date at `as_of`, when already read
    (`aging_and_due`).
    """
    if window_days <= 0:
        raise ValueError("the window must be at least one day")
    periods = month_periods_back(as_of, COUNTBACK_MONTHS)
    earliest = min(as_of - timedelta(days=window_days - 1), periods[-1][0])
    with book.read() as conn:
        rows = list(due) if due is not None else report_repo.open_by_due_date(conn, as_of)
        sales = report_repo.sales_by_day(conn, earliest, as_of)
        known = report_repo.currencies(conn) if not rows and not sales else []
    receivable: dict[str, int] = {}
    for r in rows:
        receivable[r.currency] = receivable.get(r.currency, 0) + r.amount_minor
    window_start = as_of - timedelta(days=window_days - 1)
    currencies = sorted(set(receivable) | {c for c, _, _ in sales}) or known[:1] or ["USD"]
    out = []
    for cur in currencies:
        in_window = sum(a for c, d, a in sales if c == cur and d >= window_start)
        per_period = [
            SalesPeriod(start, end, sum(a for c, d, a in sales if c == cur and start <= d <= end))
            for start, end in periods
        ]
        rec = receivable.get(cur, 0)
        out.append(
            CurrencyDso(
                cur,
                standard_dso(rec, in_window, window_days),
                countback_dso(rec, per_period),
                Money(rec, cur),
                Money(in_window, cur),
            )
        )
    return DsoReport(as_of, window_days, tuple(out))


@dataclass(frozen=True)
class OverdueAccount:
    customer: str
    name: str
    overdue: Money
    count: int
    oldest_due: date
    days_past_due: int

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "name": self.name,
            "currency": self.overdue.currency,
            "overdue": self.overdue.to_json(),
            "invoices": self.count,
            "oldest_due": self.oldest_due.isoformat(),
            "days_past_due": self.days_past_due,
        }


def top_overdue(book: Book, as_of: date, limit: int = 10) -> list[OverdueAccount]:
    """The accounts with the largest amounts past due at `as_of`."""
    with book.read() as conn:
        rows = report_repo.top_overdue(conn, as_of, limit)
    return [
        OverdueAccount(
            r["key"],
            r["name"],
            Money(int(r["overdue"]), r["currency"]),
            int(r["n"]),
            r["oldest_due"],
            (as_of - r["oldest_due"]).days,
        )
        for r in rows
    ]
