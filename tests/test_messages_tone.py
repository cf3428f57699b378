"""The tone check: built-in templates pass; each bad template is flagged with a clear
reason and the line; `recoup template lint FILE [--stage NAME]` exit codes and output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.messages import catalogue, tone
from recoup.messages.labels import LANGUAGES
from recoup.policy import default_policy
from recoup.services import templates
from recoup.services.book import Book

POLICY = default_policy()


@pytest.mark.parametrize("regulation_f", [False, True])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_built_in_templates_pass(lang: str, regulation_f: bool):
    for t in catalogue.TEMPLATES:
        source = catalogue.builtin_source(t.name, lang) or ""
        ctx = templates.lint_context(POLICY, t.name, language=lang, regulation_f=regulation_f)
        assert tone.lint(source, ctx) == [], (lang, t.name)


HEAD = "Subject: About invoice {{ invoice_numbers }}\n\nDear {{ contact.name }},\n\n"
# (name, template body line, stage or None, what the reason must say)
BAD = [
    ("legal-en", "Pay or we will take you to court.", "friendly overdue", "legal action"),
    (
        "legal-de",
        "Sonst leiten wir das gerichtliche Mahnverfahren ein.",
        "firm overdue",
        "legal action",
    ),
    ("legal-fr", "Sans paiement, nous saisirons le tribunal.", "final notice", "legal action"),
    ("agency-firm", "We will hand this to a collection agency.", "firm overdue", "agency"),
    ("agency-de", "Danach übergeben wir an ein Inkassounternehmen.", "friendly overdue", "agency"),
    ("abuse-en", "Frankly this is disgraceful, you deadbeat.", None, "abusive"),
    ("abuse-de", "Das ist eine Unverschämtheit.", None, "abusive"),
    ("abuse-fr", "Vous êtes un mauvais payeur.", None, "abusive"),
    ("angry", "We are fed up with waiting.", None, "aggressive"),
    ("shouting", "PAY THIS INVOICE NOW.", None, "shouting"),
    ("bangs", "Please pay {{ total }}!!", None, "angry punctuation"),
    ("urgency-en", "Pay {{ total }} immediately.", None, "false urgency"),
    ("urgency-de", "Zahlen Sie sofort {{ total }}.", None, "false urgency"),
    ("urgency-fr", "C'est votre dernière chance de payer {{ total }}.", None, "false urgency"),
    ("false-final", "This is our final notice.", "friendly overdue", "calls itself final"),
    ("third-party-en", "Otherwise we will let your employer know.", None, "third party"),
    ("third-party-de", "Sonst informieren wir Ihre Nachbarn.", None, "third party"),
    ("third-party-fr", "Nous en parlerons à votre famille.", None, "third party"),
    ("amount", "You owe $999.99 in total.", None, "amount"),
    ("amount-de", "Sie schulden uns 1.234,00 €.", None, "amount"),
    ("date", "Please pay by 1 April 2030.", None, "date"),
    ("date-fr", "Merci de régler avant le 3 mai 2031.", None, "date"),
    ("syntax", "Pay {{ total }", None, "template syntax"),
    ("sandbox", "{{ ''.__class__ }}", None, "not allowed"),
]


@pytest.mark.parametrize(("name", "line", "stage", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_templates_are_flagged_with_a_reason_and_line(name, line, stage, reason):
    source = HEAD + line + "\n\nKind regards,\n{{ business.signature }}\n"
    ctx = templates.lint_context(POLICY, name, stage=stage)
    findings = tone.lint(source, ctx)
    assert findings, name
    assert any(reason in f.reason for f in findings), [f.reason for f in findings]
    if reason != "template syntax":
        assert any(f.line == 5 for f in findings if reason in f.reason)


def test_legal_words_are_fine_when_the_plan_schedules_a_legal_step():
    text = POLICY_TEXT_WITH_LEGAL
    from recoup.policy.reader import load_policy

    policy = load_policy(text).policy
    assert policy is not None
    source = HEAD + "Otherwise we will consider court proceedings.\n"
    final = templates.lint_context(policy, "final-notice")
    assert final.tone == "final"
    assert final.legal_scheduled
    assert tone.lint(source, final) == []
    firm = templates.lint_context(policy, "overdue-firm")
    assert tone.lint(source, firm)


def _with_legal() -> str:
    from recoup.policy import default_policy_text

    return default_policy_text().replace(
        '# [[escalation.recommend]]\n# step = "legal"\n# after_days = 120\n'
        '# min_balance = "5000.00"',
        '[[escalation.recommend]]\nstep = "legal"\nafter_days = 120\nmin_balance = "5000.00"',
    )


POLICY_TEXT_WITH_LEGAL = _with_legal()


def test_regulation_f_needs_an_opt_out_and_convenient_hours():
    source = HEAD + "We will call you at 7:30 a.m. or after 22:00 to discuss {{ total }}.\n"
    ctx = templates.lint_context(POLICY, "overdue-friendly", regulation_f=True)
    reasons = [f.reason for f in tone.lint(source, ctx)]
    assert any("opt-out" in r and "1006.6(e)" in r for r in reasons)
    assert sum("inconvenient time" in r for r in reasons) == 2
    plain = templates.lint_context(POLICY, "overdue-friendly", regulation_f=False)
    assert tone.lint(source, plain) == []  # a business debt: no Regulation F


def test_lint_cli_exit_codes_and_lines(tmp_path: Path):
    runner = CliRunner()
    Book.create(str(tmp_path / "b.db")).close()  # --stage reads the book's plan
    good = tmp_path / "en" / "overdue-friendly.txt"
    good.parent.mkdir()
    good.write_text(catalogue.builtin_source("overdue-friendly", "en") or "", encoding="utf-8")
    ok = runner.invoke(app, ["--db", str(tmp_path / "b.db"), "template", "lint", str(good)])
    assert ok.exit_code == 0
    assert ok.output == ""
    bad = tmp_path / "angry.txt"
    bad.write_text(HEAD + "Pay immediately or we sue.\n\nTell your boss!!\n", encoding="utf-8")
    out = runner.invoke(
        app,
        [
            "--db",
            str(tmp_path / "b.db"),
            "template",
            "lint",
            str(bad),
            "--stage",
            "friendly overdue",
        ],
    )
    assert out.exit_code == 1
    assert out.stderr == f"Book: {tmp_path / 'b.db'}\n"  # the book whose plan was read
    lines = out.stdout.strip().splitlines()
    assert len(lines) >= 4
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert any(line.startswith(f"{bad}:5: ") and "legal action" in line for line in lines)
    assert any(line.startswith(f"{bad}:7: ") and "third party" in line for line in lines)
    unknown = runner.invoke(
        app,
        ["--db", str(tmp_path / "b.db"), "template", "lint", str(bad), "--stage", "no such stage"],
    )
    assert unknown.exit_code == 2
