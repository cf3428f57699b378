"""Password hashing (argon2id) whose cost cannot be turned against the server.

Each argon2 hash or check takes about 64 MiB of memory for a moment (argon2-cffi's
defaults, RFC 9106's second recommendation). Unbounded, N logins at once take N times
that: eight wrong passwords sent together once took a web server from 205 to 712 MB.
So every hash and check passes through one gate per process (`GATE`): at most
`SLOTS` (2) run at once, at most `MAX_WAITING` (16) more wait for a slot, each for
at most `WAIT_SECONDS`; anyone beyond that is turned away at once with
`PasswordsBusyError` (the web UI answers 503 and asks to try again) instead of taking a
worker thread or memory. The peak is thus about 2 × 64 MiB over the process's own
size, however many logins arrive (tests/test_web_sessions_memory.py measures it).

The gate blocks the calling thread: web routes that call this are plain `def`
functions, which FastAPI runs in its thread pool, never on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SLOTS = 2
MAX_WAITING = 16
WAIT_SECONDS = 30.0

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to check unknown names against (made once, on first use)."""
    return hash_password("a password no user has: the same work for unknown names")


class PasswordsBusyError(RuntimeError):
    """Too many password checks at once; try again in a moment."""

    def __init__(self) -> None:
        super().__init__("The server is busy checking other logins. Try again in a moment.")


class HashGate:
    """At most `slots` holders at once, at most `max_waiting` waiting (each at most
    `wait_seconds`); beyond that `PasswordsBusyError` at once."""

    def __init__(self, slots: int, max_waiting: int, wait_seconds: float) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0
        self.max_waiting = max_waiting
        self.wait_seconds = wait_seconds

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.max_waiting:
                    raise PasswordsBusyError
                self._waiting += 1
            try:
                acquired = self._slots.acquire(timeout=self.wait_seconds)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not acquired:
                raise PasswordsBusyError
        try:
            yield
        finally:
            self._slots.release()


GATE = HashGate(SLOTS, MAX_WAITING, WAIT_SECONDS)


def hash_password(password: str) -> str:
    with GATE.held():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash`. None (an unknown user) costs the same
    work as a real check, so timing does not tell which names exist."""
    against = password_hash or _dummy_hash()
    with GATE.held():
        try:
            return _hasher.verify(against, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False
