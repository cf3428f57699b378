"""A cycle's actions as one text (`cases.steps`, `ended_cycles.steps`).

The daily run needs of a case's actions only their days, kinds, stages and amounts: what
the cycle has done (and charged) and when the customer was contacted. Kept as one text
per case, written as each action is recorded (`run_repo.record_actions`), they come with
the case's row: a run reads a case, not every action it ever had, and cases alike have
equal texts (`recoup.domain.shared_plans` uses them as they are).

One step is `day PART kind PART stage PART minor units` (the amount of interest charges
only), steps are joined by ITEM, the oldest first. Stage names are letters, digits,
spaces and `_ . - :` (the policy's names, `recommend:...`, `notice:...`), so the two
separators never occur in them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

PART = "\x1f"
ITEM = "\x1e"


def step(day: date, kind: str, stage: str, minor: int) -> str:
    """One action as a step: its amount only for an interest charge (the interest
    charged so far in the cycle is what the planner needs; the other amounts would
    only make every customer's steps different)."""
    return f"{day.isoformat()}{PART}{kind}{PART}{stage}{PART}{minor if kind == 'interest' else ''}"


def join(*texts: str) -> str:
    """Several texts of steps as one (empty ones left out)."""
    return ITEM.join(t for t in texts if t)


def read(text: str) -> Iterator[tuple[date, str, str, int]]:
    """(day, kind, stage, minor units: 0 but for interest) of each step, oldest first."""
    if not text:
        return
    for item in text.split(ITEM):
        day, kind, stage, minor = item.split(PART)
        yield date.fromisoformat(day), kind, stage, int(minor) if minor else 0


def kinds_and_stages(text: str) -> set[tuple[str, str]]:
    """(kind, stage) of each step: what has been recorded in the cycle."""
    out = set()
    for item in text.split(ITEM) if text else ():
        _day, kind, stage, _minor = item.split(PART)
        out.add((kind, stage))
    return out


def without(text: str, day: date, kind: str, stage: str) -> str:
    """The steps less the first one of this day, kind and stage (an action withdrawn:
    it was not done after all)."""
    head = f"{day.isoformat()}{PART}{kind}{PART}{stage}{PART}"
    items = text.split(ITEM) if text else []
    for index, item in enumerate(items):
        if item.startswith(head) and item.count(PART) == 3:
            del items[index]
            break
    return ITEM.join(items)
