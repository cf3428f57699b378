"""What every casework service needs: the account in one currency, the ledger touch, the
owner check, and the contact-rule check of a manual contact (with its override entry)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from recoup.domain.aging import days_past_due
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.collection import rules_from_policy
from recoup.domain.contact_rules import Debtor, Decision, Hold, PastContact, check
from recoup.domain.ledger import Channel
from recoup.domain.local_calendar import holiday_code
from recoup.domain.money import Money
from recoup.domain.policy import Policy
from recoup.domain.priority import PayerKind
from recoup.services import allocation_sync, history
from recoup.services.casework.authority import require_owner
from recoup.services.errors import NotFoundError
from recoup.store import casework_repo, ledger_repo, run_repo

__all__ = ["Case", "CaseworkError", "NotFoundError", "require_owner"]


def payer_kind(tags: tuple[str, ...]) -> PayerKind:
    for tag in tags:
        if tag in PayerKind.__members__.values():
            return PayerKind(tag)
    return PayerKind.UNKNOWN


@dataclass(frozen=True)
class Case:
    """One customer's account in one currency, as of a day."""

    customer: dict[str, Any]
    currency: str
    balance: Money
    invoices: tuple[dict[str, Any], ...]  # open invoices, oldest due first
    as_of: date

    @property
    def id(self) -> int:
        return int(self.customer["id"])

    @property
    def key(self) -> str:
        return str(self.customer["key"])

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(t for t in str(self.customer["tags"] or "").split(",") if t)

    @property
    def kind(self) -> PayerKind:
        return payer_kind(self.tags)

    @property
    def days_past_due(self) -> int:
        due = [i["due_date"] for i in self.invoices]
        return max(0, days_past_due(min(due), self.as_of)) if due else 0

    @property
    def oldest_invoice(self) -> str | None:
        return str(self.invoices[0]["number"]) if self.invoices else None

    @property
    def overdue(self) -> Money:
        minor = sum(
            i["amount_minor"] - i["paid_minor"] for i in self.invoices if i["due_date"] < self.as_of
        )
        return Money(int(minor), self.currency)


def customer(conn: Connection, key: str) -> dict[str, Any]:
    row = ledger_repo.get_customer(conn, key)
    if row is None:
        raise NotFoundError(f"no customer {key!r}")
    return row


def load_case(conn: Connection, key: str, currency: str | None, as_of: date) -> Case:
    """The account of customer `key` in `currency` (None: its only currency with a balance)."""
    row = customer(conn, key)
    balances = casework_repo.balances(conn, int(row["id"]))
    if currency is None:
        owing = sorted(c for c, m in balances.items() if m > 0)
        if len(owing) == 1:
            currency = owing[0]
        elif not owing:
            known = sorted(balances)
            if len(known) != 1:
                raise CaseworkError(f"customer {key} owes nothing")
            currency = known[0]
        else:
            raise CaseworkError(f"customer {key} owes in {', '.join(owing)}: say which currency")
    currency = currency.upper()
    invoices = casework_repo.open_invoices(conn, int(row["id"]), currency)
    return Case(row, currency, Money(balances.get(currency, 0), currency), tuple(invoices), as_of)


def touch_ledger(conn: Connection, customer_id: int) -> None:
    """Re-apply payments and credits after a casework change; the daily run looks again."""
    allocation_sync.recompute(conn, {customer_id})
    run_repo.enqueue(conn, {customer_id})


def money(value: str | Money, currency: str) -> Money:
    if isinstance(value, Money):
        if value.currency != currency:
            raise CaseworkError(f"the amount is in {value.currency}, the account in {currency}")
        return value
    try:
        return Money.of(value, currency)
    except ValueError as err:
        raise CaseworkError(f"not an amount of {currency}: {value!r} ({err})") from None


