"""The authority walk (issue 14): every path that takes money off what a customer owes —
a dispute resolved by credit note, an upheld dispute, a settlement, a write-off — as a
viewer, a collector and an owner, in the web UI (TestClient, SQLite and PostgreSQL) and
the CLI (CliRunner): who is refused, who gets an approval request, and that the ledger
is unchanged until an owner approves. (The upheld dispute in Chromium:
tests/test_browser_authority.py.)

The policy is the built-in one: a collector may credit up to 100.00 and 25% of the
invoice, write nothing off, and settle down to the floors (50% from 120 days past due).
No fee or interest waiver exists in Recoup, so there is no such path to walk.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from recoup.cli.app import app as cli_app
from recoup.services import history, users
from recoup.services.book import Book
from recoup.services.casework import (
    CaseworkError,
    credit_requests,
    disputes,
    settlements,
    writeoffs,
)
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.store.tables import invoices as invoice_table
from recoup.store.tables import payments as payment_table
from recoup.store.tables import users as users_table
from recoup.web.app import create_app
from tests.casework_data import balance, invoices

AS_OF = date(2026, 11, 2)  # a Monday
ISSUED, DUE = date(2026, 6, 1), date(2026, 7, 1)  # 124 days past due on AS_OF
PASSWORDS = {
    "olivia": ("olivia-owner-pw", Role.OWNER),
    "carl": ("carl-collector-pw", Role.COLLECTOR),
    "vera": ("vera-viewer-pw", Role.VIEWER),
}
ROWS = [
    ("C1", "A1", ISSUED, DUE, "600.00", "EUR", "100.00"),
    ("C1", "A2", ISSUED, DUE + timedelta(days=10), "400.00", "EUR", ""),
    ("C2", "B1", ISSUED, DUE, "250.00", "EUR", ""),
]


def ledger(book: Book) -> tuple[tuple[tuple[object, ...], ...], tuple[tuple[object, ...], ...]]:
    """Every ledger document (invoices and credit notes) and payment, with what is paid
    and applied: equal before and after means nothing reached the ledger."""
    t, p = invoice_table.c, payment_table.c
    with book.read() as conn:
        docs = conn.execute(
            select(t.number, t.kind, t.amount_minor, t.paid_minor).order_by(t.number)
        ).all()
        pays = conn.execute(select(p.key, p.amount_minor, p.applied_minor).order_by(p.key)).all()
    return tuple(tuple(r) for r in docs), tuple(tuple(r) for r in pays)


def new_documents(before: tuple, after: tuple) -> set[tuple[object, ...]]:
    return {(d[0], d[1], d[2]) for d in after[0]} - {(d[0], d[1], d[2]) for d in before[0]}


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def form_error(page: str) -> str:
    found = re.search(r'<p class="alert form-error" role="alert"[^>]*>([^<]+)</p>', page)
    return html.unescape(found.group(1)) if found else ""


@dataclass
class Site:
    book: Book
    client: TestClient

    def log_in(self, name: str) -> None:
        self.client.cookies.clear()
        token = token_of(self.client.get("/login").text)
        response = self.client.post(
            "/login",
            data={"username": name, "password": PASSWORDS[name][0], "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303

    def page(self, path: str) -> httpx.Response:
        return self.client.get(f"{path}?as_of={AS_OF}")

    def account(self, key: str) -> str:
        response = self.page(f"/customers/{key}")
        assert response.status_code == 200
        return html.unescape(response.text)

    def token(self) -> str:
        return token_of(self.page("/").text)

    def case(self, key: str, action: str, data: dict[str, str]) -> httpx.Response:
        return self.client.post(
            f"/customers/{key}/case/{action}?as_of={AS_OF}",
            data={"csrf_token": self.token(), **data},
            follow_redirects=False,
        )

    def decide(self, what: str, row_id: int, decision: str, reason: str = "") -> httpx.Response:
        return self.client.post(
            f"/approvals/{what}?as_of={AS_OF}",
            data={"csrf_token": self.token(), "id": str(row_id), "decision": decision,
                  "reason": reason},
            follow_redirects=False,
        )  # fmt: skip


@pytest.fixture
def site(book: Book, tmp_path: Path) -> Iterator[Site]:
    invoices(book, tmp_path, ROWS)
    for name, (password, role) in PASSWORDS.items():
        users.add_user(book, name, password, role)
    app = create_app(Settings(secret_key="authority-walk-" + "k" * 32), book)
    with TestClient(app) as client:
        yield Site(book, client)


# --- the web UI -----------------------------------------------------------------------


def page_text(page: str) -> str:
    """A page's words as a reader sees them: no tags, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_web_credit_notes_and_upheld_disputes_by_role(site: Site) -> None:
    book = site.book
    site.log_in("carl")
    opened = site.case("C1", "dispute", {"invoice": "A1", "reason": "quality", "amount": "300.00"})
    assert opened.status_code == 303
    assert site.case("C2", "dispute", {"invoice": "B1", "reason": "duplicate"}).status_code == 303
    [part] = disputes.list_disputes(book, "C1", "open")
    [whole] = disputes.list_disputes(book, "C2", "open")
    before = ledger(book)

    # a viewer has no form, and a post is refused
    site.log_in("vera")
    assert 'id="form-dispute-resolve"' not in site.account("C1")
    for key, d, how in (("C1", part, "credit_note"), ("C2", whole, "upheld")):
        data = {"dispute": str(d.id), "resolution": how, "credit": "200.00"}
        assert site.case(key, "dispute-resolve", data).status_code == 403
    assert ledger(book) == before

    # a collector beyond the authority (200.00 > 100.00; 250.00 > 100.00): requests
    site.log_in("carl")
    asked = site.case(
        "C1", "dispute-resolve", {"dispute": str(part.id), "resolution": "credit_note",
                                  "credit": "200.00"},
    )  # fmt: skip
    assert asked.status_code == 303
    # the page formats the amount for its reader (a tag of its own): read it as text
    assert "Credit note of €200.00 on A1" in page_text(site.account("C1"))
    assert "waits for the owner's approval" in site.account("C1")
    upheld = site.case("C2", "dispute-resolve", {"dispute": str(whole.id), "resolution": "upheld"})
    assert upheld.status_code == 303
    assert ledger(book) == before
    assert [d.status for d in disputes.list_disputes(book, "C1")] == ["open"]
    waiting = credit_requests.list_requests(book, status="pending")
    assert [(c.customer, c.amount.to_json(), c.resolution, c.requested_by) for c in waiting] == [
        ("C1", "200.00", "credit_note", "carl"),
        ("C2", "250.00", "upheld", "carl"),
    ]
    assert "more than the 100.00 EUR" in waiting[0].authority_note
    # while the owner decides, the dispute cannot be resolved another way
    again = site.case("C2", "dispute-resolve", {"dispute": str(whole.id), "resolution": "rejected"})
    assert again.status_code == 422
    assert f"waits for an owner's decision on credit request {waiting[1].id}" in form_error(
        again.text
    )
    # nor may the collector decide it
    assert site.page("/approvals").status_code == 403
    assert site.decide("credit", waiting[0].id, "approve").status_code == 403
    assert ledger(book) == before

    # the owner finds both on the Approvals page
    site.log_in("olivia")
    page = site.page("/approvals").text
    for c in waiting:
        assert f'data-credit="{c.id}" data-customer="{c.customer}"' in page
    no_reason = site.decide("credit", waiting[1].id, "refuse")
    assert no_reason.status_code == 422
    assert "Say why the credit note is refused." in no_reason.text
    assert site.decide("credit", waiting[1].id, "refuse", "B1 was delivered").status_code == 303
    assert ledger(book) == before  # refused: nothing changes, the dispute stays open
    assert [d.status for d in disputes.list_disputes(book, "C2")] == ["open"]
    assert site.decide("credit", waiting[0].id, "approve").status_code == 303
    after = ledger(book)
    assert new_documents(before, after) == {(f"DC-{part.id}", "credit_note", 20000)}
    assert balance(book, "C1") == 100000 - 20000
    [done] = disputes.list_disputes(book, "C1")
    assert (done.status, done.credit.to_json(), done.request_id) == ("credit_note", "200.00", None)
    [entry] = history.entries(book, "C1", kinds=("dispute_resolved",))
    assert (entry.actor, entry.text.endswith("asked for by carl, approved by olivia")) == (
        "olivia",
        True,
    )
    decided = credit_requests.get_request(book, waiting[0].id)
    assert (decided.status, decided.decided_by) == ("approved", "olivia")
    assert site.decide("credit", waiting[0].id, "approve").status_code == 422  # decided once

    # the owner upholds the other dispute herself: done at once, whatever the amount
    site.case("C2", "dispute-resolve", {"dispute": str(whole.id), "resolution": "upheld"})
    assert balance(book, "C2") == 0
    assert credit_requests.list_requests(book, status="pending") == []

    # within a collector's authority (50.00: under 100.00 and 25% of A2's 400.00): at once
    site.log_in("carl")
    site.case("C1", "dispute", {"invoice": "A2", "reason": "price", "amount": "60.00"})
    [small] = disputes.list_disputes(book, "C1", "open")
    ok = site.case(
        "C1", "dispute-resolve", {"dispute": str(small.id), "resolution": "credit_note",
                                  "credit": "50.00"},
    )  # fmt: skip
    assert ok.status_code == 303
    assert balance(book, "C1") == 80000 - 5000
    assert credit_requests.list_requests(book, status="pending") == []
    # the limit holds for the invoice's credit notes together: 50.00 + 60.00 > 100.00
    site.case("C1", "dispute", {"invoice": "A2", "reason": "price", "amount": "60.00"})
    [step] = disputes.list_disputes(book, "C1", "open")
    site.case(
        "C1", "dispute-resolve", {"dispute": str(step.id), "resolution": "upheld"}
    )  # fmt: skip
    assert balance(book, "C1") == 75000
    [split] = credit_requests.list_requests(book, status="pending")
    assert "(110.00 EUR with the 50.00 EUR taken off before)" in split.authority_note


