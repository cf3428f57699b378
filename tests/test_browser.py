"""The web UI in a real browser: Debian's Chromium driven by Playwright, against uvicorn.

Logs in through the form, walks the dashboard, the customer list (live search, sorting,
paging through HTMX), an account, the worklist and an account's next steps (after three
weeks of daily runs), and saves full-page screenshots (desktop and a 390x844 phone) to
tests/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from recoup.clock import local_today
from recoup.demo.generator import GeneratedBook
from recoup.domain.words import readable
from recoup.services import daily_run, demo, users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.services.worklist import group
from recoup.settings import Settings
from recoup.web.app import create_app
from recoup.web.formatting import ISO_DATE, Formats
from tests.browser_support import (
    DESKTOP,
    PHONE,
    browser_fixture,
    console_fixture,
    fill_login,
    page_fixture,
    serving,
    shot,
)
from tests.plans import by_age

pytestmark = pytest.mark.browser

OWNER = ("owner", "owner-browser-pw")
VIEWER = ("viewer", "viewer-browser-pw")


@dataclass
class Server:
    url: str
    gen: GeneratedBook
    worklist: list[daily_run.WorkItem]  # today's, most urgent first
    explained: str  # a customer whose next steps say the most
    explained_lines: list[str]  # what they say: done, due, waiting, upcoming


def run_weekdays(book: Book, days: int) -> None:
    """The daily run on each weekday of the last `days` days, today included."""
    today = local_today()
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() < 5:
            daily_run.run(book, day)


def most_explained(book: Book, gen: GeneratedBook) -> str:
    """The customer whose next-steps panel has the most filled sections."""

    def filled(key: str) -> int:
        sections = ("done_this_cycle", "would_do", "waiting", "upcoming")
        cases = daily_run.explain(book, key, local_today()).cases
        return sum(1 for case in cases for s in sections if case[s])

    return max((c.key for c in gen.customers), key=lambda k: (filled(k), k))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn in a background thread on a free loopback port, over a demo book."""
    path = tmp_path_factory.mktemp("browser") / "demo.db"
    book = Book.create(str(path))
    gen = demo.make(120, 1500, 7, local_today(), currency=None)
    demo.write_book(book, gen)
    users.add_user(book, *OWNER, Role.OWNER)
    users.add_user(book, *VIEWER, Role.VIEWER)
    by_age(book)  # three weeks reach calls and recommendations (see tests/plans.py)
    run_weekdays(book, 21)
    work = daily_run.worklist(book, local_today())
    explained = most_explained(book, gen)
    lines = [
        line
        for case in daily_run.explain(book, explained, local_today()).cases
        for s in ("done_this_cycle", "would_do", "waiting", "upcoming")
        for line in case[s]
    ]
    app = create_app(Settings(database_url=str(path), secret_key="browser-test-" + "k" * 32), book)
    with serving(app, book) as url:
        yield Server(url, gen, work, explained, lines)


browser = browser_fixture()
console = console_fixture()
page = page_fixture("en-US", failed_from=400)


def days_shown(text: str) -> str:
    """`text` as the pages show it: codes in words, ISO dates as days (en_US: Dec 10,
    2026)."""
    formats = Formats("en_US")
    return ISO_DATE.sub(lambda m: formats.day(date.fromisoformat(m.group())), readable(text))


def log_in(pg: Page, base: str, who: tuple[str, str]) -> None:
    pg.goto(base + "/")
    expect(pg).to_have_url(re.compile(r"/login"))
    expect(pg).to_have_title(re.compile("Log in"))
    fill_login(pg, who)
    expect(pg).to_have_url(base + "/")


