"""Payment plans: a schedule of installments, its limits, and how payments keep it.

**Splitting.** `split(total, count)` gives `count` amounts that differ by at most one
minor unit and sum exactly to `total`: the first `total mod count` installments carry
one minor unit more. No cent is lost or invented by rounding.

**Interest and fee.** A plan may carry simple interest (`rate_percent` a year, actual
days / 365) on the principal still owed over each period (from the plan's start to the
first installment, then between installments), rounded once per installment, half-up,
to the minor unit; and a one-off fee, added to the first installment. An installment's
amount is its principal part plus its interest plus its fee; the principal parts sum
exactly to the principal.

**Limits** come from the policy (`PlanLimits`): at most `max_installments`, none
smaller than `min_installment`, the first due within `first_within_days` of the start.
A schedule outside them needs the owner's approval (`limit_problems` says why).

**Tracking.** Payments from the plan's start are applied to the installments in order.
An installment is *paid* when the payments reach the plan's running total up to it, on
the day they do; it is *missed* when that has not happened by its date plus the grace
days; the plan is in *default* once `default_after_missed` installments are missed, and
*completed* once the last is paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.currencies import minor_units
from recoup.domain.money import Money
from recoup.domain.policy import PlanLimits

DAYS_IN_YEAR = Decimal(365)
HUNDRED = Decimal(100)


def split(total: Money, count: int) -> tuple[Money, ...]:
    """`count` amounts summing exactly to `total`, the first ones a minor unit larger."""
    if count < 1:
        raise CaseworkError("a plan needs at least one installment")
    if total.is_negative():
        raise CaseworkError(f"cannot split a negative amount ({total})")
    base, rest = divmod(total.minor, count)
    return tuple(Money(base + (1 if i < rest else 0), total.currency) for i in range(count))


@dataclass(frozen=True, slots=True)
class Installment:
    number: int  # from 1
    due: date
    principal: Money
    interest: Money
    fee: Money

    @property
    def amount(self) -> Money:
        return self.principal + self.interest + self.fee


@dataclass(frozen=True, slots=True)
class Schedule:
    start: date  # the day the plan was agreed
    principal: Money
    rate_percent: Decimal | None
    installments: tuple[Installment, ...]

    @property
    def currency(self) -> str:
        return self.principal.currency

    @property
    def total(self) -> Money:
        return Money(sum(i.amount.minor for i in self.installments), self.currency)

    @property
    def interest(self) -> Money:
        return Money(sum(i.interest.minor for i in self.installments), self.currency)

    @property
    def fee(self) -> Money:
        return Money(sum(i.fee.minor for i in self.installments), self.currency)


def simple_interest(principal: Money, rate_percent: Decimal, days: int) -> Money:
    """Simple interest on `principal` for `days` at `rate_percent` a year (actual/365)."""
    if days <= 0 or rate_percent == 0 or not principal:
        return Money.zero(principal.currency)
    exact = principal.amount * rate_percent / HUNDRED * Decimal(days) / DAYS_IN_YEAR
    digits = minor_units(principal.currency)
    minor = exact.scaleb(digits).quantize(Decimal(1), ROUND_HALF_UP)
    return Money(int(minor), principal.currency)


def due_dates(first: date, count: int, every_days: int) -> tuple[date, ...]:
    if every_days < 1:
        raise CaseworkError("installments must be at least one day apart")
    return tuple(first + timedelta(days=every_days * i) for i in range(count))


def schedule(
    principal: Money,
    count: int,
    first: date,
    *,
    start: date,
    every_days: int = 30,
    rate_percent: Decimal | None = None,
    fee: Money | None = None,
) -> Schedule:
    """The schedule of a plan for `principal` in `count` installments from `first`."""
    if not principal or principal.is_negative():
        raise CaseworkError(f"a plan needs an amount above zero, not {principal}")
    if first < start:
        raise CaseworkError(
            f"the first installment ({first.isoformat()}) cannot be before the plan is agreed "
            f"({start.isoformat()})"
        )
    if rate_percent is not None and (not rate_percent.is_finite() or rate_percent < 0):
        raise CaseworkError(f"the plan's interest rate must be 0 or more, not {rate_percent}")
    if fee is not None and (fee.currency != principal.currency or fee.is_negative()):
        raise CaseworkError(f"the plan's fee must be 0 or more in {principal.currency}")
    parts = split(principal, count)
    days = due_dates(first, count, every_days)
    zero = Money.zero(principal.currency)
    owed = principal
    previous = start
    out: list[Installment] = []
    for number, (part, due) in enumerate(zip(parts, days, strict=True), start=1):
        interest = (
            simple_interest(owed, rate_percent, (due - previous).days)
            if rate_percent is not None
            else zero
        )
        out.append(Installment(number, due, part, interest, (fee or zero) if number == 1 else zero))
        owed = owed - part
        previous = due
    return Schedule(start, principal, rate_percent, tuple(out))


def limit_problems(plan: Schedule, limits: PlanLimits) -> list[str]:
    """Why this schedule is outside the policy's authority (empty: within it)."""
    problems: list[str] = []
    count = len(plan.installments)
    if count > limits.max_installments:
        problems.append(
            f"{count} installments is more than the {limits.max_installments} the policy allows"
        )
    minimum = limits.min_installment_for(plan.currency)
    if minimum is None:
        problems.append(
            f"the policy's minimum installment is not in {plan.currency}: "
            "it grants no authority for this plan"
        )
    else:
        smallest = min(i.amount for i in plan.installments)
        if smallest < minimum:
            problems.append(f"an installment of {smallest} is below the minimum of {minimum}")
    first = plan.installments[0].due
    latest = plan.start + timedelta(days=limits.first_within_days)
    if first > latest:
        problems.append(
            f"the first installment ({first.isoformat()}) is more than "
            f"{limits.first_within_days} days after the plan is agreed"
        )
    return problems


