"""Templates: the sandbox holds, and golden files for every built-in template in every
language, rendered with the fixed sample account.

To regenerate the golden files after a deliberate change to a template:
    RECOUP_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_messages_render.py
then read the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from recoup.messages import catalogue
from recoup.messages.context import sample, table_html, table_text, template_context
from recoup.messages.labels import LANGUAGES
from recoup.messages.render import TemplateProblem, render

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("RECOUP_UPDATE_GOLDEN"))


def rendered(source: str, lang: str = "en"):
    data = sample(lang)
    return render(source, template_context(data), table_text(data), table_html(data))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", [t.name for t in catalogue.TEMPLATES])
def test_golden(name: str, lang: str):
    source = catalogue.builtin_source(name, lang)
    assert source is not None, f"{lang}/{name}.txt is missing"
    r = rendered(source, lang)
    got = {".txt": f"Subject: {r.subject}\n\n{r.text}", ".html": r.html}
    for suffix, text in got.items():
        path = GOLDEN / lang / f"{name}{suffix}"
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}; run with RECOUP_UPDATE_GOLDEN=1"
        assert text == path.read_text(encoding="utf-8"), f"{path} differs"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_specific_and_offers_a_way_forward(lang: str):
    data = sample(lang)
    ctx = template_context(data)
    for t in catalogue.TEMPLATES:
        r = rendered(catalogue.builtin_source(t.name, lang) or "", lang)
        if t.letter and lang == "fr":
            # a formal French letter opens "Madame, Monsieur," and names the person in
            # the address the window shows
            assert r.text.startswith("Madame, Monsieur,\n")
            assert data.contact_name in data.address
        else:
            assert data.contact_name in r.text  # addressed to a person
        assert ctx["business"]["phone"] in r.text  # whom to call
        if t.name != "installment-reminder" and t.name != "dispute-acknowledgement":
            assert "INV-2026-014" in r.text
            assert ctx["total"] in r.text
        assert "<table" in r.html or t.name in ("installment-reminder", "dispute-acknowledgement")
        assert r.subject
        assert "\n" not in r.subject


ATTACKS = [
    ("{{ ''.__class__.__mro__ }}", "not allowed"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed"),
    ("{{ cycler.__init__.__globals__.os.environ }}", "unknown name|not allowed"),
    ("{{ joiner.__init__.__globals__ }}", "unknown name|not allowed"),
    ("{{ lipsum.__globals__['os'].popen('id').read() }}", "unknown name"),
    ("{{ namespace.__init__.__globals__ }}", "unknown name|not allowed"),
    ("{{ self._TemplateReference__context }}", "not allowed"),
    ("{{ self.__init__.__globals__ }}", "not allowed"),
    ("{{ config }}", "unknown name"),
    ("{{ request.application }}", "unknown name"),
    ("{{ os.environ['HOME'] }}", "unknown name"),
    ("{{ environ }}", "unknown name"),
    ("{{ open('/etc/passwd').read() }}", "unknown name"),
    ("{% include '/etc/passwd' %}", "cannot include"),
    ("{% import 'os' as os %}", "cannot include"),
    ("{% extends 'base.html' %}", "cannot include"),
    ("{{ contact.__class__ }}", "not allowed"),
    ("{{ invoices.append(1) }}", "not allowed"),
    ("{{ business.update({'name': 'x'}) }}", "not allowed"),
    ("{{ '{0.__class__}'.format(contact) }}", "not allowed"),
    ("{{ range.__self__ }}", "unknown name|not allowed"),
    ("{% for x in range(10**9) %}{% endfor %}", "template error"),
    ("{{ 1/0 }}", "template error"),
    ("{{ contact.name", "template syntax"),
]


@pytest.mark.parametrize(("attack", "reason"), ATTACKS)
def test_the_sandbox_refuses_with_a_clear_error(attack: str, reason: str):
    source = f"Subject: Hello\n\nDear {{{{ contact.name }}}},\n\n{attack}\n"
    with pytest.raises(TemplateProblem) as caught:
        rendered(source)
    assert re.search(reason, str(caught.value))
    assert "root:" not in str(caught.value)  # nothing of the file or environment leaks
    assert os.environ.get("HOME", "/nonexistent") not in str(caught.value)
    if "syntax" not in reason and "include" not in reason:
        assert caught.value.line == 5  # the template line of the attack


def test_a_template_needs_a_subject():
    with pytest.raises(TemplateProblem, match="Subject"):
        rendered("Dear {{ contact.name }},\n")


def test_user_text_is_escaped_in_the_html_part():
    r = rendered("Subject: x\n\n<script>alert(1)</script> {{ contact.name }}\n")
    assert "<script>" not in r.html
    assert "&lt;script&gt;" in r.html
    assert "<script>alert(1)</script>" in r.text


@pytest.mark.parametrize(
    ("lang", "more"), [("en", "and 76 more"), ("de", "und 76 weitere"), ("fr", "et 76 autres")]
)
@pytest.mark.parametrize("name", ["overdue-friendly", "overdue-firm", "final-notice"])
def test_a_subject_names_three_invoices_and_how_many_more(name: str, lang: str, more: str):
    """An account with 79 open invoices: the subject names the first three and counts
    the rest (the body's table lists all 79)."""
    from dataclasses import replace

    data = sample(lang)
    first = data.items[0]
    items = tuple(replace(first, number=f"R-{n:03d}") for n in range(1, 80))
    data = replace(data, items=items)
    source = catalogue.builtin_source(name, lang)
    assert source is not None
    r = render(source, template_context(data), table_text(data), table_html(data))
    assert "R-001, R-002, R-003 " + more in r.subject
    assert "R-004" not in r.subject
    assert all(f"R-{n:03d}" in r.text for n in range(1, 80))