def test_walk_through_the_pages(page: Page, server: Server, console: list[str]) -> None:
    pg = page
    base = server.url
    log_in(pg, base, OWNER)

    # the dashboard
    expect(pg).to_have_title(re.compile(r"^Dashboard, .* · Recoup$"))
    expect(pg.locator("[data-figure=total]").first).to_have_text(re.compile(r"[$€£][\d,]+\.\d\d"))
    expect(pg.locator("svg.bars").first).to_be_visible()
    assert pg.locator(".currency-block").count() == 3  # USD, GBP, EUR
    expect(pg.locator("#top-overdue-table tbody tr")).to_have_count(10)
    shot(pg, "dashboard")

    # the customer list: live search through HTMX
    pg.get_by_role("link", name="Customers", exact=True).click()
    expect(pg).to_have_title(re.compile("^Customers"))
    expect(pg.locator(".page-of")).to_have_text(re.compile(r"Page 1 of 5"))
    word = server.gen.customers[0].name.split()[1]
    expected = sum(1 for c in server.gen.customers if word.lower() in c.name.lower())
    pg.locator("#q").press_sequentially(word[:5].lower(), delay=40)
    expect(pg.locator(".result-count")).to_contain_text(f"matching “{word[:5].lower()}”")
    expect(pg).to_have_url(re.compile(rf"q={word[:5].lower()}"))
    names = pg.locator("#customers tbody td.name a").all_inner_texts()
    assert names
    assert all(word[:5].lower() in n.lower() for n in names)
    assert len(names) >= min(expected, 25)
    assert pg.locator("#q").evaluate("el => el === document.activeElement")  # focus kept
    shot(pg, "customers-search")

    # sort by balance: the biggest first, then flip
    pg.locator("#q").fill("")
    pg.locator("#q").press("Backspace")
    expect(pg.locator(".result-count")).not_to_contain_text("matching")
    pg.get_by_role("link", name=re.compile("^Balance")).click()
    header = pg.locator("th", has=pg.get_by_role("link", name=re.compile("^Balance")))
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(pg).to_have_url(re.compile(r"sort=balance&dir=desc"))
    amounts = pg.locator("#customers tbody td.balance").all_inner_texts()
    values = [float(re.sub(r"[^\d.-]", "", a) or 0) for a in amounts]
    assert values == sorted(values, reverse=True)
    shot(pg, "customers-by-balance")

    # page 2 keeps the order
    pg.get_by_role("link", name=re.compile("Next")).click()
    expect(pg.locator(".page-of")).to_have_text("Page 2 of 5")
    expect(pg).to_have_url(re.compile(r"page=2"))
    expect(header).to_have_attribute("aria-sort", "descending")
    first_on_2 = pg.locator("#customers tbody td.balance").first.inner_text()
    assert float(re.sub(r"[^\d.-]", "", first_on_2)) <= values[-1]
    shot(pg, "customers-page-2")

    # an account with overdue invoices
    link = pg.locator("#customers tbody tr:has(.overdue-amount) td.name a").first
    name = link.inner_text()
    link.click()
    expect(pg).to_have_title(re.compile("^" + re.escape(name)))
    expect(pg.get_by_role("heading", level=1)).to_have_text(name)
    expect(pg.locator("#invoice-table tr.overdue").first).to_be_visible()
    expect(pg.locator("#invoice-table tr.overdue .badge.severe").first).to_have_text("overdue")
    expect(pg.locator("#payment-table")).to_be_visible()
    account_path = pg.url.removeprefix(base)
    shot(pg, "account")

    # the owner's page
    pg.get_by_role("link", name="Users").click()
    expect(pg).to_have_title(re.compile("^Users"))
    expect(pg.locator("table.data tbody tr")).to_have_count(2)
    shot(pg, "admin-users")

    # the same pages on a phone
    pg.set_viewport_size(PHONE)
    for path, name in (
        ("/", "dashboard"),
        ("/customers", "customers"),
        (account_path, "account"),
    ):
        pg.goto(base + path)
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px)"
        shot(pg, f"phone-{name}")

    # log out
    pg.get_by_role("button", name="Log out").click()
    expect(pg).to_have_url(re.compile(r"/login$"))
    assert console == [], f"the browser reported errors: {console}"


