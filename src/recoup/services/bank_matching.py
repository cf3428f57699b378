"""Bank statement lines matched to open invoices (issue 17, item 2), and the review
queue: `match_new_lines` runs inside the statement import's transaction (its seam,
`bank_import.match_lines`); `queue`, `line`, `confirm` and `reject` are what a person
does with the lines that wait (the CLI and the Bank page alike).

A line applied (by itself or by a person) becomes ordinary payments, keyed
`bank:<line id>:<n>`, each naming its invoice, written and allocated as imported
payments are (`allocation_sync`, the run's queue), with an entry in the customer's
history that names the statement line. What is more than the invoices' open amounts is
a payment that names none: the book's rule applies it to the customer's other open
invoices, oldest first, else it stays on account. A line for an account placed with an
agency is recorded as the agency's recovery. Confirming a line teaches the payer's
account (IBAN) for its customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from recoup import i18n
from recoup.clock import now
from recoup.domain.history import EntryFields
from recoup.domain.matching.book import MatchBook
from recoup.domain.matching.evidence import (
    Candidate,
    Evidence,
    IncomingLine,
    Kind,
    Match,
)
from recoup.domain.matching.matcher import match_prepared, prepare
from recoup.domain.matching.references import iban_key
from recoup.domain.matching.rules import MatchingRules
from recoup.domain.money import Money, format_minor, to_decimal
from recoup.policy import default_policy
from recoup.policy.reader import load_policy
from recoup.services import allocation_sync, history
from recoup.services.book import Book
from recoup.services.casework.agency import recovery_in
from recoup.services.history import NewDocument
from recoup.store import bank_match_repo, bank_repo, ledger_repo, policy_repo, run_repo

WAITING = ("suggested", "unmatched")


class BankMatchError(ValueError):
    """A request about a line that cannot be done (the message says why)."""


# --- matching new lines (inside the import's transaction) ---------------------------


def rules_in(conn: Connection) -> MatchingRules:
    """The active policy's `[matching]` rules (the built-in ones without a policy)."""
    row = policy_repo.active_policy(conn)
    if row is None:
        return default_policy().matching
    loaded = load_policy(row.text, f"policy version {row.version}")
    return loaded.policy.matching if loaded.policy is not None else MatchingRules()


def incoming(row: dict[str, Any]) -> IncomingLine:
    """A stored line as the matcher sees it."""
    parts = ("remittance", "structured", "additional_info", "end_to_end_id", "customer_ref")
    written = [str(row[k]) for k in parts if row.get(k)]
    text = " ".join(w for w in written if w.upper() not in ("NOTPROVIDED", "NONREF"))
    return IncomingLine(
        amount_minor=int(row["amount_minor"]),
        currency=row["currency"],
        on=bank_match_repo.line_day(row),
        payer_name=row.get("counterparty_name") or row.get("ultimate_debtor") or "",
        payer_iban=row.get("counterparty_iban") or "",
        text=text,
        reference=row.get("creditor_ref") or "",
        is_credit=row["kind"] == "credit",
    )


def match_new_lines(
    conn: Connection, line_ids: list[int], *, as_of: date, actor: str
) -> tuple[set[int], set[int]]:
    """Match the lines just stored that wait ('unmatched'): apply the confident ones,
    keep the candidates of the others; written in a few statements for all the lines.
    The ids (applied, suggested)."""
    rows = [r for r in bank_repo.lines(conn, line_ids) if r["state"] == "unmatched"]
    rows = [r for r in rows if r["kind"] == "credit" and r["status"] == "booked"]
    if not rows:
        return set(), set()
    rules = rules_in(conn)
    book = _match_book(conn, {r["currency"] for r in rows})
    lines = [incoming(r) for r in rows]
    prepare(lines, book)
    at = now()
    applying: list[tuple[dict[str, Any], list[tuple[str, int]]]] = []
    waiting: list[tuple[dict[str, Any], Match]] = []
    logs: list[tuple[int, str, str]] = []
    for row, line in zip(rows, lines, strict=True):
        match = match_prepared(line, book, rules)
        chosen = match.applied
        if chosen is not None:
            for number, minor in zip(chosen.invoices, chosen.amounts, strict=True):
                book.reduce(book.position(number), minor)
            applying.append((row, _parts(chosen)))
            logs.append((int(row["id"]), "applied", _why(chosen, row)))
        elif match.candidates:
            waiting.append((row, match))
            text = f"waits: {match.reason}; {len(match.candidates)} suggested"
            logs.append((int(row["id"]), "suggested", text))
        else:
            logs.append((int(row["id"]), "unmatched", match.reason))
    _apply_many(conn, applying, actor=actor, as_of=as_of, state="applied")
    ids = bank_match_repo.customer_ids(conn, {c.customer for _, m in waiting for c in m.candidates})
    bank_match_repo.add_candidates(
        conn,
        [(int(r["id"]), [_candidate_row(c, ids) for c in m.candidates]) for r, m in waiting],
    )
    bank_match_repo.set_states(conn, [int(r["id"]) for r, _ in applying], "applied", at)
    bank_match_repo.set_states(conn, [int(r["id"]) for r, _ in waiting], "suggested", at)
    bank_match_repo.logs(conn, at, actor, logs)
    return {int(r["id"]) for r, _ in applying}, {int(r["id"]) for r, _ in waiting}


