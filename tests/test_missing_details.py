"""No placeholders: which business details a template prints, read from Jinja2's syntax
tree (`recoup.messages.render.missing_details`), checked against what rendering shows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from recoup.messages import catalogue
from recoup.messages.context import Business, sample, table_html, table_text, template_context
from recoup.messages.labels import LANGUAGES
from recoup.messages.render import (
    SETTING_OF,
    SETTINGS_ORDER,
    TemplateProblem,
    business_uses,
    missing_details,
    render,
)

MARKED = Business(  # each detail a word that appears nowhere else in a message
    name="qqname",
    address="qqaddress",
    phone="qqphone",
    email="qqemail",
    website="qqwebsite",
    bank="qqbank",
    signature="qqsignature",
    payment_link="",  # unset: what only `{% if business.payment_link %}` prints stays out
)
FULL = Business(
    name="Lindqvist Design Studio",
    address="Hafenstraße 12\n20457 Hamburg",
    phone="+49 40 1234 5678",
    email="accounts@lindqvist.example",
    website="https://lindqvist.example",
    bank="IBAN DE89 3704 0044 0532 0130 00",
    signature="Maja Lindqvist",
    payment_link="https://pay.lindqvist.example",
)
TEMPLATES = [t.name for t in catalogue.TEMPLATES]


def printed(source: str, lang: str) -> set[str]:
    """The settings whose marked value shows in the subject or text of `source`, rendered
    with the sample account in every variant a built-in template branches on."""
    seen: set[str] = set()
    base = sample(lang)
    for regulation_f in (False, True):
        for items in (base.items, base.items[:1]):
            data = replace(base, business=MARKED, regulation_f=regulation_f, items=items)
            r = render(source, template_context(data), table_text(data), table_html(data))
            shown = r.subject + "\n" + r.text
            seen |= {SETTING_OF[k] for k in SETTING_OF if f"qq{k}" in shown}
    return seen


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", TEMPLATES)
def test_builtin_templates_with_nothing_set(name: str, lang: str):
    source = catalogue.builtin_source(name, lang)
    assert source is not None
    letter = catalogue.info(name).letter
    expected = printed(source, lang) | {"RECOUP_BUSINESS_NAME"}  # the heading, sender name
    if letter:
        expected.add("RECOUP_BUSINESS_ADDRESS")  # the letterhead and the return line
    got = missing_details(source, Business(), letter=letter)
    assert set(got) == expected
    assert list(got) == [s for s in SETTINGS_ORDER if s in expected]  # a fixed order
    # every built-in template asks for a phone call and signs off
    assert {"RECOUP_BUSINESS_PHONE", "RECOUP_BUSINESS_NAME"} <= set(got)
    assert missing_details(source, FULL, letter=letter) == ()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", TEMPLATES)
def test_each_detail_alone(name: str, lang: str):
    """Unsetting one detail reports exactly that one when the text prints it."""
    source = catalogue.builtin_source(name, lang)
    assert source is not None
    used = printed(source, lang)
    for field, setting in (("phone", "RECOUP_BUSINESS_PHONE"), ("bank", "RECOUP_BUSINESS_BANK")):
        got = missing_details(source, replace(FULL, **{field: ""}))
        assert got == ((setting,) if setting in used else ())


def test_the_payment_link_is_optional_in_the_builtin_templates():
    for lang in LANGUAGES:
        for name in TEMPLATES:
            source = catalogue.builtin_source(name, lang)
            assert source is not None
            assert "payment_link" not in business_uses(source)


def test_signature_falls_back_to_the_name():
    source = "Subject: Hello\n\nKind regards,\n{{ business.signature }}\n"
    assert missing_details(source, Business(name="Acme Ltd")) == ()
    assert missing_details(source, Business(signature="Maja")) == ("RECOUP_BUSINESS_NAME",)
    assert missing_details(source, Business()) == ("RECOUP_BUSINESS_NAME",)


def test_a_blank_detail_is_unset():
    source = "Subject: Call us\n\nCall {{ business.phone }}.\n"
    assert missing_details(source, replace(FULL, phone="   ")) == ("RECOUP_BUSINESS_PHONE",)


@pytest.mark.parametrize(
    ("body", "used"),
    [
        ("{% if business.phone %}Call {{ business.phone }}.{% endif %}", set()),
        ("{% if business.phone and opt_out %}{{ business.phone }}{% endif %}", set()),
        ("{% if not business.phone %}Write.{% else %}Call {{ business.phone }}.{% endif %}", set()),
        ("{% if business.bank %}x{% elif business.phone %}{{ business.phone }}{% endif %}", set()),
        ("{% if business.bank %}{{ business.phone }}{% endif %}", {"phone"}),
        ("{% if opt_out %}{{ business.address }}{% endif %}", {"address"}),
        ("{% if business.phone or business.email %}{{ business.phone }}{% endif %}", {"phone"}),
        ("{{ business.phone or 'our office' }}", set()),
        ("{{ business.phone if business.phone else business.email }}", {"email"}),
        ("{{ business.website | default('our website', true) }}", set()),
        ("{{ business.website | default('our website') }}", {"website"}),  # "" is defined
        ("{% for i in invoices %}{{ business.bank }}{% endfor %}", {"bank"}),
        ("{% set p = business.phone %}Call {{ p }}.", {"phone"}),
        ("{% set p = business.phone %}{% if p %}Call {{ p }}.{% endif %}", set()),
        ("{{ business['bank'] }}", {"bank"}),
        ("{{ business.bank | upper }}", {"bank"}),
        ("{# {{ business.bank }} #}Nothing here.", set()),
        ("Call {{ contact.name }}.", set()),
    ],
)
def test_uses_read_from_the_syntax_tree(body: str, used: set[str]):
    assert business_uses(f"Subject: Hello\n\n{body}\n") == frozenset(used)


def test_the_subject_counts_too():
    assert business_uses("Subject: From {{ business.name }}\n\nHello.\n") == {"name"}


def test_a_broken_template_is_a_template_problem():
    with pytest.raises(TemplateProblem) as err:
        missing_details("Subject: x\n\n{% if business.phone %}\n", FULL)
    assert err.value.line is not None
    with pytest.raises(TemplateProblem):
        missing_details("no subject line\n", FULL)
