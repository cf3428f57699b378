"""Hand-off to a collection agency: place an account (own contact stops: an absolute
hold), export the placement file (CSV and JSON: debtor details, invoices, balance, the
full history and its documents), record the agency's recoveries and fees, recall.

A recovery is a payment from the debtor (key `agency:<placement>:<recovery>`, method
"agency"); the agency's fee is recorded beside it. A recovery after a write-off reverses
the write-off by what found nothing else to pay.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.safe_text import Cell, Column, csv_text
from recoup.services import history
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework import writeoffs
from recoup.services.casework._case import customer, load_case, money, touch_ledger
from recoup.store import casework_repo, history_repo, ledger_repo
from recoup.store.tables_casework import agency_recoveries, placements

MIN_FEE, MAX_FEE = Decimal(0), Decimal(100)


@dataclass(frozen=True)
class PlacementInfo:
    id: int
    customer: str
    agency: str
    contingency_percent: str
    balance: Money
    placed_on: date
    recalled_on: date | None
    status: str  # placed | recalled
    recovered: Money
    fees: Money

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "agency": self.agency,
            "contingency_percent": self.contingency_percent,
            "currency": self.balance.currency,
            "balance": self.balance.to_json(),
            "placed_on": self.placed_on.isoformat(),
            "recalled_on": self.recalled_on.isoformat() if self.recalled_on else None,
            "status": self.status,
            "recovered": self.recovered.to_json(),
            "fees": self.fees.to_json(),
        }


def _load(conn: Connection, pid: int) -> PlacementInfo:
    row = casework_repo.get(conn, placements, pid)
    if row is None:
        raise NotFoundError(f"no placement {pid}")
    cur = row["currency"]
    recs = casework_repo.rows(conn, agency_recoveries, placement_id=pid)
    key = casework_repo.customer_keys(conn, [row["customer_id"]])[row["customer_id"]]
    return PlacementInfo(
        pid,
        key,
        row["agency"],
        row["contingency_percent"],
        Money(row["balance_minor"], cur),
        row["placed_on"],
        row["recalled_on"],
        row["status"],
        Money(sum(r["amount_minor"] for r in recs), cur),
        Money(sum(r["fee_minor"] for r in recs), cur),
    )


def _current(conn: Connection, customer_key: str) -> dict[str, Any]:
    cid = int(customer(conn, customer_key)["id"])
    found = casework_repo.rows(conn, placements, customer_id=cid, status="placed")
    if not found:
        raise CaseworkError(f"{customer_key} is not placed with an agency")
    return found[-1]


def current_placement(book: Book, customer_key: str) -> PlacementInfo | None:
    with book.read() as conn:
        cid = int(customer(conn, customer_key)["id"])
        found = casework_repo.rows(conn, placements, customer_id=cid, status="placed")
        return _load(conn, int(found[-1]["id"])) if found else None


def place(
    book: Book,
    customer_key: str,
    agency: str,
    *,
    actor: str,
    on: date,
    contingency_percent: Decimal | str = "25",
    currency: str | None = None,
) -> PlacementInfo:
    """Place the account with `agency` at a contingency fee (25–50% is usual): own
    contact stops until it is recalled."""
    if not agency.strip():
        raise CaseworkError("name the agency")
    try:
        fee = Decimal(str(contingency_percent))
    except InvalidOperation:
        raise CaseworkError(f"not a percentage: {contingency_percent!r}") from None
    if not fee.is_finite() or not MIN_FEE <= fee <= MAX_FEE:
        raise CaseworkError(f"a contingency fee is between 0 and 100 percent, not {fee}")
    with book.write() as conn:
        case = load_case(conn, customer_key, currency, on)
        if case.balance.minor <= 0:
            raise CaseworkError(f"{customer_key} owes nothing in {case.currency}")
        if casework_repo.rows(conn, placements, customer_id=case.id, status="placed"):
            raise CaseworkError(f"{customer_key} is already placed with an agency")
        pid = casework_repo.add(
            conn,
            placements,
            {
                "customer_id": case.id,
                "agency": agency.strip(),
                "contingency_percent": str(fee),
                "currency": case.currency,
                "balance_minor": case.balance.minor,
                "placed_on": on,
                "status": "placed",
                "actor": actor,
            },
        )
        history.record(
            conn,
            case.id,
            "handoff",
            f"Placed with {agency.strip()} ({fee}% contingency): {case.balance}; our own "
            "contact stops",
            actor=actor,
            on=on,
            data={
                "placement_id": pid,
                "agency": agency.strip(),
                "balance": case.balance.to_json(),
                "currency": case.currency,
                "contingency_percent": str(fee),
            },
        )
        return _load(conn, pid)


def record_recovery(
    book: Book,
    customer_key: str,
    amount: str | Money,
    *,
    actor: str,
    on: date,
    fee: str | Money | None = None,
) -> PlacementInfo:
    """The agency recovered `amount` from the debtor on `on` and keeps `fee` (default:
    the contingency percent of it). The amount is paid into the account; after a
    write-off, it reverses the write-off."""
    with book.write() as conn:
        return _load(conn, recovery_in(conn, customer_key, amount, actor=actor, on=on, fee=fee))


def recovery_in(
    conn: Connection,
    customer_key: str,
    amount: str | Money,
    *,
    actor: str,
    on: date,
    fee: str | Money | None = None,
    source: str = "",
) -> int:
    """`record_recovery` inside the caller's transaction (a bank statement's line for a
    placed account is one: `source` names where the money was seen); the placement's id."""
    row = _current(conn, customer_key)
    cur = row["currency"]
    value = money(amount, cur)
    if value.minor <= 0:
        raise CaseworkError(f"a recovery is above zero, not {value}")
    kept = (
        Money.round(value.amount * Decimal(row["contingency_percent"]) / 100, cur)
        if fee is None or fee == ""
        else money(fee, cur)
    )
    if kept.is_negative() or kept > value:
        raise CaseworkError(f"the agency's fee {kept} must be between 0 and the {value} recovered")
    rid = casework_repo.add(
        conn,
        agency_recoveries,
        {
            "placement_id": row["id"],
            "day": on,
            "amount_minor": value.minor,
            "fee_minor": kept.minor,
            "payment_key": "",
            "actor": actor,
        },
    )
    key = f"agency:{row['id']}:{rid}"
    casework_repo.change(conn, agency_recoveries, rid, {"payment_key": key})
    casework_repo.add_payment(
        conn,
        customer_id=row["customer_id"],
        key=key,
        on=on,
        currency=cur,
        amount_minor=value.minor,
        method="agency",
        reference=f"recovered by {row['agency']} (fee {kept})",
    )
    text = f"{row['agency']} recovered {value}; their fee {kept}; you receive {value - kept}"
    data = {
        "placement_id": row["id"],
        "amount": value.to_json(),
        "fee": kept.to_json(),
        "currency": cur,
    }
    if source:
        text += f" ({source})"
        data["source"] = source
    history.record(conn, row["customer_id"], "agency_recovery", text, actor=actor, on=on, data=data)
    touch_ledger(conn, row["customer_id"])
    writeoffs.reverse_from_unapplied(conn, row["customer_id"], cur, on, actor)
    return int(row["id"])


