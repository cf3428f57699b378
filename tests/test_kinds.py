"""The kinds of action, history entry and outbox state are each listed once
(`recoup.domain.kinds`): every kind has its words, every entry kind one timeline
group, and the history, the timeline's filter, the case file and the CLI's help are
made from those lists."""

from __future__ import annotations

from typer.testing import CliRunner

from recoup.casefile import model
from recoup.cli.app import app
from recoup.domain import history
from recoup.domain.kinds import GROUP_OF, ActionKind, EntryGroup, EntryKind, kinds_in
from recoup.domain.vocabulary import ACTION, ENTRY
from recoup.web.routes.casework.timeline import GROUPS, group_of


def test_every_kind_has_its_words_and_every_entry_kind_one_group() -> None:
    assert set(ActionKind) <= set(ACTION["en"])
    assert set(EntryKind) <= set(ENTRY["en"])
    assert set(GROUP_OF) == set(EntryKind)
    assert sum(len(kinds_in(g)) for g in EntryGroup) == len(EntryKind)  # one group each


def test_the_history_the_timeline_and_the_case_file_read_the_same_lists() -> None:
    assert frozenset(EntryKind) == history.KINDS
    assert [g for g, _label, _kinds in GROUPS] == [g.value for g in EntryGroup]
    for name, _label, kinds in GROUPS:
        assert all(group_of(k) == name for k in kinds)
    assert group_of("no_longer_written") == "corrections"
    assert model.QUEUED_KINDS <= model.CONTACT_KINDS <= frozenset(EntryKind)
    promised = {k for k in EntryKind if k.startswith(("promise", "plan", "settlement"))}
    assert promised == model.PROMISE_KINDS


def test_the_cli_help_lists_the_entry_kinds_and_refuses_others() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["log", "--help"], terminal_width=400)
    assert all(k.value in shown.output for k in EntryKind)
    refused = runner.invoke(app, ["log", "C1", "--kind", "gossip"])
    assert refused.exit_code == 2
