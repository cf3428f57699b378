"""Reading tables from CSV and XLSX files.

CSV files are decoded strictly: UTF-8 (a byte-order mark is dropped) unless another
encoding is named. A byte that is not valid in the encoding is reported with its line
and column instead of being replaced, because a silently mangled name or number is
worse than a refused file. The delimiter (comma, semicolon, tab or bar) is taken from
the header line unless one is given.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recoup.imports.problems import InputError, Problem

Cell = str | date
Progress = Callable[[int, int], None]  # (bytes read, total bytes)

DELIMITERS = (",", ";", "\t", "|")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class Table:
    path: Path
    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]  # (line number, cells)
    column_label: Callable[[int], str | int]  # 0-based index -> label in problems
    delimiter: str | None = None  # for CSV files

    @property
    def name(self) -> str:
        return str(self.path)


def open_table(
    path: Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Table:
    if not path.exists():
        raise InputError([Problem(str(path), None, None, "no such file")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_xlsx(path, sheet)
    return _open_csv(path, encoding, delimiter, progress)


def _first_bad_byte(data: bytes, encoding: str) -> tuple[int, int, int] | None:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return line, col, data[err.start]
    return None


def _open_csv(
    path: Path, encoding: str | None, delimiter: str | None, progress: Progress | None
) -> Table:
    name = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError([Problem(name, None, None, "the file is empty: no header line")])
    enc = encoding or "utf-8"
    if enc.lower().replace("_", "-") in ("utf-8", "utf8") and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(enc)  # one pass: where it fails, _first_bad_byte says where
        bad = None
    except LookupError:
        raise InputError([Problem(name, None, None, f"unknown encoding {enc!r}")]) from None
    except UnicodeDecodeError:
        bad = _first_bad_byte(data, enc)
    if bad is not None:
        line, col, byte = bad
        hint = (
            "; if the file comes from Windows or an older system, try --encoding cp1252"
            if encoding is None
            else ""
        )
        raise InputError(
            [Problem(name, line, col, f"byte 0x{byte:02X} is not valid {enc} text{hint}")]
        )
    del data
    total = len(text)
    first_line = text.split("\n", 1)[0]
    sep = delimiter or max(DELIMITERS, key=lambda d: _count_outside_quotes(first_line, d))
    try:
        # a quoted header name holding a line break (an odd count of quotes): read the
        # header from the whole text, as the rows' reader will
        head = first_line.rstrip("\r") if first_line.count('"') % 2 == 0 else text
        header = next(csv.reader(io.StringIO(head, newline=""), delimiter=sep))
    except (csv.Error, StopIteration) as err:
        raise InputError([Problem(name, 1, None, f"cannot read the header: {err}")]) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise InputError([Problem(name, 1, None, "the header line is empty")])

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        # the whole text is copied into a reader only when rows are asked for: the
        # vectorised fast path reads the file itself and never needs this
        handle = io.StringIO(text, newline="")
        reader = csv.reader(handle, delimiter=sep)
        next(reader)  # the header, read above
        count = 0
        line = 1
        try:
            for line_cells in reader:
                count += 1
                line = reader.line_num
                if not line_cells or (len(line_cells) == 1 and not line_cells[0].strip()):
                    continue
                if progress is not None and count % 20000 == 0:
                    progress(handle.tell(), total)
                yield line, line_cells  # type: ignore[misc]
        except csv.Error as err:
            raise InputError([Problem(name, line + 1, None, f"not valid CSV: {err}")]) from None
        if progress is not None:
            progress(total, total)

    return Table(path, header, rows(), lambda i: i + 1, sep)


def _count_outside_quotes(line: str, sep: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            count += 1
    return count


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xlsx_cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # Excel keeps numbers as binary floats; the shortest repr gives back what was typed
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl  # imported here: reading CSV should not pay for it

    name = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a broken file
        raise InputError([Problem(name, None, None, f"not a readable XLSX file: {err}")]) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InputError(
            [Problem(name, None, None, f"no sheet {sheet!r}; sheets are {book.sheetnames}")]
        )
    ws = book[sheet] if sheet else book.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header_row = next(it, None)
    if header_row is None or not any(v is not None for v in header_row):
        raise InputError([Problem(name, None, None, "the sheet is empty: no header row")])
    header = [str(v).strip() if v is not None else "" for v in header_row]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for line, values in enumerate(it, start=2):
            cells = [_xlsx_cell(v) for v in values]
            if not any(c for c in cells):
                continue
            yield line, cells
        book.close()

    return Table(path, header, rows(), _column_letter)
