"""Rows to records: one pass over the file, then the file-wide decisions.

Dates and ambiguous amounts are settled after the pass, when every value of the file
is known (see `dates.py` and `numbers.py`); everything else is checked row by row.
Every problem names the file, the line and the column. The rows come from
`source.Table`, which has left out (and named in `Table.problems`) every row it could
not read exactly; a reader's problems go into the same list, in the order of the file.
Invoices are read by `invoice_rows.py`; payments and customers here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from recoup.domain.currencies import MINOR_UNITS
from recoup.domain.emails import EmailError, read_addresses
from recoup.domain.regions import region_code, unknown_region
from recoup.imports import fixes
from recoup.imports.dates import read_dates
from recoup.imports.fields import TEXT_LIMITS, Kind
from recoup.imports.mapping import ColumnMap, Options
from recoup.imports.numbers import (
    AmountError,
    ParsedAmount,
    ambiguous_as_decimal,
    parse_amount,
    to_minor,
)
from recoup.imports.problems import Problem
from recoup.imports.source import Cell, Table

MAX_TEXT = 500  # characters in one text field


@dataclass(slots=True)
class InvoiceRecord:
    line: int
    customer: str
    customer_name: str
    number: str
    kind: str  # invoice | credit_note
    issue_date: date | str
    due_date: date | str | None
    terms_days: int | None
    currency: str
    amount_minor: int | None
    tax_minor: int | None
    reference: str
    applies_to: str | None


@dataclass(slots=True)
class PaymentRecord:
    line: int
    invoice: str | None
    customer: str | None
    date: date | str
    currency: str | None
    amount_minor: int | None
    reference: str
    method: str
    parsed_amount: ParsedAmount | None = None  # read once the invoice's currency is known


@dataclass(slots=True)
class CustomerRecord:
    line: int
    customer: str
    values: dict[str, str]  # field -> text, only the fields the file has
    emails: tuple[str, ...] = ()  # the email field's addresses, checked and normalised
    # the region column's text still to be checked against the book's country (the row
    # gives none); a region checked here is in `values` as its code
    region_unchecked: bool = False


@dataclass
class Parsed:
    kind: Kind
    invoices: list[InvoiceRecord] = field(default_factory=list)
    payments: list[PaymentRecord] = field(default_factory=list)
    customers: list[CustomerRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    columns: dict[str, str | int] = field(default_factory=dict)  # field -> its column


@dataclass
class _Pending:
    """An amount whose reading waits for the whole file: (record, attribute, ...)."""

    record: InvoiceRecord | PaymentRecord
    attr: str
    parsed: ParsedAmount
    currency: str | None
    line: int
    column: str | int
    text: str


class RowReader:
    def __init__(self, table: Table, cmap: ColumnMap, opts: Options) -> None:
        self.table = table
        self.file = table.name
        self.idx = cmap.index
        self.opts = opts
        self.problems: list[Problem] = table.problems  # the rows' own, in file order
        self.pending: list[_Pending] = []
        self.decimal_seen: dict[str, tuple[int, str | int, str]] = {}
        self.date_cells: list[tuple[object, str, int, str | int]] = []
        self.default_currency = (opts.currency or "").upper() or None
        if self.default_currency and self.default_currency not in MINOR_UNITS:
            self.problems.append(
                Problem(
                    "--currency", None, None, f"{opts.currency!r} is not an ISO 4217 currency code"
                )
            )
            self.default_currency = None

    def col(self, fld: str) -> str | int:
        return self.table.column_label(self.idx[fld])

    def problem(self, line: int, fld: str | None, message: str) -> None:
        self.problems.append(
            Problem(self.file, line, self.col(fld) if fld is not None else None, message)
        )

    def fix_problem(self, line: int, fld: str | None, before: str, fix: fixes.Fix) -> None:
        """A problem that `fix` fixes: `before`, then the words for it."""
        col = self.col(fld) if fld is not None else None
        self.problems.append(fixes.problem(self.file, line, col, before, fix))

    def getter(self, fld: str) -> Callable[[list[Cell]], Cell]:
        if fld not in self.idx:
            return lambda cells: ""
        i = self.idx[fld]

        def get(cells: list[Cell]) -> Cell:
            if i >= len(cells):
                return ""
            value = cells[i]
            return value.strip() if isinstance(value, str) else value

        return get

    def text(self, line: int, fld: str, value: Cell) -> str:
        if not isinstance(value, str):
            return value.isoformat()
        if len(value) > MAX_TEXT:
            self.problem(
                line, fld, f"{fld} is {len(value)} characters long; at most {MAX_TEXT} are allowed"
            )
            return value[:MAX_TEXT]
        return value

    def currency(self, line: int, value: Cell) -> str | None:
        code = value.upper() if isinstance(value, str) else ""
        if code:
            if code not in MINOR_UNITS:
                self.problem(line, "currency", f"{value!r} is not an ISO 4217 currency code")
                return None
            return code
        return self.default_currency

    def amount(
        self,
        line: int,
        fld: str,
        value: Cell,
        currency: str | None,
        record: InvoiceRecord | PaymentRecord,
        attr: str,
    ) -> int | None:
        text = value if isinstance(value, str) else str(value)
        if not text:
            return None
        try:
            parsed = parse_amount(text, self.opts.decimal)
        except AmountError:
            self.problem(line, fld, f"{fld} {text!r} is not a number")
            return None
        if parsed.decimal_sep is not None and parsed.decimal_sep not in self.decimal_seen:
            self.decimal_seen[parsed.decimal_sep] = (line, self.col(fld), text)
        if parsed.ambiguous_sep is not None:
            self.pending.append(_Pending(record, attr, parsed, currency, line, self.col(fld), text))
            return None
        if currency is None:
            return None
        try:
            return to_minor(parsed, MINOR_UNITS[currency])
        except AmountError as err:
            self.problem(line, fld, f"{fld} {text!r} {err}, the most {currency} allows")
            return None

    def settle_amounts(self) -> None:
        """Decide the file's decimal mark and read the ambiguous amounts with it."""
        if len(self.decimal_seen) > 1 and self.opts.decimal is None:
            (l1, _c1, t1), (l2, c2, t2) = (self.decimal_seen["."], self.decimal_seen[","])
            self.problems.append(
                fixes.problem(
                    self.file,
                    l2,
                    c2,
                    f"the file mixes decimal marks: {t1!r} (line {l1}) uses a point, "
                    f"{t2!r} uses a comma; ",
                    fixes.DECIMAL,
                )
            )
            return
        file_decimal = next(iter(self.decimal_seen), None)
        for p in self.pending:
            parsed = p.parsed
            if file_decimal is not None and p.parsed.ambiguous_sep == file_decimal:
                parsed = ambiguous_as_decimal(parsed)
            if p.currency is None:
                if isinstance(p.record, PaymentRecord):
                    p.record.parsed_amount = parsed
                continue
            digits = MINOR_UNITS[p.currency]
            if file_decimal is None and digits >= 3:
                self.problems.append(
                    fixes.problem(
                        self.file,
                        p.line,
                        p.column,
                        f"{p.text!r} could be {parsed.whole} or "
                        f"{ambiguous_as_decimal(parsed).whole or 0}."
                        f"{ambiguous_as_decimal(parsed).fraction} {p.currency}; ",
                        fixes.DECIMAL,
                    )
                )
                continue
            try:
                setattr(p.record, p.attr, to_minor(parsed, digits))
            except AmountError as err:
                self.problems.append(Problem(self.file, p.line, p.column, f"{p.text!r} {err}"))

    def date(self, record: object, attr: str, line: int, fld: str, value: Cell) -> None:
        if isinstance(value, str) and value:
            self.date_cells.append((record, attr, line, self.col(fld)))

    def settle_dates(self) -> bool:
        """Read every date text of the file; False if the file's dates are refused."""
        texts = [getattr(r, a) for r, a, _, _ in self.date_cells]
        reading = read_dates((t for t in texts if isinstance(t, str)), self.opts.date_format)
        if reading.ambiguity is not None:
            text, f1, f2, d1, d2 = reading.ambiguity
            where = next(
                (ln, c)
                for (r, a, ln, c), t in zip(self.date_cells, texts, strict=True)
                if t == text
            )
            self.problems.append(
                fixes.problem(
                    self.file,
                    where[0],
                    where[1],
                    f"ambiguous dates: {text!r} reads as {d1} with {f1} and as {d2} with {f2}; ",
                    fixes.DATE_FORMAT,
                )
            )
            return False
        shown = reading.fmt or "any known format"
        for (record, attr, line, column), text in zip(self.date_cells, texts, strict=True):
            if not isinstance(text, str):
                continue
            value = reading.values.get(text)
            if value is None:
                self.problems.append(
                    fixes.problem(
                        self.file, line, column, f"{text!r} is not a date in {shown}; ",
                        fixes.DATE_FORMAT,
                    )
                )  # fmt: skip
            else:
                setattr(record, attr, value)
        return True


