"""The whole job in a real browser (Debian's Chromium through Playwright, against
uvicorn), starting from an empty book: the owner logs in, imports customers and then
invoices through the upload page (the invoices first without a currency, which the
check refuses with its problems grouped, then with one), previews today's run, runs
it, opens the outbox, sends now, and finds the messages delivered, as .eml files in
the outbox folder. Screenshots of every page go to tests/screenshots/ (ops-*.png).

The server acts at a fixed moment (a Tuesday, 10:00 UTC: inside every customer's
contact hours), so that what the run decides and what delivery sends do not depend on
the day the test runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from recoup.services import daily_run, delivery_problems, importing, users
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.browser_support import (
    DESKTOP,
    GPU_ARGS,
    PHONE,
    Served,
    browser_fixture,
    console_fixture,
    log_in,
    page_fixture,
    serving,
    shot,
)

pytestmark = pytest.mark.browser

OWNER = ("olivia", "olivia-operations-pw")
MOMENT = "2026-03-10T10:00:00"  # a Tuesday
TODAY = date(2026, 3, 10)
CUSTOMERS = 8
BUSINESS = {
    "business_name": "Acme Design Ltd",
    "business_address": "1 Market Street|Leeds LS1 4AB|United Kingdom",
    "business_phone": "+44 113 496 0000",
    "business_bank": "IBAN GB33 BUKB 2020 1555 5555 55 · BIC BUKBGB22",
    "business_email": "accounts@acme.example",
    "mail_from": "accounts@acme.example",
}


@dataclass
class Server(Served):
    outbox: Path  # where delivery writes the .eml files
    files: Path  # the files the test uploads


def customers_csv() -> str:
    lines = ["Customer ID,Company,Country,Email,Contact,Language,Time zone"]
    for n in range(1, CUSTOMERS + 1):
        lines.append(
            f"K{n:03d},Client {n} Ltd,GB,ap{n}@client{n}.example,Alex Doe {n},en,Europe/London"
        )
    return "\n".join(lines) + "\n"


def invoices_csv(with_currency: bool) -> str:
    """Two invoices per customer, due 10 and 40 days before today (day/month/year, a
    comma as decimal mark, as a UK export might write them)."""
    head = "Customer ID;Invoice No;Invoice Date;Due Date;Total" + (
        ";Currency" if with_currency else ""
    )
    lines = [head]
    for n in range(1, CUSTOMERS + 1):
        for number, days in ((1, 10), (2, 40)):
            due = TODAY - timedelta(days=days)
            issued = due - timedelta(days=30)
            amount = f"{100 * n + 25 * number},{n:02d}"
            row = f"K{n:03d};INV-{n:03d}-{number};{issued:%d/%m/%Y};{due:%d/%m/%Y};{amount}"
            lines.append(row + (";GBP" if with_currency else ""))
    return "\n".join(lines) + "\n"


def serve(root: Path, details: dict[str, str]) -> Iterator[Server]:
    """uvicorn on a free loopback port over a new book in `root`, with the owner."""
    path = root / "book.db"
    book = Book.create(str(path))
    users.add_user(book, *OWNER, Role.OWNER)
    files = root / "files"
    files.mkdir()
    (files / "customers.csv").write_text(customers_csv(), encoding="utf-8")
    (files / "invoices.csv").write_text(invoices_csv(False), encoding="utf-8")
    outbox = root / "outbox"
    settings = Settings(
        database_url=str(path),
        secret_key="operations-" + "k" * 32,
        outbox_dir=str(outbox),
        now=MOMENT,
        locale="en_GB",
        **details,
    )
    with serving(create_app(settings, book), book) as url:
        yield Server(url, book, outbox, files)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("browser-operations"), BUSINESS)


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server without the business details: messages wait for the set-up."""
    yield from serve(tmp_path_factory.mktemp("browser-operations-bare"), {})


