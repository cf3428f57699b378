"""The checks of a policy that need no file: each problem a `PolicyIssue` with the path
of the key it is about, in the order of the file."""

from __future__ import annotations

import re
from decimal import Decimal

from recoup.domain.currencies import is_currency, minor_units
from recoup.domain.matching.rules import matching_issues
from recoup.domain.policy.model import (
    KNOWN_JURISDICTIONS,
    STATUTORY_APPLICATION_ORDER,
    Authority,
    ContactSettings,
    Escalation,
    FeesAndInterest,
    Hold,
    InterestKind,
    Part,
    Policy,
    Stage,
    Tone,
    TriggerKind,
    Weekday,
    _step_indexes,
)
from recoup.domain.policy.values import (
    HUNDRED,
    AmountBand,
    KeyPath,
    PolicyAmount,
    PolicyIssue,
)
from recoup.domain.priority import PayerKind

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