def read_payments(table: Table, cmap: ColumnMap, opts: Options) -> Parsed:
    r = RowReader(table, cmap, opts)
    out = Parsed(Kind.PAYMENTS)
    g_invoice, g_customer, g_date = r.getter("invoice"), r.getter("customer"), r.getter("date")
    g_amount, g_currency = r.getter("amount"), r.getter("currency")
    g_ref, g_method = r.getter("reference"), r.getter("method")
    if "invoice" not in cmap.index and "customer" not in cmap.index:
        r.problems.append(
            fixes.problem(
                r.file,
                1,
                None,
                "a payment needs an invoice or a customer column: ",
                fixes.column("invoice", "customer"),
            )
        )
        out.problems = r.problems
        return out
    for line, cells in table.rows:
        out.rows += 1
        invoice = r.text(line, "invoice", g_invoice(cells)) if "invoice" in cmap.index else ""
        customer = r.text(line, "customer", g_customer(cells)) if "customer" in cmap.index else ""
        if not invoice and not customer:
            r.problem(line, None, "the payment names neither an invoice nor a customer")
        currency_text = g_currency(cells)
        currency = r.currency(line, currency_text) if currency_text else r.default_currency
        rec = PaymentRecord(
            line,
            invoice or None,
            customer or None,
            "",
            currency,
            None,
            r.text(line, "reference", g_ref(cells)),
            r.text(line, "method", g_method(cells)),
        )
        day = g_date(cells)
        if day == "":
            r.problem(line, "date", "payment date is empty")
        rec.date = day
        r.date(rec, "date", line, "date", day)
        amount_text = g_amount(cells)
        if amount_text == "":
            r.problem(line, "amount", "amount is empty")
        # without a currency the amount is read once the invoice's currency is known
        if currency is not None:
            rec.amount_minor = r.amount(line, "amount", amount_text, currency, rec, "amount_minor")
        if currency is None:
            _defer_amount(r, rec, line, amount_text)
        if rec.amount_minor is not None and rec.amount_minor <= 0:
            r.problem(
                line,
                "amount",
                "a payment must be more than zero (refunds are entered as credit notes)",
            )
        out.payments.append(rec)
    r.settle_amounts()
    r.settle_dates()
    out.problems = r.problems
    return out


