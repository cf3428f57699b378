"""Reading references out of what a payer wrote: ISO 11649 creditor references, invoice
numbers in free text (spacing, separators, letter case and leading zeros do not matter),
numbers with one character wrong, IBANs and names made comparable."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_ALNUM = re.compile(r"[A-Z]+|[0-9]+")
_RF_IN_TEXT = re.compile(r"\bRF\s?(\d\d)((?:\s?[0-9A-Z]){1,21})\b")
# dates in the text are not invoice numbers: 2026-05-12, 12.05.2026, 12/05/26
_DATES = re.compile(
    r"\b(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))\b"
)
_DIGITS = "0123456789"


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 of `text` with letters as 10..35."""
    value = 0
    for char in text:
        value = (value * (100 if char.isalpha() else 10) + int(char, 36)) % 97
    return value


def compact(text: str) -> str:
    """Upper case, letters and digits only."""
    return "".join(_ALNUM.findall(text.upper()))


def is_rf(reference: str) -> bool:
    """Whether `reference` is an ISO 11649 creditor reference with a valid check."""
    ref = compact(reference)
    if not (5 <= len(ref) <= 25 and ref.startswith("RF") and ref[2:4].isdigit()):
        return False
    return _mod97(ref[4:] + ref[:4]) == 1


def make_rf(body: str) -> str:
    """The ISO 11649 reference (RFcc + body) for `body` (1-21 letters and digits)."""
    body = compact(body)
    if not 1 <= len(body) <= 21:
        raise ValueError(f"a creditor reference holds 1 to 21 letters and digits, not {body!r}")
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def rf_in_text(text: str) -> list[str]:
    """The valid creditor references written in `text` (compacted)."""
    found = []
    for match in _RF_IN_TEXT.finditer(text.upper()):
        ref = "RF" + match.group(1) + compact(match.group(2))
        while len(ref) > 4 and not is_rf(ref):
            ref = ref[:-1]  # the reference may run into the next word
        if len(ref) > 4:
            found.append(ref)
    return found


def _run_key(run: str) -> str:
    return (run.lstrip("0") or "0") if run.isdigit() else run


def number_keys(number: str) -> tuple[str, ...]:
    """The keys an invoice number is found by: its letters and digits with each group of
    digits' leading zeros dropped, and (for numbers with letters) its digits alone."""
    runs = _ALNUM.findall(number.upper())
    if not runs:
        return ()
    full = "".join(_run_key(r) for r in runs)
    digits = "".join(_run_key(r) for r in runs if r.isdigit())
    keys = [full] if len(full) >= 3 else []
    if digits != full and len(digits) >= 4:
        keys.append(digits)
    return tuple(keys)


def text_windows(text: str, longest: int = 5) -> Iterator[tuple[int, int, str]]:
    """(first run, end run, key) for every stretch of up to `longest` letter or digit
    groups of `text`, longest first from each start, dates left out."""
    runs = [_run_key(r) for r in _ALNUM.findall(_DATES.sub(" ", text.upper()))]
    for start in range(len(runs)):
        for end in range(min(len(runs), start + longest), start, -1):
            key = "".join(runs[start:end])
            if len(key) >= 3 and any(c.isdigit() for c in key):
                yield start, end, key


def near_keys(key: str) -> Iterator[str]:
    """Keys one character away from `key`: a digit changed, left out or added, or two
    neighbours swapped."""
    seen = {key}
    for i, char in enumerate(key):
        for d in _DIGITS:
            if d != char:
                variant = key[:i] + d + key[i + 1 :]
                if variant not in seen:
                    seen.add(variant)
                    yield variant
        dropped = key[:i] + key[i + 1 :]
        if dropped not in seen:
            seen.add(dropped)
            yield dropped
        if i + 1 < len(key) and key[i + 1] != char:
            swapped = key[:i] + key[i + 1] + char + key[i + 2 :]
            if swapped not in seen:
                seen.add(swapped)
                yield swapped
    for i in range(len(key) + 1):
        for d in _DIGITS:
            added = key[:i] + d + key[i:]
            if added not in seen:
                seen.add(added)
                yield added


_SEPARATORS = str.maketrans("", "", " -./\t")


def iban_key(iban: str) -> str:
    """An account number made comparable: upper case, no spaces or separators."""
    key = iban.translate(_SEPARATORS).upper()
    return key if key.isalnum() and key.isascii() else compact(key)


_LEGAL_FORMS = (
    "ag bv co corp gmbh inc kg llc llp ltd limited nv ohg plc sa sarl sas se spa srl the "
    "und and e k ek ug mbh"
).split()
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NOT_WORD = re.compile(r"[^a-z0-9\n]+")
_LEGAL_WORDS = re.compile(r"(?<![a-z0-9])(?:" + "|".join(_LEGAL_FORMS) + r")(?![a-z0-9])")


def name_keys(names: list[str]) -> list[str]:
    """Names made comparable, many at once: no accents, lower case, words only, legal
    forms left out (unless the name is nothing else)."""
    text = unicodedata.normalize("NFKD", "\n".join(n.replace("\n", " ") for n in names))
    text = _COMBINING.sub("", text).lower().replace("\u00df", "ss")
    words = _NOT_WORD.sub(" ", text)
    kept = _LEGAL_WORDS.sub(" ", words).split("\n")
    out = []
    for plain, all_words in zip(kept, words.split("\n"), strict=True):
        key = " ".join(plain.split())
        out.append(key or " ".join(all_words.split()))
    return out if names else []


def name_key(name: str) -> str:
    """One name made comparable (see `name_keys`)."""
    return name_keys([name])[0]
