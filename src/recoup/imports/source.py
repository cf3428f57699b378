"""Reading tables from CSV and XLSX files, exactly or not at all.

CSV files are decoded strictly: UTF-8 (a byte-order mark is dropped) unless another
encoding is named. A byte that is not valid in the encoding is reported with its line
and column instead of being replaced, because a silently mangled name or number is
worse than a refused file. The delimiter (comma, semicolon, tab or bar) is taken from
the header line unless one is given.

What cannot be read exactly is a problem naming its line and column, never a guess:
a line longer than the limit, a control character, a quote that does not close, a
row whose number of cells is not the header's, a value running over several lines
where no line break belongs (see `csv_checks.py`, `Table.single_line`). A row with a
problem is left out of the rows; the problems are in `Table.problems`, which the
readers report with their own, in the order of the file.
XLSX workbooks are read by `xlsx.py`.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from recoup.imports import csv_checks, fixes
from recoup.imports.csv_checks import (
    DEFAULT_MAX_LINE_BYTES,
    FORBIDDEN_RE,
    LongLineError,
    breaks,
    control_message,
)
from recoup.imports.problems import InputError, Problem

Cell = str | date
Progress = Callable[[int, int], None]  # (bytes read, total bytes)

DELIMITERS = (",", ";", "\t", "|")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class Table:
    path: Path
    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]  # (line number, cells), rows without problems
    column_label: Callable[[int], str | int]  # 0-based index -> label in problems
    delimiter: str | None = None  # for CSV files
    problems: list[Problem] = field(default_factory=list)  # found while reading the rows
    # the columns whose CSV values must not run over several lines (None: all): a line
    # break in one is taken for a quote that did not close. The import service names
    # the columns that feed a field, but for an address and an email (a list of
    # addresses may be written one a line)
    single_line: frozenset[int] | None = None
    quoted: bool = True  # the CSV file has a quote character somewhere
    controls: bool = False  # the CSV file has control characters (the rows name them)
    header_line: int = 1

    @property
    def name(self) -> str:
        return str(self.path)


def path_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a file (missing, a folder, not readable), or None."""
    try:
        if path.is_dir():
            return "is a folder, not a file: name the CSV or XLSX file to import"
        if not path.exists():
            return "no such file"
        if not path.is_file():
            return "is not a regular file"
        if not os.access(path, os.R_OK):
            return "cannot be read: permission denied"
    except OSError as err:
        return f"cannot be read: {err.strerror or err}"
    return None


def open_table(
    path: Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    max_line_bytes: int | None = None,
) -> Table:
    why = path_problem(path)
    if why is not None:
        raise InputError([Problem(str(path), None, None, why)])
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from recoup.imports.xlsx import open_xlsx

            return open_xlsx(path, sheet)
        return _open_csv(path, encoding, delimiter, progress, max_line_bytes)
    except OSError as err:  # the file went away or cannot be read after all
        raise InputError(
            [Problem(str(path), None, None, f"cannot be read: {err.strerror or err}")]
        ) from None


def _first_bad_byte(data: bytes | bytearray, encoding: str) -> tuple[int, int, int] | None:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return line, col, data[err.start]
    return None


def _decode(name: str, data: bytes | bytearray, encoding: str | None) -> str:
    enc = encoding or "utf-8"
    if enc.lower().replace("_", "-") in ("utf-8", "utf8") and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(enc)  # one pass: where it fails, _first_bad_byte says where
    except LookupError:
        raise InputError([Problem(name, None, None, f"unknown encoding {enc!r}")]) from None
    except UnicodeDecodeError:
        bad = _first_bad_byte(data, enc)
    assert bad is not None
    line, col, byte = bad
    what = f"byte 0x{byte:02X} is not valid {enc} text"
    if encoding is not None:
        raise InputError([Problem(name, line, col, what)])
    hint = "; if the file comes from Windows or an older system, "
    raise InputError([fixes.problem(name, line, col, what + hint, fixes.ENCODING)])


def _open_csv(
    path: Path,
    encoding: str | None,
    delimiter: str | None,
    progress: Progress | None,
    max_line_bytes: int | None,
) -> Table:
    name = str(path)
    limit = max_line_bytes or DEFAULT_MAX_LINE_BYTES
    try:
        data = csv_checks.read_checked(path, limit)
    except LongLineError as err:
        raise InputError([Problem(name, err.line, None, err.message())]) from None
    if not data or data.isspace():  # (not `strip`, which would copy the file)
        raise InputError([Problem(name, None, None, "the file is empty: no header line")])
    enc = encoding or "utf-8"
    # in an ASCII-compatible encoding a control byte is a control character: one pass
    # over the bytes says whether the rows must be looked at cell by cell
    controls = (
        csv_checks.has_control_bytes(data)
        if csv_checks.ascii_compatible(enc)
        else None  # decided on the text below
    )
    quoted = b'"' in data or not csv_checks.ascii_compatible(enc)
    text = _decode(name, data, encoding)
    del data
    if controls is None:
        controls = FORBIDDEN_RE.search(text) is not None
    end = text.find("\n")
    first_line = text[: end if end >= 0 else len(text)]
    sep = delimiter or max(DELIMITERS, key=lambda d: _count_outside_quotes(first_line, d))
    header = _read_header(name, text, first_line, sep)
    table = Table(path, header, iter(()), lambda i: i + 1, sep, quoted=quoted, controls=controls)
    table.rows = _csv_rows(table, text, progress)
    return table