def _defer_amount(r: RowReader, rec: PaymentRecord, line: int, text: Cell) -> None:
    """Keep the parsed amount for a payment whose currency comes from its invoice."""
    if not isinstance(text, str) or not text:
        return
    try:
        parsed = parse_amount(text, r.opts.decimal)
    except AmountError:
        r.problem(line, "amount", f"amount {text!r} is not a number")
        return
    if parsed.ambiguous_sep is None:
        rec.parsed_amount = parsed
        if parsed.negative or not (parsed.whole.strip("0") or parsed.fraction.strip("0")):
            r.problem(
                line,
                "amount",
                "a payment must be more than zero (refunds are entered as credit notes)",
            )
        return
    r.pending.append(_Pending(rec, "amount_minor", parsed, None, line, r.col("amount"), text))


def read_customers(table: Table, cmap: ColumnMap, opts: Options) -> Parsed:
    r = RowReader(table, cmap, opts)
    out = Parsed(Kind.CUSTOMERS)
    getters = {f: r.getter(f) for f in cmap.index}
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        out.rows += 1
        values = {f: r.text(line, f, g(cells)) for f, g in getters.items()}
        key = values.pop("customer", "")
        if not key:
            r.problem(line, "customer", "customer id is empty")
            continue
        if key in seen:
            r.problem(line, "customer", f"customer {key} appears again (first at line {seen[key]})")
            continue
        seen[key] = line
        rec = CustomerRecord(line, key, values)
        country = values.get("country", "")
        good_country = len(country) == 2 and country.isalpha()
        if country and not good_country:
            r.problem(line, "country", f"country {country!r} is not a two-letter ISO code")
        if values.get("email"):
            try:
                rec.emails = read_addresses(values["email"])
            except EmailError as err:
                r.problem(line, "email", f"email {err}")
        if values.get("region"):
            if good_country:
                _check_region(r, rec, country)
            elif not country:
                rec.region_unchecked = True
        out.customers.append(rec)
    out.columns = {f: r.col(f) for f in cmap.index}
    out.problems = r.problems
    return out


def _check_region(r: RowReader, rec: CustomerRecord, country: str) -> None:
    code, problem = checked_region(country, rec.values["region"])
    if problem:
        r.problem(rec.line, "region", problem)
    else:
        rec.values["region"] = code


def checked_region(country: str, text: str) -> tuple[str, str]:
    """(the subdivision code of `country` that `text` names, "") or ("", the problem)."""
    code = region_code(country, text)
    if code is None:
        return "", unknown_region(country, text)
    if len(code) > TEXT_LIMITS["region"]:
        limit = TEXT_LIMITS["region"]
        return "", f"region {code!r} has more than {limit} characters, more than the book keeps"
    return code, ""
