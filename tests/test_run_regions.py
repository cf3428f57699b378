"""The customer's region decides their public holidays everywhere contact is decided:
the daily run (both its one-by-one planning and its shared plans), `explain`, and the
check of a manual contact. 2 January 2026 is a bank holiday in Scotland, not in
England; 6 January (Epiphany) is one in Bavaria, not in Berlin."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from recoup.domain.casework.errors import CaseworkError
from recoup.services import daily_run, importing
from recoup.services.book import Book
from recoup.services.casework import calls
from recoup.services.importing import Kind, Options

SECOND_JANUARY = date(2026, 1, 2)  # a Friday
EPIPHANY = date(2026, 1, 6)  # a Tuesday

GB_CUSTOMERS = [
    ["E1", "Strand Ltd", "GB", "Europe/London", "e1@strand.example",
     "1 Strand|London WC2N 5DU", ""],
    ["S1", "Princes Ltd", "GB", "Europe/London", "s1@princes.example",
     "10 Princes Street\nEdinburgh EH2 2AN", ""],
]  # fmt: skip
DE_CUSTOMERS = [
    ["B1", "Isar GmbH", "DE", "Europe/Berlin", "b1@isar.example", "Marienplatz 1|80331 München",
     "BY"],
    ["B2", "Spree GmbH", "DE", "Europe/Berlin", "b2@spree.example",
     "Unter den Linden 1|10117 Berlin", ""],
]  # fmt: skip


def load(book: Book, tmp_path: Path, customers: list[list[str]], currency: str) -> None:
    out = io.StringIO()
    header = ["customer", "name", "country", "timezone", "email", "address", "region"]
    csv.writer(out, lineterminator="\n").writerows([header, *customers])
    (tmp_path / "c.csv").write_text(out.getvalue(), encoding="utf-8")
    invoices = "customer,number,issue_date,due_date,amount,currency\n" + "".join(
        f"{row[0]},INV-{row[0]},2025-11-01,2025-12-01,250.00,{currency}\n" for row in customers
    )
    (tmp_path / "i.csv").write_text(invoices, encoding="utf-8")
    for kind, name in ((Kind.CUSTOMERS, "c.csv"), (Kind.INVOICES, "i.csv")):
        report = importing.import_file(book, kind, tmp_path / name, Options())
        assert report.ok, report.problems


def regions(book: Book) -> dict[str, str]:
    with book.read() as conn:
        return dict(conn.execute(text("SELECT key, region FROM customers")).fetchall())


def contacted(report: daily_run.RunReport) -> set[str]:
    return {a["customer"] for a in report.actions if a["kind"] in ("email", "letter", "call")}


def waiting(report: daily_run.RunReport, key: str) -> list[str]:
    return [s["reason"] for s in report.skipped if s["customer"] == key]


def waits_until(reasons: list[str], day: str) -> bool:
    """One stage is due and waits for the next contact day, `day`."""
    return len(reasons) == 1 and reasons[0].endswith(
        f" is due but waits: next contact not before {day}"
    )


@pytest.mark.parametrize("full", [False, True])
def test_scotland_rests_on_the_second_of_january(book: Book, tmp_path: Path, full: bool) -> None:
    load(book, tmp_path, GB_CUSTOMERS, "GBP")
    assert regions(book) == {"E1": "ENG", "S1": "SCT"}  # from the postcodes
    report = daily_run.run(book, SECOND_JANUARY, full=full)
    assert contacted(report) == {"E1"}
    # the holiday, a Friday, moves it to Monday
    assert waits_until(waiting(report, "S1"), "2026-01-05")
    # the Scottish customer's turn comes on the next working day
    after = daily_run.run(book, date(2026, 1, 5))
    assert contacted(after) == {"S1"}


def test_explain_follows_the_regions_holidays(book: Book, tmp_path: Path) -> None:
    load(book, tmp_path, GB_CUSTOMERS, "GBP")
    scottish = daily_run.explain(book, "S1", SECOND_JANUARY).cases[0]
    assert scottish["would_do"] == []
    assert waits_until(scottish["waiting"], "2026-01-05")
    english = daily_run.explain(book, "E1", SECOND_JANUARY).cases[0]
    assert english["would_do"]


@pytest.mark.parametrize("full", [False, True])
def test_bavaria_rests_on_epiphany_and_berlin_does_not(
    book: Book, tmp_path: Path, full: bool
) -> None:
    load(book, tmp_path, DE_CUSTOMERS, "EUR")
    assert regions(book) == {"B1": "BY", "B2": "BE"}  # B2's from its address
    report = daily_run.run(book, EPIPHANY, full=full)
    assert contacted(report) == {"B2"}
    assert waits_until(waiting(report, "B1"), "2026-01-07")


def test_a_manual_contact_is_checked_against_the_regions_holidays(
    book: Book, tmp_path: Path
) -> None:
    load(book, tmp_path, GB_CUSTOMERS, "GBP")
    with pytest.raises(CaseworkError, match="public holiday in GB-SCT"):
        calls.record_call(book, "S1", "no_answer", actor="ann", on=SECOND_JANUARY)
    assert calls.record_call(book, "E1", "no_answer", actor="ann", on=SECOND_JANUARY)
    overridden = calls.record_call(
        book, "S1", "spoke", actor="ann", on=SECOND_JANUARY, override_reason="they rang us"
    )
    assert overridden.overridden == ("holiday",)
