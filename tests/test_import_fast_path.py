"""The vectorised reader for large plain files gives the same book as the careful one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from recoup.services import demo, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options


def dump(book: Book) -> dict[str, list[tuple]]:
    with book.read() as conn:
        return {
            t: sorted(tuple(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {t}")))
            for t in ("customers", "invoices")
        }


@pytest.fixture
def invoices_csv(tmp_path: Path) -> Path:
    gen = demo.make(500, 4000, 5, date(2026, 11, 22), currency=None)
    demo.write_csv(gen, tmp_path / "gen")
    return tmp_path / "gen" / "invoices.csv"


def test_fast_and_careful_paths_agree(
    book: Book, tmp_path: Path, invoices_csv: Path, monkeypatch: pytest.MonkeyPatch
):
    careful = Book.create(str(tmp_path / "careful.db"))
    monkeypatch.setattr(importing, "FAST_PATH_BYTES", 10**12)
    slow = importing.import_file(careful, Kind.INVOICES, invoices_csv, Options())
    calls = []
    original = importing.read_plain_invoices

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(importing, "FAST_PATH_BYTES", 0)
    monkeypatch.setattr(importing, "read_plain_invoices", spy)
    fast = importing.import_file(book, Kind.INVOICES, invoices_csv, Options())
    assert calls == [True]
    assert (fast.imported, fast.customers_created, fast.problems) == (
        slow.imported,
        slow.customers_created,
        slow.problems,
    )
    assert dump(book) == dump(careful)
    careful.close()


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("C1,N9,2026-01-01,2026-01-31,-5.00,USD,,30", "a credit note"),
        ('C1,N9,2026-01-01,2026-01-31,"1,5",USD,,30', "a decimal comma"),
        ("C1,N9,31.01.2026,2026-02-01,5.00,USD,,30", "another date format"),
        ("C1,INV-100000,2026-01-01,2026-01-31,5.00,USD,,30", "a repeated number"),
        (" C1,N9,2026-01-01,2026-01-31,5.00,USD,,30", "padding"),
        ("C1,N9,2026-01-01,2026-01-31,5.00,XYZ,,30", "an unknown currency"),
    ],
)
def test_anything_unusual_goes_the_careful_way(
    sqlite_book: Book, invoices_csv: Path, row, why, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(importing, "FAST_PATH_BYTES", 0)
    with invoices_csv.open("a", encoding="utf-8") as fh:
        fh.write(row + "\n")
    calls = []
    original = importing.read_plain_invoices
    monkeypatch.setattr(
        importing, "read_plain_invoices", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    report = importing.import_file(sqlite_book, Kind.INVOICES, invoices_csv, Options())
    assert calls == [1], why
    if why in ("a credit note", "padding"):
        assert report.ok, report.problems
    else:
        assert not report.ok, why
