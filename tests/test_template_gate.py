"""The tone gate (issue 13): every template text in use (built-in, saved, folder) passes
the tone check, or its messages are held until an owner signs off that exact version;
`recoup template approve` and `recoup template list`; the Templates page's sign-off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.messages import catalogue
from recoup.policy import default_policy
from recoup.services import template_gate, users
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.store import messages_repo
from recoup.store.tables_messages import template_signoffs
from recoup.web.app import create_app
from tests.test_messages_web import token_of

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
POLICY = default_policy()
HARSH = (
    "Subject: About {{ invoice_numbers }}\n\n"
    "Dear {{ contact.name }},\n\n"
    "{{ table }}\n\n"
    "Honest businesses pay. Your credit rating will be affected.\n"
    "We will have you arrested.\n\n"
    "{{ business.signature }}\n"
)
CALM = (
    "Subject: About {{ invoice_numbers }}\n\n"
    "Dear {{ contact.name }},\n\n"
    "{{ table }}\n\n"
    "Please pay {{ total }} by {{ pay_by }}.\n\n"
    "{{ business.signature }}\n"
)


def save(book: Book, name: str, language: str, text: str) -> None:
    """An edited template in the store, as an older Recoup (or a hand edit) left it: the
    service refuses to save a text with findings, the gate must not rely on that."""
    with book.write() as conn:
        messages_repo.save_template(conn, name, language, text, AT, "olga")


def gate_of(book: Book, name: str, language: str, settings: Settings | None = None):
    with book.read() as conn:
        return template_gate.gate(conn, name, language, POLICY, settings or Settings())


def signoffs(book: Book) -> int:
    with book.read() as conn:
        return int(conn.execute(select(func.count()).select_from(template_signoffs)).scalar())


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_built_in_templates_pass_the_gate(book: Book, language: str):
    for t in catalogue.TEMPLATES:
        found = gate_of(book, t.name, language)
        assert found.origin == "built-in"
        assert found.findings == ()
        assert not found.held, found.reason()
        assert found.source == catalogue.builtin_source(t.name, language)
        assert len(found.checksum) == 64
    assert template_gate.held_templates(book, Settings()) == []


def test_a_saved_template_with_findings_is_held_until_an_owner_signs_it_off(book: Book):
    save(book, "overdue-firm", "de", HARSH)
    held = gate_of(book, "overdue-firm", "de")
    assert held.origin == "edited"
    assert held.held
    assert {f.kind for f in held.findings} >= {"arrest", "credit", "shaming"}
    reason = held.reason()
    assert reason.startswith("template overdue-firm (de, edited) has 3 tone findings (line 7: ")
    assert reason.endswith(
        ": an owner must sign off this version (recoup template approve overdue-firm --language de)"
    )
    assert [(g.name, g.language) for g in template_gate.held_templates(book, Settings())] == [
        ("overdue-firm", "de")
    ]
    # a collector may not sign off; nothing is recorded
    with pytest.raises(template_gate.SignOffRefusedError, match="only an owner"):
        template_gate.approve(book, "overdue-firm", "de", user="carl", role=Role.COLLECTOR, at=AT)
    assert signoffs(book) == 0
    assert gate_of(book, "overdue-firm", "de").held
    # the owner signs off: no longer held; twice is harmless
    done = template_gate.approve(book, "overdue-firm", "de", user="olga", role="owner", at=AT)
    assert done.signed_off
    assert not done.held
    again = template_gate.approve(book, "overdue-firm", "de", user="olga", role="owner", at=AT)
    assert again.signed_off
    assert signoffs(book) == 1
    after = gate_of(book, "overdue-firm", "de")
    assert not after.held
    assert after.signed_off
    assert "signed off" in after.reason()
    assert template_gate.held_templates(book, Settings()) == []
    with book.read() as conn:
        row = messages_repo.find_signoff(conn, "overdue-firm", after.checksum)
    assert row is not None
    assert row["signed_by"] == "olga"
    assert row["language"] == "de"
    assert len(row["findings"].splitlines()) == 3
    # the English text is another version: not signed off by the German one
    save(book, "overdue-firm", "en", HARSH.replace("Dear", "Hello"))
    assert gate_of(book, "overdue-firm", "en").held


def test_an_edited_text_after_the_sign_off_is_held_again(book: Book):
    save(book, "overdue-friendly", "en", HARSH)
    template_gate.approve(book, "overdue-friendly", "en", user="olga", role="owner", at=AT)
    assert not gate_of(book, "overdue-friendly", "en").held
    save(book, "overdue-friendly", "en", HARSH.replace("arrested", "arrested today"))
    changed = gate_of(book, "overdue-friendly", "en")
    assert changed.held
    assert changed.checksum != template_gate.checksum(HARSH)
    save(book, "overdue-friendly", "en", HARSH)  # back to the signed-off text
    assert not gate_of(book, "overdue-friendly", "en").held


def test_a_folder_template_with_findings_is_held(book: Book, tmp_path: Path):
    folder = tmp_path / "templates"
    (folder / "fr").mkdir(parents=True)
    (folder / "fr" / "final-notice.txt").write_text(
        HARSH.replace("Dear", "Bonjour"), encoding="utf-8"
    )
    (folder / "fr" / "my-nudge.txt").write_text(
        "Subject: Bonjour\n\nPayez immédiatement !!\n", encoding="utf-8"
    )
    (folder / "en").mkdir()
    (folder / "en" / "my-calm.txt").write_text(CALM, encoding="utf-8")
    settings = Settings(templates_dir=str(folder))
    found = gate_of(book, "final-notice", "fr", settings)
    assert found.origin == "folder"
    assert found.held
    assert "(fr, folder)" in found.reason()
    assert not gate_of(book, "final-notice", "fr").held  # without the folder: built-in
    held = template_gate.held_templates(book, settings)
    assert [(g.name, g.language, g.origin) for g in held] == [
        ("final-notice", "fr", "folder"),
        ("my-nudge", "fr", "folder"),
    ]
    # approving without the folder would sign off the built-in text, not this one
    template_gate.approve(book, "final-notice", "fr", user="o", role="owner", at=AT)
    assert gate_of(book, "final-notice", "fr", settings).held
    template_gate.approve(
        book, "final-notice", "fr", user="o", role="owner", at=AT, settings=settings
    )
    assert not gate_of(book, "final-notice", "fr", settings).held


def test_unknown_templates_languages_and_stale_versions_are_refused(book: Book):
    with pytest.raises(NotFoundError):
        template_gate.approve(book, "no-such-template", "en", user="o", role="owner", at=AT)
    with pytest.raises(ValueError, match="language"):
        template_gate.approve(book, "overdue-firm", "nl", user="o", role="owner", at=AT)
    save(book, "statement", "en", HARSH)
    with pytest.raises(template_gate.VersionChangedError):
        template_gate.approve(
            book, "statement", "en", user="o", role="owner", at=AT, expected="0" * 64
        )
    assert signoffs(book) == 0
    clean = template_gate.approve(book, "overdue-firm", "en", user="o", role="owner", at=AT)
    assert not clean.findings
    assert signoffs(book) == 0  # nothing to sign off


# --- the CLI -----------------------------------------------------------------------

runner = CliRunner()


def cli(db: Path, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["--db", str(db), *args], env=env)


def test_cli_approve_and_list(tmp_path: Path):
    db = tmp_path / "b.db"
    folder = tmp_path / "templates"
    (folder / "de").mkdir(parents=True)
    (folder / "de" / "overdue-firm.txt").write_text(HARSH, encoding="utf-8")
    env = {"RECOUP_TEMPLATES_DIR": str(folder)}
    book = Book.create(str(db))
    try:
        users.add_user(book, "carl", "carl-collector-pw", Role.COLLECTOR)
    finally:
        book.close()

    listed = cli(db, "template", "list", env=env)
    assert listed.exit_code == 0, listed.output
    assert "HELD: de" in listed.output
    assert "1 template text held" in listed.output
    assert "recoup template approve overdue-firm --language de" in listed.output
    as_json = cli(db, "template", "list", "--json", env=env)
    firm = next(r for r in json.loads(as_json.output) if r["name"] == "overdue-firm")
    assert list(firm["held"]) == ["de"]

    refused = cli(
        db, "template", "approve", "overdue-firm", "--language", "de", "--actor", "carl", env=env
    )
    assert refused.exit_code == 1
    assert "only an owner" in refused.output
    unknown = cli(db, "template", "approve", "nope", "--language", "de", env=env)
    assert unknown.exit_code == 3

    done = cli(
        db,
        "template",
        "approve",
        "overdue-firm",
        "--language",
        "de",
        "--actor",
        "olga",
        "--json",
        env=env,
    )
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["origin"] == "folder"
    assert result["signed_off"] is True
    assert result["held"] is False
    assert result["signed_by"] == "olga"
    assert len(result["findings"]) == 3
    after = cli(db, "template", "list", env=env)
    assert "No template is held" in after.output
    twice = cli(db, "template", "approve", "overdue-firm", "--language", "de", env=env)
    assert twice.exit_code == 0


# --- the web page ------------------------------------------------------------------

PASSWORDS = {
    "olga": ("olga-owner-pw", Role.OWNER),
    "carl": ("carl-collector-pw", Role.COLLECTOR),
}


@pytest.fixture
def site(sqlite_book: Book, tmp_path: Path) -> Iterator[TestClient]:
    for name, (pw, role) in PASSWORDS.items():
        users.add_user(sqlite_book, name, pw, role)
    save(sqlite_book, "overdue-firm", "de", HARSH)
    settings = Settings(secret_key="k" * 40, outbox_dir=str(tmp_path / "outbox"))
    with TestClient(create_app(settings, sqlite_book)) as client:
        yield client


def log_in(client: TestClient, name: str) -> None:
    token = token_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORDS[name][0], "next": "/", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_web_shows_held_templates_and_the_owner_signs_off(site: TestClient, sqlite_book: Book):
    client = site
    log_in(client, "carl")
    listing = client.get("/templates").text
    assert 'id="held-templates"' in listing
    assert "held: de" in listing
    page = client.get("/templates/overdue-firm?lang=de").text
    assert 'id="gate-held"' in page
    assert "threatens arrest" in page
    assert "Sign off this version" not in page  # a collector sees no button
    checksum = template_gate.checksum(HARSH)
    refused = client.post(
        "/templates/overdue-firm/approve",
        data={"csrf_token": token_of(page), "lang": "de", "checksum": checksum},
    )
    assert refused.status_code == 403
    assert signoffs(sqlite_book) == 0
    client.post("/logout", data={"csrf_token": token_of(page)})

    log_in(client, "olga")
    page = client.get("/templates/overdue-firm?lang=de").text
    assert "Sign off this version" in page
    assert f'name="checksum" value="{checksum}"' in page
    no_token = client.post(
        "/templates/overdue-firm/approve", data={"lang": "de", "checksum": checksum}
    )
    assert no_token.status_code in (400, 403)
    assert signoffs(sqlite_book) == 0
    stale = client.post(
        "/templates/overdue-firm/approve",
        data={"csrf_token": token_of(page), "lang": "de", "checksum": "0" * 64},
    )
    assert stale.status_code == 409
    assert signoffs(sqlite_book) == 0
    done = client.post(
        "/templates/overdue-firm/approve",
        data={"csrf_token": token_of(page), "lang": "de", "checksum": checksum},
    )
    assert done.status_code == 200
    assert "Signed off" in done.text
    assert 'id="gate-signed"' in done.text
    assert signoffs(sqlite_book) == 1
    assert 'id="held-templates"' not in client.get("/templates").text
    assert 'id="gate-clear"' in client.get("/templates/overdue-firm?lang=en").text
