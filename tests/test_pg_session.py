"""A PostgreSQL book's sessions: the JIT compiler off (its compile time cost the
dashboard more than its statements ran, bench/RESULTS.md), set in the session so that
the deployment's own options — the URL's, `PGOPTIONS` — stay as they were."""

from __future__ import annotations

import pytest

from recoup.services.book import Book


@pytest.mark.pg
def test_a_book_reads_with_jit_off_and_the_urls_options_kept(pg_book: Book) -> None:
    with pg_book.read() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        assert str(conn.exec_driver_sql("SHOW search_path").scalar()).startswith("t_")
    with pg_book.write() as conn:  # a writing transaction too, and after it
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
    with pg_book.read() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"


@pytest.mark.pg
def test_pgoptions_of_the_deployment_are_kept(pg_url: str, pg_book: Book, monkeypatch) -> None:
    with pg_book.read() as conn:
        schema = str(conn.exec_driver_sql("SHOW search_path").scalar())
    monkeypatch.setenv("PGOPTIONS", f"-c work_mem=7MB -c search_path={schema}")
    book = Book.open(pg_url)  # the book's schema told by PGOPTIONS alone
    try:
        with book.read() as conn:
            assert conn.exec_driver_sql("SHOW work_mem").scalar() == "7MB"
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
    finally:
        book.close()