def _read_header(name: str, text: str, first_line: str, sep: str) -> list[str]:
    # a quoted header name holding a line break (an odd count of quotes): read the
    # header from the whole text, as the rows' reader will
    head = first_line.rstrip("\r") if first_line.count('"') % 2 == 0 else text
    try:
        header = next(csv.reader(io.StringIO(head, newline=""), delimiter=sep, strict=True))
    except StopIteration:
        raise InputError([Problem(name, 1, None, "the header line is empty")]) from None
    except csv.Error as err:
        found = csv_checks.open_quote(head, sep, 1)
        if found is None:
            raise InputError([Problem(name, 1, None, f"cannot read the header: {err}")]) from None
        raise InputError([Problem(name, *found)]) from None
    problems = [
        Problem(name, 1, i + 1, control_message(m.group(), ""))
        for i, h in enumerate(header)
        if (m := FORBIDDEN_RE.search(h))
    ]
    if problems:
        raise InputError(problems)
    header = [h.strip() for h in header]
    if not any(header):
        raise InputError([Problem(name, 1, None, "the header line is empty")])
    return header


class _RawLines:
    """The file's lines as the csv reader counts them, read forward on demand: the
    text of a broken record, for saying where its quote opened."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self._at = 1  # the number of the next line the iterator gives

    def between(self, first: int, last: int | None) -> str:
        """Lines first..last (to the end when last is None)."""
        if first < self._at:  # never asked for in practice: the rows go forward
            return ""
        for _ in islice(self._lines, first - self._at):
            pass
        count = None if last is None else last - first + 1
        got = list(islice(self._lines, count))
        self._at = first + len(got)
        return "".join(got)


def _csv_rows(
    table: Table, text: str, progress: Progress | None
) -> Iterator[tuple[int, list[Cell]]]:
    """The rows of a CSV file (the whole text is copied into a reader only when rows
    are asked for: the vectorised fast path reads the file itself and never needs this).

    The loop is the hot path of a million-row import: a row pays for two comparisons;
    anything unusual (a record over several lines, a wrong cell count, a file with
    control characters) is looked at closely."""
    name, header, sep = table.name, table.header, table.delimiter or ","
    ncols = len(header)
    problems = table.problems
    total = len(text)
    handle = io.StringIO(text, newline="")
    reader = csv.reader(handle, delimiter=sep, strict=True)
    next(reader)  # the header, read before
    raw: _RawLines | None = None  # made at the first broken record
    controls = table.controls
    prev = reader.line_num  # the last line of the record before
    count = 0
    while True:
        try:
            for cells in reader:
                line = reader.line_num
                start = prev + 1
                prev = line
                count += 1
                if progress is not None and count % 20000 == 0:
                    progress(handle.tell(), total)
                if len(cells) == ncols and line == start and not controls:
                    yield line, cells  # type: ignore[misc]
                    continue
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue  # a blank line
                problem = _row_problem(table, cells, start, line)
                if problem is None:
                    yield line, cells  # type: ignore[misc]
                else:
                    problems.append(problem)
            break
        except csv.Error as err:
            start, prev = prev + 1, reader.line_num
            at_end = str(err).startswith("unexpected end of data")
            raw = raw or _RawLines(text)
            record = raw.between(start, None if at_end else prev)
            found = csv_checks.open_quote(record, sep, start)
            if found is None:
                problems.append(Problem(name, prev, None, f"not valid CSV: {err}"))
            else:
                problems.append(Problem(name, *found))
            if at_end:
                break
    if progress is not None:
        progress(total, total)


def _row_problem(table: Table, cells: list[str], start: int, line: int) -> Problem | None:
    """What is wrong with a row that is not a plain one-line row of the header's width."""
    name, header = table.name, table.header
    if line > start:  # the record runs over several lines: see Table.single_line
        at = start
        only = table.single_line
        for i, cell in enumerate(cells):
            if (only is None or i in only) and ("\n" in cell or "\r" in cell):
                shown = f" {header[i]!r}" if i < len(header) and header[i] else ""
                return Problem(
                    name,
                    at,
                    i + 1,
                    f"the quoted value of column{shown} runs over lines {at}-"
                    f"{at + breaks(cell)}: line breaks are read only in an address or a list "
                    "of email addresses; is a closing quote missing?",
                )
            at += breaks(cell)
    if len(cells) != len(header):
        column, what = csv_checks.cell_count_message(cells, header, table.delimiter or ",")
        if line > start:
            what += f" (the row runs over lines {start}-{line})"
        return Problem(name, line, column, what)
    if table.controls:
        at = start
        for i, cell in enumerate(cells):
            if m := FORBIDDEN_RE.search(cell):
                return Problem(
                    name, at + breaks(cell[: m.start()]), i + 1, control_message(
                        m.group(), header[i])
                )  # fmt: skip
            at += breaks(cell)
    return None


def _count_outside_quotes(line: str, sep: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            count += 1
    return count


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def xlsx_cell(value: Any) -> Cell:
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
