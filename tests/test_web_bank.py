"""The Bank page through HTTP, on SQLite and PostgreSQL: statements and the review
queue with evidence, a line's history, confirm (first suggestion, or invoices typed:
re-assign and split) and reject for collectors; a viewer looks but may not act."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recoup.services import users
from recoup.services.bank_import import import_statement
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from tests.test_bank_matching import FIRST, MAPPING, _invoice, _lines, _load, _statement

PASSWORDS = {"carl": ("carl-collector-pw", Role.COLLECTOR), "vera": ("vera-viewer-pw", Role.VIEWER)}


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def client(book: Book, tmp_path: Path) -> Iterator[TestClient]:
    _load(book, tmp_path)
    import_statement(book, _statement(tmp_path, "june.csv", FIRST), MAPPING)
    for name, (password, role) in PASSWORDS.items():
        users.add_user(book, name, password, role)
    config = Settings(secret_key="bank-" + "s" * 40, locale="en_GB", now="2026-06-02T10:00:00")
    with TestClient(create_app(config, book)) as c:
        yield c


def _log_in(client: TestClient, name: str) -> None:
    token = _token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": name, "password": PASSWORDS[name][0], "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_the_queue_shows_each_line_with_its_evidence(client: TestClient, book: Book):
    _log_in(client, "vera")
    page = client.get("/bank").text
    assert 'data-figure="waiting">2<' in page
    assert "june.csv" in page
    lines = _lines(book)
    t2, t5 = lines["T2"][0], lines["T5"][0]
    assert f'data-line="{t2}"' in page
    assert "INV-1003" in page
    assert "amount exact" in page
    assert "No open invoice fits" in page
    # a viewer sees no actions and may not post them
    assert "/confirm" not in page
    response = client.post(
        f"/bank/lines/{t2}/confirm", data={"csrf_token": _token(page)}, follow_redirects=False
    )
    assert response.status_code == 403
    history = client.get(f"/bank/lines/{lines['T1'][0]}").text
    assert "applied to INV-1001" in history
    assert client.get("/bank/lines/99999").status_code == 404
    del t5


def test_the_evidence_is_in_the_readers_language(client: TestClient):
    """The evidence is kept as codes and figures and worded when shown: a German or
    French reader does not read "amount exact" among their own words."""
    _log_in(client, "vera")
    german = client.get("/bank", headers={"Accept-Language": "de-DE,de;q=0.9"}).text
    assert "Betrag stimmt genau" in german
    assert "amount exact" not in german
    french = client.get("/bank", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text
    assert "montant exact" in french
    assert "amount exact" not in french


def test_a_collector_confirms_reassigns_and_rejects(client: TestClient, book: Book):
    _log_in(client, "carl")
    lines = _lines(book)
    page = client.get("/bank").text
    token = _token(page)
    done = client.post(f"/bank/lines/{lines['T2'][0]}/confirm", data={"csrf_token": token})
    assert done.status_code == 200
    assert 'confirmed: INV-1003 <span class="nowrap">€100.00</span>' in done.text
    assert _invoice(book, "INV-1003") == ("paid", 0)
    wrong = client.post(
        f"/bank/lines/{lines['T5'][0]}/confirm",
        data={"csrf_token": token, "invoices": "INV-9999"},
    )
    assert "invoice INV-9999 is not in the book" in wrong.text
    split = client.post(
        f"/bank/lines/{lines['T5'][0]}/confirm",
        data={"csrf_token": token, "invoices": "INV-1002=30.00"},
    )
    assert 'confirmed: INV-1002 <span class="nowrap">€30.00</span>' in split.text
    assert _invoice(book, "INV-1002") == ("partial", 2000)
    assert "Nothing waits for review" in split.text
    history = client.get(f"/bank/lines/{lines['T5'][0]}").text
    assert "carl" in history
    assert "confirmed" in history
