"""The demo as a newcomer meets it: `recoup demo` plays the plan's last four weeks and
delivers each day's outbox to the .eml folder; at the end every message is delivered,
or waits with its reason for a moment still to come, and the dashboard, `recoup
doctor`, the outbox and the history tell the same figures."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services.book import Book
from recoup.settings import Settings
from recoup.web.app import create_app

NOW = "2026-12-07T09:30:00"  # a Monday morning: the Americas are still asleep


def test_the_demo_ends_with_its_outbox_delivered_and_its_figures_agreeing(
    tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    for name in ("RECOUP_SMTP_URL", "RECOUP_OUTBOX_DIR", "RECOUP_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    made = runner.invoke(app, ["--now", NOW, "demo", "--no-serve"])
    assert made.exit_code == 0, made.output
    assert "Delivered each day" in made.output
    db = tmp_path / "recoup.db"
    folder = tmp_path / "outbox"

    book = Book.open(str(db))
    try:
        with book.read() as conn:
            rows = conn.execute(
                text("SELECT channel, state, next_attempt_at, wait_reason, message_id FROM outbox")
            ).all()
            sent_entries = conn.execute(
                text("SELECT count(*) FROM history WHERE kind = 'message_sent'")
            ).scalar()
        states = [r.state for r in rows]
        assert set(states) <= {"sent", "pending", "withdrawn"}, set(states)
        now = datetime.fromisoformat(NOW).replace(tzinfo=UTC)
        waiting = [r for r in rows if r.state == "pending"]
        for r in waiting:  # only what may not go yet, each with its reason
            assert r.wait_reason
            assert "contact hours" in r.wait_reason or "not a contact day" in r.wait_reason
            until = r.next_attempt_at
            if isinstance(until, str):  # SQLite gives the text
                until = datetime.fromisoformat(until)
            until = until if until.tzinfo else until.replace(tzinfo=UTC)
            assert until > now
        sent = [r for r in rows if r.state == "sent"]
        # the .eml folder and the letters' PDFs hold exactly what was delivered
        emails = {p.name for p in folder.glob("*.eml")}
        letters = {p.name for p in (folder / "letters").glob("*.pdf")}
        assert len(emails) == sum(r.channel == "email" for r in sent)
        assert len(letters) == sum(r.channel == "letter" for r in sent)
        assert len(sent) > 200
        assert sent_entries == len(sent)

        # the dispatch contract says the same
        again = runner.invoke(app, ["--now", NOW, "dispatch", "--json"])
        assert again.exit_code == 0, again.output
        out = json.loads(again.output[again.output.index("{") :])
        assert out["sent"] == 0
        assert out["pending"] == len(waiting)
        assert {w["outbox"] for w in out["waiting"]} == {int(o[0]) for o in _ids(book, "pending")}

        # recoup doctor finds nothing missing
        doc = runner.invoke(app, ["doctor", "--json"])
        assert doc.exit_code == 0, doc.output
        assert json.loads(doc.output[doc.output.index("{") :])["ok"] is True

        # and the dashboard shows the same figures, without a set-up checklist
        web = create_app(Settings(secret_key="demo-test-" + "x" * 32, now=NOW), book)
        with TestClient(web) as client:
            login = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', login)
            assert token
            client.post(
                "/login",
                data={
                    "username": "owner",
                    "password": "owner-demo",
                    "next": "/",
                    "csrf_token": token[1],
                },
            )
            page = client.get("/").text
            bank_page = client.get("/bank").text
        assert _figure(page, "outbox") == len(waiting)
        assert _figure(page, "delivered") == len(sent) == sent_entries
        assert "Set-up checklist" not in page

        # money in: today's statement, its confident lines applied, the rest waiting
        statement = tmp_path / "bank-statement-2026-12-07.csv"
        assert "Money in: today's bank statement" in " ".join(made.output.split())
        queue = runner.invoke(app, ["bank", "queue", "--json"])
        assert queue.exit_code == 0, queue.output
        waits = json.loads(queue.output[queue.output.index("[") :])
        assert len(waits) >= 2  # a stranger's transfer at least, and a line to choose for
        assert any(not w["suggestions"] for w in waits)
        assert any(w["suggestions"] for w in waits)
        with book.read() as conn:
            applied = conn.execute(
                text(
                    "SELECT count(*) FROM bank_lines l WHERE l.state = 'applied' AND EXISTS "
                    "(SELECT 1 FROM payments p WHERE p.key LIKE 'bank:' || l.id || ':%')"
                )
            ).scalar()
        assert applied is not None
        assert applied >= 4  # each with the payments it became
        for w in waits:
            assert f'data-line="{w["line"]}"' in bank_page
        # the same statement again takes nothing twice
        again = runner.invoke(app, ["bank", "import", str(statement), "--account",
                                    "DEMO-CHECKING-4471", "--json"])  # fmt: skip
        assert again.exit_code == 0, again.output
        figures = json.loads(again.output[again.output.index("{") :])
        assert (figures["duplicates"], figures["applied"]) == (figures["lines"], 0)

        # every payment of the ledger is in its customer's history once, on its own day,
        # and a customer's history runs in the order of its days
        with book.read() as conn:
            paid = conn.execute(text("SELECT key, customer_id, date FROM payments")).all()
            entries = conn.execute(
                text("SELECT customer_id, day, kind, data FROM history ORDER BY id")
            ).all()
        told: dict[str, list[tuple[int, str]]] = {}
        days: dict[int, list[str]] = {}
        for cid, day, kind, data in entries:
            days.setdefault(cid, []).append(str(day))
            key = json.loads(data).get("key") if kind == "payment" else None
            if key:  # an imported payment's (a bank line's name the line instead)
                told.setdefault(key, []).append((cid, str(day)))
        ledger = [k for k, _, _ in paid if not k.startswith("bank:")]
        assert len(ledger) > 2000
        for key, cid, day in paid:
            if not key.startswith("bank:"):
                assert told.get(key) == [(cid, str(day))], key
        assert all(d == sorted(d) for d in days.values())
    finally:
        book.close()


def _ids(book: Book, state: str) -> list[tuple[int]]:
    with book.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(text("SELECT id FROM outbox WHERE state = :s"), {"s": state})
        ]


def _figure(page: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}">([^<]+)<', page)
    assert found, name
    return int(found[1].replace(",", "").strip())
