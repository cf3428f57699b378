"""The pages and the CLI in English, German and French (issue 15, item 5).

- Every template's visible text goes through a translation call (tests/i18n_scan.py):
  a new template or a new sentence in one fails here until it is marked.
- The catalogues are complete: every string of the pages and the CLI (extracted as
  `make i18n` does, with babel.cfg) has non-empty, non-fuzzy German and French words,
  with the same placeholders and tags as the English, and the committed .mo files are
  those the .po files compile to.
- The language of a page: the user's setting, else the browser's Accept-Language, else
  the server's locale; `<html lang>` says it, and money and dates are in its locale.
- The CLI speaks the language of `--locale` / RECOUP_LOCALE, English by default.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from recoup import i18n
from recoup.cli.app import app as cli_app
from recoup.services import importing, users
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.i18n_scan import scan, templates

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "src" / "recoup" / "locale"
TRANSLATED = ("de", "fr")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")
TAG = re.compile(r"</?[a-z]+")


# --- the templates ---------------------------------------------------------------------


@pytest.mark.parametrize("template", templates())
def test_every_visible_text_of_a_template_is_translated(template: str) -> None:
    found = scan(template)
    assert not found, "not in a translation call:\n" + "\n".join(map(str, found))


def test_the_scan_finds_untranslated_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan itself: text, a read attribute and a printed literal are found; codes,
    translated text and addresses are not."""
    import tests.i18n_scan as scanner

    (tmp_path / "t.html").write_text(
        '<p title="Hello there">Plain words {{ x }}</p>{{ "printed" if y else "" }}'
        '<a href="{{ "/path" }}">{{ _("Fine") }}</a>{% trans %}Also fine{% endtrans %}'
        "<span class=\"{{ 'is-on' if z }}\">EUR</span><code>recoup aging</code>",
        encoding="utf-8",
    )
    monkeypatch.setattr(scanner, "TEMPLATES", tmp_path)
    found = {f.text for f in scanner.scan("t.html")}
    assert found == {"title=Hello there", "Plain words \ue0000\ue001", "printed"}


# --- the catalogues ----------------------------------------------------------------------


