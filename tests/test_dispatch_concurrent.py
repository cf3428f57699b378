"""Deliveries at once, and messages that fail alone.

**Concurrency.** Four deliveries start together over an outbox of 500 reminders, on
SQLite and on PostgreSQL, each with its own connection, talking to one real SMTP server
on loopback. Every Message-ID reaches the server exactly once (no crash here, so the
documented crash window does not apply and no copy is allowed), every message ends
"sent", and the history records each once. RECOUP_CONCURRENCY_TRIALS sets the number of
trials (default 2 in the ordinary run; bench/RESULTS.md has a run of 30).

**Poison.** A malformed address that an older book still holds, a template that does not
render and a recipient the server refuses (550) each fail alone, with their reason on
the delivery problems; every other message is delivered in the same dispatch.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from recoup.services import daily_run, delivery_problems, dispatch, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from tests.test_dispatch import (  # noqa: F401 - smtp is a fixture
    RUN_ON,
    Recorder,
    free_port,
    load,
    settings_for,
    smtp,
)

MESSAGES = 500
DELIVERIES = 4
TRIALS = int(os.environ.get("RECOUP_CONCURRENCY_TRIALS", "2"))
AT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Berlin

RESET = (
    "UPDATE outbox SET state = 'pending', message_id = NULL, recipient = NULL, "
    "content = NULL, attempts = 0, resends = 0, next_attempt_at = NULL, last_error = NULL, "
    "sent_at = NULL, lease_owner = NULL, lease_until = NULL, wait_reason = NULL, facts = NULL"
)


def _fill(book: Book, folder: Path) -> None:
    customers = ["customer,name,country,language,timezone,contact,email,channel"]
    invoices = ["customer,number,issue_date,due_date,amount,currency"]
    for i in range(MESSAGES):
        customers.append(
            f"K{i:04d},Customer {i},DE,de,Europe/Berlin,Person {i},p{i}@debtor.example,email"
        )
        invoices.append(f"K{i:04d},N{i:04d},2026-09-01,2026-10-20,{100 + i}.00,EUR")
    (folder / "c.csv").write_text("\n".join(customers) + "\n", encoding="utf-8")
    (folder / "i.csv").write_text("\n".join(invoices) + "\n", encoding="utf-8")
    assert importing.import_file(book, Kind.CUSTOMERS, folder / "c.csv", Options()).ok
    assert importing.import_file(book, Kind.INVOICES, folder / "i.csv", Options()).ok
    report = daily_run.run(book, RUN_ON)
    assert len([a for a in report.actions if a["kind"] == "email"]) == MESSAGES


def _trial(url: str, folder: Path) -> tuple[Counter[str], float]:
    """Four deliveries at once; the Message-IDs the server received, and the seconds."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings = settings_for(f"smtp://127.0.0.1:{port}", folder)
    books = [Book.open(url) for _ in range(DELIVERIES)]
    start = threading.Barrier(DELIVERIES)
    errors: list[BaseException] = []

    def deliver(book: Book) -> None:
        try:
            start.wait()
            dispatch.dispatch(book, now=AT, settings=settings)
        except BaseException as err:  # reported by the test below
            errors.append(err)

    began = time.perf_counter()
    threads = [threading.Thread(target=deliver, args=(b,)) for b in books]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - began
    controller.stop()
    for b in books:
        b.close()
    assert errors == []
    return Counter(recorder.message_ids()), took


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def test_four_deliveries_at_once_send_each_message_once(
    db: str, request: pytest.FixtureRequest, tmp_path: Path
):
    book: Book = request.getfixturevalue("sqlite_book" if db == "sqlite" else "pg_book")
    _fill(book, tmp_path)
    url = book.engine.url.render_as_string(hide_password=False)
    for trial in range(TRIALS):
        with book.write() as conn:
            conn.execute(text(RESET))
        received, took = _trial(url, tmp_path)
        twice = {mid: n for mid, n in received.items() if n > 1}
        print(f"{db} trial {trial}: {sum(received.values())} received in {took:.1f} s")
        assert twice == {}, f"trial {trial}: sent more than once: {list(twice.items())[:5]}"
        with book.read() as conn:
            states = {
                str(state): int(n)
                for state, n in conn.execute(
                    text("SELECT state, count(*) FROM outbox GROUP BY state")
                ).all()
            }
            left = conn.execute(
                text("SELECT id, state, last_error, wait_reason FROM outbox WHERE state <> 'sent'")
            ).all()
            leased = conn.execute(
                text("SELECT count(*) FROM outbox WHERE lease_owner IS NOT NULL")
            ).scalar()
        assert states == {"sent": MESSAGES}, left[:5]
        assert leased == 0  # every delivery gave back what it held
        assert len(received) == MESSAGES, f"trial {trial}: {len(received)} distinct received"


