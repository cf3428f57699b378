"""The policy as values: stages and their triggers, conditions and actions; contact
settings; fees and interest; authority; escalation; the policy itself."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from types import MappingProxyType

from recoup.domain.authority_limits import AmountLimit, CollectorLimits
from recoup.domain.currencies import minor_units
from recoup.domain.matching.rules import MatchingRules
from recoup.domain.memo import by_identity
from recoup.domain.money import Money
from recoup.domain.policy.values import HUNDRED, AmountBand, PolicyAmount, day_count
from recoup.domain.priority import PayerKind

# --- stages ----------------------------------------------------------------------------


class Tone(StrEnum):
    FRIENDLY = "friendly"
    FIRM = "firm"
    FINAL = "final"


class TriggerKind(StrEnum):
    DAYS_FROM_DUE = "days_from_due"
    """So many days after the due date (negative: before it; 0: on it)."""
    DAYS_AFTER_PREVIOUS = "days_after_previous"
    """So many days after the previous stage was done."""
    END_OF_MONTH = "end_of_month"
    """At the first month end after the previous stage (a first stage: after the due date)."""


@dataclass(frozen=True, slots=True)
class Trigger:
    kind: TriggerKind
    days: int = 0  # unused for END_OF_MONTH

    def date_for(self, due: date, previous: date | None) -> date | None:
        """The day this stage falls due for an invoice due on `due`.

        `previous` is the day the previous stage was done (None: not done, or this is
        the first stage). None when the trigger cannot fall due yet (a stage counted
        from the previous one before that one happened).
        """
        if self.kind is TriggerKind.DAYS_FROM_DUE:
            return due + timedelta(days=self.days)
        if self.kind is TriggerKind.DAYS_AFTER_PREVIOUS:
            return None if previous is None else previous + timedelta(days=self.days)
        start = (previous if previous is not None else due) + timedelta(days=1)
        return date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])

    def describe(self) -> str:
        if self.kind is TriggerKind.DAYS_FROM_DUE:
            if self.days == 0:
                return "on the due date"
            when = "before" if self.days < 0 else "after"
            return f"{day_count(abs(self.days))} {when} the due date"
        if self.kind is TriggerKind.DAYS_AFTER_PREVIOUS:
            return f"{day_count(self.days)} after the previous stage"
        return "at the first month end after the previous stage (or the due date)"


@dataclass(frozen=True, slots=True)
class Actions:
    """What a stage does; a stage does at least one of these."""

    email: str | None = None  # email template name
    letter: str | None = None  # letter template name
    call: bool = False  # a call task on the worklist
    fee: PolicyAmount | None = None  # a fixed fee added to the account
    fee_percent: Decimal | None = None  # a fee of this percentage of the overdue balance

    @property
    def is_empty(self) -> bool:
        return not (self.email or self.letter or self.call or self.fee or self.fee_percent)


@dataclass(frozen=True, slots=True)
class Conditions:
    """When a stage applies: all given conditions must hold."""

    band: AmountBand = field(default_factory=AmountBand)  # min_balance / balance_below
    tags: tuple[str, ...] = ()  # the customer has at least one of these (empty: any)
    exclude_tags: tuple[str, ...] = ()  # ... and none of these
    categories: tuple[PayerKind, ...] = ()  # the customer is of one of these kinds (empty: any)

    def matches(self, balance: Money, tags: Iterable[str], category: PayerKind) -> bool:
        if not (self.tags or self.exclude_tags or self.categories):
            return self.band.contains(balance)  # the common case, asked once per account
        have = set(tags)
        if self.tags and not have.intersection(self.tags):
            return False
        if have.intersection(self.exclude_tags):
            return False
        if self.categories and category not in self.categories:
            return False
        return self.band.contains(balance)

    def disjoint_from(self, other: Conditions) -> bool:
        """Whether no customer and balance can meet both (as far as can be told)."""
        if (
            self.categories
            and other.categories
            and not set(self.categories).intersection(other.categories)
        ):
            return True
        if self.tags and set(self.tags) <= set(other.exclude_tags):
            return True
        if other.tags and set(other.tags) <= set(self.exclude_tags):
            return True
        return not self.band.overlaps(other.band)


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    trigger: Trigger
    tone: Tone = Tone.FRIENDLY
    actions: Actions = Actions()
    conditions: Conditions = Conditions()


class GroupBy(StrEnum):
    CUSTOMER_CURRENCY = "customer_currency"
    """One message per customer and currency, listing all its overdue invoices."""


class OnChange(StrEnum):
    """What delivery does with a queued message whose figures changed before it went
    out (a part paid, a credit note): see `recoup.domain.delivery`."""

    REBUILD = "rebuild"  # built again with the current figures, under a new Message-ID
    WITHDRAW = "withdraw"  # not sent; the plan decides again on the next run


class Onboarding(StrEnum):
    """Where the plan starts with an account that is already overdue when it is first
    contacted in its cycle (a freshly imported book, an account held since before its
    first reminder); see `recoup.domain.onboarding`."""

    GENTLE = "gentle"
    """At the plan's first-contact stage (its first friendly or firm stage after the due
    date that contacts the customer), then on by the plan's gaps between stages: never a
    final notice as a first contact."""
    BY_AGE = "by_age"
    """At the stage the account's age has reached, whatever it is."""


