"""Tampering with the history directly in the database: `recoup log verify` (the command
line, as a user runs it) fails and names the entry, on SQLite and PostgreSQL.

Each case changes the stored rows the way someone with database access could: edit a
field of an entry, delete an entry in the middle or at the end of a chain, swap two
entries' places, or change an attached document's bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services import history
from recoup.services.book import Book
from recoup.services.casework import calls, disputes, promises
from recoup.services.history import NewDocument
from tests.casework_data import invoices

runner = CliRunner()
MON = date(2026, 11, 2)


def verify(book: Book) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["--db", book.url, "log", "verify", "--json"])
    plain = runner.invoke(app, ["--db", book.url, "log", "verify"])
    assert plain.exit_code == result.exit_code
    return result.exit_code, json.loads(result.stdout), plain.stderr + plain.stdout


@pytest.fixture
def worked(book: Book, tmp_path: Path) -> tuple[Book, dict[str, list[int]]]:
    """Two customers with several entries each, one with an attached document."""
    invoices(
        book,
        tmp_path,
        [
            ("C1", "A1", date(2026, 6, 1), date(2026, 7, 1), "600.00", "EUR", "100.00"),
            ("C2", "B1", date(2026, 6, 1), date(2026, 7, 1), "250.00", "EUR", ""),
        ],
    )
    calls.record_call(book, "C1", "promise", actor="ann", on=MON, notes="will pay")
    promises.add_promise(book, "C1", "100.00", MON + timedelta(days=4), actor="ann", on=MON)
    calls.record_call(book, "C2", "dispute", actor="ann", on=MON)
    disputes.open_dispute(book, "C2", "B1", "quality", actor="ann", on=MON)
    with book.write() as conn:
        cid = history.customer_id_of(conn, "C1")
        history.record(
            conn,
            cid,
            "letter",
            "Letter sent by hand",
            actor="ann",
            on=MON,
            documents=[NewDocument("letter.pdf", "application/pdf", b"%PDF-1.4 a letter")],
        )
    calls.record_note(book, "C1", "the last entry", actor="ann", on=MON)
    ids = {c: [e.id for e in history.entries(book, c)] for c in ("C1", "C2")}
    # the import wrote one entry per customer, then the case work above (the promise and
    # the dispute each also queued a notice for the customer: an "email" entry)
    assert len(ids["C1"]) == 6
    assert len(ids["C2"]) == 4
    code, result, _ = verify(book)
    assert code == 0
    assert result["ok"]
    assert result["checked"] == 10
    return book, ids


def _swap(conn: Connection, a: int, b: int, column: str) -> None:
    va = conn.execute(text(f"SELECT {column} FROM history WHERE id = :i"), {"i": a}).scalar()
    vb = conn.execute(text(f"SELECT {column} FROM history WHERE id = :i"), {"i": b}).scalar()
    conn.execute(text(f"UPDATE history SET {column} = :v WHERE id = :i"), {"v": -1, "i": a})
    conn.execute(text(f"UPDATE history SET {column} = :v WHERE id = :i"), {"v": va, "i": b})
    conn.execute(text(f"UPDATE history SET {column} = :v WHERE id = :i"), {"v": vb, "i": a})


Tamper = Callable[[Connection, dict[str, list[int]]], None]
FIELDS = ("text", "kind", "actor", "day", "at", "data", "hash", "prev_hash")


def _change(field: str) -> Tamper:
    values = {
        "text": "'Nothing happened'",
        "kind": "'note'",
        "actor": "'mallory'",
        "day": "'2026-01-01'",
        "at": "'2026-01-01T00:00:00.000000Z'",
        "data": "'{}'",
        "hash": "'" + "f" * 64 + "'",
        "prev_hash": "'" + "e" * 64 + "'",
    }

    def tamper(conn: Connection, ids: dict[str, list[int]]) -> None:
        conn.execute(
            text(f"UPDATE history SET {field} = {values[field]} WHERE id = :i"), {"i": ids["C1"][1]}
        )

    return tamper


@pytest.mark.parametrize("field", FIELDS)
def test_changing_any_field_names_the_entry(worked, field: str):
    book, ids = worked
    with book.write() as conn:
        _change(field)(conn, ids)
    code, result, words = verify(book)
    assert code == 1
    assert result["ok"] is False
    assert result["first_bad"]["id"] == ids["C1"][1]
    assert f"entry {ids['C1'][1]}" in words


def test_deleting_a_middle_entry_names_where_the_chain_breaks(worked):
    book, ids = worked
    with book.write() as conn:
        conn.execute(text("DELETE FROM history WHERE id = :i"), {"i": ids["C1"][1]})
    code, result, words = verify(book)
    assert code == 1
    bad = result["first_bad"]
    assert bad["id"] == ids["C1"][2]
    assert bad["seq"] == 3
    assert "expected position 2" in bad["reason"]
    assert f"entry {ids['C1'][2]}" in words


def test_deleting_the_last_entry_is_caught_by_the_chain_head(worked):
    book, ids = worked
    with book.write() as conn:
        conn.execute(
            text("DELETE FROM history_attachments WHERE entry_id = :i"), {"i": ids["C1"][-1]}
        )
        conn.execute(text("DELETE FROM history WHERE id = :i"), {"i": ids["C1"][-1]})
    code, result, words = verify(book)
    assert code == 1
    bad = result["first_bad"]
    last = len(ids["C1"])
    assert (bad["id"], bad["seq"]) == (None, last)
    assert f"position {last}" in bad["reason"]
    assert "removed" in bad["reason"]
    assert f"position {last}" in words


def test_deleting_the_last_entry_and_its_head_still_fails(worked):
    """Removing the last entry and rewriting the head to the one before is not enough
    when the head is not recomputed consistently: the chain end no longer matches."""
    book, ids = worked
    with book.write() as conn:
        cid = conn.execute(
            text("SELECT customer_id FROM history WHERE id = :i"), {"i": ids["C2"][-1]}
        ).scalar()
        conn.execute(text("DELETE FROM history WHERE id = :i"), {"i": ids["C2"][-1]})
        conn.execute(text("UPDATE history_heads SET seq = 1 WHERE customer_id = :c"), {"c": cid})
    code, result, _ = verify(book)
    assert code == 1
    assert result["first_bad"]["customer_id"] == cid


def test_swapping_two_entries_positions_names_the_first(worked):
    book, ids = worked
    with book.write() as conn:
        _swap(conn, ids["C1"][1], ids["C1"][2], "seq")
    code, result, words = verify(book)
    assert code == 1
    assert result["first_bad"]["id"] == ids["C1"][1]
    assert f"entry {ids['C1'][1]}" in words


def test_moving_whole_rows_to_other_ids_is_caught(worked):
    """Swap everything but the id between two entries of one chain: the rows now come
    in another order."""
    book, ids = worked
    a, b = ids["C1"][0], ids["C1"][1]
    with book.write() as conn:
        for column in ("seq",):
            _swap(conn, a, b, column)
        for column in ("at", "day", "kind", "actor", "text", "data", "prev_hash", "hash"):
            va = conn.execute(
                text(f"SELECT {column} FROM history WHERE id = :i"), {"i": a}
            ).scalar()
            vb = conn.execute(
                text(f"SELECT {column} FROM history WHERE id = :i"), {"i": b}
            ).scalar()
            conn.execute(text(f"UPDATE history SET {column} = :v WHERE id = :i"), {"v": vb, "i": a})
            conn.execute(text(f"UPDATE history SET {column} = :v WHERE id = :i"), {"v": va, "i": b})
    code, result, _ = verify(book)
    assert code == 1
    assert result["first_bad"]["id"] == a
    assert (
        "out of order" in result["first_bad"]["reason"]
        or "position" in result["first_bad"]["reason"]
    )


def test_changing_an_attached_document_names_its_entry(worked):
    book, _ids = worked
    [letter] = [e.id for e in history.entries(book, "C1") if e.kind == "letter"]
    with book.write() as conn:
        doc = conn.execute(
            text("SELECT document_id FROM history_attachments WHERE entry_id = :i"), {"i": letter}
        ).scalar()
        conn.execute(
            text("UPDATE documents SET content = :c WHERE id = :d"),
            {"c": b"%PDF-1.4 another letter", "d": doc},
        )
    code, result, words = verify(book)
    assert code == 1
    assert result["first_bad"]["id"] == letter
    assert "letter.pdf" in result["first_bad"]["reason"]
    assert f"entry {letter}" in words


def test_tampering_with_the_other_customer_names_its_entry(worked):
    book, ids = worked
    with book.write() as conn:
        conn.execute(
            text("UPDATE history SET text = 'no dispute' WHERE id = :i"), {"i": ids["C2"][1]}
        )
    code, result, _ = verify(book)
    assert code == 1
    assert result["first_bad"]["id"] == ids["C2"][1]