def test_web_settlements_by_role(site: Site) -> None:
    book = site.book
    before = ledger(book)
    deadline = (AS_OF + timedelta(days=14)).isoformat()

    site.log_in("vera")
    refused = site.case("C1", "settlement", {"amount": "300.00", "deadline": deadline})
    assert refused.status_code == 403
    assert settlements.list_settlements(book) == []

    # a collector below the 50% floor: the offer waits, the customer cannot accept it
    site.log_in("carl")
    assert site.case(
        "C1", "settlement", {"amount": "300.00", "deadline": deadline}
    ).status_code == (303)
    [s] = settlements.list_settlements(book, "C1")
    assert (s.status, s.within_authority) == ("needs_approval", False)
    assert "needs the owner's approval" in site.account("C1")
    assert 'id="form-settlement-accept"' not in site.account("C1")
    with pytest.raises(CaseworkError, match="needs an owner's approval"):
        settlements.accept(book, s.id, actor="carl", on=AS_OF)
    assert site.decide("settlement", s.id, "approve").status_code == 403
    assert ledger(book) == before

    # the owner approves it on the Approvals page; then it may be accepted
    site.log_in("olivia")
    assert f'data-settlement="{s.id}"' in site.page("/approvals").text
    assert site.decide("settlement", s.id, "approve").status_code == 303
    assert settlements.get_settlement(book, s.id).approved_by == "olivia"
    # her own offer below the floor (100.00 of 250.00) stands at once
    assert site.case(
        "C2", "settlement", {"amount": "100.00", "deadline": deadline}
    ).status_code == (303)
    [own] = settlements.list_settlements(book, "C2")
    assert (own.status, own.approved_by, own.within_authority) == ("offered", "olivia", False)
    assert "an owner's decision" in own.authority_note

    # a viewer may not record an acceptance or close a settlement either
    with pytest.raises(CaseworkError, match="a viewer may not"):
        settlements.accept(book, s.id, actor="vera", on=AS_OF)
    site.log_in("carl")
    assert site.case("C1", "settlement-accept", {"settlement": str(s.id)}).status_code == 303
    with pytest.raises(CaseworkError, match="a viewer may not"):
        settlements.settle(book, s.id, actor="vera", on=AS_OF)
    # a settlement changes the ledger only once paid
    assert ledger(book) == before


