"""A promise to pay: kept or broken, from the payments and the policy's grace days.

A promise of `amount` by `promised_on`, made on `made_on`, is **kept** on the day the
payments dated from `made_on` on add up to `amount`, if that day is no later than
`promised_on` plus the grace days; it is **broken** the day after that deadline if
they have not; until then it is **open** (in force: reminders pause, see
`recoup.domain.contact_rules.promise_hold`). Payments in another currency do not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money


class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"  # replaced by a plan or a settlement, or withdrawn


@dataclass(frozen=True, slots=True)
class PromiseOutcome:
    status: PromiseStatus
    paid: Money  # payments counted towards the promise (up to as-of)
    decided_on: date | None  # the day it was kept or broken
    deadline: date  # the promised day plus grace

    def words(self, amount: Money, promised_on: date) -> str:
        if self.status is PromiseStatus.KEPT:
            return (
                f"promise of {amount} by {promised_on.isoformat()} kept: {self.paid} paid "
                f"by {self.decided_on.isoformat() if self.decided_on else '?'}"
            )
        if self.status is PromiseStatus.BROKEN:
            return (
                f"promise of {amount} by {promised_on.isoformat()} broken: {self.paid} paid "
                f"by {self.deadline.isoformat()} (the promised day plus grace)"
            )
        return (
            f"promise of {amount} by {promised_on.isoformat()} in force until "
            f"{self.deadline.isoformat()}; {self.paid} paid so far"
        )


def check_new_promise(amount: Money, made_on: date, promised_on: date, balance: Money) -> None:
    """Refuse a promise that cannot be meant: nothing, more than owed, or in the past."""
    if amount.minor <= 0:
        raise CaseworkError(f"a promise needs an amount above zero, not {amount}")
    if amount.currency != balance.currency:
        raise CaseworkError(
            f"the promise is in {amount.currency} but nothing is owed in that currency"
        )
    if amount > balance:
        raise CaseworkError(f"the promise of {amount} is more than the balance of {balance}")
    if promised_on < made_on:
        raise CaseworkError(
            f"the promised day {promised_on.isoformat()} is before the day the promise was "
            f"made ({made_on.isoformat()})"
        )


def outcome(
    amount: Money,
    made_on: date,
    promised_on: date,
    payments: Sequence[tuple[date, Money]],
    as_of: date,
    grace_days: int,
) -> PromiseOutcome:
    """Kept, broken or open as of `as_of` (see the module docstring)."""
    if grace_days < 0:
        raise ValueError("grace days must not be negative")
    deadline = promised_on + timedelta(days=grace_days)
    counted = sorted(
        (d, m.minor) for d, m in payments if m.currency == amount.currency and made_on <= d <= as_of
    )
    total = 0
    for day, minor in counted:
        total += minor
        if total >= amount.minor and day <= deadline:
            paid = sum(m for d, m in counted if d <= day)
            return PromiseOutcome(PromiseStatus.KEPT, Money(paid, amount.currency), day, deadline)
    by_deadline = sum(m for d, m in counted if d <= deadline)
    if as_of > deadline:
        return PromiseOutcome(
            PromiseStatus.BROKEN,
            Money(by_deadline, amount.currency),
            deadline + timedelta(days=1),
            deadline,
        )
    return PromiseOutcome(PromiseStatus.OPEN, Money(total, amount.currency), None, deadline)