def _match_book(conn: Connection, currencies: set[str]) -> MatchBook:
    names, keys = bank_match_repo.customer_names(conn)
    numbers, customer, open_minor, currency, due, refs = bank_match_repo.open_invoice_columns(
        conn, currencies, keys
    )
    return MatchBook(
        numbers,
        customer,
        open_minor,  # whole numbers from either driver (BIGINT arithmetic)
        currency,
        due,
        refs,
        names,
        bank_match_repo.known_ibans(conn, keys),
    )


def _day(row: dict[str, Any], as_of: date) -> date:
    return bank_match_repo.line_day(row) or as_of


def _parts(c: Candidate) -> list[tuple[str, int]]:
    return list(zip(c.invoices, c.amounts, strict=True))


def _why(c: Candidate, row: dict[str, Any]) -> str:
    cur = row["currency"]
    paid = ", ".join(f"{n} {format_minor(m, cur)} {cur}" for n, m in _parts(c))
    return f"applied to {paid}: " + "; ".join(c.describe(cur))


def _candidate_row(c: Candidate, ids: dict[str, int]) -> dict[str, Any]:
    return {
        "customer_id": ids[c.customer],
        "invoices": list(c.invoices),
        "amounts": list(c.amounts),
        "evidence": [
            {"kind": e.kind.value, "found": e.found, "figure": e.figure} for e in c.evidence
        ],
        "confident": c.confident,
    }


# --- applying a line -----------------------------------------------------------------


def _apply(
    conn: Connection,
    row: dict[str, Any],
    parts: list[tuple[str, int]],
    *,
    actor: str,
    on: date,
    state: str,
) -> list[int]:
    """One line's money to these invoices (see `_apply_many`); the customers paid."""
    return _apply_many(conn, [(row, parts)], actor=actor, as_of=on, state=state)


def _apply_many(
    conn: Connection,
    items: list[tuple[dict[str, Any], list[tuple[str, int]]]],
    *,
    actor: str,
    as_of: date,
    state: str,
) -> list[int]:
    """Each line's money to its invoices (number, minor units), as payments; the rest as
    a payment naming no invoice; a placed account's share as the agency's recovery. One
    insert, one history append and one re-allocation for all. The customers paid."""
    if not items:
        return []
    invoices = bank_match_repo.invoice_rows(conn, [n for _, parts in items for n, _ in parts])
    placed = bank_match_repo.placed(conn, {int(i["customer_id"]) for i in invoices.values()})
    at = now()
    payments: list[tuple[Any, ...]] = []
    entries: list[tuple[EntryFields, Sequence[NewDocument]]] = []
    touched: list[int] = []
    for row, parts in items:
        line_id, cur, total = int(row["id"]), row["currency"], int(row["amount_minor"])
        on = _day(row, as_of)
        by_customer: dict[int, list[tuple[str, int]]] = {}
        for number, minor in parts:
            by_customer.setdefault(int(invoices[number]["customer_id"]), []).append((number, minor))
        rest = total - sum(m for _, m in parts)
        first = next(iter(by_customer))
        source = f"bank statement line {line_id} ({row.get('source', '')})"
        reference = (row.get("creditor_ref") or row.get("end_to_end_id") or "")[:200]
        serial = 0
        for cid, shares in by_customer.items():
            touched.append(cid)
            amount = sum(m for _, m in shares) + (rest if cid == first else 0)
            if cid in placed:
                key = str(invoices[shares[0][0]]["customer"])
                recovery_in(conn, key, Money(amount, cur), actor=actor, on=on, source=source)
                continue
            for number, minor in shares:
                if minor > 0:
                    payments.append(
                        (cid, f"bank:{line_id}:{serial}", on, cur, minor, "bank", reference, number)
                    )
                    serial += 1
            if cid == first and rest > 0:
                payments.append(
                    (cid, f"bank:{line_id}:{serial}", on, cur, rest, "bank", reference, None)
                )
                serial += 1
            shown = ", ".join(f"{n} ({format_minor(m, cur)})" for n, m in shares)
            text = f"Payment of {format_minor(amount, cur)} {cur} on {on} for {shown}"
            if cid == first and rest > 0:
                text += f"; {format_minor(rest, cur)} more than they owed"
            data = {
                "bank_line": line_id,
                "source": row.get("source", ""),
                "amount": format_minor(amount, cur),
                "currency": cur,
                "invoices": [n for n, _ in shares],
                "how": state,
            }
            fields = EntryFields(cid, at, on, "payment", actor, f"{text}, from {source}", data)
            entries.append((fields, ()))
    if payments:
        ledger_repo.insert_payments(conn, payments)
    if entries:
        history.record_many(conn, entries, want_ids=False)
    customers = set(touched)
    allocation_sync.recompute(conn, customers - placed)
    run_repo.enqueue(conn, customers)
    return list(dict.fromkeys(touched))


