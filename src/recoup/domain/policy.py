"""The collection policy: the business's plan, as values, and the rules that keep it sane.

A policy says when to remind and in what voice (stages), how often a customer may be
contacted (contact settings), what fees and interest apply and in which order payments
pay them off, how far a collector may go in a settlement or a payment plan (authority),
and when to recommend an agency, a legal step or a write-off (escalation).

Everything here is pure: the `recoup.policy` package reads a policy file into these
values; `validate_policy` checks what can be checked without the file and returns
problems as data (`PolicyIssue`), each with the path of the policy-file key it is about
(e.g. `("stage", 2, "days_from_due")`), so a reader can point at the right line.

Amounts are `PolicyAmount`s: a Decimal with a currency ("25.00 EUR"), or a plain figure
without one ("25.00"), which applies as that same figure in whatever currency an
account is in. An amount with a currency only speaks of balances in that currency:
a band in EUR never contains a GBP balance. Nothing here is ever a float.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from recoup.domain.authority_limits import AmountLimit, CollectorLimits
from recoup.domain.currencies import is_currency, minor_units
from recoup.domain.matching.rules import MatchingRules, matching_issues
from recoup.domain.memo import by_identity
from recoup.domain.money import CurrencyMismatchError, Money, to_decimal
from recoup.domain.priority import PayerKind

Key = str | int
KeyPath = tuple[Key, ...]

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """Something wrong with a policy: the policy-file key it is about, and why."""

    path: KeyPath
    message: str


# --- amounts -------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _rounded(value: Decimal, currency: str) -> Money:
    """Money.round, remembered: the daily run asks for the same few figures per case."""
    return Money.round(value, currency)


@dataclass(frozen=True, slots=True)
class PolicyAmount:
    """An amount of the policy: `value` in `currency`, or in every currency when None."""

    value: Decimal
    currency: str | None = None

    def applies_to(self, currency: str) -> bool:
        return self.currency is None or self.currency == currency

    def in_currency(self, currency: str) -> Money:
        """This amount as Money of `currency` (a plain figure is rounded half-up to it)."""
        if not self.applies_to(currency):
            raise CurrencyMismatchError(f"{self} does not apply to {currency} balances")
        return _rounded(self.value, currency)

    def __str__(self) -> str:
        return f"{self.value} {self.currency}" if self.currency else str(self.value)


@dataclass(frozen=True, slots=True)
class AmountBand:
    """Balances from `low` (inclusive) up to `below` (exclusive); either end may be open."""

    low: PolicyAmount | None = None
    below: PolicyAmount | None = None

    @property
    def currency(self) -> str | None:
        for bound in (self.low, self.below):
            if bound is not None and bound.currency is not None:
                return bound.currency
        return None

    @property
    def is_open(self) -> bool:
        return self.low is None and self.below is None

    def contains(self, balance: Money) -> bool:
        if self.low is None and self.below is None:
            return True
        for bound in (self.low, self.below):
            if bound is not None and not bound.applies_to(balance.currency):
                return False
        if self.low is not None and balance < self.low.in_currency(balance.currency):
            return False
        return not (self.below is not None and balance >= self.below.in_currency(balance.currency))

    def edges(self, currency: str) -> tuple[int, ...]:
        """The balances of `currency`, in minor units, at which `contains` changes its
        answer: below the first edge, from one edge up to below the next, and from the
        last edge up, every balance of `currency` gets the same answer."""
        bounds = [b for b in (self.low, self.below) if b is not None]
        if not bounds or not all(b.applies_to(currency) for b in bounds):
            return ()  # open (everything in), or in another currency (nothing in)
        return tuple(b.in_currency(currency).minor for b in bounds)

    def overlaps(self, other: AmountBand) -> bool:
        """Whether some balance could fall in both bands."""
        mine, theirs = self.currency, other.currency
        if mine is not None and theirs is not None and mine != theirs:
            return False
        lows = [b.low.value for b in (self, other) if b.low is not None]
        belows = [b.below.value for b in (self, other) if b.below is not None]
        if not lows or not belows:
            return True
        return max(lows) < min(belows)

    def describe(self) -> str:
        if self.low is not None and self.below is not None:
            return f"balance from {self.low} up to below {self.below}"
        if self.low is not None:
            return f"balance of at least {self.low}"
        if self.below is not None:
            return f"balance below {self.below}"
        return "any balance"


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
            return f"{_days(abs(self.days))} {when} the due date"
        if self.kind is TriggerKind.DAYS_AFTER_PREVIOUS:
            return f"{_days(self.days)} after the previous stage"
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

    band: AmountBand = AmountBand()  # min_balance / balance_below
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
    band: AmountBand = AmountBand()


@dataclass(frozen=True, slots=True)
class PlanLimits:
    max_installments: int = 6
    min_installment: PolicyAmount = PolicyAmount(Decimal("25.00"))  # "0": no minimum
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
    band: AmountBand = AmountBand()  # min_balance / balance_below
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
    band: AmountBand = AmountBand()
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


# --- validation ---------------------------------------------------------------------

MAX_DAYS = 3650  # ten years: no plan step is further away than that
MAX_BEFORE_DUE = 60
TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")
STAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}")
TAG = re.compile(r"[^,\s][^,]{0,63}")


def validate_policy(policy: Policy) -> list[PolicyIssue]:
    """Every problem with `policy` that needs no file to find, in the order of the file."""
    issues: list[PolicyIssue] = []
    issues += _check_settings(policy)
    issues += validate_stages(policy.stages)
    issues += validate_contact(policy.contact)
    issues += validate_fees(policy.fees, policy.jurisdiction)
    issues += validate_authority(policy.authority)
    issues += validate_escalation(policy.escalation, policy.stages)
    issues += [PolicyIssue(path, message) for path, message in matching_issues(policy.matching)]
    return issues


def _check_settings(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    if not policy.name.strip():
        issues.append(PolicyIssue(("name",), 'a policy needs a name: add name = "..." at the top'))
    elif len(policy.name) > 200:
        issues.append(PolicyIssue(("name",), "a policy name has at most 200 characters"))
    if policy.currency is not None and not is_currency(policy.currency):
        issues.append(
            PolicyIssue(("currency",), f'unknown currency "{policy.currency}" (not ISO 4217)')
        )
    if policy.jurisdiction is not None and policy.jurisdiction not in KNOWN_JURISDICTIONS:
        issues.append(
            PolicyIssue(
                ("jurisdiction",),
                f'unknown jurisdiction "{policy.jurisdiction}"; '
                f"known: {', '.join(KNOWN_JURISDICTIONS)}",
            )
        )
    return issues


def _amount_issues(
    path: KeyPath, amount: PolicyAmount | None, *, positive: bool = False
) -> list[PolicyIssue]:
    if amount is None:
        return []
    if not amount.value.is_finite():
        return [PolicyIssue(path, f"not a finite amount: {amount}")]
    if amount.value < 0 or (positive and amount.value == 0):
        need = "more than 0" if positive else "0 or more"
        return [PolicyIssue(path, f"the amount must be {need}, not {amount}")]
    if amount.currency is None:
        exponent = amount.value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -4:
            return [PolicyIssue(path, f"{amount} has more than 4 decimal places")]
        return []
    if not is_currency(amount.currency):
        return [PolicyIssue(path, f'unknown currency "{amount.currency}" (not ISO 4217)')]
    digits = minor_units(amount.currency)
    if amount.value.scaleb(digits) != amount.value.scaleb(digits).to_integral_value():
        return [
            PolicyIssue(
                path,
                f"{amount} has more than {digits} decimal places, the most "
                f"{amount.currency} allows",
            )
        ]
    return []


def _band_issues(path: KeyPath, band: AmountBand) -> list[PolicyIssue]:
    low_path, below_path = (*path, "min_balance"), (*path, "balance_below")
    issues = _amount_issues(low_path, band.low) + _amount_issues(below_path, band.below)
    if issues or band.low is None or band.below is None:
        return issues
    if (
        band.low.currency is not None
        and band.below.currency is not None
        and band.low.currency != band.below.currency
    ):
        return [
            PolicyIssue(
                below_path,
                f"balance_below is in {band.below.currency} but min_balance in "
                f"{band.low.currency}; a band has one currency",
            )
        ]
    if band.below.value <= band.low.value:
        return [
            PolicyIssue(
                below_path,
                f"balance_below ({band.below}) must be more than min_balance ({band.low})",
            )
        ]
    return []


def _percent_issues(path: KeyPath, value: Decimal | None, what: str) -> list[PolicyIssue]:
    if value is None:
        return []
    if not value.is_finite() or value < 0 or value > HUNDRED:
        return [PolicyIssue(path, f"{what} must be between 0 and 100 (percent), not {value}")]
    return []


def _name_list_issues(path: KeyPath, names: tuple[str, ...], what: str) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    seen: set[str] = set()
    for index, name in enumerate(names):
        if not TAG.fullmatch(name):
            issues.append(PolicyIssue((*path, index), f'not a valid {what}: "{name}"'))
        elif name in seen:
            issues.append(PolicyIssue((*path, index), f'{what} "{name}" is listed twice'))
        seen.add(name)
    return issues


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def validate_stages(stages: tuple[Stage, ...]) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    if not stages:
        return [PolicyIssue(("stage",), "a policy needs at least one [[stage]]")]
    names: dict[str, int] = {}
    last_due: tuple[int, int] | None = None  # (index, days) of the last due-relative stage
    relative_since: int | None = None  # first stage counted from another stage
    for index, stage in enumerate(stages):
        at: KeyPath = ("stage", index)
        issues += _stage_shape_issues(at, stage)
        key = stage.name.casefold()
        if key in names:
            issues.append(
                PolicyIssue(
                    (*at, "name"),
                    f'stage name "{stage.name}" is used twice (first by stage '
                    f"{names[key] + 1}); stage names must be unique",
                )
            )
        else:
            names[key] = index
        trigger = stage.trigger
        tkey: KeyPath = (*at, trigger.kind.value)
        if trigger.kind is TriggerKind.DAYS_FROM_DUE:
            if not -MAX_BEFORE_DUE <= trigger.days <= MAX_DAYS:
                issues.append(
                    PolicyIssue(
                        tkey,
                        f"days_from_due must be between -{MAX_BEFORE_DUE} and {MAX_DAYS}, "
                        f"not {trigger.days}",
                    )
                )
            if relative_since is not None:
                issues.append(
                    PolicyIssue(
                        tkey,
                        f"a stage counted from the due date cannot follow stage "
                        f'"{stages[relative_since].name}", which is counted from the stage '
                        "before it: their order would depend on the dates",
                    )
                )
            elif last_due is not None and trigger.days < last_due[1]:
                issues.append(
                    PolicyIssue(
                        tkey,
                        f"stages must be in order: days_from_due {trigger.days} comes after "
                        f'stage "{stages[last_due[0]].name}" at {last_due[1]}',
                    )
                )
            last_due = (index, trigger.days)
            if trigger.days < 0:
                if stage.tone is not Tone.FRIENDLY:
                    issues.append(
                        PolicyIssue(
                            (*at, "tone"),
                            "a reminder before the due date must be friendly: nothing is late yet",
                        )
                    )
                if stage.actions.fee is not None or stage.actions.fee_percent is not None:
                    issues.append(
                        PolicyIssue(
                            (*at, "fee" if stage.actions.fee is not None else "fee_percent"),
                            "no fee before the due date: nothing is late yet",
                        )
                    )
        elif trigger.kind is TriggerKind.DAYS_AFTER_PREVIOUS:
            if index == 0:
                issues.append(
                    PolicyIssue(
                        tkey,
                        "the first stage has no previous stage to count from; use days_from_due",
                    )
                )
            elif not 1 <= trigger.days <= MAX_DAYS:
                issues.append(
                    PolicyIssue(
                        tkey,
                        f"days_after_previous must be between 1 and {MAX_DAYS}, not {trigger.days}",
                    )
                )
            if relative_since is None:
                relative_since = index
        elif relative_since is None:  # end of month
            relative_since = index
    issues += _alternative_issues(stages)
    return issues


def _stage_shape_issues(at: KeyPath, stage: Stage) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    if not STAGE_NAME.fullmatch(stage.name):
        issues.append(
            PolicyIssue(
                (*at, "name"),
                f'not a valid stage name: "{stage.name}" (letters, digits, space, _ . -; '
                "at most 64)",
            )
        )
    actions = stage.actions
    if actions.is_empty:
        issues.append(
            PolicyIssue(
                at,
                f'stage "{stage.name}" does nothing: give it an email, a letter, a call or a fee',
            )
        )
    for key, template in (("email", actions.email), ("letter", actions.letter)):
        if template is not None and not TEMPLATE_NAME.fullmatch(template):
            issues.append(
                PolicyIssue(
                    (*at, key),
                    f'not a valid template name: "{template}" (lower-case letters, digits, _ . -)',
                )
            )
    if actions.fee is not None and actions.fee_percent is not None:
        issues.append(
            PolicyIssue((*at, "fee_percent"), "a stage has a fixed fee or a percentage, not both")
        )
    issues += _amount_issues((*at, "fee"), actions.fee, positive=True)
    issues += _percent_issues((*at, "fee_percent"), actions.fee_percent, "fee_percent")
    if actions.fee_percent is not None and actions.fee_percent == 0:
        issues.append(PolicyIssue((*at, "fee_percent"), "fee_percent must be more than 0"))
    issues += _band_issues(at, stage.conditions.band)
    issues += _name_list_issues((*at, "tags"), stage.conditions.tags, "tag")
    issues += _name_list_issues((*at, "exclude_tags"), stage.conditions.exclude_tags, "tag")
    both = set(stage.conditions.tags).intersection(stage.conditions.exclude_tags)
    if both:
        issues.append(
            PolicyIssue(
                (*at, "exclude_tags"),
                f'tag "{sorted(both)[0]}" is both required and excluded',
            )
        )
    seen: set[PayerKind] = set()
    for index, category in enumerate(stage.conditions.categories):
        if category in seen:
            issues.append(
                PolicyIssue((*at, "categories", index), f"category {category} is listed twice")
            )
        seen.add(category)
    return issues


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


def _alternative_issues(stages: tuple[Stage, ...]) -> list[PolicyIssue]:
    """Stages of one step (same day from due) must not both apply to the same account."""
    issues: list[PolicyIssue] = []
    for step in _step_indexes(stages):
        for later in step[1:]:
            for earlier in step[: step.index(later)]:
                a, b = stages[earlier], stages[later]
                if not a.conditions.disjoint_from(b.conditions):
                    band = b.conditions.band
                    key = (
                        "min_balance"
                        if band.low is not None
                        else ("balance_below" if band.below is not None else b.trigger.kind.value)
                    )
                    issues.append(
                        PolicyIssue(
                            ("stage", later, key),
                            f'stages "{a.name}" and "{b.name}" have the same trigger and '
                            f"overlapping conditions ({a.conditions.band.describe()} and "
                            f"{band.describe()}): give them amount bands, categories or "
                            "tags that do not overlap",
                        )
                    )
                    break
    return issues


def validate_contact(contact: ContactSettings) -> list[PolicyIssue]:
    at: KeyPath = ("contact",)
    issues: list[PolicyIssue] = []
    if not 1 <= contact.min_gap_days <= 90:
        issues.append(
            PolicyIssue(
                (*at, "min_gap_days"),
                f"min_gap_days must be between 1 and 90, not {contact.min_gap_days}",
            )
        )
    if not 1 <= contact.max_per_7_days <= 7:
        issues.append(
            PolicyIssue(
                (*at, "max_per_7_days"),
                f"max_per_7_days must be between 1 and 7, not {contact.max_per_7_days}",
            )
        )
    if contact.hours_from >= contact.hours_until:
        issues.append(
            PolicyIssue(
                (*at, "hours"),
                f"hours must start before they end ({contact.hours_from:%H:%M} is not before "
                f"{contact.hours_until:%H:%M}); contact at night is not allowed",
            )
        )
    if not contact.weekdays:
        issues.append(PolicyIssue((*at, "weekdays"), "allow contact on at least one weekday"))
    seen_days: set[Weekday] = set()
    for index, day in enumerate(contact.weekdays):
        if day in seen_days:
            issues.append(PolicyIssue((*at, "weekdays", index), f"{day} is listed twice"))
        seen_days.add(day)
    seen_holds: set[Hold] = set()
    for index, hold in enumerate(contact.holds):
        if hold in seen_holds:
            issues.append(PolicyIssue((*at, "holds", index), f"{hold} is listed twice"))
        seen_holds.add(hold)
    return issues


def validate_fees(fees: FeesAndInterest, jurisdiction: str | None) -> list[PolicyIssue]:
    at: KeyPath = ("fees",)
    issues: list[PolicyIssue] = []
    kind = fees.interest
    if kind is InterestKind.CONTRACTUAL:
        if fees.rate_percent is None:
            issues.append(PolicyIssue((*at, "interest"), "contractual interest needs rate_percent"))
        else:
            issues += _percent_issues((*at, "rate_percent"), fees.rate_percent, "rate_percent")
            if fees.rate_percent == 0:
                issues.append(
                    PolicyIssue((*at, "rate_percent"), "rate_percent must be more than 0")
                )
        if not 0 <= fees.grace_days <= 365:
            issues.append(
                PolicyIssue(
                    (*at, "grace_days"),
                    f"grace_days must be between 0 and 365, not {fees.grace_days}",
                )
            )
    else:
        if fees.rate_percent is not None:
            issues.append(
                PolicyIssue(
                    (*at, "rate_percent"),
                    f'rate_percent is only for interest = "contractual", not "{kind}"',
                )
            )
        if fees.grace_days:
            issues.append(
                PolicyIssue(
                    (*at, "grace_days"),
                    f'grace_days is only for interest = "contractual", not "{kind}"',
                )
            )
    if kind is InterestKind.STATUTORY and jurisdiction is None:
        issues.append(
            PolicyIssue(
                (*at, "interest"),
                'statutory interest needs a jurisdiction (set jurisdiction = "GB", "EU", '
                '"DE", "FR" or "NL" at the top of the file)',
            )
        )
    if fees.compensation and kind is not InterestKind.STATUTORY:
        issues.append(
            PolicyIssue(
                (*at, "compensation"),
                'compensation is the statutory fixed sum: it needs interest = "statutory"',
            )
        )
    order = fees.application_order
    if order is not None:
        if len(order) != len(set(order)) or set(order) != set(Part):
            issues.append(
                PolicyIssue(
                    (*at, "application_order"),
                    'application_order lists "costs", "interest" and "principal", each once',
                )
            )
        elif jurisdiction is not None and jurisdiction in STATUTORY_APPLICATION_ORDER:
            law_order, law = STATUTORY_APPLICATION_ORDER[jurisdiction]
            if order != law_order:
                issues.append(
                    PolicyIssue(
                        (*at, "application_order"),
                        f"in {jurisdiction} the law ({law}) applies payments to "
                        f"{', then '.join(law_order)}; remove application_order or write "
                        "it in that order",
                    )
                )
    return issues


def validate_authority(authority: Authority) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    floors = authority.settlement
    for index, floor in enumerate(floors):
        at: KeyPath = ("authority", "settlement", index)
        if not 0 <= floor.from_days <= MAX_DAYS:
            issues.append(
                PolicyIssue(
                    (*at, "from_days"),
                    f"from_days must be between 0 and {MAX_DAYS}, not {floor.from_days}",
                )
            )
        if not floor.min_percent.is_finite() or not 0 <= floor.min_percent <= HUNDRED:
            issues.append(
                PolicyIssue(
                    (*at, "min_percent"),
                    f"a settlement floor is between 0 and 100 percent of the balance, "
                    f"not {floor.min_percent}",
                )
            )
        issues += _band_issues(at, floor.band)
        for other_index in range(index):
            other = floors[other_index]
            if not other.band.overlaps(floor.band):
                continue
            if other.from_days == floor.from_days:
                issues.append(
                    PolicyIssue(
                        (*at, "from_days"),
                        f"two settlement floors from day {floor.from_days} with overlapping "
                        f"amount bands ({other.band.describe()} and {floor.band.describe()})",
                    )
                )
                break
            younger, older = (other, floor) if other.from_days < floor.from_days else (floor, other)
            if older.min_percent > younger.min_percent:
                issues.append(
                    PolicyIssue(
                        (*at, "min_percent"),
                        f"settlement floors must not rise with age: {older.min_percent}% from "
                        f"day {older.from_days} is above {younger.min_percent}% from day "
                        f"{younger.from_days}",
                    )
                )
                break
    plan = authority.payment_plan
    at_plan: KeyPath = ("authority", "payment_plan")
    if not 1 <= plan.max_installments <= 120:
        issues.append(
            PolicyIssue(
                (*at_plan, "max_installments"),
                f"max_installments must be between 1 and 120, not {plan.max_installments}",
            )
        )
    issues += _amount_issues((*at_plan, "min_installment"), plan.min_installment)
    for name, value, low, high in (
        ("first_within_days", plan.first_within_days, 0, 365),
        ("grace_days", plan.grace_days, 0, 60),
        ("default_after_missed", plan.default_after_missed, 1, 12),
    ):
        if not low <= value <= high:
            issues.append(
                PolicyIssue(
                    (*at_plan, name), f"{name} must be between {low} and {high}, not {value}"
                )
            )
    if not 0 <= authority.promise_grace_days <= 60:
        issues.append(
            PolicyIssue(
                ("authority", "promise_grace_days"),
                f"promise_grace_days must be between 0 and 60, not {authority.promise_grace_days}",
            )
        )
    for kind, limit in (
        ("credit", authority.collector.credit),
        ("write_off", authority.collector.write_off),
    ):
        at_limit: KeyPath = ("authority", "collector")
        issues += _amount_issues((*at_limit, f"{kind}_up_to"), limit.up_to)
        pct = limit.percent
        if pct is not None and (not pct.is_finite() or not 0 <= pct <= HUNDRED):
            issues.append(
                PolicyIssue(
                    (*at_limit, f"{kind}_percent"),
                    f"{kind}_percent is between 0 and 100, not {pct}",
                )
            )
    return issues


def validate_escalation(escalation: Escalation, stages: tuple[Stage, ...]) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    final_day = next(
        (
            s.trigger.days
            for s in stages
            if s.tone is Tone.FINAL and s.trigger.kind is TriggerKind.DAYS_FROM_DUE
        ),
        None,
    )
    for index, rule in enumerate(escalation.recommend):
        at: KeyPath = ("escalation", "recommend", index)
        if (
            rule.after_days is None
            and rule.broken_promises is None
            and (rule.no_response_days is None)
        ):
            issues.append(
                PolicyIssue(
                    at,
                    "an escalation rule needs a reason: after_days, broken_promises or "
                    "no_response_days",
                )
            )
        issues += _day_count_issues(at, "after_days", rule.after_days, 0)
        issues += _day_count_issues(at, "no_response_days", rule.no_response_days, 1)
        if rule.broken_promises is not None and not 1 <= rule.broken_promises <= 100:
            issues.append(
                PolicyIssue(
                    (*at, "broken_promises"),
                    f"broken_promises must be between 1 and 100, not {rule.broken_promises}",
                )
            )
        if rule.after_days is not None and final_day is not None and rule.after_days < final_day:
            issues.append(
                PolicyIssue(
                    (*at, "after_days"),
                    f"escalation at day {rule.after_days} comes before the final notice "
                    f"(day {final_day}): send the final notice first",
                )
            )
        issues += _band_issues(at, rule.band)
    for index, write_off in enumerate(escalation.write_off):
        at = ("escalation", "write_off", index)
        issues += _day_count_issues(at, "after_days", write_off.after_days, 0)
        issues += _day_count_issues(at, "no_response_days", write_off.no_response_days, 1)
        issues += _band_issues(at, write_off.band)
    return issues


def _day_count_issues(at: KeyPath, key: str, value: int | None, least: int) -> list[PolicyIssue]:
    if value is None or least <= value <= MAX_DAYS:
        return []
    return [PolicyIssue((*at, key), f"{key} must be between {least} and {MAX_DAYS}, not {value}")]


def parse_amount(text: str, default_currency: str | None) -> PolicyAmount:
    """An amount from "25.00" or "25.00 EUR" (raises ValueError with a plain message)."""
    parts = text.split()
    if not 1 <= len(parts) <= 2:
        raise ValueError(f'not an amount: "{text}" (write e.g. "25.00" or "25.00 EUR")')
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", parts[0]):
        raise ValueError(f'not an amount: "{text}" (write e.g. "25.00" or "25.00 EUR")')
    value = to_decimal(parts[0])
    currency = parts[1] if len(parts) == 2 else default_currency
    if currency is not None and not is_currency(currency):
        raise ValueError(f'unknown currency "{currency}" (not ISO 4217)')
    return PolicyAmount(value, currency)


def parse_percent(text: str) -> Decimal:
    """A percentage from "2.5" or "2.5%" (raises ValueError)."""
    body = text.strip().removesuffix("%").strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", body):
        raise ValueError(f'not a percentage: "{text}" (write e.g. "2.5")')
    return to_decimal(body)


def parse_hours(text: str) -> tuple[time, time]:
    """("08:00", "20:00") from "08:00-20:00"; "24:00" means the end of the day."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        raise ValueError(f'hours are written "HH:MM-HH:MM", e.g. "08:00-20:00", not "{text}"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f'not a time of day in "{text}"')
    until = time.max if h2 == 24 else time(h2, m2)
    return time(h1, m1), until
