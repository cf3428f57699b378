"""Taking over an account that is already overdue: where the plan starts with it, and
how it goes on from there.

A cycle's *first contact* is its first stage that emails, writes to or calls the
customer. When that falls on an account already far past its due date (a book just
imported with old debt, an account held since before its first reminder), the plan
taken by age would open with whatever stage the age has reached: a final notice, a
letter before action. Under `onboarding = "gentle"` (the default) it opens instead at
the plan's *first-contact stage*: the first stage counted from the due date, on or
after it, that contacts the customer in a friendly or firm voice ("friendly overdue"
in the built-in plan). From there the cycle is *onboarded*: each later stage counted
from the due date comes no sooner than the plan's gap between the two stages (the
difference of their `days_from_due`) after the stage before it was done, so the
customer hears the plan's voices in order and at its pace.

A cycle is onboarded when, on the day its first contact was done, a later stage was
already due by age: exactly the cycles the gentle opening changed. Every other cycle
follows the plan by age, as before. A plan without a first-contact stage (only a final
stage after the due date) opens by age. `onboarding = "by_age"` switches all of this
off.

Pure: the plan (`recoup.domain.collection.shape`) asks; the stages are given already
chosen among a step's alternatives (`pick`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta

from recoup.domain.policy import Stage, Tone, TriggerKind

Pick = Callable[[Sequence[Stage]], Stage | None]


def contacts(stage: Stage) -> bool:
    """Whether the stage contacts the customer (an email, a letter or a call)."""
    acts = stage.actions
    return bool(acts.email or acts.letter or acts.call)


def opens(stage: Stage) -> bool:
    """Whether the stage may be an overdue account's first contact: it contacts, in a
    friendly or firm voice, on or after the due date, counted from it."""
    trigger = stage.trigger
    return (
        contacts(stage)
        and stage.tone is not Tone.FINAL
        and trigger.kind is TriggerKind.DAYS_FROM_DUE
        and trigger.days >= 0
    )


def before_due(stage: Stage) -> bool:
    """Whether the stage is a reminder before the due date."""
    trigger = stage.trigger
    return trigger.kind is TriggerKind.DAYS_FROM_DUE and trigger.days < 0


def contacted(steps: Sequence[Sequence[Stage]], done: Mapping[str, date]) -> bool:
    """Whether a stage that contacts the customer is done in this cycle."""
    return any(s.name in done and contacts(s) for step in steps for s in step)


def later_due(
    steps: Sequence[Sequence[Stage]], index: int, oldest_due: date, day: date, pick: Pick
) -> bool:
    """Whether, on `day`, a stage after step `index` is due by age (the next chosen one,
    counted from the due date: those after it fall due no sooner)."""
    for step in steps[index + 1 :]:
        stage = pick(step)
        if stage is None:
            continue
        trigger = stage.trigger
        if trigger.kind is not TriggerKind.DAYS_FROM_DUE:
            return False
        return oldest_due + timedelta(days=trigger.days) <= day
    return False


def onboarded(
    steps: Sequence[Sequence[Stage]], done: Mapping[str, date], oldest_due: date, pick: Pick
) -> bool:
    """Whether this cycle opened gently: its first contact was done while a later stage
    was already due by age (its later stages then come by the plan's gaps)."""
    for index, step in enumerate(steps):
        first = next((s for s in step if s.name in done and contacts(s)), None)
        if first is None:
            continue
        if first.trigger.kind is not TriggerKind.DAYS_FROM_DUE:
            return False
        return later_due(steps, index, oldest_due, done[first.name], pick)
    return False


def by_gap(stage: Stage, when: date, previous: Stage | None, previous_done: date | None) -> date:
    """The day `stage` falls due in an onboarded cycle: by age (`when`), but no sooner
    than the plan's gap after the stage before it was done."""
    if previous is None or previous_done is None:
        return when
    mine, theirs = stage.trigger, previous.trigger
    if mine.kind is not TriggerKind.DAYS_FROM_DUE or theirs.kind is not TriggerKind.DAYS_FROM_DUE:
        return when
    return max(when, previous_done + timedelta(days=mine.days - theirs.days))
