"""The vectorised reader for large plain files gives the same book as the careful one."""

from __future__ import annotations

import tomllib
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


def _both_ways(
    tmp_path: Path, path: Path, monkeypatch: pytest.MonkeyPatch, options: Options | None = None
) -> tuple[importing.ImportReport, importing.ImportReport, list[bool]]:
    """The file imported into two new books: once with the fast path tried first, once
    the careful way only; and what the fast path said (True: it read the file)."""
    options = options or Options()
    calls: list[bool] = []
    original = importing.read_plain_invoices

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(importing, "read_plain_invoices", spy)
    monkeypatch.setattr(importing, "FAST_PATH_BYTES", 0)
    fast_book = Book.create(str(tmp_path / "fast.db"))
    fast = importing.import_file(fast_book, Kind.INVOICES, path, options)
    fast_book.close()
    monkeypatch.setattr(importing, "FAST_PATH_BYTES", 10**12)
    careful_book = Book.create(str(tmp_path / "careful.db"))
    careful = importing.import_file(careful_book, Kind.INVOICES, path, options)
    careful_book.close()
    return fast, careful, calls


DAMAGED_ROWS = [
    ("C1,N9,2026-01-01,2026-01-31,1,234.56,USD,,30", "an unquoted thousands separator"),
    ("C1,N9,2026-01-01,2026-01-31,5.00,USD,,30,", "a delimiter at the end"),
    ("C1,N9,2026-01-01,2026-01-31,5.00,USD", "a short row"),
    ('C1,"N9,2026-01-01,2026-01-31,5.00,USD,,30', "a quote never closed"),
    ('C1,"N9"x,2026-01-01,2026-01-31,5.00,USD,,30', "text after a closing quote"),
    ('C1,"N9\nN10",2026-01-01,2026-01-31,5.00,USD,,30', "a number over two lines"),
    ("C1,N\x009,2026-01-01,2026-01-31,5.00,USD,,30", "a NUL"),
    ("C1,N9,2026-01-01,2026-01-31,5.00,USD,\x1b[2J,30", "an escape in an unused cell"),
    ("C1,N9\x7f,2026-01-01,2026-01-31,5.00,USD,,30", "a DEL"),
]


@pytest.mark.parametrize(("row", "why"), DAMAGED_ROWS, ids=[w for _, w in DAMAGED_ROWS])
def test_the_fast_path_refuses_what_the_careful_reader_refuses(
    tmp_path: Path, invoices_csv: Path, row: str, why: str, monkeypatch: pytest.MonkeyPatch
):
    """A plain file with one damaged row: the fast path does not read it, and the import
    gives exactly the careful reader's problems."""
    with invoices_csv.open("a", encoding="utf-8") as fh:
        fh.write(row + "\n")
    fast, careful, calls = _both_ways(tmp_path, invoices_csv, monkeypatch)
    assert True not in calls, why
    assert careful.problems, why
    assert (fast.problems, fast.imported, fast.rows) == (
        careful.problems,
        careful.imported,
        careful.rows,
    )


def test_well_quoted_cells_take_the_fast_path(
    tmp_path: Path, invoices_csv: Path, monkeypatch: pytest.MonkeyPatch
):
    with invoices_csv.open("a", encoding="utf-8") as fh:
        fh.write('"C1","N9",2026-01-01,2026-01-31,"5.00",USD,,30\n')
        fh.write('C1,"N""10",2026-01-01,2026-01-31,5.00,USD,,30\n')
    fast, careful, calls = _both_ways(tmp_path, invoices_csv, monkeypatch)
    assert calls == [True]
    assert careful.ok, careful.problems
    assert (fast.problems, fast.imported) == (careful.problems, careful.imported)
    dumps = []
    for name in ("fast.db", "careful.db"):
        opened = Book.open(str(tmp_path / name))
        dumps.append(dump(opened))
        opened.close()
    assert dumps[0] == dumps[1]
    assert any('N"10' in row for row in dumps[0]["invoices"])


DAMAGED = Path(__file__).parent / "data" / "damaged"
EXPECTED = tomllib.loads((DAMAGED / "expected.toml").read_text("utf-8"))
INVOICE_CORPUS = sorted(
    name for name, e in EXPECTED.items() if e["kind"] == "invoices" and name.endswith(".csv")
)


@pytest.mark.parametrize("name", INVOICE_CORPUS)
def test_the_damaged_invoice_files_give_the_same_problems_both_ways(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
):
    entry, path = EXPECTED[name], DAMAGED / name
    options = Options(**entry.get("options", {}))
    fast, careful, calls = _both_ways(tmp_path, path, monkeypatch, options)
    assert True not in calls
    assert [str(p) for p in fast.problems] == [
        p.replace("{file}", str(path)) for p in entry["problems"]
    ]
    assert fast.problems == careful.problems
