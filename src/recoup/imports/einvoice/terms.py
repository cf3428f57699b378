"""Payment terms text to a number of days, only where the text leaves no doubt.

EN 16931 gives the terms as free text (BT-20). A due date is computed from them only
when they give the net period in days:
- a number of days marked net (`30 days net`, `Net 30`, `30 Tagen netto`, `30 dagar
  netto`): that number, when only one such number is marked;
- else a text with exactly one number of days and no percentage (`Payment within 30
  days`, `Fällig nach Belegdatum + 10 Tage`): that number. A percentage means a
  discount, whose period is not the net term (`2% if paid within 10 days`).
A choice or a range of days (`30 or 60 days`, `30-60 Tage`) gives None, as does anything
else, and the due date must then come from the document or `--terms`.
"""

from __future__ import annotations

import re

# "days" in the languages of the EN 16931 examples and their neighbours
_DAYS = (
    r"(?:calendar\s+)?(?:days?|tage[n]?|tg\.?|dage[n]?|dagar|dager|dni|jours?|giorni|"
    r"d[ií]as|dias|päivää|napig?|nap|ημέρες|ημερών)"
)
_NET = r"(?:net(?:to)?|netto\s+kasse)"
_NUMBER_DAYS = re.compile(rf"(?<![\d.,])(\d{{1,3}})\s*{_DAYS}(?!\w)", re.IGNORECASE)
_DAYS_NET = re.compile(rf"(?<![\d.,])(\d{{1,3}})\s*{_DAYS}\s+{_NET}(?!\w)", re.IGNORECASE)
_NET_DAYS = re.compile(rf"(?<!\w){_NET}\s*(\d{{1,3}})(?![\d.,%])", re.IGNORECASE)
# a choice or a range of days ("30 or 60 days", "30-60 Tage") names no one period
_CHOICE = re.compile(
    rf"\d\s*(?:or|oder|ou|o|eller|tai|to|bis|à|a|-|–|/)\s*\d{{1,3}}\s*{_DAYS}", re.IGNORECASE
)

MAX_DAYS = 366


def net_days(text: str) -> int | None:
    """The net period the terms give in days, or None when they give none for sure."""
    if _CHOICE.search(text):
        return None
    marked = {int(m.group(1)) for m in _DAYS_NET.finditer(text)}
    marked |= {int(m.group(1)) for m in _NET_DAYS.finditer(text)}
    if marked:
        return _plausible(marked)
    if "%" in text:
        return None
    return _plausible({int(m.group(1)) for m in _NUMBER_DAYS.finditer(text)})


def _plausible(found: set[int]) -> int | None:
    if len(found) != 1:
        return None
    days = next(iter(found))
    return days if days <= MAX_DAYS else None
