"""Assignment of accounts to collectors (issue 15): the rules (first match wins, by
balance, tag, country, currency), applying them, the daily run giving new accounts their
collector, assignment by hand and back to the rules; the `recoup assign` commands.

Services run on SQLite and PostgreSQL (the `book` fixture).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.domain.assignment import (
    Account,
    Rule,
    RuleError,
    first_match,
    make_rule,
    matches,
    parse_tags,
)
from recoup.services import assignments, daily_run, users
from recoup.services.assignments import AssignmentError, UnknownCustomerError
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.store import ledger_repo, run_repo

DUE = date(2026, 9, 1)
# key, country, tags, [(currency, amount in minor units)]
CUSTOMERS = [
    ("C1", "DE", "VIP", [("EUR", 1_200_000)]),
    ("C2", "DE", "", [("EUR", 50_000)]),
    ("C3", "GB", "vip,retail", [("GBP", 300_000)]),
    ("C4", "US", "", [("USD", 20_000), ("EUR", 5_000)]),
    ("C5", "DE", "", []),  # nothing open: no rule looks at it
]
PEOPLE = {
    "anna": Role.COLLECTOR,
    "ben": Role.COLLECTOR,
    "olga": Role.OWNER,
    "vic": Role.VIEWER,
}


def make_book(book: Book) -> Book:
    with book.write() as conn:
        ledger_repo.insert_customers(
            conn, [(k, f"Customer {k}", c, "en", "UTC", tags) for k, c, tags, _ in CUSTOMERS]
        )
        ids = ledger_repo.customer_ids(conn)
        ledger_repo.insert_plain_invoices(
            conn,
            [
                (ids[k], f"{k}-{cur}", DUE - timedelta(days=30), DUE, cur, minor, None, "", 30)
                for k, _c, _t, owed in CUSTOMERS
                for cur, minor in owed
            ],
        )
    for name, role in PEOPLE.items():
        users.add_user(book, name, f"{name}-password", role)
    return book


def assigned(book: Book) -> dict[str, str]:
    return assignments.collector_of(book)


def rule(collector: str, **conditions: str) -> Rule:
    return make_rule(collector, **conditions)


# --- the rule itself (pure) -------------------------------------------------------------


def test_a_rule_matches_when_every_condition_holds() -> None:
    account = Account({"EUR": 1_000_000}, parse_tags("VIP, retail"), "DE")
    assert matches(rule("a"), account)  # no condition: every account
    assert matches(rule("a", currency="eur", at_least="10000.00"), account)  # at least: inclusive
    assert not matches(rule("a", currency="EUR", at_least="10000.01"), account)
    assert not matches(rule("a", currency="EUR", below="10000.00"), account)  # below: exclusive
    assert matches(rule("a", currency="EUR", below="10000.01"), account)
    assert not matches(rule("a", currency="USD"), account)  # nothing open in USD
    assert not matches(rule("a", currency="USD", below="5"), account)  # not "0 is below 5"
    assert matches(rule("a", tag="vip"), account)
    assert not matches(rule("a", tag="wholesale"), account)
    assert matches(rule("a", country="de", tag="Retail"), account)
    assert not matches(rule("a", country="FR"), account)


def test_the_first_matching_rule_wins_and_unusable_ones_are_passed_over() -> None:
    rules = [rule("anna", tag="vip"), rule("ben", country="DE"), rule("carl")]
    vip = Account({"EUR": 1}, frozenset({"vip"}), "DE")
    assert first_match(rules, vip) == rules[0]
    assert first_match(rules, vip, usable={"ben", "carl"}) == rules[1]
    assert first_match(rules, Account({}, frozenset(), "FR"), usable={"anna"}) is None


@pytest.mark.parametrize(
    ("conditions", "says"),
    [
        ({"at_least": "100"}, "needs a currency"),
        ({"currency": "XYZ"}, "unknown currency"),
        ({"currency": "EUR", "at_least": "-1"}, "not negative"),
        ({"currency": "EUR", "at_least": "500", "below": "500"}, "must be more than"),
        ({"currency": "EUR", "at_least": "1.001"}, "decimal places"),
        ({"currency": "JPY", "below": "10.5"}, "decimal places"),
        ({"country": "DEU"}, "two letters"),
        ({"tag": "a,b"}, "without commas"),
    ],
)
def test_a_rule_that_cannot_be_is_refused(conditions: dict[str, str], says: str) -> None:
    with pytest.raises(RuleError, match=says):
        make_rule("anna", **conditions)


# --- applying the rules ---------------------------------------------------------------


def test_apply_assigns_by_the_first_matching_rule(book: Book) -> None:
    make_book(book)
    assignments.add_rule(book, rule("anna", currency="EUR", at_least="10000"), "olga")
    assignments.add_rule(book, rule("ben", tag="vip"), "olga")
    assignments.add_rule(book, rule("anna", country="DE"), "olga")
    assert [v.position for v in assignments.list_rules(book)] == [1, 2, 3]
    done = assignments.apply_rules(book, "olga")
    assert done.to_json() == {
        "looked_at": 4,  # C5 has nothing open
        "assigned": 3,
        "moved": 0,
        "unchanged": 0,
        "unassigned": 0,
        "unmatched": 1,  # C4: US, no tag, too little in EUR
        "by_hand": 0,
    }
    assert assigned(book) == {"C1": "anna", "C2": "anna", "C3": "ben"}
    assert [(v.rule.collector, v.accounts) for v in assignments.list_rules(book)] == [
        ("anna", 1),
        ("ben", 1),
        ("anna", 1),
    ]
    again = assignments.apply_rules(book, "olga")  # nothing changed: nothing moves
    assert (again.unchanged, again.assigned, again.moved) == (3, 0, 0)


def test_by_hand_wins_over_the_rules_until_given_back(book: Book) -> None:
    make_book(book)
    assignments.add_rule(book, rule("anna"), "olga")  # a catch-all
    assignments.apply_rules(book, "olga")
    assert set(assigned(book).values()) == {"anna"}
    assignments.assign_by_hand(book, "C4", "ben", "olga")
    assignments.assign_by_hand(book, "C5", "ben", "olga")  # nothing open: still allowed
    done = assignments.apply_rules(book, "olga")
    assert (done.by_hand, done.unchanged) == (1, 3)  # C5 is not an account with work
    assert assigned(book) == {"C1": "anna", "C2": "anna", "C3": "anna", "C4": "ben", "C5": "ben"}
    page = assignments.account_page(book, collector="ben")
    assert [(r.key, r.how, r.rule_position) for r in page.rows] == [("C4", "hand", None)]
    assert [(m.currency, str(m.amount)) for m in page.rows[0].balances] == [
        ("EUR", "50.00"),
        ("USD", "200.00"),
    ]
    assert assignments.return_to_rules(book, "C4", "olga") == "anna"
    assert assignments.return_to_rules(book, "C5", "olga") is None  # no rule looks at it
    assert assigned(book) == {"C1": "anna", "C2": "anna", "C3": "anna", "C4": "anna"}


def test_a_disabled_collector_is_passed_over_and_a_rule_left_unmatched_unassigns(
    book: Book,
) -> None:
    make_book(book)
    assignments.add_rule(book, rule("ben", tag="vip"), "olga")
    assignments.add_rule(book, rule("anna", currency="EUR"), "olga")
    assignments.apply_rules(book, "olga")
    assert assigned(book) == {"C1": "ben", "C2": "anna", "C3": "ben", "C4": "anna"}
    users.set_disabled(book, "ben", True)
    assert [v.usable for v in assignments.list_rules(book)] == [False, True]
    done = assignments.apply_rules(book, "olga")
    assert (done.moved, done.unassigned, done.unchanged) == (1, 1, 2)
    assert assigned(book) == {"C1": "anna", "C2": "anna", "C4": "anna"}  # C3: GBP, no rule
    assert assignments.collectors(book) == ["anna", "olga"]  # viewers and the disabled: no


def test_moving_and_removing_rules_changes_nobody_until_applied(book: Book) -> None:
    make_book(book)
    for who, tag in (("anna", "vip"), ("ben", ""), ("olga", "retail")):
        assignments.add_rule(book, rule(who, tag=tag), "olga")
    assignments.apply_rules(book, "olga")
    before = assigned(book)
    assert before == {"C1": "anna", "C2": "ben", "C3": "anna", "C4": "ben"}
    third = assignments.rule_at(book, 3)
    assignments.move_rule(book, third.id, 1)
    assert [v.rule.collector for v in assignments.list_rules(book)] == ["olga", "anna", "ben"]
    assert assigned(book) == before
    assert assignments.apply_rules(book, "olga").moved == 1  # C3 is tagged retail
    assert assigned(book)["C3"] == "olga"
    assignments.remove_rule(book, assignments.rule_at(book, 2).id)
    assert [(v.position, v.rule.collector) for v in assignments.list_rules(book)] == [
        (1, "olga"),
        (2, "ben"),
    ]
    page = assignments.account_page(book, collector="anna")
    assert [(r.key, r.rule_position) for r in page.rows] == [("C1", None)]  # rule gone
    assignments.add_rule(book, rule("anna", country="GB"), "olga", position=1)
    assert [v.rule.collector for v in assignments.list_rules(book)] == ["anna", "olga", "ben"]


def test_the_daily_run_gives_new_accounts_their_collector_and_moves_no_one(book: Book) -> None:
    make_book(book)
    assignments.add_rule(book, rule("anna", country="DE"), "olga")
    daily_run.run(book, DUE + timedelta(days=7))
    assert assigned(book) == {"C1": "anna", "C2": "anna"}
    # the rules change; a new German customer arrives
    assignments.add_rule(book, rule("ben", currency="EUR"), "olga", position=1)
    with book.write() as conn:
        ledger_repo.insert_customers(conn, [("C6", "New GmbH", "DE", "de", "UTC", "")])
        cid = ledger_repo.customer_ids(conn)["C6"]
        ledger_repo.insert_plain_invoices(
            conn, [(cid, "C6-1", DUE, DUE + timedelta(days=14), "EUR", 9_900, None, "", 14)]
        )
        run_repo.enqueue(conn, [cid])
    daily_run.run(book, DUE + timedelta(days=8))
    # the new account by the rules as they are now; the others keep their collector
    assert assigned(book) == {"C1": "anna", "C2": "anna", "C4": "ben", "C6": "ben"}
    daily_run.run(book, DUE + timedelta(days=9), dry_run=True)  # a preview assigns nothing
    page = assignments.account_page(book, q="new gmbh")
    assert [(r.key, r.collector, r.how) for r in page.rows] == [("C6", "ben", "rule")]
    assert assignments.account_page(book, q="%").rows == []  # a wildcard is a character


def test_what_cannot_be_assigned_is_refused(book: Book) -> None:
    make_book(book)
    with pytest.raises(AssignmentError, match="vic is a viewer"):
        assignments.add_rule(book, rule("vic"), "olga")
    with pytest.raises(AssignmentError, match="there is no user 'nobody'"):
        assignments.assign_by_hand(book, "C1", "nobody", "olga")
    with pytest.raises(UnknownCustomerError):
        assignments.assign_by_hand(book, "C99", "anna", "olga")
    users.set_disabled(book, "anna", True)
    with pytest.raises(AssignmentError, match="anna is disabled"):
        assignments.assign_by_hand(book, "C1", "anna", "olga")
    with pytest.raises(AssignmentError, match="no rule 3"):
        assignments.rule_at(book, 3)
    assert assigned(book) == {}


def test_the_last_owner_stays_an_owner(book: Book) -> None:
    make_book(book)
    with pytest.raises(users.UserError, match="only owner"):
        users.set_role(book, "olga", Role.COLLECTOR)
    users.set_role(book, "vic", Role.OWNER)
    users.set_role(book, "olga", Role.COLLECTOR)
    assert users.get_user(book, "olga") == users.User("olga", Role.COLLECTOR)
    assert assignments.collectors(book) == ["anna", "ben", "olga", "vic"]


# --- the CLI --------------------------------------------------------------------------

runner = CliRunner()


def cli(book: Book, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--db", str(book.engine.url.database), *args], env={"COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_assign_commands(sqlite_book: Book) -> None:
    book = make_book(sqlite_book)
    code, out, err = cli(
        book, "assign", "rule", "add", "--to", "anna", "--currency", "eur", "--at-least", "10000"
    )
    assert code == 0, err
    assert "Rule 1 added: in EUR, balance at least €10,000.00 -> anna" in out
    assert cli(book, "assign", "rule", "add", "--to", "ben", "--tag", "vip")[0] == 0
    code, out, _ = cli(book, "assign", "rule", "add", "--to", "olga", "--position", "1", "--json")
    assert (code, json.loads(out)["position"]) == (0, 1)
    code, out, _ = cli(book, "assign", "rule", "list", "--json")
    listed = json.loads(out)
    assert [(r["position"], r["collector"], r["at_least"]) for r in listed] == [
        (1, "olga", None),
        (2, "anna", "10000.00"),
        (3, "ben", None),
    ]
    assert cli(book, "assign", "rule", "move", "1", "3")[0] == 0
    assert cli(book, "assign", "rule", "remove", "3")[0] == 0  # olga's catch-all
    code, out, _ = cli(book, "assign", "apply", "--json")
    assert (code, json.loads(out)["assigned"]) == (0, 2)
    assert assigned(book) == {"C1": "anna", "C3": "ben"}

    code, out, _ = cli(book, "assign", "C4", "--to", "ben")  # the short form
    assert (code, out.strip()) == (0, "C4 is assigned to ben by hand.")
    code, out, _ = cli(book, "assign", "customer", "C2", "--to", "anna", "--json")
    assert json.loads(out) == {"customer": "C2", "collector": "anna", "how": "hand"}
    code, out, _ = cli(book, "assign", "list", "--collector", "ben", "--json")
    assert [(a["customer"], a["how"], a["rule"]) for a in json.loads(out)["accounts"]] == [
        ("C3", "rule", 2),
        ("C4", "hand", None),
    ]
    code, out, _ = cli(book, "assign", "C4", "--rules")
    assert (code, out.strip()) == (
        0,
        "C4 follows the rules: no rule matches it; it has no collector.",
    )
    code, out, _ = cli(book, "assign", "list", "--unassigned")
    assert code == 0
    assert "C4" in out
    assert "C1" not in out


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["assign", "C1", "--to", "nobody"], 2, "there is no user 'nobody'"),
        (["assign", "C99", "--to", "anna"], 3, "there is no customer 'C99'"),
        (["assign", "C1"], 2, "give --to USER or --rules"),
        (["assign", "C1", "--to", "anna", "--rules"], 2, "give --to USER or --rules"),
        (["assign", "rule", "add", "--to", "vic"], 2, "vic is a viewer"),
        (["assign", "rule", "add", "--to", "anna", "--below", "5"], 2, "needs a currency"),
        (["assign", "rule", "remove", "7"], 2, "there is no rule 7"),
    ],
)
def test_the_assign_commands_refuse(sqlite_book: Book, args: list[str], code: int, says: str):
    book = make_book(sqlite_book)
    got, _out, err = cli(book, *args)
    assert got == code
    assert says in err
    assert assigned(book) == {}
    assert assignments.list_rules(book) == []


def test_the_collectors_of_many_keys_are_read_either_way_alike(book: Book) -> None:
    """More keys asked for than one IN list holds: read from every assignment when fewer
    are assigned (none, some), else key by key; the same answer each way."""
    from recoup.store import assignment_repo

    make_book(book)
    many = ["C1", "C3", "C4", *(f"NOBODY{n}" for n in range(700))]  # 703 keys
    assert assignments.collector_of(book, many) == {}
    assignments.assign_by_hand(book, "C1", "anna", "olga")
    assignments.assign_by_hand(book, "C3", "ben", "olga")
    want = {"C1": "anna", "C3": "ben"}
    assert assignments.collector_of(book, many) == want  # 2 assigned: all read
    assert assignments.collector_of(book, ["C1", "C2", "C3"]) == want  # key by key
    with book.read() as conn:
        before = assignment_repo.IN_CHUNK
        try:
            assignment_repo.IN_CHUNK = 1  # so few keys are "many", more than assigned
            assert assignment_repo.collectors_by_key(conn, ["C1", "C3", "C4"]) == want
        finally:
            assignment_repo.IN_CHUNK = before
