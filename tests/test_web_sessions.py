"""Sessions that end (issue 14): after a logout, a password change, disabling the user,
or an owner's "sign out everywhere", a copy of the old session cookie opens no page and
performs no action; logins are limited per username and per client address.

Every ending is checked the same way: a copy of the cookie (and its CSRF token) taken
while the session was open is first shown to work, then replayed after the ending
against a page (GET /admin/users) and an action (POST /admin/users/disable, which would
disable carl). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from recoup import clock
from recoup.services import sessions, users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import SESSION_COOKIE, create_app

SECRET = "sessions-test-" + "s" * 32
PASSWORDS = {
    "olivia": ("olivia-owner-pw", Role.OWNER),
    "oscar": ("oscar-owner-pw", Role.OWNER),
    "carl": ("carl-collector-pw", Role.COLLECTOR),
}
TOO_MANY = re.compile(r"Too many attempts; try again in (\d+) minutes?\.")


@dataclass
class Copy:
    """A session cookie and its CSRF token, as someone who copied them would have."""

    cookie: str
    token: str


@dataclass
class Site:
    book: Book
    app: FastAPI

    def client(self, address: str = "10.0.0.1") -> TestClient:
        return TestClient(self.app, follow_redirects=False, client=(address, 50000))


@pytest.fixture
def site(book: Book) -> Iterator[Site]:
    for name, (password, role) in PASSWORDS.items():
        users.add_user(book, name, password, role)
    app = create_app(Settings(secret_key=SECRET), book)
    with TestClient(app):  # runs the app's start-up and shut-down
        yield Site(book, app)


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def attempt(client: TestClient, name: str, password: str) -> httpx.Response:
    token = token_of(client.get("/login").text)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token})


def log_in(client: TestClient, name: str) -> Copy:
    response = attempt(client, name, PASSWORDS[name][0])
    assert response.status_code == 303, response.text
    page = client.get("/admin/users" if PASSWORDS[name][1] is Role.OWNER else "/")
    assert page.status_code == 200
    return Copy(client.cookies[SESSION_COOKIE], token_of(page.text))


def replayed(site: Site, copy: Copy) -> TestClient:
    client = site.client("10.9.9.9")
    client.cookies.set(SESSION_COOKIE, copy.cookie)
    return client


def opens_and_acts(site: Site, copy: Copy) -> bool:
    """Whether the copied cookie opens the users page; if not, also that it cannot
    disable carl (the action is refused and carl stays enabled)."""
    client = replayed(site, copy)
    page = client.get("/admin/users")
    if page.status_code == 200:
        return True
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    action = client.post(
        "/admin/users/disable",
        data={"username": "carl", "disabled": "true", "csrf_token": copy.token},
    )
    assert action.status_code == 303
    assert action.headers["location"].startswith("/login")
    carl = users.get_user(site.book, "carl")
    assert carl is not None
    assert not carl.disabled
    return False


# --- endings ----------------------------------------------------------------------------


def test_logout_ends_this_session_and_a_copy_of_its_cookie(site: Site) -> None:
    browser, other_browser = site.client(), site.client()
    copy = log_in(browser, "olivia")
    other = log_in(other_browser, "olivia")
    assert opens_and_acts(site, copy)  # the copy works while the session is open
    response = browser.post("/logout", data={"csrf_token": copy.token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert browser.get("/").status_code == 303
    assert not opens_and_acts(site, copy)
    assert opens_and_acts(site, other)  # her session on another browser goes on


def test_changing_ones_password_ends_every_other_session(site: Site) -> None:
    browser, other_browser = site.client(), site.client()
    copy = log_in(browser, "olivia")
    other = log_in(other_browser, "olivia")
    form = browser.get("/password")
    assert form.status_code == 200
    wrong = browser.post(
        "/password",
        data={
            "current": "not-her-password",
            "new": "olivia-new-pw",
            "repeat": "olivia-new-pw",
            "csrf_token": token_of(form.text),
        },
    )
    assert wrong.status_code == 422
    assert "current password is not right" in wrong.text
    assert opens_and_acts(site, other)  # a refused change ends nothing
    done = browser.post(
        "/password",
        data={
            "current": PASSWORDS["olivia"][0],
            "new": "olivia-new-pw",
            "repeat": "olivia-new-pw",
            "csrf_token": token_of(form.text),
        },
    )
    assert done.status_code == 200
    assert "Your password is changed" in done.text
    assert not opens_and_acts(site, other)
    assert not opens_and_acts(site, copy)  # this browser's old session ended too ...
    assert browser.get("/admin/users").status_code == 200  # ... and it has a new one
    assert attempt(site.client(), "olivia", PASSWORDS["olivia"][0]).status_code == 401
    assert attempt(site.client(), "olivia", "olivia-new-pw").status_code == 303


def test_a_password_set_by_the_cli_or_replaced_ends_the_users_sessions(site: Site) -> None:
    first = log_in(site.client(), "olivia")
    assert users.set_password(site.book, "olivia", "olivia-second-pw") == 1
    assert not opens_and_acts(site, first)
    second = log_in_with(site, "olivia", "olivia-second-pw")
    users.add_user(site.book, "olivia", "olivia-third-pw", Role.OWNER, replace=True)
    assert not opens_and_acts(site, second)


def log_in_with(site: Site, name: str, password: str) -> Copy:
    client = site.client()
    assert attempt(client, name, password).status_code == 303
    return Copy(client.cookies[SESSION_COOKIE], token_of(client.get("/admin/users").text))


def test_disabling_a_user_ends_their_sessions_and_their_logins(site: Site) -> None:
    copy = log_in(site.client(), "olivia")
    admin = site.client()
    oscar = log_in(admin, "oscar")
    response = admin.post(
        "/admin/users/disable",
        data={"username": "olivia", "disabled": "true", "csrf_token": oscar.token},
    )
    assert response.status_code == 303
    page = admin.get("/admin/users").text
    assert "olivia is disabled: 1 session ended." in page
    assert re.search(r'data-user="olivia">.*?disabled', page, re.S)
    assert not opens_and_acts(site, copy)
    refused = attempt(site.client("10.0.0.2"), "olivia", PASSWORDS["olivia"][0])
    assert refused.status_code == 403
    assert "This login is disabled" in refused.text
    assert attempt(site.client("10.0.0.3"), "olivia", "a-wrong-password").status_code == 401
    # enabled again: she may log in, but the ended session stays ended
    admin.post(
        "/admin/users/disable",
        data={"username": "olivia", "disabled": "false", "csrf_token": oscar.token},
    )
    assert not opens_and_acts(site, copy)
    assert opens_and_acts(site, log_in(site.client("10.0.0.4"), "olivia"))


def test_an_owner_cannot_disable_themselves(site: Site) -> None:
    admin = site.client()
    oscar = log_in(admin, "oscar")
    response = admin.post(
        "/admin/users/disable",
        data={"username": "oscar", "disabled": "true", "csrf_token": oscar.token},
    )
    assert response.status_code == 400
    assert opens_and_acts(site, oscar)


def test_sign_out_everywhere_for_one_user(site: Site) -> None:
    first, second = log_in(site.client(), "olivia"), log_in(site.client(), "olivia")
    carl_client = site.client()
    log_in(carl_client, "carl")
    admin = site.client()
    oscar = log_in(admin, "oscar")
    assert '<td class="num">2</td>' in admin.get("/admin/users").text  # olivia's two
    response = admin.post(
        "/admin/users/signout", data={"username": "olivia", "csrf_token": oscar.token}
    )
    assert response.status_code == 303
    assert "olivia is signed out everywhere: 2 sessions ended." in admin.get("/admin/users").text
    assert not opens_and_acts(site, first)
    assert not opens_and_acts(site, second)
    assert opens_and_acts(site, oscar)
    assert carl_client.get("/").status_code == 200


def test_sign_out_all_users(site: Site) -> None:
    olivia = log_in(site.client(), "olivia")
    carl_client = site.client()
    log_in(carl_client, "carl")
    admin = site.client()
    oscar = log_in(admin, "oscar")
    response = admin.post("/admin/users/signout-all", data={"csrf_token": oscar.token})
    assert response.status_code == 303
    assert not opens_and_acts(site, olivia)
    assert not opens_and_acts(site, oscar)  # the owner who asked included
    assert carl_client.get("/").status_code == 303
    assert sessions.open_counts(site.book) == {}


def test_only_an_owner_may_end_sessions(site: Site) -> None:
    olivia = log_in(site.client(), "olivia")
    carl = site.client()
    token = log_in(carl, "carl").token
    for path, data in (
        ("/admin/users/signout-all", {}),
        ("/admin/users/signout", {"username": "olivia"}),
        ("/admin/users/disable", {"username": "olivia", "disabled": "true"}),
    ):
        assert carl.post(path, data={**data, "csrf_token": token}).status_code == 403
    assert opens_and_acts(site, olivia)


def test_a_session_expires_after_its_lifetime(site: Site) -> None:
    copy = log_in(site.client(), "olivia")

    def at(later: timedelta) -> FastAPI:
        moment = (clock.now() + later).isoformat()
        return create_app(Settings(secret_key=SECRET, now=moment), site.book)

    for later, opens in ((sessions.LIFETIME - timedelta(minutes=5), 200), (sessions.LIFETIME, 303)):
        with TestClient(at(later), follow_redirects=False) as client:
            client.cookies.set(SESSION_COOKIE, copy.cookie)
            assert client.get("/admin/users").status_code == opens


# --- login limits -------------------------------------------------------------------------


def limited_site(book: Book, **limits: int) -> Site:
    return Site(book, create_app(Settings(secret_key=SECRET, **limits), book))  # type: ignore[arg-type]


def test_too_many_attempts_for_one_username(site: Site) -> None:
    for n in range(5):  # the default: 5 per username in 15 minutes, from any address
        assert attempt(site.client(f"10.1.0.{n}"), "olivia", f"guess-{n}").status_code == 401
    client = site.client("10.1.0.9")
    refused = attempt(client, "olivia", PASSWORDS["olivia"][0])
    assert refused.status_code == 429  # even the right password: it is not checked
    found = TOO_MANY.search(refused.text)
    assert found, refused.text
    assert found.group(1) == "15"
    assert refused.headers["retry-after"] == "900"
    assert client.get("/").status_code == 303  # not logged in
    assert attempt(site.client("10.1.0.9"), "OLIVIA ", "guess").status_code == 429  # any spelling
    # other names are not held up, from the same address either
    assert attempt(site.client("10.1.0.9"), "oscar", PASSWORDS["oscar"][0]).status_code == 303


def test_a_successful_login_starts_the_users_count_again(site: Site) -> None:
    client = site.client()
    for n in range(4):
        assert attempt(client, "olivia", f"guess-{n}").status_code == 401
    assert attempt(client, "olivia", PASSWORDS["olivia"][0]).status_code == 303
    client.cookies.clear()
    for n in range(4):
        assert attempt(client, "olivia", f"again-{n}").status_code == 401


def test_too_many_attempts_from_one_address(book: Book) -> None:
    for name, (password, role) in PASSWORDS.items():
        users.add_user(book, name, password, role)
    site = limited_site(book, login_attempts_per_address=4, login_window_minutes=10)
    client = site.client("192.0.2.7")
    for name in ("ann", "bob", "cid", "dan"):  # unknown names cost the same work
        assert attempt(client, name, "whatever-pw").status_code == 401
    refused = attempt(client, "olivia", PASSWORDS["olivia"][0])
    assert refused.status_code == 429
    found = TOO_MANY.search(refused.text)
    assert found
    assert found.group(1) == "10"
    assert attempt(site.client("192.0.2.8"), "olivia", PASSWORDS["olivia"][0]).status_code == 303


def test_a_password_change_counts_as_an_attempt(site: Site) -> None:
    client = site.client()
    copy = log_in(client, "olivia")
    for n in range(6):  # her login cleared the count: five attempts, the sixth refused
        response = client.post(
            "/password",
            data={
                "current": f"guess-{n}",
                "new": "x" * 10,
                "repeat": "x" * 10,
                "csrf_token": copy.token,
            },
        )
        assert response.status_code == (422 if n < 5 else 429)
    assert TOO_MANY.search(response.text)


# --- the cookie ---------------------------------------------------------------------------


@pytest.mark.parametrize(("https_only", "secure"), [(False, False), (True, True)])
def test_https_only_makes_the_cookie_secure(
    sqlite_book: Book, https_only: bool, secure: bool
) -> None:
    app = create_app(Settings(secret_key=SECRET, https_only=https_only), sqlite_book)
    with TestClient(app, base_url="https://testserver") as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert ("; secure" in cookie) is secure


def test_https_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOUP_HTTPS_ONLY", "1")
    assert Settings().https_only is True


def test_pages_are_not_kept_by_the_browser_but_static_files_may_be(site: Site) -> None:
    client = site.client()
    log_in(client, "olivia")
    assert client.get("/").headers["cache-control"] == "no-store"
    assert client.get("/login").headers["cache-control"] == "no-store"
    css = client.get("/static/recoup.css")
    assert css.status_code == 200
    assert css.headers.get("cache-control") != "no-store"
