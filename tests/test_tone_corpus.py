"""The tone check measured on its labelled corpus (tests/data/tone_corpus.tsv): precision
and recall per language and overall, with floors; and the sentences the issue names.

A sentence counts as flagged when the check finds anything in it; a flagged sentence
labelled with a category is a true positive, a flagged `ok` sentence a false positive,
an unflagged category sentence a miss. Separately, a true positive must carry a finding
of its own category (the reason the owner reads must be the right one).

Print the table: `.venv/bin/python -m tests.test_tone_corpus`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from recoup.messages import tone
from recoup.messages.labels import LANGUAGES

CORPUS = Path(__file__).resolve().parent / "data" / "tone_corpus.tsv"
CONTEXTS = {"friendly", "firm", "final", "final+agency", "final+legal", "final+agency+legal"}


@dataclass(frozen=True)
class Sentence:
    round: str
    lang: str
    label: str
    context: str
    text: str
    line: int

    def lint_context(self) -> tone.LintContext:
        stage_tone, *steps = self.context.split("+")
        return tone.LintContext(
            tone=stage_tone,
            stage=None,
            legal_scheduled="legal" in steps,
            agency_scheduled="agency" in steps,
            language=self.lang,
        )


def load_corpus(path: Path = CORPUS) -> list[Sentence]:
    out: list[Sentence] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    header = True
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if header:
            assert cells == ["round", "lang", "label", "context", "sentence"], cells
            header = False
            continue
        assert len(cells) == 5, f"{path.name}:{number}: {len(cells)} columns"
        out.append(Sentence(*cells, line=number))
    return out


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    tn: int
    right_kind: int  # true positives with a finding of their own category

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.right_kind / self.tp if self.tp else 1.0

    @property
    def sentences(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


def score(sentences: Iterable[Sentence]) -> Score:
    tp = fp = fn = tn = right = 0
    for s in sentences:
        kinds = {f.kind for f in tone.check_text(s.text, s.lint_context())}
        if s.label == "ok":
            fp += bool(kinds)
            tn += not kinds
        elif kinds:
            tp += 1
            right += s.label in kinds
        else:
            fn += 1
    return Score(tp, fp, fn, tn, right)


def mistakes(sentences: Iterable[Sentence]) -> list[str]:
    out = []
    for s in sentences:
        findings = tone.check_text(s.text, s.lint_context())
        kinds = {f.kind for f in findings}
        if (s.label == "ok") == bool(kinds) or (s.label != "ok" and s.label not in kinds):
            got = ", ".join(sorted(kinds)) or "nothing"
            out.append(f"line {s.line} ({s.lang}, {s.label}, {s.context}): {s.text} -> {got}")
    return out


def report(sentences: list[Sentence]) -> str:
    rows = [
        "| round | language | sentences | flagged (TP+FP) | precision | recall | right category |"
    ]
    rows.append("|---|---|---:|---:|---:|---:|---:|")
    for which in ("all", *sorted({s.round for s in sentences})):
        chosen = [s for s in sentences if which in ("all", s.round)]
        for lang in (*LANGUAGES, "all"):
            part = [s for s in chosen if lang in ("all", s.lang)]
            sc = score(part)
            rows.append(
                f"| {which} | {lang} | {sc.sentences} | {sc.tp + sc.fp} | "
                f"{sc.precision:.3f} | {sc.recall:.3f} | {sc.kind_accuracy:.3f} |"
            )
    return "\n".join(rows)


# --- the corpus itself -----------------------------------------------------------------

SENTENCES = load_corpus()
CATEGORIES = set(tone.KINDS) | {"ok"}


def test_the_corpus_is_big_enough_and_well_formed():
    assert len(SENTENCES) >= 150
    for lang in LANGUAGES:
        mine = [s for s in SENTENCES if s.lang == lang]
        assert len(mine) >= 40, lang
        assert {s.label for s in mine} == CATEGORIES, lang  # every category, every language
        assert sum(s.label == "ok" for s in mine) >= 15, lang
    for s in SENTENCES:
        assert s.lang in LANGUAGES, s
        assert s.label in CATEGORIES, s
        assert s.context in CONTEXTS, s
    pairs = {(s.lang, s.context, s.text) for s in SENTENCES}
    assert len(pairs) == len(SENTENCES), "a sentence is listed twice in the same context"


# --- the floors ---------------------------------------------------------------------
# Precision first: a calm, firm sentence that is flagged holds real messages until an
# owner signs them off, so at most one in twenty flags may be wrong. Recall: at most one
# threatening sentence in ten may get through, in every language.


@pytest.mark.parametrize("lang", [*LANGUAGES, "all"])
def test_precision_and_recall_floors(lang: str):
    part = [s for s in SENTENCES if lang in ("all", s.lang)]
    sc = score(part)
    wrong = "\n".join(mistakes(part))
    assert sc.precision >= 0.95, f"precision {sc.precision:.3f}\n{wrong}"
    assert sc.recall >= 0.90, f"recall {sc.recall:.3f}\n{wrong}"
    assert sc.kind_accuracy >= 0.90, f"right category {sc.kind_accuracy:.3f}\n{wrong}"


def test_the_measure_can_fail():
    """The scoring counts what it should: a check that flags everything has the corpus's
    share of threats as precision, one that flags nothing has no recall."""
    ok = sum(s.label == "ok" for s in SENTENCES)
    flagged = len(SENTENCES) - ok
    everything = Score(flagged, ok, 0, 0, flagged)
    nothing = Score(0, 0, flagged, ok, 0)
    assert everything.precision < 0.95
    assert nothing.recall == 0.0


# --- the sentences the issue names, and their German and French equivalents ---------

NAMED = [
    ("en", "We will have you arrested.", tone.ARREST),
    ("de", "Wir lassen Sie verhaften.", tone.ARREST),
    ("fr", "Nous vous ferons arrêter.", tone.ARREST),
    ("en", "Your credit rating will be affected.", tone.CREDIT),
    ("de", "Ihre Bonität wird darunter leiden.", tone.CREDIT),
    ("fr", "Votre cote de crédit en sera affectée.", tone.CREDIT),
    ("en", "Honest businesses pay.", tone.SHAMING),
    ("de", "Ehrliche Unternehmen zahlen.", tone.SHAMING),
    ("fr", "Les entreprises honnêtes paient.", tone.SHAMING),
]


@pytest.mark.parametrize(("lang", "text", "kind"), NAMED, ids=[n[1] for n in NAMED])
def test_the_named_threats_are_caught_even_with_every_step_scheduled(lang, text, kind):
    ctx = tone.LintContext(tone="final", legal_scheduled=True, agency_scheduled=True)
    found = tone.check_text(text, ctx)
    assert kind in {f.kind for f in found}, found


def test_an_agency_step_is_fine_only_when_the_plan_schedules_it():
    text = (
        "If we do not hear from you by 15 March, we will consider passing the account "
        "to a collection agency."
    )
    scheduled = tone.LintContext(tone="final", agency_scheduled=True)
    assert tone.check_text(text, scheduled) == []
    for ctx in (tone.LintContext(tone="final"), tone.LintContext(tone="firm")):
        assert [f.kind for f in tone.check_text(text, ctx)] == [tone.LEGAL]


if __name__ == "__main__":
    print(report(SENTENCES))
    for line in mistakes(SENTENCES):
        print(line)
