"""The court case file: the demo book's worst account (the largest amount overdue) as a
PDF read back with `pdftotext`, and the zip of originals.

Runs on SQLite and PostgreSQL. The account gets a history first: an e-mail reminder
with its .eml copy, a call and a promise, recorded through the history service.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.domain.money import Money
from recoup.domain.words import readable
from recoup.services import (
    accounts,
    casefile,
    daily_run,
    demo,
    dispatch,
    history,
    interest,
    reports,
)
from recoup.services.book import Book
from recoup.services.casework import calls, disputes, promises
from recoup.services.history import NewDocument
from recoup.settings import Settings
from tests.conftest import missing
from tests.plans import by_age

AS_OF = date(2025, 6, 30)
SMALL_CLAIMS_CSV = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "recoup"
    / "jurisdictions"
    / "data"
    / "small_claims.csv"
)

EML = (
    b"From: Accounts <accounts@creditor.example>\r\n"
    b"To: debtor@example.com\r\n"
    b"Subject: Your overdue invoices\r\n"
    b"Date: Mon, 16 Jun 2025 09:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Dear customer,\r\n"
    b"four invoices are now more than 30 days overdue. Please pay this week.\r\n"
)


def money_text(m: Money) -> str:
    """How the case file writes an amount: `EUR 21,843.98`."""
    return f"{m.currency} {m.amount:,}"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        missing("pdftotext (poppler-utils)")
    path = tmp_path / "read-back.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


@dataclass
class Worked:
    book: Book
    key: str
    entries: list[int]
    outbox: Path


def record_contacts(book: Book, key: str) -> list[int]:
    """An e-mail reminder with its .eml copy, a call and a promise, through the history
    service (for the tests that need a small, known history)."""
    with book.write() as conn:
        cid = history.customer_id_of(conn, key)
        ids = [
            history.record(
                conn, cid, "email", "Reminder: four invoices overdue", actor="run",
                on=date(2025, 6, 16),
                documents=[NewDocument("reminder.eml", "message/rfc822", EML)],
            ),
            history.record(
                conn, cid, "call", "Spoke to the owner: will pay 500.00 by 2025-07-10",
                actor="carl", on=date(2025, 6, 20),
            ),
            history.record(
                conn, cid, "promise", "Promised 500.00 by 2025-07-10", actor="carl",
                on=date(2025, 6, 20),
            ),
        ]  # fmt: skip
    return ids


@pytest.fixture
def worked(book: Book, tmp_path: Path) -> Worked:
    """The demo book after three weeks of daily runs whose messages were delivered (as
    .eml files and letter PDFs, kept in the history), then a call with a promise and a
    dispute on the worst account, all through the services."""
    demo.write_book(book, demo.make(40, 400, 11, AS_OF, currency=None))
    by_age(book)  # the worst account reaches its letter before action within the weeks
    key = casefile.worst_account(book, AS_OF)
    assert key is not None
    settings = Settings(
        outbox_dir=str(tmp_path / "outbox"),
        business_name="Acme Joinery Ltd",
        # every detail a message states: without them delivery waits for the set-up
        mail_from="accounts@acme-joinery.example",
        business_address="1 Mill Lane|Leeds LS1 4AP",
        business_phone="+44 113 496 0000",
        business_bank="IBAN GB33 BUKB 2020 1555 5555 55",
    )
    for back in range(20, -1, -1):
        day = AS_OF - timedelta(days=back)
        if day.weekday() < 5:
            daily_run.run(book, day)
            dispatch.dispatch(book, now=datetime.combine(day, time(16), UTC), settings=settings)
    made = calls.record_call(
        book, key, "promise", actor="carl", on=AS_OF,
        notes="The owner will pay 500.00 on the 10th",
        override_reason="the customer called us back",
    )  # fmt: skip
    promises.add_promise(book, key, "500.00", date(2025, 7, 10), actor="carl", on=AS_OF,
                         contact_id=made.id)  # fmt: skip
    oldest = next(
        i for i in accounts.account(book, key, AS_OF).invoices
        if i.kind == "invoice" and i.open.minor > 0
    )  # fmt: skip
    disputes.open_dispute(book, key, oldest.number, "quality", actor="carl", on=AS_OF,
                          text="Says the work was incomplete")  # fmt: skip
    ids = [e.id for e in history.entries(book, key)]
    return Worked(book, key, ids, tmp_path / "outbox")


def test_the_worst_account_is_the_largest_overdue(worked: Worked) -> None:
    top = reports.top_overdue(worked.book, AS_OF, 40)
    assert worked.key == top[0].customer
    assert all(top[0].overdue.minor >= t.overdue.minor for t in top)


def test_case_file_pdf_holds_invoices_contacts_and_totals(worked: Worked, tmp_path: Path) -> None:
    made = casefile.render(worked.book, worked.key, AS_OF, creditor="Acme Joinery Ltd")
    assert made.pdf.startswith(b"%PDF-")
    words = pdf_text(made.pdf, tmp_path)
    acct = accounts.account(worked.book, worked.key, AS_OF)
    c = acct.customer

    assert f"Case file: {c['name']}" in words
    assert "Creditor: Acme Joinery Ltd" in words
    # every invoice, with its amount
    assert acct.invoices
    for inv in acct.invoices:
        assert inv.number in words
        assert money_text(inv.amount) in words
    for p in acct.payments:
        assert money_text(p.amount) in words
    # the contact persons, and the chronology of contacts with the e-mail's copy
    for ct in acct.contacts:
        assert ct["name"] in words
        assert ct["email"] in words
        assert ct["phone"] in words
    kept = history.entries(worked.book, worked.key)
    sent = [e for e in kept if e.kind == "message_sent"]
    assert sent, "the daily runs sent this account messages"
    # every contact once: the messages delivered and the call, not the run's "queued"
    # entries of the same messages (those stay in the complete history's table)
    contacts = made.case.contacts
    assert {e.kind for e in contacts} <= {"message_sent", "call"}
    assert len(contacts) == len(sent) + 1  # the call of the fixture
    assert f"Contacts recorded {len(contacts)}" in words
    queued = [e for e in made.case.events if e.kind == "email" and '"action"' in e.data]
    assert queued
    assert not {e.id for e in queued} & {e.id for e in contacts}
    for e in kept:  # codes in an entry's text are shown in words
        if e.id not in {q.id for q in queued}:
            assert readable(e.text).split(":")[0] in words
        for a in e.attachments:
            assert a["name"] in words
    emails = [
        content
        for e in sent
        for name, media_type, content in history.entry_documents(worked.book, e.id)
        if media_type == "message/rfc822"
    ]
    assert emails
    for content in emails:  # each e-mail's copy is printed: its subject and its first line
        msg = BytesParser(policy=email_policy.default).parsebytes(content)
        # a subject longer than a header line is folded after "Subject:"; unfolded it
        # keeps the fold's space, which no reader sees
        assert "Subject: " + " ".join(str(msg["Subject"]).split()) in words
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None
        first = next(line for line in body.get_content().splitlines() if line.strip())
        assert " ".join(first.split()) in words
    assert "The owner will pay 500.00 on the 10th" in words
    assert "Promise to pay 500.00" in words
    # the promise and the dispute as the case records them (sections 5 and 6)
    [p] = promises.list_promises(worked.book, worked.key)
    assert (
        f"promise to pay {AS_OF} {money_text(p.amount)} 2025-07-10 open {money_text(p.paid)} "
        "grace 3 days"
    ) in words
    [d] = disputes.list_disputes(worked.book, worked.key)
    # the reason code "quality" in words (wrapped in its narrow column)
    section = words.split("6. Disputes and holds", 1)[1].split("In the history", 1)[0]
    assert f"{d.invoice} {money_text(d.amount)} faulty, {AS_OF} open" in section
    assert "not as agreed" in section
    assert "quality" not in section
    assert "Says the work was incomplete" in words

    # the totals, worked out here from the account and the interest service
    for balance in acct.balances:
        cur = balance.currency
        overdue = [
            i for i in acct.invoices
            if i.kind == "invoice" and i.amount.currency == cur and i.open.minor > 0
            and i.days_past_due > 0
        ]  # fmt: skip
        principal = sum((i.open for i in overdue), Money.zero(cur))
        assert money_text(balance) in words
        assert money_text(principal) in words
        law = str(c["country"])
        owed_interest, owed_comp = Money.zero(cur), Money.zero(cur)
        if law in interest.jurisdictions():
            for i in overdue:
                r = interest.statutory_interest(law, i.open.amount, i.due_date, AS_OF, currency=cur)
                owed_interest += r.interest
                owed_comp += r.compensation
                assert f"{i.number} {money_text(i.open)}" in words
        claim = principal + owed_interest + owed_comp
        assert f"Statutory interest to the as-of day {money_text(owed_interest)}" in words
        assert f"Fixed compensation {money_text(owed_comp)}" in words
        assert f"Claim {money_text(claim)}" in words

    # the chain holds, and the file says so
    checked = history.verify(worked.book).checked
    assert f"The history's hash chain holds: {checked} entries" in words


def test_zip_holds_the_originals(worked: Worked) -> None:
    made = casefile.render(worked.book, worked.key, AS_OF)
    kept = history.entries(worked.book, worked.key)
    with zipfile.ZipFile(io.BytesIO(made.zip)) as zf:
        names = set(zf.namelist())
        assert zf.read("casefile.pdf") == made.pdf
        # every attached document, byte for byte (the .eml copies and the letters)
        originals = {
            (e.id, name): content
            for e in kept
            if e.attachments
            for name, _media, content in history.entry_documents(worked.book, e.id)
        }
        assert any(name.endswith(".eml") for _id, name in originals)
        assert any(name.endswith(".pdf") for _id, name in originals)
        docs = sorted(n for n in names if n.startswith("documents/"))
        assert len(docs) == len(originals)
        for (entry_id, name), content in originals.items():
            [inside] = [n for n in docs if n.startswith(f"documents/{entry_id:06d}-")
                        and n.endswith(name[-4:])]  # fmt: skip
            assert zf.read(inside) == content
        invoices = list(csv.DictReader(io.StringIO(zf.read("invoices.csv").decode())))
        acct = accounts.account(worked.book, worked.key, AS_OF)
        assert [r["number"] for r in invoices] == [i.number for i in acct.invoices]
        assert [r["open"] for r in invoices] == [i.open.to_json() for i in acct.invoices]
        payments = list(csv.DictReader(io.StringIO(zf.read("payments.csv").decode())))
        assert len(payments) == len(acct.payments)
        story = json.loads(zf.read("history.json"))
        assert [e["id"] for e in story["entries"]] == [e.id for e in kept] == worked.entries
        assert [e["hash"] for e in story["entries"]] == [e.hash for e in kept]
        assert [a["sha256"] for e in story["entries"] for a in e["attachments"]] == [
            a["sha256"] for e in kept for a in e.attachments
        ]
        assert story["chain"]["ok"] is True
        manifest = zf.read("MANIFEST.txt").decode()
        for name in names - {"MANIFEST.txt"}:
            assert f"{hashlib.sha256(zf.read(name)).hexdigest()}" in manifest
            assert name in manifest


def test_a_tampered_history_shows_in_the_case_file(worked: Worked, tmp_path: Path) -> None:
    with worked.book.write() as conn:
        conn.execute(
            text("UPDATE history SET text = :t WHERE id = :i"),
            {"t": "Never spoke to anyone", "i": worked.entries[1]},
        )
    made = casefile.render(worked.book, worked.key, AS_OF)
    assert not made.case.chain.ok
    words = pdf_text(made.pdf, tmp_path)
    assert "The history's hash chain is BROKEN" in words
    assert f"entry {worked.entries[1]}" in words


def small_claims_rows() -> dict[str, dict[str, str]]:
    with SMALL_CLAIMS_CSV.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


def test_small_claims_verdict_follows_the_state_limit(sqlite_book: Book, tmp_path: Path) -> None:
    gen = demo.make(60, 600, 5, AS_OF, currency=None)
    demo.write_book(sqlite_book, gen)
    limits = small_claims_rows()
    checked = 0
    for cust in gen.customers:
        if cust.country not in ("US", "GB"):
            continue
        case = casefile.build(sqlite_book, cust.key, AS_OF)
        if not case.totals or not case.totals[0].overdue:
            continue
        sc = case.small_claims[0]
        if cust.country == "US":
            state = cust.contact[3].splitlines()[-2].split(",")[1].split()[0]  # "Austin, TX 73301"
            row = limits[f"US-{state}"]
        else:
            row = limits["GB"]
        limit = Money.of(row["limit"], row["currency"])
        claim = case.totals[0].claim
        assert sc.limit == limit
        assert sc.fits is (claim <= limit)
        words = pdf_text(casefile.render(sqlite_book, cust.key, AS_OF).pdf, tmp_path)
        verdict = "fits the" if sc.fits else "is above the"
        assert f"The claim of {money_text(claim)} {verdict} {row['court']} limit" in words
        assert money_text(limit) in words
        checked += 1
    assert checked >= 3


def test_cli_writes_the_pdf_and_the_zip(sqlite_book: Book, tmp_path: Path) -> None:
    demo.write_book(sqlite_book, demo.make(20, 200, 3, AS_OF, currency=None))
    key = casefile.worst_account(sqlite_book, AS_OF)
    assert key is not None
    record_contacts(sqlite_book, key)
    cur = accounts.account(sqlite_book, key, AS_OF).balances[0].currency
    with sqlite_book.write() as conn:  # a fee the collection plan charged, as the run writes it
        history.record(
            conn, history.customer_id_of(conn, key), "fee", "Late fee (stage firm)",
            actor="daily run", on=date(2025, 6, 23), data={"amount": "40.00", "currency": cur},
        )  # fmt: skip
    db = sqlite_book.url
    out, bundle = tmp_path / "case.pdf", tmp_path / "case.zip"
    result = CliRunner().invoke(
        app,
        ["--db", db, "casefile", key, "--out", str(out), "--zip", str(bundle),
         "--as-of", AS_OF.isoformat(), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["customer"] == key
    assert report["chain_ok"] is True
    assert report["contacts"] == 2
    assert report["documents"] == 1
    words = pdf_text(out.read_bytes(), tmp_path)
    for inv in accounts.account(sqlite_book, key, AS_OF).invoices:
        assert inv.number in words
    assert f"2025-06-23 fee Late fee (stage firm) {cur} 40.00" in words
    with zipfile.ZipFile(bundle) as zf:
        assert zf.read("casefile.pdf") == out.read_bytes()

    missing_one = CliRunner().invoke(
        app, ["--db", db, "casefile", "NO-SUCH", "--out", str(tmp_path / "x.pdf")]
    )
    assert missing_one.exit_code == 3
    assert not (tmp_path / "x.pdf").exists()
