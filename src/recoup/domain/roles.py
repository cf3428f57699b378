"""The roles of the people who use Recoup, lowest first: a viewer reads, a collector
works cases, an owner also runs the book (users, the plan, templates)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    COLLECTOR = "collector"
    VIEWER = "viewer"
