"""Delivering the outbox: nothing lost, nothing doubled, across crashes.

Every message moves pending -> sending -> sent (or failed; or back to pending with a
later `next_attempt_at` after a temporary failure). For each message:

1. one transaction builds the message (once: the bytes are kept in the outbox row, so
   any later attempt sends exactly the same bytes under the same Message-ID), marks it
   "sending" and commits;
2. the message goes to the SMTP server (or the .eml folder; a letter's PDF to the
   letters folder);
3. as soon as the server has accepted it, one transaction marks it "sent" and records
   it in the account's history with the message attached, and commits.

A crash between 2 and 3 is the one window no sender can close: the server has the
message, the book does not know. A restart finds such messages still "sending" and
sends them again (counting each in `resends`) with the same Message-ID, so the
receiving side can drop the copy. Nothing else is ever sent twice: a message that
never reached "sending" was never handed to the server.

Temporary failures (4xx, the server unreachable) wait and try again, each time twice
as long; permanent ones (5xx, a refused address, no email address) are recorded as
failed, in the history too, and listed by `problems()` for the worklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Connection

from recoup.clock import now as clock_now
from recoup.domain.money import Money
from recoup.letters.pdf import render_letter
from recoup.messages import catalogue
from recoup.messages.mime import Attachment, build_email, message_id
from recoup.messages.render import TemplateProblem
from recoup.messages.transport import (
    DeliveryError,
    Transport,
    file_name,
    transport_for,
    write_atomically,
)
from recoup.services import history
from recoup.services.book import Book
from recoup.services.casework import notices
from recoup.services.policy import active_policy
from recoup.services.templates import (
    local_day,
    message_data,
    outbox_folder,
    render_data,
    sender_address,
    template_source,
)
from recoup.settings import Settings
from recoup.store import messages_repo

ACTOR = "recoup dispatch"
REG_F_HOURS = (time(8, 0), time(21, 0))  # 12 CFR 1006.6(b)(1)(i)
MAX_BACKOFF = timedelta(hours=12)


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    pending: int = 0  # still waiting after this dispatch (retries, quiet hours, not reached)
    resent: int = 0  # sent again from "sending" after a crash (same Message-ID)
    deferred: int = 0  # outside the hours the customer may be contacted
    stopped: str | None = None  # why the dispatch stopped early (the server unreachable)

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "failed": self.failed, "pending": self.pending}


@dataclass
class _Memo:
    """What stays the same for a whole dispatch: looked up once, not per message."""

    book_id: str | None = None
    sources: dict[tuple[str, str], str] = field(default_factory=dict)

    def source(self, conn: Connection, name: str, lang: str, settings: Settings) -> str:
        key = (name, lang)
        if key not in self.sources:
            self.sources[key] = template_source(conn, name, lang, settings)[0]
        return self.sources[key]

    def book(self, conn: Connection) -> str:
        if self.book_id is None:
            self.book_id = messages_repo.book_id(conn)
        return self.book_id


@dataclass(frozen=True)
class _Ready:
    outbox_id: int
    customer_id: int
    channel: str
    message_id: str
    recipient: str
    content: bytes
    resend: bool
    attempts: int
    on: date


def dispatch(
    book: Book,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    settings: Settings | None = None,
    transport: Transport | None = None,
) -> DispatchResult:
    """Deliver what is due in the outbox; see the module's docstring."""
    settings = settings or Settings()
    at = now or clock_now()
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    folder = outbox_folder(settings, book)
    transport = transport or transport_for(settings.smtp_url, folder)
    result = DispatchResult()
    _version, policy = active_policy(book)
    hours = (policy.contact.hours_from, policy.contact.hours_until)
    with book.read() as conn:
        due = messages_repo.due_outbox(conn, at, limit)
    memo = _Memo()
    try:
        for outbox_id in due:
            with book.write() as conn:
                ready = _claim(conn, outbox_id, at, settings, hours, result, memo)
            if ready is None:
                continue
            try:
                _deliver(ready, transport, settings, folder)
            except DeliveryError as err:
                with book.write() as conn:
                    _failed_attempt(conn, ready, err, at, settings, result)
                if err.connection:
                    result.stopped = err.reason
                    break
                continue
            with book.write() as conn:
                _sent(conn, ready, at)
            result.sent += 1
            result.resent += int(ready.resend)
    finally:
        transport.close()
    with book.read() as conn:
        counts = messages_repo.count_states(conn)
    result.pending = counts.get("pending", 0) + counts.get("sending", 0)
    return result