browser = browser_fixture(GPU_ARGS)
console = console_fixture()
page = page_fixture("en-GB")


def upload(pg: Page, kind: str, file: Path) -> None:
    pg.locator(f"input[name=kind][value={kind}]").check()
    pg.get_by_label("File", exact=True).set_input_files(str(file))
    pg.get_by_role("button", name="Upload and look at it").click()
    expect(pg.locator("#file-title")).to_contain_text(file.name)


def test_import_preview_run_and_send(page: Page, server: Server, console: list[str]) -> None:
    pg = page
    base = server.url
    log_in(pg, base, OWNER, start="/")

    # customers: upload, the detected mapping, check, import
    pg.get_by_role("link", name="Import", exact=True).click()
    expect(pg).to_have_title(re.compile("^Import"))
    shot(pg, "ops-import-upload")
    upload(pg, "customers", server.files / "customers.csv")
    mapping = pg.locator("#mapping")
    expect(mapping.locator("tr[data-column='Company'] select")).to_have_value("name")
    expect(mapping.locator("tr[data-column='Customer ID'] select")).to_have_value("customer")
    expect(mapping.locator("tr[data-column='Time zone'] select")).to_have_value("timezone")
    shot(pg, "ops-import-mapping")
    pg.get_by_role("button", name="Check the file").click()
    expect(pg.locator("#check-result")).to_contain_text("Ready to import")
    expect(pg.locator("[data-figure=would-import]")).to_have_text(str(CUSTOMERS))
    pg.get_by_role("button", name="Import customers").click()
    expect(pg.locator("#import-done")).to_contain_text("Imported customers.csv")
    expect(pg.locator("#import-done [data-figure=imported]")).to_have_text(str(CUSTOMERS))

    # invoices without a currency: detected dates and decimal mark; the check refuses,
    # its problems grouped (one group for every row), and the book is unchanged
    upload(pg, "invoices", server.files / "invoices.csv")
    expect(pg.locator("#date_format + .field-help")).to_contain_text("day/month/year")
    expect(pg.locator("#decimal + .field-help")).to_contain_text("comma")
    expect(pg.locator("#mapping tr[data-column='Total'] select")).to_have_value("amount")
    pg.get_by_role("button", name="Check the file").click()
    result = pg.locator("#check-result")
    expect(result).to_contain_text("The import would be refused")
    groups = result.locator(".problem-group")
    expect(groups).to_have_count(1)
    expect(groups.first.locator(".pg-count")).to_have_text(f"{2 * CUSTOMERS} rows")
    expect(groups.first).to_contain_text("no currency")
    expect(groups.first.locator(".pg-where")).to_contain_text("invoices.csv:2")
    shot(pg, "ops-import-problems")
    assert delivery_problems.outbox_counts(server.book).waiting == 0
    pg.get_by_label("Currency of rows without one").fill("gbp")
    pg.get_by_role("button", name="Check again").click()
    expect(pg.locator("#check-result")).to_contain_text("Ready to import")
    expect(pg.locator("[data-figure=would-import]")).to_have_text(str(2 * CUSTOMERS))
    shot(pg, "ops-import-ready")
    pg.set_viewport_size(PHONE)
    shot(pg, "ops-import-phone")
    pg.set_viewport_size(DESKTOP)
    pg.get_by_role("button", name="Import invoices").click()
    expect(pg.locator("#import-done [data-figure=imported]")).to_have_text(str(2 * CUSTOMERS))
    shot(pg, "ops-import-done")

    # today's run: the preview, then the run
    pg.get_by_role("link", name="Preview today's run →").click()
    expect(pg).to_have_title(re.compile("^Today's run"))
    emails = pg.locator("a.group-tab[data-group=emails] .count")
    expect(emails).not_to_have_text("0")
    planned = int(emails.inner_text())
    rows = pg.locator("#run-emails tbody tr")
    expect(rows).to_have_count(min(planned, 25))
    expect(rows.first.locator("td.num")).to_have_text(re.compile(r"^£[\d,]+\.\d\d$"))
    expect(rows.first.locator("td.why")).not_to_contain_text(re.compile(r"\d{4}-\d\d-\d\d"))
    shot(pg, "ops-run-preview")
    pg.get_by_role("button", name="Run now").click()
    expect(pg).to_have_title(re.compile("^Run done"))
    expect(pg.locator("li[data-group=emails] strong")).to_have_text(str(planned))
    shot(pg, "ops-run-done")

    # the outbox: waiting, send now, delivered
    pg.get_by_role("link", name=re.compile("^Open the outbox")).click()
    expect(pg).to_have_title(re.compile("^Outbox"))
    expect(pg.locator("[data-figure=waiting]")).to_have_text(str(planned))
    expect(pg.locator("#outbox-waiting tbody tr")).to_have_count(min(planned, 25))
    expect(pg.locator("#outbox-waiting")).to_contain_text("not tried yet")
    shot(pg, "ops-outbox-waiting")
    pg.get_by_role("button", name="Send now").click()
    expect(pg.locator("#sent-result [data-figure=sent]")).to_have_text(str(planned))
    expect(pg.locator("#sent-result")).to_contain_text("Nothing waits")
    expect(pg.locator("[data-figure=delivered]")).to_have_text(str(planned))
    expect(pg.locator("#outbox-delivered tbody tr")).to_have_count(min(planned, 25))
    shot(pg, "ops-outbox-sent")
    files = sorted(server.outbox.glob("*.eml"))
    assert len(files) == planned
    recipients = {re.search(r"^To: .*<(.+)>$", f.read_text(), re.M).group(1) for f in files}  # type: ignore[union-attr]
    assert recipients <= {f"ap{n}@client{n}.example" for n in range(1, CUSTOMERS + 1)}

    # the dashboard's outbox card leads here
    pg.get_by_role("link", name="Dashboard", exact=True).click()
    expect(pg.locator("[data-figure=outbox]")).to_have_text("0")
    pg.locator("a.today-item:has([data-figure=outbox])").click()
    expect(pg).to_have_url(re.compile(r"/outbox$"))
    pg.set_viewport_size(PHONE)
    pg.goto(base + "/outbox?section=delivered")
    shot(pg, "ops-outbox-phone")
    pg.goto(base + "/run")
    shot(pg, "ops-run-phone")
    # the refused check answered 422, which Chromium notes; nothing else went wrong
    assert [m for m in console if "status of 422" not in m] == []


