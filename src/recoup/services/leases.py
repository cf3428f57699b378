"""Leases on outbox messages (`recoup.services.dispatch`): who holds one, and whether
its holder is gone.

A delivery writes its name (`lease_owner`: `host:pid:token`) and a time by the wall
clock on the messages it claims; another delivery takes a message only when that time
has passed or, on this host, the process that holds it no longer runs (`gone`).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime

__all__ = ["gone", "lease_owner", "wall_clock"]


def wall_clock() -> datetime:
    """The real time, for leases only: a lease protects a message from another process
    running *now*, whatever moment (`--now`) the deliveries act at."""
    return datetime.now(UTC)


def lease_owner() -> str:
    """`host:pid:token`: unique per delivery, and on this host checkable for life."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def gone(owner: str) -> bool:
    """True when `owner` is a delivery of this host whose process no longer runs."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
