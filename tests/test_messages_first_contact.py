"""Words that match the history: the built-in message of every stage of the built-in plan
(reminder before due, friendly, firm, final notice email, letter before action), in
English, German and French, as a first contact (nothing delivered before in the cycle)
and after two earlier messages, against golden files; a first contact claims no earlier
contact, a later one names the days of the earlier ones, and every one shows each
invoice's own due date and, apart from them, the day to pay by.

To regenerate the golden files after a deliberate change to a template:
    RECOUP_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_messages_first_contact.py
then read the diff of tests/golden/first-contact and tests/golden/earlier.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from recoup.messages import catalogue
from recoup.messages.context import (
    Earlier,
    Formatter,
    MessageData,
    sample,
    table_html,
    table_text,
    template_context,
)
from recoup.messages.labels import LANGUAGES
from recoup.messages.render import Rendered, render
from recoup.policy import default_policy

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("RECOUP_UPDATE_GOLDEN"))
STAGE_TEMPLATES = [
    t for s in default_policy().stages for t in (s.actions.email, s.actions.letter) if t
]
TWO_EARLIER = (Earlier(date(2026, 2, 23), "email"), Earlier(date(2026, 3, 2), "letter"))

# Words by which a message says it was not the first: none may appear in a first contact.
CLAIMS = {
    "en": r"we wrote|written to you|earlier|several times|recently|once more|again|despite",
    "de": r"geschrieben|bisherig|mehrfach|kürzlich|noch einmal|erneut|erinnert|trotz",
    "fr": r"avons écrit|précédent|plusieurs reprises|récemment|une dernière fois|malgré|à nouveau",
}


def account(name: str, lang: str, earlier: tuple[Earlier, ...] = ()) -> MessageData:
    """The fixed sample account as the stage sees it: before the due date, its two
    invoices not yet due and nothing charged; after it, overdue with interest and a fee."""
    if name == "reminder-before-due":
        data = replace(sample(lang, date(2026, 2, 1)), interest=None, fees=None, payments=())
    else:
        data = sample(lang)
    return replace(data, earlier=earlier)


def rendered(name: str, data: MessageData) -> Rendered:
    source = catalogue.builtin_source(name, data.lang)
    assert source is not None
    return render(source, template_context(data), table_text(data), table_html(data))


def test_the_plan_sends_these_templates():
    assert STAGE_TEMPLATES == [
        "reminder-before-due",
        "overdue-friendly",
        "overdue-firm",
        "final-notice",
        "letter-before-action",
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", STAGE_TEMPLATES)
@pytest.mark.parametrize("folder", ["first-contact", "earlier"])
def test_golden(folder: str, name: str, lang: str):
    data = account(name, lang, TWO_EARLIER if folder == "earlier" else ())
    r = rendered(name, data)
    text = f"Subject: {r.subject}\n\n{r.text}"
    path = GOLDEN / folder / lang / f"{name}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with RECOUP_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", STAGE_TEMPLATES)
def test_a_first_contact_claims_no_earlier_one(name: str, lang: str):
    r = rendered(name, account(name, lang))
    found = re.search(CLAIMS[lang], f"{r.subject}\n{r.text}", re.IGNORECASE)
    assert found is None, f"{lang}/{name} says {found.group()!r} to someone never written to"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", [n for n in STAGE_TEMPLATES if n != "reminder-before-due"])
def test_a_later_message_names_the_days_it_wrote(name: str, lang: str):
    data = account(name, lang, TWO_EARLIER)
    r = rendered(name, data)
    f = Formatter(lang, data.country)
    for e in TWO_EARLIER:
        assert f.day(e.date) in r.text, (lang, name)
    # and no more than two: the claims words appear once, in the sentence naming them
    assert len(re.findall(CLAIMS[lang], r.text, re.IGNORECASE)) == 1, (lang, name)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", STAGE_TEMPLATES)
def test_each_due_date_and_the_pay_by_date_are_shown(name: str, lang: str):
    data = account(name, lang)
    r = rendered(name, data)
    f = Formatter(lang, data.country)
    table = table_text(data)
    for item in data.items:
        assert f.short_day(item.due_date) in table  # the table's own column
    assert table.rstrip("\n") in r.text
    if name == "reminder-before-due":
        # two due dates: each invoice by its own, never "due on" the pay-by day
        assert {i.due_date for i in data.items} == {date(2026, 2, 4), date(2026, 2, 19)}
        assert f.day(date(2026, 2, 4)) in r.subject
        return
    assert f.day(data.due_by) in r.text  # "please pay ... by"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_reminder_before_due_says_each_invoice_s_own_due_date(lang: str):
    base = account("reminder-before-due", lang)
    one = replace(base, items=base.items[1:])  # INV-2026-031, due on 19 February
    r = rendered("reminder-before-due", one)
    f = Formatter(lang, one.country)
    due = f.day(date(2026, 2, 19))
    assert due in r.subject
    assert due in r.text
    assert one.due_by == date(2026, 2, 19)  # nothing overdue: pay by the due date itself
    # the same due date for both: "are due on" that day
    both = replace(base, items=tuple(replace(i, due_date=date(2026, 2, 19)) for i in base.items))
    text = rendered("reminder-before-due", both).text
    assert due in text
    assert f.day(date(2026, 2, 4)) not in text
