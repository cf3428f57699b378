"""Delivering the outbox to a real SMTP server on loopback (aiosmtpd), parsed back with
the `email` library: headers, both parts, attachments, Message-ID, language; retries
with backoff on 4xx, permanent failures on 5xx and missing addresses; copies in the
account's history; a second dispatch sends nothing."""

from __future__ import annotations

import email
import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services import daily_run, delivery_problems, dispatch, history, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.settings import Settings

RUN_ON = date(2026, 11, 2)  # a Monday
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)

CUSTOMERS = "\n".join(
    [
        "customer,name,country,language,timezone,contact,email,address,channel",
        "C1,Harbor Light Coffee LLC,US,en,UTC,Sam Ortega,sam@harbor.example,"
        "77 Pine Street|Seattle WA 98101,email",
        "C2,Bäckerei Sonnenschein GmbH,DE,de,Europe/Berlin,Jana Köhler,jana@baeckerei.example,"
        "Lindenallee 7|50667 Köln,email",
        "C3,Atelier Marchand SARL,FR,fr,Europe/Paris,Élodie Marchand,elodie@atelier.example,"
        "8 Place Bellecour|69002 Lyon,email",
        "C4,No Mail Ltd,GB,en,Europe/London,Pat Jones,,1 High Street|Leeds LS1 1AA,email",
        "",
    ]
)
INVOICES = """customer,number,issue_date,due_date,amount,currency
C1,A-100,2026-09-01,2026-10-20,500.00,USD
C2,B-200,2026-09-01,2026-10-20,1200.00,EUR
C2,B-201,2026-09-15,2026-10-22,80.50,EUR
C3,F-300,2026-09-01,2026-10-20,300.00,EUR
C4,G-400,2026-09-01,2026-10-20,42.00,GBP
"""


@dataclass
class Recorder:
    """An SMTP server's memory: every message it accepted, in order."""

    messages: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients refused with 550
    busy: int = 0  # answer 451 to this many DATA commands first
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            if self.busy > 0:
                self.busy -= 1
                return "451 4.3.0 please try again later"
            self.messages.append(bytes(envelope.original_content or envelope.content))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def parsed(self) -> list[EmailMessage]:
        with self.lock:
            raw = list(self.messages)
        return [email.message_from_bytes(m, policy=default_policy) for m in raw]  # type: ignore[misc]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.parsed()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def settings_for(url: str | None, tmp_path: Path) -> Settings:
    return Settings(
        smtp_url=url,
        outbox_dir=str(tmp_path / "outbox"),
        mail_from="accounts@lindqvist.example",
        reply_to="maja@lindqvist.example",
        business_name="Lindqvist Design Studio",
        business_address="Hafenstraße 12|20457 Hamburg",
        business_phone="+49 40 1234 5678",
        business_email="accounts@lindqvist.example",
        business_bank="IBAN DE89 3704 0044 0532 0130 00",
    )


def load(book: Book, tmp_path: Path, customers: str = CUSTOMERS, invoices: str = INVOICES):
    (tmp_path / "c.csv").write_text(customers, encoding="utf-8")
    (tmp_path / "i.csv").write_text(invoices, encoding="utf-8")
    assert importing.import_file(book, Kind.CUSTOMERS, tmp_path / "c.csv", Options()).ok
    assert importing.import_file(book, Kind.INVOICES, tmp_path / "i.csv", Options()).ok
    report = daily_run.run(book, RUN_ON)
    assert {a["kind"] for a in report.actions} == {"email"}


def states(book: Book) -> dict[str, str]:
    with book.read() as conn:
        rows = conn.execute(
            text(
                "SELECT c.key, o.state FROM outbox o JOIN actions a ON a.id = o.action_id "
                "JOIN customers c ON c.id = a.customer_id"
            )
        )
        return {r[0]: r[1] for r in rows}


def test_messages_reach_the_server_with_headers_parts_and_language(
    book: Book, tmp_path: Path, smtp
):
    recorder, url = smtp
    load(book, tmp_path)
    result = dispatch.dispatch(book, now=NOW, settings=settings_for(url, tmp_path))
    assert result.counts() == {"sent": 3, "failed": 1, "pending": 0}
    got = {str(m["To"]).split("<")[-1].rstrip(">"): m for m in recorder.parsed()}
    assert set(got) == {"sam@harbor.example", "jana@baeckerei.example", "elodie@atelier.example"}

    de = got["jana@baeckerei.example"]
    assert de["Content-Language"] == "de"
    assert de["Reply-To"] == "maja@lindqvist.example"
    assert "Lindqvist Design Studio" in str(de["From"])
    assert "Jana Köhler" in str(de["To"])
    assert de.get_content_type() == "multipart/alternative"
    plain = de.get_body(("plain",))
    html = de.get_body(("html",))
    assert plain is not None
    assert html is not None
    body = plain.get_content()
    assert "Guten Tag Jana Köhler" in body
    assert "B-200" in body
    assert "B-201" in body
    assert "1.280,50\xa0€" in body  # the total, formatted for German
    assert "20. Oktober 2026" in body  # the oldest due date
    assert "B-201" in html.get_content()
    assert "<table" in html.get_content()
    assert "1.280,50" in str(de["Subject"]) or "B-200" in str(de["Subject"])

    fr = got["elodie@atelier.example"]
    assert fr["Content-Language"] == "fr"
    assert "Bonjour Élodie Marchand" in fr.get_body(("plain",)).get_content()
    en = got["sam@harbor.example"]
    assert "$500.00" in en.get_body(("plain",)).get_content()

    # the Message-ID is the action's, and the book's: recognisable on a resend
    with book.read() as conn:
        rows = conn.execute(
            text("SELECT action_id, message_id, recipient FROM outbox WHERE state = 'sent'")
        ).all()
    for action_id, mid, recipient in rows:
        assert mid.startswith(f"<recoup.action-{action_id}.")
        assert mid.endswith("@lindqvist.example>")
        assert str(got[recipient]["Message-ID"]) == mid
        assert got[recipient]["X-Recoup-Action"] == str(action_id)
    assert states(book)["C4"] == "failed"


