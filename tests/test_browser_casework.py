"""Working a case in a real browser (Debian's Chromium through Playwright, against
uvicorn): a collector records a call with a promise; the calendar moves past the
promised day without a payment (the case review for a later day); the worklist shows
the broken-promise follow-up; the collector offers a settlement below the plan's
authority and the owner approves it. Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from recoup.clock import local_today
from recoup.domain.local_calendar import holiday_calendar
from recoup.services import casefile, daily_run, demo, history, users
from recoup.services.book import Book
from recoup.services.casework import promises, review_all, settlements, tasks
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.browser_support import (
    DESKTOP,
    PHONE,
    SHOTS,
    Served,
    browser_fixture,
    log_in,
    new_page,
    serving,
    shot,
)

pytestmark = pytest.mark.browser

COLLECTOR = ("carl", "carl-browser-pw")
OWNER = ("olivia", "olivia-browser-pw")


@dataclass
class Server(Served):
    key: str  # the demo book's worst account
    name: str
    country: str
    today: date


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = tmp_path_factory.mktemp("browser-casework") / "demo.db"
    book = Book.create(str(path))
    today = local_today()
    gen = demo.make(60, 700, 7, today, currency=None)
    demo.write_book(book, gen)
    users.add_user(book, *COLLECTOR, Role.COLLECTOR)
    users.add_user(book, *OWNER, Role.OWNER)
    key = casefile.worst_account(book, today)
    assert key is not None
    name, country = next((c.name, c.country) for c in gen.customers if c.key == key)
    app = create_app(Settings(database_url=str(path), secret_key="casework-" + "k" * 32), book)
    with serving(app, book) as url:
        yield Server(url, book, key, name, country, today)


browser = browser_fixture()


def working_day(start: date, country: str) -> date:
    """The first day from `start` on which the contact rules allow a call: a weekday that
    is not a public holiday where the customer is."""
    calendar = holiday_calendar(country)
    day = start
    while day.weekday() >= 5 or calendar.holiday(day) is not None:
        day += timedelta(days=1)
    return day


def no_sideways_scroll(pg: Page, what: str) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways on a phone ({width}px)"


def test_call_promise_broken_followup_and_settlement_approval(
    browser: Browser, server: Server
) -> None:
    console: list[str] = []
    base, key = server.url, server.key
    day = working_day(server.today, server.country)  # the pages are shown as of this day
    promised = day + timedelta(days=7)
    later = day + timedelta(days=14)  # past the promised day and its grace days

    # --- a collector records a call with a promise --------------------------------
    # a refused form answers 422 on purpose; Chromium logs that as a failed load
    pg = new_page(browser, console, failed_from=400, allowed=422)
    log_in(pg, base, COLLECTOR)
    pg.goto(f"{base}/customers/{key}?as_of={day.isoformat()}")
    expect(pg.get_by_role("heading", level=1)).to_have_text(server.name)
    expect(pg.locator(".call-script").first).to_be_visible()
    expect(pg.locator("#timeline")).to_contain_text("Nothing recorded yet")
    call = pg.locator("#form-call")
    call.locator("summary").click()
    promise_amount = call.get_by_label("Promised amount")
    expect(promise_amount).to_be_hidden()  # only for a promise
    call.get_by_label("Outcome").select_option("promise")
    expect(promise_amount).to_be_visible()
    # the first try forgets the day: refused, the error beside the field
    call.get_by_label("What was said").fill("Spoke to the owner: cash comes in next week.")
    promise_amount.fill("750.00")
    call.get_by_role("button", name="Record").click()
    expect(pg.locator("#call-promise_date-error")).to_have_text("A promise needs the day.")
    expect(pg.locator("#call-promise_date")).to_be_focused()  # the page opens at the error
    call = pg.locator("#form-call")
    expect(call.get_by_label("What was said")).to_have_value(
        "Spoke to the owner: cash comes in next week."
    )
    shot(pg, "casework-call-refused")
    call.get_by_label("Promised by").fill(promised.isoformat())
    call.get_by_role("button", name="Record").click()
    expect(pg.locator("#flash")).to_contain_text("Call recorded, with a promise of $750.00")
    items = pg.locator("#timeline .tl-item")
    expect(items).to_have_count(3)  # newest first: the promise's confirmation queued
    expect(items.nth(0)).to_have_attribute("data-kind", "email")
    expect(items.nth(1)).to_have_attribute("data-kind", "promise")
    expect(items.nth(2)).to_have_attribute("data-kind", "call")
    expect(items.nth(2)).to_contain_text("cash comes in next week")
    pg.locator("#timeline").scroll_into_view_if_needed()
    shot(pg, "casework-call-with-promise")
    [p] = promises.list_promises(server.book, key)
    assert (str(p.amount.amount), p.promised_on, p.status) == ("750.00", promised, "open")

    # the timeline's filter (HTMX): only contacts
    pg.locator("label.chip", has_text="Contacts").click()
    expect(pg).to_have_url(re.compile(r"show=contacts"))
    # the call and the promise's written confirmation; not the promise itself
    expect(pg.locator("#timeline .tl-item")).to_have_count(2)
    expect(pg.locator("#timeline .tl-item").nth(0)).to_have_attribute("data-kind", "email")
    expect(pg.locator("#timeline .tl-item").nth(1)).to_have_attribute("data-kind", "call")
    shot(pg, "casework-timeline-filtered")

    # --- the calendar moves past the promised day without a payment ----------------
    # the day's work: the daily run, and the case review (kept or broken promises, ...)
    daily_run.run(server.book, later)
    review_all(server.book, later)
    [p] = promises.list_promises(server.book, key)
    assert (p.status, str(p.paid.amount)) == ("broken", "0.00")
    [follow] = [f for f in tasks.open_followups(server.book, later) if f.customer == key]
    assert follow.kind == "broken_promise"

    pg.goto(f"{base}/worklist?as_of={later.isoformat()}")
    expect(pg).to_have_title(re.compile(r"^Worklist, "))
    item = pg.locator(
        f'#worklist tr[data-customer="{key}"]', has=pg.locator('.task[data-kind="broken_promise"]')
    )
    expect(item).to_be_visible()
    expect(item).to_contain_text("750.00")
    expect(item.get_by_role("link", name=server.name)).to_be_visible()
    shot(pg, "casework-worklist-followup")

    # from the follow-up to the account, where the broken promise is in the history
    item.get_by_role("link", name=server.name).click()
    expect(pg.locator('#timeline .tl-item[data-kind="promise_broken"]')).to_have_count(1)

    # --- the collector offers a settlement below the plan's authority --------------
    offer = pg.locator("#form-settlement")
    offer.locator("summary").click()
    offer.get_by_label("Settle for").fill("100.00")
    offer.get_by_label("Paid by").fill((later + timedelta(days=14)).isoformat())
    offer.get_by_role("button", name="Offer settlement").click()
    expect(pg.locator("#flash")).to_contain_text("needs the owner's approval")
    shot(pg, "casework-settlement-offered")
    helper = pg.locator(".settlement-helper")
    helper.locator("summary").click()
    for option in ("in_house", "settle", "agency", "small_claims", "write_off"):
        expect(helper.locator(f'[data-option="{option}"]')).to_be_visible()
    helper.scroll_into_view_if_needed()
    helper.screenshot(path=str(SHOTS / "casework-settlement-helper.png"))
    [s] = settlements.list_settlements(server.book, key)
    assert s.status == "needs_approval"
    pg.context.close()

    # --- the owner approves it -----------------------------------------------------
    owner = new_page(browser, console, failed_from=400, allowed=422)
    log_in(owner, base, OWNER)
    owner.get_by_role("link", name="Approvals").click()
    expect(owner).to_have_title(re.compile(r"^Approvals"))
    owner.goto(f"{base}/approvals?as_of={later.isoformat()}")  # decided on the day it came
    row = owner.locator(f'#settlement-approvals tr[data-settlement="{s.id}"]')
    expect(row).to_contain_text(server.name)
    expect(row).to_contain_text("below the floor")
    shot(owner, "casework-approvals")
    row.get_by_role("button", name="Approve").click()
    expect(owner.locator(".flash")).to_contain_text(f"Settlement {s.id} for {key} approved")
    expect(owner.locator("#settlement-approvals")).to_have_count(0)
    shot(owner, "casework-approved")
    [s] = settlements.list_settlements(server.book, key)
    assert (s.status, s.approved_by) == ("offered", OWNER[0])
    kinds = [e.kind for e in history.entries(server.book, key)]
    # approved, the offer goes to the customer in writing
    assert kinds[-3:] == ["settlement_offer", "settlement_approved", "email"]

    # the account on a phone: the timeline and the forms fit
    owner.set_viewport_size(PHONE)
    owner.goto(f"{base}/customers/{key}?as_of={later.isoformat()}")
    no_sideways_scroll(owner, "the account")
    shot(owner, "phone-casework-account")
    owner.goto(f"{base}/approvals")
    no_sideways_scroll(owner, "approvals")
    owner.context.close()
    assert console == [], f"the browser reported errors: {console}"


def test_the_timeline_filter_works_without_javascript(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    pg = context.new_page()
    try:
        log_in(pg, server.url, COLLECTOR)
        pg.goto(f"{server.url}/customers/{server.key}")  # a note is not a contact: any day
        note = pg.locator("#form-note")
        note.locator("summary").click()
        note.get_by_label("Note").fill("Checked the delivery notes: all signed.")
        note.get_by_role("button", name="Add note").click()
        expect(pg.locator("#flash")).to_have_text("Note added.")
        pg.locator("label.chip", has_text="Money").click()
        pg.get_by_role("button", name="Filter").click()
        expect(pg).to_have_url(re.compile(r"show=money"))
        expect(pg.locator("#timeline .tl-item")).to_have_count(0)
        pg.get_by_role("link", name="Show all").click()
        expect(pg.locator('#timeline .tl-item[data-kind="note"]')).to_have_count(1)
    finally:
        context.close()