# --- the review queue ------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    customer: str
    name: str
    invoices: tuple[str, ...]
    amounts: tuple[str, ...]  # decimal text
    evidence: tuple[str, ...]  # in plain words, in the reader's language
    confident: bool
    # the same evidence for programs: each piece's kind (`Kind`), what was found and
    # its figure (minor units, days or percent, by kind)
    found: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "name": self.name,
            "invoices": list(self.invoices),
            "amounts": list(self.amounts),
            "evidence": list(self.evidence),
            "evidence_found": [dict(e) for e in self.found],
            "confident": self.confident,
        }


@dataclass(frozen=True)
class LineView:
    id: int
    state: str
    day: date | None
    amount: str
    currency: str
    payer: str
    iban: str
    text: str
    reference: str
    source: str
    file: str
    suggestions: tuple[Suggestion, ...] = ()
    history: tuple[tuple[str, str, str, str], ...] = ()  # (at, actor, action, text)
    payments: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.id,
            "state": self.state,
            "date": self.day.isoformat() if self.day else None,
            "amount": self.amount,
            "currency": self.currency,
            "payer": self.payer,
            "iban": self.iban,
            "text": self.text,
            "reference": self.reference,
            "source": self.source,
            "file": self.file,
            "suggestions": [s.to_json() for s in self.suggestions],
            "history": [
                {"at": at, "actor": actor, "action": action, "text": text}
                for at, actor, action, text in self.history
            ],
        }


def _suggestion(row: dict[str, Any], currency: str) -> Suggestion:
    """A stored candidate for its reader: the evidence in the language they read
    (the web request's or the command's, `recoup.i18n`)."""
    lang = i18n.current().language
    evidence = tuple(
        Evidence(Kind(e["kind"]), e["found"], int(e["figure"])).describe(currency, lang)
        for e in row["evidence"]
    )
    return Suggestion(
        row["customer"],
        row["name"],
        tuple(row["invoices"]),
        tuple(format_minor(int(m), currency) for m in row["amounts"]),
        evidence,
        bool(row["confident"]),
        tuple(
            {"kind": str(e["kind"]), "found": str(e["found"]), "figure": int(e["figure"])}
            for e in row["evidence"]
        ),
    )


def _view(row: dict[str, Any], cands: list[dict[str, Any]], log: list[dict[str, Any]]) -> LineView:
    line = incoming(row)
    return LineView(
        id=int(row["id"]),
        state=row["state"],
        day=line.on,
        amount=format_minor(line.amount_minor, line.currency),
        currency=line.currency,
        payer=line.payer_name,
        iban=line.payer_iban,
        text=line.text,
        reference=line.reference,
        source=row.get("source", ""),
        file=row.get("file_name", "") or "",
        suggestions=tuple(_suggestion(c, line.currency) for c in cands),
        history=tuple(
            (f"{e['at']:%Y-%m-%d %H:%M}", e["actor"], e["action"], e["text"]) for e in log
        ),
    )


def queue(book: Book, limit: int | None = None) -> list[LineView]:
    """The credit lines that wait for a person, oldest first, with their suggestions."""
    with book.read() as conn:
        rows = bank_match_repo.waiting(conn, limit)
        cands = bank_match_repo.candidates(conn, [int(r["id"]) for r in rows])
        return [_view(r, cands.get(int(r["id"]), []), []) for r in rows]


def line(book: Book, line_id: int) -> LineView:
    """One line with its suggestions and its history."""
    with book.read() as conn:
        return _line_in(conn, line_id)


def _line_in(conn: Connection, line_id: int) -> LineView:
    rows = bank_repo.lines(conn, [line_id])
    if not rows:
        raise BankMatchError(f"no statement line {line_id}")
    cands = bank_match_repo.candidates(conn, [line_id]).get(line_id, [])
    return _view(rows[0], cands, bank_match_repo.history(conn, line_id))


def counts(book: Book) -> dict[str, int]:
    """How many lines stand in each state."""
    with book.read() as conn:
        return bank_match_repo.states(conn)


