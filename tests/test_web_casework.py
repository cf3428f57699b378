"""Working a case in the web UI (TestClient): the history timeline and its filter, the
case forms (validated on the server, errors beside the fields, CSRF), roles, the
owner's approvals and the case file downloads.

Runs on SQLite and PostgreSQL over a demo book; every action is dated AS_OF through the
pages' `?as_of=` parameter.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from recoup.services import casefile, demo, history, users
from recoup.services.book import Book
from recoup.services.casework import disputes, promises, review_all, settlements, tasks, writeoffs
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app

AS_OF = date(2025, 6, 30)
EML = b"Subject: Your invoices\r\n\r\nPlease pay."
PASSWORDS = {
    "olivia": ("olivia-owner-pw", Role.OWNER),
    "carl": ("carl-collector-pw", Role.COLLECTOR),
    "vera": ("vera-viewer-pw", Role.VIEWER),
}


@dataclass
class Site:
    book: Book
    client: TestClient
    key: str  # the worst account of the demo book

    def account(self, query: str = "") -> str:
        sep = "&" if query else ""
        response = self.client.get(f"/customers/{self.key}?{query}{sep}as_of={AS_OF}")
        assert response.status_code == 200, response.text
        return response.text

    def post(self, action: str, data: dict[str, str], token: str | None = None) -> object:
        body = {"csrf_token": token if token is not None else self.token(), **data}
        return self.client.post(
            f"/customers/{self.key}/case/{action}?as_of={AS_OF}", data=body, follow_redirects=False
        )

    def token(self) -> str:
        return token_of(self.client.get(f"/customers/{self.key}?as_of={AS_OF}").text)


@pytest.fixture
def site(book: Book) -> Iterator[Site]:
    demo.write_book(book, demo.make(30, 300, 11, AS_OF, currency=None))
    key = casefile.worst_account(book, AS_OF)
    assert key is not None
    app = create_app(Settings(secret_key="test-secret-" + "x" * 32), book)
    with TestClient(app) as client:
        yield Site(book, client, key)


def add_user(book: Book, name: str) -> None:
    if users.get_user(book, name) is None:
        users.add_user(book, name, *PASSWORDS[name])


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def log_in(site: Site, name: str) -> None:
    add_user(site.book, name)
    site.client.cookies.clear()
    token = token_of(site.client.get("/login").text)
    response = site.client.post(
        "/login",
        data={"username": name, "password": PASSWORDS[name][0], "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def field_errors(page: str) -> dict[str, str]:
    """id of the field -> its error message, as shown beside it."""
    return {
        m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'<p class="field-error" id="([^"]+)-error">([^<]+)</p>', page)
    }


def form_error(page: str) -> str:
    found = re.search(r'<p class="alert form-error" role="alert"[^>]*>([^<]+)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def timeline_kinds(page: str) -> list[str]:
    return re.findall(r'<li class="tl-item [^"]+" data-kind="([^"]+)"', page)


# --- the timeline -------------------------------------------------------------------


def test_timeline_shows_the_history_newest_first_and_filters(site: Site) -> None:
    log_in(site, "carl")
    for text in ("First note", "Second note"):
        assert site.post("note", {"text": text}).status_code == 303
    assert site.post("call", {"kind": "call", "outcome": "no_answer"}).status_code == 303
    page = site.account()
    kept = history.entries(site.book, site.key)
    assert [e.kind for e in kept] == ["note", "note", "call"]
    assert timeline_kinds(page) == ["call", "note", "note"]  # newest first
    texts = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", t)).split())
        for t in re.findall(r'<p class="tl-text">(.*?)</p>', page, re.S)
    ]
    assert texts == [" ".join(e.text.split()) for e in reversed(kept)]  # no ISO date in them
    assert texts[1] == "Note: Second note"

    # the filter (no JavaScript: a GET of the page)
    only_money = site.account("show=money")
    assert timeline_kinds(only_money) == []
    assert "Nothing of these kinds in the history" in only_money
    contacts = site.account("show=contacts")
    assert timeline_kinds(contacts) == ["call", "note", "note"]
    assert 'value="contacts" checked' in contacts
    show_all = re.search(r'<a href="([^"]+)">Show all</a>', contacts)
    assert show_all
    assert show_all.group(1) == f"/customers/{site.key}?as_of={AS_OF}#timeline"

    # HTMX asks for the entries only
    partial = site.client.get(
        f"/customers/{site.key}?show=contacts&as_of={AS_OF}",
        headers={"HX-Request": "true", "HX-Target": "timeline-entries"},
    )
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert 'id="timeline-entries"' in partial.text
    assert timeline_kinds(partial.text) == ["call", "note", "note"]
    assert "HX-Target" in partial.headers["vary"]


def test_viewers_see_the_timeline_but_no_forms(site: Site) -> None:
    log_in(site, "carl")
    assert site.post("note", {"text": "Seen by all"}).status_code == 303
    log_in(site, "vera")
    page = site.account()
    assert timeline_kinds(page) == ["note"]
    assert 'class="case-form"' not in page
    assert "/casefile.pdf" not in page
    response = site.post("note", {"text": "A viewer writes"}, token=token_of(page))
    assert response.status_code == 403
    assert [e.text for e in history.entries(site.book, site.key)] == ["Note: Seen by all"]
    assert site.client.get(f"/customers/{site.key}/casefile.pdf").status_code == 403


# --- the forms: validation, CSRF ------------------------------------------------------


def test_a_note_needs_text_and_a_token(site: Site) -> None:
    log_in(site, "carl")
    refused = site.post("note", {"text": "   "})
    assert refused.status_code == 422
    assert field_errors(refused.text) == {"note-text": "Note is required."}
    assert 'id="form-note" open' in refused.text
    assert 'aria-invalid="true" aria-describedby="note-text-error"' in refused.text
    forged = site.post("note", {"text": "Forged"}, token="not-the-token")
    assert forged.status_code == 403
    no_token = site.client.post(
        f"/customers/{site.key}/case/note", data={"text": "No token"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    assert history.entries(site.book, site.key) == []


def test_a_call_with_a_promise_needs_amount_and_day(site: Site) -> None:
    log_in(site, "carl")
    refused = site.post("call", {"kind": "call", "outcome": "promise", "notes": "Will pay soon"})
    assert refused.status_code == 422
    assert field_errors(refused.text) == {
        "call-promise_amount": "A promise needs the amount.",
        "call-promise_date": "A promise needs the day.",
    }
    # what was typed comes back
    assert "Will pay soon</textarea>" in refused.text
    assert '<option value="promise" selected>' in refused.text
    assert history.entries(site.book, site.key) == []

    bad = site.post(
        "call",
        {"kind": "call", "outcome": "promise", "promise_amount": "12,3x",
         "promise_date": "10/07/2025"},
    )  # fmt: skip
    assert bad.status_code == 422
    errors = field_errors(bad.text)
    assert errors["call-promise_amount"].startswith("Promised amount: not a number")
    assert errors["call-promise_date"] == "Promised by: give a day as YYYY-MM-DD."
    unknown = site.post("call", {"kind": "call", "outcome": "threatened"})
    assert field_errors(unknown.text) == {"call-outcome": "Outcome: choose one of the list."}

    done = site.post(
        "call",
        {"kind": "call", "outcome": "promise", "notes": "Owner will pay on the 10th",
         "promise_amount": "500.00", "promise_date": "2025-07-10"},
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == f"/customers/{site.key}?as_of={AS_OF}#timeline"
    page = site.client.get(done.headers["location"]).text
    # amounts in the flash are money of the page's locale (en_US)
    assert "Call recorded, with a promise of $500.00" in re.sub(r"<[^>]+>", "", html.unescape(page))
    kinds = [e.kind for e in history.entries(site.book, site.key) if e.kind != "email"]
    assert kinds == ["call", "promise"]
    [p] = promises.list_promises(site.book, site.key)
    assert (str(p.amount.amount), p.promised_on, p.made_on) == ("500.00", date(2025, 7, 10), AS_OF)


def test_a_promise_above_the_balance_is_refused_by_the_service(site: Site) -> None:
    log_in(site, "carl")
    refused = site.post("promise", {"amount": "99999999.00", "promised_on": "2025-07-10"})
    assert refused.status_code == 422
    assert form_error(refused.text)  # the service's reason, shown on the form
    assert 'id="form-promise" open' in refused.text
    assert promises.list_promises(site.book, site.key) == []


def test_a_payment_plan_from_the_form(site: Site) -> None:
    log_in(site, "carl")
    bad = site.post("plan", {"installments": "0", "first": "2025-07-15"})
    assert field_errors(bad.text) == {"plan-installments": "Installments: between 1 and 120."}
    done = site.post("plan", {"installments": "4", "first": "2025-07-15", "every": "30"})
    assert done.status_code == 303
    [entry] = history.entries(site.book, site.key, kinds=("plan",))
    assert "4 installments" in entry.text


def test_dispute_open_and_resolve(site: Site) -> None:
    log_in(site, "carl")
    page = site.account()
    invoice = re.search(
        r'<select id="dispute-invoice" name="invoice"[^>]*>\s*<option value="([^"]+)"', page
    )
    assert invoice
    number = invoice.group(1)
    refused = site.post("dispute", {"invoice": "NOT-AN-INVOICE", "reason": "quality"})
    assert field_errors(refused.text) == {"dispute-invoice": "Invoice: choose one of the list."}
    done = site.post("dispute", {"invoice": number, "reason": "quality", "text": "Scratched"})
    assert done.status_code == 303, form_error(done.text)
    [d] = disputes.list_disputes(site.book, site.key, "open")
    assert d.invoice == number
    page = site.account()
    assert 'id="form-dispute-resolve"' in page
    no_credit = site.post("dispute-resolve", {"dispute": str(d.id), "resolution": "credit_note"})
    assert field_errors(no_credit.text) == {
        "dispute-resolve-credit": "A credit note needs its amount."
    }
    rejected = site.post("dispute-resolve", {"dispute": str(d.id), "resolution": "rejected"})
    assert rejected.status_code == 303
    assert disputes.list_disputes(site.book, site.key, "open") == []
    assert [e.kind for e in history.entries(site.book, site.key) if e.kind != "email"] == [
        "dispute",
        "dispute_resolved",
    ]


def test_agency_place_and_recall(site: Site) -> None:
    log_in(site, "carl")
    assert 'id="form-agency-recall"' not in site.account()
    refused = site.post("agency-place", {"agency": "", "percent": "30"})
    assert field_errors(refused.text) == {"agency-place-agency": "Agency is required."}
    too_much = site.post("agency-place", {"agency": "Acme Recovery", "percent": "130"})
    assert field_errors(too_much.text) == {
        "agency-place-percent": "Contingency fee (%): at most 100 percent."
    }
    assert (
        site.post("agency-place", {"agency": "Acme Recovery", "percent": "30"}).status_code == 303
    )
    page = site.account()
    assert 'id="form-agency-place"' not in page
    assert 'id="form-agency-recall"' in page
    assert site.post("agency-recall", {"reason": "no progress"}).status_code == 303
    assert [e.kind for e in history.entries(site.book, site.key) if e.kind != "email"] == [
        "handoff",
        "recall",
    ]


def test_unknown_action_and_customer_are_404(site: Site) -> None:
    log_in(site, "carl")
    token = site.token()
    assert site.post("launch-missiles", {}, token).status_code == 404
    response = site.client.post(
        f"/customers/NO-SUCH/case/note?as_of={AS_OF}",
        data={"csrf_token": token, "text": "x"},
        follow_redirects=False,
    )
    assert response.status_code == 404


# --- the owner's approvals -------------------------------------------------------------


def test_only_the_owner_sees_and_uses_approvals(site: Site) -> None:
    log_in(site, "carl")
    assert site.client.get("/approvals").status_code == 403
    assert 'href="/approvals"' not in site.account()
    token = site.token()
    refused = site.client.post(
        "/approvals/settlement",
        data={"csrf_token": token, "id": "1", "decision": "approve"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    log_in(site, "olivia")
    page = site.client.get(f"/approvals?as_of={AS_OF}")
    assert page.status_code == 200
    assert 'href="/approvals" aria-current="page"' in page.text
    assert "No settlement waits for approval." in page.text


def test_a_settlement_below_the_floor_waits_for_the_owner(site: Site) -> None:
    log_in(site, "carl")
    done = site.post("settlement", {"amount": "100.00", "deadline": "2025-07-31"})
    assert done.status_code == 303
    [s] = settlements.list_settlements(site.book, site.key)
    assert s.status == "needs_approval"
    flash = html.unescape(site.account())
    assert "needs the owner's approval" in flash
    # not offered yet: nothing to accept
    assert 'id="form-settlement-accept"' not in site.account()

    log_in(site, "olivia")
    page = site.client.get(f"/approvals?as_of={AS_OF}").text
    assert f'data-settlement="{s.id}" data-customer="{site.key}"' in page
    assert f'href="/customers/{quote(site.key)}?as_of={AS_OF}"' in page
    token = token_of(page)
    approved = site.client.post(
        f"/approvals/settlement?as_of={AS_OF}",
        data={"csrf_token": token, "id": str(s.id), "decision": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    after = site.client.get(approved.headers["location"]).text
    assert f"Settlement {s.id} for {site.key} approved" in after
    assert "No settlement waits for approval." in after
    [s2] = settlements.list_settlements(site.book, site.key)
    assert (s2.status, s2.approved_by) == ("offered", "olivia")
    again = site.client.post(
        f"/approvals/settlement?as_of={AS_OF}",
        data={"csrf_token": token, "id": str(s.id), "decision": "approve"},
    )
    assert again.status_code == 422
    assert "nothing to approve" in again.text

    # the collector records the customer's acceptance
    log_in(site, "carl")
    page = site.account()
    assert 'id="form-settlement-accept"' in page
    accepted = site.post("settlement-accept", {"settlement": str(s.id)})
    assert accepted.status_code == 303
    assert settlements.list_settlements(site.book, site.key)[0].status == "accepted"
    kinds = [e.kind for e in history.entries(site.book, site.key) if e.kind != "email"]
    assert kinds == ["settlement_offer", "settlement_approved", "settlement_accepted"]


def test_a_write_off_is_refused_without_a_reason_then_approved(site: Site) -> None:
    log_in(site, "carl")
    bad = site.post("write-off", {"reason": "", "amount": "-5"})
    assert field_errors(bad.text) == {
        "write-off-reason": "Reason is required.",
        "write-off-amount": "Amount (default: the whole balance): give an amount above zero.",
    }
    assert site.post("write-off", {"reason": "uncollectible", "amount": "50.00"}).status_code == 303
    [w] = writeoffs.list_write_offs(site.book, site.key)
    assert w.status == "pending"
    log_in(site, "olivia")
    page = site.client.get(f"/approvals?as_of={AS_OF}").text
    assert f'data-write-off="{w.id}"' in page
    token = token_of(page)
    no_reason = site.client.post(
        f"/approvals/write-off?as_of={AS_OF}",
        data={"csrf_token": token, "id": str(w.id), "decision": "refuse"},
    )
    assert no_reason.status_code == 422
    assert "Say why the write-off is refused." in no_reason.text
    approved = site.client.post(
        f"/approvals/write-off?as_of={AS_OF}",
        data={"csrf_token": token, "id": str(w.id), "decision": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert writeoffs.list_write_offs(site.book, site.key)[0].status == "done"


# --- the case file --------------------------------------------------------------------


def test_case_file_downloads_for_collectors(site: Site) -> None:
    log_in(site, "carl")
    assert site.post("note", {"text": "Before the file"}).status_code == 303
    page = site.account()
    assert f'href="/customers/{site.key}/casefile.pdf?as_of={AS_OF}"' in page
    pdf = site.client.get(f"/customers/{site.key}/casefile.pdf?as_of={AS_OF}")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert f'filename="casefile-{site.key}-{AS_OF}.pdf"' in pdf.headers["content-disposition"]
    assert pdf.content.startswith(b"%PDF-")
    bundle = site.client.get(f"/customers/{site.key}/casefile.zip?as_of={AS_OF}")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as zf:
        assert {"casefile.pdf", "invoices.csv", "history.json"} <= set(zf.namelist())
    assert site.client.get(f"/customers/NO-SUCH/casefile.pdf?as_of={AS_OF}").status_code == 404


def test_attached_documents_download_only_through_their_customer(site: Site) -> None:
    other = next(c for c in ("C000001", "C000002") if c != site.key)
    with site.book.write() as conn:
        cid = history.customer_id_of(conn, site.key)
        entry = history.record(
            conn, cid, "email", "Reminder", actor="run", on=AS_OF,
            documents=[history.NewDocument("reminder.eml", "message/rfc822", EML)],
        )  # fmt: skip
    log_in(site, "carl")
    page = site.account()
    link = f"/customers/{site.key}/document?entry={entry}&amp;n=0"
    assert link in page
    got = site.client.get(html.unescape(link))
    assert got.status_code == 200
    assert got.content == EML
    assert site.client.get(f"/customers/{other}/document?entry={entry}&n=0").status_code == 404
    assert site.client.get(f"/customers/{site.key}/document?entry={entry}&n=1").status_code == 404


# --- the worklist's follow-ups -----------------------------------------------------------


def test_a_broken_promise_shows_on_the_worklist(site: Site) -> None:
    log_in(site, "carl")
    done = site.post("promise", {"amount": "200.00", "promised_on": "2025-07-07"})
    assert done.status_code == 303
    # the account's worklist line, with its follow-up among its tasks
    row = f'<tr data-customer="{site.key}" data-currency="'
    task = '<li class="task" data-kind="broken_promise">'
    assert task not in site.client.get(f"/worklist?as_of={AS_OF}").text
    later = date(2025, 7, 21)
    review_all(site.book, later)
    assert [p.status for p in promises.list_promises(site.book, site.key)] == ["broken"]
    [follow] = tasks.open_followups(site.book, later)
    page = site.client.get(f"/worklist?as_of={later}").text
    found = re.search(re.escape(row) + r".*?</tr>", page, re.S)
    assert found
    assert task in found.group()
    # the follow-up says which promise (its amount as the page writes money)
    assert "Promise of $200.00" in re.sub(r"<[^>]+>", "", found.group())
    tasks.done(site.book, follow.id, actor="carl", on=later)
    assert task not in site.client.get(f"/worklist?as_of={later}").text


def test_the_timeline_shows_the_newest_hundred(site: Site) -> None:
    with site.book.write() as conn:
        cid = history.customer_id_of(conn, site.key)
        for n in range(1, 106):
            history.record(conn, cid, "note", f"Note number {n}", actor="carl", on=AS_OF)
    log_in(site, "vera")
    page = site.account()
    texts = re.findall(r'<p class="tl-text">Note number (\d+)</p>', page)
    assert texts == [str(n) for n in range(105, 5, -1)]
    assert "The newest 100 of 105 matching, 105 entries" in page


def test_a_german_reader_types_amounts_as_germans_write_them(site: Site) -> None:
    """The form reads a number in the reader's locale (their browser asks for German):
    "1.234,50" and "12,50" are 1234.50 and 12.50; a plain "12.50" is read too."""
    log_in(site, "carl")
    site.client.headers["Accept-Language"] = "de-DE,de;q=0.9"
    for typed, read in (("12,50", "12.50"), ("12.50", "12.50")):
        done = site.post("promise", {"amount": typed, "promised_on": "2025-07-07"})
        assert done.status_code == 303, done.text
        assert str(promises.list_promises(site.book, site.key)[-1].amount.amount) == read
        promises.cancel_promise(
            site.book, promises.list_promises(site.book, site.key)[-1].id, actor="carl",
            on=AS_OF, reason="test",
        )  # fmt: skip