def most_installments(balance: Money, limits: PlanLimits) -> int:
    """The most installments within the limits for `balance` (0: no plan fits)."""
    minimum = limits.min_installment_for(balance.currency)
    if minimum is None or balance.minor <= 0:
        return 0
    if not minimum:
        return limits.max_installments
    return min(limits.max_installments, balance.minor // minimum.minor)


class InstallmentStatus(StrEnum):
    UPCOMING = "upcoming"  # not yet due
    DUE = "due"  # due, within grace, not yet paid in full
    PAID = "paid"
    MISSED = "missed"


class PlanStatus(StrEnum):
    CURRENT = "current"
    COMPLETED = "completed"
    DEFAULTED = "defaulted"


@dataclass(frozen=True, slots=True)
class InstallmentState:
    installment: Installment
    paid: Money  # how much of it the payments cover so far
    paid_on: date | None  # the day it was covered in full
    status: InstallmentStatus


@dataclass(frozen=True, slots=True)
class PlanState:
    status: PlanStatus
    installments: tuple[InstallmentState, ...]
    paid: Money  # payments counted towards the plan
    missed: int
    decided_on: date | None  # the day it completed or defaulted

    @property
    def next_due(self) -> InstallmentState | None:
        return next((s for s in self.installments if s.status is not InstallmentStatus.PAID), None)


def track(
    plan: Schedule,
    payments: Sequence[tuple[date, Money]],
    as_of: date,
    *,
    grace_days: int,
    default_after_missed: int,
) -> PlanState:
    """How `payments` (any order) keep `plan` as of `as_of`; see the module docstring.

    Only payments dated from the plan's start up to `as_of` count.
    """
    cur = plan.currency
    counted = sorted(
        (day, m.minor) for day, m in payments if m.currency == cur and plan.start <= day <= as_of
    )
    states: list[InstallmentState] = []
    running = 0
    paid_total = sum(m for _d, m in counted)
    missed = 0
    defaulted_on: date | None = None
    for inst in plan.installments:
        before = running
        running += inst.amount.minor
        reached = _day_reached(counted, running)
        covered = max(0, min(inst.amount.minor, paid_total - before))
        deadline = inst.due + timedelta(days=grace_days)
        if reached is not None:
            status = InstallmentStatus.PAID
        elif as_of > deadline:
            status = InstallmentStatus.MISSED
        elif as_of >= inst.due:
            status = InstallmentStatus.DUE
        else:
            status = InstallmentStatus.UPCOMING
        if reached is not None and reached > deadline and deadline < as_of:
            # paid, but late: it was missed on the day after its grace ran out
            missed += 1
            if missed == default_after_missed and defaulted_on is None:
                defaulted_on = deadline + timedelta(days=1)
        elif status is InstallmentStatus.MISSED:
            missed += 1
            if missed == default_after_missed and defaulted_on is None:
                defaulted_on = deadline + timedelta(days=1)
        states.append(InstallmentState(inst, Money(covered, cur), reached, status))
    completed_on = states[-1].paid_on if states and states[-1].paid_on else None
    if defaulted_on is not None and (completed_on is None or defaulted_on <= completed_on):
        status_all, decided = PlanStatus.DEFAULTED, defaulted_on
    elif completed_on is not None:
        status_all, decided = PlanStatus.COMPLETED, completed_on
    else:
        status_all, decided = PlanStatus.CURRENT, None
    return PlanState(status_all, tuple(states), Money(paid_total, cur), missed, decided)


def _day_reached(counted: Sequence[tuple[date, int]], target: int) -> date | None:
    """The day the running sum of `counted` first reaches `target` (None: never)."""
    total = 0
    for day, minor in counted:
        total += minor
        if total >= target:
            return day
    return None