def test_held_messages_say_what_fixes_them(
    page: Page, bare_server: Server, console: list[str]
) -> None:
    server = bare_server
    for kind, name in ((Kind.CUSTOMERS, "customers.csv"), (Kind.INVOICES, "invoices.csv")):
        report = importing.import_file(
            server.book, kind, server.files / name, Options(currency="GBP")
        )
        assert report.ok, report.problems
    planned = len(daily_run.run(server.book, TODAY).actions)
    assert planned == CUSTOMERS
    pg = page
    log_in(pg, server.url, OWNER, start="/")
    pg.goto(server.url + "/outbox")
    pg.get_by_role("button", name="Send now").click()
    expect(pg.locator("#sent-result")).to_contain_text(f"{CUSTOMERS} held until the set-up")
    pg.locator("a.group-tab[data-section=problems]").click()
    rows = pg.locator("#outbox-problems tbody tr")
    expect(rows).to_have_count(CUSTOMERS)
    expect(rows.first).to_contain_text("held by the set-up")
    expect(rows.first.locator("td.why code")).to_have_text("recoup doctor")
    shot(pg, "ops-outbox-held")
    rows.first.get_by_role("link", name="Open the set-up checklist →").click()
    expect(pg.locator("#setup-checklist")).to_be_visible()
    assert list(server.outbox.glob("*.eml")) == []
    assert console == []
