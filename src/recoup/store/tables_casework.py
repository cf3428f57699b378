"""Working a case (issue 4): calls, promises, payment plans, settlements, disputes,
placements with agencies, write-offs. Every change here comes with a migration."""

from __future__ import annotations

from recoup.store.tables import metadata  # noqa: F401 - tables below register on it
