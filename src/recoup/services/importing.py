"""Imports of customers, invoices and payments: all rows land, or none.

The file is read and checked first (`recoup.imports`); then, in one write transaction,
the records are checked against the book (unknown invoices, customers that disagree,
currencies that disagree) and written. Any problem rolls the transaction back, so a
refused import leaves the book exactly as it was. Natural keys make re-imports safe:
invoices by number, customers by id, payments by reference (or, without one, by
invoice or customer, date, amount and currency, counting repeats within the file).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from recoup.clock import local_today, now
from recoup.domain.currencies import MINOR_UNITS
from recoup.domain.history import EntryFields
from recoup.domain.money import format_minor
from recoup.domain.words import count
from recoup.imports import fixes, invoice_rows, mapping, records
from recoup.imports.fields import Kind
from recoup.imports.mapping import Options
from recoup.imports.numbers import AmountError, to_minor
from recoup.imports.problems import InputError, Problem
from recoup.imports.source import Progress, Table, open_table, path_problem
from recoup.services import allocation_sync, history
from recoup.services.book import Book, Rollback
from recoup.services.import_report import Change, ImportReport
from recoup.services.import_write import all_or_nothing
from recoup.services.importing_customers import write_customers
from recoup.store import ledger_repo, run_repo
from recoup.store.bulk import DuplicateKeyError

if TYPE_CHECKING:
    from recoup.imports.fast_invoices import PlainInvoices, read_plain_invoices
else:

    def read_plain_invoices(*args: Any, **kwargs: Any) -> Any:
        """The vectorised reader, when pyarrow is installed (the `fast` extra:
        `pip install recoup[fast]`); without it None, and the careful reader reads
        every file. Imported here, on a large file's first import, not with the module."""
        try:
            from recoup.imports import fast_invoices
        except ModuleNotFoundError as missing:
            if (missing.name or "").partition(".")[0] != "pyarrow":
                raise
            return None
        return fast_invoices.read_plain_invoices(*args, **kwargs)


__all__ = [
    "Change",
    "ImportReport",
    "Kind",
    "Options",
    "import_file",
    "path_problem",
    "record_payments",
]


# the fields whose values may run over several lines of a CSV file; a line break in a
# value of any other field's column is taken for a quote that was not closed (columns
# that feed no field are never stored and may hold what they like)
MULTILINE_FIELDS = ("address", "email")


