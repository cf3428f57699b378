"""pyarrow is an extra (`pip install recoup[fast]`): without it the careful reader reads
every file, and the book comes out the same as with the fast reader."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

import recoup.imports
from recoup.services import demo, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options


def dump(book: Book) -> dict[str, list[tuple[str, ...]]]:
    with book.read() as conn:
        return {
            t: sorted(tuple(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {t}")))
            for t in ("customers", "invoices")
        }


def test_without_pyarrow_the_careful_reader_makes_the_same_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    gen = demo.make(200, 1500, 5, date(2026, 11, 22), currency=None)
    demo.write_csv(gen, tmp_path / "gen")
    invoices = tmp_path / "gen" / "invoices.csv"
    monkeypatch.setattr(importing, "FAST_PATH_BYTES", 0)  # every file may go the fast way

    from recoup.imports import fast_invoices

    fast_reads: list[bool] = []
    real = fast_invoices.read_plain_invoices

    def counted(*args, **kwargs):
        found = real(*args, **kwargs)
        fast_reads.append(found is not None)
        return found

    monkeypatch.setattr(fast_invoices, "read_plain_invoices", counted)
    with_pyarrow = Book.create(str(tmp_path / "fast.db"))
    fast = importing.import_file(with_pyarrow, Kind.INVOICES, invoices, Options())
    assert fast_reads == [True]  # the file is plain: pyarrow read it

    # as if pyarrow were not installed: importing it fails, and the fast reader with it
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.delitem(sys.modules, "recoup.imports.fast_invoices")
    monkeypatch.delattr(recoup.imports, "fast_invoices")
    without = Book.create(str(tmp_path / "careful.db"))
    careful = importing.import_file(without, Kind.INVOICES, invoices, Options())
    assert fast_reads == [True]  # not asked again
    assert "recoup.imports.fast_invoices" not in sys.modules  # it could not be imported

    assert careful.ok, careful.problems[:3]
    assert (careful.imported, careful.customers_created) == (fast.imported, fast.customers_created)
    assert careful.imported == len(gen.invoices)
    assert dump(without) == dump(with_pyarrow)
    with_pyarrow.close()
    without.close()
