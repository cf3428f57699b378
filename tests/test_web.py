"""The web UI through its HTTP interface: logins, roles, CSRF, pages, search, sort, paging,
the worklist and the account's next steps (after three weeks of daily runs).

Runs on SQLite and PostgreSQL (the `book` fixture) over a generated demo book in three
currencies. Pages are asked for `?as_of=AS_OF` so the figures do not depend on today.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.numbers import format_currency
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from recoup.demo.generator import GeneratedBook
from recoup.domain.money import Money
from recoup.domain.words import readable
from recoup.services import accounts, daily_run, demo, reports, users
from recoup.services import worklist as worklists
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.services.worklist import Line
from recoup.settings import Settings
from recoup.web.app import ROUTERS, app_from_environment, create_app
from recoup.web.auth import RoleCheck
from recoup.web.formatting import ISO_DATE, Formats
from recoup.web.routes import worklist
from recoup.web.routes.customers import PER_PAGE
from recoup.web.routes.session import PUBLIC_PATHS
from tests.plans import by_age

AS_OF = date(2025, 6, 30)
CUSTOMERS = 40
PASSWORDS = {
    "olivia": ("olivia-owner-pw", Role.OWNER),
    "carl": ("carl-collector-pw", Role.COLLECTOR),
    "vera": ("vera-viewer-pw", Role.VIEWER),
}
LOCALE = "en_US"


@dataclass
class Site:
    book: Book
    gen: GeneratedBook
    client: TestClient


@pytest.fixture
def site(book: Book) -> Iterator[Site]:
    gen = demo.make(CUSTOMERS, 400, 11, AS_OF, currency=None)  # USD, GBP and EUR
    demo.write_book(book, gen)
    add_user(book, "vera")  # the others only where needed: each argon2 hash takes time
    app = create_app(Settings(secret_key="test-secret-" + "x" * 32, locale=LOCALE), book)
    with TestClient(app) as client:
        yield Site(book, gen, client)


def add_user(book: Book, name: str) -> None:
    if users.get_user(book, name) is None:
        users.add_user(book, name, *PASSWORDS[name])


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def log_in(client: TestClient, name: str, next_url: str = "/") -> str:
    """Log in through the form; returns where the login redirected to."""
    token = token_of(client.get("/login").text)
    password = PASSWORDS[name][0]
    response = client.post(
        "/login",
        data={"username": name, "password": password, "next": next_url, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def table_keys(page: str) -> list[str]:
    """The customer keys of the customer table, top to bottom."""
    return re.findall(r'<td class="key">([^<]+)</td>', page)


def money(minor: int, currency: str) -> str:
    return str(format_currency(Money(minor, currency).amount, currency, locale=LOCALE))


# --- logging in and out -------------------------------------------------------------


def test_login_with_the_right_password(site: Site) -> None:
    assert log_in(site.client, "vera") == "/"
    page = site.client.get(f"/?as_of={AS_OF}")
    assert page.status_code == 200
    assert "vera" in page.text


def test_login_with_a_wrong_password_is_refused(site: Site) -> None:
    token = token_of(site.client.get("/login").text)
    response = site.client.post(
        "/login",
        data={"username": "vera", "password": "not-her-password", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "do not match" in response.text
    assert site.client.get("/", follow_redirects=False).status_code == 303


def test_unknown_user_is_refused_the_same_way(site: Site) -> None:
    token = token_of(site.client.get("/login").text)
    response = site.client.post(
        "/login", data={"username": "nobody", "password": "whatever-pw", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "do not match" in response.text


@pytest.mark.parametrize("path", ["/", "/customers?q=oak&sort=balance", "/customers/C000001"])
def test_not_logged_in_redirects_to_login_and_back(site: Site, path: str) -> None:
    response = site.client.get(path, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/login")
    back = parse_qs(urlsplit(location).query).get("next", ["/"])[0]
    assert back == path
    assert log_in(site.client, "vera", back) == path


def test_htmx_request_when_not_logged_in_gets_hx_redirect(site: Site) -> None:
    response = site.client.get(
        "/customers?q=oak",
        headers={
            "HX-Request": "true",
            "HX-Target": "customer-table",
            "HX-Current-URL": "http://testserver/customers?q=oa",
        },
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=%2Fcustomers%3Fq%3Doa"


def test_login_never_redirects_to_another_site(site: Site) -> None:
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        site.client.cookies.clear()
        assert log_in(site.client, "vera", evil) == "/"


def test_logout_ends_the_session(site: Site) -> None:
    log_in(site.client, "vera")
    token = token_of(site.client.get(f"/?as_of={AS_OF}").text)
    response = site.client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert site.client.get("/", follow_redirects=False).status_code == 303


# --- CSRF ---------------------------------------------------------------------------------


def test_post_without_csrf_token_is_forbidden(site: Site) -> None:
    log_in(site.client, "vera")
    assert site.client.post("/logout", follow_redirects=False).status_code == 403
    wrong = site.client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    # still logged in
    assert site.client.get(f"/?as_of={AS_OF}", follow_redirects=False).status_code == 200


def test_csrf_token_may_come_as_htmx_header(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get(f"/?as_of={AS_OF}").text
    header = re.search(r"hx-headers='([^']+)'", page)
    assert header
    token = token_of(page)
    assert token in html.unescape(header.group(1))
    response = site.client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_login_form_needs_the_pre_login_token(site: Site) -> None:
    response = site.client.post(
        "/login", data={"username": "vera", "password": PASSWORDS["vera"][0]}
    )
    assert response.status_code == 403
    assert site.client.get("/", follow_redirects=False).status_code == 303


def test_login_issues_a_new_token(site: Site) -> None:
    before = token_of(site.client.get("/login").text)
    log_in(site.client, "vera")
    after = token_of(site.client.get(f"/?as_of={AS_OF}").text)
    assert before != after


# --- roles ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vera", "carl", "olivia"])
def test_every_page_opens_for_every_role(site: Site, name: str) -> None:
    add_user(site.book, name)
    log_in(site.client, name)
    key = site.gen.customers[0].key
    for path, title in (
        (f"/?as_of={AS_OF}", "<title>Dashboard"),
        (f"/customers?as_of={AS_OF}", "<title>Customers"),
        (f"/customers/{key}?as_of={AS_OF}", f"<title>{html.escape(site.gen.customers[0].name)}"),
        (f"/worklist?as_of={AS_OF}", "<title>Worklist"),
    ):
        response = site.client.get(path)
        assert response.status_code == 200, path
        assert title in response.text
        assert 'href="/worklist"' in response.text  # in the navigation for every role


@pytest.mark.parametrize(("name", "status"), [("vera", 403), ("carl", 403), ("olivia", 200)])
def test_admin_users_is_for_the_owner_only(site: Site, name: str, status: int) -> None:
    for user in PASSWORDS:
        add_user(site.book, user)
    log_in(site.client, name)
    response = site.client.get("/admin/users")
    assert response.status_code == status
    if status == 200:
        for user in PASSWORDS:
            assert f"<td>{user}</td>" in response.text
    else:
        assert "owner role" in response.text
        assert "olivia" not in response.text
    nav_link = 'href="/admin/users"' in site.client.get(f"/?as_of={AS_OF}").text
    assert nav_link == (status == 200)


def role_checks(dependant: Dependant) -> list[RoleCheck]:
    found = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, RoleCheck):
            found.append(dep.call)
        found.extend(role_checks(dep))
    return found


def all_routes() -> list[APIRoute]:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 7
    return routes


def test_every_route_but_login_declares_a_role() -> None:
    for route in all_routes():
        if route.path in PUBLIC_PATHS:
            assert not role_checks(route.dependant), route.path
        else:
            assert role_checks(route.dependant), f"{route.path} has no role check"


def test_every_route_but_login_refuses_a_stranger(site: Site) -> None:
    token = token_of(site.client.get("/login").text)  # past the CSRF check, to the role check
    for route in all_routes():
        if route.path in PUBLIC_PATHS:
            continue
        path = route.path.replace("{key}", site.gen.customers[0].key)
        for method in route.methods or ():
            response = site.client.request(
                method, path, headers={"X-CSRF-Token": token}, follow_redirects=False
            )
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/login")


# --- pages ------------------------------------------------------------------------------


def test_unknown_customer_is_404(site: Site) -> None:
    log_in(site.client, "vera")
    response = site.client.get("/customers/NO-SUCH-KEY")
    assert response.status_code == 404
    assert "<title>Not found" in response.text
    assert "NO-SUCH-KEY" in response.text


def test_unknown_page_is_404_with_the_layout(site: Site) -> None:
    log_in(site.client, "vera")
    response = site.client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Log out" in response.text


def test_bad_parameters_are_400(site: Site) -> None:
    log_in(site.client, "vera")
    assert site.client.get("/?as_of=2025-13-45").status_code == 400
    assert site.client.get("/customers?sort=password").status_code == 400
    assert site.client.get("/customers?page=0").status_code == 400
    assert site.client.get("/customers?dir=sideways").status_code == 400
    assert site.client.get("/worklist?page=0").status_code == 400
    assert site.client.get("/worklist?as_of=yesterday").status_code == 400


def test_dashboard_shows_the_totals_of_the_aging_report(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get(f"/?as_of={AS_OF}").text
    report = reports.aging(site.book, AS_OF)
    assert {c.currency for c in report.currencies} == {"USD", "GBP", "EUR"}
    for cur in report.currencies:
        assert html.escape(money(cur.total.minor, cur.currency)) in page
        assert html.escape(money(cur.overdue.minor, cur.currency)) in page
        assert f'id="cur-{cur.currency}"' in page
        for bucket in cur.buckets:
            assert html.escape(money(bucket.amount.minor, cur.currency)) in page
    totals = re.findall(r'data-figure="total">([^<]+)<', page)
    assert [html.unescape(t) for t in totals] == [
        money(c.total.minor, c.currency) for c in report.currencies
    ]
    assert page.count("<svg") == len(report.currencies)


def test_dashboard_lists_the_largest_overdue_accounts(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get(f"/?as_of={AS_OF}").text
    top = reports.top_overdue(site.book, AS_OF, 10)
    assert top
    table = page.split('id="top-overdue-table"', 1)[1]
    links = re.findall(r'href="/customers/([^"?]+)\?as_of=2025-06-30"', table)
    assert links == [row.customer for row in top]


def test_dashboard_dso_figures(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get(f"/?as_of={AS_OF}").text
    report = reports.dso(site.book, AS_OF, 90)
    shown = re.findall(r'data-figure="dso">([^<]+)<', page)
    expected = [f"{c.dso:,.1f} " if c.dso is not None else "—" for c in report.currencies]
    assert shown == expected


def test_account_page(site: Site) -> None:
    log_in(site.client, "vera")
    customer = site.gen.customers[0]
    page = site.client.get(f"/customers/{customer.key}?as_of={AS_OF}").text
    assert html.escape(customer.name) in page
    assert html.escape(customer.contact[1]) in page  # e-mail
    mine = [i for i in site.gen.invoices if i.customer == customer.key]
    for inv in mine:
        assert f">{inv.number}" in page
    overdue_rows = page.count('<tr class="overdue">')
    acct = accounts.account(site.book, customer.key, AS_OF)
    expected = sum(
        1 for i in acct.invoices if i.kind == "invoice" and i.open.minor and i.days_past_due > 0
    )
    assert overdue_rows == expected
    for balance in acct.balances:
        assert html.escape(money(balance.minor, balance.currency)) in page


# --- the customer list ------------------------------------------------------------------


def test_customers_sorted_by_name_by_default(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get(f"/customers?as_of={AS_OF}").text
    expected = [c.key for c in sorted(site.gen.customers, key=lambda c: (c.name, c.key))]
    assert table_keys(page) == expected[:PER_PAGE]
    assert "Page 1 of 2" in page


def test_customers_sorted_by_key_descending(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get(f"/customers?sort=key&dir=desc&as_of={AS_OF}").text
    expected = sorted((c.key for c in site.gen.customers), reverse=True)
    assert table_keys(page) == expected[:PER_PAGE]
    assert 'aria-sort="descending"' in page


def test_customers_sorted_by_balance(site: Site) -> None:
    log_in(site.client, "vera")
    for order in ("asc", "desc"):
        page = site.client.get(f"/customers?sort=balance&dir={order}&as_of={AS_OF}").text
        result = accounts.list_customers(
            site.book, AS_OF, "", "balance", order == "desc", 1, PER_PAGE
        )
        assert table_keys(page) == [line.key for line in result.lines]
        # amounts are compared within a currency; each currency's lines come together
        currencies = [line.currency for line in result.lines]
        groups = [c for i, c in enumerate(currencies) if i == 0 or currencies[i - 1] != c]
        assert len(groups) == len(set(groups))
        for cur in set(currencies):
            balances = [line.balance_minor for line in result.lines if line.currency == cur]
            assert balances == sorted(balances, reverse=order == "desc")


def test_customers_second_page(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get(f"/customers?page=2&as_of={AS_OF}").text
    expected = [c.key for c in sorted(site.gen.customers, key=lambda c: (c.name, c.key))]
    assert table_keys(page) == expected[PER_PAGE:]
    assert "Page 2 of 2" in page
    assert 'rel="prev"' in page
    assert 'rel="next"' not in page
    assert f"26–{CUSTOMERS} of {CUSTOMERS} customers" in page


def test_customers_search(site: Site) -> None:
    log_in(site.client, "vera")
    word = site.gen.customers[0].name.split()[1]  # e.g. "Bakery"
    page = site.client.get(f"/customers?q={word.lower()}&as_of={AS_OF}").text
    expected = sorted(
        (c for c in site.gen.customers if word.lower() in c.name.lower()),
        key=lambda c: (c.name, c.key),
    )
    assert expected
    assert table_keys(page) == [c.key for c in expected][:PER_PAGE]
    assert f"matching “{word.lower()}”" in page


def test_customers_search_by_key_and_no_match(site: Site) -> None:
    log_in(site.client, "vera")
    key = site.gen.customers[3].key
    assert table_keys(site.client.get(f"/customers?q={key}").text) == [key]
    page = site.client.get("/customers?q=zzzz-nothing").text
    assert table_keys(page) == []
    assert "No customer matches" in page


def test_customers_htmx_request_gets_the_table_only(site: Site) -> None:
    log_in(site.client, "vera")
    response = site.client.get(
        f"/customers?q=a&sort=overdue&dir=desc&as_of={AS_OF}",
        headers={"HX-Request": "true", "HX-Target": "customer-table"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert '<table class="data" id="customers">' in response.text
    assert 'name="sort" value="overdue" form="customer-search"' in response.text
    assert "HX-Request" in response.headers["vary"]
    # sort and page links keep the search
    assert "q=a&amp;sort=" in response.text


def test_sort_links_flip_the_direction(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get("/customers?sort=name&dir=asc").text
    assert 'href="/customers?sort=name&amp;dir=desc"' in page
    assert 'href="/customers?sort=balance&amp;dir=desc"' in page
    assert 'href="/customers?sort=key&amp;dir=asc"' in page


# --- the rest ---------------------------------------------------------------------------


def test_security_headers_and_static_files(site: Site) -> None:
    response = site.client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    htmx = re.search(r'src="(/static/htmx-[0-9.]+\.min\.js)\?v=\w+"', response.text)
    assert htmx
    assert site.client.get(htmx.group(1)).status_code == 200
    css = re.search(r'href="(/static/recoup\.css)\?v=\w+"', response.text)
    assert css
    assert "font-family" in site.client.get(css.group(1)).text


def test_session_cookie_is_http_only(site: Site) -> None:
    response = site.client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "recoup_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_app_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Book.open(str(tmp_path / "env.db"), create=True).close()  # serve opens, never makes
    monkeypatch.setenv("RECOUP_DATABASE_URL", str(tmp_path / "env.db"))
    monkeypatch.setenv("RECOUP_LOCALE", "de_DE")
    app = app_from_environment()
    with TestClient(app) as client:
        page = client.get("/login")
        assert page.status_code == 200
        assert '<html lang="de-DE">' in page.text
    assert (tmp_path / "env.db").exists()


def test_without_a_secret_key_apps_over_one_book_share_its_key_file(sqlite_book: Book) -> None:
    """Two apps over one book accept each other's sessions: the key is in a file beside
    the book (never in it: tests/test_session_keys.py), the session a row of the book."""
    add_user(sqlite_book, "vera")
    first = TestClient(create_app(Settings(), sqlite_book))
    second = TestClient(create_app(Settings(), sqlite_book))
    log_in(first, "vera")
    second.cookies.update(first.cookies)
    assert second.get(f"/?as_of={AS_OF}", follow_redirects=False).status_code == 200
    other = TestClient(create_app(Settings(secret_key="another-key-" + "y" * 32), sqlite_book))
    other.cookies.update(first.cookies)
    assert other.get("/", follow_redirects=False).status_code == 303


def test_german_locale_formats_money_and_dates(sqlite_book: Book) -> None:
    demo.write_book(sqlite_book, demo.make(5, 40, 3, AS_OF, currency="EUR"))
    add_user(sqlite_book, "vera")
    app = create_app(Settings(secret_key="k" * 40, locale="de_DE"), sqlite_book)
    with TestClient(app) as client:
        log_in(client, "vera")
        page = client.get(f"/?as_of={AS_OF}").text
    total = reports.aging(sqlite_book, AS_OF).currencies[0].total
    assert format_currency(total.amount, "EUR", locale="de_DE") in html.unescape(page)
    assert "30.06.2025" in page


def test_an_empty_book_has_a_calm_dashboard(sqlite_book: Book) -> None:
    add_user(sqlite_book, "vera")
    with TestClient(create_app(Settings(secret_key="k" * 40), sqlite_book)) as client:
        log_in(client, "vera")
        page = client.get(f"/?as_of={AS_OF}")
        assert page.status_code == 200
        assert "Nothing is open." in page.text
        assert "Nothing is overdue." in page.text
        customers = client.get("/customers")
        assert customers.status_code == 200
        assert "Page 1 of 1" in customers.text


def test_account_with_nothing_open_says_so(site: Site) -> None:
    log_in(site.client, "vera")
    settled = [
        c.key
        for c in site.gen.customers
        if not any(
            b.count for a in accounts.account(site.book, c.key, AS_OF).aging for b in a.buckets
        )
    ]
    assert settled, "the demo book (a fixed seed) has customers who owe nothing"
    page = site.client.get(f"/customers/{settled[0]}?as_of={AS_OF}").text
    assert "Nothing is open on this account" in page
    assert "<svg" not in page


# --- the worklist and the next steps ----------------------------------------------------


@pytest.fixture
def worked(site: Site) -> Site:
    """The site after the daily run on each weekday of the three weeks ending at AS_OF,
    under the plan taken by age (calls and recommendations for the worklist: opened
    gently, the book's accounts would reach their calls after three weeks)."""
    by_age(site.book)
    for back in range(20, -1, -1):
        day = AS_OF - timedelta(days=back)
        if day.weekday() < 5:
            daily_run.run(site.book, day)
    return site


def worklist_rows(page: str) -> list[tuple[str, str, str]]:
    """(customer, currency, kinds) of each worklist line, top to bottom."""
    return re.findall(
        r'<tr data-customer="([^"]+)" data-currency="([^"]+)" data-kinds="([^"]+)">', page
    )


def line_keys(lines: list[Line]) -> list[tuple[str, str, str]]:
    return [(x.customer, x.currency, " ".join(x.kinds)) for x in lines]


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, tags removed, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def days_shown(text: str) -> str:
    """`text` as the pages show it: codes in words, ISO dates as days (en_US: Jun 30,
    2025)."""
    formats = Formats(LOCALE)
    return ISO_DATE.sub(lambda m: formats.day(date.fromisoformat(m.group())), readable(text))


def next_steps_panel(page: str) -> str:
    found = re.search(r'<section class="card next-steps".*?</section>', page, re.S)
    assert found, "no next-steps panel on the page"
    return found.group()


def test_worklist_lists_the_daily_runs_tasks_by_line(worked: Site) -> None:
    log_in(worked.client, "vera")  # a viewer may look
    items = daily_run.worklist(worked.book, AS_OF)
    lines = worklists.worklist(worked.book, AS_OF).lines
    assert len(lines) > 5
    assert [x.score for x in lines] == sorted((x.score for x in lines), reverse=True)
    page = worked.client.get(f"/worklist?as_of={AS_OF}").text
    assert '<a href="/worklist" aria-current="page">Worklist</a>' in page
    shown = min(len(lines), worklist.PER_PAGE)
    assert worklist_rows(page) == line_keys(lines)[:shown]
    table = page.split('id="worklist"', 1)[1]
    links = re.findall(r'<a href="/customers/([^"?]+)\?as_of=2025-06-30">([^<]+)</a>', table)
    expected = [(x.customer, x.name) for x in lines[:shown]]
    assert [(k, html.unescape(n)) for k, n in links] == expected
    rows = table.split("<tr data-customer=")[1:]
    assert len(rows) == shown
    for row, line in zip(rows, lines, strict=False):
        assert f">{line.score}</span>" in row
        assert html.escape(money(line.amount.minor, line.currency)) in row
        tasks = re.findall(
            r'<li class="task" data-kind="([^"]+)">(.*?)</li>\s*(?=<li class="task"|</ul>)',
            row,
            re.S,
        )
        assert [k for k, _ in tasks] == [t.kind for t in line.tasks]
        for (_kind, shown_task), task in zip(tasks, line.tasks, strict=True):
            assert f">{worklist.task_label(task.kind)}</span>" in shown_task
            assert f"since {Formats(LOCALE).day(task.since)}" in text_of(shown_task)
        for step in worklists.next_steps(line.tasks):
            assert readable(step) in text_of(row)
        chips = re.findall(r'<li class="factor">(.*?)</li>', row, re.S)
        factors = worklist.factors(line.why, line.amount)
        assert len(chips) == len(factors) >= 2
        for chip, factor in zip(chips, factors, strict=True):
            shown_chip = text_of(chip)
            if factor.overdue is not None:  # the amount, through Babel
                assert shown_chip.startswith(money(line.amount.minor, line.currency) + " overdue")
            else:
                assert shown_chip.startswith(readable(factor.text))
            assert shown_chip.endswith(f"{factor.points:+d}")
    assert f"1–{shown} of {len(lines)} accounts · {len(items)} tasks" in page


def test_worklist_pages_keep_the_filters(worked: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worklist, "PER_PAGE", 5)
    add_user(worked.book, "carl")
    log_in(worked.client, "carl")
    lines = line_keys(worklists.worklist(worked.book, AS_OF).lines)
    pages = -(-len(lines) // 5)
    assert pages >= 2
    # a collector's page: theirs and the unassigned ones (here: all of them)
    first = worked.client.get(f"/worklist?as_of={AS_OF}").text
    assert worklist_rows(first) == lines[:5]
    assert f"Page 1 of {pages}" in first
    keep = "collector=carl&amp;unassigned=1"
    assert f'rel="next" href="/worklist?page=2&amp;{keep}&amp;as_of={AS_OF}"' in first
    assert 'rel="prev"' not in first
    second = worked.client.get(f"/worklist?page=2&collector=carl&unassigned=1&as_of={AS_OF}")
    assert worklist_rows(second.text) == lines[5:10]
    assert f'rel="prev" href="/worklist?{keep}&amp;as_of={AS_OF}"' in second.text
    assert f"6–{min(10, len(lines))} of {len(lines)} accounts" in second.text
    last = worked.client.get(f"/worklist?page={pages}&collector=&as_of={AS_OF}").text
    assert worklist_rows(last) == lines[(pages - 1) * 5 :]
    assert 'rel="next"' not in last
    beyond = worked.client.get(f"/worklist?page=999&collector=&as_of={AS_OF}").text
    assert worklist_rows(beyond) == worklist_rows(last)
    # the filters are kept by the links
    kind = lines[0][2].split()[0]
    narrowed = [x for x in lines if kind in x[2].split()]
    page = worked.client.get(f"/worklist?collector=&kind={kind}&as_of={AS_OF}").text
    assert worklist_rows(page) == narrowed[:5]
    if len(narrowed) > 5:
        assert f'href="/worklist?page=2&amp;collector=&amp;kind={kind}&amp;as_of={AS_OF}"' in page


def test_worklist_empty_state(site: Site) -> None:
    log_in(site.client, "vera")
    page = site.client.get("/worklist").text  # no daily run yet
    assert "Nothing needs a person today" in page
    assert 'id="worklist"' not in page
    dated = site.client.get(f"/worklist?as_of={AS_OF}").text
    assert "Nothing needs a person on Jun 30, 2025" in dated


def test_account_shows_the_next_steps(worked: Site) -> None:
    log_in(worked.client, "vera")
    items = daily_run.worklist(worked.book, AS_OF)
    busy = [
        c.key
        for c in worked.gen.customers
        if any(
            case["waiting"] or case["upcoming"] or case["would_do"]
            for case in daily_run.explain(worked.book, c.key, AS_OF).cases
        )
    ]
    keys = [items[0].customer, *busy[:4]]
    seen = {"done_this_cycle": 0, "upcoming": 0}
    for key in keys:
        explained = daily_run.explain(worked.book, key, AS_OF)
        panel = next_steps_panel(worked.client.get(f"/customers/{key}?as_of={AS_OF}").text)
        shown = re.sub(r" ([,;.)])", r"\1", text_of(panel))  # no space before punctuation
        assert shown.startswith("Next steps")
        assert re.findall(r'<div class="case" data-currency="(\w+)">', panel) == [
            case["currency"] for case in explained.cases
        ]
        for case in explained.cases:
            for section in ("notes", "done_this_cycle", "would_do", "waiting", "upcoming"):
                for line in case[section]:
                    # codes in words, amounts and dates as the locale writes them
                    expected = Formats(LOCALE).figures_text(readable(line))
                    assert expected in shown, (key, section, line)
                if section in seen:
                    seen[section] += len(case[section])
            if case["next_review"]:
                review = date.fromisoformat(case["next_review"])
                assert f"Next review: {Formats(LOCALE).day(review)}" in shown
                assert f'<time datetime="{review.isoformat()}">' in panel
        assert "Due on Jun 30, 2025" in shown  # the as_of day, not "today"
    assert all(seen.values()), f"the demo runs should show each kind of line: {seen}"


def test_account_without_a_case_says_so(site: Site) -> None:
    log_in(site.client, "vera")
    settled = [
        c.key for c in site.gen.customers if not daily_run.explain(site.book, c.key, AS_OF).cases
    ]
    assert settled, "the demo book (a fixed seed) has customers with nothing open"
    page = site.client.get(f"/customers/{settled[0]}").text
    assert "No collection case" in next_steps_panel(page)


def test_dashboard_counts_the_worklist_and_the_outbox(worked: Site) -> None:
    log_in(worked.client, "vera")
    page = worked.client.get(f"/?as_of={AS_OF}").text
    tasks = len(daily_run.worklist(worked.book, AS_OF))
    waiting = len(daily_run.list_outbox(worked.book, "pending"))
    assert waiting > 0
    assert f'data-figure="tasks">{tasks}<' in page
    assert f'data-figure="outbox">{waiting}<' in page
    assert f'href="/worklist?as_of={AS_OF}"' in page


def test_why_is_split_into_its_factors() -> None:
    amount = Money(1651290, "USD")
    found = worklist.factors(
        "priority 60: 16512.90 USD overdue (+25); oldest invoice 543 days past due (+25); "
        "payer kind: evader (+10)",
        amount,
    )
    assert found == [
        worklist.Factor("16512.90 USD overdue", 25, amount),
        worklist.Factor("oldest invoice 543 days past due", 25),
        worklist.Factor("payer kind: evader", 10),
    ]
    assert worklist.factors("something else entirely") == [
        worklist.Factor("something else entirely", None)
    ]
    assert worklist.factors("priority 0: ") == []
    bands = {100: "urgent", 60: "urgent", 59: "high", 40: "high", 39: "medium", 0: "low"}
    assert {score: worklist.band(score) for score in bands} == bands


def test_dates_in_text_are_shown_in_the_locale_and_escaped() -> None:
    shown = Formats("de_DE").dates_in("<b>call</b> not before 2026-12-10, not 2026-13-45")
    assert str(shown) == (
        "&lt;b&gt;call&lt;/b&gt; not before "
        '<time class="nowrap" datetime="2026-12-10">10.12.2026</time>, not 2026-13-45'
    )