def moment(customer_row: dict[str, Any], on: date, at: datetime | None) -> datetime:
    """The moment of a manual contact: `at` as given, else noon of `on` in their time zone."""
    if at is not None:
        if at.tzinfo is None:
            raise CaseworkError("the time of a contact needs a time zone")
        return at.astimezone(UTC)
    try:
        zone = ZoneInfo(str(customer_row["timezone"] or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(on, time(12), zone).astimezone(UTC)


def debtor(conn: Connection, customer_row: dict[str, Any], as_of: date, policy: Policy) -> Debtor:
    from recoup.services.casework.holds import holds_for

    cid = int(customer_row["id"])
    contacts: list[PastContact] = []
    for kind, when in casework_repo.past_contacts(conn, cid):
        if isinstance(when, datetime):
            stamp = when if when.tzinfo else when.replace(tzinfo=UTC)
        else:
            stamp = datetime.combine(when, time(12), UTC)
        channel = {"email": Channel.EMAIL, "letter": Channel.LETTER}.get(kind, Channel.PHONE)
        contacts.append(PastContact(stamp, channel))
    allowed = {h.value for h in policy.contact.holds}
    found = holds_for(conn, [cid], as_of).get(cid, [])
    holds = [h for h in found if h.absolute or h.kind.value in allowed]
    return Debtor(
        country=holiday_code(str(customer_row["country"] or ""), region(customer_row)),
        timezone=str(customer_row["timezone"] or "UTC"),
        contacts=tuple(contacts),
        holds=tuple(holds),
    )


def region(customer_row: dict[str, Any]) -> str:
    """The customer's region ("" when none is recorded)."""
    return str(customer_row.get("region") or "")


def check_contact(
    conn: Connection,
    customer_row: dict[str, Any],
    policy: Policy,
    channel: Channel,
    at: datetime,
    on: date,
    *,
    actor: str,
    override_reason: str | None,
    what: str,
) -> Decision:
    """Check a manual contact against the contact rules and holds.

    Refused (CaseworkError, with the reasons) when a rule is broken and no override is
    given, or when an absolute hold is in force. An override that is used is recorded as
    an "override" history entry, in this transaction.
    """
    reason = override_reason.strip() if override_reason else None
    decision = check(
        rules_from_policy(policy), debtor(conn, customer_row, on, policy), channel, at, reason
    )
    if not decision.allowed:
        head = f"{what} refused by the contact rules: "
        if reason is None:
            head += "(give an override reason to go ahead) "
        raise CaseworkError(head + "; ".join(decision.reasons))
    if decision.overridden:
        history.record(
            conn,
            int(customer_row["id"]),
            "override",
            f"{what}: contact rules overridden ({reason}): "
            + "; ".join(b.reason for b in decision.overridden),
            actor=actor,
            on=on,
            data={
                "rules": [r.value for r in decision.overridden_rules],
                "reason": reason,
                "holds": [b.hold.value for b in decision.overridden if b.hold is not None],
            },
        )
    return decision


def hold_words(holds: list[Hold]) -> list[str]:
    return [h.words() for h in holds]


def row_filter(conn: Connection, customer_key: str | None, status: str | None) -> dict[str, Any]:
    """Column filters for listing case-work rows: one customer's, in one status (either
    may be None: no filter)."""
    where: dict[str, Any] = {}
    if customer_key is not None:
        where["customer_id"] = int(customer(conn, customer_key)["id"])
    if status is not None:
        where["status"] = status
    return where


def locked(
    conn: Connection,
    table: Table,
    row_id: int,
    missing: str,
    allowed: Collection[str],
    refused: str,
) -> dict[str, Any]:
    """The row `row_id` of `table`, locked for this transaction (PostgreSQL), when its
    status is one of `allowed`. Else NotFoundError(`missing`), or CaseworkError with
    `refused` filled in ("{id}", "{status}"), e.g. "plan {id} is {status}, not current"."""
    row = casework_repo.get_for_update(conn, table, row_id)
    if row is None:
        raise NotFoundError(missing)
    if row["status"] not in allowed:
        raise CaseworkError(refused.format(id=row_id, status=row["status"]))
    return row
