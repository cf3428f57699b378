"""The collection policy file: reading TOML with positions, the built-in default plan."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from recoup.domain.policy import Policy
from recoup.policy.reader import LoadedPolicy, PolicyProblem, load_policy, read_policy_file
from recoup.policy.writer import to_json, to_toml

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent / "default.toml"
DEFAULT_POLICY_FILE = "default.toml"  # how problems of the built-in policy name it

__all__ = [
    "DEFAULT_POLICY_FILE",
    "DEFAULT_POLICY_PATH",
    "LoadedPolicy",
    "PolicyProblem",
    "default_policy",
    "default_policy_text",
    "load_policy",
    "read_policy_file",
    "to_json",
    "to_toml",
]


@cache
def default_policy_text() -> str:
    """The built-in plan, with its comments, as shipped."""
    return DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


@cache
def default_policy() -> Policy:
    """The built-in plan (raises ValueError listing the problems if it is broken)."""
    loaded = load_policy(default_policy_text(), DEFAULT_POLICY_FILE)
    if loaded.policy is None:
        raise ValueError("; ".join(str(p) for p in loaded.problems))
    return loaded.policy
