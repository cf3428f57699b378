"""The history entry of an action the run records: its kind and words, and its data
written by hand in the canonical form of `recoup.domain.history.data_text` (keys
sorted, no spaces), because `json.dumps` of a dict per action costs a large run
seconds. The data must be exactly what `data_text` makes of the same values, or the
chain would not verify: `tests/test_run_history_json.py` holds the two equal."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

from recoup.domain.collection import (
    PlannedAction,
)

_TEXT = json.JSONEncoder(ensure_ascii=False).encode
# kinds, stages, templates and currencies repeat from action to action
_WORD = lru_cache(maxsize=4096)(_TEXT)
_LIST = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what JSON writes otherwise than as it is


def json_list(numbers: Sequence[str]) -> str:
    """The numbers as a JSON list, as `_LIST` writes it (put together by hand when no
    number needs escaping: the common case, and ten times cheaper)."""
    joined = '","'.join(numbers)
    if numbers and _ESCAPED.search(joined) is None:
        return f'["{joined}"]'
    return _LIST(list(numbers))


def history_data(
    action_id: int,
    action: PlannedAction,
    currency: str,
    amount: str,
    invoices_json: str,
    version: int,
) -> str:
    """The history entry's data for a recorded action, written straight in the canonical
    form (`recoup.domain.history.data_text`: keys sorted, no spaces; a test checks the
    two agree): action id and kind, stage, currency, amount, invoices, template, policy
    version."""
    return with_id(action_id, data_tail(action, currency, amount, invoices_json, version))


def data_tail(
    action: PlannedAction, currency: str, amount: str, invoices_json: str, version: int
) -> str:
    """The data without its first key, the action's id (known only when it is written:
    the rest is made while planning)."""
    return (
        f'"action_kind":{_WORD(action.kind)},"amount":{_TEXT(amount)},'
        f'"currency":{_WORD(currency)},"invoices":{invoices_json},'
        f'"policy_version":{version},"stage":{_WORD(action.stage)},'
        f'"template":{_WORD(action.template)}}}'
    )


def with_id(action_id: int, tail: str) -> str:
    """The data of `data_tail` with the action's id."""
    return f'{{"action":{action_id},{tail}'


# How each kind of action reads in the account's history: its entry's kind, and words.
_HISTORY_KIND = {
    "email": ("email", "Reminder email queued"),
    "letter": ("letter", "Letter queued"),
    "call": ("stage", "Call task put on the worklist"),
    "fee": ("fee", "Fee charged"),
    "interest": ("interest", "Interest charged"),
    "escalate": ("escalate", "Escalation recommended"),
    "write_off_recommendation": ("write_off_recommendation", "Write-off recommended"),
}


def entry_words(action: PlannedAction, currency: str, amount: str) -> tuple[str, str]:
    """The kind and text of the history entry of a recorded action."""
    kind, words = _HISTORY_KIND.get(action.kind, ("stage", action.kind))
    return kind, f"{words} (stage {action.stage}, {amount} {currency}): {action.reason}"