def _extracted() -> dict[tuple[str | None, str | tuple[str, ...]], set[str]]:
    """What `make i18n` extracts: each message id (with its context) and its flags."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[tuple[str | None, str | tuple[str, ...]], set[str]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found[(context, message)] = set()
    return found


def _catalogue(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=language)


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str | tuple[str, ...]], set[str]]:
    return _extracted()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_has_its_words_in_the_catalogue(
    language: str, extracted: dict[tuple[str | None, str | tuple[str, ...]], set[str]]
) -> None:
    catalogue = _catalogue(language)
    assert not catalogue.fuzzy
    gaps = []
    for context, message in extracted:
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(msgid, context=context)
        if entry is None or entry.fuzzy:
            gaps.append(f"{'missing' if entry is None else 'fuzzy'}: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings) or len(strings) != (
            catalogue.num_plurals if isinstance(message, tuple) else 1
        ):
            gaps.append(f"untranslated: {msgid!r}")
    assert not gaps, f"{language}: run `make i18n` and translate:\n" + "\n".join(gaps)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_and_tags(language: str) -> None:
    wrong = []
    for entry in _catalogue(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = (sorted(set(PLACEHOLDER.findall(ids[-1]))), sorted(TAG.findall(ids[-1])))
        for s in strings:
            # a plural's singular may say "one" in words instead of its count
            got = sorted(set(PLACEHOLDER.findall(s)))
            kept = got == wanted[0] or (len(strings) > 1 and set(got) <= set(wanted[0]))
            if not kept or sorted(TAG.findall(s)) != wanted[1]:
                wrong.append(f"{ids[0]!r} -> {s!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_is_the_compiled_po(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(language))
    compiled.seek(0)
    with (LOCALES / language / "LC_MESSAGES" / "messages.mo").open("rb") as fp:
        committed = read_mo(fp)
    fresh = read_mo(compiled)
    assert _pairs(committed) == _pairs(fresh), "run `make i18n` (the .mo is stale)"


def _pairs(catalogue: Catalog) -> dict[object, object]:
    def frozen(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(m.context, frozen(m.id)): frozen(m.string) for m in catalogue if m.id}


def test_the_catalogues_translate() -> None:
    with i18n.speaking(i18n.Speech("de", "de_DE")):
        assert i18n.gettext("Dashboard") == "Übersicht"
        assert i18n.ngettext("%(num)s row", "%(num)s rows", 2) == "%(num)s Zeilen"
        assert i18n.pgettext("amount", "Open") == "Offen"
    with i18n.speaking(i18n.Speech("fr", "fr_FR")):
        assert i18n.gettext("Dashboard") == "Tableau de bord"
        assert i18n.ngettext("%(num)s row", "%(num)s rows", 1) == "%(num)s ligne"
        assert i18n.ngettext("%(num)s row", "%(num)s rows", 3) == "%(num)s lignes"
    assert i18n.gettext("Dashboard") == "Dashboard"  # no speech set: English


# --- choosing the language ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "server", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "en_US", ("de", "de_DE")),
        ("de-AT,de;q=0.9", "en_US", ("de", "de_AT")),  # the browser's region
        ("de-AT,de;q=0.9", "de_DE", ("de", "de_DE")),  # the server's, same language
        ("fr-CH, fr;q=0.9", "en_GB", ("fr", "fr_CH")),
        ("en-US,en;q=0.9", "en_GB", ("en", "en_GB")),
        ("es-ES,es;q=0.9", "en_GB", ("en", "en_GB")),  # no Spanish pages
        ("es-ES,de;q=0.5", "en_US", ("de", "de_DE")),
        ("", "de_DE", ("de", "de_DE")),
        ("", "hu_HU", ("en", "hu_HU")),  # English pages, Hungarian figures
        ("de;q=0, fr", "en_US", ("fr", "fr_FR")),
    ],
)
def test_the_browser_and_the_server_choose_the_speech(
    header: str, server: str, expected: tuple[str, str]
) -> None:
    speech = i18n.negotiate(header, server)
    assert (speech.language, speech.locale) == expected


def test_the_cli_locale_comes_from_the_environment() -> None:
    assert i18n.from_environment("fr_FR", {"LANG": "de_DE.UTF-8"}) == "fr_FR"
    assert i18n.from_environment(None, {"LANG": "de_DE.UTF-8"}) == "de_DE"
    assert i18n.from_environment(None, {"LC_ALL": "C", "LANG": "de_DE.UTF-8"}) is None
    assert i18n.from_environment(None, {"LANG": "es_ES.UTF-8"}) is None


# --- the pages ---------------------------------------------------------------------------

MOMENT = "2026-03-10T10:00:00"
TODAY = date(2026, 3, 10)
OWNER = ("olga", "olga-owner-password")
RAW_AMOUNT = re.compile(r"(?<![\w.,])-?\d+\.\d{2} [A-Z]{3}\b")  # 95868.34 USD
ISO_DAY = re.compile(r"(?<![\w\-=\"/])\d{4}-\d{2}-\d{2}(?![\w\-\"])")


def _visible(page: str) -> str:
    """The page's text as a person reads it: no tags, attributes or scripts."""
    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def client(book: Book, tmp_path: Path) -> Iterator[TestClient]:
    users.add_user(book, *OWNER, Role.OWNER)
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer,name,country,email,timezone\n"
        "K1,Müller GmbH,DE,ap@mueller.example,Europe/Berlin\n"
        "K2,Dupont SARL,FR,ap@dupont.example,Europe/Paris\n",
        encoding="utf-8",
    )
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "K1,R-1,2026-01-05,2026-02-04,95868.34,EUR\n"
        "K2,F-1,2026-01-20,2026-02-19,1234.50,EUR\n",
        encoding="utf-8",
    )
    for kind, path in ((Kind.CUSTOMERS, customers), (Kind.INVOICES, invoices)):
        assert importing.import_file(book, kind, path, Options()).ok
    settings = Settings(secret_key="i18n-" + "k" * 40, now=MOMENT, locale="en_US")
    with TestClient(create_app(settings, book)) as c:
        form = c.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        response = c.post(
            "/login",
            data={"username": OWNER[0], "password": OWNER[1], "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        yield c


PAGES = ("/", "/worklist", "/customers", "/customers/K1", "/outbox", "/run", "/import")


@pytest.mark.parametrize(
    ("header", "lang", "words", "money"),
    [
        ("de-DE,de;q=0.9", "de-DE", ("Übersicht", "Postausgang", "Abmelden"), "95.868,34 €"),
        ("fr-FR,fr;q=0.9", "fr-FR", ("Tableau de bord", "Se déconnecter"), "95 868,34 €"),
        ("", "en-US", ("Dashboard", "Outbox", "Log out"), "€95,868.34"),
    ],
)
def test_pages_speak_the_browsers_language_with_its_figures(
    client: TestClient, header: str, lang: str, words: tuple[str, ...], money: str
) -> None:
    for path in PAGES:
        page = client.get(path, headers={"Accept-Language": header} if header else {})
        assert page.status_code == 200, (path, page.text[:300])
        assert f'<html lang="{lang}">' in page.text
        text = _visible(page.text)
        assert not RAW_AMOUNT.search(text), (path, RAW_AMOUNT.search(text))
        assert not ISO_DAY.search(text), (path, ISO_DAY.search(text))
        if path == "/":
            for word in words:
                assert word in text, (path, word)
            assert money in text.replace("\u202f", " ").replace("\xa0", " "), path
    if header.startswith("de"):
        account = _visible(client.get("/customers/K1", headers={"Accept-Language": header}).text)
        assert "Rechnungen" in account
        assert "04.02.2026" in account  # the due date, in German
        # the case forms: titles, labels and buttons kept in Python, in German too
        for words in ("Diesen Fall bearbeiten", "Anruf oder Besuch", "Zugesagter Betrag"):
            assert words in account, words
        assert "Zusage erfassen" in account  # a button
        assert "PydanticUndefined" not in account  # a required field starts empty


def test_the_users_own_language_wins_over_the_browsers(client: TestClient) -> None:
    page = client.get("/password", headers={"Accept-Language": "en-US"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    saved = client.post(
        "/language",
        data={"language": "de", "csrf_token": token.group(1)},
        headers={"Accept-Language": "en-US"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert '<html lang="de-DE">' in saved.text
    assert "Ihre Seiten erscheinen in der gewählten Sprache." in saved.text
    # from then on, whatever the browser asks for (its region kept: de-AT)
    dashboard = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="de-DE">' in dashboard.text
    assert "Übersicht" in dashboard.text
    austrian = client.get("/", headers={"Accept-Language": "de-AT,en;q=0.5"})
    assert '<html lang="de-AT">' in austrian.text
    # back to the browser's
    back = client.post(
        "/language",
        data={"language": "", "csrf_token": token.group(1)},
        follow_redirects=True,
        headers={"Accept-Language": "fr-FR"},
    )
    assert '<html lang="fr-FR">' in back.text
    refused = client.post("/language", data={"language": "xx", "csrf_token": token.group(1)})
    assert refused.status_code == 400


# --- the command line --------------------------------------------------------------------


def test_the_cli_speaks_the_locales_language(sqlite_book: Book, tmp_path: Path) -> None:
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "K1,R-1,2026-01-05,2026-02-04,95868.34,EUR\n",
        encoding="utf-8",
    )
    assert importing.import_file(sqlite_book, Kind.INVOICES, invoices, Options()).ok
    db = str(sqlite_book.engine.url.database)
    runner = CliRunner()
    env = {"COLUMNS": "200", "RECOUP_NOW": MOMENT}
    english = runner.invoke(cli_app, ["--db", db, "aging"], env=env)
    assert english.exit_code == 0, english.output
    assert "Aging at Mar 10, 2026 (EUR)" in english.stdout
    german = runner.invoke(cli_app, ["--db", db, "--locale", "de_DE", "aging"], env=env)
    assert german.exit_code == 0, german.output
    assert "Altersstruktur am 10.03.2026 (EUR)" in german.stdout
    assert "95.868,34" in german.stdout
    french = runner.invoke(
        cli_app, ["--db", db, "account", "K1"], env={**env, "RECOUP_LOCALE": "fr_FR"}
    )
    assert french.exit_code == 0, french.output
    assert "Factures" in french.stdout
    assert "Solde" in french.stdout
    worklist = runner.invoke(cli_app, ["--db", db, "--locale", "de_DE", "worklist"], env=env)
    assert worklist.exit_code == 0, worklist.output
    assert "Arbeitsliste" in worklist.stdout
    assert i18n.current() == i18n.ENGLISH  # the command's speech ended with it
