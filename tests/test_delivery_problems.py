"""Delivery problems where a person sees them: messages that failed for good (a refused
address, no address at all) and those waiting for a retry are listed on the worklist
page, with the customer, channel, error, when, and a link to the account; and by
`recoup dispatch problems [--json]`. On SQLite and PostgreSQL, and in Chromium."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services import delivery_problems, dispatch, users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.conftest import missing
from tests.test_dispatch import NOW, free_port, load, settings_for
from tests.test_dispatch import smtp as smtp  # the loopback SMTP server (a fixture)

PASSWORD = "olga-owner-pw"


@dataclass
class Row:
    attrs: dict[str, str | None]
    cells: list[str] = field(default_factory=list)  # the text of each cell, spaces collapsed
    links: list[str | None] = field(default_factory=list)


class _Rows(HTMLParser):
    """The rows of the table with id="delivery-problems"."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[Row] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") == "delivery-problems":
            self.inside = True
        elif self.inside and tag == "tr" and "data-customer" in a:
            self.rows.append(Row(a))
        elif self.inside and self.rows and tag == "td":
            self._cell = []
        elif self.inside and self.rows and tag == "a":
            self.rows[-1].links.append(a.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].cells.append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def problem_rows(page: str) -> dict[str, Row]:
    parser = _Rows()
    parser.feed(page)
    return {str(r.attrs["data-customer"]): r for r in parser.rows}


