"""Applying payments and credit notes to invoices.

The rule, one customer and one currency at a time, in date order:

1. On each day, the invoices issued that day become open first, then that day's
   credits (payments and credit notes) are applied, in order of their key.
2. A credit that names an invoice goes to that invoice first, up to what it still owes;
   if the named invoice is not issued yet, the credit waits for it.
3. What remains goes to the open invoices oldest first: earliest due date, then
   earliest issue date, then invoice number.
4. What still remains is unapplied (on account) and is used, oldest credit first, for
   invoices issued later.

An allocation is dated the day it happened: the later of the credit's date and the
invoice's issue date. No cent is lost or invented: every credit's amount equals its
allocations plus its unapplied rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from recoup.domain.ledger import Credit, Invoice
from recoup.domain.money import Money


@dataclass(frozen=True, slots=True)
class Allocation:
    credit: str  # Credit.key
    invoice: str  # Invoice.number
    amount: Money
    date: date


@dataclass(frozen=True, slots=True)
class AllocationResult:
    allocations: tuple[Allocation, ...]
    unapplied: dict[str, Money]  # credit key -> amount not applied to any invoice

    def paid_by_invoice(self) -> dict[str, int]:
        """Minor units applied to each invoice number."""
        totals: dict[str, int] = defaultdict(int)
        for a in self.allocations:
            totals[a.invoice] += a.amount.minor
        return dict(totals)


def _oldest_key(inv: Invoice) -> tuple[date, date, str]:
    return (inv.due_date, inv.issue_date, inv.number)


def allocate(invoices: Iterable[Invoice], credits: Iterable[Credit]) -> AllocationResult:
    """Apply `credits` to `invoices` by the rule above. Inputs may be in any order."""
    by_currency_inv: dict[str, list[Invoice]] = defaultdict(list)
    by_currency_cr: dict[str, list[Credit]] = defaultdict(list)
    for inv in invoices:
        by_currency_inv[inv.amount.currency].append(inv)
    for cr in credits:
        by_currency_cr[cr.amount.currency].append(cr)
    allocations: list[Allocation] = []
    unapplied: dict[str, Money] = {}
    for currency in sorted(set(by_currency_inv) | set(by_currency_cr)):
        _allocate_one_currency(
            currency, by_currency_inv[currency], by_currency_cr[currency], allocations, unapplied
        )
    return AllocationResult(tuple(allocations), unapplied)


def _allocate_one_currency(
    currency: str,
    invoices: list[Invoice],
    credits: list[Credit],
    out: list[Allocation],
    unapplied: dict[str, Money],
) -> None:
    remaining_inv: dict[str, int] = {inv.number: inv.amount.minor for inv in invoices}
    by_number = {inv.number: inv for inv in invoices}
    issued_on: dict[date, list[Invoice]] = defaultdict(list)
    for inv in invoices:
        issued_on[inv.issue_date].append(inv)
    credit_on: dict[date, list[Credit]] = defaultdict(list)
    for cr in credits:
        credit_on[cr.date].append(cr)
    open_invoices: list[Invoice] = []  # issued, still owing, kept oldest first
    waiting: list[tuple[Credit, int]] = []  # credits with an unapplied rest, oldest first

    def apply(cr: Credit, rest: int, day: date, targets: list[Invoice]) -> int:
        for inv in targets:
            if rest == 0:
                break
            owed = remaining_inv[inv.number]
            if owed <= 0:
                continue
            part = min(owed, rest)
            remaining_inv[inv.number] = owed - part
            rest -= part
            out.append(Allocation(cr.key, inv.number, Money(part, currency), day))
        return rest

    for day in sorted(set(issued_on) | set(credit_on)):
        new = issued_on.get(day, [])
        if new:
            open_invoices.extend(new)
            open_invoices.sort(key=_oldest_key)
        # credits that were waiting: first for their own named invoice, then oldest first
        still_waiting: list[tuple[Credit, int]] = []
        for cr, rest in waiting:
            named = by_number.get(cr.invoice) if cr.invoice else None
            if named is not None and named.issue_date <= day:
                rest = apply(cr, rest, day, [named])
            if not (named is not None and named.issue_date > day):
                rest = apply(cr, rest, day, open_invoices)
            if rest:
                still_waiting.append((cr, rest))
        waiting = still_waiting
        for cr in sorted(credit_on.get(day, []), key=lambda c: c.key):
            rest = cr.amount.minor
            named = by_number.get(cr.invoice) if cr.invoice else None
            if named is not None and named.issue_date <= day:
                rest = apply(cr, rest, day, [named])
            if named is None or named.issue_date <= day:
                rest = apply(cr, rest, day, open_invoices)
            if rest:
                waiting.append((cr, rest))
        open_invoices = [inv for inv in open_invoices if remaining_inv[inv.number] > 0]
    for cr, rest in waiting:
        unapplied[cr.key] = Money(rest, currency)
