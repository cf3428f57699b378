"""The account's history: entries chain per customer, read back oldest first, verify."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.domain.history import GENESIS, ChainChecker, EntryFields, StoredEntry, chain
from recoup.services import history
from recoup.services.book import Book
from recoup.services.history import NewDocument
from recoup.store import ledger_repo


def _customers(book: Book, *keys: str) -> dict[str, int]:
    with book.write() as conn:
        ledger_repo.insert_customers(
            conn, [(k, f"Customer {k}", "GB", "en", "UTC", "") for k in keys]
        )
        return {k: v for k, v in ledger_repo.customer_ids(conn).items() if k in keys}


def test_entries_chain_per_customer_and_read_back(book: Book) -> None:
    ids = _customers(book, "A", "B")
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    with book.write() as conn:
        history.record(conn, ids["A"], "note", "first", actor="anna", on=date(2026, 11, 23), at=at)
        history.record(conn, ids["B"], "call", "no answer", actor="ben", on=date(2026, 11, 23))
        history.record(
            conn,
            ids["A"],
            "letter",
            "final notice",
            actor="system",
            on=date(2026, 11, 24),
            data={"amount": "12.50", "invoices": ["I-1"]},
            documents=[NewDocument("letter.pdf", "application/pdf", b"%PDF-1.4 x")],
        )
    got = history.entries(book, "A")
    assert [e.text for e in got] == ["first", "final notice"]
    assert got[0].at == "2026-11-23T09:30:00.000000Z"
    assert got[1].attachments[0]["name"] == "letter.pdf"
    assert history.entry_documents(book, got[1].id) == [
        ("letter.pdf", "application/pdf", b"%PDF-1.4 x")
    ]
    assert history.entries(book, "A", kinds=["letter"])[0].kind == "letter"
    result = history.verify(book)
    assert result.ok
    assert result.checked == 3


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown history kind"):
        EntryFields(1, datetime.now(UTC), date(2026, 1, 1), "gossip", "anna", "x")


def test_log_cli_contract(tmp_path) -> None:
    db = tmp_path / "b.db"
    book = Book.create(str(db))
    ids = _customers(book, "C1")
    with book.write() as conn:
        for i in range(3):
            history.record(
                conn, ids["C1"], "note", f"note {i}", actor="anna", on=date(2026, 1, 1 + i)
            )
    book.close()
    runner = CliRunner()
    res = runner.invoke(app, ["--db", str(db), "log", "C1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [d["text"] for d in data] == ["note 0", "note 1", "note 2"]
    assert set(data[0]) >= {"id", "at", "kind", "actor", "text", "hash"}
    res = runner.invoke(app, ["--db", str(db), "log", "verify", "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["ok"] is True
    res = runner.invoke(app, ["--db", str(db), "log", "NOPE"])
    assert res.exit_code == 3


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.tuples(st.integers(1, 3), st.text(max_size=20)), min_size=1, max_size=12),
    victim=st.integers(0, 100),
    how=st.sampled_from(["text", "drop", "swap"]),
)
def test_any_change_breaks_the_chain_at_that_entry(texts, victim, how) -> None:
    """Pure check: change one entry's text, drop one, or swap two neighbours of the same
    customer; the checker names that entry (or the one after a dropped one)."""
    heads: dict[int, tuple[int, str]] = {}
    rows: list[StoredEntry] = []
    for n, (cust, text) in enumerate(texts, start=1):
        seq, prev = heads.get(cust, (0, GENESIS))
        f = EntryFields(cust, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "note", "a", text)
        at, on, data, digest = chain(f, seq + 1, prev)
        rows.append(
            StoredEntry(n, cust, seq + 1, at, on, "note", "a", text, data, (), prev, digest)
        )
        heads[cust] = (seq + 1, digest)
    clean = ChainChecker()
    for r in rows:
        assert clean.feed(r) is None
    assert clean.finish(heads) is None

    i = victim % len(rows)
    tampered = list(rows)
    if how == "text":
        r = rows[i]
        tampered[i] = StoredEntry(r.id, r.customer_id, r.seq, r.at, r.on, r.kind, r.actor,
                                  r.text + "!", r.data, (), r.prev_hash, r.hash)  # fmt: skip
        expected = r.id
    elif how == "drop":
        del tampered[i]
        later = [r for r in rows[i + 1 :] if r.customer_id == rows[i].customer_id]
        expected = later[0].id if later else None
    else:
        same = [j for j in range(i + 1, len(rows)) if rows[j].customer_id == rows[i].customer_id]
        if not same:
            return
        j = same[0]
        tampered[i], tampered[j] = tampered[j], tampered[i]
        expected = rows[j].id  # now first in order, out of its place
    checker = ChainChecker()
    found = None
    for r in tampered:
        found = checker.feed(r)
        if found:
            break
    found = checker.finish(heads)
    assert found is not None
    assert found.entry_id == expected


@settings(max_examples=100, deadline=None)
@given(
    items=st.lists(
        st.tuples(
            st.integers(1, 4),
            st.text(max_size=30),
            st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_uniform_path_hashes_exactly_as_the_general_one(items) -> None:
    """`chain_uniform` (an import's entry per customer) gives the rows `chain` gives."""
    from recoup.domain.history import chain_uniform, data_text

    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    on = date(2026, 11, 23)
    heads: dict[int, tuple[int, str]] = {}
    expected = []
    for cid, text, data in items:
        seq, prev = heads.get(cid, (0, GENESIS))
        f = EntryFields(cid, at, on, "import", "import", text, data)
        at_s, on_s, data_s, digest = chain(f, seq + 1, prev)
        expected.append((cid, seq + 1, at_s, on_s, "import", "import", text, data_s, prev, digest))
        heads[cid] = (seq + 1, digest)
    got = chain_uniform("import", "import", at, on, [(c, t, data_text(d)) for c, t, d in items], {})
    assert got == expected


@given(
    items=st.lists(
        st.tuples(
            st.integers(1, 4),
            st.sampled_from(["email", "letter", "fee", "stage", "interest", "escalate"]),
            st.text(max_size=30),
            st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=4), max_size=3),
        ),
        min_size=1,
        max_size=8,
    ),
    actor=st.sampled_from(["daily run", "anna", "ß-actor"]),
)
def test_the_same_time_path_hashes_exactly_as_the_general_one(items, actor) -> None:
    """`chain_same_time` (the daily run's entry per action, several kinds) gives the rows
    `chain` gives, also for a customer whose chain already has entries."""
    from recoup.domain.history import chain_same_time, data_text

    at = datetime(2026, 11, 23, 8, 0, 5, 123, tzinfo=UTC)
    on = date(2026, 11, 22)
    start = {2: (7, "a" * 64)}  # customer 2 already has seven entries
    heads = dict(start)
    expected = []
    for cid, kind, text, data in items:
        seq, prev = heads.get(cid, (0, GENESIS))
        f = EntryFields(cid, at, on, kind, actor, text, data)
        at_s, on_s, data_s, digest = chain(f, seq + 1, prev)
        expected.append((cid, seq + 1, at_s, on_s, kind, actor, text, data_s, prev, digest))
        heads[cid] = (seq + 1, digest)
    got = chain_same_time(
        actor, at, on, [(c, k, t, data_text(d)) for c, k, t, d in items], dict(start)
    )
    assert got == expected


def test_the_same_time_path_refuses_an_unknown_kind() -> None:
    from recoup.domain.history import chain_same_time

    with pytest.raises(ValueError, match="unknown history kind"):
        chain_same_time("x", datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1),
                        [(1, "gossip", "t", "{}")], {})  # fmt: skip