def test_a_second_dispatch_sends_nothing(book: Book, tmp_path: Path, smtp):
    recorder, url = smtp
    load(book, tmp_path)
    settings = settings_for(url, tmp_path)
    assert dispatch.dispatch(book, now=NOW, settings=settings).sent == 3
    again = dispatch.dispatch(book, now=NOW + timedelta(hours=1), settings=settings)
    assert again.counts() == {"sent": 0, "failed": 0, "pending": 0}
    assert len(recorder.messages) == 3


def test_firm_and_final_emails_carry_the_statement_pdf(book: Book, tmp_path: Path, smtp):
    recorder, url = smtp
    load(book, tmp_path)
    settings = settings_for(url, tmp_path)
    dispatch.dispatch(book, now=NOW, settings=settings)
    later = date(2026, 11, 11)  # 22 days past due: the firm reminder
    report = daily_run.run(book, later)
    assert {a["template"] for a in report.actions} == {"overdue-firm"}
    expected = len([a for a in report.actions if a["customer"] != "C4"])  # C4: no email
    assert expected >= 1
    now = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
    assert dispatch.dispatch(book, now=now, settings=settings).sent == expected
    firm = [m for m in recorder.parsed() if m.get_content_type() == "multipart/mixed"]
    assert len(firm) == expected
    for m in firm:
        files = [(p.get_filename(), p.get_content_type()) for p in m.iter_attachments()]
        assert len(files) == 1
        name, kind = files[0]
        assert kind == "application/pdf"
        assert name.startswith("statement-")
        pdf = next(m.iter_attachments()).get_content()
        assert pdf.startswith(b"%PDF")
        assert m.get_body(("plain",)) is not None
        assert m.get_body(("html",)) is not None


def test_temporary_failures_wait_and_retry_then_permanent_ones_stop(
    book: Book, tmp_path: Path, smtp
):
    recorder, url = smtp
    load(book, tmp_path)
    settings = settings_for(url, tmp_path)
    recorder.busy = 1  # the first message is answered 451
    recorder.refuse = {"elodie@atelier.example"}
    first = dispatch.dispatch(book, now=NOW, settings=settings)
    assert first.counts() == {"sent": 1, "failed": 2, "pending": 1}
    problems = {p.customer: p for p in delivery_problems.problems(book)}
    assert problems["C3"].state == "failed"
    assert "550" in problems["C3"].reason
    assert problems["C4"].state == "failed"
    assert "no email address" in problems["C4"].reason
    waiting = problems["C1"]
    assert waiting.state == "pending"
    assert "451" in waiting.reason
    assert waiting.next_attempt_at is not None
    retry_at = waiting.next_attempt_at.replace(tzinfo=waiting.next_attempt_at.tzinfo or UTC)
    assert retry_at == NOW + timedelta(minutes=5)
    # not yet: the backoff holds
    early = dispatch.dispatch(book, now=NOW + timedelta(minutes=2), settings=settings)
    assert early.sent == 0
    assert early.pending == 1
    recorder.busy = 1  # fails again: the next wait is twice as long
    dispatch.dispatch(book, now=NOW + timedelta(minutes=6), settings=settings)
    again = {p.customer: p for p in delivery_problems.problems(book)}["C1"]
    assert again.attempts == 2
    nxt = again.next_attempt_at
    assert nxt is not None
    assert nxt.replace(tzinfo=nxt.tzinfo or UTC) == NOW + timedelta(minutes=6 + 10)
    done = dispatch.dispatch(book, now=NOW + timedelta(minutes=20), settings=settings)
    assert done.counts() == {"sent": 1, "failed": 0, "pending": 0}
    assert sorted(states(book).values()) == ["failed", "failed", "sent", "sent"]
    # failures are in the account's history
    failed = history.entries(book, "C3", kinds=["message_failed"])
    assert failed
    assert "550" in failed[0].text


