"""A vectorised fast path for large, plain invoice files, read with pyarrow.

Most big exports are plain: UTF-8, one date format, amounts like "1234.56", no credit
notes, no repeated numbers. For those, reading, checking and converting column by
column in Arrow is many times faster than the row-by-row reader. The fast path only
ever says "plain, here are the columns" or "not plain" (None); in the second case the
careful reader (`invoice_rows.py`) reads the file and names every problem with its
line and column. Both give the same records for a plain file (a test checks), and
the fast path never takes a file the careful reader refuses: what `source.py` refuses
for the whole file (long lines, repeated column names) comes before it, a file with
control characters never comes to it, pyarrow refuses rows of the wrong width, and
quotes must open and close a cell on one line (`_simple_quoting`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from recoup.domain.currencies import MINOR_UNITS
from recoup.imports.dates import read_dates
from recoup.imports.fields import INVOICE_FIELDS, TEXT_LIMITS
from recoup.imports.mapping import ColumnMap, Options

_SUPPORTED = set(INVOICE_FIELDS) - {"applies_to"}  # credit notes take the careful path


@dataclass
class PlainInvoices:
    """Columns ready to insert, as Python lists of equal length."""

    customer: list[str]
    customer_name: list[str] | None
    number: list[str]
    issue_date: list[str]  # ISO dates
    due_date: list[str]
    currency: list[str]
    amount_minor: list[int]
    tax_minor: list[int | None]
    reference: list[str]
    terms_days: list[int | None]

    def __len__(self) -> int:
        return len(self.number)

    def rows(self, customer_ids: list[int]) -> list[tuple[object, ...]]:
        """Rows in the store's plain-invoice column order (customer id, number, issue,
        due, currency, amount, tax, reference, terms), given each row's customer id."""
        return list(
            zip(
                customer_ids,
                self.number,
                self.issue_date,
                self.due_date,
                self.currency,
                self.amount_minor,
                self.tax_minor,
                self.reference,
                self.terms_days,
                strict=True,
            )
        )


def _column(
    table: pa.Table, cmap: ColumnMap, header: list[str], field: str
) -> pa.ChunkedArray | None:
    if field not in cmap.index:
        return None
    return table.column(cmap.index[field])


def _plain_text(col: pa.ChunkedArray, limit: int, required: bool) -> bool:
    if col.null_count:
        return False
    if not pc.all(pc.equal(col, pc.utf8_trim_whitespace(col))).as_py():
        return False
    lengths = pc.utf8_length(col)
    if required and pc.min(lengths).as_py() == 0:
        return False
    return bool(pc.max(lengths).as_py() <= limit)


def _minor(col: pa.ChunkedArray, digits: int) -> pa.ChunkedArray | None:
    pattern = r"^\d{1,15}$" if digits == 0 else rf"^\d{{1,15}}(\.\d{{1,{digits}}})?$"
    if not pc.all(pc.match_substring_regex(col, pattern)).as_py():
        return None
    as_dec = pc.cast(col, pa.decimal128(18 + digits, digits))
    scaled = pc.multiply(as_dec, pa.scalar(10**digits, pa.decimal128(5, 0)))
    return pc.cast(scaled, pa.int64())


def _simple_quoting(path: Path, delimiter: str) -> bool:
    """Whether every quote of the file opens a cell and closes it on the same line, as
    the careful reader reads it: then pyarrow's cells are Python's csv module's (on
    its own, pyarrow reads a cell over several lines, and `"a"b` as `ab`). One C++
    regular expression a line."""
    try:
        lines = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=["line"]),
            # US (0x1F) never splits a line: a file with control characters never
            # comes here (source.Table.controls)
            parse_options=pacsv.ParseOptions(delimiter="\x1f", quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={"line": pa.string()}, strings_can_be_null=False
            ),
        ).column(0)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError):
        return False
    d = "\\" + delimiter if delimiter in "|\\" else delimiter
    cell = f'(?:"(?:[^"]|"")*"|[^"{d}]*)'
    return bool(pc.all(pc.match_substring_regex(lines, f"^{cell}(?:{d}{cell})*$")).as_py())


