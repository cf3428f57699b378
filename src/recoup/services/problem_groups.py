"""Problems grouped by kind, for people: a file with 3,000 rows without a currency is one
kind of problem said once, with how many there are and where the first few are. The
command line (`recoup import`, `recoup.cli.problem_lines`) and the web's import page
group with this one function; `--json` still lists every problem.

A problem that one remedy fixes carries its `Fix` (`recoup.imports.fixes`) and the
command line's words for it in its message. `worded` splits a message around those
words, so each front end says the remedy its own way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from recoup.domain.problems import Fix, Problem
from recoup.imports.fixes import words as command_words

__all__ = ["ELLIPSIS", "FIRST", "Fix", "ProblemGroup", "Worded", "grouped", "worded"]

FIRST = 3  # problems kept per group
ELLIPSIS = "…"

# what differs between two problems of one kind: a quoted value, or a word with a digit
# (a number, an amount, a date, an invoice number)
_VALUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[\w.+/-]*\d[\w+/-]*(?:[.,]\d+)*")


@dataclass(frozen=True)
class Worded:
    """A message split around the command line's words for its fix: `before`, the
    remedy (`fix`, said as `command` on the command line), `after`. Without a fix (or
    when the message does not hold its words) it is all `before`."""

    before: str
    fix: Fix | None = None
    command: str = ""
    after: str = ""


def worded(message: str, fix: Fix | None) -> Worded:
    if fix is None:
        return Worded(message)
    said = command_words(fix)
    before, found, after = message.partition(said)
    if not found:
        return Worded(message)
    return Worded(before, fix, said, after)


@dataclass(frozen=True)
class ProblemGroup:
    """Problems of one kind: the message they share (a value that differs between them
    shown as …), how many there are, and the first few in the order of the file."""

    message: str
    count: int
    first: tuple[Problem, ...]
    lines: int  # how many of them name a line of the file (a row or the header)
    rows: int = 0  # how many lines of the file they name, each counted once
    fix: Fix | None = None  # what fixes every one of them, if one thing does

    @property
    def worded(self) -> Worded:
        """The shared message, split around its remedy's words."""
        return worded(self.message, self.fix)

    @property
    def first_worded(self) -> tuple[Worded, ...]:
        """The first few problems' messages, each split around its remedy's words."""
        return tuple(worded(p.message, p.fix) for p in self.first)

    @property
    def varies(self) -> bool:
        """The problems differ in a value (their shared message shows it as …)."""
        return ELLIPSIS in self.message


def _parts(message: str) -> tuple[str, list[str]]:
    """The message's shape (its values replaced) and its values."""
    found = [m.group() for m in _VALUE.finditer(message)]
    return _VALUE.sub("\x00", message), found


def grouped(problems: Sequence[Problem], first: int = FIRST) -> list[ProblemGroup]:
    """`problems` grouped by kind, the most frequent kind first (then in file order)."""
    order: dict[tuple[str, Fix | None], list[Problem]] = {}
    values: dict[tuple[str, Fix | None], list[list[str]]] = {}
    for p in problems:
        shape, found = _parts(p.message)
        key = (shape, p.fix)
        order.setdefault(key, []).append(p)
        values.setdefault(key, []).append(found)
    out = []
    for key, members in order.items():
        slots = values[key]
        pieces = key[0].split("\x00")
        message = pieces[0]
        for n, piece in enumerate(pieces[1:]):
            same = {s[n] for s in slots if n < len(s)}
            message += (next(iter(same)) if len(same) == 1 else ELLIPSIS) + piece
        lines = sum(1 for p in members if p.line is not None)
        rows = len({(p.file, p.sheet, p.line) for p in members if p.line is not None})
        out.append(ProblemGroup(message, len(members), tuple(members[:first]), lines, rows, key[1]))
    out.sort(key=lambda g: -g.count)  # stable: kinds of equal count stay in file order
    return out
