"""The Templates page: list, preview with a real account, tone findings, test send to
oneself (an .eml in the outbox folder), editing by the owner only; and the same in
Chromium (screenshots in tests/screenshots/)."""

from __future__ import annotations

import email
import re
import threading
import time
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from recoup.services import importing, users
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.conftest import missing
from tests.test_dispatch import CUSTOMERS, INVOICES, free_port

PASSWORDS = {"olga": ("olga-owner-pw", Role.OWNER), "vic": ("vic-viewer-pw", Role.VIEWER)}


@pytest.fixture
def site(sqlite_book: Book, tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    book = sqlite_book
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INVOICES, encoding="utf-8")
    assert importing.import_file(book, Kind.CUSTOMERS, tmp_path / "c.csv", Options()).ok
    assert importing.import_file(book, Kind.INVOICES, tmp_path / "i.csv", Options()).ok
    for name, (pw, role) in PASSWORDS.items():
        users.add_user(book, name, pw, role)
    settings = Settings(
        secret_key="k" * 40,
        outbox_dir=str(tmp_path / "outbox"),
        business_name="Lindqvist Design Studio",
        business_phone="+49 40 1",
        business_bank="IBAN DE89 3704 0044 0532 0130 00",
        mail_from="accounts@lindqvist.example",
    )
    with TestClient(create_app(settings, book)) as client:
        yield client, tmp_path / "outbox"


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def log_in(client: TestClient, name: str) -> None:
    token = token_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORDS[name][0], "next": "/", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_list_preview_with_an_account_and_test_send(site):
    client, outbox = site
    log_in(client, "olga")
    page = client.get("/templates").text
    for name in ("overdue-friendly", "letter-before-action", "statement", "settlement-offer"):
        assert f'data-template="{name}"' in page
    shown = client.get("/templates/overdue-firm?lang=de&customer=C2")
    assert shown.status_code == 200
    assert "Guten Tag Jana Köhler" in shown.text
    assert "B-201" in shown.text
    assert "1.280,50" in shown.text  # the account's real total
    assert 'id="findings-clean"' in shown.text
    frame = client.get("/templates/overdue-firm/email?lang=de&customer=C2")
    assert "<table" in frame.text
    assert "unsafe-inline" in frame.headers["content-security-policy"]
    token = token_of(shown.text)
    sent = client.post(
        "/templates/overdue-firm/test",
        data={"csrf_token": token, "to": "olga@lindqvist.example", "lang": "de", "customer": "C2"},
    )
    assert sent.status_code == 200
    assert "Test sent to olga@lindqvist.example" in sent.text
    [eml] = list(outbox.glob("*.eml"))
    msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert str(msg["Subject"]).startswith("[TEST] ")
    assert msg["To"] == "olga@lindqvist.example"
    assert "B-200" in msg.get_body(("plain",)).get_content()


def test_owner_saves_after_the_tone_check_viewer_may_not(site):
    client, _ = site
    log_in(client, "olga")
    page = client.get("/templates/overdue-friendly").text
    token = token_of(page)
    angry = "Subject: Pay up\n\nDear {{ contact.name }}, pay {{ total }} immediately!!\n"
    refused = client.post(
        "/templates/overdue-friendly/save",
        data={"csrf_token": token, "source": angry, "lang": "en"},
    )
    assert refused.status_code == 422
    assert "false urgency" in refused.text
    assert "Not saved" in refused.text
    calm = (
        "Subject: About {{ invoice_numbers }}\n\nDear {{ contact.name }},\n\n"
        "{{ table }}\n\nCall {{ business.phone }}.\n"
    )
    saved = client.post(
        "/templates/overdue-friendly/save", data={"csrf_token": token, "source": calm, "lang": "en"}
    )
    assert saved.status_code == 200
    assert "Saved." in saved.text
    assert "edited" in client.get("/templates").text
    client.post("/logout", data={"csrf_token": token})
    log_in(client, "vic")
    viewer_page = client.get("/templates/overdue-friendly").text
    assert 'name="source"' not in viewer_page
    forbidden = client.post(
        "/templates/overdue-friendly/save",
        data={"csrf_token": token_of(viewer_page), "source": calm},
    )
    assert forbidden.status_code == 403


CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.mark.browser
def test_templates_in_chromium(site):
    if not CHROMIUM.exists():
        missing("Chromium at /usr/bin/chromium")
    from playwright.sync_api import expect, sync_playwright

    client, _ = site
    app = client.app
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    SHOTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/login")
            page.fill("input[name=username]", "olga")
            page.fill("input[name=password]", PASSWORDS["olga"][0])
            page.click("button[type=submit]")
            page.click("nav >> text=Templates")
            expect(page.locator("#templates tbody tr")).to_have_count(12)
            page.screenshot(path=str(SHOTS / "templates-list.png"), full_page=True)
            page.click("a[href='/templates/final-notice']")
            page.select_option("select[name=lang]", "fr")
            page.fill("input[name=customer]", "C3")
            page.click("form.preview-with button")
            expect(page.locator("#subject")).to_contain_text("Dernière relance")
            expect(page.locator("#findings-clean")).to_be_visible()
            frame = page.frame_locator("iframe.email-preview")
            expect(frame.locator("table.items")).to_contain_text("F-300")
            page.screenshot(path=str(SHOTS / "template-preview-fr.png"), full_page=True)
            page.fill("#source", "Subject: Hi\n\nWe will sue you immediately!!\n")
            page.click("section[aria-labelledby=edit-title] button[type=submit]")
            expect(page.locator("#findings")).to_contain_text("legal action")
            expect(page.locator("#message")).to_contain_text("Not saved")
            page.screenshot(path=str(SHOTS / "template-refused.png"), full_page=True)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=5)