def _claim(
    conn: Connection,
    outbox_id: int,
    at: datetime,
    settings: Settings,
    hours: tuple[time, time],
    result: DispatchResult,
    memo: _Memo,
) -> _Ready | None:
    """Build the message if not yet built, and mark it "sending" (committed by the
    caller before anything goes out)."""
    row = messages_repo.outbox_row(conn, outbox_id)
    if row is None or row["state"] not in ("pending", "sending"):
        return None
    waiting = row["next_attempt_at"]
    if row["state"] == "pending" and waiting is not None and _aware(waiting) > at:
        return None
    customer = messages_repo.customer(conn, row["customer_id"])
    on = max(_as_date(row["run_on"]), local_day(at, customer["timezone"]))
    if row["content"] is None:
        try:
            built = _build(conn, row, customer, on, at, settings, memo)
        except TemplateProblem as err:
            _fail(conn, row, f"the template {row['template']!r} does not render: {err}", on)
            result.failed += 1
            return None
        if isinstance(built, str):
            state = "cancelled" if built.startswith("nothing") else "failed"
            _fail(conn, row, built, on, state=state)
            result.failed += state == "failed"
            return None
        mid, recipient, content, regulation_f = built
        messages_repo.set_outbox(
            conn, outbox_id, message_id=mid, recipient=recipient, content=content
        )
        row.update(message_id=mid, recipient=recipient, content=content)
    else:
        tags = customer["tags"].split(",")
        regulation_f = (
            settings.third_party_collector and "consumer" in tags and customer["country"] == "US"
        )
    if row["channel"] == "email" and row["state"] == "pending":
        window = REG_F_HOURS if regulation_f else hours
        later = _outside(at, customer["timezone"], window)
        if later is not None:
            messages_repo.set_outbox(conn, outbox_id, next_attempt_at=later)
            result.deferred += 1
            return None
    resend = row["state"] == "sending"
    messages_repo.mark_sending(conn, outbox_id, resend)
    return _Ready(
        outbox_id,
        row["customer_id"],
        row["channel"],
        row["message_id"],
        row["recipient"],
        bytes(row["content"]),
        resend,
        row["attempts"] + 1,
        on,
    )


def _build(
    conn: Connection,
    row: dict[str, Any],
    customer: dict[str, Any],
    on: date,
    at: datetime,
    settings: Settings,
    memo: _Memo,
) -> tuple[str, str, bytes, bool] | str:
    """(Message-ID, recipient, content, Regulation F applies), or why it cannot go."""
    channel = row["channel"]
    notice = row.get("notice_data")  # a case-work notice: its figures, and every open invoice
    data, contact = message_data(
        conn,
        row["customer_id"],
        row["currency"],
        on,
        settings,
        numbers=None if notice else list(row["invoices"]),
        channel=channel,
        cycle_start=_as_date(row["cycle_start"]),
        extras=notices.decode(notice) if notice else None,
    )
    if not data.items:
        return "nothing left to collect: the invoices were paid before delivery"
    name = row["template"] or (
        "letter-before-action" if channel == "letter" else "overdue-friendly"
    )
    rendered = render_data(memo.source(conn, name, data.lang, settings), data)
    mid = message_id("action", row["action_id"], memo.book(conn), sender_address(settings))
    if channel == "letter":
        if contact is None:
            return "no postal address for this customer"
        return (
            mid,
            data.address.split("\n")[-1],
            render_letter(data, rendered.subject, rendered.marked),
            False,
        )
    if contact is None:
        return "no email address for this customer"
    attachments = []
    if catalogue.info(name).statement:
        statement = render_data(memo.source(conn, "statement", data.lang, settings), data)
        pdf = render_letter(data, statement.subject, statement.marked)
        attachments.append(
            Attachment(
                f"statement-{data.customer_key}-{on.isoformat()}.pdf", "application/pdf", pdf
            )
        )
    content = build_email(
        rendered,
        sender=sender_address(settings),
        sender_name=settings.business_name,
        to=contact["email"],
        to_name=contact["name"],
        message_id=mid,
        date=at,
        language=data.lang,
        reply_to=settings.reply_to or settings.business_email or None,
        attachments=attachments,
        headers=[("X-Recoup-Action", str(row["action_id"]))],
    )
    return mid, contact["email"], content, data.regulation_f


def _deliver(ready: _Ready, transport: Transport, settings: Settings, folder: Path) -> None:
    if ready.channel == "letter":
        write_atomically(folder / "letters" / file_name(ready.message_id, ".pdf"), ready.content)
        return
    transport.send(sender_address(settings), ready.recipient, ready.content, ready.message_id)


