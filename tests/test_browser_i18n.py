"""The whole job in German, in a real browser (Chromium through Playwright, against
uvicorn): a browser that asks for German (Accept-Language de-DE) gets German pages with
German figures on a server set to en_GB; the owner imports customers and invoices,
previews today's run, runs it, sends the outbox, adds a collector on the Users page,
assigns accounts by a rule, opens the collector's worklist, and then chooses English
on their own page (the user's setting wins over the browser's) and back. Screenshots of
every step go to tests/screenshots/ (i18n-de-*.png). The same flow in English is
tests/test_browser_operations.py and tests/test_browser_assignments.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from recoup.services import assignments
from tests.browser_support import (
    GPU_ARGS,
    PHONE,
    browser_fixture,
    console_fixture,
    page_fixture,
    shot,
)
from tests.test_browser_operations import (
    BUSINESS,
    CUSTOMERS,
    OWNER,
    Server,
    invoices_csv,
    serve,
)

pytestmark = pytest.mark.browser

GERMAN_MONEY = re.compile(r"^[\d.]+,\d\d\s£$")  # 1.225,01 £
ISO_DAY = re.compile(r"\b\d{4}-\d\d-\d\d\b")
RAW_AMOUNT = re.compile(r"\b\d+\.\d\d [A-Z]{3}\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("browser-i18n"), BUSINESS)


browser = browser_fixture(GPU_ARGS)
console = console_fixture()
page = page_fixture("de-DE")  # the browser asks for German (Accept-Language)


def no_raw_figures(pg: Page) -> None:
    """No amount or ISO date on the page as the code writes them."""
    text = pg.locator("main").inner_text()
    assert not RAW_AMOUNT.search(text), RAW_AMOUNT.search(text)
    assert not ISO_DAY.search(text), ISO_DAY.search(text)


def upload(pg: Page, kind: str, name: str, server: Server) -> None:
    pg.locator(f"input[name=kind][value={kind}]").check()
    pg.get_by_label("Datei", exact=True).set_input_files(str(server.files / name))
    pg.get_by_role("button", name="Hochladen und ansehen").click()
    expect(pg.locator("#file-title")).to_contain_text(name)


def test_the_whole_job_in_german(page: Page, server: Server, console: list[str]) -> None:
    pg = page
    base = server.url
    (server.files / "invoices-gbp.csv").write_text(invoices_csv(True), encoding="utf-8")

    pg.goto(base + "/")
    expect(pg).to_have_title(re.compile("^Anmelden"))
    expect(pg.locator("html")).to_have_attribute("lang", "de-DE")
    shot(pg, "i18n-de-login")
    pg.get_by_label("Benutzername").fill(OWNER[0])
    pg.get_by_label("Passwort").fill(OWNER[1])
    pg.get_by_role("button", name="Anmelden").click()
    expect(pg).to_have_url(base + "/")
    expect(pg).to_have_title(re.compile("^Übersicht"))

    # import: customers, then invoices whose check is refused, then with a currency
    pg.get_by_role("navigation").get_by_role("link", name="Import", exact=True).click()
    expect(pg.locator("h1")).to_have_text("Import")
    upload(pg, "customers", "customers.csv", server)
    expect(pg.locator("#mapping thead")).to_contain_text("Spalte in der Datei")
    pg.get_by_role("button", name="Datei prüfen").click()
    expect(pg.locator("#check-result")).to_contain_text("Bereit zum Import")
    shot(pg, "i18n-de-import-check")
    pg.get_by_role("button", name="Kunden importieren").click()
    expect(pg.locator("#import-done")).to_contain_text("customers.csv importiert")
    expect(pg.locator("#import-done [data-figure=imported]")).to_have_text(str(CUSTOMERS))

    upload(pg, "invoices", "invoices.csv", server)
    expect(pg.locator("#date_format + .field-help")).to_contain_text("Tag/Monat/Jahr")
    pg.get_by_role("button", name="Datei prüfen").click()
    result = pg.locator("#check-result")
    expect(result).to_contain_text("Der Import würde abgelehnt")
    expect(result.locator(".pg-count").first).to_have_text(f"{2 * CUSTOMERS} Zeilen")
    shot(pg, "i18n-de-import-problems")
    pg.get_by_role("button", name="Neu beginnen").click()
    upload(pg, "invoices", "invoices-gbp.csv", server)
    pg.get_by_role("button", name="Datei prüfen").click()
    expect(pg.locator("#check-result")).to_contain_text("Bereit zum Import")
    pg.get_by_role("button", name="Rechnungen importieren").click()
    expect(pg.locator("#import-done [data-figure=imported]")).to_have_text(str(2 * CUSTOMERS))
    shot(pg, "i18n-de-import-done")

    # today's run: the preview with German figures, then the run
    pg.get_by_role("link", name="Vorschau auf den Lauf von heute →").click()
    expect(pg).to_have_title(re.compile("^Lauf von heute"))
    emails = pg.locator("a.group-tab[data-group=emails] .count")
    expect(emails).not_to_have_text("0")
    planned = int(emails.inner_text())
    rows = pg.locator("#run-emails tbody tr")
    expect(rows.first.locator("td.num")).to_have_text(GERMAN_MONEY)
    no_raw_figures(pg)
    shot(pg, "i18n-de-run-preview")
    pg.get_by_role("button", name="Jetzt ausführen").click()
    expect(pg).to_have_title(re.compile("^Lauf erledigt"))
    expect(pg.locator("#run-report")).to_contain_text("Was der Lauf getan hat")
    shot(pg, "i18n-de-run-done")

    # the outbox: waiting, send now, delivered
    pg.get_by_role("link", name=re.compile("^Postausgang öffnen")).click()
    expect(pg).to_have_title(re.compile("^Postausgang"))
    expect(pg.locator("#outbox-waiting")).to_contain_text("noch nicht versucht")
    no_raw_figures(pg)
    shot(pg, "i18n-de-outbox-waiting")
    pg.get_by_role("button", name="Jetzt senden").click()
    expect(pg.locator("#sent-result")).to_contain_text("Zustellung erledigt")
    expect(pg.locator("#sent-result [data-figure=sent]")).to_have_text(str(planned))
    expect(pg.locator("#sent-result")).to_contain_text("Nichts wartet.")
    no_raw_figures(pg)
    shot(pg, "i18n-de-outbox-sent")
    assert len(list(server.outbox.glob("*.eml"))) == planned

    # the dashboard, the worklist and an account: German words and figures
    pg.get_by_role("link", name="Übersicht", exact=True).click()
    expect(pg.locator("[data-figure=total]").first).to_have_text(GERMAN_MONEY)
    no_raw_figures(pg)
    shot(pg, "i18n-de-dashboard")
    pg.get_by_role("navigation").get_by_role("link", name="Kunden").click()
    pg.locator("#customers tbody a").first.click()
    expect(pg.locator(".figure-label").first).to_have_text("Saldo")
    no_raw_figures(pg)
    shot(pg, "i18n-de-account")

    # users: add a collector; assignment: a rule for them, applied
    pg.get_by_role("navigation").get_by_role("link", name="Benutzer").click()
    expect(pg).to_have_title(re.compile("^Benutzer"))
    form = pg.locator("#add-user")
    form.get_by_label("Benutzername").fill("anna")
    form.get_by_label("Rolle").select_option("collector")
    form.get_by_label("Passwort").fill("anna-collector-pw")
    form.get_by_role("button", name="Benutzer anlegen").click()
    expect(pg.get_by_role("status")).to_have_text(
        "anna ist als Sachbearbeiter angelegt und kann sich jetzt anmelden."
    )
    expect(pg.locator('#users tr[data-user="anna"] select option:checked')).to_have_text(
        "Sachbearbeiter"
    )
    shot(pg, "i18n-de-users")
    pg.get_by_role("navigation").get_by_role("link", name="Zuteilung").click()
    expect(pg).to_have_title(re.compile("^Zuteilung"))
    rule = pg.locator("#add-rule")
    rule.get_by_label("Sachbearbeiter").select_option("anna")
    rule.get_by_label("Währung").fill("gbp")
    rule.get_by_label("Saldo mindestens").fill("500")
    rule.get_by_role("button", name="Regel anlegen").click()
    expect(pg.get_by_role("status")).to_contain_text("Regel 1 für anna angelegt.")
    expect(pg.locator("#rules tbody tr").first.locator("td.conditions")).to_have_text(
        "offen in GBP, Saldo mindestens 500,00 £"
    )
    pg.get_by_role("button", name="Regeln anwenden").click()
    expect(pg.get_by_role("status")).to_contain_text(f"Regeln auf {CUSTOMERS} Konten angewandt")
    held = assignments.counts_by_user(server.book)["anna"]["rule"]
    assert held > 0
    shot(pg, "i18n-de-assignment")
    pg.locator('#collectors tr[data-collector="anna"]').get_by_role(
        "link", name="Arbeitsliste"
    ).click()
    expect(pg).to_have_title(re.compile("^Arbeitsliste"))
    expect(pg.locator("#f-collector")).to_have_value("anna")
    shot(pg, "i18n-de-worklist")

    # their own page: English wins over the browser's German, then the browser's again
    pg.locator("a.who").click()
    expect(pg).to_have_title(re.compile("^Ihr Passwort und Ihre Sprache"))
    pg.get_by_label("Die Sprache Ihrer Seiten").select_option("en")
    pg.get_by_role("button", name="Sprache speichern").click()
    expect(pg.locator("html")).to_have_attribute("lang", "en-GB")  # the server's region
    expect(pg.get_by_role("status")).to_have_text("Your pages are in the language you chose.")
    shot(pg, "i18n-de-language-english")
    pg.get_by_role("link", name="Dashboard", exact=True).click()
    expect(pg.locator("[data-figure=total]").first).to_have_text(re.compile(r"^£[\d,]+\.\d\d$"))
    pg.locator("a.who").click()
    pg.get_by_label("The language of your pages").select_option("")
    pg.get_by_role("button", name="Save language").click()
    expect(pg.locator("html")).to_have_attribute("lang", "de-DE")
    pg.set_viewport_size(PHONE)
    pg.goto(base + "/outbox?section=delivered")
    shot(pg, "i18n-de-outbox-phone")
    # the refused check answered 422, which Chromium notes; nothing else went wrong
    assert [m for m in console if "status of 422" not in m] == []
