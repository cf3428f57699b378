"""The upheld-dispute path in a real browser (Debian's Chromium through Playwright,
against uvicorn): a viewer has no case forms; a collector opens a dispute for a whole
invoice and upholds it, beyond a collector's authority, so the credit note waits and
the balance stays; the owner approves it on the Approvals page and only then the
invoice is credited (issue 14: one authority check)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from recoup.services import history, users
from recoup.services.book import Book
from recoup.services.casework import credit_requests, disputes
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.browser_support import GPU_ARGS, Served, browser_fixture, log_in, new_page, serving
from tests.casework_data import balance, invoices
from tests.test_authority_walk import AS_OF, PASSWORDS, ROWS

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    path = tmp_path / "book.db"
    make = getattr(Book, "create", None) or Book.open  # a new book
    book = make(str(path))
    folder = tmp_path / "files"
    folder.mkdir()
    invoices(book, folder, ROWS)
    for name, (password, role) in PASSWORDS.items():
        users.add_user(book, name, password, role)
    app = create_app(Settings(database_url=str(path), secret_key="authority-" + "k" * 32), book)
    with serving(app, book) as url:
        yield Served(url, book)


browser = browser_fixture(GPU_ARGS, scope="function")


def logged_in(browser: Browser, base: str, name: str, problems: list[str]) -> Page:
    pg = new_page(browser, problems, console=False, failed_from=500)
    log_in(pg, base, (name, PASSWORDS[name][0]))
    return pg


def test_an_upheld_dispute_beyond_authority_waits_for_the_owner(
    browser: Browser, server: Served
) -> None:
    problems: list[str] = []
    base, book = server.url, server.book
    account = f"{base}/customers/C2?as_of={AS_OF.isoformat()}"

    viewer = logged_in(browser, base, "vera", problems)
    viewer.goto(account)
    expect(viewer.get_by_role("heading", level=1)).to_be_visible()
    expect(viewer.locator("#form-dispute")).to_have_count(0)
    expect(viewer.locator("#form-dispute-resolve")).to_have_count(0)
    viewer.context.close()

    pg = logged_in(browser, base, "carl", problems)
    pg.goto(account)
    opening = pg.locator("#form-dispute")
    opening.locator("summary").click()
    opening.get_by_label("Invoice").select_option("B1")
    opening.get_by_label("Reason").select_option("duplicate")
    opening.get_by_role("button", name="Open dispute").click()
    expect(pg.locator("#flash")).to_contain_text("Dispute on B1 for €250.00")
    [d] = disputes.list_disputes(book, "C2", "open")

    resolving = pg.locator("#form-dispute-resolve")
    resolving.locator("summary").click()
    resolving.locator('select[name="dispute"]').select_option(str(d.id))
    resolving.get_by_label("Resolution").select_option("upheld")
    resolving.get_by_role("button", name="Resolve").click()
    expect(pg.locator("#flash")).to_contain_text("Credit note of €250.00 on B1 asked for")
    expect(pg.locator("#flash")).to_contain_text("waits for the owner's approval")
    expect(pg.locator('#timeline .tl-item[data-kind="credit_requested"]')).to_have_count(1)
    assert balance(book, "C2") == 25000  # nothing credited yet
    [waiting] = credit_requests.list_requests(book, status="pending")
    pg.goto(f"{base}/approvals")
    expect(pg.get_by_text(re.compile("needs the owner role"))).to_be_visible()
    pg.context.close()

    owner = logged_in(browser, base, "olivia", problems)
    owner.get_by_role("link", name="Approvals").click()
    owner.goto(f"{base}/approvals?as_of={AS_OF.isoformat()}")
    row = owner.locator(f'#credit-approvals tr[data-credit="{waiting.id}"]')
    expect(row).to_contain_text("B1")
    expect(row).to_contain_text("250.00")
    expect(row).to_contain_text("carl")
    row.get_by_role("button", name="Approve").click()
    expect(owner.locator(".flash")).to_contain_text("Credit note of €250.00 on B1 for C2 approved")
    expect(owner.locator("#credit-approvals")).to_have_count(0)
    assert balance(book, "C2") == 0
    owner.goto(account)
    resolved = owner.locator('#timeline .tl-item[data-kind="dispute_resolved"]')
    expect(resolved).to_contain_text("asked for by carl, approved by olivia")
    owner.context.close()
    assert [e.kind for e in history.entries(book, "C2") if e.kind != "email"][-3:] == [
        "dispute",
        "credit_requested",
        "dispute_resolved",
    ]
    assert problems == []