def test_a_bad_address_a_broken_template_and_a_refusal_each_fail_alone(
    book: Book,
    tmp_path: Path,
    smtp,  # noqa: F811 - the fixture
):
    """C1 (English) has an address with a line break and a Bcc (an older book's data; an
    import refuses it today), the French template does not render (C3 is French), the
    server refuses C2's address; C4 has no email address at all. Every other message goes
    out in the same dispatch."""
    recorder, url = smtp
    load(book, tmp_path)
    extra = ["customer,name,country,language,timezone,contact,email,channel"]
    invoices = ["customer,number,issue_date,due_date,amount,currency"]
    for i in range(6):
        extra.append(f"G{i},Good {i},DE,de,Europe/Berlin,Person {i},g{i}@debtor.example,email")
        invoices.append(f"G{i},G-{i},2026-09-01,2026-10-20,{200 + i}.00,EUR")
    (tmp_path / "g.csv").write_text("\n".join(extra) + "\n", encoding="utf-8")
    (tmp_path / "gi.csv").write_text("\n".join(invoices) + "\n", encoding="utf-8")
    assert importing.import_file(book, Kind.CUSTOMERS, tmp_path / "g.csv", Options()).ok
    assert importing.import_file(book, Kind.INVOICES, tmp_path / "gi.csv", Options()).ok
    daily_run.run(book, RUN_ON)
    with book.write() as conn:
        conn.execute(
            text(
                "UPDATE contacts SET email = :bad WHERE customer_id = "
                "(SELECT id FROM customers WHERE key = 'C1')"
            ),
            {"bad": "sam@harbor.example\nBcc: everyone@elsewhere.example"},
        )
        [c2] = conn.execute(
            text(
                "SELECT email FROM contacts WHERE customer_id = "
                "(SELECT id FROM customers WHERE key = 'C2')"
            )
        ).scalars()
    recorder.refuse = {c2}
    folder = tmp_path / "templates" / "fr"
    folder.mkdir(parents=True)
    (folder / "overdue-friendly.txt").write_text(
        "Subject: Rappel {{ invoice_numbers }\n\nBonjour {{ contact.name }},\n", encoding="utf-8"
    )
    settings = settings_for(url, tmp_path)
    settings.templates_dir = str(tmp_path / "templates")

    result = dispatch.dispatch(
        book, now=datetime(2026, 11, 3, 10, 0, tzinfo=UTC), settings=settings
    )

    delivered = {str(m["To"]) for m in recorder.parsed()}
    assert {f"Person {i} <g{i}@debtor.example>" for i in range(6)} <= delivered
    assert result.sent == 6
    assert result.stopped is None
    problems = {p.customer: p for p in delivery_problems.problems(book)}
    assert set(problems) == {"C1", "C2", "C3", "C4"}
    assert {k: (p.state, p.reason) for k, p in problems.items() if p.state != "failed"} == {}
    assert "line break" in problems["C1"].reason
    assert "550" in problems["C2"].reason
    assert "could not be built" in problems["C3"].reason
    assert problems["C4"].reason == "no email address for this customer"
    # the Bcc never reached the server in any header
    assert all("everyone@elsewhere.example" not in str(m) for m in recorder.parsed())