def test_every_delivered_message_is_kept_as_sent_in_the_history(book: Book, tmp_path: Path, smtp):
    recorder, url = smtp
    load(book, tmp_path)
    dispatch.dispatch(book, now=NOW, settings=settings_for(url, tmp_path))
    received = {
        str(m["Message-ID"]): raw
        for m, raw in zip(recorder.parsed(), recorder.messages, strict=True)
    }
    for key in ("C1", "C2", "C3"):
        [entry] = history.entries(book, key, kinds=["message_sent"])
        [attachment] = entry.attachments
        assert attachment["media_type"] == "message/rfc822"
        [(name, _media, content)] = history.entry_documents(book, entry.id)
        assert hashlib.sha256(content).hexdigest() == attachment["sha256"]
        mid = str(email.message_from_bytes(content)["Message-ID"])
        # byte for byte what the server received (the server adds nothing we keep)
        assert (
            received[mid].replace(b"\r\n", b"\n").strip() == content.replace(b"\r\n", b"\n").strip()
        )
        assert name.endswith(".eml")
    assert history.verify(book).ok


def test_without_smtp_messages_are_eml_files_and_letters_pdf(sqlite_book: Book, tmp_path: Path):
    book = sqlite_book
    load(book, tmp_path)
    daily_run.run(book, date(2026, 12, 7))  # 48 days: the final notice, email and letter
    settings = settings_for(None, tmp_path)
    result = dispatch.dispatch(
        book, now=datetime(2026, 12, 7, 11, 0, tzinfo=UTC), settings=settings
    )
    outbox = tmp_path / "outbox"
    emls = sorted(outbox.glob("*.eml"))
    letters = sorted((outbox / "letters").glob("*.pdf"))
    # the friendly reminders queued on 23 November and never delivered were superseded
    # by the final notices: three final-notice emails (C4 has no email), four letters
    assert len(emls) == 3
    assert len(letters) == 4  # every customer has a postal address
    assert result.sent == 7
    assert result.withdrawn == 4
    parsed = email.message_from_bytes(emls[0].read_bytes(), policy=default_policy)
    assert parsed["Message-ID"]
    assert parsed.get_body(("plain",)) is not None
    assert all(p.read_bytes().startswith(b"%PDF") for p in letters)
    again = dispatch.dispatch(book, now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC), settings=settings)
    assert again.sent == 0
    assert len(list(outbox.glob("*.eml"))) == 3


def test_dispatch_json_contract_and_idempotence_from_the_cli(tmp_path: Path, smtp, monkeypatch):
    recorder, url = smtp
    db = str(tmp_path / "book.db")
    book = Book.create(db)
    load(book, tmp_path)
    book.close()
    monkeypatch.setenv("RECOUP_SMTP_URL", url)
    monkeypatch.setenv("RECOUP_MAIL_FROM", "accounts@lindqvist.example")
    runner = CliRunner()
    args = ["--db", db, "dispatch", "--json", "--now", "2026-11-03T10:00:00"]
    held = runner.invoke(app, args)
    assert held.exit_code == 0, held.output
    waiting = json.loads(held.output)
    # the business details the templates print are not set: nothing goes out, and the
    # JSON says why each message waits
    assert _counts(waiting) == {"sent": 0, "failed": 0, "pending": 4}
    assert all("RECOUP_BUSINESS_NAME" in w["reason"] for w in waiting["waiting"])
    for name in ("name", "address", "phone", "bank"):
        value = getattr(settings_for(None, tmp_path), f"business_{name}")
        monkeypatch.setenv(f"RECOUP_BUSINESS_{name.upper()}", value)
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert _counts(json.loads(first.output)) == {"sent": 3, "failed": 1, "pending": 0}
    second = runner.invoke(app, args)
    assert _counts(json.loads(second.output)) == {"sent": 0, "failed": 0, "pending": 0}
    assert len(recorder.messages) == 3


def test_quiet_hours_in_the_customers_time_zone(book: Book, tmp_path: Path, smtp):
    _recorder, url = smtp
    customers = CUSTOMERS.replace(
        "Harbor Light Coffee LLC,US,en,UTC", "Harbor Light Coffee LLC,US,en,America/Los_Angeles"
    )
    load(book, tmp_path, customers=customers)
    settings = settings_for(url, tmp_path)
    # 10:00 UTC is 02:00 in Los Angeles: that one waits for 08:00 there (16:00 UTC)
    first = dispatch.dispatch(book, now=NOW, settings=settings)
    assert first.sent == 2
    assert first.deferred == 1
    assert first.pending == 1
    at_seven = dispatch.dispatch(book, now=NOW.replace(hour=15), settings=settings)
    assert at_seven.sent == 0
    later = dispatch.dispatch(book, now=NOW.replace(hour=16), settings=settings)
    assert later.sent == 1
    assert later.pending == 0


def _counts(out: dict) -> dict:
    """The three figures of the dispatch contract (the JSON carries more beside them)."""
    return {k: out[k] for k in ("sent", "failed", "pending")}
