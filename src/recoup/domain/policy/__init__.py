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

The values are in `values` (issues and amounts) and `model` (stages, contact, fees,
authority, escalation, the policy); the checks in `checks`.
"""

from __future__ import annotations

from recoup.domain.policy.checks import (
    MAX_BEFORE_DUE,
    MAX_DAYS,
    STAGE_NAME,
    TAG,
    TEMPLATE_NAME,
    validate_authority,
    validate_contact,
    validate_escalation,
    validate_fees,
    validate_policy,
    validate_stages,
)
from recoup.domain.policy.model import (
    BUILT_IN_COLLECTOR,
    DEFAULT_APPLICATION_ORDER,
    KNOWN_JURISDICTIONS,
    STATUTORY_APPLICATION_ORDER,
    WORKDAYS,
    Actions,
    Authority,
    Conditions,
    ContactSettings,
    Escalation,
    EscalationRule,
    FeesAndInterest,
    GroupBy,
    Hold,
    InterestKind,
    Onboarding,
    OnChange,
    Part,
    PlanLimits,
    Policy,
    SettlementFloor,
    Stage,
    Step,
    Tone,
    Trigger,
    TriggerKind,
    Weekday,
    WriteOffRule,
)
from recoup.domain.policy.values import (
    HUNDRED,
    AmountBand,
    Key,
    KeyPath,
    PolicyAmount,
    PolicyIssue,
    parse_amount,
    parse_hours,
    parse_percent,
)

__all__ = [
    "BUILT_IN_COLLECTOR",
    "DEFAULT_APPLICATION_ORDER",
    "HUNDRED",
    "KNOWN_JURISDICTIONS",
    "MAX_BEFORE_DUE",
    "MAX_DAYS",
    "STAGE_NAME",
    "STATUTORY_APPLICATION_ORDER",
    "TAG",
    "TEMPLATE_NAME",
    "WORKDAYS",
    "Actions",
    "AmountBand",
    "Authority",
    "Conditions",
    "ContactSettings",
    "Escalation",
    "EscalationRule",
    "FeesAndInterest",
    "GroupBy",
    "Hold",
    "InterestKind",
    "Key",
    "KeyPath",
    "OnChange",
    "Onboarding",
    "Part",
    "PlanLimits",
    "Policy",
    "PolicyAmount",
    "PolicyIssue",
    "SettlementFloor",
    "Stage",
    "Step",
    "Tone",
    "Trigger",
    "TriggerKind",
    "Weekday",
    "WriteOffRule",
    "parse_amount",
    "parse_hours",
    "parse_percent",
    "validate_authority",
    "validate_contact",
    "validate_escalation",
    "validate_fees",
    "validate_policy",
    "validate_stages",
]
