"""Problems found in an input: data, not exceptions."""

from __future__ import annotations

from recoup.domain.problems import Problem

__all__ = ["InputError", "Problem"]


class InputError(Exception):
    """An input that cannot be read at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
