"""The owner's Users and Assignment pages and the worklist's filters, through HTTP
(issue 15): add a user, change a role, reset a password; add, move, remove and apply
assignment rules, assign by hand and back to the rules; the worklist by collector (a
collector's own and the unassigned ones by default), kind and currency. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient

from recoup.domain.assignment import make_rule
from recoup.services import assignments, sessions, users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.store import casework_repo, ledger_repo
from recoup.web.app import create_app
from tests.test_assignments import make_book

TODAY = date(2026, 10, 15)
PASSWORDS = {"olga": "olga-password", "anna": "anna-password", "ben": "ben-password"}


@dataclass
class Site:
    book: Book
    client: TestClient
    token: str = ""

    def log_in(self, name: str, password: str | None = None) -> None:
        self.client.cookies.clear()
        token = token_of(self.client.get("/login").text)
        done = self.client.post(
            "/login",
            data={"username": name, "password": password or PASSWORDS[name], "csrf_token": token},
        )
        assert done.status_code == 303, done.text
        self.token = token_of(self.client.get(f"/worklist?as_of={TODAY}").text)

    def post(self, path: str, **data: str) -> httpx.Response:
        return self.client.post(path, data={"csrf_token": self.token, **data})

    def flash(self, path: str) -> str:
        page = self.client.get(path).text
        found = re.search(r'<p class="flash[^"]*" role="(?:status|alert)">(.*?)</p>', page, re.S)
        return html.unescape(found.group(1).strip()) if found else ""


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def site(book: Book) -> Iterator[Site]:
    make_book(book)  # customers C1-C5, users anna and ben (collectors), olga, vic
    for name, password in PASSWORDS.items():
        users.set_password(book, name, password)
    # a follow-up on each account with something open: a worklist to filter
    with book.write() as conn:
        ids = ledger_repo.customer_ids(conn)
        for key in ("C1", "C2", "C3", "C4"):
            casework_repo.add_task(conn, ids[key], "broken_promise", f"t:{key}", TODAY, "Call")
    app = create_app(Settings(secret_key="assign-test-" + "s" * 32, locale="en_US"), book)
    with TestClient(app, follow_redirects=False) as client:
        yield Site(book, client)


def worklist_rows(page: str) -> list[tuple[str, str]]:
    """(customer, collector text) of each worklist line."""
    rows = re.findall(
        r'<tr data-customer="([^"]+)" data-currency.*?<span class="collector[^"]*">([^<]+)</span>',
        page,
        re.S,
    )
    return [(k, c.removeprefix("Collector: ")) for k, c in rows]


# --- the Users page -------------------------------------------------------------------


def test_the_owner_adds_a_user_who_can_then_log_in(site: Site) -> None:
    site.log_in("olga")
    done = site.post("/admin/users/add", username="carl", role="collector", password="carl-pass-1")
    assert (done.status_code, done.headers["location"]) == (303, "/admin/users")
    assert site.flash("/admin/users") == "carl is added as collector; they can log in now."
    assert users.get_user(site.book, "carl") == users.User("carl", Role.COLLECTOR)
    # refused: the form comes back with the name and role kept, the reason said
    site.post("/admin/users/add", username="dora", role="viewer", password="short")
    page = site.client.get("/admin/users").text
    assert 'role="alert">a password has at least 8 characters</p>' in page
    assert 'id="new-username" name="username" type="text"' in page
    assert 'value="dora"' in page
    assert '<option value="viewer" selected>viewer</option>' in page
    site.post("/admin/users/add", username="carl", role="owner", password="another-pw")
    assert "exists" in site.flash("/admin/users")
    assert users.get_user(site.book, "carl") == users.User("carl", Role.COLLECTOR)
    site.log_in("carl", "carl-pass-1")
    assert site.client.get("/admin/users").status_code == 403


def test_the_owner_changes_a_role_but_not_their_own_nor_the_last_owner(site: Site) -> None:
    site.log_in("olga")
    assert site.post("/admin/users/role", username="vic", role="collector").status_code == 303
    assert site.flash("/admin/users") == "vic is now a collector."
    assert users.get_user(site.book, "vic") == users.User("vic", Role.COLLECTOR)
    own = site.post("/admin/users/role", username="olga", role="viewer")
    assert own.status_code == 400
    assert "cannot change your own role" in own.text
    assert site.post("/admin/users/role", username="vic", role="boss").status_code == 400
    # anna, a collector, becomes an owner; olga cannot be the last owner made a viewer by
    # anyone, so anna makes olga a viewer only while she herself stays an owner
    site.post("/admin/users/role", username="anna", role="owner")
    site.log_in("anna")
    site.post("/admin/users/role", username="olga", role="viewer")
    assert site.flash("/admin/users") == "olga is now a viewer."
    users.add_user(site.book, "zed", "zed-password", Role.OWNER)
    users.set_disabled(site.book, "zed", True)
    with pytest.raises(users.UserError, match="only owner"):  # a disabled owner does not count
        users.set_role(site.book, "anna", Role.COLLECTOR)


def test_a_new_password_ends_the_users_sessions(site: Site) -> None:
    anna = users.get_user(site.book, "anna")
    assert anna is not None
    token = sessions.start(site.book, anna)
    site.log_in("olga")
    site.post("/admin/users/password", username="anna", password="x")
    assert site.flash("/admin/users") == "a password has at least 8 characters"
    assert sessions.user_for(site.book, token) == anna
    site.post("/admin/users/password", username="anna", password="anna-new-password")
    assert site.flash("/admin/users") == "anna has a new password: 1 session ended."
    assert sessions.user_for(site.book, token) is None
    assert users.authenticate(site.book, "anna", "anna-new-password") == anna


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/users/add", {"username": "x", "role": "owner", "password": "long-enough"}),
        ("/admin/users/role", {"username": "ben", "role": "owner"}),
        ("/admin/users/password", {"username": "olga", "password": "taken-over"}),
        ("/admin/assignments/rules/add", {"collector": "anna"}),
        ("/admin/assignments/apply", {}),
        ("/admin/assignments/customer", {"customer": "C1", "collector": "anna"}),
    ],
)
def test_a_collector_can_change_none_of_it(site: Site, path: str, data: dict[str, str]) -> None:
    site.log_in("anna")
    assert site.client.get("/admin/assignments").status_code == 403
    assert site.post(path, **data).status_code == 403
    assert users.get_user(site.book, "x") is None
    assert users.get_user(site.book, "ben") == users.User("ben", Role.COLLECTOR)
    assert users.authenticate(site.book, "olga", "taken-over") is None
    assert assignments.list_rules(site.book) == []
    assert assignments.collector_of(site.book) == {}


# --- the Assignment page ----------------------------------------------------------------


def test_rules_through_the_page(site: Site) -> None:
    site.log_in("olga")
    page = site.client.get("/admin/assignments").text
    assert "No rules yet" in page
    add = "/admin/assignments/rules/add"
    site.post(add, collector="anna", currency="eur", at_least="10000", country="")
    assert site.flash("/admin/assignments").startswith("Rule 1 added for anna.")
    site.post(add, collector="ben", tag="VIP")
    site.post(add, collector="anna", position="1", country="gb")
    site.post(add, collector="vic")
    assert (
        site.flash("/admin/assignments")
        == "vic is a viewer: only collectors and owners work accounts"
    )
    site.post(add, collector="anna", below="10")
    assert (
        site.flash("/admin/assignments") == "a balance condition needs a currency (--currency EUR)"
    )
    page = site.client.get("/admin/assignments").text
    conditions = re.findall(r'<td class="conditions">([^<]+)</td>', page)
    assert [html.unescape(c) for c in conditions] == [
        "in United Kingdom",
        "open in EUR, balance at least €10,000.00",
        "tagged “vip”",
    ]
    rules = assignments.list_rules(site.book)
    site.post("/admin/assignments/rules/move", rule=str(rules[0].id), to="3")
    assert site.flash("/admin/assignments") == (
        "Rule moved to place 3. Apply the rules to reassign accounts by the new order."
    )
    assert [v.rule.collector for v in assignments.list_rules(site.book)] == ["anna", "ben", "anna"]
    site.post("/admin/assignments/apply")
    assert site.flash("/admin/assignments") == (
        "Rules applied to 4 accounts: 2 assigned, 0 moved to another collector, 0 unchanged, "
        "0 left without a collector (no rule matches now), 2 still without one; "
        "0 assigned by hand kept."
    )
    assert assignments.collector_of(site.book) == {"C1": "anna", "C3": "ben"}
    site.post("/admin/assignments/rules/remove", rule=str(rules[0].id))
    assert site.flash("/admin/assignments").startswith("Rule removed.")
    assert len(assignments.list_rules(site.book)) == 2
    assert site.post("/admin/assignments/rules/remove", rule="999").status_code == 303
    assert site.flash("/admin/assignments") == "there is no rule 999"


def test_assign_by_hand_and_back_to_the_rules(site: Site) -> None:
    site.log_in("olga")
    assignments.add_rule(site.book, make_rule("ben"), "olga")
    back = "/admin/assignments?collector=-&q=c"
    done = site.post("/admin/assignments/customer", customer="C2", collector="anna", back=back)
    assert done.headers["location"] == back  # the page as it was, filters and all
    assert site.flash(back) == "C2 is assigned to anna by hand; the rules leave it alone."
    page = site.client.get("/admin/assignments?collector=anna").text
    assert re.findall(
        r'<tr data-customer="([^"]+)" data-collector="anna" data-how="hand">', page
    ) == ["C2"]
    done = site.post("/admin/assignments/customer", customer="C2", collector="", back=back)
    assert site.flash(back) == "C2 follows the rules again: assigned to ben."
    # never sent anywhere but the page
    done = site.post("/admin/assignments/customer", customer="C2", collector="anna",
                     back="https://example.com/admin/assignments")  # fmt: skip
    assert done.headers["location"] == "/admin/assignments"
    site.post("/admin/assignments/customer", customer="C99", collector="anna")
    assert site.flash("/admin/assignments") == "there is no customer 'C99'"


def test_the_account_list_pages_and_filters(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from recoup.web.routes import assignments as page_module

    monkeypatch.setattr(page_module, "PER_PAGE", 3)
    site.log_in("olga")
    assignments.assign_by_hand(site.book, "C3", "ben", "olga")
    first = site.client.get("/admin/assignments").text
    keys = re.findall(r'<tr data-customer="([^"]+)" data-collector', first)
    assert keys == ["C1", "C2", "C3"]
    assert "1–3 of 4 accounts with something open" in first
    assert 'rel="next" href="/admin/assignments?page=2#accounts"' in first
    second = site.client.get("/admin/assignments?page=2").text
    assert re.findall(r'<tr data-customer="([^"]+)" data-collector', second) == ["C4"]
    nobody = site.client.get("/admin/assignments?collector=-").text
    assert re.findall(r'<tr data-customer="([^"]+)" data-collector', nobody) == ["C1", "C2", "C4"]
    assert 'rel="next"' not in nobody  # three: one page
    ben = site.client.get("/admin/assignments?collector=ben&q=customer%20c3").text
    assert re.findall(r'<tr data-customer="([^"]+)" data-collector', ben) == ["C3"]


# --- the worklist's filters -----------------------------------------------------------


def test_a_collector_sees_their_own_and_the_unassigned_accounts(site: Site) -> None:
    assignments.assign_by_hand(site.book, "C1", "anna", "olga")
    assignments.assign_by_hand(site.book, "C3", "ben", "olga")
    site.log_in("anna")
    page = site.client.get(f"/worklist?as_of={TODAY}").text
    assert sorted(worklist_rows(page)) == [
        ("C1", "anna"),
        ("C2", "No collector"),
        ("C4", "No collector"),
    ]
    assert '<option value="anna" selected>anna (you)</option>' in page
    mine = site.client.get(f"/worklist?collector=anna&as_of={TODAY}").text
    assert worklist_rows(mine) == [("C1", "anna")]
    everyone = site.client.get(f"/worklist?collector=&as_of={TODAY}").text
    assert sorted(k for k, _ in worklist_rows(everyone)) == ["C1", "C2", "C3", "C4"]
    site.log_in("olga")  # an owner sees everyone's by default
    page = site.client.get(f"/worklist?as_of={TODAY}").text
    assert sorted(k for k, _ in worklist_rows(page)) == ["C1", "C2", "C3", "C4"]
    nobody = site.client.get(f"/worklist?collector=-&as_of={TODAY}").text
    assert sorted(k for k, _ in worklist_rows(nobody)) == ["C2", "C4"]
    ben = site.client.get(f"/worklist?collector=ben&unassigned=1&as_of={TODAY}").text
    assert sorted(worklist_rows(ben)) == [
        ("C2", "No collector"),
        ("C3", "ben"),
        ("C4", "No collector"),
    ]
    gbp = site.client.get(f"/worklist?collector=&currency=gbp&as_of={TODAY}").text
    assert worklist_rows(gbp) == [("C3", "ben")]
    calls = site.client.get(f"/worklist?collector=&kind=call&as_of={TODAY}").text
    assert worklist_rows(calls) == []
    assert "Nothing matches these filters" in calls


@pytest.mark.parametrize("query", ["kind=lunch", "currency=XX", "collector=nobody", "page=0"])
def test_a_bad_worklist_filter_is_400(site: Site, query: str) -> None:
    site.log_in("olga")
    assert site.client.get(f"/worklist?{query}").status_code == 400
