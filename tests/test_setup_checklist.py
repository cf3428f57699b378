"""The dashboard's "Set-up checklist": `recoup doctor`'s gaps, each with its fix, shown
while anything is missing and not at all once everything is set. Through HTTP on SQLite
and PostgreSQL, and in Chromium (a screenshot in tests/screenshots/)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from recoup.services import demo, doctor, users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.browser_support import DESKTOP, PHONE, chromium, log_in, new_page, serving, shot

AS_OF = date(2026, 11, 23)
SECRET = "checklist-test-" + "s" * 32
VIEWER = ("vera", "vera-viewer-pw")
DETAILS = {
    "business_name": "Lindqvist Design Studio",
    "business_address": "Hafenstraße 12|20457 Hamburg|Germany",
    "business_phone": "+49 40 1234 5678",
    "business_email": "accounts@lindqvist.example",
    "business_bank": "IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX",
}


def settings(tmp_path: Path, **values: str) -> Settings:
    return Settings(secret_key=SECRET, outbox_dir=str(tmp_path / "outbox"), **values)  # type: ignore[arg-type]


def logged_in(client: TestClient) -> TestClient:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/login",
        data={"username": VIEWER[0], "password": VIEWER[1], "next": "/", "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


@pytest.fixture
def small_book(book: Book) -> Book:
    demo.write_book(book, demo.make(8, 40, 5, AS_OF, currency="USD"))
    users.add_user(book, *VIEWER, Role.VIEWER)
    return book


def checklist(page: str) -> list[tuple[str, str]]:
    """The checklist's gaps as (what, fix), as the page shows them."""
    items = re.findall(
        r'<p class="gap-what">(.*?)</p>\s*<p class="gap-fix">'
        r'<span class="visually-hidden">How to fix it: </span>(.*?)</p>',
        page,
        re.S,
    )
    return [(words(w), words(f)) for w, f in items]


def words(shown: str) -> str:
    """A gap's text as the page shows it, with its `commands` back in backticks."""
    return html.unescape(re.sub(r"</?code>", "`", shown))


def test_the_checklist_shows_every_gap_with_its_fix(small_book: Book, tmp_path: Path):
    s = settings(tmp_path)
    expected = doctor.check(small_book, s)
    assert not expected.ok
    with TestClient(create_app(s, small_book)) as client:
        page = logged_in(client).get(f"/?as_of={AS_OF}").text
    assert "Set-up checklist" in page
    shown = checklist(page)
    assert shown == [(g.what, g.fix) for g in expected.gaps]
    assert f'data-figure="setup-gaps">{len(expected.gaps)}<' in page
    assert 'data-setting="RECOUP_BUSINESS_PHONE"' in page
    assert 'data-setting="RECOUP_MAIL_FROM"' in page


def test_nothing_when_everything_is_set(small_book: Book, tmp_path: Path):
    with TestClient(create_app(settings(tmp_path, **DETAILS), small_book)) as client:
        page = logged_in(client).get(f"/?as_of={AS_OF}").text
    assert "Total receivable" in page  # the dashboard itself is there
    assert "Set-up checklist" not in page
    assert 'class="gap' not in page


def test_the_book_s_own_details_count(small_book: Book, tmp_path: Path):
    """The demo book's details (kept in the book) fill the checklist in."""
    demo.write_business(small_book)
    with TestClient(create_app(settings(tmp_path), small_book)) as client:
        page = logged_in(client).get(f"/?as_of={AS_OF}").text
    assert "Set-up checklist" not in page


# --- in Chromium ---------------------------------------------------------------------


@pytest.fixture
def served(sqlite_book: Book, tmp_path: Path) -> Iterator[str]:
    demo.write_book(sqlite_book, demo.make(30, 300, 7, AS_OF, currency="USD"))
    users.add_user(sqlite_book, *VIEWER, Role.VIEWER)
    app = create_app(settings(tmp_path, business_name="Lindqvist Design Studio"), sqlite_book)
    with serving(app) as url:  # the sqlite_book fixture closes the book
        yield url


@pytest.mark.browser
def test_the_checklist_in_chromium(served: str):
    errors: list[str] = []
    with chromium() as browser:
        for name, viewport in (("setup-checklist", DESKTOP), ("setup-checklist-phone", PHONE)):
            pg = new_page(browser, errors, locale=None, viewport=viewport)
            log_in(pg, served, VIEWER)
            pg.goto(f"{served}/?as_of={AS_OF}")
            card = pg.locator("#setup-checklist")
            expect(card).to_be_visible()
            expect(card.get_by_role("heading", name=re.compile("Set-up checklist"))).to_be_visible()
            # the name is set; the address, phone, bank details and sender are not
            expect(card.locator("li.gap")).to_have_count(4)
            expect(card.locator('li[data-setting="RECOUP_BUSINESS_NAME"]')).to_have_count(0)
            expect(card.locator('li[data-setting="RECOUP_BUSINESS_BANK"]')).to_contain_text(
                "export RECOUP_BUSINESS_BANK="
            )
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], "the checklist makes the page scroll sideways"
            shot(pg, name)
            pg.context.close()
    assert errors == []
