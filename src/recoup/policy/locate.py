"""Where each key and value of a TOML text is: line and column for every key path.

`tomllib` says where a syntax error is, but a policy's semantic errors (an unknown key,
a float where money belongs, a stage out of order) are found after parsing, on plain
dicts that have forgotten their positions. `locate(text)` walks the same text again
and records, for every key path, where its key and its value start:

    ("contact", "min_gap_days")        a key of a table
    ("stage", 2, "days_from_due")      a key of the third [[stage]]
    ("contact", "weekdays", 1)         the second item of an array

The text must already have parsed with `tomllib` (this scanner is not a validator: it
assumes well-formed TOML and only tracks positions).
"""

from __future__ import annotations

import contextlib
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field

Key = str | int
KeyPath = tuple[Key, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\r\n")


@dataclass
class Locations:
    """Positions (1-based line and column) of the keys and values of one text."""

    text: str
    keys: dict[KeyPath, int] = field(default_factory=dict)  # key path -> offset of the key
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)  # -> (start, end)
    _line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [i + 1 for i, c in enumerate(self.text) if c == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def key(self, path: KeyPath) -> tuple[int, int]:
        """Where the key of `path` is; else its nearest located ancestor; else 1:1."""
        for end in range(len(path), 0, -1):
            offset = self.keys.get(path[:end])
            if offset is None and path[:end] in self.values:
                offset = self.values[path[:end]][0]
            if offset is not None:
                return self.position(offset)
        return 1, 1

    def value(self, path: KeyPath) -> tuple[int, int]:
        """Where the value of `path` starts; else where its key is (see `key`)."""
        span = self.values.get(path)
        if span is not None:
            return self.position(span[0])
        return self.key(path)

    def raw(self, path: KeyPath) -> str | None:
        """The source text of the value at `path` (e.g. "2.50" for a float written so)."""
        span = self.values.get(path)
        return None if span is None else self.text[span[0] : span[1]]


def locate(text: str) -> Locations:
    """The positions of every key and value in `text` (well-formed TOML)."""
    scanner = _Scanner(text)
    # the text parsed with tomllib, so this cannot fail; if it ever did, the positions
    # found so far still help and the rest fall back to their ancestors
    with contextlib.suppress(IndexError, ValueError):
        scanner.document()
    return scanner.found


class _Scanner:
    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0
        self.n = len(text)
        self.found = Locations(text)
        self.prefix: KeyPath = ()
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path -> entries so far

    # -- the document --------------------------------------------------------------

    def document(self) -> None:
        while True:
            self.skip_blank(newlines=True)
            if self.i >= self.n:
                return
            if self.t[self.i] == "[":
                self.header()
            else:
                self.keyval(self.prefix)
            self.skip_blank(newlines=False)

    def header(self) -> None:
        start = self.i  # a table is placed at its header's first bracket
        double = self.t.startswith("[[", self.i)
        self.i += 2 if double else 1
        self.skip_spaces()
        parts = self.dotted_key()
        self.i += 2 if double else 1  # "]]" or "]" (spaces were skipped by dotted_key)
        path: KeyPath = ()
        for index, part in enumerate(parts):
            path = (*path, part)
            last = index == len(parts) - 1
            if (not last or not double) and path in self.arrays:
                path = (*path, self.arrays[path] - 1)
        if double:
            count = self.arrays.get(path, 0)
            self.arrays[path] = count + 1
            path = (*path, count)
        self.found.keys.setdefault(path, start)
        self.prefix = path

    def keyval(self, prefix: KeyPath) -> None:
        start = self.i
        parts = self.dotted_key()
        path = prefix
        for part in parts:
            path = (*path, part)
            self.found.keys.setdefault(path, start)
        self.i += 1  # "="
        self.skip_spaces()
        self.value(path)

    def dotted_key(self) -> list[str]:
        parts = [self.simple_key()]
        self.skip_spaces()
        while self.i < self.n and self.t[self.i] == ".":
            self.i += 1
            self.skip_spaces()
            parts.append(self.simple_key())
            self.skip_spaces()
        return parts

    def simple_key(self) -> str:
        c = self.t[self.i]
        if c in "\"'":
            start = self.i
            self.string()
            return str(tomllib.loads("k = " + self.t[start : self.i])["k"])
        start = self.i
        while self.i < self.n and self.t[self.i] in _BARE:
            self.i += 1
        return self.t[start : self.i]

    # -- values --------------------------------------------------------------------

    def value(self, path: KeyPath) -> None:
        start = self.i
        c = self.t[self.i]
        if c in "\"'":
            self.string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            while self.i < self.n and self.t[self.i] not in _SCALAR_END:
                self.i += 1
            while self.i > start and self.t[self.i - 1] in " \t":
                self.i -= 1
        self.found.values[path] = (start, self.i)

    def string(self) -> None:
        quote = self.t[self.i]
        if self.t.startswith(quote * 3, self.i):
            self.i += 3
            while not self.t.startswith(quote * 3, self.i):
                self.i += 2 if quote == '"' and self.t[self.i] == "\\" else 1
            self.i += 3
            extra = 0
            while extra < 2 and self.i < self.n and self.t[self.i] == quote:
                self.i += 1
                extra += 1
            return
        self.i += 1
        while self.t[self.i] != quote:
            self.i += 2 if quote == '"' and self.t[self.i] == "\\" else 1
        self.i += 1

    def array(self, path: KeyPath) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.t[self.i] == "]":
                self.i += 1
                return
            self.value((*path, index))
            index += 1
            self.skip_blank(newlines=True)
            if self.t[self.i] == ",":
                self.i += 1

    def inline_table(self, path: KeyPath) -> None:
        self.i += 1
        while True:
            self.skip_blank(newlines=True)
            if self.t[self.i] == "}":
                self.i += 1
                return
            self.keyval(path)
            self.skip_blank(newlines=True)
            if self.t[self.i] == ",":
                self.i += 1

    # -- blanks ----------------------------------------------------------------------

    def skip_spaces(self) -> None:
        while self.i < self.n and self.t[self.i] in " \t":
            self.i += 1

    def skip_blank(self, *, newlines: bool) -> None:
        """Spaces and a comment; with `newlines`, also line breaks and further comments."""
        while self.i < self.n:
            c = self.t[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#":
                while self.i < self.n and self.t[self.i] != "\n":
                    self.i += 1
            else:
                return
