"""Re-apply payments and credit notes to invoices for some customers, and store the result.

The rule is the domain's (`recoup.domain.account_state.settle`: the charges, then
`recoup.domain.allocation`; an account's state on a day settles the same way); this
module reads the ledger, runs it per customer and writes the allocations, what each
charge was paid and each invoice's derived fields (status, open amount, first payment
date, settled date).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from recoup.domain.account_state import settle
from recoup.domain.charges import Charge
from recoup.domain.ledger import Credit, CreditKind, DocKind, Invoice
from recoup.domain.money import Money
from recoup.domain.policy import Part
from recoup.services.policy import application_order
from recoup.store import ledger_repo
from recoup.store.ledger_repo import InvoiceRow, PaymentRow


def recompute(conn: Connection, customer_ids: Collection[int] | None) -> None:
    """Recompute allocations for `customer_ids` (None: every customer).

    Where the run has charged fees or interest, payments pay them in the plan's order
    (`recoup.domain.charges`; § 367 BGB: costs, interest, then the principal)."""
    ids = None if customer_ids is None else sorted(customer_ids)
    if ids is not None and not ids:
        return
    inv_rows, pay_rows = ledger_repo.load_for_allocation(conn, ids)
    charges_by: dict[int, list[Charge]] = defaultdict(list)
    order: tuple[Part, ...] = ()
    charge_rows = ledger_repo.charges_of(conn, ids)
    if charge_rows:
        order = application_order(conn)
        for action_id, cid, kind, on, currency, minor in charge_rows:
            part = Part.INTEREST if kind == "interest" else Part.COSTS
            charges_by[cid].append(Charge(f"a:{action_id}", part, on, Money(minor, currency)))
    invoices_by: dict[int, list[InvoiceRow]] = defaultdict(list)
    payments_by: dict[int, list[PaymentRow]] = defaultdict(list)
    for inv in inv_rows:
        invoices_by[inv.customer_id].append(inv)
    for pay in pay_rows:
        payments_by[pay.customer_id].append(pay)
    rows: list[tuple[int, int | None, int | None, date, int]] = []
    derived: list[tuple[int, str, int, date | None, date | None, date | None]] = []
    applied: list[tuple[int, int, date | None]] = []
    charges_paid: list[tuple[int, int]] = []
    for cid in set(invoices_by) | set(payments_by):
        _one_customer(
            invoices_by[cid],
            payments_by[cid],
            rows,
            derived,
            applied,
            charges_by.get(cid, []),
            order,
            charges_paid,
        )
    # what the last allocation stored and this one derives alike is not written again
    # (a statement paying one invoice of a customer with forty leaves 39 rows as they are)
    stored = {r.id: r.stored() for r in inv_rows}
    derived = [d for d in derived if stored.get(d[0]) != d]
    was = {p.id: (p.id, p.applied_minor, p.applied_on) for p in pay_rows}
    applied = [a for a in applied if was.get(a[0]) != a]
    ledger_repo.replace_allocations(
        conn, [r.id for r in inv_rows], rows, derived, applied, everyone=ids is None
    )
    ledger_repo.set_charges_paid(conn, charges_paid)


def _one_customer(
    inv_rows: list[InvoiceRow],
    pay_rows: list[PaymentRow],
    rows: list[tuple[int, int | None, int | None, date, int]],
    derived: list[tuple[int, str, int, date | None, date | None, date | None]],
    payments_applied: list[tuple[int, int, date | None]],
    charges: list[Charge] | None = None,
    order: tuple[Part, ...] = (),
    charges_paid: list[tuple[int, int]] | None = None,
) -> None:
    invoices: list[Invoice] = []
    credits: list[Credit] = []
    inv_id: dict[str, int] = {}
    for r in inv_rows:
        money = Money(r.amount_minor, r.currency)
        if r.kind == DocKind.CREDIT_NOTE:
            if r.amount_minor > 0:
                credits.append(
                    Credit(
                        f"c:{r.id}", "", r.issue_date, money, CreditKind.CREDIT_NOTE, r.applies_to
                    )
                )
        else:
            invoices.append(Invoice(r.number, "", r.issue_date, r.due_date, money))
            inv_id[r.number] = r.id
    for p in pay_rows:
        credits.append(
            Credit(
                f"p:{p.id}",
                "",
                p.date,
                Money(p.amount_minor, p.currency),
                CreditKind.PAYMENT,
                p.invoice_number,
            )
        )
    if not credits:
        for r in inv_rows:
            if r.kind == DocKind.CREDIT_NOTE:
                derived.append((r.id, "credit", 0, None, None, None))
            else:
                status = "open" if r.amount_minor else "paid"
                settled = None if r.amount_minor else r.issue_date
                derived.append((r.id, status, 0, None, None, settled))
        return
    outcome = settle(invoices, credits, charges or [], order)
    taken = outcome.charges_paid
    if charges and charges_paid is not None:
        per_charge: dict[str, int] = defaultdict(int)
        for t in taken:
            per_charge[t.charge] += t.amount.minor
        charges_paid.extend(
            (int(c.key.partition(":")[2]), per_charge.get(c.key, 0)) for c in charges
        )
    paid: dict[str, int] = defaultdict(int)
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    used: dict[str, int] = defaultdict(int)  # by credit key
    used_last: dict[str, date] = {}
    for t in taken:  # what payments paid of fees and interest counts as applied
        used[t.credit] += t.amount.minor
        used_last[t.credit] = max(used_last.get(t.credit, t.on), t.on)
    for a in outcome.allocations:
        used[a.credit] += a.amount.minor
        used_last[a.credit] = max(used_last.get(a.credit, a.date), a.date)
        kind, _, ident = a.credit.partition(":")
        rows.append(
            (
                inv_id[a.invoice],
                int(ident) if kind == "p" else None,
                int(ident) if kind == "c" else None,
                a.date,
                a.amount.minor,
            )
        )
        paid[a.invoice] += a.amount.minor
        first[a.invoice] = min(first.get(a.invoice, a.date), a.date)
        last[a.invoice] = max(last.get(a.invoice, a.date), a.date)
    for r in inv_rows:
        if r.kind == DocKind.CREDIT_NOTE:
            key = f"c:{r.id}"
            done = used.get(key, 0)
            all_used = used_last.get(key) if done == r.amount_minor else None
            derived.append((r.id, "credit", done, None, used_last.get(key), all_used))
            continue
        done = paid.get(r.number, 0)
        if done == r.amount_minor:
            status, settled = "paid", last.get(r.number, r.issue_date)
        else:
            status, settled = ("partial" if done else "open"), None
        derived.append((r.id, status, done, first.get(r.number), last.get(r.number), settled))
    for p in pay_rows:
        key = f"p:{p.id}"
        done = used.get(key, 0)
        payments_applied.append(
            (p.id, done, used_last.get(key) if done == p.amount_minor else None)
        )
