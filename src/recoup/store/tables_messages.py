"""Talking to debtors (issue 5): templates kept in the store, deliveries, copies.
Every change here comes with a migration."""

from __future__ import annotations

from recoup.store.tables import metadata  # noqa: F401 - tables below register on it