def test_web_write_offs_by_role(site: Site) -> None:
    book = site.book
    before = ledger(book)

    site.log_in("vera")
    assert site.case("C2", "write-off", {"reason": "uncollectible"}).status_code == 403

    site.log_in("carl")
    asked = site.case("C2", "write-off", {"reason": "uncollectible", "amount": "50.00"})
    assert asked.status_code == 303
    assert "waits for the owner's approval" in site.account("C2")
    [w] = writeoffs.list_write_offs(book, "C2")
    assert (w.status, w.requested_by) == ("pending", "carl")
    assert site.decide("write-off", w.id, "approve").status_code == 403
    assert ledger(book) == before

    site.log_in("olivia")
    assert f'data-write-off="{w.id}"' in site.page("/approvals").text
    assert site.decide("write-off", w.id, "approve").status_code == 303
    assert new_documents(before, ledger(book)) == {(f"WO-{w.id}-1", "credit_note", 5000)}
    assert balance(book, "C2") == 20000
    # the owner's own write-off is done at once
    assert site.case(
        "C2", "write-off", {"reason": "small_balance", "amount": "10.00"}
    ).status_code == (303)
    assert "Written off €10.00" in page_text(site.account("C2"))
    assert balance(book, "C2") == 19000
    assert [x.approved_by for x in writeoffs.list_write_offs(book, "C2")] == ["olivia", "olivia"]


