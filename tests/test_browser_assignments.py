"""The Users and Assignment pages and a collector's worklist, in a real browser (issue
15): Debian's Chromium driven by Playwright against uvicorn, over a demo book after
three weeks of daily runs.

The owner adds a collector, changes a role and resets a password on the Users page;
adds two assignment rules, applies them, and assigns one account by hand on the
Assignment page; the new collector logs in and finds their own accounts on the
worklist, narrows it by kind of task, and cannot open the owner's pages. Screenshots go
to tests/screenshots/ (users, assignment, worklist-collector, and phone views).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from recoup.clock import local_today
from recoup.services import assignments, demo, users
from recoup.services import worklist as worklists
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.browser_support import PHONE, Served, browser_fixture, log_in, new_page, serving, shot
from tests.plans import by_age
from tests.test_browser import run_weekdays

pytestmark = pytest.mark.browser

OWNER = ("olga", "olga-owner-pw")
CARL = ("carl", "carl-collector-pw")
ANNA = ("anna", "anna-collector-pw")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path = tmp_path_factory.mktemp("assign") / "book.db"
    book = Book.create(str(path))
    demo.write_book(book, demo.make(80, 900, 5, local_today(), currency=None))
    users.add_user(book, *OWNER, Role.OWNER)
    users.add_user(book, *CARL, Role.COLLECTOR)
    users.add_user(book, "vic", "vic-viewer-pw", Role.VIEWER)
    by_age(book)
    run_weekdays(book, 21)
    settings = Settings(database_url=str(path), secret_key="browser-assign-" + "k" * 32)
    with serving(create_app(settings, book), book) as url:
        yield Served(url, book)


browser = browser_fixture()


def test_users_assignment_and_a_collectors_worklist(server: Served, browser: Browser) -> None:
    base = server.url
    errors: list[str] = []
    owner = new_page(browser, errors)
    log_in(owner, base, OWNER)

    # --- Users: add a collector, change a role, reset a password -----------------------
    owner.get_by_role("navigation").get_by_role("link", name="Users").click()
    expect(owner).to_have_title(re.compile("^Users"))
    form = owner.locator("#add-user")
    form.get_by_label("Username").fill("anna")
    form.get_by_label("Role").select_option("collector")
    form.get_by_label("Password").fill("short")  # the browser asks for 8 characters
    form.get_by_role("button", name="Add user").click()
    expect(owner.get_by_role("status")).to_have_count(0)
    form.get_by_label("Password").fill(ANNA[1])
    form.get_by_role("button", name="Add user").click()
    expect(owner.get_by_role("status")).to_have_text(
        "anna is added as collector; they can log in now."
    )
    anna_row = owner.locator('#users tr[data-user="anna"]')
    expect(anna_row.get_by_label("Role of anna", exact=True)).to_have_value("collector")

    vic = owner.locator('#users tr[data-user="vic"]')
    vic.get_by_label("Role of vic", exact=True).select_option("collector")
    vic.get_by_role("button", name="Change the role of vic").click()
    expect(owner.get_by_role("status")).to_have_text("vic is now a collector.")
    assert users.get_user(server.book, "vic") == users.User("vic", Role.COLLECTOR)

    carl = owner.locator('#users tr[data-user="carl"]')
    carl.get_by_text("Reset password").click()
    carl.get_by_label("New password for carl").fill("carl-second-pw")
    carl.get_by_role("button", name="Set the new password of carl").click()
    expect(owner.get_by_role("status")).to_have_text("carl has a new password: 0 sessions ended.")
    assert users.authenticate(server.book, "carl", "carl-second-pw") is not None
    # the owner's own row has no role control (another owner changes it)
    expect(owner.locator('#users tr[data-user="olga"] select')).to_have_count(0)
    shot(owner, "users")

    # --- Assignment: two rules, apply, one account by hand -------------------------------
    owner.get_by_role("navigation").get_by_role("link", name="Assignment").click()
    expect(owner).to_have_title(re.compile("^Assignment"))
    expect(owner.locator("#rules")).to_have_count(0)  # no rules yet
    rule = owner.locator("#add-rule")
    rule.get_by_label("Collector").select_option("anna")
    rule.get_by_label("Currency").fill("usd")
    rule.get_by_label("Balance at least").fill("2000")
    rule.get_by_role("button", name="Add rule").click()
    expect(owner.get_by_role("status")).to_contain_text("Rule 1 added for anna.")
    expect(rule).to_be_visible()  # the form stays open for the next rule
    rule.get_by_label("Collector").select_option("carl")
    rule.get_by_role("button", name="Add rule").click()
    expect(owner.locator("#rules tbody tr")).to_have_count(2)
    expect(owner.locator("#rules tbody tr").first.locator("td.conditions")).to_have_text(
        "open in USD, balance at least $2,000.00"
    )
    expect(owner.locator("#rules tbody tr").nth(1).locator("td.conditions")).to_have_text(
        "every account"
    )
    rule.get_by_label("Balance below").fill("10")  # a balance without its currency
    rule.get_by_role("button", name="Add rule").click()
    expect(owner.get_by_role("alert")).to_have_text(
        "a balance condition needs a currency (--currency EUR)"
    )

    owner.get_by_role("button", name="Apply rules").click()
    status = owner.get_by_role("status")
    expect(status).to_contain_text("Rules applied to ")
    held = assignments.counts_by_user(server.book)
    assert held["anna"]["rule"] > 0
    assert held["carl"]["rule"] > 0
    expected = f"{held['anna']['rule'] + held['carl']['rule']} assigned"
    expect(status).to_contain_text(expected)
    first = owner.locator("#account-list tbody tr").first
    key = str(first.get_attribute("data-customer"))
    before = first.get_attribute("data-collector")
    other = "anna" if before == "carl" else "carl"
    first.get_by_label(f"Collector of {key}").select_option(other)
    first.get_by_role("button", name=f"Assign {key}").click()
    expect(owner.get_by_role("status")).to_have_text(
        f"{key} is assigned to {other} by hand; the rules leave it alone."
    )
    row = owner.locator(f'#account-list tr[data-customer="{key}"]')
    expect(row).to_have_attribute("data-how", "hand")
    expect(row.locator("td.assigned")).to_have_text(f"{other} by hand")
    expect(owner.locator('#collectors tr[data-collector="anna"]')).to_be_visible()
    shot(owner, "assignment")

    # the accounts of one collector, through the filter
    owner.locator("#acc-collector").select_option("anna")
    owner.locator("#accounts").get_by_role("button", name="Filter").click()
    expect(owner).to_have_url(re.compile(r"collector=anna"))
    collectors = owner.locator("#account-list tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.collector)"
    )
    assert collectors
    assert set(collectors) == {"anna"}

    owner.set_viewport_size(PHONE)
    for path, name in (("/admin/assignments", "assignment"), ("/admin/users", "users")):
        owner.goto(base + path)
        width = owner.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px)"
        shot(owner, f"phone-{name}")

    # --- the collector's own worklist -------------------------------------------------
    anna = new_page(browser, errors)
    log_in(anna, base, ANNA)
    expect(anna.get_by_role("link", name="Assignment")).to_have_count(0)
    anna.get_by_role("link", name="Worklist", exact=True).click()
    expect(anna.locator("#f-collector")).to_have_value("anna")  # hers and the unassigned
    lines = worklists.worklist(
        server.book, local_today(), worklists.Filters(collector="anna", unassigned=True)
    ).lines
    assert lines, "anna's accounts have work on them"
    rows = anna.locator("#worklist tbody tr")
    expect(rows).to_have_count(min(50, len(lines)))
    shown = rows.evaluate_all("rows => rows.map(r => r.dataset.customer)")
    assert shown == [x.customer for x in lines[:50]]
    expect(rows.first.locator(".collector")).to_have_text(
        "Collector: anna" if lines[0].collector else "No collector"
    )
    shot(anna, "worklist-collector")

    kind = lines[0].kinds[0]
    anna.locator("#f-kind").select_option(kind)
    anna.get_by_role("button", name="Filter").click()
    expect(anna).to_have_url(re.compile(rf"kind={kind}"))
    kinds = rows.evaluate_all("rows => rows.map(r => r.dataset.kinds)")
    assert kinds
    assert all(kind in k.split() for k in kinds)

    assert errors == [], f"the browser reported errors: {errors}"
    response = anna.goto(base + "/admin/assignments")  # the owner's page
    assert response is not None
    assert response.status == 403