def statements(book: Book) -> list[dict[str, Any]]:
    """The statements imported, newest first, with how many lines each gave and their
    gap (`gap`: what their booked lines leave unexplained between their balances, as a
    decimal in the balances' currency; None when there is none)."""
    with book.read() as conn:
        rows = bank_repo.statements(conn)
    for r in rows:
        gap, cur = r.get("gap_minor"), r.get("balance_currency")
        r["gap"] = format_minor(int(gap), cur) if gap is not None and cur else None
    return rows


# --- what a person does ------------------------------------------------------------------


def confirm(
    book: Book,
    line_id: int,
    invoices: list[str] | None = None,
    *,
    actor: str,
    as_of: date,
) -> LineView:
    """Apply a waiting line: to its first suggestion, or to the invoices given (each
    "NUMBER" or "NUMBER=AMOUNT": a re-assignment or a split). Teaches the payer's
    account for the customers paid."""
    with book.write() as conn:
        row = _waiting_line(conn, line_id)
        if invoices:
            parts = _given_parts(conn, row, invoices)
        else:
            cands = bank_match_repo.candidates(conn, [line_id]).get(line_id, [])
            if not cands:
                raise BankMatchError(
                    f"line {line_id} has no suggestion: name the invoice with --invoice"
                )
            parts = list(zip(cands[0]["invoices"], map(int, cands[0]["amounts"]), strict=True))
            now_open = bank_match_repo.invoice_rows(conn, [n for n, _ in parts])
            paid = [n for n, _ in parts if int(now_open[n]["open_minor"]) <= 0]
            if paid:
                raise BankMatchError(
                    f"invoice {paid[0]} is paid already: name the invoice with --invoice"
                )
        at = now()
        customers = _apply(conn, row, parts, actor=actor, on=as_of, state="confirmed")
        iban = iban_key(row.get("counterparty_iban") or "")
        learned = [
            cid
            for cid in customers
            if iban and bank_match_repo.learn_iban(conn, cid, iban, line_id, at)
        ]
        cur = row["currency"]
        text = "confirmed: " + ", ".join(f"{n} {format_minor(m, cur)} {cur}" for n, m in parts)
        if learned:
            text += f"; account {iban} learned"
        bank_repo.set_state(conn, line_id, "confirmed", at)
        bank_match_repo.log(conn, line_id, at, actor, "confirmed", text)
        return _line_in(conn, line_id)


def reject(book: Book, line_id: int, *, actor: str, reason: str = "") -> LineView:
    """Mark a waiting line as no customer payment."""
    with book.write() as conn:
        _waiting_line(conn, line_id)
        at = now()
        bank_repo.set_state(conn, line_id, "rejected", at)
        text = "not a customer payment" + (f": {reason}" if reason else "")
        bank_match_repo.log(conn, line_id, at, actor, "rejected", text)
        return _line_in(conn, line_id)


def _waiting_line(conn: Connection, line_id: int) -> dict[str, Any]:
    rows = bank_repo.lines(conn, [line_id])
    if not rows:
        raise BankMatchError(f"no statement line {line_id}")
    row = rows[0]
    if row["state"] not in WAITING:
        raise BankMatchError(f"line {line_id} is {row['state']}, not waiting")
    if row["kind"] != "credit" or int(row["amount_minor"]) <= 0:
        raise BankMatchError(f"line {line_id} is money out, not a customer payment")
    return row


def _given_parts(conn: Connection, row: dict[str, Any], given: list[str]) -> list[tuple[str, int]]:
    cur, total = row["currency"], int(row["amount_minor"])
    wanted: list[tuple[str, int | None]] = []
    for item in given:
        number, _, amount = item.partition("=")
        number = number.strip()
        if amount.strip():
            try:
                minor = Money.of(to_decimal(amount.strip()), cur).minor
            except ValueError as err:
                raise BankMatchError(f"{item}: not an amount of {cur} ({err})") from None
            if minor <= 0:
                raise BankMatchError(f"{item}: the amount must be above zero")
            wanted.append((number, minor))
        else:
            wanted.append((number, None))
    found = bank_match_repo.invoice_rows(conn, [n for n, _ in wanted])
    parts: list[tuple[str, int]] = []
    left = total - sum(m for _, m in wanted if m is not None)
    if left < 0:
        raise BankMatchError(
            f"the amounts given are more than the line's {format_minor(total, cur)}"
        )
    for number, given_minor in wanted:
        inv = found.get(number)
        if inv is None or inv["kind"] != "invoice":
            raise BankMatchError(f"invoice {number} is not in the book")
        if inv["currency"] != cur:
            raise BankMatchError(f"invoice {number} is in {inv['currency']}, the line in {cur}")
        if int(inv["open_minor"]) <= 0:
            raise BankMatchError(f"invoice {number} is paid already")
        share = given_minor
        if share is None:
            share = min(left, max(0, int(inv["open_minor"])))
            left -= share
        parts.append((number, share))
    return parts