def _sent(conn: Connection, ready: _Ready, at: datetime) -> None:
    messages_repo.set_outbox(conn, ready.outbox_id, state="sent", sent_at=at, last_error=None)
    row = messages_repo.outbox_row(conn, ready.outbox_id)
    assert row is not None
    letter = ready.channel == "letter"
    doc = history.NewDocument(
        file_name(ready.message_id, ".pdf" if letter else ".eml"),
        "application/pdf" if letter else "message/rfc822",
        ready.content,
    )
    what = "Letter produced for posting" if letter else f"Email sent to {ready.recipient}"
    history.record(
        conn,
        ready.customer_id,
        "message_sent",
        f"{what}: {row['template']} ({row['stage']}), "
        f"{Money(row['amount_minor'], row['currency'])}",
        actor=ACTOR,
        on=ready.on,
        at=at,
        documents=[doc],
        data={
            "outbox": ready.outbox_id,
            "action": row["action_id"],
            "channel": ready.channel,
            "template": row["template"],
            "message_id": ready.message_id,
            "recipient": ready.recipient,
            "attempts": ready.attempts,
            "resend": ready.resend,
        },
    )


def _failed_attempt(
    conn: Connection,
    ready: _Ready,
    err: DeliveryError,
    at: datetime,
    settings: Settings,
    result: DispatchResult,
) -> None:
    permanent = err.permanent or (
        not err.connection and ready.attempts >= settings.dispatch_max_attempts
    )
    if permanent:
        row = messages_repo.outbox_row(conn, ready.outbox_id)
        assert row is not None
        _fail(conn, row, err.reason, ready.on)
        result.failed += 1
        return
    wait = timedelta(minutes=settings.dispatch_retry_minutes) * (2 ** max(0, ready.attempts - 1))
    messages_repo.set_outbox(
        conn,
        ready.outbox_id,
        state="pending",
        last_error=err.reason,
        next_attempt_at=at + min(wait, MAX_BACKOFF),
    )


def _fail(
    conn: Connection, row: dict[str, Any], reason: str, on: date, state: str = "failed"
) -> None:
    messages_repo.set_outbox(conn, row["id"], state=state, last_error=reason)
    history.record(
        conn,
        row["customer_id"],
        "message_failed",
        f"{row['channel'].capitalize()} {row['template']} ({row['stage']}) "
        f"{'not needed' if state == 'cancelled' else 'not delivered'}: {reason}",
        actor=ACTOR,
        on=on,
        data={"outbox": row["id"], "action": row["action_id"], "reason": reason, "state": state},
    )


def _outside(at: datetime, timezone: str, window: tuple[time, time]) -> datetime | None:
    """None when `at` is within the window in the customer's time zone; else the next
    time the window opens."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = at.astimezone(zone)
    start, end = window
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- what the worklist shows ----------------------------------------------------------


@dataclass(frozen=True)
class DeliveryProblem:
    outbox_id: int
    customer: str
    name: str
    channel: str
    template: str | None
    stage: str
    state: str  # failed, or pending (a retry is planned)
    reason: str
    attempts: int
    next_attempt_at: datetime | None
    recipient: str | None
    failed_at: datetime | None = None  # when the history recorded the failure (failed only)

    def to_json(self) -> dict[str, Any]:
        return {
            "outbox": self.outbox_id,
            "customer": self.customer,
            "name": self.name,
            "channel": self.channel,
            "template": self.template,
            "stage": self.stage,
            "state": self.state,
            "reason": self.reason,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "recipient": self.recipient,
            "failed_at": self.failed_at.isoformat() if self.failed_at else None,
        }


def problems(book: Book) -> list[DeliveryProblem]:
    """Messages that failed for good, and those waiting to be tried again, newest first."""
    with book.read() as conn:
        rows = messages_repo.problems(conn)
        failed = [r["customer_id"] for r in rows if r["state"] == "failed"]
        times = messages_repo.failure_times(conn, failed)
    return [
        DeliveryProblem(
            r["id"],
            r["customer"],
            r["name"],
            r["channel"],
            r["template"],
            r["stage"],
            r["state"],
            r["last_error"] or "",
            r["attempts"],
            _aware(r["next_attempt_at"]) if r["next_attempt_at"] is not None else None,
            r["recipient"],
            _timestamp(times.get(r["id"])),
        )
        for r in rows
    ]


def _timestamp(value: str | None) -> datetime | None:
    """A history timestamp (2026-11-23T08:00:00.000000Z) as an aware datetime."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
