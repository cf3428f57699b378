"""A statement uploaded on the Bank page is taken as `recoup bank import` takes it: its
lines stored and matched, the outcome and any gap between its balances and its lines
said on the page and kept with the statement; a bank CSV is read with the account the
form gives, refused (and the book left) without one; the same file again adds nothing;
a viewer may not upload. SQLite and PostgreSQL."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from recoup.services import bank_matching
from recoup.services.book import Book
from tests.conftest import corpus_file
from tests.test_web_bank import _log_in, _token, client  # noqa: F401 - the fixture

CAMT = corpus_file("bank", "camt", "oca-bank-statement-import", "test-camt053")
CSV = b"date,amount,currency,name,purpose\n2026-06-03,12.50,EUR,Someone,thanks\n"


def _upload(client: TestClient, name: str, data: bytes, account: str = "") -> str:  # noqa: F811
    token = _token(client.get("/bank").text)
    done = client.post(
        "/bank/import",
        data={"csrf_token": token, "account": account},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/bank"
    return html.unescape(client.get("/bank").text)


def test_a_statement_uploaded_is_taken_matched_and_its_gap_said(
    client: TestClient,  # noqa: F811
    book: Book,
) -> None:
    _log_in(client, "carl")
    page = _upload(client, "test-camt053", CAMT.read_bytes())
    assert "4 lines read, 4 new: 0 applied, 0 to review, 4 not matched" in page
    assert '<span class="nowrap">-€434.16</span> is not in this file' in page  # as figures show
    gaps = {s["file_name"]: s["gap_minor"] for s in bank_matching.statements(book)}
    assert gaps["test-camt053"] == -43416
    assert 'data-gap="-434.16"' in page  # the statements table marks it
    again = _upload(client, "test-camt053", CAMT.read_bytes())
    assert "4 lines read, 0 new" in again
    assert "4 the book held already" in again


def test_a_bank_csv_needs_its_account(client: TestClient, book: Book) -> None:  # noqa: F811
    _log_in(client, "carl")
    before = len(bank_matching.statements(book))
    refused = _upload(client, "export.csv", CSV)
    assert "Refused: nothing was imported." in refused
    assert "which account is this?" in refused
    assert len(bank_matching.statements(book)) == before
    taken = _upload(client, "export.csv", CSV, account="NL91ABNA0417164300")
    assert "1 line read, 1 new" in taken
    assert len(bank_matching.statements(book)) == before + 1


def test_a_viewer_may_not_upload(client: TestClient) -> None:  # noqa: F811
    _log_in(client, "vera")
    token = _token(client.get("/bank").text)
    refused = client.post(
        "/bank/import",
        data={"csrf_token": token},
        files={"file": ("x.xml", CAMT.read_bytes(), "application/xml")},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    page = client.get("/bank").text
    assert 'action="/bank/import"' not in page
