"""What keeps a CSV file from being read exactly, found at C speed where it can be.

- Lines longer than a limit: the file is read in chunks and refused at the first such
  line, so a file that is one 50 MB line costs the first chunk, not the whole file.
- Control characters (C0 but tab, line feed and carriage return; and DEL): looked for
  in the raw bytes with one `bytes.translate` (in an ASCII-compatible encoding those
  bytes are those characters); only a file that has some is looked at cell by cell.
- Quotes that do not close, and rows whose number of cells is not the header's: the
  messages that name them, with the line where the quote opened and the cell that has
  no column.
"""

from __future__ import annotations

import codecs
import os
import re
from functools import cache
from pathlib import Path

DEFAULT_MAX_LINE_BYTES = 1_048_576  # 1 MiB; RECOUP_IMPORT_MAX_LINE_BYTES, --max-line-bytes
CHUNK = 8 * 1_048_576

_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
# the characters refused in imported text: tab, line feed and carriage return are the
# format's own (a quoted CSV value may hold line breaks)
FORBIDDEN = "".join(chr(c) for c in (*range(9), 11, 12, *range(14, 32), 127))
FORBIDDEN_RE = re.compile("[" + re.escape(FORBIDDEN) + "]")
_ALLOWED_BYTES = bytes(b for b in range(256) if chr(b) not in FORBIDDEN)
_ASCII = "".join(map(chr, range(128)))


def char_name(ch: str) -> str:
    """U+0000 (NUL), U+007F (DEL)."""
    code = ord(ch)
    name = _NAMES[code] if code < 32 else "DEL" if code == 127 else ""
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def control_message(ch: str, column_name: str) -> str:
    where = f" in column {column_name!r}" if column_name else ""
    return (
        f"a control character {char_name(ch)}{where}: control characters are not imported; "
        "remove it from the file"
    )


def ascii_compatible(encoding: str) -> bool:
    """Whether the encoding writes ASCII as ASCII bytes (UTF-8, cp1252, Latin-1 ...): then
    a control byte in the file is that control character and nothing else."""
    try:
        codecs.lookup(encoding)
        return _ASCII.encode(encoding) == _ASCII.encode("ascii")
    except (LookupError, UnicodeError):
        return False


def has_control_bytes(data: bytes | bytearray) -> bool:
    """Whether any byte of `data` is a refused control character (one C-speed pass)."""
    return bool(data.translate(None, _ALLOWED_BYTES))


class LongLineError(Exception):
    """A line longer than the limit: its number (from 1) and the limit."""

    def __init__(self, line: int, limit: int) -> None:
        super().__init__(line, limit)
        self.line = line
        self.limit = limit

    def message(self) -> str:
        return (
            f"the line is longer than {self.limit:,} bytes, the longest line an "
            "import reads (--max-line-bytes or RECOUP_IMPORT_MAX_LINE_BYTES set another); "
            "is this a CSV file?"
        )


def _first_break(data: bytes | bytearray, lo: int, hi: int) -> int:
    """The first line feed or carriage return in data[lo:hi], or -1 (the second search
    looks only before the first one found)."""
    i = data.find(b"\n", lo, hi)
    j = data.find(b"\r", lo, i if i >= 0 else hi)
    return j if j >= 0 else i


def _last_break(data: bytes | bytearray, lo: int, hi: int) -> int:
    """The last line feed or carriage return in data[lo:hi], or -1 (the second search
    looks only after the first one found)."""
    i = data.rfind(b"\n", lo, hi)
    return max(i, data.rfind(b"\r", max(i + 1, lo), hi))


def _scan(data: bytearray, lo: int, hi: int, since: int, limit: int) -> int:
    """The length of the line still open at the end of data[lo:hi], given that the line
    open at `lo` already had `since` bytes; -1 - offset when the line that starts at
    `offset` is longer than `limit`.

    Every window of limit + 1 bytes after a line break must hold another one: a few
    `rfind`s a window, so a chunk is checked in the time memchr takes over its ends."""
    first = _first_break(data, lo, min(hi, lo + limit - since + 1))
    if first < 0:
        return since + hi - lo if since + hi - lo <= limit else -1 - (lo - since)
    pos = first
    while True:
        end = pos + limit + 2  # the next line's break must come before this
        if end > hi:
            last = _last_break(data, pos + 1, hi)
            return hi - (max(last, pos) + 1)
        last = _last_break(data, pos + 1, end)
        if last < 0:
            return -1 - (pos + 1)
        pos = last


