"""Who works which account: the owner's assignment rules, applied on demand and to new
accounts by the daily run, and assignment by hand.

**Where the rules live.** In the book (`assignment_rules`), not in the collection plan's
policy file: a rule names a user of this book, and users live in the book; the plan says
how to collect and is meant to be read, versioned and shared apart from who is on the
team. The rules are a short ordered list (`recoup assign rule list`, the Assignment
page); the first that matches an account wins (`recoup.domain.assignment`).

**When they apply.** "Apply rules" (`recoup assign apply`, the page's button) looks at
every account with something open that was not assigned by hand: it gets the collector
of the first matching rule, or loses a collector a rule gave it when none matches now.
The daily run gives the accounts that have no collector yet (new ones) theirs
(`assign_new`) and moves no one else: a collector keeps their accounts as balances
change, until the owner applies the rules again. A rule whose collector is disabled or
no longer a collector is passed over. Removing or moving a rule changes nobody's
collector until the rules are applied.

**By hand** (`assign_by_hand`) wins over the rules, which never change it;
`return_to_rules` gives the account back to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from recoup.clock import now
from recoup.domain.assignment import Account, Rule, first_match, parse_tags
from recoup.domain.assignment import RuleError as RuleError  # for callers
from recoup.domain.money import Money
from recoup.domain.roles import Role
from recoup.services.book import Book
from recoup.store import assignment_repo as repo

RULE = "rule"
HAND = "hand"
DAILY_RUN = "daily run"  # who assigned, for the accounts the daily run gave a collector
WORKERS = (Role.COLLECTOR.value, Role.OWNER.value)  # the roles that can work accounts


class AssignmentError(ValueError):
    """A change that cannot be made (an unknown user or customer, a viewer as a
    collector, a rule that cannot be). The message is for a person."""


class UnknownCustomerError(AssignmentError, LookupError):
    pass


@dataclass(frozen=True)
class RuleView:
    """A rule as listed: its place, its conditions, whether it can assign (its collector
    is enabled and works accounts), and how many accounts it holds now."""

    rule: Rule
    usable: bool
    accounts: int

    @property
    def position(self) -> int:
        return self.rule.position

    @property
    def id(self) -> int:
        return self.rule.id

    def to_json(self) -> dict[str, Any]:
        r = self.rule
        at_least, below = r.amount(r.at_least), r.amount(r.below)
        return {
            "position": r.position,
            "id": r.id,
            "collector": r.collector,
            "currency": r.currency,
            "at_least": at_least.to_json() if at_least else None,
            "below": below.to_json() if below else None,
            "tag": r.tag,
            "country": r.country,
            "usable": self.usable,
            "accounts": self.accounts,
        }


@dataclass(frozen=True)
class Applied:
    """What applying the rules did, in accounts (customers with something open)."""

    looked_at: int = 0
    assigned: int = 0  # had no collector, got one
    moved: int = 0  # to another collector
    unchanged: int = 0
    unassigned: int = 0  # lost the collector a rule gave them: no rule matches now
    unmatched: int = 0  # had none and still have none
    by_hand: int = 0  # left as they are

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AccountRow:
    key: str
    name: str
    country: str
    tags: tuple[str, ...]
    balances: tuple[Money, ...]
    collector: str | None
    how: str | None  # "rule" | "hand" | None
    rule_position: int | None  # the rule that assigned it, where it still exists

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.key,
            "name": self.name,
            "country": self.country,
            "tags": list(self.tags),
            "balances": [{"currency": m.currency, "amount": m.to_json()} for m in self.balances],
            "collector": self.collector,
            "how": self.how,
            "rule": self.rule_position,
        }


@dataclass(frozen=True)
class AccountPage:
    rows: list[AccountRow]
    total: int


# --- reading --------------------------------------------------------------------------


def _rules(conn: Connection) -> tuple[list[Rule], set[str]]:
    """The rules in order, and the collectors they may assign to."""
    found, usable = [], set()
    for r in repo.rules(conn):
        found.append(
            Rule(
                str(r["username"]),
                currency=r["currency"],
                at_least=r["at_least_minor"],
                below=r["below_minor"],
                tag=r["tag"],
                country=r["country"],
                id=int(r["id"]),
                position=int(r["position"]),
            )
        )
        if r["role"] in WORKERS and r["disabled_at"] is None:
            usable.add(str(r["username"]))
    return found, usable


def list_rules(book: Book) -> list[RuleView]:
    with book.read() as conn:
        found, usable = _rules(conn)
        held = repo.counts_by_rule(conn)
    return [RuleView(r, r.collector in usable, held.get(r.id, 0)) for r in found]


def collectors(book: Book) -> list[str]:
    """The users who can be given accounts (collectors and owners, not disabled), by
    name."""
    with book.read() as conn:
        return sorted(
            name
            for name, u in repo.users_by_name(conn).items()
            if u["role"] in WORKERS and u["disabled_at"] is None
        )


def is_user(book: Book, username: str) -> bool:
    with book.read() as conn:
        return username in repo.users_by_name(conn)


def counts_by_user(book: Book) -> dict[str, dict[str, int]]:
    """username -> {"rule": N, "hand": N}."""
    with book.read() as conn:
        return repo.counts_by_user(conn)


def collector_of(book: Book, keys: Iterable[str] | None = None) -> dict[str, str]:
    """customer key -> the username of its collector (assigned customers only)."""
    with book.read() as conn:
        return repo.collectors_by_key(conn, keys)


def account_page(
    book: Book,
    *,
    collector: str | None = None,
    unassigned: bool = False,
    q: str = "",
    page: int = 1,
    per_page: int = 50,
) -> AccountPage:
    """The accounts (customers with something open) by key, with their collector;
    `collector` (a username) and/or `unassigned` narrow them, `q` searches key and
    name."""
    with book.read() as conn:
        found, _usable = _rules(conn)
        positions = {r.id: r.position for r in found}
        user_id: int | None = None
        if collector is not None:
            user = repo.users_by_name(conn).get(collector)
            if user is None:
                return AccountPage([], 0)
            user_id = int(user["id"])
        rows, total = repo.account_page(
            conn,
            collector=user_id,
            unassigned=unassigned,
            q=q.strip(),
            offset=(page - 1) * per_page,
            limit=per_page,
        )
        owed = repo.balances(conn, [int(r["id"]) for r in rows])
    out = [
        AccountRow(
            str(r["key"]),
            str(r["name"]),
            str(r["country"] or ""),
            tuple(sorted(parse_tags(str(r["tags"] or "")))),
            tuple(Money(m, c) for c, m in sorted(owed.get(int(r["id"]), {}).items())),
            r["username"],
            r["how"],
            positions.get(r["rule_id"]) if r["rule_id"] is not None else None,
        )
        for r in rows
    ]
    return AccountPage(out, total)


# --- the rules --------------------------------------------------------------------------


def _worker(conn: Connection, username: str) -> dict[str, Any]:
    user = repo.users_by_name(conn).get(username)
    if user is None:
        raise AssignmentError(f"there is no user {username!r}")
    if user["role"] not in WORKERS:
        raise AssignmentError(
            f"{username} is a {user['role']}: only collectors and owners work accounts"
        )
    if user["disabled_at"] is not None:
        raise AssignmentError(f"{username} is disabled")
    return user


def add_rule(book: Book, rule: Rule, by: str, position: int | None = None) -> RuleView:
    """Add `rule` at `position` (1 first; default: the end). It assigns nobody until the
    rules are applied (or the daily run meets a new account)."""
    with book.write() as conn:
        user = _worker(conn, rule.collector)
        count = repo.rule_count(conn)
        at = count + 1 if position is None else max(1, min(position, count + 1))
        rule_id = repo.add_rule(
            conn,
            at,
            {
                "user_id": user["id"],
                "currency": rule.currency,
                "at_least_minor": rule.at_least,
                "below_minor": rule.below,
                "tag": rule.tag,
                "country": rule.country,
                "created_by": by,
                "created_at": now(),
            },
        )
    view = next((v for v in list_rules(book) if v.id == rule_id), None)
    assert view is not None
    return view


def remove_rule(book: Book, rule_id: int) -> None:
    with book.write() as conn:
        if not repo.remove_rule(conn, rule_id):
            raise AssignmentError(f"there is no rule {rule_id}")


def move_rule(book: Book, rule_id: int, to: int) -> None:
    with book.write() as conn:
        if not repo.move_rule(conn, rule_id, to):
            raise AssignmentError(f"there is no rule {rule_id}")


def rule_at(book: Book, position: int) -> RuleView:
    """The rule at `position` as listed (1 first)."""
    for view in list_rules(book):
        if view.position == position:
            return view
    raise AssignmentError(f"there is no rule {position} (`recoup assign rule list`)")


def _account(row: Mapping[str, Any], owed: Mapping[int, dict[str, int]]) -> Account:
    return Account(
        owed.get(int(row["id"]), {}),
        parse_tags(str(row["tags"] or "")),
        str(row["country"] or ""),
    )


def apply_rules(book: Book, by: str) -> Applied:
    """Every account not assigned by hand gets the collector of the first rule that
    matches it (or loses one a rule gave it, when none does now)."""
    counts = dict.fromkeys(Applied().to_json(), 0)
    with book.write() as conn:
        found, usable = _rules(conn)
        ids = {name: int(u["id"]) for name, u in repo.users_by_name(conn).items()}
        owed = repo.balances(conn)
        write: list[dict[str, Any]] = []
        drop: list[int] = []
        for row in repo.accounts(conn):
            counts["looked_at"] += 1
            if row["how"] == HAND:
                counts["by_hand"] += 1
                continue
            rule = first_match(found, _account(row, owed), usable)
            had = row["user_id"]
            if rule is None:
                if had is None:
                    counts["unmatched"] += 1
                else:
                    drop.append(int(row["id"]))
                    counts["unassigned"] += 1
                continue
            uid = ids[rule.collector]
            if had == uid and row["rule_id"] == rule.id:
                counts["unchanged"] += 1
                continue
            counts["assigned" if had is None else "moved" if had != uid else "unchanged"] += 1
            write.append(_row(int(row["id"]), uid, rule.id, by))
        repo.assign_many(conn, write, now())
        repo.unassign(conn, drop)
    return Applied(**counts)


def _row(customer_id: int, user_id: int, rule_id: int | None, by: str) -> dict[str, Any]:
    how = HAND if rule_id is None else RULE
    return {
        "customer_id": customer_id,
        "user_id": user_id,
        "how": how,
        "rule_id": rule_id,
        "assigned_by": by,
    }


def assign_new(book: Book, by: str = DAILY_RUN) -> int:
    """Give the accounts without a collector the collector of their first matching rule
    (the daily run's step). How many got one. Nothing to do without rules."""
    with book.read() as conn:
        if not repo.rule_count(conn):
            return 0
    with book.write() as conn:
        found, usable = _rules(conn)
        ids = {name: int(u["id"]) for name, u in repo.users_by_name(conn).items()}
        rows = repo.accounts(conn, unassigned_only=True)
        owed = repo.balances(conn, [int(r["id"]) for r in rows])
        write = [
            _row(int(row["id"]), ids[rule.collector], rule.id, by)
            for row in rows
            if (rule := first_match(found, _account(row, owed), usable)) is not None
        ]
        repo.assign_many(conn, write, now())
    return len(write)


# --- by hand --------------------------------------------------------------------------


def _customer(conn: Connection, key: str) -> int:
    found = repo.customer_id(conn, key)
    if found is None:
        raise UnknownCustomerError(f"there is no customer {key!r}")
    return found


def assign_by_hand(book: Book, customer: str, username: str, by: str) -> None:
    """`username` works `customer` from now on; the rules leave it alone."""
    with book.write() as conn:
        cid = _customer(conn, customer)
        user = _worker(conn, username)
        repo.assign(conn, cid, int(user["id"]), HAND, None, by, now())


def return_to_rules(book: Book, customer: str, by: str) -> str | None:
    """Give `customer` back to the rules: the collector of the first matching rule (its
    name), or none (None)."""
    with book.write() as conn:
        cid = _customer(conn, customer)
        repo.unassign(conn, [cid])
        found, usable = _rules(conn)
        row = next(iter(repo.accounts(conn, ids=[cid])), None)
        if row is None:  # nothing open: no rule looks at it
            return None
        rule = first_match(found, _account(row, repo.balances(conn, [cid])), usable)
        if rule is None:
            return None
        uid = int(repo.users_by_name(conn)[rule.collector]["id"])
        repo.assign(conn, cid, uid, RULE, rule.id, by, now())
        return rule.collector