def read_plain_invoices(
    path: Path,
    header: list[str],
    delimiter: str,
    cmap: ColumnMap,
    opts: Options,
    *,
    quoted: bool = True,
) -> PlainInvoices | None:
    """The file's invoices if it is plain in every respect, else None. `quoted`: the
    file has a quote character somewhere (without one, its quoting needs no look)."""
    if set(cmap.index) - _SUPPORTED or opts.decimal == ",":
        return None
    if opts.encoding not in (None, "utf-8", "utf8", "UTF-8"):
        return None
    if quoted and not _simple_quoting(path, delimiter):
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(header))], skip_rows=1
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError):
        return None
    n = table.num_rows
    if n == 0:
        return None

    def col(field: str) -> pa.ChunkedArray | None:
        return _column(table, cmap, header, field)

    customer, number = col("customer"), col("number")
    if customer is None or number is None:
        return None
    if not (_plain_text(customer, 64, True) and _plain_text(number, 64, True)):
        return None
    # Repeated numbers are not looked for here: the unique index on invoice numbers
    # refuses them when the rows go in, and the import then takes the careful way,
    # which explains which rows repeat (cheaper than a distinct count of every number).
    name, reference = col("customer_name"), col("reference")
    for text, fld in ((name, "customer_name"), (reference, "reference")):
        if text is not None and not _plain_text(text, TEXT_LIMITS[fld], False):
            return None

    currency_col = col("currency")
    if currency_col is not None:
        codes = list(pc.unique(currency_col).to_pylist())
        if "" in codes:
            if not opts.currency:
                return None
            currency_col = pc.if_else(
                pc.equal(currency_col, ""), opts.currency.upper(), currency_col
            )
            codes = pc.unique(currency_col).to_pylist()
        if any(c not in MINOR_UNITS for c in codes):
            return None
        currencies = pc.cast(currency_col, pa.string())
    else:
        code = (opts.currency or "").upper()
        if code not in MINOR_UNITS:
            return None
        codes = [code]
        currencies = pa.chunked_array([pa.array([code] * n, pa.string())])
    digit_counts = {MINOR_UNITS[c] for c in codes}
    if len(digit_counts) != 1:
        return None
    digits = digit_counts.pop()

    amount_col = col("amount")
    assert amount_col is not None
    amount = _minor(amount_col, digits)
    if amount is None:
        return None  # negative amounts (credit notes), commas, symbols: the careful path
    tax_col = col("tax")
    tax: list[int | None]
    if tax_col is None:
        tax = [None] * n
    else:
        has_tax = pc.not_equal(tax_col, "")
        filled = pc.if_else(has_tax, tax_col, "0")
        tax_minor = _minor(filled, digits)
        if tax_minor is None or pc.any(pc.greater(tax_minor, amount)).as_py():
            return None
        tax = pc.if_else(has_tax, tax_minor, pa.scalar(None, pa.int64())).to_pylist()

    terms_col = col("terms_days")
    terms: list[int | None]
    if terms_col is None:
        terms = [None] * n
    else:
        if not pc.all(pc.match_substring_regex(terms_col, r"^\d{0,5}$")).as_py():
            return None
        has_terms = pc.not_equal(terms_col, "")
        terms = pc.if_else(
            has_terms,
            pc.cast(pc.if_else(has_terms, terms_col, "0"), pa.int64()),
            pa.scalar(None, pa.int64()),
        ).to_pylist()

    issue_col, due_col = col("issue_date"), col("due_date")
    assert issue_col is not None
    texts = pc.unique(issue_col).to_pylist()
    if due_col is not None:
        texts += pc.unique(due_col).to_pylist()
    if "" in texts:
        return None
    reading = read_dates(dict.fromkeys(texts), opts.date_format)
    if reading.ambiguity is not None or len(reading.values) < len(set(texts)):
        return None
    distinct = pa.array(list(reading.values), pa.string())
    iso = pa.array([d.isoformat() for d in reading.values.values()], pa.string())
    issue = pc.take(iso, pc.index_in(issue_col, value_set=distinct))
    if due_col is not None:
        due = pc.take(iso, pc.index_in(due_col, value_set=distinct))
    else:
        if terms_col is None and opts.terms_days is None:
            return None
        default = opts.terms_days or 0
        days = [t if t is not None else default for t in terms]
        due = pa.array(
            [
                date.fromordinal(date.fromisoformat(i).toordinal() + d).isoformat()
                for i, d in zip(issue.to_pylist(), days, strict=True)
            ]
        )
    if pc.any(pc.less(due, issue)).as_py():
        return None
    return PlainInvoices(
        customer=customer.to_pylist(),
        customer_name=name.to_pylist() if name is not None else None,
        number=number.to_pylist(),
        issue_date=issue.to_pylist(),
        due_date=due.to_pylist(),
        currency=currencies.to_pylist(),
        amount_minor=amount.to_pylist(),
        tax_minor=tax,
        reference=reference.to_pylist() if reference is not None else [""] * n,
        terms_days=terms,
    )