# --- contact rules ------------------------------------------------------------------


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """0 for Monday ... 6 for Sunday, as `date.weekday()`."""
        return _WEEKDAY_NUMBERS[self]


_WEEKDAY_NUMBERS = {w: n for n, w in enumerate(Weekday)}


class Hold(StrEnum):
    """Situations in which no automatic or manual contact is made.

    The values are those of `recoup.domain.contact_rules.HoldKind`.
    """

    DISPUTE = "dispute"  # a dispute is open
    PROMISE = "promise"  # a promise to pay is in force
    PAYMENT_PLAN = "payment_plan"  # a payment plan is current
    CEASE_CONTACT = "cease_contact"  # the customer asked us to stop contacting them
    INSOLVENCY = "insolvency"  # the customer is insolvent
    AGENCY = "agency"  # the account is placed with a collection agency


WORKDAYS = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


@dataclass(frozen=True, slots=True)
class ContactSettings:
    """How often and when a customer may be contacted (the rules live in `contact_rules`)."""

    min_gap_days: int = 7  # at least this many days between two contacts
    max_per_7_days: int = 2  # at most this many contacts in any 7 days
    hours_from: time = time(8, 0)  # allowed from this time of the debtor's day ...
    hours_until: time = time(20, 0)  # ... up to (not including) this time
    weekdays: tuple[Weekday, ...] = WORKDAYS  # allowed days of the week
    skip_holidays: bool = True  # no contact on the debtor's country's public holidays
    holds: tuple[Hold, ...] = tuple(Hold)  # situations that stop contact

    @property
    def weekday_numbers(self) -> frozenset[int]:
        """The allowed days as `date.weekday()` numbers (0 = Monday)."""
        return frozenset(w.number for w in self.weekdays)

    def allows_weekday(self, day: date) -> bool:
        return day.weekday() in self.weekday_numbers

    def allows_time(self, clock: time) -> bool:
        return self.hours_from <= clock < self.hours_until


# --- fees and interest --------------------------------------------------------------


class InterestKind(StrEnum):
    NONE = "none"
    CONTRACTUAL = "contractual"  # the rate agreed in the contract, simple interest
    STATUTORY = "statutory"  # the jurisdiction's statutory late-payment interest


class Part(StrEnum):
    """What a payment can pay off."""

    COSTS = "costs"  # fees and compensation
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_APPLICATION_ORDER = (Part.COSTS, Part.INTEREST, Part.PRINCIPAL)

KNOWN_JURISDICTIONS = ("DE", "EU", "FR", "GB", "NL")

