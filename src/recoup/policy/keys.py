"""The keys a policy file may hold, table by table: what the reader accepts (anything
else is an unknown key, with a did-you-mean) and what the docs and tests hold it to."""

from __future__ import annotations

from recoup.domain.policy import TriggerKind

TOP_KEYS = (
    "name",
    "currency",
    "jurisdiction",
    "group_by",
    "onboarding",
    "changed_messages",
    "contact",
    "fees",
    "authority",
    "stage",
    "escalation",
    "matching",
)
TRIGGER_KEYS = tuple(k.value for k in TriggerKind)
STAGE_KEYS = (
    "name",
    *TRIGGER_KEYS,
    "tone",
    "email",
    "letter",
    "call",
    "fee",
    "fee_percent",
    "min_balance",
    "balance_below",
    "tags",
    "exclude_tags",
    "categories",
)
CONTACT_KEYS = (
    "min_gap_days",
    "max_per_7_days",
    "hours",
    "weekdays",
    "skip_holidays",
    "holds",
)
FEES_KEYS = ("interest", "rate_percent", "grace_days", "compensation", "application_order")
AUTHORITY_KEYS = ("settlement", "payment_plan", "promise_grace_days", "collector")
COLLECTOR_KEYS = ("credit_up_to", "credit_percent", "write_off_up_to", "write_off_percent")
SETTLEMENT_KEYS = ("from_days", "min_percent", "min_balance", "balance_below")
PLAN_KEYS = (
    "max_installments",
    "min_installment",
    "first_within_days",
    "grace_days",
    "default_after_missed",
)
ESCALATION_KEYS = ("recommend", "write_off")
RECOMMEND_KEYS = (
    "step",
    "after_days",
    "min_balance",
    "balance_below",
    "broken_promises",
    "no_response_days",
)
WRITE_OFF_KEYS = ("after_days", "min_balance", "balance_below", "no_response_days")
