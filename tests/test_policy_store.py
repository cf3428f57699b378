"""Policy versions in the store, on SQLite and PostgreSQL, through the service layer."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from recoup.policy import default_policy, default_policy_text
from recoup.services.book import Book
from recoup.services.policy import (
    BUILT_IN_VERSION,
    PolicyRefusedError,
    active_policy,
    check_policy_file,
    list_policy_versions,
    show_policy,
    use_policy,
    use_policy_file,
)

PLAN = """\
# my plan, with a comment that is kept
name = "My plan"

[[stage]]
name = "nudge"
days_from_due = 5
email = "nudge"
"""


def write(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_book_follows_the_built_in_default(book: Book):
    version, policy = active_policy(book)
    assert version == BUILT_IN_VERSION == 0
    assert policy == default_policy()
    shown = show_policy(book)
    assert shown.built_in
    assert shown.text == default_policy_text()
    assert list_policy_versions(book) == []


def test_use_stores_the_text_as_given_and_activates_it(book: Book, tmp_path: Path):
    path = write(tmp_path, PLAN)
    assert check_policy_file(path) == []
    assert use_policy(book, path) == 1
    version, policy = active_policy(book)
    assert (version, policy.name, policy.stages[0].name) == (1, "My plan", "nudge")
    shown = show_policy(book)
    assert shown.text == PLAN  # comments and all
    assert shown.checksum == hashlib.sha256(PLAN.encode()).hexdigest()
    assert shown.to_json()["policy"]["stage"][0]["days_from_due"] == 5


def test_the_same_file_twice_keeps_one_version(book: Book, tmp_path: Path):
    path = write(tmp_path, PLAN)
    first = use_policy_file(book, path)
    again = use_policy_file(book, path)
    assert (first.version, first.created) == (1, True)
    assert (again.version, again.created, again.was_active) == (1, False, True)
    assert [v.version for v in list_policy_versions(book)] == [1]


def test_a_changed_file_makes_version_2_and_keeps_version_1(book: Book, tmp_path: Path):
    path = write(tmp_path, PLAN)
    assert use_policy(book, path) == 1
    path.write_text(PLAN.replace("days_from_due = 5", "days_from_due = 10"), encoding="utf-8")
    assert use_policy(book, path) == 2
    version, policy = active_policy(book)
    assert (version, policy.stages[0].trigger.days) == (2, 10)
    versions = list_policy_versions(book)
    assert [(v.version, v.active) for v in versions] == [(2, True), (1, False)]

    # the first text again: its version comes back, no third version is made
    path.write_text(PLAN, encoding="utf-8")
    used = use_policy_file(book, path)
    assert (used.version, used.created, used.was_active) == (1, False, False)
    assert active_policy(book)[0] == 1
    assert [(v.version, v.active) for v in list_policy_versions(book)] == [(2, False), (1, True)]


def test_a_policy_with_problems_is_refused_and_nothing_changes(book: Book, tmp_path: Path):
    assert use_policy(book, write(tmp_path, PLAN)) == 1
    bad = write(tmp_path, PLAN.replace("days_from_due = 5", "days_from_dew = 5"), "bad.toml")
    with pytest.raises(PolicyRefusedError) as refused:
        use_policy(book, bad)
    assert [str(p) for p in refused.value.problems] == [
        f'{bad}:6:1: unknown key "days_from_dew" in [[stage]] number 1; '
        'did you mean "days_from_due"?',
        f'{bad}:4:1: stage "nudge" has no trigger: give it one of days_from_due, '
        "days_after_previous, end_of_month",
    ][::-1]
    assert active_policy(book)[0] == 1
    assert len(list_policy_versions(book)) == 1


def test_the_built_in_text_can_be_used_like_any_other(book: Book, tmp_path: Path):
    path = write(tmp_path, default_policy_text())
    assert use_policy(book, path) == 1
    assert active_policy(book) == (1, default_policy())
