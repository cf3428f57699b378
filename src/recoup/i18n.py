"""The language a person reads Recoup in: the web pages and the CLI in English, German
or French, through gettext catalogues (`locale/<language>/LC_MESSAGES/messages.po`,
compiled to `.mo` by `make i18n`, which also extracts the strings).

- A *speech* is what one reader gets: a language of the pages (`en`, `de`, `fr`) and a
  Babel locale for money, numbers and dates (`de_DE`, `de_AT`, `en_GB` ...). It is a
  context variable: the web app sets it for each request (`recoup.web.language`), the
  CLI for each invocation; `current()` is English (`en_US`) when none is set.
- `gettext` / `_`, `ngettext`, `pgettext`, `npgettext` translate into the current
  speech's language; `N_` only marks a string for extraction (a label defined at import
  time, translated where it is shown).
- `negotiate(accept_language, default)`: the browser's `Accept-Language` against the
  languages there are catalogues for, else the default; `for_language(code, ...)`: a
  user's own setting, keeping the region of the browser's or the default locale when
  they speak the same language; `from_environment(...)`: the CLI's `--locale` /
  `RECOUP_LOCALE`, else `LC_ALL`, `LC_MESSAGES`, `LANG`.

English is the source language: its strings are the message ids, so English needs no
catalogue. Only stdlib `gettext` reads the catalogues (no Babel at start-up), once per
language and process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import gettext as _gettext

LANGUAGES = ("en", "de", "fr")
"""The languages of the pages and the CLI; the first is the source language."""

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}
"""Each language in its own words (the language control shows them so)."""

DEFAULT_LOCALES = {"en": "en_US", "de": "de_DE", "fr": "fr_FR"}
"""The locale for figures when a language is chosen without a region."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

_LOCALE_NAME = re.compile(r"^([A-Za-z]{2,3})(?:[_-]([A-Za-z]{2}|\d{3}))?$")


@dataclass(frozen=True)
class Speech:
    """What one reader gets: the pages' language and the locale of their figures."""

    language: str  # one of LANGUAGES
    locale: str  # a Babel locale name: de_DE

    @property
    def html_lang(self) -> str:
        """The locale as an HTML lang attribute: de-DE."""
        return self.locale.replace("_", "-")


ENGLISH = Speech("en", "en_US")

_SPEECH: ContextVar[Speech | None] = ContextVar("recoup_speech", default=None)


def current() -> Speech:
    """The speech set for this request or command; English when none is."""
    return _SPEECH.get() or ENGLISH


def is_set() -> bool:
    return _SPEECH.get() is not None


def use(speech: Speech) -> Token[Speech | None]:
    """Speak `speech` until `reset(token)`."""
    return _SPEECH.set(speech)


def reset(token: Token[Speech | None]) -> None:
    _SPEECH.reset(token)


@contextmanager
def speaking(speech: Speech) -> Iterator[Speech]:
    token = use(speech)
    try:
        yield speech
    finally:
        reset(token)


# --- choosing ------------------------------------------------------------------------


def _split(name: str) -> tuple[str, str] | None:
    """("de", "AT") from de_AT, de-at or de_AT.UTF-8@euro; None for C, POSIX or junk."""
    base = name.split(".")[0].split("@")[0].strip()
    found = _LOCALE_NAME.match(base)
    if not found:
        return None
    language, region = found.group(1).lower(), (found.group(2) or "").upper()
    if language in ("c", "posix"):
        return None
    return language, region


def language_of(locale: str) -> str:
    """The language of pages for a locale name: de for de_AT, en for anything not
    translated."""
    parts = _split(locale)
    return parts[0] if parts and parts[0] in LANGUAGES else "en"


def for_language(language: str, *others: str) -> Speech:
    """`language`'s speech; its figures in the first of `others` (locale names such as
    the browser's or the server's) that speaks the same language and that Babel knows,
    else its default locale: a German user on an Austrian browser gets de_AT."""
    language = language if language in LANGUAGES else "en"
    for other in others:
        parts = _split(other) if other else None
        if parts and parts[0] == language and parts[1]:
            name = f"{language}_{parts[1]}"
            if _known(name):
                return Speech(language, name)
    return Speech(language, DEFAULT_LOCALES[language])


def _known(locale: str) -> bool:
    from babel import localedata  # only where a region has to be checked

    return bool(localedata.exists(locale))


def _default(language: str) -> str:
    return DEFAULT_LOCALES.get(language, "en_US")


def accept_language(header: str) -> list[str]:
    """The locale names of an Accept-Language header, most wanted first (q=0 left
    out): "de-AT,de;q=0.9,en;q=0.5" -> ["de_AT", "de", "en"]."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        name, _, params = item.strip().partition(";")
        name = name.strip()
        if not name or name == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and _split(name):
            ranked.append((-quality, position, name.replace("-", "_")))
    return [name for _q, _p, name in sorted(ranked)]


def negotiate(header: str, default: str) -> Speech:
    """The speech for a browser's Accept-Language `header`: the first language it asks
    for that Recoup speaks (Babel's `negotiate_locale`), its figures in the server's
    locale (`default`) when that is the same language, else in the region the browser
    names (`de-AT` -> de_AT); when it asks for none, `default` with its language when
    Recoup speaks it, else English with the default's figures."""
    from babel.core import negotiate_locale

    wanted = accept_language(header)
    chosen = negotiate_locale(wanted, list(LANGUAGES)) if wanted else None
    if chosen:
        return for_language(chosen, default, *wanted)
    if not default:
        return ENGLISH
    language = language_of(default)
    if language == "en" and default.split("_")[0] != "en":  # figures of a language
        return Speech("en", default) if _known(default) else ENGLISH  # with no pages
    return for_language(language, default)


def from_environment(explicit: str | None, environ: Mapping[str, str]) -> str | None:
    """The CLI's locale: `explicit` (`--locale`, `RECOUP_LOCALE`) as given, else the
    first of LC_ALL, LC_MESSAGES and LANG that names a language Recoup speaks (de_DE.UTF-8
    -> de_DE); None: keep the setting's default."""
    if explicit:
        return explicit
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if not value:
            continue
        parts = _split(value)
        if parts is None:  # C, POSIX: nothing chosen here; look no further (as libc)
            return None
        if parts[0] in LANGUAGES:
            return f"{parts[0]}_{parts[1]}" if parts[1] else _default(parts[0])
        return None
    return None


# --- translating ---------------------------------------------------------------------


class _Catalogue(Protocol):
    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...
    def pgettext(self, context: str, message: str, /) -> str: ...
    def npgettext(self, context: str, singular: str, plural: str, n: int, /) -> str: ...


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> _Catalogue:
    """The compiled catalogue of `language`; English (the source) translates nothing."""
    import gettext as stdlib_gettext

    if language not in LANGUAGES[1:]:
        return stdlib_gettext.NullTranslations()
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as fp:  # a missing catalogue is a broken install: say so
        translations: _gettext.GNUTranslations = stdlib_gettext.GNUTranslations(fp)
    return translations


def gettext(message: str) -> str:
    """`message` in the current language."""
    return catalogue(current().language).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """`singular` or `plural` as the current language counts `n`, translated."""
    return catalogue(current().language).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, in `context` (a word that reads otherwise
    elsewhere: "Open" an amount, not a verb)."""
    return catalogue(current().language).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return catalogue(current().language).npgettext(context, singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the name extraction tools know
    """`message` as it is, marked for extraction: translated where it is shown."""
    return message