def recall(
    book: Book, customer_key: str, *, actor: str, on: date, reason: str = ""
) -> PlacementInfo:
    """Take the account back from the agency: our own contact may resume."""
    with book.write() as conn:
        row = _current(conn, customer_key)
        casework_repo.change(conn, placements, row["id"], {"status": "recalled", "recalled_on": on})
        history.record(
            conn,
            row["customer_id"],
            "recall",
            f"Recalled from {row['agency']}" + (f": {reason}" if reason else ""),
            actor=actor,
            on=on,
            data={"placement_id": row["id"]},
        )
        return _load(conn, int(row["id"]))


@dataclass(frozen=True)
class PlacementFile:
    """What an agency receives: one JSON document, one CSV of the invoices, documents."""

    placement: PlacementInfo
    data: dict[str, Any]
    csv_text: str
    documents: tuple[tuple[str, str, bytes], ...]  # (file name, media type, content)

    def to_json(self) -> dict[str, Any]:
        return self.data

    def write(self, folder: Path) -> list[Path]:
        """Write placement-<id>.json, placement-<id>.csv and documents/ into `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"placement-{self.placement.id}"
        out = [folder / f"{stem}.json", folder / f"{stem}.csv"]
        out[0].write_text(json.dumps(self.data, indent=2, ensure_ascii=False), encoding="utf-8")
        out[1].write_text(self.csv_text, encoding="utf-8")
        if self.documents:
            docs = folder / "documents"
            docs.mkdir(exist_ok=True)
            for name, _media, content in self.documents:
                path = docs / name
                path.write_bytes(content)
                out.append(path)
        return out


# the placement CSV, a column a kind (recoup.safe_text: text cells that a spreadsheet
# would run as a formula are neutralised; amounts stay numbers)
CSV_COLUMNS = (
    Column("placement", Cell.INTEGER),
    Column("agency"),
    Column("customer"),
    Column("name"),
    Column("country"),
    Column("contact"),
    Column("email"),
    Column("phone"),
    Column("address"),
    Column("invoice"),
    Column("issue_date", Cell.DATE),
    Column("due_date", Cell.DATE),
    Column("currency"),
    Column("amount", Cell.AMOUNT),
    Column("open", Cell.AMOUNT),
    Column("balance", Cell.AMOUNT),
    Column("history_entries", Cell.INTEGER),
)


def export(book: Book, customer_key: str, as_of: date) -> PlacementFile:
    """The placement file of the account's current placement (see `PlacementFile`)."""
    with book.read() as conn:
        row = _current(conn, customer_key)
        info = _load(conn, int(row["id"]))
        cust = customer(conn, customer_key)
        cid = int(cust["id"])
        contacts = ledger_repo.contacts_of(conn, cid)
        invs = [i for i in ledger_repo.invoices_of(conn, cid) if i["currency"] == row["currency"]]
        entries = list(history_repo.entries(conn, cid))
        documents: list[tuple[str, str, bytes]] = []
        history_json: list[dict[str, Any]] = []
        for e in entries:
            attached = []
            for n, (name, media, content) in enumerate(
                history_repo.entry_documents(conn, e.id), start=1
            ):
                file_name = f"{e.id}-{n}-{Path(name).name}"
                documents.append((file_name, media, content))
                attached.append(
                    {
                        "name": name,
                        "media_type": media,
                        "file": f"documents/{file_name}",
                        "content_base64": base64.b64encode(content).decode("ascii"),
                    }
                )
            history_json.append(
                {
                    "id": e.id,
                    "at": e.at,
                    "on": e.on,
                    "kind": e.kind,
                    "actor": e.actor,
                    "text": e.text,
                    "data": json.loads(e.data) if e.data else {},
                    "hash": e.hash,
                    "attachments": attached,
                }
            )
        balance = Money(casework_repo.balances(conn, cid).get(row["currency"], 0), row["currency"])
    cur = row["currency"]
    first = contacts[0] if contacts else {}
    invoice_json = [
        {
            "number": i["number"],
            "kind": i["kind"],
            "issue_date": i["issue_date"].isoformat(),
            "due_date": i["due_date"].isoformat(),
            "currency": cur,
            "amount": Money(i["amount_minor"], cur).to_json(),
            "open": Money(i["amount_minor"] - i["paid_minor"], cur).to_json()
            if i["kind"] == "invoice"
            else "0",
            "status": i["status"],
            "reference": i["reference"],
        }
        for i in invs
    ]
    data = {
        "placement": info.to_json(),
        "as_of": as_of.isoformat(),
        "debtor": {
            "customer": cust["key"],
            "name": cust["name"],
            "country": cust["country"],
            "language": cust["language"],
            "timezone": cust["timezone"],
            "contacts": [
                {k: c[k] for k in ("name", "email", "phone", "address", "preferred_channel")}
                for c in contacts
            ],
        },
        "currency": cur,
        "balance": balance.to_json(),
        "invoices": invoice_json,
        "history": history_json,
    }
    rows = [
        [
            info.id,
            info.agency,
            cust["key"],
            cust["name"],
            cust["country"],
            first.get("name", ""),
            first.get("email", ""),
            first.get("phone", ""),
            first.get("address", ""),
            i["number"],
            i["issue_date"],
            i["due_date"],
            cur,
            i["amount"],
            i["open"],
            balance.to_json(),
            len(history_json),
        ]
        for i in invoice_json
        if i["kind"] == "invoice"
    ]
    return PlacementFile(info, data, csv_text(CSV_COLUMNS, rows), tuple(documents))