def log_in(client: TestClient) -> None:
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    r = client.post(
        "/login",
        data={"username": "olga", "password": PASSWORD, "next": "/", "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert r.status_code == 303


def make_problems(book: Book, tmp_path: Path, smtp) -> Settings:
    """C1 answered 451 (a retry is planned), C3's address refused with 550, C4 has no
    email address; C2 is delivered."""
    recorder, url = smtp
    load(book, tmp_path)
    settings = settings_for(url, tmp_path)
    recorder.busy = 1
    recorder.refuse = {"elodie@atelier.example"}
    before = datetime.now(UTC)
    result = dispatch.dispatch(book, now=NOW, settings=settings)
    assert result.counts() == {"sent": 1, "failed": 2, "pending": 1}
    found = {p.customer: p for p in delivery_problems.problems(book)}
    assert set(found) == {"C1", "C3", "C4"}
    # when: the failures carry the time the history recorded them; the retry its next try
    for key in ("C3", "C4"):
        at = found[key].failed_at
        assert at is not None
        assert before - timedelta(seconds=1) <= at <= datetime.now(UTC)
    assert found["C1"].failed_at is None
    assert found["C1"].next_attempt_at == NOW + timedelta(minutes=5)
    return settings


def test_the_worklist_lists_delivery_problems_with_links_to_the_accounts(
    book: Book, tmp_path: Path, smtp
):
    users.add_user(book, "olga", PASSWORD, Role.OWNER)
    web_settings = Settings(secret_key="k" * 40, outbox_dir=str(tmp_path / "outbox"))
    with TestClient(create_app(web_settings, book)) as client:
        log_in(client)
        # nothing dispatched yet: no section at all
        assert 'id="delivery-problems"' not in client.get("/worklist").text
        make_problems(book, tmp_path, smtp)
        page = client.get("/worklist")
        assert page.status_code == 200
        assert "Delivery problems" in page.text
        assert "Nothing needs a person" not in page.text  # these do
        rows = problem_rows(page.text)
        assert set(rows) == {"C1", "C3", "C4"}  # C2 was delivered: not a problem
        c3, c4, c1 = rows["C3"], rows["C4"], rows["C1"]
        # columns: customer, channel, message, error, when
        assert c3.attrs["data-state"] == "failed"
        assert c3.cells[0].startswith("Atelier Marchand SARL C3")
        assert c3.cells[1] == "email elodie@atelier.example"
        assert c3.cells[2].startswith("friendly reminder")  # the template in words
        assert "550" in c3.cells[3]
        assert "elodie@atelier.example refused" in c3.cells[3]
        # the time as the reader's locale writes it (en_US: "Dec 7, 2026, 10:06 AM UTC")
        assert re.fullmatch(r"Failed .+ \d{1,2}:\d\d(\s?[AP]M)? UTC", c3.cells[4])
        assert c4.cells[3] == "no email address for this customer"
        assert c4.cells[4].startswith("Failed")
        assert c1.attrs["data-state"] == "pending"
        assert "451" in c1.cells[3]
        assert c1.cells[4].startswith("Retry")
        assert re.search(r"10:05\s?AM UTC", c1.cells[4])  # NOW + 5 minutes of backoff
        assert "after 1 attempt" in c1.cells[4]
        # every row links to its account, and the link works
        for key, row in rows.items():
            [link] = row.links
            assert link == f"/customers/{key}"
            account = client.get(link)
            assert account.status_code == 200
            assert key in account.text
        # once C1's retry goes through, it is no longer a problem
        dispatch.dispatch(
            book, now=NOW + timedelta(minutes=6), settings=settings_for(smtp[1], tmp_path)
        )
        assert set(problem_rows(client.get("/worklist").text)) == {"C3", "C4"}


def test_dispatch_problems_from_the_cli(tmp_path: Path, smtp, monkeypatch):
    db = str(tmp_path / "book.db")
    book = Book.create(db)
    make_problems(book, tmp_path, smtp)
    book.close()
    runner = CliRunner()
    out = runner.invoke(app, ["--db", db, "dispatch", "problems", "--json"])
    assert out.exit_code == 0, out.output
    listed = {p["customer"]: p for p in json.loads(out.output)}
    assert set(listed) == {"C1", "C3", "C4"}
    assert listed["C3"]["state"] == "failed"
    assert "550" in listed["C3"]["reason"]
    assert listed["C3"]["failed_at"] is not None
    assert listed["C1"]["state"] == "pending"
    assert listed["C1"]["failed_at"] is None
    assert datetime.fromisoformat(listed["C1"]["next_attempt_at"]) == NOW + timedelta(minutes=5)
    assert listed["C4"]["reason"] == "no email address for this customer"
    text = runner.invoke(app, ["--db", db, "dispatch", "problems"], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "Delivery problems (3)" in text.output
    assert "no email address for this customer" in text.output
    # the dispatch itself is still `recoup dispatch`, and nothing is left to send but C1,
    # whose retry is not due yet at NOW
    monkeypatch.setenv("RECOUP_SMTP_URL", smtp[1])
    again = runner.invoke(app, ["--db", db, "dispatch", "--json", "--now", NOW.isoformat()])
    assert again.exit_code == 0, again.output
    assert _counts(json.loads(again.output)) == {"sent": 0, "failed": 0, "pending": 1}


CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.mark.browser
def test_delivery_problems_in_chromium(sqlite_book: Book, tmp_path: Path, smtp):
    if not CHROMIUM.exists():
        missing("Chromium at /usr/bin/chromium")
    from playwright.sync_api import expect, sync_playwright

    book = sqlite_book
    users.add_user(book, "olga", PASSWORD, Role.OWNER)
    make_problems(book, tmp_path, smtp)
    app = create_app(Settings(secret_key="k" * 40, outbox_dir=str(tmp_path / "outbox")), book)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    SHOTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/login")
            page.fill("input[name=username]", "olga")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.click("nav >> text=Worklist")
            rows = page.locator("#delivery-problems tbody tr")
            expect(rows).to_have_count(3)
            refused = page.locator("#delivery-problems tr[data-customer=C3]")
            expect(refused.locator("td.error")).to_contain_text("550")
            expect(refused.locator("td.when")).to_contain_text("Failed")
            expect(page.locator("#delivery-problems tr[data-customer=C1] td.when")).to_contain_text(
                "Retry"
            )
            page.locator("#delivery-problems").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "worklist-delivery-problems.png"), full_page=True)
            refused.locator("a").click()
            page.wait_for_url(f"http://127.0.0.1:{port}/customers/C3")
            expect(page.locator("h1")).to_contain_text("Atelier Marchand SARL")
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def _counts(out: dict) -> dict:
    """The three figures of the dispatch contract (the JSON carries more beside them)."""
    return {k: out[k] for k in ("sent", "failed", "pending")}
