"""Sessions that end, in a real browser (issue 14): Debian's Chromium driven by
Playwright against uvicorn. Logging out, going back: the page asks to log in again (and a
copy of the old cookie opens nothing); a password change logs the user's other browser
out; an owner disabling a user logs them out and keeps them out; too many wrong
passwords show "Too many attempts; try again in N minutes".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from recoup.services import users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import SESSION_COOKIE, create_app
from tests import browser_support
from tests.browser_support import browser_fixture, fill_login, serving, shot

pytestmark = pytest.mark.browser

PEOPLE = {
    "olga": ("olga-owner-pw", Role.OWNER),
    "vic": ("vic-viewer-pw", Role.VIEWER),
    "pat": ("pat-collector-pw", Role.COLLECTOR),
    "dee": ("dee-viewer-pw", Role.VIEWER),
    "ray": ("ray-viewer-pw", Role.VIEWER),
}
PER_USER = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn in a background thread over a small book with five users."""
    path = tmp_path_factory.mktemp("sessions") / "book.db"
    book = Book.create(str(path))
    for name, (password, role) in PEOPLE.items():
        users.add_user(book, name, password, role)
    settings = Settings(
        database_url=str(path),
        secret_key="browser-sessions-" + "k" * 32,
        login_attempts_per_user=PER_USER,
        login_attempts_per_address=200,  # every test logs in from 127.0.0.1
    )
    with serving(create_app(settings, book), book) as url:
        yield url


browser = browser_fixture()


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """New browser contexts (separate cookie jars: separate browsers), closed after."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def new_page(
    browser: Browser, contexts: list[BrowserContext], errors: list[str] | None = None
) -> Page:
    """A page in a context of its own (closed after the test); what went wrong on it in
    `errors` (see browser_support.new_page)."""
    pg = browser_support.new_page(browser, errors)
    contexts.append(pg.context)
    return pg


def log_in(pg: Page, base: str, name: str, password: str | None = None) -> None:
    pg.goto(base + "/")
    expect(pg).to_have_url(re.compile(r"/login"))
    fill_login(pg, (name, password or PEOPLE[name][0]))
    expect(pg).to_have_url(base + "/")


def asks_to_log_in(pg: Page) -> None:
    expect(pg).to_have_url(re.compile(r"/login"))
    expect(pg).to_have_title(re.compile("^Log in"))
    expect(pg.get_by_role("button", name="Log in")).to_be_visible()


def test_log_out_then_back_asks_to_log_in(
    browser: Browser, contexts: list[BrowserContext], server: str
) -> None:
    pg = new_page(browser, contexts)
    log_in(pg, server, "vic")
    pg.get_by_role("link", name="Customers").click()
    expect(pg).to_have_url(server + "/customers")
    copied = [c for c in pg.context.cookies() if c["name"] == SESSION_COOKIE]
    assert copied
    pg.get_by_role("button", name="Log out").click()
    asks_to_log_in(pg)
    pg.go_back()
    asks_to_log_in(pg)
    expect(pg).to_have_url(re.compile(r"/login\?next=%2Fcustomers$"))
    shot(pg, "back-after-logout")
    # someone who copied the cookie before the logout gets no further
    thief = new_page(browser, contexts)
    thief.context.add_cookies(copied)  # type: ignore[arg-type]
    thief.goto(server + "/customers")
    asks_to_log_in(thief)


def test_a_password_change_logs_the_other_browser_out(
    browser: Browser, contexts: list[BrowserContext], server: str
) -> None:
    laptop, phone = new_page(browser, contexts), new_page(browser, contexts)
    log_in(laptop, server, "pat")
    log_in(phone, server, "pat")
    laptop.get_by_role("link", name=re.compile("^pat")).click()
    expect(laptop).to_have_url(server + "/password")
    laptop.get_by_label("Current password").fill(PEOPLE["pat"][0])
    laptop.get_by_label("New password (at least 8 characters)").fill("pat-second-pw")
    laptop.get_by_label("New password again").fill("pat-second-pw")
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_role("status")).to_contain_text("Your password is changed")
    laptop.get_by_role("link", name="Customers").click()
    expect(laptop).to_have_url(server + "/customers")  # this browser goes on
    phone.reload()
    asks_to_log_in(phone)
    log_in(phone, server, "pat", "pat-second-pw")


def test_a_disabled_user_is_logged_out_and_kept_out(
    browser: Browser, contexts: list[BrowserContext], server: str
) -> None:
    owner, dee = new_page(browser, contexts), new_page(browser, contexts)
    log_in(dee, server, "dee")
    log_in(owner, server, "olga")
    owner.get_by_role("link", name="Users").click()
    row = owner.locator('tr[data-user="dee"]')
    expect(row.locator("td.num")).to_have_text("1")
    row.get_by_role("button", name="Disable dee").click()
    expect(owner.get_by_role("status")).to_have_text("dee is disabled: 1 session ended.")
    expect(row).to_contain_text("disabled")
    shot(owner, "users-disabled")
    dee.reload()
    asks_to_log_in(dee)
    fill_login(dee, ("dee", PEOPLE["dee"][0]))
    expect(dee.get_by_role("alert")).to_have_text(
        "This login is disabled. Ask an owner to enable it again."
    )
    owner.locator('tr[data-user="dee"]').get_by_role("button", name="Enable dee").click()
    expect(owner.get_by_role("status")).to_have_text("dee may log in again.")
    log_in(dee, server, "dee")


def test_too_many_wrong_passwords_show_the_message(
    browser: Browser, contexts: list[BrowserContext], server: str
) -> None:
    pg = new_page(browser, contexts)
    pg.goto(server + "/login")
    for n in range(PER_USER):
        pg.get_by_label("Username").fill("ray")
        pg.get_by_label("Password").fill(f"wrong-guess-{n}")
        pg.get_by_role("button", name="Log in").click()
        expect(pg.get_by_role("alert")).to_have_text("That username and password do not match.")
    pg.get_by_label("Password").fill(PEOPLE["ray"][0])
    pg.get_by_role("button", name="Log in").click()
    expect(pg.get_by_role("alert")).to_have_text("Too many attempts; try again in 15 minutes.")
    asks_to_log_in(pg)
    shot(pg, "login-too-many")
    # another user on the same machine is not held up
    log_in(pg, server, "vic")


def test_sign_out_everywhere_from_the_users_page(
    browser: Browser, contexts: list[BrowserContext], server: str
) -> None:
    owner, vic = new_page(browser, contexts), new_page(browser, contexts)
    log_in(vic, server, "vic")
    log_in(owner, server, "olga")
    owner.goto(server + "/admin/users")
    owner.locator('tr[data-user="vic"]').get_by_role(
        "button", name="Sign out vic everywhere"
    ).click()
    expect(owner.get_by_role("status")).to_contain_text("vic is signed out everywhere")
    vic.reload()
    asks_to_log_in(vic)
    owner.reload()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Users")  # the owner stays


def test_the_users_page_has_no_console_errors(
    browser: Browser, contexts: list[BrowserContext], server: str
) -> None:
    errors: list[str] = []
    pg = new_page(browser, contexts, errors)
    log_in(pg, server, "olga")
    pg.goto(server + "/admin/users")
    pg.goto(server + "/password")
    assert errors == []