def read_checked(path: Path, limit: int) -> bytearray:
    """The file's bytes, read in chunks; `LongLineError` as soon as a line is longer than
    `limit` bytes, not counting its end (a line feed, a carriage return, or both); the
    line's number is the csv module's. (Every carriage return and line feed is taken
    for a break: the empty "line" between the two of a CRLF is never too long.)

    The chunks are read into one buffer the size of the file, which is returned as it
    is: the file is in memory once, and not copied to be joined."""
    since = 0
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        data = bytearray(size)
        done = 0
        with memoryview(data) as view:
            while done < size:
                got = fh.readinto(view[done : done + CHUNK])
                if not got:
                    break
                since = _scan(data, done, done + got, since, limit)
                if since < 0:
                    raise _long_line(data, -1 - since, limit)
                done += got
        del data[done:]  # the file was shorter than it said
        more = fh.read()  # or longer
        if more:
            data += more
            since = _scan(data, done, len(data), since, limit)
            if since < 0:
                raise _long_line(data, -1 - since, limit)
    return data


def _long_line(data: bytearray, offset: int, limit: int) -> LongLineError:
    breaks = data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset)
    return LongLineError(breaks - data.count(b"\r\n", 0, offset) + 1, limit)


_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED = re.compile(r'"[^"]*+(?:""[^"]*+)*+"')


def breaks(text: str) -> int:
    """The line breaks in `text` (\\r\\n counts once)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def open_quote(record: str, sep: str, first: int) -> tuple[int, int, str] | None:
    """Where and how the quoting of a record's raw text (starting at line `first`) goes
    wrong: (line, cell from 1, what) for the first quote that opens a cell and does not
    close it where the cell ends; None when every quoted cell is closed."""
    pos, cell = 0, 1
    end_of_line = ("\r", "\n", "")
    while True:
        if record.startswith('"', pos):
            m = _QUOTED.match(record, pos)
            line = first + breaks(record[:pos])
            if m is None:
                last = line + breaks(record[pos:].rstrip("\r\n"))
                rest = f" (lines {line}-{last})" if last > line else ""
                return (
                    line,
                    cell,
                    (
                        f"a quote opens this cell and is never closed: read as CSV, the cell "
                        f"would take in the rest of the file{rest}"
                    ),
                )
            after = record[m.end() : m.end() + 1]
            if after == sep:
                pos, cell = m.end() + 1, cell + 1
                continue
            if after in end_of_line:
                return None
            closes = line + breaks(m.group())
            if closes > line:
                return (
                    line,
                    cell,
                    (
                        "a quote opens this cell and is not closed on its line: read as CSV, "
                        f"the cell would run on to the quote at line {closes} (before "
                        f"{after!r}), taking in the lines between"
                    ),
                )
            return (
                line,
                cell,
                (
                    f"the quoted value closes before {after!r}: a quote inside a quoted "
                    'value is written twice ("")'
                ),
            )
        m = _unquoted(sep).match(record, pos)
        end = m.end() if m else pos
        if record[end : end + 1] != sep:
            return None
        pos, cell = end + 1, cell + 1


@cache
def _unquoted(sep: str) -> re.Pattern[str]:
    return re.compile(f"[^{re.escape(sep)}\r\n]*")


def _shown(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def cell_count_message(cells: list[str], header: list[str], sep: str) -> tuple[int, str]:
    """(the column to name, what is wrong) for a row whose cell count is not the header's."""
    n, want = len(cells), len(header)
    head = f"{n} cells where the header has {want}: "
    if n > want:
        extra = cells[want:]
        which = f"cell {want + 1}" if len(extra) == 1 else f"cells {want + 1}-{n}"
        texts = ", ".join(_shown(c) for c in extra[:3]) + (", …" if len(extra) > 3 else "")
        verb = "has" if len(extra) == 1 else "have"
        if not any(c.strip() for c in extra):
            many = f"a {_sep_name(sep)}" if len(extra) == 1 else f"{len(extra)} {_sep_name(sep)}s"
            hint = f"; the row ends with {many} the header does not have"
        elif sep in (",", ";"):
            example = " (such as 1,234.56)" if sep == "," else ""
            hint = f"; a value with a {_sep_name(sep)} in it{example} must be in quotes"
        else:
            hint = ""
        return want + 1, f"{head}{which} ({texts}) {verb} no column{hint}"
    missing = [f"{i + 1} {header[i]!r}" if header[i] else str(i + 1) for i in range(n, want)]
    shown = ", ".join(missing[:4]) + (", …" if len(missing) > 4 else "")
    return n + 1, f"{head}the row has no cell for column{'s' if len(missing) > 1 else ''} {shown}"


def _sep_name(sep: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(sep, repr(sep))
