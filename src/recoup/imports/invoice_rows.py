"""Invoice rows to records: the hot path of a million-row import.

Plain values take the fast path and anything unusual goes through the careful readers
of `records.RowReader`; dates are read with one format for the whole file once every
row is known, then credit notes, due dates and repeated numbers are settled.
"""

from __future__ import annotations

from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from recoup.domain.currencies import MINOR_UNITS
from recoup.imports import fixes
from recoup.imports.dates import read_dates
from recoup.imports.fields import INVOICE_FIELDS, TEXT_LIMITS, Kind
from recoup.imports.mapping import ColumnMap, Options
from recoup.imports.records import InvoiceRecord, Parsed, RowReader
from recoup.imports.source import Cell, Table

_SCALE = (1, 10, 100, 1000, 10000)


def _fast_minor(text: str, digits: int) -> int | None:
    """Plain "1234" or "1234.5" to minor units; None when the slow path must decide."""
    whole, _, frac = text.partition(".")
    if whole.isdigit() and len(frac) <= digits and (not frac or frac.isdigit()):
        if frac:
            return int(whole) * _SCALE[digits] + int(frac) * _SCALE[digits - len(frac)]
        return int(whole) * _SCALE[digits]
    return None


def read_invoices(table: Table, cmap: ColumnMap, opts: Options) -> Parsed:
    """Invoices and credit notes. The loop is the hot path of a million-row import: plain
    values take the fast path and anything unusual goes through the careful readers."""
    r = RowReader(table, cmap, opts)
    out = Parsed(Kind.INVOICES)
    ncols = len(table.header)  # every row has the header's width (source.Table)
    get = itemgetter(*[cmap.index.get(f, ncols) for f in INVOICE_FIELDS])
    has_due, has_cur = "due_date" in cmap.index, "currency" in cmap.index
    default_cur = r.default_currency
    no_due_ok = "terms_days" in cmap.index or opts.terms_days is not None
    fast_amounts = opts.decimal in (None, ".")
    currencies: dict[Cell, str | None] = {}
    records_out = out.invoices
    seen_point = False
    for line, cells in table.rows:
        cells.append("")  # what a field without a column reads
        (
            customer,
            name,
            number,
            issue,
            due,
            terms_text,
            amount_text,
            cur_text,
            tax_text,
            ref,
            applies,
        ) = get(cells)
        if isinstance(customer, str):
            customer = customer.strip()
        else:
            customer = r.text(line, "customer", customer)
        if isinstance(number, str):
            number = number.strip()
        else:
            number = r.text(line, "number", number)
        if not customer:
            r.problem(line, "customer", "customer is empty")
        if not number:
            r.problem(line, "number", "invoice number is empty")
        if has_cur and cur_text:
            if cur_text in currencies:
                currency = currencies[cur_text]
            else:
                currency = currencies[cur_text] = r.currency(line, cur_text)
                if currency is None:
                    del currencies[cur_text]  # report every line with a bad code
        else:
            currency = default_cur
            if currency is None:
                r.fix_problem(line, None, "no currency: ", fixes.CURRENCY)
        terms: int | None = None
        if terms_text:
            t = str(terms_text).strip().removesuffix(".0")
            if t.isdigit():
                terms = int(t)
            else:
                r.problem(
                    line, "terms_days", f"terms_days {terms_text!r} is not a whole number of days"
                )
        name = name.strip() if isinstance(name, str) else ""
        ref = ref.strip() if isinstance(ref, str) else ""
        rec = InvoiceRecord(
            line,
            customer,
            name,
            number,
            "invoice",
            issue,
            None,
            terms,
            currency or "",
            None,
            None,
            ref,
            (applies.strip() or None) if isinstance(applies, str) else None,
        )
        if len(customer) > 64 or len(number) > 64 or len(name) > 200 or len(ref) > 200:
            for fld, value in (
                ("customer", customer),
                ("number", number),
                ("customer_name", name),
                ("reference", ref),
            ):
                if len(value) > TEXT_LIMITS[fld]:
                    r.problem(
                        line,
                        fld,
                        f"{fld} is {len(value)} characters long; at most "
                        f"{TEXT_LIMITS[fld]} are allowed",
                    )
        if issue == "":
            r.problem(line, "issue_date", "issue date is empty")
        if has_due and due != "":
            rec.due_date = due
        elif not no_due_ok:
            r.fix_problem(line, "due_date" if has_due else None, "no due date: ", fixes.TERMS)
        if amount_text == "":
            r.problem(line, "amount", "amount is empty")
        elif currency is not None:
            digits = MINOR_UNITS[currency]
            minor = (
                _fast_minor(amount_text, digits)
                if fast_amounts and isinstance(amount_text, str)
                else None
            )
            if minor is not None:
                rec.amount_minor = minor
                if not seen_point and "." in amount_text:
                    seen_point = True
                    r.decimal_seen.setdefault(".", (line, r.col("amount"), amount_text))
            else:
                rec.amount_minor = r.amount(
                    line, "amount", amount_text, currency, rec, "amount_minor"
                )
        if tax_text != "" and currency is not None:
            minor = (
                _fast_minor(tax_text, MINOR_UNITS[currency])
                if fast_amounts and isinstance(tax_text, str)
                else None
            )
            if minor is not None:
                rec.tax_minor = minor
            else:
                rec.tax_minor = r.amount(line, "tax", tax_text, currency, rec, "tax_minor")
        records_out.append(rec)
    out.rows = len(records_out)
    r.settle_amounts()
    _settle_invoice_dates(r, out.invoices)
    _finish_invoices(r, out, opts)
    out.problems = r.problems
    return out


