"""Evidence that holds outside the book (issue 14): the book head and signed anchors,
tampered with as someone with write access to the database would, on SQLite and
PostgreSQL, through `recoup log verify` and `recoup log anchor` as a user runs them.

Each tamper is done twice: once by someone who stops at the customer's rows (the book
head, left alone, no longer adds up: caught without an anchor), and once by someone
who also recomputes the book head with Recoup's own arithmetic (nothing inside the book
can tell: only the anchor does). Every case is caught against the anchor, naming the
customer and the first bad entry or position.
"""

from __future__ import annotations

import email
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.policy import default as default_policy
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.domain.anchor import AnchorFile, read_file
from recoup.domain.history import GENESIS, book_head_of, compute_hash
from recoup.services import anchors, casefile, history
from recoup.services.book import Book
from recoup.services.casework import calls
from recoup.services.history import NewDocument
from recoup.store import history_repo
from tests.casework_data import invoices
from tests.test_casefile import pdf_text

runner = CliRunner()
MON = date(2026, 11, 2)
AS_OF = date(2026, 11, 6)


@dataclass
class Anchored:
    book: Book
    file: Path
    ids: dict[str, int]  # customer key -> customer id
    entries: dict[str, list[int]]  # customer key -> entry ids, oldest first


def cli(book: Book, *args: str) -> tuple[int, dict, str]:
    """`recoup log ...` with --json (its JSON) and without (its words, on one line)."""
    as_json = runner.invoke(app, ["--db", book.url, "log", *args, "--json"])
    plain = runner.invoke(app, ["--db", book.url, "log", *args])
    assert plain.exit_code == as_json.exit_code, plain.output
    words = " ".join((plain.stdout + plain.stderr).split())
    return as_json.exit_code, json.loads(as_json.stdout), words


