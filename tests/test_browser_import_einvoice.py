"""An e-invoice through the import page in a real browser (Debian's Chromium through
Playwright, against uvicorn): the owner uploads a Peppol BIS 3 UBL invoice of
shared/corpus/einvoice, sees what it says (number, buyer, dates, amount to pay, tax,
payment reference), checks it, imports it, and finds the invoice on its customer's
page. Screenshots go to tests/screenshots/ (einvoice-*.png). Skipped when the shared
corpus is absent; Chromium missing fails under CI."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import (
    DESKTOP,
    GPU_ARGS,
    PHONE,
    browser_fixture,
    log_in,
    new_page,
    shot,
)
from tests.conftest import corpus_file
from tests.test_browser_operations import BUSINESS, OWNER, Server, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("browser-einvoice"), BUSINESS)


browser = browser_fixture(GPU_ARGS)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    pg = new_page(browser, locale="en-GB")
    yield pg
    pg.context.close()


def test_a_ubl_invoice_uploaded_checked_imported_and_on_its_customers_page(
    page: Page, server: Server
) -> None:
    invoice = corpus_file("einvoice", "peppol-bis-3", "base-example.xml")
    pg = page
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    log_in(pg, server.url, OWNER, start="/")
    pg.get_by_role("link", name="Import", exact=True).click()
    pg.get_by_label("File", exact=True).set_input_files(str(invoice))
    pg.get_by_role("button", name="Upload and look at it").click()

    # what the document says, before anything is written
    figures = pg.locator("#einvoice")
    expect(figures.locator("[data-figure=number]")).to_have_text("Snippet1")
    expect(figures.locator("[data-figure=buyer]")).to_contain_text("Buyer Official Name")
    expect(figures.locator("[data-figure=buyer]")).to_contain_text("SE4598375937")
    expect(figures.locator("[data-figure=issue-date]")).to_have_text("13 Nov 2017")
    expect(figures.locator("[data-figure=due-date]")).to_contain_text("1 Dec 2017")
    expect(figures.locator("[data-figure=currency]")).to_have_text("EUR")
    expect(figures.locator("[data-figure=payable]")).to_have_text("€1,656.25")
    expect(figures.locator("[data-figure=tax]")).to_have_text("€331.25")
    expect(figures.locator("[data-figure=payment-reference]")).to_have_text("Snippet1")
    expect(pg.locator("#mapping")).to_have_count(0)
    shot(pg, "einvoice-import-read")

    pg.get_by_role("button", name="Check the file").click()
    expect(pg.locator("#check-result")).to_contain_text("Ready to import")
    expect(pg.locator("#check-result")).to_contain_text("its buyer would be a new customer")
    shot(pg, "einvoice-import-ready")
    pg.set_viewport_size(PHONE)
    shot(pg, "einvoice-import-phone")
    pg.set_viewport_size(DESKTOP)

    pg.get_by_role("button", name="Import the invoice").click()
    done = pg.locator("#import-done")
    expect(done.locator("[data-figure=imported]")).to_have_text("1")
    expect(done).to_contain_text("The invoice Snippet1 is on its customer's page")
    shot(pg, "einvoice-import-done")

    pg.get_by_role("link", name="Open the customer →").click()
    expect(pg).to_have_url(re.compile(r"/customers/[^/]+$"))
    expect(pg.locator("h1")).to_contain_text("Buyer Official Name")
    expect(pg.locator("main")).to_contain_text("Snippet1")
    expect(pg.locator("main")).to_contain_text("€1,656.25")
    shot(pg, "einvoice-customer")
    assert errors == []
