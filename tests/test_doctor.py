"""`recoup doctor`: every gap in the set-up, with how to fix it; none on the demo book.

On SQLite and PostgreSQL (the `book` fixture) for the service, through the `recoup`
command on a SQLite file, with a real SMTP server on loopback (aiosmtpd).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.policy import default_policy_text
from recoup.services import business_details, daily_run, demo, doctor, template_gate, templates
from recoup.services.book import Book
from recoup.settings import Settings

TODAY = date(2026, 11, 23)
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DETAILS = {
    "business_name": "Lindqvist Design Studio",
    "business_address": "Hafenstraße 12|20457 Hamburg|Germany",
    "business_phone": "+49 40 1234 5678",
    "business_email": "accounts@lindqvist.example",
    "business_bank": "IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX",
}
ENV_CLEARED = dict.fromkeys(
    (
        "RECOUP_BUSINESS_NAME",
        "RECOUP_BUSINESS_ADDRESS",
        "RECOUP_BUSINESS_PHONE",
        "RECOUP_BUSINESS_EMAIL",
        "RECOUP_BUSINESS_BANK",
        "RECOUP_BUSINESS_SIGNATURE",
        "RECOUP_MAIL_FROM",
        "RECOUP_SMTP_URL",
        "RECOUP_TEMPLATES_DIR",
        "RECOUP_OUTBOX_DIR",
        "RECOUP_DATABASE_URL",
        "RECOUP_NOW",
    )
)


def settings(tmp_path: Path, **values: str | None) -> Settings:
    return Settings(outbox_dir=str(tmp_path / "outbox"), **values)  # type: ignore[arg-type]


def gaps_by(report: doctor.Report) -> dict[tuple[str, str | None], doctor.Gap]:
    return {(g.kind, g.setting): g for g in report.gaps}


def test_a_fresh_book_lists_every_missing_detail_and_the_sender(book: Book, tmp_path: Path):
    report = doctor.check(book, settings(tmp_path))
    assert not report.ok
    found = gaps_by(report)
    assert set(found) == {
        ("business", "RECOUP_BUSINESS_NAME"),
        ("business", "RECOUP_BUSINESS_ADDRESS"),  # letters' letterhead, statements' PDF
        ("business", "RECOUP_BUSINESS_PHONE"),
        ("business", "RECOUP_BUSINESS_BANK"),
        ("sender", "RECOUP_MAIL_FROM"),
    }
    phone = found[("business", "RECOUP_BUSINESS_PHONE")]
    assert "phone number" in phone.what
    assert "overdue-friendly" in phone.what
    assert "export RECOUP_BUSINESS_PHONE=" in phone.fix
    assert "recoup@recoup.invalid" in found[("sender", "RECOUP_MAIL_FROM")].what
    assert set(report.languages) == {"en", "de", "fr"}  # no customers yet: all of them
    assert "letter-before-action" in report.templates
    assert "statement" in report.templates
    # no SMTP server set: not a gap, but said
    assert any(".eml" in note and str(tmp_path / "outbox") in note for note in report.notes)
    data = report.to_json()
    assert data["ok"] is False
    assert all(set(g) == {"kind", "setting", "what", "fix"} for g in data["gaps"])


def test_all_set_nothing_missing(book: Book, tmp_path: Path):
    report = doctor.check(book, settings(tmp_path, **DETAILS))
    assert report.ok, report.gaps
    assert report.to_json()["gaps"] == []


def test_each_detail_is_reported_alone(book: Book, tmp_path: Path):
    for field in DETAILS:
        values = {k: v for k, v in DETAILS.items() if k != field}
        found = gaps_by(doctor.check(book, settings(tmp_path, **values)))
        if field == "business_email":  # the sender address falls back to it
            assert set(found) == {("sender", "RECOUP_MAIL_FROM")}
        else:
            assert set(found) == {("business", "RECOUP_" + field.upper())}
    with_from = {**DETAILS, "business_email": "", "mail_from": "billing@lindqvist.example"}
    assert doctor.check(book, settings(tmp_path, **with_from)).ok


def test_missing_sender():
    assert templates.missing_sender(Settings()) == "RECOUP_MAIL_FROM"
    assert templates.missing_sender(Settings(mail_from="  ")) == "RECOUP_MAIL_FROM"
    assert templates.missing_sender(Settings(mail_from="a@b.example")) is None
    assert templates.missing_sender(Settings(business_email="a@b.example")) is None


def test_only_the_customers_languages_count(book: Book, tmp_path: Path, monkeypatch):
    """A German template that does not render is a gap only while a customer reads German."""
    folder = tmp_path / "templates"
    (folder / "de").mkdir(parents=True)
    (folder / "de" / "overdue-friendly.txt").write_text(
        "Subject: Erinnerung\n\nGuten Tag {{ kunde.name }},\n", encoding="utf-8"
    )
    s = settings(tmp_path, templates_dir=str(folder), **DETAILS)
    found = gaps_by(doctor.check(book, s))
    assert set(found) == {("template", None)}
    assert "'overdue-friendly' (de)" in found[("template", None)].what
    demo.write_book(book, demo.make(6, 30, 3, TODAY, currency="USD"))
    with book.write() as conn:
        conn.execute(text("UPDATE customers SET language = 'en'"))
    report = doctor.check(book, s)
    assert report.languages == ["en"]
    assert report.ok, report.gaps


def test_a_template_that_fails_the_tone_check(book: Book, tmp_path: Path):
    folder = tmp_path / "templates"
    (folder / "en").mkdir(parents=True)
    (folder / "en" / "overdue-friendly.txt").write_text(
        "Subject: Pay now\n\nDear {{ contact.name }},\n\nPay today or we will have you "
        "arrested and take you to court.\n\n{{ business.name }}\n",
        encoding="utf-8",
    )
    report = doctor.check(book, settings(tmp_path, templates_dir=str(folder), **DETAILS))
    tone = [g for g in report.gaps if g.kind == "tone"]
    assert len(tone) == 1
    assert "'overdue-friendly' (en, folder)" in tone[0].what
    assert "line 5" in tone[0].what
    assert "recoup template lint" in tone[0].fix
    assert "recoup template approve overdue-friendly --language en" in tone[0].fix
    # the folder template prints no phone and no bank details: those are not asked for it
    assert {g.kind for g in report.gaps} == {"tone"}
    # an owner signs this very text off: its messages may go, the gap is closed
    s = settings(tmp_path, templates_dir=str(folder), **DETAILS)
    template_gate.approve(
        book, "overdue-friendly", "en", user="olga", role="owner", at=NOON, settings=s
    )
    assert doctor.check(book, s).ok


def test_the_plan_names_a_template_that_does_not_exist(book: Book, tmp_path: Path):
    from recoup.services import policy

    plan = default_policy_text().replace('email = "overdue-firm"', 'email = "overdue-stern"')
    assert plan != default_policy_text()
    policy.use_policy_text(book, plan, "stern.toml")
    found = gaps_by(doctor.check(book, settings(tmp_path, **DETAILS)))
    assert set(found) == {("policy", None)}
    assert "'overdue-stern'" in found[("policy", None)].what
    assert "recoup template save overdue-stern" in found[("policy", None)].fix


def test_messages_waiting_for_the_set_up(book: Book, tmp_path: Path):
    demo.write_book(book, demo.make(12, 80, 5, TODAY, currency="USD"))
    daily_run.run(book, TODAY)
    reason = doctor.wait_reason(["RECOUP_BUSINESS_PHONE", "RECOUP_BUSINESS_BANK"])
    assert reason.startswith(doctor.WAIT_PREFIX)
    with book.write() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM outbox ORDER BY id"))]
        assert len(ids) >= 3
        conn.execute(
            text("UPDATE outbox SET wait_reason = :r WHERE id IN (:a, :b)"),
            {"r": reason, "a": ids[0], "b": ids[1]},
        )
        conn.execute(
            text("UPDATE outbox SET wait_reason = 'outside the contact hours' WHERE id = :c"),
            {"c": ids[2]},
        )
    report = doctor.check(book, settings(tmp_path, **DETAILS))
    outbox = [g for g in report.gaps if g.kind == "outbox"]
    assert len(outbox) == 1  # waiting for the contact hours is not a gap of the set-up
    assert outbox[0].setting == "RECOUP_BUSINESS_PHONE, RECOUP_BUSINESS_BANK"
    assert outbox[0].what.startswith("2 messages wait in the outbox")
    assert "recoup dispatch" in outbox[0].fix


# --- the mail server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Accepting:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return "250 OK"


@pytest.fixture
def smtp_url() -> Iterator[str]:
    port = free_port()
    controller = Controller(Accepting(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def test_a_mail_server_that_answers(sqlite_book: Book, tmp_path: Path, smtp_url: str):
    report = doctor.check(sqlite_book, settings(tmp_path, smtp_url=smtp_url, **DETAILS))
    assert report.ok, report.gaps
    assert not any(".eml" in note for note in report.notes)
    assert doctor.smtp_gap(Settings(smtp_url=smtp_url)) is None


def test_a_mail_server_that_does_not_answer(sqlite_book: Book, tmp_path: Path):
    url = f"smtp://127.0.0.1:{free_port()}?timeout=30"  # nobody listens there
    found = gaps_by(doctor.check(sqlite_book, settings(tmp_path, smtp_url=url, **DETAILS)))
    assert set(found) == {("smtp", "RECOUP_SMTP_URL")}
    gap = found[("smtp", "RECOUP_SMTP_URL")]
    assert "cannot reach the mail server 127.0.0.1:" in gap.what
    assert "host and port" in gap.fix
    bad = doctor.smtp_gap(Settings(smtp_url="http://mail.example.com"))
    assert bad is not None
    assert "smtp://" in bad.fix


def test_a_silent_mail_server_costs_at_most_the_timeout():
    """A server that accepts the connection and never greets: the check gives up."""
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        url = f"smtp://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        gap = doctor.smtp_gap(Settings(smtp_url=url), timeout=0.5)
        assert gap is not None
        assert gap.kind == "smtp"
        assert time.monotonic() - started < 5
    finally:
        listener.close()


# --- a book's own details, the demo book --------------------------------------------------


def test_a_book_carries_details_the_environment_leaves_unset(book: Book):
    business_details.store(book, {"business_name": "From the book", "business_phone": "1"})
    s = business_details.apply(Settings(business_name="From the environment"), book)
    assert s.business_name == "From the environment"  # the environment wins
    assert s.business_phone == "1"
    with pytest.raises(ValueError):
        business_details.store(book, {"database_url": "elsewhere.db"})


def test_the_demo_book_has_no_gaps_and_complete_messages(sqlite_book: Book, tmp_path: Path):
    demo.write_book(sqlite_book, demo.make(60, 600, 7, TODAY))
    demo.write_business(sqlite_book)
    demo.play(sqlite_book, TODAY, days=14)
    s = business_details.apply(settings(tmp_path), sqlite_book)
    report = doctor.check(sqlite_book, s)
    assert report.ok, report.gaps
    # a message of the demo book reads the demo business's details, none left blank
    with sqlite_book.read() as conn:
        key = conn.execute(
            text(
                "SELECT c.key FROM outbox o JOIN actions a ON a.id = o.action_id "
                "JOIN customers c ON c.id = a.customer_id WHERE o.channel = 'email' LIMIT 1"
            )
        ).scalar_one()
    shown = templates.preview(sqlite_book, "overdue-firm", customer=key, as_of=TODAY, settings=s)
    assert shown.rendered is not None
    from recoup.messages.render import missing_details

    assert missing_details(shown.source, shown.data.business, letter=True) == ()
    for value in ("Northwind Design Studio", "+1 503 555 0142", "routing 123 000 220"):
        assert value in shown.rendered.text


# --- the command ---------------------------------------------------------------------------


def run_doctor(path: Path, *args: str, **env: str):
    result = CliRunner().invoke(
        app, ["--db", str(path), "doctor", *args], env={**ENV_CLEARED, **env}
    )
    return result


def test_the_command_on_a_fresh_book(tmp_path: Path):
    path = tmp_path / "fresh.db"
    Book.create(str(path)).close()  # `recoup init`
    result = run_doctor(path, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert {g["setting"] for g in data["gaps"]} == {
        "RECOUP_BUSINESS_NAME",
        "RECOUP_BUSINESS_ADDRESS",
        "RECOUP_BUSINESS_PHONE",
        "RECOUP_BUSINESS_BANK",
        "RECOUP_MAIL_FROM",
    }
    words = run_doctor(path)
    assert words.exit_code == 1
    assert "Set-up checklist: 5 things to do" in words.stdout
    assert "RECOUP_BUSINESS_PHONE" in words.stdout
    env = {"RECOUP_" + k.upper(): v for k, v in DETAILS.items()}
    fixed = run_doctor(path, **env)
    assert fixed.exit_code == 0, fixed.output
    assert "Everything is set up" in fixed.stdout


def test_the_command_on_the_demo_book(tmp_path: Path):
    path = tmp_path / "demo.db"
    book = Book.create(str(path))
    try:
        demo.write_book(book, demo.make(30, 300, 7, TODAY))
        demo.write_business(book)
    finally:
        book.close()
    result = run_doctor(path, "--json", RECOUP_OUTBOX_DIR=str(tmp_path / "outbox"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


def test_a_test_send_waits_for_the_same_details(sqlite_book: Book, tmp_path: Path):
    demo.write_book(sqlite_book, demo.make(6, 30, 3, TODAY, currency="USD"))
    outbox = tmp_path / "outbox"
    with pytest.raises(ValueError, match="RECOUP_BUSINESS_PHONE") as err:
        templates.send_test(
            sqlite_book, "overdue-friendly", to="me@example.com", settings=settings(tmp_path)
        )
    assert "RECOUP_MAIL_FROM" in str(err.value)
    assert not list(outbox.glob("*.eml"))
    mid = templates.send_test(
        sqlite_book, "overdue-friendly", to="me@example.com", settings=settings(tmp_path, **DETAILS)
    )
    assert mid.endswith("@lindqvist.example>")
    assert len(list(outbox.glob("*.eml"))) == 1