def test_a_disabled_user_may_take_nothing_off(book: Book, tmp_path: Path) -> None:
    invoices(book, tmp_path, ROWS)
    users.add_user(book, "carl", "carl-collector-pw", Role.COLLECTOR)
    with book.write() as conn:
        conn.execute(
            users_table.update()
            .where(users_table.c.username == "carl")
            .values(disabled_at=datetime(2026, 11, 1, tzinfo=UTC))
        )
    with pytest.raises(CaseworkError, match="the user is disabled"):
        writeoffs.write_off(book, "C2", "uncollectible", actor="carl", on=AS_OF, amount="1.00")
    assert writeoffs.list_write_offs(book) == []


# --- the CLI --------------------------------------------------------------------------

runner = CliRunner()


def cli(db: Path, *args: str, actor: str = "ann") -> tuple[int, str, str]:
    """`recoup --db DB ARGS`, as `actor` (ann is not a web user: the CLI's owner)."""
    result = runner.invoke(cli_app, ["--db", str(db), *args], env={"RECOUP_ACTOR": actor})
    return result.exit_code, result.stdout, result.stderr


def cli_ledger(db: Path) -> tuple:
    book = Book.open(str(db))
    try:
        return ledger(book)
    finally:
        book.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    code, _out, err = cli(path, "init")
    assert code == 0, err
    body = "customer,number,issue_date,due_date,amount,currency,tax\n" + "".join(
        f"{c},{n},{i},{d},{a},{cur},{t}\n" for c, n, i, d, a, cur, t in ROWS
    )
    (tmp_path / "inv.csv").write_text(body, encoding="utf-8")
    code, _out, err = cli(path, "import", "invoices", str(tmp_path / "inv.csv"))
    assert code == 0, err
    for name, (password, role) in PASSWORDS.items():
        code, _out, err = cli(path, "user", "add", name, "--role", role.value, "--password",
                              password)  # fmt: skip
        assert code == 0, err
    return path


