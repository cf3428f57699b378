"""The Bank page in a real browser (Debian's Chromium through Playwright, uvicorn on
loopback): a collector works through the review queue with the keyboard alone, one
keystroke a line (c confirms the first suggestion, x sets a line aside, 1-5 picks a
suggestion, i types the invoices, h opens the history), and screenshots of the queue
(desktop and phone) and of a line's history are saved for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from recoup.services import users
from recoup.services.bank_import import import_statement
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.browser_support import (
    DESKTOP,
    PHONE,
    browser_fixture,
    fill_login,
    new_page,
    serving,
    shot,
)
from tests.conftest import corpus_file
from tests.test_bank_matching import (
    FIRST,
    INVOICES,
    MAPPING,
    _invoice,
    _lines,
    _load,
    _statement,
)

pytestmark = pytest.mark.browser

COLLECTOR = ("carl", "carl-bank-browser-pw")
MORE = [
    "2026-06-03,50.00,EUR,,,,T6",
    "2026-06-03,12.00,EUR,Refund Co,,,T7",
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Book]]:
    book = Book.create(str(tmp_path / "book.db"))
    _load(book, tmp_path, (*INVOICES, ("C2", "INV-1006", "70.00")))
    import_statement(book, _statement(tmp_path, "june.csv", FIRST + MORE), MAPPING)
    users.add_user(book, *COLLECTOR, Role.COLLECTOR)
    settings = Settings(
        database_url=str(tmp_path / "book.db"),
        secret_key="bank-browser-" + "k" * 32,
        locale="en_GB",
        now="2026-06-04T10:00:00",
    )
    with serving(create_app(settings, book), book) as url:
        yield url, book


browser = browser_fixture(scope="function")


def _focused(pg: Page, line: str) -> None:
    """Wait until the line `line` has the keyboard's focus."""
    script = "id => document.activeElement && document.activeElement.dataset.line === id"
    pg.wait_for_function(script, arg=line, timeout=5000)


def test_working_through_the_queue_with_the_keyboard(
    browser: Browser, server: tuple[str, Book]
) -> None:
    base, book = server
    lines = {t: str(i) for t, (i, _) in _lines(book).items()}
    errors: list[str] = []
    pg = new_page(browser, errors, locale="en-GB")
    pg.goto(base + "/")
    fill_login(pg, COLLECTOR)
    pg.get_by_role("link", name="Bank", exact=True).click()
    expect(pg).to_have_title(re.compile("^Bank"))
    expect(pg.locator("[data-figure=waiting]")).to_have_text("4")
    expect(pg.locator(".bank-line")).to_have_count(4)
    first = pg.locator(f"#line-{lines['T2']}")
    expect(first.locator(".evidence")).to_contain_text("amount exact")
    expect(first).to_be_focused()
    shot(pg, "bank-queue")
    pg.set_viewport_size(PHONE)
    shot(pg, "bank-queue-phone")
    pg.set_viewport_size(DESKTOP)

    # c: the first suggestion of the focused line
    pg.keyboard.press("c")
    expect(pg.locator("#bank-done")).to_contain_text("confirmed: INV-1003 €100.00")
    expect(pg.locator(".bank-line")).to_have_count(3)
    _focused(pg, lines["T5"])
    # j and k move between the lines
    pg.keyboard.press("j")
    _focused(pg, lines["T6"])
    pg.keyboard.press("k")
    _focused(pg, lines["T5"])
    # x: not a customer payment
    pg.keyboard.press("x")
    expect(pg.locator("#bank-done")).to_contain_text("not a customer payment")
    _focused(pg, lines["T6"])
    # h: the line's history, and back
    pg.keyboard.press("h")
    expect(pg.locator("#line-history")).to_contain_text("waits")
    shot(pg, "bank-line")
    pg.go_back()
    expect(pg.locator(".bank-line")).to_have_count(2)
    pg.locator(f"#line-{lines['T6']}").focus()
    # 1: that suggestion
    pg.keyboard.press("1")
    expect(pg.locator("#bank-done")).to_contain_text("confirmed: INV-1002 €50.00")
    # the next line has the focus; i types the invoices (a split of an open invoice), Enter applies
    _focused(pg, lines["T7"])
    pg.keyboard.press("i")
    pg.keyboard.type("INV-1006=12.00")
    pg.keyboard.press("Enter")
    expect(pg.locator("#bank-done")).to_contain_text("confirmed: INV-1006 €12.00")
    expect(pg.locator("#queue-empty")).to_have_text("Nothing waits for review.")
    assert _invoice(book, "INV-1003") == ("paid", 0)
    assert _invoice(book, "INV-1002") == ("paid", 0)
    assert _invoice(book, "INV-1006") == ("partial", 5800)
    pg.goto(f"{base}/bank/lines/{lines['T5']}")
    expect(pg.locator("#line-state")).to_have_text("rejected")
    assert errors == []
    pg.context.close()


def test_taking_in_a_statement_from_the_page(
    browser: Browser, server: tuple[str, Book], tmp_path: Path
) -> None:
    """A bank CSV uploaded with its account typed in (the queue's keys do not fire while
    typing), then a camt statement whose lines do not add up to its balances: the outcome
    and the gap are on the page."""
    base, _ = server
    errors: list[str] = []
    pg = new_page(browser, errors, locale="en-GB")
    pg.goto(base + "/")
    fill_login(pg, COLLECTOR)
    pg.goto(base + "/bank")
    expect(pg.locator(".bank-line")).to_have_count(4)
    export = tmp_path / "export.csv"
    export.write_text("date,amount,currency,name,purpose\n2026-06-03,9.99,EUR,Xavier Cox,tip\n")
    pg.locator("#statement-file").set_input_files(str(export))
    pg.locator("#statement-account").click()
    pg.keyboard.type("NL91ABNA0417164300 xc")  # x and c would set aside and confirm a line
    pg.keyboard.press("Backspace")
    pg.keyboard.press("Backspace")
    pg.keyboard.press("Backspace")
    pg.get_by_role("button", name="Import and match").click()
    expect(pg.locator("#bank-imported")).to_contain_text(
        "export.csv: 1 line read, 1 new: 0 applied, 0 to review, 1 not matched"
    )
    expect(pg.locator(".bank-line")).to_have_count(5)  # none confirmed or set aside
    camt = corpus_file("bank", "camt", "oca-bank-statement-import", "test-camt053")
    pg.locator("#statement-file").set_input_files(str(camt))
    pg.get_by_role("button", name="Import and match").click()
    expect(pg.locator("#bank-imported")).to_contain_text("-€434.16 is not in this file")
    expect(pg.locator("[data-gap]")).to_have_attribute("data-gap", "-434.16")
    shot(pg, "bank-imported")
    assert errors == []
    pg.context.close()