def import_file(
    book: Book,
    kind: Kind,
    path: Path,
    options: Options,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    if kind is Kind.INVOICES and _is_einvoice(path):
        from recoup.services.importing_einvoice import import_einvoice

        return import_einvoice(book, path, options, dry_run=dry_run)
    report = ImportReport(kind.value, str(path), dry_run=dry_run)
    try:
        table = open_table(
            path, options.encoding, options.delimiter, options.sheet, progress,
            max_line_bytes=options.max_line_bytes,
        )  # fmt: skip
        cmap = mapping.resolve(
            kind, table.header, options.columns, table.name, table.column_label,
            table.header_line,
        )  # fmt: skip
        table.single_line = frozenset(i for f, i in cmap.index.items() if f not in MULTILINE_FIELDS)
        used = sorted(cmap.index.items(), key=lambda fi: fi[1])  # in the file's order
        report.columns = {table.header[i]: f for f, i in used}
        if (
            kind is Kind.INVOICES
            and table.delimiter is not None
            and not table.controls
            and path.stat().st_size >= FAST_PATH_BYTES
            and _try_fast_path(book, table, cmap, options, report, dry_run)
        ):
            return report
        reader = {
            Kind.INVOICES: invoice_rows.read_invoices,
            Kind.PAYMENTS: records.read_payments,
            Kind.CUSTOMERS: records.read_customers,
        }[kind]
        parsed = reader(table, cmap, options)
    except InputError as err:
        report.problems = err.problems
        return report
    report.rows = parsed.rows
    if parsed.problems:
        report.problems = parsed.problems
        return report
    writer = {
        Kind.INVOICES: _write_invoices,
        Kind.PAYMENTS: _write_payments,
        Kind.CUSTOMERS: write_customers,
    }[kind]
    all_or_nothing(book, report, dry_run, lambda conn: writer(conn, parsed, report))
    return report


def _is_einvoice(path: Path) -> bool:
    """An XML or PDF file, by its first bytes: an e-invoice (UBL, CII, Factur-X)."""
    from recoup.imports.einvoice import sniff

    return sniff(path) is not None


FAST_PATH_BYTES = 4_000_000  # files this large try the vectorised reader first


class _NotEmpty(Rollback):
    pass


def _try_fast_path(
    book: Book,
    table: Table,
    cmap: mapping.ColumnMap,
    options: Options,
    report: ImportReport,
    dry_run: bool,
) -> bool:
    """Load a plain invoice file into a book without invoices; False to go the careful way.

    Re-imports (the book has invoices) always go the careful way, which compares every
    row with what the book holds.
    """
    with book.read() as conn:
        if ledger_repo.has_invoices(conn):
            return False
    assert table.delimiter is not None
    plain = read_plain_invoices(
        table.path, table.header, table.delimiter, cmap, options, quoted=table.quoted
    )
    if plain is None:
        return False
    try:
        with book.write() as conn:
            if ledger_repo.has_invoices(conn):
                raise _NotEmpty
            _write_plain_invoices(conn, plain, report)
            if dry_run:
                raise Rollback
    except (_NotEmpty, DuplicateKeyError):
        return False  # a repeated invoice number: the careful reader names the rows
    except Rollback:
        pass
    return True


def _write_plain_invoices(conn: Connection, plain: PlainInvoices, report: ImportReport) -> None:
    wanted: dict[str, str] = dict.fromkeys(plain.customer, "")
    if plain.customer_name is not None:
        for key, name in zip(plain.customer, plain.customer_name, strict=True):
            if name and not wanted[key]:
                wanted[key] = name
    ids = _create_customers(conn, wanted, report)
    customer_ids = [ids[key] for key in plain.customer]

    def entries() -> list[tuple[int, str, str]]:
        numbers: dict[int, list[str]] = defaultdict(list)
        for cid, number in zip(customer_ids, plain.number, strict=True):
            numbers[cid].append(number)
        return _import_entries(report, numbers)

    # the history entries are made and hashed on the other core while SQLite builds the
    # invoices' indexes
    pending = history.record_uniform_alongside(
        conn, "import", [ids[key] for key in wanted], entries,
        actor="import", on=local_today(), at=now(),
    )  # fmt: skip
    ledger_repo.insert_plain_invoices(conn, plain.rows(customer_ids), pending.start)
    report.rows = report.imported = len(plain)
    pending.write(conn)
    with_credits = ledger_repo.customers_with_credits(conn)
    if with_credits:
        allocation_sync.recompute(conn, set(customer_ids) & with_credits)
    run_repo.enqueue(conn, customer_ids)


LISTED = 5  # invoice numbers named in an import's history entry (the ledger has them all)


def _record_import(
    conn: Connection,
    report: ImportReport,
    changed: dict[int, list[str]],
    credit_notes: dict[int, int] | None = None,
) -> None:
    entries = _import_entries(report, changed, credit_notes)
    history.record_uniform(conn, "import", entries, actor="import", on=local_today(), at=now())


def _import_entries(
    report: ImportReport,
    changed: dict[int, list[str]],
    credit_notes: dict[int, int] | None = None,
) -> list[tuple[int, str, str]]:
    """One history entry per customer whose invoices or credit notes arrived: how many,
    from which file, the first few numbers (the documents themselves, with their
    amounts, are in the ledger)."""
    credit_notes = credit_notes or {}
    name = Path(report.file).name
    file_json = json.dumps(name, ensure_ascii=False)  # data_text({"count", "file"}), by hand
    entries = []
    for cid, docs in changed.items():
        notes = credit_notes.get(cid, 0)
        invoices = len(docs) - notes
        what = count(invoices, "invoice") if invoices or not notes else ""
        if notes:
            what += (" and " if what else "") + count(notes, "credit note")
        shown = ", ".join(docs[:LISTED])
        more = f" and {len(docs) - LISTED} more" if len(docs) > LISTED else ""
        data = f'{{"count":{len(docs)},"file":{file_json}}}'
        entries.append((cid, f"{what} imported from {name}: {shown}{more}", data))
    return entries


def record_payments(conn: Connection, name: str, inserts: Sequence[tuple[Any, ...]]) -> None:
    """One history entry per payment that arrived from the file `name` (customer, key,
    date, currency, minor, method, reference, invoice)."""
    at = now()
    entries = []
    for cid, key, day, currency, minor, method, reference, invoice in inserts:
        text = f"Payment of {format_minor(minor, currency)} {currency} on {day}"
        if invoice:
            text += f" for invoice {invoice}"
        if reference:
            text += f" (reference {reference})"
        entries.append(
            (
                EntryFields(
                    cid, at, day, "payment", "import", f"{text}, imported from {name}",
                    {"file": name, "key": key, "amount": format_minor(minor, currency),
                     "currency": currency, "method": method, "invoice": invoice},
                ),
                (),
            )
        )  # fmt: skip
    history.record_many(conn, entries, want_ids=False)


def _problem(report: ImportReport, line: int, message: str) -> None:
    report.problems.append(Problem(report.file, line, None, message))


def _create_customers(
    conn: Connection, wanted: dict[str, str], report: ImportReport
) -> dict[str, int]:
    """Ids of the customers in `wanted` (key -> name), creating the unknown ones."""
    ids = ledger_repo.customer_ids(conn)
    new = [
        (key, name or key, "", "en", "UTC", "") for key, name in wanted.items() if key not in ids
    ]
    if new:
        new_ids = ledger_repo.insert_customers(conn, new)
        report.customers_created = len(new)
        ids.update(zip((row[0] for row in new), new_ids, strict=True))
    return ids


# the names of an invoice's and a payment's stored values, in the order the writers
# compare them with the book's (`ledger_repo.invoice_index`, `payment_index`)
INVOICE_FIELDS = ("customer", "kind", "issue_date", "due_date", "currency", "amount", "tax",
                  "reference", "terms_days", "applies_to")  # fmt: skip
PAYMENT_FIELDS = ("customer", "date", "currency", "amount", "method", "reference", "invoice")


def _differ(names: tuple[str, ...], old: tuple[Any, ...], new: tuple[Any, ...]) -> list[str]:
    return [n for n, a, b in zip(names, old, new, strict=True) if a != b]


def _write_invoices(conn: Connection, parsed: records.Parsed, report: ImportReport) -> None:
    wanted: dict[str, str] = {}
    for rec in parsed.invoices:
        if rec.customer not in wanted or (rec.customer_name and not wanted[rec.customer]):
            wanted[rec.customer] = rec.customer_name
    ids = _create_customers(conn, wanted, report)
    existing = ledger_repo.invoice_index(conn)
    numbers = {rec.number for rec in parsed.invoices}
    inserts: list[tuple[Any, ...]] = []  # credit notes and the unusual: every column
    plain: list[tuple[Any, ...]] = []  # ordinary invoices: the columns without defaults
    touched: set[int] = set()
    for rec in parsed.invoices:
        assert isinstance(rec.issue_date, date)
        assert isinstance(rec.due_date, date)
        assert rec.amount_minor is not None
        cid = ids[rec.customer]
        if rec.applies_to and rec.applies_to not in numbers and rec.applies_to not in existing:
            _problem(
                report,
                rec.line,
                f"credit note {rec.number} applies to invoice "
                f"{rec.applies_to}, which is neither in the file nor in the book",
            )
        values = (
            cid,
            rec.kind,
            rec.issue_date,
            rec.due_date,
            rec.currency,
            rec.amount_minor,
            rec.tax_minor,
            rec.reference,
            rec.terms_days,
            rec.applies_to,
        )
        old = existing.get(rec.number)
        if old is None:
            if rec.kind == "invoice" and rec.amount_minor and not rec.applies_to:
                plain.append(
                    (
                        cid,
                        rec.number,
                        rec.issue_date,
                        rec.due_date,
                        rec.currency,
                        rec.amount_minor,
                        rec.tax_minor,
                        rec.reference,
                        rec.terms_days,
                    )
                )
            else:
                credit = rec.kind == "credit_note"
                status = "credit" if credit else ("open" if rec.amount_minor else "paid")
                settled = None if credit or rec.amount_minor else rec.issue_date
                inserts.append((cid, rec.number, *values[1:], status, 0, None, None, settled))
                touched.add(cid)
            report.imported += 1
        elif tuple(old[1:]) == values:
            report.unchanged += 1
        else:
            report.update(rec.number, rec.line, _differ(INVOICE_FIELDS, old[1:], values))
            ledger_repo.update_invoice(
                conn,
                old[0],
                {
                    "customer_id": cid,
                    "kind": rec.kind,
                    "issue_date": rec.issue_date,
                    "due_date": rec.due_date,
                    "currency": rec.currency,
                    "amount_minor": rec.amount_minor,
                    "tax_minor": rec.tax_minor,
                    "reference": rec.reference,
                    "terms_days": rec.terms_days,
                    "applies_to": rec.applies_to,
                    "status": "credit" if rec.kind == "credit_note" else "open",
                    "paid_minor": 0,
                    "first_paid_on": None,
                    "last_paid_on": None,
                    "settled_on": None,
                },
            )
            touched.update((cid, old[1]))
    if report.problems:
        return
    ledger_repo.insert_plain_invoices(conn, plain)
    ledger_repo.insert_invoices(conn, inserts)
    changed: dict[int, list[str]] = defaultdict(list)
    credit_notes: dict[int, int] = defaultdict(int)
    for row in plain:
        changed[row[0]].append(row[1])
    for row in inserts:
        changed[row[0]].append(row[1])
        if row[2] == "credit_note":
            credit_notes[row[0]] += 1
    _record_import(conn, report, changed, credit_notes)
    # new invoices change the allocation only where there are credits to apply
    with_credits = ledger_repo.customers_with_credits(conn)
    if with_credits:
        touched |= {row[0] for row in plain} & with_credits
    allocation_sync.recompute(conn, touched)
    run_repo.enqueue(conn, touched | {row[0] for row in plain})


def _write_payments(conn: Connection, parsed: records.Parsed, report: ImportReport) -> None:
    owners = ledger_repo.invoice_owners(conn, [r.invoice for r in parsed.payments if r.invoice])
    ids = ledger_repo.customer_ids(conn)
    key_of_id = {v: k for k, v in ids.items()}
    existing = ledger_repo.payment_index(conn)
    customer_currencies = ledger_repo.currencies_of_customers(
        conn,
        {
            ids[r.customer]
            for r in parsed.payments
            if not r.invoice and not r.currency and r.customer in ids
        },
    )
    seen: Counter[str] = Counter()
    by_ref: dict[str, tuple[int, tuple[Any, ...]]] = {}
    inserts: list[tuple[Any, ...]] = []
    touched: set[int] = set()
    for rec in parsed.payments:
        cid: int | None = None
        currency = rec.currency
        if rec.invoice:
            owner = owners.get(rec.invoice)
            if owner is None:
                _problem(
                    report,
                    rec.line,
                    f"invoice {rec.invoice} is not in the book (import the invoices first)",
                )
                continue
            cid, inv_currency = owner
            if rec.customer and ids.get(rec.customer) != cid:
                _problem(
                    report,
                    rec.line,
                    f"invoice {rec.invoice} belongs to customer "
                    f"{key_of_id[cid]}, not {rec.customer}",
                )
                continue
            if currency and currency != inv_currency:
                _problem(
                    report,
                    rec.line,
                    f"the payment is in {currency} but invoice {rec.invoice} is in {inv_currency}",
                )
                continue
            currency = inv_currency
        else:
            assert rec.customer is not None
            cid = ids.get(rec.customer)
            if cid is None:
                _problem(report, rec.line, f"customer {rec.customer} is not in the book")
                continue
            if currency is None:
                # a customer billed in one currency only pays in it
                known = customer_currencies.get(cid, set())
                if len(known) != 1:
                    report.problems.append(
                        fixes.problem(report.file, rec.line, None, "no currency: ", fixes.CURRENCY)
                    )
                    continue
                currency = next(iter(known))
        amount = rec.amount_minor
        if amount is None and rec.parsed_amount is not None:
            try:
                amount = to_minor(rec.parsed_amount, MINOR_UNITS[currency])
            except AmountError as err:
                _problem(report, rec.line, f"amount {err}, the most {currency} allows")
                continue
        assert amount is not None
        assert isinstance(rec.date, date)
        values = (cid, rec.date, currency, amount, rec.method, rec.reference, rec.invoice)
        if rec.reference:
            key = f"ref:{rec.reference}"
            if key in by_ref:
                first_line, first_values = by_ref[key]
                if first_values != values:
                    _problem(
                        report,
                        rec.line,
                        f"payment reference {rec.reference} appears "
                        f"again (first at line {first_line}) with different values",
                    )
                continue
            by_ref[key] = (rec.line, values)
        else:
            base = f"auto:{rec.invoice or 'c:' + key_of_id[cid]}|{rec.date}|{amount}|{currency}"
            seen[base] += 1
            key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        old = existing.get(key)
        if old is None:
            inserts.append((cid, key, *values[1:]))
            report.imported += 1
            touched.add(cid)
        elif tuple(old[1:]) == values:
            report.unchanged += 1
        else:
            report.update(key, rec.line, _differ(PAYMENT_FIELDS, old[1:], values))
            touched.update((cid, old[1]))
            ledger_repo.update_payment(
                conn,
                old[0],
                {
                    "customer_id": cid,
                    "date": rec.date,
                    "currency": currency,
                    "amount_minor": amount,
                    "method": rec.method,
                    "reference": rec.reference,
                    "invoice_number": rec.invoice,
                },
            )
    if report.problems:
        return
    ledger_repo.insert_payments(conn, inserts)
    record_payments(conn, Path(report.file).name, inserts)
    allocation_sync.recompute(conn, touched)
    run_repo.enqueue(conn, touched)  # the daily run looks at them again
