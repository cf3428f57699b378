"""A `Policy` written out: as canonical TOML (no comments) and as JSON-ready data.

`load_policy(to_toml(p)).policy == p` for every valid policy `p`: every setting that
has a value is written, so little depends on the defaults of the version that reads it.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from recoup.domain.policy import (
    AmountBand,
    ContactSettings,
    Policy,
    PolicyAmount,
    Stage,
    TriggerKind,
)
from recoup.policy.matching import matching_data


def _hhmm(clock: time) -> str:
    return "24:00" if clock == time.max else f"{clock:%H:%M}"


def _amount(amount: PolicyAmount | None) -> str | None:
    return None if amount is None else str(amount)


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _band(band: AmountBand) -> dict[str, Any]:
    return {"min_balance": _amount(band.low), "balance_below": _amount(band.below)}


def _stage(stage: Stage) -> dict[str, Any]:
    trigger = stage.trigger
    a, c = stage.actions, stage.conditions
    return {
        "name": stage.name,
        trigger.kind.value: True if trigger.kind is TriggerKind.END_OF_MONTH else trigger.days,
        "tone": stage.tone.value,
        "email": a.email,
        "letter": a.letter,
        "call": a.call,
        "fee": _amount(a.fee),
        "fee_percent": _decimal(a.fee_percent),
        **_band(c.band),
        "tags": list(c.tags) or None,
        "exclude_tags": list(c.exclude_tags) or None,
        "categories": [k.value for k in c.categories] or None,
    }


def _contact(contact: ContactSettings) -> dict[str, Any]:
    return {
        "min_gap_days": contact.min_gap_days,
        "max_per_7_days": contact.max_per_7_days,
        "hours": f"{_hhmm(contact.hours_from)}-{_hhmm(contact.hours_until)}",
        "weekdays": [d.value for d in contact.weekdays],
        "skip_holidays": contact.skip_holidays,
        "holds": [h.value for h in contact.holds],
    }


def to_data(policy: Policy) -> dict[str, Any]:
    """The policy as plain data in the file's shape (None for settings left out)."""
    fees, authority, escalation = policy.fees, policy.authority, policy.escalation
    order = fees.application_order
    return {
        "name": policy.name,
        "currency": policy.currency,
        "jurisdiction": policy.jurisdiction,
        "group_by": policy.group_by.value,
        "onboarding": policy.onboarding.value,
        "changed_messages": policy.changed_messages.value,
        "contact": _contact(policy.contact),
        "fees": {
            "interest": fees.interest.value,
            "rate_percent": _decimal(fees.rate_percent),
            "grace_days": fees.grace_days,
            "compensation": fees.compensation,
            "application_order": None if order is None else [p.value for p in order],
        },
        "authority": {
            "settlement": [
                {
                    "from_days": f.from_days,
                    "min_percent": str(f.min_percent),
                    **_band(f.band),
                }
                for f in authority.settlement
            ],
            "payment_plan": {
                "max_installments": authority.payment_plan.max_installments,
                "min_installment": _amount(authority.payment_plan.min_installment),
                "first_within_days": authority.payment_plan.first_within_days,
                "grace_days": authority.payment_plan.grace_days,
                "default_after_missed": authority.payment_plan.default_after_missed,
            },
            "promise_grace_days": authority.promise_grace_days,
            "collector": {
                f"{kind}_{key}": value
                for kind, limit in (
                    ("credit", authority.collector.credit),
                    ("write_off", authority.collector.write_off),
                )
                for key, value in (
                    ("up_to", _amount(limit.up_to)),
                    ("percent", _decimal(limit.percent)),
                )
            },
        },
        "matching": matching_data(policy.matching),
        "stage": [_stage(s) for s in policy.stages],
        "escalation": {
            "recommend": [
                {
                    "step": r.step.value,
                    "after_days": r.after_days,
                    **_band(r.band),
                    "broken_promises": r.broken_promises,
                    "no_response_days": r.no_response_days,
                }
                for r in escalation.recommend
            ],
            "write_off": [
                {
                    "after_days": w.after_days,
                    **_band(w.band),
                    "no_response_days": w.no_response_days,
                }
                for w in escalation.write_off
            ],
        },
    }


def to_json(policy: Policy) -> dict[str, Any]:
    """The policy for `--json`: the file's shape, plus what follows from it."""
    data = to_data(policy)
    data["effective"] = {
        "application_order": [p.value for p in policy.application_order()],
        "triggers": {s.name: s.trigger.describe() for s in policy.stages},
    }
    return data


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")  # pragma: no cover


def _lines(table: dict[str, Any]) -> list[str]:
    return [
        f"{key} = {_value(value)}"
        for key, value in table.items()
        if value is not None and not isinstance(value, dict)
    ]


def to_toml(policy: Policy) -> str:
    """The policy as a TOML text that loads back to the same policy."""
    data = to_data(policy)
    top = ("name", "currency", "jurisdiction", "group_by", "onboarding", "changed_messages")
    out: list[str] = _lines({k: data[k] for k in top})
    out += ["", "[contact]", *_lines(data["contact"])]
    out += ["", "[fees]", *_lines(data["fees"])]
    out += [
        "",
        "[authority]",
        *_lines({"promise_grace_days": data["authority"]["promise_grace_days"]}),
    ]
    for floor in data["authority"]["settlement"]:
        out += ["", "[[authority.settlement]]", *_lines(floor)]
    out += ["", "[authority.payment_plan]", *_lines(data["authority"]["payment_plan"])]
    out += ["", "[authority.collector]", *_lines(data["authority"]["collector"])]
    for stage in data["stage"]:
        out += ["", "[[stage]]", *_lines(stage)]
    for rule in data["escalation"]["recommend"]:
        out += ["", "[[escalation.recommend]]", *_lines(rule)]
    for rule in data["escalation"]["write_off"]:
        out += ["", "[[escalation.write_off]]", *_lines(rule)]
    out += ["", "[matching]", *_lines(data["matching"])]
    return "\n".join(out) + "\n"
