"""The daily run's former module name, kept for the many tests and scripts that import
it: every name here is `recoup.services.run`'s (see its modules for what each holds)."""

from __future__ import annotations

from typing import Any

from recoup.services import run as _package
from recoup.services.run import __all__ as __all__


def __getattr__(name: str) -> Any:
    return getattr(_package, name)
