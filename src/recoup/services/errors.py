"""Errors the services raise that callers catch by kind, in a module without imports,
so that a caller can name them before it needs a service (the CLI starts light)."""

from __future__ import annotations


class NotFoundError(LookupError):
    """No such customer (or other record)."""
