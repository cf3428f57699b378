"""Taking over old debt, end to end: a book imported with two-year-old invoices gets a
friendly first contact on its first run and climbs the plan by its gaps; and over the
demo's four weeks, delivered day by day to the .eml folder, no message (email, or letter
read back from its PDF) in English, German or French claims an earlier contact that its
history lacks (`tests/history_words.py`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from recoup.policy import default_policy
from recoup.services import daily_run, demo, dispatch, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.settings import Settings
from tests import history_words

START = date(2026, 11, 2)  # a Monday
TODAY = date(2026, 11, 23)

CUSTOMERS = "\n".join(
    [
        "customer,name,country,language,timezone,contact,email,address,channel",
        "C-EN,Harbor Light Coffee Ltd,GB,en,Europe/London,Sam Ortega,sam@harbor.example,"
        "77 Pine Street|Leeds LS1 1AA,email",
        "C-US,Blue Oak Supply LLC,US,en,America/Chicago,Pat Reyes,pat@blueoak.example,"
        "12 Lake Street|Chicago IL 60601,email",
        "C-DE,Bäckerei Sonnenschein GmbH,DE,de,Europe/Berlin,Jana Köhler,jana@baeckerei.example,"
        "Lindenallee 7|50667 Köln,email",
        "C-FR,Atelier Marchand SARL,FR,fr,Europe/Paris,Élodie Marchand,elodie@atelier.example,"
        "8 Place Bellecour|69002 Lyon,email",
        "",
    ]
)
INVOICES = """customer,number,issue_date,due_date,amount,currency
C-EN,E-1,2024-09-01,2024-10-01,500.00,GBP
C-EN,E-2,2024-10-01,2024-10-31,120.00,GBP
C-US,U-1,2024-08-15,2024-09-14,900.00,USD
C-DE,D-1,2024-09-01,2024-10-01,1200.00,EUR
C-DE,D-2,2024-11-01,2024-12-01,80.50,EUR
C-FR,F-1,2024-10-10,2024-11-09,300.00,EUR
"""


def settings_for(folder: Path, templates: Path | None = None) -> Settings:
    return Settings(
        outbox_dir=str(folder),
        templates_dir=str(templates) if templates is not None else None,
        mail_from="accounts@lindqvist.example",
        business_name="Lindqvist Design Studio",
        business_address="Hafenstraße 12|20457 Hamburg|Germany",
        business_country="DE",
        business_phone="+49 40 1234 5678",
        business_email="accounts@lindqvist.example",
        business_bank="IBAN DE89 3704 0044 0532 0130 00",
        business_signature="Maja Lindqvist",
    )


def deliver(book: Book, settings: Settings, day: date) -> dispatch.DispatchResult:
    """The day's delivery at 17:00 UTC: within every demo customer's contact hours."""
    return dispatch.dispatch(book, now=datetime.combine(day, time(17), UTC), settings=settings)


def load(book: Book, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INVOICES, encoding="utf-8")
    assert importing.import_file(book, Kind.CUSTOMERS, tmp_path / "c.csv", Options()).ok
    assert importing.import_file(book, Kind.INVOICES, tmp_path / "i.csv", Options()).ok


def test_two_year_old_debt_gets_a_friendly_first_contact(book: Book, tmp_path: Path):
    load(book, tmp_path)
    folder = tmp_path / "outbox"
    settings = settings_for(folder)
    first = daily_run.run(book, START)
    contacts = [a for a in first.actions if a["kind"] in ("email", "letter", "call")]
    assert {a["customer"] for a in contacts} == {"C-EN", "C-US", "C-DE", "C-FR"}
    assert {(a["kind"], a["stage"], a["template"]) for a in contacts} == {
        ("email", "friendly overdue", "overdue-friendly")
    }
    assert deliver(book, settings, START).sent == 4
    counted = history_words.check(book, folder)
    assert counted["email"] == 4
    assert counted["with earlier"] == 0  # nobody was written to before
    # then the plan by its gaps, day by day: firm, the call, the final notice
    for n in range(1, 61):
        daily_run.run(book, START + timedelta(days=n))
        deliver(book, settings, START + timedelta(days=n))
    done: dict[str, dict[str, date]] = defaultdict(dict)
    for s in history_words.sent_messages(book):
        done[str(s.customer)].setdefault(s.stage, s.day)
    gaps = {s.name: s.trigger.days for s in default_policy().stages}
    for stages in done.values():
        assert list(stages) == ["friendly overdue", "firm overdue", "final notice"], stages
        firm = (stages["firm overdue"] - stages["friendly overdue"]).days
        final = (stages["final notice"] - stages["firm overdue"]).days
        assert firm >= gaps["firm overdue"] - gaps["friendly overdue"]
        assert final >= gaps["final notice"] - gaps["firm overdue"]
    counted = history_words.check(book, folder)
    assert counted["letter"] == 4  # the letters before action, read back from their PDFs
    assert counted["with earlier"] >= 4 * 3  # firm, final notice email and letter
    assert {"en", "de", "fr"} <= set(counted)


def test_the_demo_weeks_claim_no_contact_the_history_lacks(sqlite_book: Book, tmp_path: Path):
    book = sqlite_book
    demo.write_book(book, demo.make(120, 1200, 7, TODAY))
    demo.write_business(book)
    folder = tmp_path / "outbox"
    settings = settings_for(folder)
    played = demo.play(book, TODAY, deliver=lambda day: deliver(book, settings, day))
    # the book is new to the plan: its long-overdue accounts open gently
    assert played.opened_gently > 0
    assert set(played.first_contacts) <= {"reminder before due", "friendly overdue"}
    counted = history_words.check(book, folder)
    for lang in ("en", "de", "fr"):
        assert counted[lang] > 0, counted
    assert counted["with earlier"] > 0, counted


def test_the_check_finds_a_message_that_claims_too_much(sqlite_book: Book, tmp_path: Path):
    """The same first contact from a template of the templates folder that speaks of
    earlier reminders to someone never written to: the check says so."""
    book = sqlite_book
    load(book, tmp_path)
    folder = tmp_path / "outbox"
    templates = tmp_path / "templates" / "en"
    templates.mkdir(parents=True)
    source = (
        "Subject: {{ invoice_numbers }}: a reminder\n\nDear {{ contact.name }},\n\n"
        "Despite our earlier reminders, {{ invoice_numbers }} is unpaid.\n\n{{ table }}\n\n"
        "Please pay {{ total }} by {{ pay_by }} to {{ business.bank }}, quoting "
        "{{ reference }}, or call {{ business.phone }}.\n\n{{ business.signature }}\n"
        "{{ business.name }}\n"
    )
    (templates / "overdue-friendly.txt").write_text(source, encoding="utf-8")
    settings = settings_for(folder, tmp_path / "templates")
    daily_run.run(book, START)
    assert deliver(book, settings, START).sent == 4
    with pytest.raises(AssertionError, match="Despite"):
        history_words.check(book, folder)
