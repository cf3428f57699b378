"""An import looked at before it is done (the web's import page): which column feeds
which field, the date format, the decimal mark and the currencies the file uses, as
detected (or as the person chose); then the dry run's problems grouped by kind (the
command line's grouping: `recoup.services.problem_groups`), and the import itself
(`recoup.services.importing.import_file`: all rows land, or none). An e-invoice (an XML
or PDF file, told by its first bytes as the command line tells it) is not a table: its
detection is what it says (`recoup.services.einvoice_preview`), and the dry run and the
import are the command line's too.

Nothing here writes to the book but `apply`. Problems name the file by its own name
(an upload is kept under a temporary folder, which is nobody's business).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from recoup.imports.dates import CANDIDATES, read_dates
from recoup.imports.einvoice import sniff
from recoup.imports.fields import FIELDS, Kind
from recoup.imports.mapping import IGNORED, Options, match
from recoup.imports.numbers import AmountError, parse_amount
from recoup.imports.problems import InputError, Problem
from recoup.imports.source import Cell, open_table
from recoup.services import einvoice_preview, importing
from recoup.services.book import Book
from recoup.services.einvoice_preview import EInvoiceReading
from recoup.services.import_report import ImportReport

__all__ = [
    "DATE_FORMATS",
    "IGNORED",
    "Detection",
    "Kind",
    "Options",
    "apply",
    "check",
    "detect",
    "is_einvoice",
]

DATE_FORMATS = CANDIDATES
"""The date formats detection tries, which a person may also choose."""
SAMPLE_ROWS = 20_000  # rows detection looks at (dates, decimal marks, currencies)
SAMPLES = 3  # example values shown per column

_DATE_FIELDS = {Kind.INVOICES: ("issue_date", "due_date"), Kind.PAYMENTS: ("date",)}
_AMOUNT_FIELDS = {Kind.INVOICES: ("amount", "tax"), Kind.PAYMENTS: ("amount",)}


@dataclass(frozen=True)
class Column:
    index: int
    name: str
    field: str | None  # the field it feeds; None: none
    samples: tuple[str, ...]  # its first few values that are not empty


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    help: str


@dataclass
class Detection:
    """What an uploaded file holds and how it would be read with `options`."""

    kind: Kind
    file: str  # the file's own name
    columns: list[Column] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required fields no column feeds
    rows: int = 0  # rows looked at
    more_rows: bool = False  # the file has more than those
    date_format: str | None = None  # the format the dates read with (chosen or detected)
    date_ambiguity: tuple[str, str, str] | None = None  # a text, and two formats it fits
    spreadsheet_dates: bool = False  # a workbook's dates are dates, no format needed
    decimal: str | None = None  # the decimal mark the amounts use; None: none seen
    mixed_decimals: bool = False  # both marks are used
    currencies: list[str] = field(default_factory=list)  # codes in the currency column
    currency_column: bool = False
    delimiter: str | None = None  # of a CSV file
    problems: list[Problem] = field(default_factory=list)  # why it cannot be read as is
    einvoice: EInvoiceReading | None = None  # an e-invoice's figures, not a table's

    @property
    def readable(self) -> bool:
        """The file could be opened and its header read."""
        return bool(self.columns)


def _shown(problems: Iterable[Problem], path: Path) -> list[Problem]:
    """`problems` naming the file by its own name, not the folder it is kept in."""
    full = str(path)
    return [replace(p, file=path.name) if p.file == full else p for p in problems]


def detect(kind: Kind, path: Path, options: Options) -> Detection:
    """How `path` would be read as `kind` with `options` (the file is only read)."""
    out = Detection(kind, path.name)
    if kind is Kind.INVOICES and is_einvoice(path):
        out.einvoice = einvoice_preview.read(path)
        out.problems = _shown(out.einvoice.problems, path)
        return out
    out.fields = [Field(f.name, f.required, f.help) for f in FIELDS[kind]]
    try:
        table = open_table(
            path, options.encoding, options.delimiter, options.sheet,
            max_line_bytes=options.max_line_bytes,
        )  # fmt: skip
    except InputError as err:
        out.problems = _shown(err.problems, path)
        return out
    out.delimiter = table.delimiter
    index, problems = match(
        kind, table.header, options.columns, str(path), table.column_label, table.header_line
    )
    out.problems = _shown(problems, path)
    feeds = {i: f for f, i in index.items()}
    out.missing = [f.name for f in FIELDS[kind] if f.required and f.name not in index]
    rows = list(islice(table.rows, SAMPLE_ROWS + 1))
    out.more_rows = len(rows) > SAMPLE_ROWS
    rows = rows[:SAMPLE_ROWS]
    out.rows = len(rows)

    def values(i: int) -> Iterable[Cell]:
        return (cells[i] for _line, cells in rows if i < len(cells) and cells[i] != "")

    out.columns = [
        Column(i, name, feeds.get(i), tuple(_text(v) for v in islice(values(i), SAMPLES)))
        for i, name in enumerate(table.header)
    ]
    _dates(out, [index[f] for f in _DATE_FIELDS.get(kind, ()) if f in index], values, options)
    _decimals(out, [index[f] for f in _AMOUNT_FIELDS.get(kind, ()) if f in index], values, options)
    if "currency" in index:
        out.currency_column = True
        found = {str(v).strip().upper() for v in values(index["currency"])}
        out.currencies = sorted(c for c in found if c)
    return out


def is_einvoice(path: Path) -> bool:
    """The file is an e-invoice by its first bytes (XML or PDF), as `recoup import
    invoices` tells one."""
    return sniff(path) is not None


def _text(value: Cell) -> str:
    return value if isinstance(value, str) else value.isoformat()


Values = Callable[[int], Iterable[Cell]]  # a column's values that are not empty


def _dates(out: Detection, columns: Sequence[int], values: Values, options: Options) -> None:
    texts: list[str] = []
    for i in columns:
        for v in values(i):
            if isinstance(v, str):
                texts.append(v)
            else:
                out.spreadsheet_dates = True
    if not texts:
        out.date_format = options.date_format
        return
    reading = read_dates(texts, options.date_format)
    out.date_format = reading.fmt
    if reading.ambiguity is not None:
        text, first, second, _d1, _d2 = reading.ambiguity
        out.date_ambiguity = (text, first, second)


def _decimals(out: Detection, columns: Sequence[int], values: Values, options: Options) -> None:
    seen: set[str] = set()
    for i in columns:
        for v in values(i):
            try:
                parsed = parse_amount(str(v), options.decimal)
            except AmountError:
                continue
            if parsed.decimal_sep is not None:
                seen.add(parsed.decimal_sep)
    out.mixed_decimals = len(seen) > 1
    out.decimal = options.decimal or (next(iter(seen)) if len(seen) == 1 else None)


def check(book: Book, kind: Kind, path: Path, options: Options) -> ImportReport:
    """The import's dry run: what it would import and update, or why it is refused."""
    return _named(importing.import_file(book, kind, path, options, dry_run=True), path)


def apply(book: Book, kind: Kind, path: Path, options: Options) -> ImportReport:
    """The import (one transaction: the book is unchanged when it is refused)."""
    return _named(importing.import_file(book, kind, path, options), path)


def _named(report: ImportReport, path: Path) -> ImportReport:
    report.problems = _shown(report.problems, path)
    if report.file == str(path):
        report.file = path.name
    return report
