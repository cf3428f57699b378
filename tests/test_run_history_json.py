"""The daily run writes its history entries' data by hand in the canonical form; it must
be exactly what `data_text` makes of the same values (or the chain would not verify the
way `recoup log verify` recomputes it)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from recoup.domain.collection import PlannedAction
from recoup.domain.history import data_text
from recoup.domain.money import Money
from recoup.services.run.history_json import history_data, json_list

words = st.text(max_size=12)


@given(
    action_id=st.integers(1, 10**12),
    kind=st.sampled_from(["email", "letter", "call", "fee", "interest", "escalate"]),
    stage=words,
    template=st.none() | words,
    numbers=st.lists(words, max_size=5),
    minor=st.integers(0, 10**12),
    currency=st.sampled_from(["EUR", "JPY", "USD", "BHD"]),
    version=st.integers(1, 999),
)
def test_hand_written_data_is_the_canonical_json(
    action_id, kind, stage, template, numbers, minor, currency, version
) -> None:
    money = Money(minor, currency)
    action = PlannedAction(kind, stage, tuple(numbers), money, template, "why")
    made = history_data(action_id, action, currency, money.to_json(), json_list(numbers), version)
    expected = data_text(
        {
            "action": action_id,
            "action_kind": kind,
            "stage": stage,
            "currency": currency,
            "amount": str(money.amount),
            "invoices": list(numbers),
            "template": template,
            "policy_version": version,
        }
    )
    assert made == expected
    assert json.loads(json_list(numbers)) == list(numbers)


@given(
    st.lists(st.text(max_size=12) | st.from_regex(r"INV-[0-9]{1,6}", fullmatch=True), max_size=6)
)
def test_invoice_lists_are_written_as_json_writes_them(numbers: list[str]) -> None:
    """The invoice numbers put together by hand are byte for byte what `json` writes
    (the history's hashes are taken over them)."""
    assert json_list(numbers) == json.dumps(numbers, separators=(",", ":"), ensure_ascii=False)
