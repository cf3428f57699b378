"""What fixes an import's problem, written once: a `Fix` code for each remedy and the
command line's words for it.

A problem that one remedy fixes carries its `Fix`, and its message holds the command
line's words for it (so `--json`, a tool reading the lines and a person at the terminal
read the same text). Another front end finds those words in the message
(`recoup.services.problem_groups.worded`) and says the remedy its own way: the web's
import page names its choices instead of options (`web/templates/_ops.html`).
"""

from __future__ import annotations

from recoup.domain.problems import Fix, Problem

__all__ = [
    "CURRENCY",
    "DATE_FORMAT",
    "DECIMAL",
    "EINVOICE_TERMS",
    "ENCODING",
    "TERMS",
    "Fix",
    "column",
    "problem",
    "words",
]

CURRENCY = Fix("currency")  # rows without a currency
DATE_FORMAT = Fix("date_format")  # dates that read two ways
DECIMAL = Fix("decimal")  # amounts whose decimal mark cannot be told
TERMS = Fix("terms")  # invoices without a due date
EINVOICE_TERMS = Fix("einvoice_terms")  # an e-invoice without a due date or net days
ENCODING = Fix("encoding")  # text that is not UTF-8


def column(*fields: str) -> Fix:
    """A column to map to one of `fields`."""
    return Fix("column", fields)


_WORDS = {
    "currency": "add a currency column or pass --currency",
    "date_format": "pass --date-format",
    "decimal": "pass --decimal . or --decimal ,",
    "terms": "give a due_date or terms_days column, or pass --terms",
    "einvoice_terms": "pass --terms DAYS",
    "encoding": "try --encoding cp1252",
}


def words(fix: Fix) -> str:
    """The command line's words for `fix`."""
    if fix.code == "column":
        return "add " + " or ".join(f"--map COLUMN={f}" for f in fix.fields)
    return _WORDS[fix.code]


def problem(
    file: str,
    line: int | None,
    column: str | int | None,
    before: str,
    fix: Fix,
    after: str = "",
    sheet: str | None = None,
) -> Problem:
    """A problem whose message is `before`, the command line's words for `fix`, then
    `after`."""
    return Problem(file, line, column, before + words(fix) + after, sheet=sheet, fix=fix)
