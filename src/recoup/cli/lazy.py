"""Services imported when a command first uses them, not when `recoup` starts.

`recoup --help` builds every command, so every CLI module is imported; if they imported
their services at the top, each start would pay for SQLAlchemy, reportlab, pyarrow,
Jinja2 ... whatever any command needs. A CLI module names its services instead as

    if TYPE_CHECKING:
        from recoup.services import reports
    else:
        reports = lazy("recoup.services.reports")

and `reports.aging(...)` imports `recoup.services.reports` on that first call (the
real import under TYPE_CHECKING keeps mypy's checks and the import contracts). Names a
command's signature needs (an enum of choices) come from light modules only.
`tests/test_startup.py` checks that the heavy libraries stay out of `recoup --help` and
out of the light commands.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """A module imported on first use of one of its names."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy(name: str) -> Any:
    """`name`, a module, imported when one of its names is first read."""
    return LazyModule(name)
