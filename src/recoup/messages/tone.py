"""The tone check: does a template stay calm, honest and within the plan?

`lint(source, LintContext(...))` returns findings, each with the template file's line
and a reason a person can act on. It checks, in English, German and French:

- threats of arrest, prison or a criminal case, always (an unpaid invoice is civil);
- threats to the debtor's credit rating or of a list of bad payers, always;
- threats of legal action when the plan schedules no legal step for the stage (and
  of a collection agency when it schedules no agency step), or threats in a stage
  that is not the final one;
- shaming and insults ("honest businesses pay"), angry or aggressive words, shouting
  in capitals, rows of "!!";
- false urgency ("immediately", "last chance", "within 24 hours"), and a message that
  calls itself final in a stage that is not (a promise of ours, "we will check it at
  once", is not urgency);
- talking about the debt to a third party (employer, neighbours, family);
- amounts and dates in the message that are not the ledger's (rendered with a real
  account's data at preview, with a sample account otherwise, so a figure typed into
  a template is always caught);
- for consumer debts collected by a third party (US Regulation F): an email without a
  simple electronic opt-out (12 CFR 1006.6(e)), and contact proposed at inconvenient
  times, before 8 a.m. or after 9 p.m. (12 CFR 1006.6(b)(1)(i)).

The template must also render in the sandbox; a template that does not is a finding.
Each finding has a kind (`KINDS`, plus figures, template, regulation_f). The words are
in `tone_threats` and `tone_manners`; `check_text` runs the word rules alone, which is
what the labelled corpus in tests/data/tone_corpus.tsv measures (figures in docs.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from itertools import pairwise

from babel.dates import get_month_names

from recoup.messages import tone_manners as manners
from recoup.messages import tone_threats as threats
from recoup.messages.context import (
    MessageData,
    ledger_figures,
    sample,
    table_html,
    table_text,
    template_context,
)
from recoup.messages.labels import LANGUAGES
from recoup.messages.render import TemplateProblem, parse_source, render

FRIENDLY, FIRM, FINAL, EVENT = "friendly", "firm", "final", "event"


@dataclass(frozen=True)
class Finding:
    line: int
    reason: str
    kind: str = ""  # arrest, credit, shaming, third_party, urgency, legal, aggressive, ...

    def format(self, file: str) -> str:
        return f"{file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class LintContext:
    tone: str = EVENT  # the stage's tone: friendly, firm, final; "event" outside stages
    stage: str | None = None
    legal_scheduled: bool = False  # the plan recommends a legal step after this stage
    agency_scheduled: bool = False  # the plan recommends a collection agency
    regulation_f: bool = False  # a consumer debt collected by a third party (US)
    email: bool = True  # False for a posted letter
    data: MessageData | None = None  # a real account's data (None: the sample account)
    language: str | None = None  # the template's language (None: from the data)


# --- the rules (the words are in tone_threats and tone_manners) -----------------------

ARREST, CREDIT, SHAMING, THIRD_PARTY = "arrest", "credit", "shaming", "third_party"
URGENCY, LEGAL, AGGRESSIVE = "urgency", "legal", "aggressive"
FIGURES, TEMPLATE, REGULATION_F = "figures", "template", "regulation_f"
KINDS = (ARREST, CREDIT, SHAMING, THIRD_PARTY, URGENCY, LEGAL, AGGRESSIVE)
"""The kinds of tone finding that the labelled corpus measures."""

OPT_OUT = re.compile(
    r"\bstop\b|unsubscribe|opt[ -]?out|abmelden|abbestellen|désinscri|desinscri|"
    r"ne plus recevoir|keine e-mails mehr|no longer (?:receive|hear)|stopped emailing",
    re.IGNORECASE,
)


def _entry(word: str) -> str:
    if word.startswith("re:"):
        return f"(?:{word[3:]})"
    out = re.escape(word).replace(r"\ ", r"\s+").replace(r"\*", r"[\w-]*")
    return out.replace("'", "['’]")


def _phrases(table: threats.Words) -> re.Pattern[str]:
    entries = sorted({w for ws in table.values() for w in ws}, key=len, reverse=True)
    alternatives = "|".join(_entry(w) for w in entries)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


_ARREST, _CREDIT, _LEGAL, _AGENCY, _FINAL = (
    _phrases(t)
    for t in (threats.ARREST, threats.CREDIT, threats.LEGAL, threats.AGENCY, threats.FINAL_WORDS)
)
_SHAMING, _AGGRESSIVE, _URGENCY, _THIRD, _SERVICE = (
    _phrases(t)
    for t in (
        manners.SHAMING,
        manners.AGGRESSIVE,
        manners.URGENCY,
        manners.THIRD_PARTY,
        manners.OUR_SERVICE,
    )
)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_CAPS_WORD = re.compile(r"(?<![\w-])[A-ZÀ-ÖØ-Þ]{2,}(?![\w-])")
_CLAUSE_END = re.compile(r"[.;:,!?]")
_TIME = re.compile(
    r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?!\w)"
    r"|\b(?P<h24>\d{1,2})[:h.](?P<m24>\d{2})\s*(?:uhr|h)?\b"
    r"|\b(?P<hu>\d{1,2})\s*uhr\b",
    re.IGNORECASE,
)
_NUMBER = r"(?:\d{1,3}(?:[.,\u00a0\u202f’' ]\d{3})+|\d+)(?:[.,]\d{2})?"
_CURRENCY = r"(?:[$€£]|\b(?:EUR|USD|GBP|CHF)\b)"
_AMOUNT = re.compile(rf"{_CURRENCY}\s?{_NUMBER}(?![\d])|(?<![\d.,]){_NUMBER}\s?{_CURRENCY}")


def lint(source: str, ctx: LintContext) -> list[Finding]:
    """Every finding for one template file, in line order."""
    findings: list[Finding] = []
    try:
        parsed = parse_source(source)
    except TemplateProblem as err:
        return [Finding(err.line or 1, err.reason, TEMPLATE)]
    findings.extend(_words(source.replace("\r\n", "\n").split("\n"), ctx))
    findings.extend(_rendered(source, parsed.body_line, ctx))
    return _in_order(findings)


def check_text(text: str, ctx: LintContext) -> list[Finding]:
    """The word rules alone over plain text (nothing rendered, no figures checked): what
    the labelled corpus measures, one sentence at a time."""
    return _in_order(_words(text.replace("\r\n", "\n").split("\n"), ctx))


def _in_order(findings: Iterable[Finding]) -> list[Finding]:
    unique = {(f.line, f.reason): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.line, f.reason))


def _words(lines: list[str], ctx: LintContext) -> Iterable[Finding]:
    for number, raw in enumerate(lines, start=1):
        line = _JINJA.sub(" ", raw)
        for found in _ARREST.finditer(line):
            yield Finding(
                number,
                f'threatens arrest, prison or a criminal case ("{found.group()}"): an unpaid '
                "invoice is a civil matter; never mention the police or prison",
                ARREST,
            )
        for found in _CREDIT.finditer(line):
            yield Finding(
                number,
                f"threatens the debtor's credit rating or a list of bad payers "
                f'("{found.group()}"): leave it out; if the business really reports debts, '
                "an owner signs off the wording",
                CREDIT,
            )
        for found in _LEGAL.finditer(line):
            if not (ctx.legal_scheduled and ctx.tone == FINAL):
                yield Finding(
                    number,
                    f'threatens legal action ("{found.group()}"), but the '
                    f"plan schedules no legal step {_for_stage(ctx)}",
                    LEGAL,
                )
        for found in _AGENCY.finditer(line):
            if not (ctx.agency_scheduled and ctx.tone == FINAL):
                yield Finding(
                    number,
                    f'threatens a collection agency ("{found.group()}"), '
                    f"but the plan schedules no agency step {_for_stage(ctx)}",
                    LEGAL,
                )
        for found in _SHAMING.finditer(line):
            yield Finding(
                number,
                f'abusive, shaming or insulting language ("{found.group()}"): '
                "stay calm and never make it personal",
                SHAMING,
            )
        for found in _AGGRESSIVE.finditer(line):
            yield Finding(
                number,
                f'angry or aggressive tone ("{found.group()}"): stay calm, state the facts '
                "and the next step",
                AGGRESSIVE,
            )
        for found in _URGENCY.finditer(line):
            if not _our_promise(line, found.start()):
                yield Finding(
                    number,
                    f'false urgency ("{found.group()}"): give a real date from the plan instead',
                    URGENCY,
                )
        if ctx.tone in (FRIENDLY, FIRM):
            for found in _FINAL.finditer(line):
                yield Finding(
                    number,
                    f'calls itself final ("{found.group()}"), but '
                    f"{_for_stage(ctx, 'this')} is {ctx.tone}, not the final notice",
                    URGENCY,
                )
        for found in _THIRD.finditer(line):
            yield Finding(
                number,
                f"talks about the debt to or before a third party "
                f'("{found.group()}"): a debt is discussed with the debtor only',
                THIRD_PARTY,
            )
        shouted = _shouting(line)
        if shouted:
            yield Finding(
                number, f'shouting in capitals ("{shouted}"): write in ordinary case', AGGRESSIVE
            )
        if "!!" in line or "?!" in line:
            yield Finding(
                number, 'angry punctuation ("!!"): one full stop says it calmly', AGGRESSIVE
            )
        if ctx.regulation_f:
            for found in _TIME.finditer(line):
                hour = _hour(found)
                if hour is not None and not (8 <= hour < 21):
                    yield Finding(
                        number,
                        f"proposes contact at an inconvenient time "
                        f'("{found.group().strip()}"): Regulation F (12 CFR '
                        "1006.6(b)(1)(i)) allows 8 a.m. to 9 p.m. at the "
                        "consumer's location",
                        REGULATION_F,
                    )


def _our_promise(line: str, at: int) -> bool:
    """Whether an urgency word ends a promise of ours in its clause ("we will check it
    at once"), which puts no pressure on the debtor."""
    ends = [m.end() for m in _CLAUSE_END.finditer(line, 0, at)]
    clause = line[ends[-1] if ends else 0 : at]
    return _SERVICE.search(clause) is not None


def _shouting(line: str) -> str | None:
    """A word of four or more capitals, or two capital words in a row, that is not an
    abbreviation (IBAN, VAT, STOP, ...)."""
    caps = [m for m in _CAPS_WORD.finditer(line) if m.group() not in manners.ALLOWED_CAPS]
    for found in caps:
        if len(found.group()) >= 4:
            return found.group()
    for first, second in pairwise(caps):
        if not line[first.end() : second.start()].strip():
            return f"{first.group()} {second.group()}"
    return None


def _for_stage(ctx: LintContext, article: str = "for") -> str:
    if article == "this":
        return f"stage {ctx.stage!r}" if ctx.stage else "this message"
    return f"for stage {ctx.stage!r}" if ctx.stage else "for this message"


def _hour(found: re.Match[str]) -> int | None:
    if found["h"] is not None:
        hour = int(found["h"]) % 12
        return hour + 12 if found["ampm"].lower().startswith("p") else hour
    if found["h24"] is not None:
        hour, minute = int(found["h24"]), int(found["m24"])
        return hour if hour < 24 and minute < 60 else None
    if found["hu"] is not None:
        hour = int(found["hu"])
        return hour if hour < 24 else None
    return None


def _rendered(source: str, body_line: int, ctx: LintContext) -> Iterable[Finding]:
    lang = ctx.language or (ctx.data.lang if ctx.data else "en")
    data = ctx.data or sample(lang)
    data = replace(data, regulation_f=ctx.regulation_f)
    try:
        out = render(source, template_context(data), table_text(data), table_html(data))
    except TemplateProblem as err:
        yield Finding(err.line or 1, err.reason, TEMPLATE)
        return
    text = out.text.replace(table_text(data).rstrip("\n"), "")
    if ctx.regulation_f and ctx.email and not OPT_OUT.search(text):
        yield Finding(
            body_line,
            "no electronic opt-out: Regulation F (12 CFR 1006.6(e)) "
            "requires every email to a consumer to offer a clear, simple way to "
            "stop emails, e.g. 'reply STOP' (use {% if opt_out %})",
            REGULATION_F,
        )
    amounts, days = ledger_figures(data)
    src_lines = source.replace("\r\n", "\n").split("\n")
    whose = "the account's" if ctx.data is not None else "the ledger's (a figure typed in)"
    for piece in (out.subject, text):
        for found in _AMOUNT.finditer(piece):
            figure = found.group().strip()
            if _minor_units(figure) not in amounts:
                yield Finding(
                    _line_of(src_lines, figure, body_line),
                    f'amount "{figure}" is not {whose}: use the figures the '
                    "template is given ({{ total }}, {{ principal }}, ...)",
                    FIGURES,
                )
        for shown, day in _dates(piece):
            if day not in days:
                yield Finding(
                    _line_of(src_lines, shown, body_line),
                    f'date "{shown}" is not one of {whose} dates: use '
                    "{{ pay_by }}, {{ oldest_due }} or another given date",
                    FIGURES,
                )


def _minor_units(figure: str) -> int:
    digits = re.sub(r"\D", "", figure)
    whole_only = not re.search(r"[.,]\d{2}(?!\d)", figure)
    value = int(digits) if digits else 0
    return value * 100 if whole_only else value


def _line_of(lines: list[str], figure: str, default: int) -> int:
    """The template line a figure was typed on, or where the body starts."""
    for number, line in enumerate(lines, start=1):
        if figure in _JINJA.sub(" ", line):
            return number
    return default


@cache
def _months() -> dict[str, int]:
    out: dict[str, int] = {}
    for lang in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=lang).items():
                    out[name.lower().rstrip(".")] = number
    return out


@cache
def _date_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    names = "|".join(sorted((re.escape(m) for m in _months()), key=len, reverse=True))
    day_first = re.compile(rf"\b(\d{{1,2}})(?:\.|er)?\s+({names})\.?\s+(\d{{4}})\b", re.I)
    month_first = re.compile(rf"\b({names})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I)
    numeric = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
    return day_first, month_first, numeric


def _dates(text: str) -> Iterable[tuple[str, date | None]]:
    months = _months()
    day_first, month_first, numeric = _date_patterns()
    for found in day_first.finditer(text):
        yield found.group(), _day(int(found[3]), months[found[2].lower()], int(found[1]))
    for found in month_first.finditer(text):
        yield found.group(), _day(int(found[3]), months[found[1].lower()], int(found[2]))
    for found in numeric.finditer(text):
        if found[1]:
            yield found.group(), _day(int(found[1]), int(found[2]), int(found[3]))
        else:  # dd.mm.yyyy (de, fr); a US mm/dd/yyyy is read the other way round too
            a, b, y = int(found[4]), int(found[5]), int(found[6])
            yield found.group(), _day(y, b, a) or _day(y, a, b)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
