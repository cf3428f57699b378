"""Text that leaves Recoup for a terminal or a spreadsheet, made harmless.

Names, notes and references come from imported files and forms: anyone who can put a
customer in the book chooses them. Two places would obey what such text says:

- a terminal obeys control characters and escape sequences (colours, moving the
  cursor, rewriting a line, setting the window title). `strip_controls` removes ANSI
  escape sequences (7-bit and 8-bit forms) and every C0 control but the ones kept
  (newline and tab by default), DEL and the C1 controls. The CLI prints all data
  through it (`recoup.cli.output`).
- a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab
  or carriage return before those) as a formula: `=HYPERLINK(...)`, or worse.
  `csv_text` writes every CSV Recoup makes: a text cell that starts with one of those
  (after any spaces) gets a leading apostrophe, which spreadsheets take as "this is
  text" and do not show; controls and escape sequences are removed as above, keeping
  newlines and tabs inside the cell (CSV quotes them). Columns of amounts, whole numbers
  and dates are written as they are when they are exactly that, so an amount such as
  -12.50 stays a number; anything else in such a column is treated as text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

# ESC [ ... or CSI (0x9b): parameters, intermediates, one final byte
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
# OSC, DCS, SOS, PM, APC (7-bit ESC ] P X ^ _, or 8-bit) up to BEL or the string end
_STRINGS = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
# any other escape: ESC, intermediates, one final byte (ESC ( B, ESC 7, ESC c ...)
_OTHER = r"\x1b[\x20-\x2f]*[\x30-\x7e]"
_ESCAPES = re.compile(f"{_CSI}|{_STRINGS}|{_OTHER}")
_CONTROLS = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)))
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def strip_controls(text: str, keep: str = "\t\n") -> str:
    """`text` without escape sequences and without control characters other than `keep`."""
    if text.isprintable():  # the usual case: nothing to do
        return text
    text = _ESCAPES.sub("", text)
    drop = {ord(c): None for c in _CONTROLS if c not in keep}
    return text.translate(drop)


def neutral_cell(value: object) -> str:
    """A text cell as a spreadsheet will not run it (see the module's docstring)."""
    text = strip_controls(str(value), keep="\t\n\r")
    if text.lstrip(" ").startswith(_TRIGGERS):
        return "'" + text
    return text


class Cell(StrEnum):
    TEXT = "text"
    AMOUNT = "amount"  # a decimal number: -12.50, 1000.00
    INTEGER = "integer"
    DATE = "date"  # YYYY-MM-DD


_SHAPES = {
    Cell.AMOUNT: re.compile(r"-?\d+(\.\d+)?"),
    Cell.INTEGER: re.compile(r"-?\d+"),
    Cell.DATE: re.compile(r"\d{4}-\d{2}-\d{2}"),
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Cell = Cell.TEXT


def _cell(value: object, kind: Cell) -> str:
    if value is None:
        return ""
    text = str(value)
    shape = _SHAPES.get(kind)
    if shape is not None and shape.fullmatch(text):
        return text
    return neutral_cell(text) if text else ""


def csv_text(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> str:
    """The CSV of `rows` under a header of the columns' names, one line ("\\n") a row;
    every cell written by its column's kind. A row has exactly one value a column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutral_cell(c.name) for c in columns])
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row of {len(row)} values for {len(columns)} columns")
        writer.writerow([_cell(v, c.kind) for v, c in zip(row, columns, strict=True)])
    return out.getvalue()
