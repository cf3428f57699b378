"""Reading delivered messages back and holding their words to the account's history: every
stage message in the outbox folder (the .eml files, and the letters' PDFs read with
pdftotext) claims an earlier contact only when the history has a message delivered
earlier in the same cycle, and the days it names are exactly those days."""

from __future__ import annotations

import email
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from sqlalchemy import text

from recoup.messages.context import Formatter
from recoup.messages.labels import LABELS, language_of
from recoup.messages.transport import file_name
from recoup.services.book import Book
from tests.conftest import missing
from tests.test_messages_first_contact import CLAIMS

SALUTATION = {"en": "Dear ", "de": "Guten Tag ", "fr": "Bonjour |Madame, Monsieur,"}


@dataclass(frozen=True)
class Sent:
    outbox: int
    message_id: str
    channel: str
    customer: int
    country: str
    language: str
    currency: str
    cycle: date
    stage: str
    day: date  # the delivery day the history recorded


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def sent_messages(book: Book) -> list[Sent]:
    """Every message delivered, with its day from the history's message_sent entry."""
    import json

    with book.read() as conn:
        days: dict[int, date] = {}
        for day, data in conn.execute(
            text("SELECT day, data FROM history WHERE kind = 'message_sent'")
        ):
            found = json.loads(data).get("outbox")
            if isinstance(found, int):
                days.setdefault(found, _day(day))
        rows = conn.execute(
            text(
                "SELECT o.id, o.message_id, o.channel, a.customer_id, c.country, c.language, "
                "a.currency, a.cycle_start, a.stage FROM outbox o "
                "JOIN actions a ON a.id = o.action_id JOIN customers c ON c.id = a.customer_id "
                "WHERE o.state = 'sent' ORDER BY o.id"
            )
        ).all()
    return [
        Sent(r[0], r[1], r[2], r[3], r[4] or "", language_of(r[5]), r[6], _day(r[7]), r[8],
             days[r[0]])
        for r in rows
    ]  # fmt: skip


def due_dates(book: Book) -> dict[tuple[int, str], set[date]]:
    with book.read() as conn:
        rows = conn.execute(
            text("SELECT customer_id, currency, due_date FROM invoices WHERE kind = 'invoice'")
        ).all()
    out: dict[tuple[int, str], set[date]] = {}
    for cid, currency, due in rows:
        out.setdefault((cid, currency), set()).add(_day(due))
    return out


def message_text(folder: Path, sent: Sent) -> str:
    """The words of a delivered message, as its reader gets them, on one line."""
    if sent.channel == "letter":
        if shutil.which("pdftotext") is None:
            missing("pdftotext (poppler-utils)")
        path = folder / "letters" / file_name(sent.message_id, ".pdf")
        words = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
    else:
        raw = (folder / file_name(sent.message_id, ".eml")).read_bytes()
        parsed = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(("plain",))
        assert body is not None
        words = body.get_content()
    return " ".join(words.split())


def opening(words: str, lang: str) -> str:
    """The first paragraph: after the salutation, up to the itemised table."""
    labels = LABELS[lang]
    greeting = re.search(SALUTATION[lang], words)
    assert greeting is not None, words[:300]
    head = re.search(rf"{re.escape(labels['invoice'])} {re.escape(labels['issued'])}", words)
    assert head is not None, words[:600]
    assert head.start() > greeting.end(), words[:600]
    return words[greeting.end() : head.start()]


def days_named(words: str, f: Formatter, first: date, last: date) -> set[date]:
    found = set()
    day = first
    while day <= last:
        if re.search(rf"(?<![\w.]){re.escape(f.day(day))}(?!\d)", words):
            found.add(day)
        day += timedelta(days=1)
    return found


def check(book: Book, folder: Path) -> Counter[str]:
    """Hold every delivered stage message to the history (see the module's docstring);
    what was checked, counted: messages by language, and those naming earlier ones."""
    sent = sent_messages(book)
    dues = due_dates(book)
    counted: Counter[str] = Counter()
    for message in sent:
        if message.stage.startswith("notice:"):
            continue  # a case-work notice answers the customer: no reminder words
        earlier = {
            s.day
            for s in sent
            if (s.customer, s.currency, s.cycle) == (message.customer, message.currency,
                                                     message.cycle)
            and s.day < message.day
        }  # fmt: skip
        lang = message.language
        words = message_text(folder, message)
        first = opening(words, lang)
        where = f"{message.channel} {message.stage} of customer {message.customer} ({lang})"
        f = Formatter(lang, message.country)
        dues_here = dues.get((message.customer, message.currency), set())
        start = min([*dues_here, message.cycle]) - timedelta(days=1)
        named = days_named(first, f, start, message.day) - dues_here
        assert named <= earlier, f"{where} names {named - earlier}, the history has {earlier}"
        if not earlier:
            claim = re.search(CLAIMS[lang], first, re.IGNORECASE)
            assert claim is None, f"{where} says {claim.group()!r}: {first}"
        elif message.stage != "reminder before due":
            assert earlier <= named | dues_here, f"{where} leaves out {earlier - named}: {first}"
            counted["with earlier"] += 1
        counted[lang] += 1
        counted[message.channel] += 1
    return counted
