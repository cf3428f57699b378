"""Remembering answers about immutable objects by identity.

The daily run asks the same questions of the same policy for every account: its steps,
its final stages, its contact rules. `functools.lru_cache` would hash the whole
(nested, frozen) argument on every call, which costs more than some of the answers;
these callers pass the very same object each time, so its identity is the key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

A = TypeVar("A")
R = TypeVar("R")

KEEP = 4  # answers kept per function: a run uses one policy, tests a few


def by_identity(fn: Callable[[A], R]) -> Callable[[A], R]:
    """`fn(arg)` remembered for the last few `arg` objects (compared with `is`)."""
    known: list[tuple[A, R]] = []

    @wraps(fn)
    def remembered(arg: A) -> R:
        for seen, answer in known:
            if seen is arg:
                return answer
        answer = fn(arg)
        known[:] = [*known[-(KEEP - 1) :], (arg, answer)]
        return answer

    return remembered