def _settle_invoice_dates(r: RowReader, recs: list[InvoiceRecord]) -> None:
    """Read the issue and due dates of all records with one format for the whole file."""
    ordered: dict[str, None] = {}  # distinct date texts in file order
    for x in recs:
        if isinstance(x.issue_date, str):
            ordered[x.issue_date] = None
        if isinstance(x.due_date, str):
            ordered[x.due_date] = None
    ordered.pop("", None)
    reading = read_dates(ordered, r.opts.date_format)
    if reading.ambiguity is not None:
        text, f1, f2, d1, d2 = reading.ambiguity
        where = next(x for x in recs if text in (x.issue_date, x.due_date))
        fld = "issue_date" if where.issue_date == text else "due_date"
        r.fix_problem(
            where.line,
            fld,
            f"ambiguous dates: {text!r} reads as {d1} with {f1} and as {d2} with {f2}; ",
            fixes.DATE_FORMAT,
        )
        return
    values: dict[Any, date] = dict(reading.values)
    if len(values) < len(ordered):
        shown = reading.fmt or "any known format"
        for x in recs:
            for fld in ("issue_date", "due_date"):
                raw = getattr(x, fld)
                if isinstance(raw, str) and raw and raw not in values:
                    r.fix_problem(
                        x.line, fld, f"{raw!r} is not a date in {shown}; ", fixes.DATE_FORMAT
                    )
    get = values.get
    for x in recs:
        issue, due = x.issue_date, x.due_date
        if issue.__class__ is str:
            x.issue_date = get(issue, issue)
        if due.__class__ is str:
            x.due_date = get(due, due)


def _finish_invoices(r: RowReader, out: Parsed, opts: Options) -> None:
    seen: dict[str, InvoiceRecord] = {}
    unique: list[InvoiceRecord] = []
    for rec in out.invoices:
        if rec.amount_minor is not None and rec.amount_minor < 0:
            rec.kind = "credit_note"
            rec.amount_minor = -rec.amount_minor
            if rec.tax_minor is not None:
                rec.tax_minor = -rec.tax_minor
        if isinstance(rec.issue_date, date) and rec.due_date is None:
            terms = rec.terms_days if rec.terms_days is not None else opts.terms_days
            if terms is not None:
                rec.due_date = rec.issue_date + timedelta(days=terms)
        if (
            isinstance(rec.issue_date, date)
            and isinstance(rec.due_date, date)
            and rec.due_date < rec.issue_date
        ):
            r.problem(
                rec.line,
                "due_date",
                f"due date {rec.due_date} is before the issue date {rec.issue_date}",
            )
        if (
            rec.tax_minor is not None
            and rec.amount_minor is not None
            and rec.tax_minor > rec.amount_minor
        ):
            r.problem(rec.line, "tax", "tax is larger than the amount it is part of")
        if not rec.number:
            continue
        first = seen.get(rec.number)
        if first is None:
            seen[rec.number] = rec
            unique.append(rec)
            continue
        differs = [
            name
            for name in (
                "customer",
                "kind",
                "issue_date",
                "due_date",
                "currency",
                "amount_minor",
                "tax_minor",
                "reference",
            )
            if getattr(first, name) != getattr(rec, name)
        ]
        if differs:
            what = ", ".join(
                f"{n.removesuffix('_minor')} {_show(getattr(rec, n), rec.currency, n)} here, "
                f"{_show(getattr(first, n), first.currency, n)} there"
                for n in differs
            )
            r.problem(
                rec.line,
                "number",
                f"invoice {rec.number} appears again (first at "
                f"line {first.line}) with different values: {what}",
            )
    out.invoices = unique


def _show(value: object, currency: str, name: str) -> str:
    if name.endswith("_minor") and isinstance(value, int) and currency in MINOR_UNITS:
        digits = MINOR_UNITS[currency]
        return f"{value / 10**digits:.{digits}f}" if digits else str(value)  # display only
    return str(value)
