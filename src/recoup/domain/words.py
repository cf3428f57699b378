"""Codes in words, and counts with proper plurals: the one place that turns what Recoup
stores (a stage key such as `recommend:agency` or `notice:promise:12`, a hold, an
action, a call's outcome, a history entry's kind, a status) into what a person reads,
in the reader's language.

- `term(kind, code, lang)`: the words for one code of a kind of code ("hold",
  "action", "entry", "outcome", "status" ...; the tables are in `vocabulary`).
- `stage_words(key, lang)`: a stage key as a person says it (a plan's own stage names
  stay as the owner wrote them).
- `plural(n, one, other, lang)` and `count(n, noun, lang)`: the CLDR cardinal rule of
  English, German and French (French treats 0 and 1 alike), without Babel, so that the
  domain can use it too.
- `readable(text, lang)`: free text that may hold codes or "promise(s)" plurals (a
  history entry written long ago, a plan's note) with them put in words; the history
  itself is never rewritten.

Debtor-facing text uses English, German or French; the web pages and the CLI use
English for now, through these same functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recoup.domain.vocabulary import NOUNS, TABLES

LANGUAGES = ("en", "de", "fr")


def _lang(lang: str) -> str:
    code = (lang or "en").replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else "en"


# --- plurals ---------------------------------------------------------------------------


def plural_category(n: int, lang: str = "en") -> str:
    """ "one" or "other" for a whole number `n` (CLDR cardinal rules; French "many",
    for exact millions, reads as "other")."""
    if _lang(lang) == "fr":
        return "one" if n in (0, 1) else "other"
    return "one" if n == 1 else "other"


def plural(n: int, one: str, other: str, lang: str = "en") -> str:
    """`one` or `other` as the language says for `n`; "{n}" in them becomes `n`."""
    chosen = one if plural_category(n, lang) == "one" else other
    return chosen.replace("{n}", str(n))


def count(n: int, noun: str, lang: str = "en") -> str:
    """ "1 invoice", "3 invoices", "0 facture": `n` and the noun in the right number."""
    forms = NOUNS[_lang(lang)].get(noun) or NOUNS["en"].get(noun) or (noun, noun + "s")
    return f"{n} {plural(n, forms[0], forms[1], lang)}"


# --- codes ----------------------------------------------------------------------------


def term(kind: str, code: str, lang: str = "en") -> str:
    """The words for `code`, one of the codes of `kind` ("hold", "action", ...). An
    unknown code is shown as words too: its underscores as spaces."""
    table = TABLES[kind]
    code = str(code)
    found = table.get(_lang(lang), {}).get(code) or table["en"].get(code)
    return found if found is not None else code.replace("_", " ")


@dataclass(frozen=True)
class Term:
    """A code to be shown in its reader's language: a message's data can carry one (a
    dispute's reason, say), and the message shows `term(kind, code, lang)`."""

    kind: str
    code: str

    def words(self, lang: str = "en") -> str:
        return term(self.kind, self.code, lang)


def stage_words(key: str, lang: str = "en") -> str:
    """A stage key in words: "recommend:agency" -> "recommended: hand to a collection
    agency", "notice:installment:4:2" -> "installment reminder (installment 2)",
    "notice:promise:12" -> "promise confirmation"; a plan's stage name as it is."""
    if key.startswith("recommend:"):
        return term("step", key.removeprefix("recommend:"), lang)
    if key.startswith("notice:"):
        parts = key.split(":")
        what = term("notice", parts[1] if len(parts) > 1 else "", lang)
        if len(parts) > 1 and parts[1] == "installment" and len(parts) > 3:
            noun = NOUNS[_lang(lang)]["installment"][0]
            return f"{what} ({noun} {parts[3]})"
        return what
    if key == "follow-up":
        return term("task", key, lang)
    return key


def template_words(name: str, lang: str = "en") -> str:
    """A built-in template's name in words ("overdue-friendly" -> "friendly reminder");
    a template of the business's own keeps its name."""
    return term("template", name, lang) if name in TABLES["template"]["en"] else name


# --- free text ------------------------------------------------------------------------

_STAGE_KEY = re.compile(r"\b(?:recommend:[a-z_]+|notice:[a-z_]+(?::\d+)*)")
_STAGE_WORD_KEY = re.compile(r"\bstage (?=recommend:|notice:)")  # "stage recommend:x"
_PHRASES = (  # how the plan's own notes name a recommended step
    (re.compile(r"\brecommends agency\b"), "recommends a collection agency"),
    (re.compile(r"\brecommends legal\b"), "recommends a legal step"),
    (re.compile(r"\brecommends write_off\b"), "recommends a write-off"),
)
# hyphenated names only: "statement" is a template's name and an everyday word
_TEMPLATE_NAMES = sorted((n for n in TABLES["template"]["en"] if "-" in n), key=len, reverse=True)
_NAMES = "|".join(re.escape(n) for n in _TEMPLATE_NAMES)
_TEMPLATE_WITH_STAGE = re.compile(r"(?<![\w/.-])(" + _NAMES + r")\b(?!-)\s*\(([^()]*)\)")
_TEMPLATE = re.compile(r"(?<![\w/.-])(" + _NAMES + r")\b(?!-)")
_SNAKE_CODES = {
    code: kind
    for kind in ("task", "hold", "entry", "action", "outcome", "dispute_reason", "status")
    for code in TABLES[kind]["en"]
    if "_" in code
}
_SNAKE = re.compile(
    r"(?<![\w./@-])(" + "|".join(sorted(_SNAKE_CODES, key=len, reverse=True)) + r")(?![\w@-])"
)
_COUNTED = re.compile(
    r"(?P<n>\b\d[\d,]*)(?P<mid>\s+(?:[A-Za-z-]+\s+){0,3}?)(?P<word>[A-Za-z]+)\(s\)"
    r"(?P<verb>\s+(?:are|were|have)\b)?"
)
_SINGULAR_VERB = {"are": "is", "were": "was", "have": "has"}
_LEFT_PLURAL = re.compile(r"\b([A-Za-z]+)\(s\)")


def readable(text: str, lang: str = "en") -> str:
    """`text` with stage keys, built-in template names, Recoup's snake_case codes
    (`broken_promise`, `payment_plan` ...) and "(s)" plurals put in words; everything
    else as it was (a policy setting such as `min_gap_days` is not one of the codes)."""
    if not text:
        return text

    def with_stage(found: re.Match[str]) -> str:
        name, inner = found.group(1), found.group(2).strip()
        words = template_words(name, lang)
        if not inner or inner.startswith("notice:"):
            return words
        return f"{words} ({stage_words(inner, lang)})"

    out = _TEMPLATE_WITH_STAGE.sub(with_stage, text)
    out = _STAGE_WORD_KEY.sub("", out)
    for phrase, words in _PHRASES:
        out = phrase.sub(words, out)
    out = _STAGE_KEY.sub(lambda m: stage_words(m.group(), lang), out)
    out = _TEMPLATE.sub(lambda m: template_words(m.group(1), lang), out)
    out = _SNAKE.sub(lambda m: _snake(m.group(1), lang), out)
    return _plurals(out, lang)


def _snake(code: str, lang: str) -> str:
    return term(_SNAKE_CODES[code], code, lang)


def _plurals(text: str, lang: str) -> str:
    def one(found: re.Match[str]) -> str:
        n = int(found["n"].replace(",", ""))
        single = plural_category(n, lang) == "one"
        word = found["word"] + ("" if single else "s")
        verb = found["verb"] or ""
        if verb and single:
            verb = verb.replace(verb.strip(), _SINGULAR_VERB[verb.strip()])
        return f"{found['n']}{found['mid']}{word}{verb}"

    text = _COUNTED.sub(one, text)
    return _LEFT_PLURAL.sub(lambda m: m.group(1) + "s", text)  # no number: the plural
