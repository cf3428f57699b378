"""Keys outside the book (issue 14): the session signing key comes from
RECOUP_SECRET_KEY or from a file readable by its owner only, beside a SQLite book or
in a key folder for PostgreSQL, never from the book; an old book's key is deleted
from it, and sessions signed with it stop working."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select

from recoup.services import keys, users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.store.engine import make_engine
from recoup.store.migrate import alembic_config
from recoup.store.tables import meta
from recoup.web.app import SESSION_COOKIE, create_app


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def meta_keys(book: Book) -> set[str]:
    with book.read() as conn:
        return set(conn.execute(select(meta.c.key)).scalars())


def test_a_sqlite_books_session_key_is_a_file_beside_it_for_its_owner_only(
    sqlite_book: Book, tmp_path: Path
) -> None:
    path = keys.key_path(sqlite_book, keys.SESSION)
    assert path == tmp_path / "book.db.session.key"
    assert not path.exists()
    create_app(Settings(), sqlite_book)
    assert mode(path) == 0o600
    assert len(path.read_bytes()) == 32
    assert "secret_key" not in meta_keys(sqlite_book)
    again = keys.load_or_create(sqlite_book, keys.SESSION, 32)
    assert again == path.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_environments_secret_key_makes_no_file(sqlite_book: Book, tmp_path: Path) -> None:
    create_app(Settings(secret_key="from-the-environment-" + "e" * 20), sqlite_book)
    assert not keys.key_path(sqlite_book, keys.SESSION).exists()
    assert keys.session_secret(sqlite_book, "given") == "given"


def test_a_key_folder_setting_holds_the_keys(sqlite_book: Book, tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    create_app(Settings(key_dir=str(folder)), sqlite_book)
    made = list(folder.iterdir())
    assert [p.name for p in made] == ["book.db.session.key"]
    assert mode(made[0]) == 0o600
    assert not keys.key_path(sqlite_book, keys.SESSION).exists()


def test_a_key_others_may_read_is_refused(sqlite_book: Book) -> None:
    key = keys.load_or_create(sqlite_book, "anchor", 32)
    path = keys.key_path(sqlite_book, "anchor")
    path.chmod(0o640)
    with pytest.raises(keys.KeyFileError, match="chmod 600"):
        keys.load_or_create(sqlite_book, "anchor", 32)
    path.chmod(0o600)
    assert keys.load_or_create(sqlite_book, "anchor", 32) == key


def test_a_key_of_the_wrong_size_is_refused(sqlite_book: Book) -> None:
    keys.load_or_create(sqlite_book, "short", 16)
    with pytest.raises(keys.KeyFileError, match="16 bytes"):
        keys.load_or_create(sqlite_book, "short", 32)


def test_key_names_are_plain(sqlite_book: Book) -> None:
    for bad in ("../escape", "Session", "", "a/b", "x" * 40):
        with pytest.raises(ValueError):
            keys.key_path(sqlite_book, bad)


def test_processes_starting_at_once_get_one_key(sqlite_book: Book) -> None:
    found: list[bytes] = []
    start = threading.Barrier(8)

    def one() -> None:
        start.wait()
        found.append(keys.load_or_create(sqlite_book, "race", 32))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8
    assert len(set(found)) == 1


@pytest.mark.pg
def test_a_postgresql_books_key_is_in_the_users_config_folder(
    pg_url: str, pg_book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = keys.key_path(pg_book, keys.SESSION)
    assert path.parent == tmp_path / "config" / "recoup" / "keys"
    assert path.name.startswith("postgresql-")
    assert path.name.endswith(".session.key")
    users.add_user(pg_book, "olivia", "olivia-owner-pw", Role.OWNER)
    with TestClient(create_app(Settings(), pg_book), follow_redirects=False) as client:
        token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        response = client.post(
            "/login",
            data={"username": "olivia", "password": "olivia-owner-pw", "csrf_token": token},
        )
        assert response.status_code == 303
        assert client.get("/").status_code == 200
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    # another book (another schema of the same database) has a key of its own
    url = f"{pg_url}?options=-csearch_path%3Dsomewhere_else"
    other = Book(make_engine(url), url)
    try:
        assert keys.key_path(other, keys.SESSION) != path
    finally:
        other.close()


def test_an_old_books_key_is_deleted_and_its_sessions_stop_working(tmp_path: Path) -> None:
    """A book made before 0015 kept the signing key in `meta`: upgrading deletes it (anyone
    who read the book knew it), the web UI makes a new one in a file, and a cookie signed
    with the old key (even one naming an owner) opens nothing."""
    file = tmp_path / "old.db"
    engine = make_engine(str(file))
    command.upgrade(alembic_config(engine), "0014")
    old_key = "the-old-key-kept-in-the-book-" + "o" * 20
    with engine.begin() as conn:
        conn.execute(meta.insert().values(key="secret_key", value=old_key))
    engine.dispose()
    forged = _cookie({"user": "olivia", "csrf": "t" * 43}, old_key)

    book = Book.open(str(file))
    try:
        assert "secret_key" not in meta_keys(book)
        users.add_user(book, "olivia", "olivia-owner-pw", Role.OWNER)
        with TestClient(create_app(Settings(), book), follow_redirects=False) as client:
            client.cookies.set(SESSION_COOKIE, forged)
            response = client.get("/")
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login")
        key_file = tmp_path / "old.db.session.key"
        assert mode(key_file) == 0o600
        assert key_file.read_bytes().hex() != old_key  # a new key: copies of the old are worthless
    finally:
        book.close()


def _cookie(data: dict[str, str], key: str) -> str:
    """A session cookie as Starlette's SessionMiddleware signs it."""
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(key).sign(payload).decode()


def test_the_umask_does_not_widen_the_key(sqlite_book: Book) -> None:
    old = os.umask(0)
    try:
        keys.load_or_create(sqlite_book, "umask", 32)
    finally:
        os.umask(old)
    assert mode(keys.key_path(sqlite_book, "umask")) == 0o600
