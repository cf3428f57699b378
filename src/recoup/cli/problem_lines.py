"""Problems as a person reads them at the terminal: grouped by kind
(`recoup.services.problem_groups`, the web's import page groups with it too), each kind
said once with how many there are and where the first few are, never thousands of
identical lines. `--json` lists every problem.

    298 rows have no currency: add a currency column or pass --currency; first at
    invoices.csv:2, invoices.csv:3, invoices.csv:4 and 295 more
    2 rows: amount … is not a number
      invoices.csv:7:5: amount 'ten' is not a number
      invoices.csv:11:5: amount 'nine' is not a number

A kind with one problem is that problem's own line (`file:line:column: message`), as
tools read it.
"""

from __future__ import annotations

from collections.abc import Sequence

from recoup.domain.problems import Problem
from recoup.domain.words import count
from recoup.services.problem_groups import ProblemGroup, grouped

__all__ = ["hidden", "problem_lines"]


def _counted(g: ProblemGroup) -> str:
    """'298 rows have no currency: …' or '3 problems: …'."""
    rows = g.lines == g.count == g.rows
    if rows and g.message.startswith("no "):
        return f"{count(g.count, 'row')} {'has' if g.count == 1 else 'have'} {g.message}"
    if g.lines == g.count and g.rows < g.count:  # several in a row: say both
        return f"{count(g.count, 'problem')} in {count(g.rows, 'row')}: {g.message}"
    return f"{count(g.count, 'row' if rows else 'problem')}: {g.message}"


def _group_lines(g: ProblemGroup) -> list[str]:
    if g.count == 1:
        return [str(g.first[0])]
    more = g.count - len(g.first)
    if g.varies:  # the values differ: the first few in full
        lines = [_counted(g)] + [f"  {p}" for p in g.first]
        if more:
            lines.append(f"  and {more:,} more")
        return lines
    places = [p.place for p in g.first]
    where = ", ".join(places) + (f" and {more:,} more" if more else "")
    return [f"{_counted(g)}; {'first at' if more else 'at'} {where}"]


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """The lines that say `problems`, a kind at a time, the most frequent first."""
    return [line for g in grouped(problems) for line in _group_lines(g)]


def hidden(problems: Sequence[Problem]) -> bool:
    """Some problems are not shown one by one (`--json` lists them all)."""
    return any(g.count > len(g.first) for g in grouped(problems))
