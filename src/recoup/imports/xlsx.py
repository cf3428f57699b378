"""Reading the first sheet (or a named one) of an XLSX workbook, exactly or not at all.

A cell whose formula has no saved value (a workbook written by a program that does not
calculate, or saved without recalculating) is a problem, never a blank; so is an error
value (`#N/A`, `#DIV/0!`). A workbook that is not one (not a zip archive, an encrypted
file, an old .xls) and a sheet whose data cannot be read to the end are problems naming
the sheet and, where it is known, the cell; nothing raises past this module.

The sheet is read with openpyxl's own streaming parser, asked two more things per cell:
whether a cell without a value holds a formula, and what a text's OOXML escapes
(`_x001B_`) stand for, so that a control character written that way is seen and
refused like any other.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from recoup.imports.csv_checks import FORBIDDEN_RE, control_message
from recoup.imports.problems import InputError, Problem
from recoup.imports.source import Cell, Table, column_letter, xlsx_cell

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of encrypted workbooks and .xls


class _NoSavedValue:
    """Stands for a formula cell that has no saved value."""


NO_SAVED_VALUE = _NoSavedValue()


def _refuse(path: Path, message: str, sheet: str | None = None) -> InputError:
    return InputError([Problem(str(path), None, None, message, sheet=sheet)])


def open_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl  # imported here: reading CSV should not pay for it

    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic == _OLE:
        raise _refuse(
            path,
            "an encrypted (password-protected) workbook or an old .xls file: open it in "
            "Excel, remove the password and save it as .xlsx",
        )
    if not zipfile.is_zipfile(path):
        raise _refuse(
            path,
            "not an XLSX file: an .xlsx file is a zip archive, and this is none (or one cut short)",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about parts it does not read
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a broken workbook
        raise _refuse(path, f"not a readable XLSX workbook: {_why(err)}") from None
    try:
        return _open_sheet(path, book, sheet)
    except BaseException:
        book.close()
        raise


# OOXML writes a character XML cannot hold as _xHHHH_ (and a text "_x" as _x005F_x)
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
_CELL = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _unescape(m: re.Match[str]) -> str:
    return chr(int(m.group(1), 16))


def _split_cell(ref: str) -> tuple[str, int] | None:
    m = _CELL.fullmatch(ref)
    return (m.group(1), int(m.group(2))) if m else None


_XML_PLACE = re.compile(r": line \d+, column \d+$")


def _why(err: BaseException) -> str:
    """The error's kind and text, without the place in the XML (which says nothing to
    someone looking at the sheet)."""
    text = _XML_PLACE.sub("", str(err))
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _open_sheet(path: Path, book: Any, sheet: str | None) -> Table:
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        at: str | None = None  # the cell being read, while it is

        def parse_cell(self, element: Any) -> dict[str, Any]:
            self.at = element.get("r")
            cell: dict[str, Any] = super().parse_cell(element)
            value = cell["value"]
            if value is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = NO_SAVED_VALUE
            elif isinstance(value, str) and "_x" in value:
                cell["value"] = _ESCAPED.sub(_unescape, value)
            self.at = None
            return cell

    name = str(path)
    if sheet is not None and sheet not in book.sheetnames:
        raise _refuse(path, f"no sheet {sheet!r}; sheets are {book.sheetnames}")
    ws = book[sheet] if sheet else (book.worksheets[0] if book.worksheets else None)
    if ws is None or not hasattr(ws, "_get_source"):
        raise _refuse(path, "the workbook has no sheet of cells", sheet)
    title = str(ws.title)
    try:
        source = ws._get_source()
    except Exception as err:
        raise _refuse(path, f"the sheet cannot be read: {_why(err)}", title) from None
    parser = Parser(
        source,
        ws._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    parsed = parser.parse()
    last = ""  # the last cell read, for a sheet that breaks

    def close() -> None:
        source.close()
        book.close()

    def broken(err: BaseException) -> Problem:
        if parser.at is not None:
            at = _split_cell(parser.at)
            if at is not None:
                return Problem(name, at[1], at[0], f"the cell cannot be read: {_why(err)}",
                               sheet=title)  # fmt: skip
        after = f" after cell {last}" if last else ""
        return Problem(
            name, None, None, f"the sheet's data is damaged{after}: {_why(err)}", sheet=title
        )

    def cell_problem(row: int, cell: dict[str, Any]) -> Problem | None:
        value, letter = cell["value"], column_letter(cell["column"] - 1)
        if value is NO_SAVED_VALUE:
            return Problem(
                name,
                row,
                letter,
                "a formula with no saved value: the workbook was saved without calculating "
                "it; open it in Excel or LibreOffice, let it calculate and save it again",
                sheet=title,
            )
        if cell["data_type"] == "e":
            return Problem(
                name,
                row,
                letter,
                f"an error value {value}: the cell's formula could not be calculated",
                sheet=title,
            )
        return None

    header: list[str] = []
    problems: list[Problem] = []
    try:
        for row_index, cells in parsed:
            if cells:
                last = f"{column_letter(cells[-1]['column'] - 1)}{row_index}"
            values = [c for c in cells if c["value"] is not None and c["value"] != ""]
            if not values:
                continue
            bad = [p for c in values if (p := cell_problem(row_index, c)) is not None]
            if bad:
                raise InputError(bad)
            width = max(c["column"] for c in values)
            header = [""] * width
            for c in values:
                header[c["column"] - 1] = str(c["value"]).strip()
            header_line = row_index
            break
    except InputError:
        close()
        raise
    except Exception as err:
        close()
        raise InputError([broken(err)]) from None
    if not header:
        close()
        raise _refuse(path, "the sheet is empty: no header row", title)
    for i, text in enumerate(header):
        if m := FORBIDDEN_RE.search(text):
            problems.append(Problem(name, header_line, column_letter(i), control_message(
                m.group(), "")))  # fmt: skip
    if problems:
        close()
        raise InputError(problems)
    while header and not header[-1]:
        header.pop()
    ncols = len(header)
    table = Table(path, header, iter(()), column_letter)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        nonlocal last
        out = table.problems
        try:
            for row_index, cells in parsed:
                if cells:
                    last = f"{column_letter(cells[-1]['column'] - 1)}{row_index}"
                row: list[Cell] = [""] * ncols
                good = True
                for c in cells:
                    value = c["value"]
                    if value is None:
                        continue
                    col = c["column"] - 1
                    problem = cell_problem(row_index, c)
                    if problem is None:
                        text = xlsx_cell(value)
                        if text == "":
                            continue
                        if col >= ncols:
                            problem = Problem(
                                name,
                                row_index,
                                column_letter(col),
                                f"a value in column {column_letter(col)}, which has no "
                                f"name in the header row: {str(text)[:40]!r}",
                            )
                        elif isinstance(text, str) and (m := FORBIDDEN_RE.search(text)):
                            problem = Problem(name, row_index, column_letter(col),
                                control_message(m.group(), header[col]))  # fmt: skip
                        else:
                            row[col] = text
                            continue
                    out.append(problem)
                    good = False
                if good and any(row):
                    yield row_index, row
        except Exception as err:
            out.append(broken(err))
        finally:
            close()

    table.rows = rows()
    table.header_line = header_line
    return table