def test_cli_walk_every_reduction_as_viewer_collector_and_owner(db: Path) -> None:
    on = ["--on", AS_OF.isoformat()]
    code, out, err = cli(db, "dispute", "open", "C2", "--invoice", "B1", "--reason", "duplicate",
                         *on, "--json", actor="carl")  # fmt: skip
    assert code == 0, err
    dispute = json.loads(out)["id"]
    before = cli_ledger(db)

    # the viewer: every path refused, exit 1 with the reason
    tries = [
        ["dispute", "resolve", str(dispute), "--as", "upheld"],
        ["dispute", "resolve", str(dispute), "--as", "credit_note", "--credit", "10.00"],
        ["settle", "offer", "C1", "--amount", "300.00", "--deadline", "2026-11-30"],
        ["writeoff", "add", "C1", "--reason", "uncollectible"],
    ]
    for args in tries:
        code, _out, err = cli(db, *args, *on, actor="vera")
        assert code == 1, args
        assert "a viewer may not take anything off what a customer owes" in err, args
    assert cli_ledger(db) == before

    # the collector: approval requests, and the ledger unchanged
    code, out, err = cli(db, "dispute", "resolve", str(dispute), "--as", "upheld", *on, "--json",
                         actor="carl")  # fmt: skip
    assert code == 0, err
    upheld = json.loads(out)
    assert (upheld["status"], upheld["credit_request"]["amount"]) == ("open", "250.00")
    request = upheld["credit_request"]["id"]
    code, out, _ = cli(db, "settle", "offer", "C1", "--amount", "300.00", "--deadline",
                       "2026-11-30", *on, "--json", actor="carl")  # fmt: skip
    offer = json.loads(out)
    assert offer["status"] == "needs_approval"
    code, out, _ = cli(db, "writeoff", "add", "C1", "--reason", "uncollectible", "--amount",
                       "40.00", *on, "--json", actor="carl")  # fmt: skip
    pending = json.loads(out)
    assert pending["status"] == "pending"
    code, out, _ = cli(db, "dispute", "requests", "--status", "pending", "--json")
    assert [r["id"] for r in json.loads(out)] == [request]
    assert cli_ledger(db) == before

    # neither the collector nor the viewer may approve
    approvals = [
        ["dispute", "approve", str(request)],
        ["settle", "approve", str(offer["id"])],
        ["writeoff", "approve", str(pending["id"])],
    ]
    for who in ("carl", "vera"):
        for args in approvals:
            code, _out, err = cli(db, *args, *on, actor=who)
            assert code == 1, (who, args)
            assert "only an owner may" in err
        code, _out, err = cli(db, "dispute", "refuse", str(request), "--reason", "no", *on,
                              actor=who)  # fmt: skip
        assert code == 1
    code, _out, err = cli(db, "settle", "accept", str(offer["id"]), *on, actor="carl")
    assert code == 1
    assert "needs an owner's approval" in err
    assert cli_ledger(db) == before

    # the owner (a web owner named by --actor) approves: only now the ledger moves
    for args in approvals:
        code, _out, err = cli(db, *args, *on, actor="olivia")
        assert code == 0, (args, err)
    after = cli_ledger(db)
    assert new_documents(before, after) == {
        (f"DC-{dispute}", "credit_note", 25000),
        (f"WO-{pending['id']}-1", "credit_note", 4000),
    }
    code, out, _ = cli(db, "settle", "list", "C1", "--json")
    assert [(s["status"], s["approved_by"]) for s in json.loads(out)] == [("offered", "olivia")]

    # the CLI's own owner (an actor that is not a web user) does it at once
    code, out, err = cli(db, "writeoff", "add", "C1", "--reason", "small_balance", "--amount",
                         "5.00", *on, "--json")  # fmt: skip
    assert code == 0, err
    assert (json.loads(out)["status"], json.loads(out)["approved_by"]) == ("done", "ann")
    code, out, _ = cli(db, "dispute", "open", "C1", "--invoice", "A2", "--reason", "price",
                       "--amount", "300.00", *on, "--json")  # fmt: skip
    code, out, err = cli(db, "dispute", "resolve", str(json.loads(out)["id"]), "--as", "upheld",
                         *on, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["status"] == "upheld"
    code, out, _ = cli(db, "log", "verify", "--json")
    assert (code, json.loads(out)["ok"]) == (0, True)