STATUTORY_APPLICATION_ORDER: Mapping[str, tuple[tuple[Part, ...], str]] = MappingProxyType(
    {
        "DE": ((Part.COSTS, Part.INTEREST, Part.PRINCIPAL), "§ 367(1) BGB"),
        "NL": ((Part.COSTS, Part.INTEREST, Part.PRINCIPAL), "art. 6:44 BW"),
    }
)
"""Jurisdictions whose law fixes the order in which a payment is applied, with the law."""


@dataclass(frozen=True, slots=True)
class FeesAndInterest:
    interest: InterestKind = InterestKind.NONE
    rate_percent: Decimal | None = None  # contractual: yearly rate, simple interest
    grace_days: int = 0  # contractual: interest starts this many days after the due date
    compensation: bool = False  # statutory: also claim the fixed compensation (e.g. €40)
    application_order: tuple[Part, ...] | None = None  # None: the law's, else the default


# --- authority ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SettlementFloor:
    """From `from_days` past due, settle for no less than `min_percent` of the balance."""

    from_days: int
    min_percent: Decimal
    band: AmountBand = field(default_factory=AmountBand)


@dataclass(frozen=True, slots=True)
class PlanLimits:
    max_installments: int = 6
    # "0": no minimum
    min_installment: PolicyAmount = field(default_factory=lambda: PolicyAmount(Decimal("25.00")))
    first_within_days: int = 30  # the first installment falls due within this many days
    grace_days: int = 5  # an installment counts as missed this many days after its date
    default_after_missed: int = 1  # the plan is in default after this many missed installments

    def min_installment_for(self, currency: str) -> Money | None:
        """The smallest installment in `currency`.

        None when the policy's minimum is in another currency: the policy grants no
        authority for a plan in `currency` (ask the owner).
        """
        if not self.min_installment.applies_to(currency):
            return None
        return self.min_installment.in_currency(currency)


# Without [authority.collector]: credit notes up to 100.00 and 25% of the invoice, no
# write-off without the owner.
BUILT_IN_COLLECTOR = CollectorLimits(
    credit=AmountLimit(PolicyAmount(Decimal("100.00")), Decimal(25))
)


@dataclass(frozen=True, slots=True)
class Authority:
    settlement: tuple[SettlementFloor, ...] = ()
    payment_plan: PlanLimits = PlanLimits()
    # a promise to pay is kept when the amount is paid by its date plus these days, else
    # it is broken
    promise_grace_days: int = 3
    # what a collector may take off what a customer owes without the owner (credit notes,
    # write-offs)
    collector: CollectorLimits = BUILT_IN_COLLECTOR

    def settlement_floor(self, days_past_due: int, balance: Money) -> SettlementFloor | None:
        """The floor that applies: the latest-starting one reached whose band holds `balance`.

        None: the policy grants no authority to settle this balance (ask the owner).
        """
        found: SettlementFloor | None = None
        for floor in self.settlement:
            if floor.from_days > days_past_due or not floor.band.contains(balance):
                continue
            if found is None or floor.from_days > found.from_days:
                found = floor
        return found

    def lowest_settlement(self, days_past_due: int, balance: Money) -> Money | None:
        """The least a collector may accept for `balance` (rounded up to the minor unit)."""
        floor = self.settlement_floor(days_past_due, balance)
        if floor is None:
            return None
        exact = balance.amount * floor.min_percent / HUNDRED
        digits = minor_units(balance.currency)
        minor = exact.scaleb(digits).quantize(Decimal(1), ROUND_CEILING)
        return Money(int(minor), balance.currency)


# --- escalation ---------------------------------------------------------------------


class Step(StrEnum):
    AGENCY = "agency"  # hand the account to a collection agency
    LEGAL = "legal"  # take a legal step (court claim)


@dataclass(frozen=True, slots=True)
class EscalationRule:
    """Recommend `step` when all the given conditions hold."""

    step: Step
    after_days: int | None = None  # at least this many days past due
    band: AmountBand = field(default_factory=AmountBand)  # min_balance / balance_below
    broken_promises: int | None = None  # at least this many promises broken
    no_response_days: int | None = None  # no reply for at least this many days

    def applies(
        self,
        days_past_due: int,
        balance: Money,
        broken_promises: int,
        days_without_response: int | None,
    ) -> bool:
        if self.after_days is not None and days_past_due < self.after_days:
            return False
        if self.broken_promises is not None and broken_promises < self.broken_promises:
            return False
        if self.no_response_days is not None and (
            days_without_response is None or days_without_response < self.no_response_days
        ):
            return False
        return self.band.contains(balance)


