"""Write-offs: with a reason and an owner's approval; reversed by a later recovery; the
bad-debt report for the accountant.

A write-off is a credit note per invoice written off (`WO-<id>-<n>`, naming the invoice)
so the ledger, the aging and the daily run all see the balance go. Its tax part is the
invoice's tax in proportion. A payment that arrives after a write-off (a customer who
pays after all, an agency's recovery) reverses it up to the amount paid: a debit
document `WR-<id>` that the payment then pays, and a negative line in the report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.authority import Kind, Reduction
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.casework.writeoff import (
    REASON_WORDS,
    WriteOffReason,
    parse_reason,
    tax_part,
)
from recoup.domain.money import Money
from recoup.services import history
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework import authority
from recoup.services.casework._case import (
    load_case,
    locked,
    money,
    require_owner,
    row_filter,
    touch_ledger,
)
from recoup.services.policy import active_policy
from recoup.store import casework_repo
from recoup.store.tables_casework import write_off_lines, write_off_reversals, write_offs


@dataclass(frozen=True)
class WriteOffInfo:
    id: int
    customer: str
    currency: str
    amount: Money
    tax: Money
    reason: str
    note: str
    status: str  # pending | done | refused
    requested_on: date
    requested_by: str
    approved_by: str | None
    written_on: date | None
    reversed: Money
    lines: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "currency": self.currency,
            "amount": self.amount.to_json(),
            "tax": self.tax.to_json(),
            "reason": self.reason,
            "note": self.note,
            "status": self.status,
            "requested_on": self.requested_on.isoformat(),
            "requested_by": self.requested_by,
            "approved_by": self.approved_by,
            "written_on": self.written_on.isoformat() if self.written_on else None,
            "reversed": self.reversed.to_json(),
            "lines": list(self.lines),
        }


def _load(conn: Connection, wid: int) -> WriteOffInfo:
    row = casework_repo.get(conn, write_offs, wid)
    if row is None:
        raise NotFoundError(f"no write-off {wid}")
    cur = row["currency"]
    lines = tuple(
        {
            "invoice": r["invoice"],
            "amount": Money(r["amount_minor"], cur).to_json(),
            "tax": Money(r["tax_minor"], cur).to_json(),
            "credit_note": r["credit_note"],
        }
        for r in casework_repo.rows(conn, write_off_lines, order="invoice", write_off_id=wid)
    )
    key = casework_repo.customer_keys(conn, [row["customer_id"]])[row["customer_id"]]
    return WriteOffInfo(
        wid,
        key,
        cur,
        Money(row["amount_minor"], cur),
        Money(row["tax_minor"], cur),
        row["reason"],
        row["note"],
        row["status"],
        row["requested_on"],
        row["requested_by"],
        row["approved_by"],
        row["written_on"],
        Money(row["reversed_minor"], cur),
        lines,
    )


def get_write_off(book: Book, write_off_id: int) -> WriteOffInfo:
    with book.read() as conn:
        return _load(conn, write_off_id)


def list_write_offs(
    book: Book, customer_key: str | None = None, status: str | None = None
) -> list[WriteOffInfo]:
    with book.read() as conn:
        where = row_filter(conn, customer_key, status)
        return [_load(conn, int(r["id"])) for r in casework_repo.rows(conn, write_offs, **where)]


def write_off(
    book: Book,
    customer_key: str,
    reason: WriteOffReason | str,
    *,
    actor: str,
    on: date,
    amount: str | Money | None = None,
    currency: str | None = None,
    note: str = "",
    approved_by: str | None = None,
) -> WriteOffInfo:
    """Write off `amount` (default: the whole balance) of the account with `reason`.

    The actor's authority decides (`services.casework.authority`): an owner's write-off,
    or a collector's within `[authority.collector]`, is done at once, as is one with
    `approved_by` (an owner); otherwise it waits as "pending" for `approve_write_off`,
    and the ledger is unchanged until then. A viewer is refused. Invoices are written
    off oldest first."""
    why = reason if isinstance(reason, WriteOffReason) else parse_reason(reason)
    _version, policy = active_policy(book)
    with book.write() as conn:
        case = load_case(conn, customer_key, currency, on)
        if case.balance.minor <= 0 or not case.invoices:
            raise CaseworkError(f"{customer_key} owes nothing in {case.currency} to write off")
        value = case.balance if amount is None else money(amount, case.currency)
        if value.minor <= 0 or value > case.balance:
            raise CaseworkError(
                f"a write-off is above zero and at most the balance of {case.balance}, not {value}"
            )
        done = sum(
            int(w["amount_minor"] - w["reversed_minor"])
            for w in casework_repo.rows(
                conn, write_offs, customer_id=case.id, currency=case.currency, status="done"
            )
            if w["reason"] != WriteOffReason.SETTLEMENT.value
        )  # a limit holds for the account's write-offs together
        verdict = authority.check(
            conn,
            actor,
            policy,
            Reduction(Kind.WRITE_OFF, value, case.balance, earlier=Money(done, case.currency)),
        )
        if approved_by is not None:
            require_owner(conn, approved_by, "approve a write-off")
        elif verdict.allowed:
            approved_by = actor
        wid = casework_repo.add(
            conn,
            write_offs,
            {
                "customer_id": case.id,
                "currency": case.currency,
                "amount_minor": value.minor,
                "tax_minor": 0,
                "reason": why.value,
                "note": note,
                "requested_on": on,
                "requested_by": actor,
                "status": "pending",
                "reversed_minor": 0,
            },
        )
        if approved_by is None:
            history.record(
                conn,
                case.id,
                "write_off_requested",
                f"Write-off of {value} asked for ({REASON_WORDS[why]}"
                + (f": {note}" if note else "")
                + "); waits for an owner's approval",
                actor=actor,
                on=on,
                data={"write_off_id": wid, "amount": value.to_json(), "authority": verdict.reason},
            )
        else:
            execute(conn, wid, on=on, actor=actor, approved_by=approved_by)
        return _load(conn, wid)


def approve_write_off(book: Book, write_off_id: int, *, actor: str, on: date) -> WriteOffInfo:
    """An owner approves a pending write-off: it is done now (at most the balance left)."""
    with book.write() as conn:
        require_owner(conn, actor, "approve a write-off")
        locked(
            conn,
            write_offs,
            write_off_id,
            f"no write-off {write_off_id}",
            ("pending",),
            "write-off {id} is {status}, not pending",
        )
        execute(conn, write_off_id, on=on, actor=actor, approved_by=actor)
        return _load(conn, write_off_id)


def refuse_write_off(
    book: Book, write_off_id: int, *, actor: str, on: date, reason: str
) -> WriteOffInfo:
    with book.write() as conn:
        require_owner(conn, actor, "refuse a write-off")
        row = locked(
            conn,
            write_offs,
            write_off_id,
            f"no write-off {write_off_id}",
            ("pending",),
            "write-off {id} is {status}, not pending",
        )
        casework_repo.change(
            conn, write_offs, write_off_id, {"status": "refused", "approved_by": actor}
        )
        history.record(
            conn,
            row["customer_id"],
            "correction",
            f"Write-off {write_off_id} refused by {actor}: {reason}",
            actor=actor,
            on=on,
            data={"write_off_id": write_off_id, "status": "refused"},
        )
        return _load(conn, write_off_id)


def execute(
    conn: Connection,
    write_off_id: int,
    *,
    on: date,
    actor: str,
    approved_by: str,
    settlement_id: int | None = None,
) -> None:
    """Do a write-off inside the caller's transaction: credit notes per invoice, oldest
    first, up to its amount (or the balance, if less now), and the history entry."""
    row = casework_repo.get(conn, write_offs, write_off_id)
    assert row is not None
    cid, cur = int(row["customer_id"]), row["currency"]
    balance = casework_repo.balances(conn, cid).get(cur, 0)
    left = min(int(row["amount_minor"]), balance)
    if left <= 0:
        raise CaseworkError("nothing is owed any more: there is nothing to write off")
    lines: list[dict[str, Any]] = []
    total_tax = 0
    for n, inv in enumerate(casework_repo.open_invoices(conn, cid, cur), start=1):
        if left <= 0:
            break
        part = min(left, int(inv["amount_minor"] - inv["paid_minor"]))
        if part <= 0:
            continue
        tax = tax_part(
            Money(part, cur),
            Money(inv["amount_minor"], cur),
            Money(inv["tax_minor"], cur) if inv["tax_minor"] is not None else None,
        )
        number = f"WO-{write_off_id}-{n}"
        casework_repo.add_document(
            conn,
            customer_id=cid,
            number=number,
            kind="credit_note",
            on=on,
            due=on,
            currency=cur,
            amount_minor=part,
            tax_minor=tax.minor,
            reference=f"write-off {write_off_id} ({row['reason']})",
            applies_to=inv["number"],
        )
        lines.append(
            {
                "write_off_id": write_off_id,
                "invoice": inv["number"],
                "amount_minor": part,
                "tax_minor": tax.minor,
                "credit_note": number,
            }
        )
        total_tax += tax.minor
        left -= part
    done = sum(line["amount_minor"] for line in lines)
    if not done:
        raise CaseworkError("no open invoice to write off")
    casework_repo.add_plain(conn, write_off_lines, lines)
    casework_repo.change(
        conn,
        write_offs,
        write_off_id,
        {
            "status": "done",
            "amount_minor": done,
            "tax_minor": total_tax,
            "approved_by": approved_by,
            "written_on": on,
            "settlement_id": settlement_id,
        },
    )
    touch_ledger(conn, cid)
    reason = WriteOffReason(row["reason"])
    invoices = ", ".join(line["invoice"] for line in lines)
    history.record(
        conn,
        cid,
        "write_off",
        f"Written off {Money(done, cur)} (tax part {Money(total_tax, cur)}) on {invoices}: "
        f"{REASON_WORDS[reason]}"
        + (f" ({row['note']})" if row["note"] else "")
        + f"; approved by {approved_by}",
        actor=actor,
        on=on,
        data={
            "write_off_id": write_off_id,
            "amount": Money(done, cur).to_json(),
            "tax": Money(total_tax, cur).to_json(),
            "currency": cur,
            "reason": reason.value,
        },
    )


def reverse_from_unapplied(
    conn: Connection, customer_id: int, currency: str, on: date, actor: str
) -> Money:
    """Reverse write-offs (oldest first) by the payments that found nothing to pay: a
    recovery after a write-off. Returns the amount reversed."""
    unapplied = casework_repo.unapplied_payments(conn, customer_id, currency)
    if unapplied <= 0:
        return Money.zero(currency)
    total = 0
    for row in casework_repo.rows(
        conn, write_offs, customer_id=customer_id, currency=currency, status="done"
    ):
        room = int(row["amount_minor"] - row["reversed_minor"])
        if room <= 0 or unapplied <= 0:
            continue
        part = min(room, unapplied)
        tax = tax_part(
            Money(part, currency),
            Money(row["amount_minor"], currency),
            Money(row["tax_minor"], currency),
        )
        rid = casework_repo.add(
            conn,
            write_off_reversals,
            {
                "write_off_id": row["id"],
                "day": on,
                "amount_minor": part,
                "tax_minor": tax.minor,
                "document": "",
                "actor": actor,
            },
        )
        number = f"WR-{rid}"
        casework_repo.change(conn, write_off_reversals, rid, {"document": number})
        casework_repo.add_document(
            conn,
            customer_id=customer_id,
            number=number,
            kind="invoice",
            on=on,
            due=on,
            currency=currency,
            amount_minor=part,
            tax_minor=tax.minor,
            reference=f"reversal of write-off {row['id']} by a later recovery",
        )
        casework_repo.change(
            conn, write_offs, row["id"], {"reversed_minor": row["reversed_minor"] + part}
        )
        history.record(
            conn,
            customer_id,
            "write_off_reversed",
            f"Write-off {row['id']} reversed by {Money(part, currency)} (tax part {tax}): "
            "recovered after all",
            actor=actor,
            on=on,
            data={
                "write_off_id": row["id"],
                "amount": Money(part, currency).to_json(),
                "tax": tax.to_json(),
                "document": number,
            },
        )
        unapplied -= part
        total += part
    if total:
        touch_ledger(conn, customer_id)
    return Money(total, currency)


def review_write_offs(book: Book, as_of: date, *, actor: str = "system") -> list[dict[str, Any]]:
    """Reverse write-offs of customers who paid after them (payments with nothing left to
    pay). What was reversed, per customer and currency."""
    out: list[dict[str, Any]] = []
    with book.read() as conn:
        targets = sorted(
            {
                (r["customer_id"], r["currency"])
                for r in casework_repo.rows(conn, write_offs, status="done")
                if r["reversed_minor"] < r["amount_minor"]
            }
        )
    for cid, cur in targets:
        with book.write() as conn:
            if casework_repo.unapplied_payments(conn, cid, cur) <= 0:
                continue
            done = reverse_from_unapplied(conn, cid, cur, as_of, actor)
            key = casework_repo.customer_keys(conn, [cid])[cid]
        if done:
            out.append({"customer": key, "currency": cur, "reversed": done.to_json()})
    return out


@dataclass(frozen=True)
class BadDebtLine:
    on: date
    customer: str
    name: str
    invoice: str
    reason: str
    amount: Money  # negative for a reversal
    tax: Money
    write_off_id: int

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.on.isoformat(),
            "customer": self.customer,
            "name": self.name,
            "invoice": self.invoice,
            "reason": self.reason,
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
            "tax": self.tax.to_json(),
            "net": (self.amount - self.tax).to_json(),
            "write_off_id": self.write_off_id,
        }


@dataclass(frozen=True)
class BadDebtReport:
    start: date
    end: date
    lines: tuple[BadDebtLine, ...]

    def totals(self) -> dict[str, tuple[Money, Money]]:
        out: dict[str, tuple[Money, Money]] = {}
        for line in self.lines:
            cur = line.amount.currency
            amount, tax = out.get(cur, (Money.zero(cur), Money.zero(cur)))
            out[cur] = (amount + line.amount, tax + line.tax)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "lines": [line.to_json() for line in self.lines],
            "totals": [
                {
                    "currency": cur,
                    "amount": a.to_json(),
                    "tax": t.to_json(),
                    "net": (a - t).to_json(),
                }
                for cur, (a, t) in sorted(self.totals().items())
            ],
        }


def bad_debt_report(book: Book, start: date, end: date) -> BadDebtReport:
    """Write-offs done from `start` to `end` (inclusive), a line per invoice with its tax
    part, and reversals by later recoveries in the period as negative lines."""
    if end < start:
        raise CaseworkError(f"the period ends ({end}) before it starts ({start})")
    lines: list[BadDebtLine] = []
    with book.read() as conn:
        done = casework_repo.write_offs_between(conn, start, end)
        per: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if done:
            for r in casework_repo.rows(
                conn, write_off_lines, order="invoice", write_off_id=[w["id"] for w in done]
            ):
                per[r["write_off_id"]].append(r)
        for w in done:
            cur = w["currency"]
            for r in per[w["id"]]:
                lines.append(
                    BadDebtLine(
                        w["written_on"],
                        w["customer"],
                        w["name"],
                        r["invoice"],
                        w["reason"],
                        Money(r["amount_minor"], cur),
                        Money(r["tax_minor"], cur),
                        w["id"],
                    )
                )
        for r in casework_repo.reversals_between(conn, start, end):
            cur = r["currency"]
            lines.append(
                BadDebtLine(
                    r["day"],
                    r["customer"],
                    r["name"],
                    r["document"],
                    "recovered",
                    Money(-r["amount_minor"], cur),
                    Money(-r["tax_minor"], cur),
                    r["write_off_id"],
                )
            )
    lines.sort(key=lambda line: (line.on, line.customer, line.write_off_id, line.invoice))
    return BadDebtReport(start, end, tuple(lines))