def test_worklist_and_next_steps(page: Page, server: Server, console: list[str]) -> None:
    pg = page
    base = server.url
    log_in(pg, base, VIEWER)  # viewers may look at the worklist
    items = server.worklist
    assert items, "three weeks of daily runs leave work for a person"
    lines = group(items, {})  # one line per customer and currency (nobody is assigned)

    pg.get_by_role("link", name="Worklist", exact=True).click()
    expect(pg).to_have_title(re.compile(r"^Worklist, "))
    rows = pg.locator("#worklist tbody tr")
    expect(rows).to_have_count(min(50, len(lines)))
    shown = [
        (r.get_attribute("data-customer"), r.get_attribute("data-currency")) for r in rows.all()
    ]
    assert shown == [(x.customer, x.currency) for x in lines[:50]]
    first = rows.first
    expect(first.locator(".score")).to_have_text(str(lines[0].score))
    expect(first.locator(".factor").first).to_be_visible()
    expect(first.locator(".task")).to_have_count(len(lines[0].tasks))
    expect(first.locator(".next-step-text").first).to_have_text(
        readable(lines[0].tasks[0].next_step)
    )
    if len(lines) > 50:
        expect(pg.locator(".page-of")).to_have_text(re.compile(r"^Page 1 of \d+$"))
    shot(pg, "worklist")

    # from the worklist to the account, where the next steps say why
    first.locator("td.name a").click()
    expect(pg.get_by_role("heading", level=1)).to_have_text(lines[0].name)
    panel = pg.locator("#next-steps")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="Next steps")).to_be_visible()
    expect(panel.locator(".next-review").first).to_contain_text("Next review")

    key = server.explained
    pg.goto(f"{base}/customers/{key}")
    for line in server.explained_lines:  # ISO dates shown as days of the locale
        expect(panel.get_by_text(days_shown(line), exact=True)).to_be_visible()
    panel.scroll_into_view_if_needed()
    shot(pg, "account-next-steps")

    pg.set_viewport_size(PHONE)
    for path, name in (("/worklist", "worklist"), (f"/customers/{key}", "account-next-steps")):
        pg.goto(base + path)
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px)"
        shot(pg, f"phone-{name}")
    assert console == [], f"the browser reported errors: {console}"


def test_a_viewer_cannot_reach_the_users_page(page: Page, server: Server) -> None:
    pg = page
    log_in(pg, server.url, VIEWER)
    expect(pg.get_by_role("link", name="Users")).to_have_count(0)
    response = pg.goto(server.url + "/admin/users")
    assert response is not None
    assert response.status == 403
    expect(pg.get_by_role("heading", level=1)).to_have_text("Not allowed")
    shot(pg, "viewer-forbidden")


def test_the_login_form_refuses_a_wrong_password(page: Page, server: Server) -> None:
    pg = page
    pg.goto(server.url + "/customers?q=oak")
    expect(pg).to_have_url(re.compile(r"/login\?next=%2Fcustomers%3Fq%3Doak"))
    pg.get_by_label("Username").fill(VIEWER[0])
    pg.get_by_label("Password").fill("wrong-password")
    pg.get_by_role("button", name="Log in").click()
    expect(pg.get_by_role("alert")).to_contain_text("do not match")
    shot(pg, "login-refused")
    pg.get_by_label("Password").fill(VIEWER[1])
    pg.get_by_role("button", name="Log in").click()
    expect(pg).to_have_url(re.compile(r"/customers\?q=oak$"))


def test_live_search_after_the_session_ended_goes_to_login(page: Page, server: Server) -> None:
    pg = page
    log_in(pg, server.url, VIEWER)
    pg.goto(server.url + "/customers")
    pg.context.clear_cookies()
    pg.locator("#q").press_sequentially("oak", delay=40)
    expect(pg).to_have_url(re.compile(r"/login\?next=%2Fcustomers"))
    expect(pg).to_have_title(re.compile("^Log in"))


def test_pages_work_without_javascript(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    pg = context.new_page()
    try:
        log_in(pg, server.url, VIEWER)
        pg.goto(server.url + "/customers")
        pg.locator("#q").fill("oak")
        pg.get_by_role("button", name="Search").click()
        expect(pg).to_have_url(re.compile(r"/customers\?q=oak&sort=name&dir=asc$"))
        names = pg.locator("#customers tbody td.name a").all_inner_texts()
        assert names
        assert all("oak" in n.lower() for n in names)
        pg.get_by_role("link", name=re.compile("^Overdue")).click()
        expect(pg).to_have_url(re.compile(r"q=oak&sort=overdue&dir=desc"))
        pg.get_by_role("button", name="Log out").click()
        expect(pg).to_have_url(re.compile(r"/login$"))
    finally:
        context.close()