@dataclass(frozen=True, slots=True)
class WriteOffRule:
    """Recommend a write-off from `after_days` past due when the other conditions hold."""

    after_days: int
    band: AmountBand = field(default_factory=AmountBand)
    no_response_days: int | None = None

    def applies(
        self, days_past_due: int, balance: Money, days_without_response: int | None
    ) -> bool:
        if days_past_due < self.after_days:
            return False
        if self.no_response_days is not None and (
            days_without_response is None or days_without_response < self.no_response_days
        ):
            return False
        return self.band.contains(balance)


@dataclass(frozen=True, slots=True)
class Escalation:
    recommend: tuple[EscalationRule, ...] = ()
    write_off: tuple[WriteOffRule, ...] = ()

    def recommendation(
        self,
        days_past_due: int,
        balance: Money,
        broken_promises: int,
        days_without_response: int | None,
    ) -> EscalationRule | None:
        """The rule to recommend by: the first that applies, a legal step before an agency."""
        applying = [
            r
            for r in self.recommend
            if r.applies(days_past_due, balance, broken_promises, days_without_response)
        ]
        legal = [r for r in applying if r.step is Step.LEGAL]
        chosen = legal or applying
        return chosen[0] if chosen else None

    def write_off_rule(
        self, days_past_due: int, balance: Money, days_without_response: int | None
    ) -> WriteOffRule | None:
        """The first write-off rule that applies (None: no write-off to recommend)."""
        return next(
            (w for w in self.write_off if w.applies(days_past_due, balance, days_without_response)),
            None,
        )


# --- the policy ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    stages: tuple[Stage, ...]
    contact: ContactSettings = ContactSettings()
    fees: FeesAndInterest = FeesAndInterest()
    authority: Authority = Authority()
    escalation: Escalation = Escalation()
    currency: str | None = None  # the currency of amounts written without one
    jurisdiction: str | None = None  # the law for statutory interest and payment order
    group_by: GroupBy = GroupBy.CUSTOMER_CURRENCY
    onboarding: Onboarding = Onboarding.GENTLE
    changed_messages: OnChange = OnChange.REBUILD
    matching: MatchingRules = field(default_factory=MatchingRules)  # bank lines to invoices

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def steps(self) -> tuple[tuple[Stage, ...], ...]:
        """The stages in order; consecutive stages on the same day from due form one step.

        The stages of a step are alternatives: their conditions never overlap, so at
        most one of them applies to an account. Stages counted from the previous stage
        (or at month end) are always steps of their own: two `days_after_previous = 14`
        in a row are two reminders a fortnight apart.
        """
        return _steps(self.stages)

    def application_order(self) -> tuple[Part, ...]:
        """The order a payment pays costs, interest and principal: the law's, if it fixes one."""
        law = STATUTORY_APPLICATION_ORDER.get(self.jurisdiction or "")
        if law is not None:
            return law[0]
        return self.fees.application_order or DEFAULT_APPLICATION_ORDER


@by_identity
def _steps(stages: tuple[Stage, ...]) -> tuple[tuple[Stage, ...], ...]:
    """`Policy.steps`, remembered for the last few stage tuples (the daily run asks once
    per account)."""
    return tuple(tuple(stages[i] for i in s) for s in _step_indexes(stages))


def _step_indexes(stages: tuple[Stage, ...]) -> list[list[int]]:
    steps: list[list[int]] = []
    for index, stage in enumerate(stages):
        if (
            steps
            and stage.trigger.kind is TriggerKind.DAYS_FROM_DUE
            and stages[steps[-1][0]].trigger == stage.trigger
        ):
            steps[-1].append(index)
        else:
            steps.append([index])
    return steps
