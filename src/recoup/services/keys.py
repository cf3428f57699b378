"""Secret keys kept outside the book, one file per key, readable by its owner only.

A key inside the book would be known to anyone who can read the book file or a backup
of it. So each key lives in a file of its own (`key_path(book, name)`):

- beside a SQLite book: `<book file>.<name>.key`, e.g. `recoup.db.session.key`;
- for any other book (PostgreSQL), in the user's configuration folder
  (`$XDG_CONFIG_HOME/recoup/keys/`, else `~/.config/recoup/keys/`) as
  `<database>.<name>.key`, where `<database>` names the server, the database and a
  digest of the whole URL (its password left out), so that two books never share a key;
- wherever `folder` says instead (the setting `RECOUP_KEY_DIR`): `<folder>/<book>.<name>.key`.

`load_or_create(book, name, size)` reads the key, or makes `size` random bytes the first
time: written to a temporary file created with mode 0600 and linked into place, so that
two processes starting at once end up with the same key and no one ever reads half a
key. A key file that others may read (group or world permission bits) is refused with
`KeyFileError`, as is one of the wrong size. The web sessions' key is `"session"`
(unless `RECOUP_SECRET_KEY` gives one); the log anchor's signing key uses the same
functions under its own name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
from pathlib import Path

from recoup.services.book import Book

SESSION = "session"
"""The name of the key that signs web session cookies."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class KeyFileError(RuntimeError):
    """A key file that cannot be used as it is (readable by others, wrong size)."""


def config_folder() -> Path:
    """The user's folder for keys of books that are not files."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "recoup" / "keys"


def _book_label(book: Book) -> tuple[Path | None, str]:
    """(the SQLite file, or None; a file-name-safe label of the book)."""
    url = book.engine.url
    if book.is_sqlite and url.database and url.database != ":memory:":
        path = Path(url.database).resolve()
        return path, path.name
    plain = url.set(password=None).render_as_string(hide_password=False)
    digest = hashlib.sha256(plain.encode()).hexdigest()[:12]
    parts = [url.get_backend_name(), url.host or "local", str(url.port or ""), url.database or ""]
    label = _UNSAFE.sub("_", "-".join(p for p in parts if p))
    return None, f"{label}-{digest}"


def key_path(book: Book, name: str, folder: str | Path | None = None) -> Path:
    """Where the key `name` (lower-case letters, digits, dashes) of `book` is kept."""
    if not _NAME.match(name):
        raise ValueError(f"a key name is lower-case letters, digits and dashes, not {name!r}")
    file, label = _book_label(book)
    if folder is not None:
        return Path(folder).expanduser() / f"{label}.{name}.key"
    if file is not None:
        return file.with_name(f"{file.name}.{name}.key")
    return config_folder() / f"{label}.{name}.key"


def load_or_create(book: Book, name: str, size: int, folder: str | Path | None = None) -> bytes:
    """The key `name` of `book`: `size` bytes, made at random the first time."""
    path = key_path(book, name, folder)
    try:
        return _read(path, size)
    except FileNotFoundError:
        pass
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(size))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: keep theirs
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return _read(path, size)


def _read(path: Path, size: int) -> bytes:
    with path.open("rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                f"{path} may be read by others (mode {stat.filemode(mode)}); "
                f"make it the owner's alone: chmod 600 {path}"
            )
        data = f.read()
    if len(data) != size:
        raise KeyFileError(f"{path} holds {len(data)} bytes, not the {size} of a key")
    return data


def session_secret(book: Book, configured: str | None, folder: str | Path | None = None) -> str:
    """The key that signs session cookies: `configured` (RECOUP_SECRET_KEY) when set,
    else the book's `session` key file."""
    if configured:
        return configured
    return load_or_create(book, SESSION, 32, folder).hex()