@pytest.fixture
def anchored(book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Anchored:
    """Three customers with histories (C1 with an attached letter), anchored."""
    if not book.is_sqlite:  # no file to keep the key beside: the setting says where
        monkeypatch.setenv("RECOUP_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    invoices(
        book,
        data,
        [
            ("C1", "A1", date(2026, 6, 1), date(2026, 7, 1), "600.00", "EUR", ""),
            ("C2", "B1", date(2026, 6, 1), date(2026, 7, 1), "250.00", "EUR", ""),
            ("C3", "D1", date(2026, 6, 1), date(2026, 7, 1), "90.00", "EUR", ""),
        ],
    )
    for n in range(3):
        calls.record_note(book, "C1", f"note {n}", actor="ann", on=MON)
    calls.record_note(book, "C2", "a note", actor="ann", on=MON)
    calls.record_note(book, "C3", "a note", actor="ann", on=MON)
    with book.write() as conn:
        history.record(
            conn, history.customer_id_of(conn, "C1"), "letter", "Letter sent by hand",
            actor="ann", on=MON,
            documents=[NewDocument("letter.pdf", "application/pdf", b"%PDF-1.4 a letter")],
        )  # fmt: skip
        ids = {k: history.customer_id_of(conn, k) for k in ("C1", "C2", "C3")}
    entries = {k: [e.id for e in history.entries(book, k)] for k in ids}
    assert [len(entries[k]) for k in ("C1", "C2", "C3")] == [5, 2, 2]

    code, made, words = cli(book, "verify")
    assert code == 0
    assert made["ok"]
    assert made["checked"] == 9
    file = tmp_path / "anchor.json"
    result = runner.invoke(app, ["--db", book.url, "log", "anchor", "--out", str(file), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["customers"] == 3
    assert summary["entries"] == 9
    assert summary["file"] == str(file)
    assert summary["fingerprint"].startswith("SHA256:")
    assert read_file(file.read_bytes()).content.anchored() == {
        ids[k]: (len(entries[k]), history.entries(book, k)[-1].hash) for k in ids
    }
    code, checked, words = cli(book, "verify", "--anchor", str(file))
    assert code == 0, words
    assert checked["ok"]
    assert checked["anchor"]["customers"] == 3
    assert "The history holds against the anchor" in words
    return Anchored(book, file, ids, entries)


# --- what someone with the database does --------------------------------------------


def recompute_chain(conn: Connection, customer_id: int) -> None:
    """Every hash of a customer's chain made again from its first entry, and its head:
    Recoup's own arithmetic, as anyone who reads the code can run it."""
    prev, last = GENESIS, (0, GENESIS)
    for e in list(history_repo.entries(conn, customer_id)):
        digest = compute_hash(
            customer_id=e.customer_id, seq=e.seq, at=e.at, on=e.on, kind=e.kind,
            actor=e.actor, text=e.text, data=e.data, attachments=e.attachments, prev_hash=prev,
        )  # fmt: skip
        conn.execute(
            text("UPDATE history SET prev_hash = :p, hash = :h WHERE id = :i"),
            {"p": prev, "h": digest, "i": e.id},
        )
        prev, last = digest, (e.seq, digest)
    conn.execute(
        text("UPDATE history_heads SET seq = :s, hash = :h WHERE customer_id = :c"),
        {"s": last[0], "h": last[1], "c": customer_id},
    )


def recompute_book_head(conn: Connection) -> None:
    head = book_head_of(history_repo.heads(conn).values())
    conn.execute(
        text("UPDATE history_book SET customers = :c, entries = :e, digest = :d WHERE id = 1"),
        {"c": head.customers, "e": head.entries, "d": head.digest},
    )


def _delete_entries(conn: Connection, entry_ids: list[int]) -> None:
    for i in entry_ids:
        conn.execute(text("DELETE FROM history_attachments WHERE entry_id = :i"), {"i": i})
        conn.execute(text("DELETE FROM history WHERE id = :i"), {"i": i})


def remove_whole_history(conn: Connection, a: Anchored) -> None:
    """C3's whole history and its head row are deleted."""
    _delete_entries(conn, a.entries["C3"])
    conn.execute(text("DELETE FROM history_heads WHERE customer_id = :c"), {"c": a.ids["C3"]})


def remove_newest_entries(conn: Connection, a: Anchored) -> None:
    """C1's two newest entries are deleted and its head rewritten to the one before."""
    _delete_entries(conn, a.entries["C1"][-2:])
    seq, digest = conn.execute(
        text("SELECT seq, hash FROM history WHERE id = :i"), {"i": a.entries["C1"][-3]}
    ).one()
    conn.execute(
        text("UPDATE history_heads SET seq = :s, hash = :h WHERE customer_id = :c"),
        {"s": seq, "h": digest, "c": a.ids["C1"]},
    )


def edit_and_recompute(conn: Connection, a: Anchored) -> None:
    """C1's second entry says something else; its hash, the chain after it and the head
    are recomputed."""
    conn.execute(
        text("UPDATE history SET text = 'Paid in full, nothing owed' WHERE id = :i"),
        {"i": a.entries["C1"][1]},
    )
    recompute_chain(conn, a.ids["C1"])


TAMPERS: dict[str, tuple[Callable[[Connection, Anchored], None], str]] = {
    # tamper, what the book head says when it was left alone
    "whole history removed": (remove_whole_history, "a customer's whole history was removed"),
    "newest entries removed": (
        remove_newest_entries,
        "2 entries were removed from the end of a chain and its head rewritten",
    ),
    "entry edited and recomputed": (
        edit_and_recompute,
        "a chain was changed and its hashes and head recomputed",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERS))
def test_the_book_head_catches_what_leaves_it_alone(anchored: Anchored, case: str) -> None:
    tamper, why = TAMPERS[case]
    with anchored.book.write() as conn:
        tamper(conn, anchored)
    code, result, words = cli(anchored.book, "verify")
    assert code == 1
    bad = result["first_bad"]
    assert bad["customer_id"] is None  # the book head: no one customer can be named
    assert why in bad["reason"]
    assert "the book head: it records 3 customers' histories, 9 entries" in words
    assert why in words


@pytest.mark.parametrize("case", list(TAMPERS))
def test_nothing_inside_the_book_catches_a_recomputed_book_head(
    anchored: Anchored, case: str
) -> None:
    """The limit the docs state: whoever recomputes the book head too leaves a book that
    holds together. Only the anchor tells (the next test)."""
    tamper, _why = TAMPERS[case]
    with anchored.book.write() as conn:
        tamper(conn, anchored)
        recompute_book_head(conn)
    code, result, _ = cli(anchored.book, "verify")
    assert (code, result["ok"]) == (0, True)


@pytest.mark.parametrize("book_head_too", [False, True], ids=["head-left", "head-recomputed"])
@pytest.mark.parametrize("case", list(TAMPERS))
def test_the_anchor_catches_every_tamper_and_names_it(
    anchored: Anchored, case: str, book_head_too: bool
) -> None:
    tamper, _why = TAMPERS[case]
    with anchored.book.write() as conn:
        tamper(conn, anchored)
        if book_head_too:
            recompute_book_head(conn)
    code, result, words = cli(anchored.book, "verify", "--anchor", str(anchored.file))
    assert code == 1
    assert result["ok"] is False
    assert result["anchor"]["refused"] is None  # the anchor itself is sound
    bad = result["first_bad"]
    c1, c3 = anchored.ids["C1"], anchored.ids["C3"]
    if case == "whole history removed":
        assert (bad["customer_id"], bad["customer"], bad["id"], bad["seq"]) == (c3, "C3", None, 1)
        assert "the whole history (2 entries at the anchor of" in bad["reason"]
        assert f"customer C3 (#{c3}), position 1" in words
    elif case == "newest entries removed":
        assert (bad["customer_id"], bad["customer"], bad["id"], bad["seq"]) == (c1, "C1", None, 4)
        assert "entries 4 to 5, in the history at the anchor of" in bad["reason"]
        assert "the chain now ends at 3" in bad["reason"]
    else:
        # the anchored head (C1's fifth entry) no longer has the anchored hash; which
        # entry up to it was changed no hash can tell once the chain was recomputed
        assert (bad["customer_id"], bad["id"], bad["seq"]) == (c1, anchored.entries["C1"][-1], 5)
        assert "the anchor of" in bad["reason"]
        assert "changed and the chain recomputed" in bad["reason"]
        assert f"entry {anchored.entries['C1'][-1]} (customer C1 (#{c1}), position 5)" in words


def test_entries_after_the_anchor_are_welcome_and_checked(anchored: Anchored) -> None:
    book = anchored.book
    calls.record_note(book, "C2", "later", actor="ann", on=MON)
    calls.record_note(book, "C3", "later", actor="ann", on=MON)
    code, result, _ = cli(book, "verify", "--anchor", str(anchored.file))
    assert (code, result["ok"], result["checked"]) == (0, True, 11)
    # a later entry changed in place (not recomputed) is caught by its own chain
    later = history.entries(book, "C2")[-1].id
    assert later not in anchored.entries["C2"]
    with book.write() as conn:
        conn.execute(text("UPDATE history SET text = 'x' WHERE id = :i"), {"i": later})
    code, result, _ = cli(book, "verify", "--anchor", str(anchored.file))
    assert (code, result["first_bad"]["id"]) == (1, later)


# --- anchors that must be refused ---------------------------------------------------


def _edited(file: Path, old: str, new: str, tmp_path: Path) -> Path:
    data = file.read_text(encoding="utf-8")
    assert data.count(old) >= 1
    forged = tmp_path / "forged.json"
    forged.write_text(data.replace(old, new, 1), encoding="utf-8")
    return forged


def test_a_changed_digest_is_refused(anchored: Anchored, tmp_path: Path) -> None:
    """Someone removes C3 and edits the anchor to match: the signature no longer does."""
    anchor = read_file(anchored.file.read_bytes())
    c3 = next(h for h in anchor.content.heads if h.customer == "C3")
    forged_digest = f"{(int(c3.hash, 16) + 1) % (1 << 256):064x}"
    for old, new in (
        (c3.hash, forged_digest),  # a head's hash
        (anchor.content.book_head.digest, "0" * 64),  # the book head
        (f'"entries":{anchor.content.book_head.entries}', '"entries":7'),  # a count
    ):
        forged = _edited(anchored.file, old, new, tmp_path)
        code, result, words = cli(anchored.book, "verify", "--anchor", str(forged))
        assert code == 1
        assert "its signature does not match its content" in result["anchor"]["refused"]
        assert result["first_bad"] is None
        assert "the anchor is refused" in words


def _signed_by(key: Ed25519PrivateKey, content_of: AnchorFile) -> AnchorFile:
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    content = content_of.content
    return AnchorFile(content, public, anchors.fingerprint(public), key.sign(content.message()))


def test_an_anchor_signed_by_another_key_is_refused(anchored: Anchored, tmp_path: Path) -> None:
    """C3 removed, then a fresh anchor of the tampered book signed with a key of one's
    own (its public key and fingerprint in the file, all consistent): refused, because
    it is not this book's key, unless its fingerprint is named on purpose."""
    book = anchored.book
    with book.write() as conn:
        remove_whole_history(conn, anchored)
        recompute_book_head(conn)
    own = read_file(anchored.file.read_bytes())
    mallory = Ed25519PrivateKey.generate()
    # the tampered book's heads, as `log anchor` would list them
    with book.read() as conn:
        heads = history_repo.heads(conn)
        stored = history_repo.book_head(conn)
    assert stored is not None
    content = own.content.__class__(
        own.content.book_id, own.content.made_at, stored,
        tuple(h for h in own.content.heads if h.customer_id in heads),
    )  # fmt: skip
    forged = _signed_by(mallory, AnchorFile(content, b"", "", b""))
    path = tmp_path / "mallory.json"
    path.write_bytes(forged.to_bytes())
    code, result, words = cli(book, "verify", "--anchor", str(path))
    assert code == 1
    refused = result["anchor"]["refused"]
    assert f"it was signed by another key ({forged.fingerprint})" in refused
    assert f"not by this book's key ({own.fingerprint}" in refused
    assert "--fingerprint" in words
    # named on purpose, the other key is accepted (and the forged anchor matches the book)
    code, result, _ = cli(
        book, "verify", "--anchor", str(path), "--fingerprint", forged.fingerprint
    )
    assert (code, result["ok"]) == (0, True)
    # the stated fingerprint made to look like this book's key: refused too
    lying = _edited(path, forged.fingerprint, own.fingerprint, tmp_path)
    code, result, _ = cli(book, "verify", "--anchor", str(lying))
    assert code == 1
    assert (
        "the fingerprint it states is not that of the key it carries"
        in (result["anchor"]["refused"])
    )
    # and the book's own anchor still tells the truth
    code, result, _ = cli(book, "verify", "--anchor", str(anchored.file))
    assert (code, result["first_bad"]["customer"]) == (1, "C3")


def test_what_is_not_an_anchor_is_refused(anchored: Anchored, tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "something else"}', encoding="utf-8")
    code, result, _ = cli(anchored.book, "verify", "--anchor", str(junk))
    assert code == 1
    assert "it is not a valid anchor" in result["anchor"]["refused"]
    gone = runner.invoke(
        app, ["--db", anchored.book.url, "log", "verify", "--anchor", str(tmp_path / "no.json")]
    )
    assert gone.exit_code == 2
    misplaced = runner.invoke(app, ["--db", anchored.book.url, "log", "anchor", "--anchor", "x"])
    assert misplaced.exit_code == 2


def test_no_anchor_is_made_of_a_broken_history(anchored: Anchored, tmp_path: Path) -> None:
    with anchored.book.write() as conn:
        remove_newest_entries(conn, anchored)
    out = tmp_path / "second.json"
    result = runner.invoke(app, ["--db", anchored.book.url, "log", "anchor", "--out", str(out)])
    assert result.exit_code == 1
    assert "No anchor was made: the history does not hold" in " ".join(result.stderr.split())
    assert not out.exists()


# --- where the key is, where the anchor goes ----------------------------------------


def test_the_key_is_outside_the_book_and_the_owners_alone(anchored: Anchored) -> None:
    book = anchored.book
    if book.is_sqlite:
        assert book.engine.url.database is not None
        key = Path(book.engine.url.database).with_name(
            Path(book.engine.url.database).name + ".anchor.key"
        )
    else:
        [key] = list((Path(os.environ["RECOUP_KEY_DIR"])).glob("*.anchor.key"))
    assert key.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with book.read() as conn:  # the book keeps the signed file, never the key
        kept = conn.execute(text("SELECT content FROM history_anchors")).scalars().all()
    assert [bytes(k) for k in kept] == [anchored.file.read_bytes()]
    assert key.read_bytes() not in bytes(kept[0])


def test_the_anchor_goes_to_the_owner_by_email(anchored: Anchored, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("RECOUP_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("RECOUP_MAIL_FROM", "books@lindqvist.example")
    out = tmp_path / "mailed.json"
    result = runner.invoke(
        app,
        ["--db", anchored.book.url, "log", "anchor", "--out", str(out),
         "--email", "owner@lindqvist.example", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    assert str(eml) in summary["email"]
    msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert msg["To"] == "owner@lindqvist.example"
    assert msg["From"] == "books@lindqvist.example"
    [attached] = list(msg.iter_attachments())  # type: ignore[attr-defined]
    assert attached.get_content_type() == "application/json"
    assert attached.get_payload(decode=True) == out.read_bytes()
    body = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert summary["fingerprint"] in body


# --- the case file ------------------------------------------------------------------


def test_the_case_file_says_which_anchor_it_was_checked_against(
    anchored: Anchored, tmp_path: Path
) -> None:
    book = anchored.book
    made_at = read_file(anchored.file.read_bytes()).content.made_at
    seen = casefile.build(book, "C1", AS_OF).chain.anchor
    assert seen is not None
    assert (seen.made_at, seen.own_key, seen.entries, seen.holds) == (made_at, True, 5, True)
    with book.write() as conn:
        edit_and_recompute(conn, anchored)
        recompute_book_head(conn)
    case = casefile.build(book, "C1", AS_OF)
    assert case.chain.ok  # nothing inside the book can tell ...
    assert case.chain.anchor is not None
    assert case.chain.anchor.holds is False  # ... the anchor does
    assert "the anchor of" in case.chain.anchor.problem
    other = casefile.build(book, "C2", AS_OF).chain.anchor
    assert other is not None
    assert (other.holds, other.entries) == (True, 2)
    if book.is_sqlite:  # the words on paper (the PDF is the same on both databases)
        words = pdf_text(casefile.render(book, "C1", AS_OF).pdf, tmp_path)
        assert f"Checked against the signed anchor of {made_at}" in words
        assert "this account's history before it does NOT hold" in words
        assert seen is not None
        assert seen.fingerprint in words
