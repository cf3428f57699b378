"""The import, today's run and the outbox pages through HTTP: who may do what, the
import's detected mapping and its dry run with problems grouped by kind, a refused
import that leaves every table of the book as it was, the upload limit, the run's
preview (nothing recorded) and the run, and the outbox's sections and "Send now".

On SQLite and PostgreSQL (the `book` fixture). The app acts at a fixed moment (a
Tuesday, 10:00 UTC), and the customers are in London, so delivery is allowed.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from recoup.services import daily_run, delivery_problems, importing, users
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app
from recoup.web.uploads import SLACK, Uploads

MOMENT = "2026-03-10T10:00:00"  # a Tuesday
TODAY = date(2026, 3, 10)
PASSWORDS = {
    "olivia": ("olivia-owner-pw", Role.OWNER),
    "carl": ("carl-collector-pw", Role.COLLECTOR),
    "vera": ("vera-viewer-pw", Role.VIEWER),
}
BUSINESS = {
    "business_name": "Acme Design Ltd",
    "business_address": "1 Market Street|Leeds LS1 4AB",
    "business_phone": "+44 113 496 0000",
    "business_bank": "IBAN GB33 BUKB 2020 1555 5555 55",
    "business_email": "accounts@acme.example",
    "mail_from": "accounts@acme.example",
}


def customers_csv(n: int) -> str:
    rows = [f"K{i:03d},Client {i},GB,ap{i}@client{i}.example,Europe/London" for i in range(n)]
    return "customer,name,country,email,timezone\n" + "\n".join(rows) + "\n"


def invoices_csv(n: int, currency: bool = True) -> str:
    """One invoice per customer, due ten days before TODAY."""
    due = TODAY - timedelta(days=10)
    issued = due - timedelta(days=30)
    head = "customer,number,issue_date,due_date,amount" + (",currency" if currency else "")
    rows = [
        f"K{i:03d},INV-{i:03d},{issued},{due},{100 + i}.50" + (",GBP" if currency else "")
        for i in range(n)
    ]
    return head + "\n" + "\n".join(rows) + "\n"


def seed(book: Book, folder: Path, n: int) -> None:
    """`n` customers with one overdue invoice each, imported by the service."""
    for kind, body in ((Kind.CUSTOMERS, customers_csv(n)), (Kind.INVOICES, invoices_csv(n))):
        path = folder / f"seed-{kind.value}.csv"
        path.write_text(body, encoding="utf-8")
        report = importing.import_file(book, kind, path, Options())
        assert report.ok, report.problems


@dataclass
class Site:
    book: Book
    client: TestClient
    outbox: Path
    folder: Path

    def log_in(self, name: str) -> None:
        password, role = PASSWORDS[name]
        if users.get_user(self.book, name) is None:
            users.add_user(self.book, name, password, role)
        token = token_of(self.client.get("/login").text)
        response = self.client.post(
            "/login",
            data={"username": name, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text

    def token(self) -> str:
        return token_of(self.client.get("/outbox").text)


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def make_site(book: Book, tmp_path: Path, **settings: object) -> Iterator[Site]:
    outbox = tmp_path / "outbox"
    config = Settings(
        secret_key="ops-" + "s" * 40,
        now=MOMENT,
        outbox_dir=str(outbox),
        locale="en_GB",
        **settings,  # type: ignore[arg-type]
    )
    app = create_app(config, book)
    with TestClient(app) as client:
        yield Site(book, client, outbox, tmp_path)


@pytest.fixture
def site(book: Book, tmp_path: Path) -> Iterator[Site]:
    yield from make_site(book, tmp_path, **BUSINESS)


def snapshot(book: Book) -> dict[str, tuple[int, str]]:
    """Every table of the book: its row count and a checksum of its rows."""
    out = {}
    with book.read() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = sorted(repr(tuple(r)) for r in conn.execute(text(f"SELECT * FROM {table}")))
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def upload(site: Site, kind: str, name: str, body: str | bytes, follow: bool = True) -> str:
    response = site.client.post(
        "/import/upload",
        data={"kind": kind, "csrf_token": site.token()},
        files={"file": (name, body, "text/csv")},
        follow_redirects=follow,
    )
    assert response.status_code == 200, response.text
    return response.text


def page_form(page: str) -> dict[str, str]:
    """The import page's form as it stands: every column's field, the choices."""
    form = {"csrf_token": token_of(page)}
    for m in re.finditer(r'<select id="(col-\d+)" name="col-\d+"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m.group(2))
        form[m.group(1)] = chosen.group(1) if chosen else ""
    for m in re.finditer(r'name="(name-\d+)" value="([^"]*)"', page):
        form[m.group(1)] = m.group(2)
    return form


def column_field(page: str, column: str) -> str:
    """The field the mapping table feeds from `column`."""
    row = re.search(rf'<tr data-column="{re.escape(column)}">(.*?)</tr>', page, re.S)
    assert row, f"no column {column}"
    chosen = re.search(r'<option value="([^"]*)" selected', row.group(1))
    return chosen.group(1) if chosen else ""


# --- who may do what ----------------------------------------------------------------


def test_a_viewer_sees_the_outbox_and_nothing_else_of_the_job(site: Site) -> None:
    site.log_in("vera")
    page = site.client.get("/outbox")
    assert page.status_code == 200
    assert 'id="send-now"' not in page.text
    assert 'href="/outbox"' in page.text
    assert 'href="/import"' not in page.text
    assert 'href="/run"' not in page.text
    token = token_of(page.text)
    for path in ("/import", "/run"):
        assert site.client.get(path).status_code == 403
    for path in ("/import/upload", "/import/check", "/import/run", "/run", "/outbox/send"):
        refused = site.client.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 403, path


def test_a_collector_imports_and_previews_but_only_an_owner_runs(site: Site) -> None:
    seed(site.book, site.folder, 3)
    site.log_in("carl")
    assert site.client.get("/import").status_code == 200
    preview = site.client.get("/run")
    assert preview.status_code == 200
    assert 'id="run-now"' not in preview.text
    assert "Only an owner can start the run." in preview.text
    token = token_of(preview.text)
    assert site.client.post("/run", data={"csrf_token": token}).status_code == 403
    sent = site.client.post("/outbox/send", data={"csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303


def test_not_logged_in_goes_to_the_login(site: Site) -> None:
    for path in ("/import", "/run", "/outbox"):
        response = site.client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


# --- import -------------------------------------------------------------------------


def test_the_detected_mapping_is_shown_and_can_be_changed(site: Site) -> None:
    site.log_in("olivia")
    body = (
        "Client,Doc,Datum,Fällig,Betrag,Währung,Notiz\n"
        'K1,R-1,31.01.2026,28.02.2026,"1.234,50",EUR,a\n'
        'K2,R-2,01.02.2026,03.03.2026,"99,00",EUR,b\n'
    )
    page = upload(site, "invoices", "rechnungen.csv", body)
    assert column_field(page, "Client") == "customer"
    assert column_field(page, "Betrag") == ""  # not a known name: not used until chosen
    assert "No column for" in page
    assert "Detected: day.month.year" not in page  # no column feeds a date yet
    form = page_form(page)
    names = {v: k.removeprefix("name-") for k, v in form.items() if k.startswith("name-")}
    form[f"col-{names['Doc']}"] = "number"
    form[f"col-{names['Datum']}"] = "issue_date"
    form[f"col-{names['Fällig']}"] = "due_date"
    form[f"col-{names['Betrag']}"] = "amount"
    form[f"col-{names['Währung']}"] = "currency"
    checked = site.client.post("/import/check", data=form)
    assert checked.status_code == 200, checked.text
    assert "Ready to import" in checked.text
    assert column_field(checked.text, "Betrag") == "amount"
    assert "Detected: day.month.year" in checked.text
    assert "Detected: comma" in checked.text
    assert "holds EUR" in checked.text
    assert 'data-figure="would-import">2<' in checked.text
    done = site.client.post("/import/run", data=form)
    assert done.status_code == 200
    assert 'data-figure="imported">2<' in done.text
    with site.book.read() as conn:
        amounts = dict(conn.execute(text("SELECT number, amount_minor FROM invoices")).all())
    assert amounts == {"R-1": 123450, "R-2": 9900}


def test_a_column_set_to_not_used_is_left_out(site: Site) -> None:
    site.log_in("olivia")
    page = upload(site, "invoices", "inv.csv", invoices_csv(2).replace("currency", "ccy"))
    assert column_field(page, "ccy") == "currency"
    form = page_form(page)
    index = next(k[5:] for k, v in form.items() if k.startswith("name-") and v == "ccy")
    form[f"col-{index}"] = ""
    refused = site.client.post("/import/check", data=form)
    assert refused.status_code == 422
    assert "2 rows" in refused.text
    assert "no currency" in refused.text
    form["currency"] = "usd"
    assert site.client.post("/import/run", data=form).status_code == 200
    with site.book.read() as conn:
        assert set(conn.execute(text("SELECT currency FROM invoices")).scalars()) == {"USD"}


def test_the_dry_run_groups_problems_by_kind(site: Site) -> None:
    site.log_in("olivia")
    rows = [f"K{i},N-{i},2026-01-05,2026-02-04,10.00," for i in range(300)]
    rows[5] = "K5,N-5,2026-01-05,2026-02-04,ten,GBP"
    rows[9] = "K9,N-9,2026-01-05,2026-02-04,nine,GBP"
    head = "customer,number,issue_date,due_date,amount,currency\n"
    page = upload(site, "invoices", "invoices.csv", head + "\n".join(rows) + "\n")
    before = snapshot(site.book)
    checked = site.client.post("/import/check", data=page_form(page))
    assert checked.status_code == 422
    groups = re.findall(
        r'<li class="problem-group" data-count="(\d+)">.*?<span class="pg-count">([^<]+)</span> '
        r'<span class="pg-message">([^<]+)</span>.*?<p class="pg-where">(.*?)</p>',
        checked.text,
        re.S,
    )
    assert [(n, count) for n, count, _m, _w in groups] == [("298", "298 rows"), ("2", "2 rows")]
    assert "no currency: choose the file's currency column" in html.unescape(groups[0][2])
    assert "--currency" not in checked.text
    assert groups[1][2] == "amount … is not a number"
    where = re.sub(r"<[^>]+>", "", groups[0][3])
    assert where == "first at invoices.csv:2, invoices.csv:3, invoices.csv:4 and 295 more"
    assert "invoices.csv:7:5<" in groups[1][3]
    assert "invoices.csv:11:5<" in groups[1][3]
    assert snapshot(site.book) == before


def test_a_refused_import_leaves_the_book_as_it_was(site: Site) -> None:
    seed(site.book, site.folder, 4)
    site.log_in("olivia")
    # new customers (written first inside the import's transaction), then a credit note
    # for an invoice that is nowhere: the writer refuses, and everything is rolled back
    body = (
        "customer,number,issue_date,due_date,amount,applies_to,currency\n"
        "NEW1,X-1,2026-02-01,2026-03-01,50.00,,GBP\n"
        "NEW2,X-2,2026-02-01,2026-03-01,60.00,,GBP\n"
        "NEW2,CN-1,2026-02-02,2026-03-02,-10.00,X-404,GBP\n"
    )
    page = upload(site, "invoices", "more.csv", body)
    before = snapshot(site.book)
    refused = site.client.post("/import/run", data=page_form(page))
    assert refused.status_code == 422
    assert "Import refused: nothing was imported" in refused.text
    assert "X-404" in refused.text
    assert snapshot(site.book) == before
    assert site.client.get("/import").text.count('id="mapping"') == 1  # the file is kept


def test_the_upload_is_removed_once_imported_or_given_up(site: Site) -> None:
    site.log_in("olivia")
    page = upload(site, "customers", "c.csv", customers_csv(2))
    store = site.client.app.state.uploads  # type: ignore[attr-defined]
    assert isinstance(store, Uploads)
    root = store.root()
    assert [p.name for f in root.iterdir() for p in f.iterdir()] == ["c.csv"]
    site.client.post("/import/discard", data={"csrf_token": token_of(page)})
    assert list(root.iterdir()) == []
    page = upload(site, "customers", "c.csv", customers_csv(2))
    done = site.client.post("/import/run", data=page_form(page))
    assert "Imported c.csv" in done.text
    assert list(root.iterdir()) == []
    assert 'id="mapping"' not in site.client.get("/import").text


def test_an_upload_over_the_limit_is_refused_with_a_clear_message(
    book: Book, tmp_path: Path
) -> None:
    for s in make_site(book, tmp_path, web_upload_max_bytes=2000):
        s.log_in("olivia")
        big = customers_csv(200)  # over the limit, but within the form's slack: read, then refused
        assert 2000 < len(big) < 2000 + SLACK
        response = s.client.post(
            "/import/upload",
            data={"kind": "customers", "csrf_token": s.token()},
            files={"file": ("big.csv", big, "text/csv")},
        )
        assert response.status_code == 413
        assert "The file is too large" in response.text
        assert (
            f"It has {round(len(big) / 1024)} KB; the web page takes files of up to 2 KB"
            in response.text
        )
        assert "RECOUP_WEB_UPLOAD_MAX_BYTES" in response.text
        assert 'id="mapping"' not in s.client.get("/import").text
        huge = s.client.post(
            "/import/upload",
            data={"kind": "customers", "csrf_token": s.token()},
            files={"file": ("huge.csv", "x" * 200_000, "text/csv")},
        )
        assert huge.status_code == 413
        assert "The file is too large" in huge.text


def test_a_file_that_is_no_csv_or_xlsx_is_refused(site: Site) -> None:
    site.log_in("olivia")
    response = site.client.post(
        "/import/upload",
        data={"kind": "invoices", "csrf_token": site.token()},
        files={"file": ("report.docx", b"PK\x03\x04", "application/msword")},
    )
    assert response.status_code == 422
    assert "not a CSV, Excel (.xlsx), XML or PDF file" in response.text


# --- today's run ----------------------------------------------------------------------


def test_the_preview_records_nothing_and_pages_by_group(site: Site) -> None:
    seed(site.book, site.folder, 30)
    site.log_in("olivia")
    before = snapshot(site.book)
    planned = daily_run.run(site.book, TODAY, dry_run=True)
    emails = [a for a in planned.actions if a["kind"] == "email"]
    assert len(emails) == 30
    first = site.client.get("/run")
    assert first.status_code == 200
    assert re.search(r'data-group="emails">Emails <span class="count">30<', first.text)
    assert first.text.count('data-kind="email"') == 25
    assert "Page 1 of 2" in first.text
    second = site.client.get("/run?group=emails&page=2")
    assert second.text.count('data-kind="email"') == 5
    keys = set(
        re.findall(r'<tr data-customer="([^"]+)" data-kind="email"', first.text + second.text)
    )
    assert keys == {a["customer"] for a in emails}
    shown = re.sub(r"<[^>]+>", "", first.text.split("<tbody>")[1])  # what a person reads
    assert re.search(r"\d{4}-\d\d-\d\d", shown) is None
    assert re.search(r"balance £1\d\d\.50\b", shown)
    assert " GBP" not in shown
    assert snapshot(site.book) == before


def test_the_run_records_and_reports(site: Site) -> None:
    seed(site.book, site.folder, 3)
    site.log_in("olivia")
    token = token_of(site.client.get("/run").text)
    done = site.client.post("/run", data={"csrf_token": token})
    assert done.status_code == 200
    assert re.search(r'data-figure="recorded">3<', done.text)
    assert "Open the outbox: 3 messages to send" in done.text
    assert delivery_problems.outbox_counts(site.book).waiting == 3
    again = site.client.get("/run")
    assert "find nothing to do" in again.text or "No account needs a look" in again.text


# --- the outbox -------------------------------------------------------------------------


def test_send_now_delivers_and_the_outbox_says_so(site: Site) -> None:
    seed(site.book, site.folder, 4)
    daily_run.run(site.book, TODAY)
    # one customer pays before delivery: that message is withdrawn, with the reason
    pay = site.folder / "pay.csv"
    pay.write_text(f"invoice,date,amount\nINV-002,{TODAY},102.50\n", encoding="utf-8")
    assert importing.import_file(site.book, Kind.PAYMENTS, pay, Options()).ok
    site.log_in("olivia")
    waiting = site.client.get("/outbox")
    assert 'data-figure="waiting">4<' in waiting.text
    assert waiting.text.count("not tried yet") == 4
    dashboard = site.client.get("/")
    assert re.search(r'<a class="today-item card has-work" href="/outbox">', dashboard.text)
    sent = site.client.post("/outbox/send", data={"csrf_token": token_of(waiting.text)})
    assert sent.status_code == 200
    assert 'data-figure="sent">3<' in sent.text
    assert "1 withdrawn" in sent.text
    assert len(list(site.outbox.glob("*.eml"))) == 3
    delivered = site.client.get("/outbox?section=delivered")
    assert delivered.text.count('data-state="sent"') == 3
    assert "10 Mar 2026, 10:00 UTC" in delivered.text
    withdrawn = site.client.get("/outbox?section=withdrawn")
    assert withdrawn.text.count('data-state="withdrawn"') == 1
    assert "K002" in withdrawn.text
    assert "paid" in withdrawn.text


def test_messages_held_by_the_set_up_link_to_the_checklist(book: Book, tmp_path: Path) -> None:
    seed(book, tmp_path, 2)
    daily_run.run(book, TODAY)
    for s in make_site(book, tmp_path):  # no business details: the messages wait
        s.log_in("carl")
        s.client.post("/outbox/send", data={"csrf_token": s.token()})
        problems = s.client.get("/outbox?section=problems")
        assert 'data-figure="problems">2<' in problems.text
        assert problems.text.count("held by the set-up") == 2
        assert problems.text.count('href="/#setup-checklist"') == 2
        assert "<code>recoup doctor</code>" in problems.text
        waiting = s.client.get("/outbox")
        assert waiting.text.count('href="/#setup-checklist"') == 2
        assert list(s.outbox.glob("*.eml")) == []


def test_a_workbook_is_read_with_its_own_dates(site: Site) -> None:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Open items"
    sheet.append(["customer", "number", "issue_date", "due_date", "amount", "currency"])
    sheet.append(["K1", "W-1", date(2026, 1, 5), date(2026, 2, 4), 120.5, "EUR"])
    sheet.append(["K2", "W-2", date(2026, 1, 6), date(2026, 2, 5), 80, "EUR"])
    data = io.BytesIO()
    workbook.save(data)
    site.log_in("olivia")
    page = upload(site, "invoices", "open items.xlsx", data.getvalue())
    assert "The workbook's dates are dates" in page
    assert 'id="sheet"' in page
    assert 'id="delimiter"' not in page
    done = site.client.post("/import/run", data=page_form(page))
    assert 'data-figure="imported">2<' in done.text
    with site.book.read() as conn:
        due = dict(conn.execute(text("SELECT number, due_date FROM invoices")).all())
    assert {k: str(v) for k, v in due.items()} == {"W-1": "2026-02-04", "W-2": "2026-02-05"}


def test_what_fixes_a_held_message() -> None:
    from recoup.messages.tone import Finding
    from recoup.services.doctor import WAIT_PREFIX, wait_reason
    from recoup.services.outbox_view import Fix, fix_for
    from recoup.services.template_gate import Gate

    gate = Gate("overdue-firm", "de", "edited", "text", "0" * 64, (Finding(3, "a threat"),), False)
    assert gate.held
    assert fix_for(f"{WAIT_PREFIX}: {gate.reason()}") == Fix("template", "overdue-firm", "de")
    assert fix_for(wait_reason(["RECOUP_BUSINESS_NAME"])) == Fix("setup")
    assert fix_for("no email address for this customer") is None


def test_the_outbox_is_paged(site: Site) -> None:
    seed(site.book, site.folder, 30)
    daily_run.run(site.book, TODAY)
    site.log_in("vera")
    first = site.client.get("/outbox")
    second = site.client.get("/outbox?section=waiting&page=2")
    assert first.text.count('data-state="pending"') == 25
    assert second.text.count('data-state="pending"') == 5
    assert "Page 2 of 2" in second.text
    ids = re.findall(r'data-outbox="(\d+)"', first.text + second.text)
    assert len(set(ids)) == 30
    assert site.client.get("/outbox?section=nonsense").status_code == 400
