"""Dates in imports: an explicit format, or detection that refuses to guess.

Detection tries the usual formats on every distinct date text of the file. The format
that reads the most of them is used; if two formats read the same number of them and
give different dates for some text (01/02/2024: 1 February or 2 January?), the file is
refused and the user is asked for --date-format. A trailing midnight time
("2024-01-31 00:00:00") is accepted and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

CANDIDATES = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
)

_PIECES = {
    "%Y": r"(?P<Y>\d{4})",
    "%y": r"(?P<y>\d{2})",
    "%m": r"(?P<m>\d{1,2})",
    "%d": r"(?P<d>\d{1,2})",
}
_MIDNIGHT = re.compile(r"[ T]00:00(:00(\.0+)?)?$")


def _compile(fmt: str) -> Callable[[str], date | None]:
    """A fast reader for formats built from %Y %y %m %d; strptime for anything else."""
    pattern = ""
    i = 0
    simple = True
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            piece = fmt[i : i + 2]
            if piece not in _PIECES:
                simple = False
                break
            pattern += _PIECES[piece]
            i += 2
        else:
            pattern += re.escape(fmt[i])
            i += 1
    if not simple:

        def slow(text: str) -> date | None:
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no zone
            except ValueError:
                return None

        return slow
    if fmt == "%Y%m%d":
        pattern = r"(?P<Y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    rx = re.compile(pattern)

    def fast(text: str) -> date | None:
        m = rx.fullmatch(text)
        if m is None:
            return None
        parts = m.groupdict()
        year = int(parts["Y"]) if "Y" in parts else 2000 + int(parts["y"])
        try:
            return date(year, int(parts["m"]), int(parts["d"]))
        except ValueError:
            return None

    return fast


def strip_midnight(text: str) -> str:
    return _MIDNIGHT.sub("", text.strip())


@dataclass(frozen=True)
class DateReading:
    fmt: str | None
    values: dict[str, date]  # text -> date for every text that could be read
    ambiguity: tuple[str, str, str, date, date] | None = None  # text, fmt1, fmt2, d1, d2


def read_dates(texts: Iterable[str], fmt: str | None) -> DateReading:
    """Read every distinct date text with `fmt`, or with the detected format."""
    distinct = dict.fromkeys(t for t in texts if t)  # in file order, for clear messages
    cleaned = {t: strip_midnight(t) for t in distinct}
    if fmt is not None:
        reader = _compile(fmt)
        values = {t: d for t, c in cleaned.items() if (d := reader(c)) is not None}
        return DateReading(fmt, values)
    results: list[tuple[str, dict[str, date]]] = []
    for cand in CANDIDATES:
        reader = _compile(cand)
        values = {t: d for t, c in cleaned.items() if (d := reader(c)) is not None}
        results.append((cand, values))
    best = max(len(v) for _, v in results) if results else 0
    if best == 0:
        return DateReading(None, {})
    top = [(f, v) for f, v in results if len(v) == best]
    first_fmt, first_vals = top[0]
    for other_fmt, other_vals in top[1:]:
        for text, d in first_vals.items():
            if other_vals.get(text, d) != d:
                return DateReading(None, {}, (text, first_fmt, other_fmt, d, other_vals[text]))
    return DateReading(first_fmt, first_vals)
