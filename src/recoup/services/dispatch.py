"""Delivering the outbox: true at the moment it is sent, nothing doubled, nothing blocked.

Every message moves pending -> sending -> sent, or ends "withdrawn" (the book no longer
supports it) or "failed" (it cannot be built or the server refused it for good); a
temporary failure puts it back to pending with a later `next_attempt_at`.

**Leases.** A delivery first *claims* a few messages: it writes its name and a time
(`lease_owner`, `lease_until`, by the wall clock) on them in one short transaction
(PostgreSQL reads them `FOR UPDATE SKIP LOCKED`, SQLite holds its write lock). Another
delivery running at the same moment never takes a message under a live lease; it takes
one only when the lease's time has passed or its holder (a process on this machine) is
gone. So four deliveries at once send each message once, and a delivery that crashed
leaves its messages to the next one.

**Re-deciding.** For each claimed message, one transaction looks at the book as it is
now (`recoup.services.delivery_check`, `recoup.domain.delivery`): a hold that came into
force, invoices paid since, the contact rules in the customer's time zone (contact days,
public holidays of their country and region, hours, the gap and the weekly cap counted
on what was actually delivered). The message is then withdrawn, deferred to the next
allowed moment, rebuilt with the current figures (a new revision under a new
Message-ID; the plan's `delivery.on_change` says rebuild or withdraw), or built (once:
the bytes are kept in the row, so a later attempt sends the same bytes under the same
Message-ID) and marked "sending"; then it goes to the SMTP server (or the .eml folder;
a letter's PDF to the letters folder); once accepted, one transaction marks it "sent",
records it in the account's history with the message attached, and ends the lease.

A crash between the server's acceptance and that record is the one window no sender can
close: the next delivery finds the message still "sending" under a lease that has run
out and sends it again (counted in `resends`) with the same Message-ID, so the receiving
side can drop the copy; if the book has moved meanwhile, it is withdrawn instead.

**Alone.** A message that cannot be built (a template error, an address that is not an
address, a missing business detail) or that the server refuses (5xx) fails or waits
alone, with its reason on the worklist's delivery problems; the rest goes on. When the
server cannot be reached at all the delivery stops early and says so (`stopped`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from recoup.clock import now as clock_now
from recoup.domain.delivery import Verdict
from recoup.domain.money import Money
from recoup.domain.policy import OnChange, Policy
from recoup.messages import catalogue, tone
from recoup.messages.labels import language_of
from recoup.messages.mime import Attachment, build_email, message_id
from recoup.messages.render import TemplateProblem, missing_details
from recoup.messages.transport import (
    DeliveryError,
    Transport,
    file_name,
    transport_for,
    write_atomically,
)
from recoup.services import (
    business_details,
    delivery_check,
    delivery_problems,
    doctor,
    history,
    template_gate,
)
from recoup.services.book import Book
from recoup.services.casework import notices
from recoup.services.leases import gone, lease_owner, wall_clock
from recoup.services.policy import active_policy
from recoup.services.templates import (
    business,
    message_data,
    missing_sender,
    outbox_folder,
    render_data,
    sender_address,
    template_source,
)
from recoup.settings import Settings
from recoup.store import messages_repo

ACTOR = delivery_check.ACTOR
MAX_BACKOFF = timedelta(hours=12)
CLAIM = 20  # messages claimed at a time: small, so concurrent deliveries share the work


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    pending: int = 0  # still waiting after this dispatch (retries, deferrals, not reached)
    resent: int = 0  # sent again from "sending" after a crash (same Message-ID)
    deferred: int = 0  # not allowed now: put off to the next allowed moment
    withdrawn: int = 0  # the book no longer supports them
    rebuilt: int = 0  # built again with the current figures
    held: int = 0  # waiting for the set-up: a template to sign off, a business detail
    stopped: str | None = None  # why the dispatch stopped early (the server unreachable)
    waiting: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The three figures of the contract: sent, failed, still pending."""
        return {"sent": self.sent, "failed": self.failed, "pending": self.pending}

    def to_json(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "deferred": self.deferred,
            "withdrawn": self.withdrawn,
            "rebuilt": self.rebuilt,
            "held": self.held,
            "resent": self.resent,
            "stopped": self.stopped,
            "waiting": self.waiting,
        }


@dataclass
class _Memo:
    """What stays the same for a whole dispatch: looked up once, not per message."""

    book_id: str | None = None
    sources: dict[tuple[str, str], str] = field(default_factory=dict)
    gates: dict[tuple[str, str], template_gate.Gate] = field(default_factory=dict)
    gaps: dict[tuple[str, str, str], _Wait | None] = field(default_factory=dict)

    def source(self, conn: Connection, name: str, lang: str, settings: Settings) -> str:
        key = (name, lang)
        if key not in self.sources:
            self.sources[key] = template_source(conn, name, lang, settings)[0]
        return self.sources[key]

    def book(self, conn: Connection) -> str:
        if self.book_id is None:
            self.book_id = messages_repo.book_id(conn)
        return self.book_id

    def set_up(
        self, conn: Connection, job: _Job, name: str, lang: str, channel: str
    ) -> _Wait | None:
        """Why messages from this template must wait for the set-up (`_set_up_gaps`),
        worked out once per template, language and channel."""
        key = (name, lang, channel)
        if key not in self.gaps:
            self.gaps[key] = _set_up_gaps(conn, job, name, lang, channel)
        return self.gaps[key]

    def gate(self, conn: Connection, name: str, lang: str, job: _Job) -> template_gate.Gate:
        key = (name, lang)
        if key not in self.gates:
            self.gates[key] = template_gate.gate(conn, name, lang, job.policy, job.settings)
        return self.gates[key]


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


@dataclass
class _Job:
    """One dispatch's fixed inputs."""

    book: Book
    at: datetime
    settings: Settings
    policy: Policy
    on_change: OnChange
    owner: str
    lease: timedelta
    recheck: bool
    result: DispatchResult
    memo: _Memo = field(default_factory=_Memo)

    def lease_until(self) -> datetime:
        return wall_clock() + self.lease


def dispatch(
    book: Book,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    settings: Settings | None = None,
    transport: Transport | None = None,
    recheck: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> DispatchResult:
    """Deliver what is due in the outbox; see the module's docstring. `progress(done,
    total)` is told of each message looked at. `recheck=False` skips the look at the
    book before sending: only for the test that shows what the look prevents."""
    # the book's own business details fill in what the settings leave unset, as for
    # the CLI and the web (never changing the caller's settings object)
    settings = business_details.apply((settings or Settings()).model_copy(), book)
    at = now or clock_now()
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    folder = outbox_folder(settings, book)
    transport = transport or transport_for(settings.smtp_url, folder)
    _version, policy = active_policy(book)
    job = _Job(
        book, at, settings, policy, policy.changed_messages, lease_owner(),
        timedelta(seconds=settings.dispatch_lease_seconds), recheck, DispatchResult(),
    )  # fmt: skip
    done = 0
    if progress is not None:
        with book.read() as conn:
            total = messages_repo.count_due(conn, at)
        total = total if limit is None else min(total, limit)
    try:
        while job.result.stopped is None and (limit is None or done < limit):
            want = CLAIM if limit is None else min(CLAIM, limit - done)
            with book.write() as conn:
                ids = messages_repo.claim(
                    conn, job.owner, wall_clock(), job.lease_until(), at, want, gone
                )
            if not ids:
                break
            for n, outbox_id in enumerate(ids):
                done += 1
                _one(job, outbox_id, transport, folder)
                if progress is not None:
                    progress(done, max(total, done))  # (more may have come due)
                if job.result.stopped is not None:
                    with book.write() as conn:
                        messages_repo.release(conn, job.owner, ids[n + 1 :])
                    break
    finally:
        transport.close()
        with book.write() as conn:
            messages_repo.release(conn, job.owner)
    with book.read() as conn:
        job.result.waiting = [_waiting_json(r) for r in messages_repo.waiting(conn)]
    job.result.pending = delivery_problems.outbox_counts(book).waiting
    return job.result


def _one(job: _Job, outbox_id: int, transport: Transport, folder: Path) -> None:
    with job.book.write() as conn:
        ready = _claim(conn, job, outbox_id)
    if ready is None:
        return
    try:
        _deliver(ready, transport, job.settings, folder)
    except DeliveryError as err:
        with job.book.write() as conn:
            _failed_attempt(conn, ready, err, job)
        if err.connection:
            job.result.stopped = err.reason
        return
    with job.book.write() as conn:
        _sent(conn, ready, job.at)
    job.result.sent += 1
    job.result.resent += int(ready.resend)


def _claim(conn: Connection, job: _Job, outbox_id: int) -> _Ready | None:
    """Look at the book, then build the message if not yet built and mark it "sending"
    (committed by the caller before anything goes out). None: nothing to send now."""
    row = messages_repo.outbox_row(conn, outbox_id)
    if row is None or row["state"] not in ("pending", "sending"):
        return None
    if row["lease_owner"] != job.owner:
        return None  # another delivery took it over (our lease ran out)
    customer = messages_repo.customer(conn, row["customer_id"])
    on = delivery_check.book_day(row, customer, job.at)
    result = job.result
    if job.recheck:
        decision = delivery_check.decide_message(
            conn, row, customer, job.at, job.policy, job.settings, job.on_change
        )
        if decision.verdict is Verdict.WITHDRAW:
            delivery_check.withdraw(conn, row, decision.reason, on, job.at)
            result.withdrawn += 1
            return None
        if decision.verdict is Verdict.DEFER:
            messages_repo.set_outbox(
                conn, outbox_id, state="pending", next_attempt_at=decision.until,
                wait_reason=decision.reason, lease_owner=None, lease_until=None,
            )  # fmt: skip
            result.deferred += 1
            return None
        if decision.verdict is Verdict.REBUILD:
            new_id = delivery_check.rebuild(
                conn, row, decision.reason, on, job.at, job.owner, job.lease_until()
            )
            result.rebuilt += 1
            row = messages_repo.outbox_row(conn, new_id)
            assert row is not None
    if row["content"] is None:
        try:
            # one message's fault (a template error, bad data) must not stop the rest:
            # its reads run in a savepoint, so the transaction stays usable after it
            with conn.begin_nested():
                built = _build(conn, row, customer, on, job)
        except Exception as err:
            _fail(conn, row, f"the message could not be built: {type(err).__name__}: {err}", on)
            result.failed += 1
            return None
        if isinstance(built, _Wait):
            # kept under our lease until this delivery ends, so it is not taken again
            messages_repo.set_outbox(conn, row["id"], wait_reason=built.reason)
            result.held += 1
            return None
        if isinstance(built, str):
            _fail(conn, row, built, on)
            result.failed += 1
            return None
        mid, recipient, content, facts = built
        messages_repo.set_outbox(
            conn, row["id"], message_id=mid, recipient=recipient, content=content,
            facts=facts, wait_reason=None,
        )  # fmt: skip
        row.update(message_id=mid, recipient=recipient, content=content)
    resend = row["state"] == "sending"
    messages_repo.mark_sending(conn, row["id"], resend)
    return _Ready(
        row["id"],
        row["customer_id"],
        row["channel"],
        row["message_id"],
        row["recipient"],
        bytes(row["content"]),
        resend,
        row["attempts"] + 1,
        on,
    )


@dataclass(frozen=True)
class _Wait:
    """The message cannot be built until the set-up is complete (said in `reason`)."""

    reason: str


def bad_address(address: str) -> str | None:
    """Why `address` cannot go in a To: header, or None when it can."""
    if any(ch in address for ch in "\r\n\x00"):
        return f"the address {address!r} contains a line break"
    try:
        parsed = Address(addr_spec=address)
    except (HeaderParseError, ValueError, IndexError) as err:
        return f"the address {address!r} is not an email address ({err})"
    if not parsed.username or "." not in parsed.domain:
        return f"the address {address!r} is not an email address"
    return None


def _build(
    conn: Connection, row: dict[str, Any], customer: dict[str, Any], on: date, job: _Job
) -> tuple[str, str, bytes, str] | _Wait | str:
    """(Message-ID, recipient, content, its figures), or why it must wait (`_Wait`), or
    why it cannot go at all (a string)."""
    settings = job.settings
    channel = row["channel"]
    name = row["template"] or (
        "letter-before-action" if channel == "letter" else "overdue-friendly"
    )
    waits = job.memo.set_up(conn, job, name, language_of(customer["language"]), channel)
    if waits is not None:
        return waits
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
        stage=row["stage"],  # a stage's email and letter never count each other as earlier
    )
    if not data.items:
        return "nothing left to collect: the invoices were paid before delivery"
    if channel == "letter" and contact is None:
        return "no postal address for this customer"
    if channel == "email":
        if contact is None:
            return "no email address for this customer"
        wrong = bad_address(str(contact["email"]))
        if wrong is not None:
            return wrong
    rendered = render_data(job.memo.source(conn, name, data.lang, settings), data)
    number = int(row["action_id"])
    revision = int(row.get("revision") or 0)
    sender = sender_address(settings)
    mid = message_id("action", number, job.memo.book(conn), sender, revision=revision)
    facts = delivery_check.facts_text(delivery_check.current_figures(conn, row, on))
    if channel == "letter":
        from recoup.letters.pdf import render_letter  # reportlab: only for a PDF

        pdf = render_letter(data, rendered.subject, rendered.marked)
        return mid, data.address.split("\n")[-1], pdf, facts
    assert contact is not None
    attachments = []
    if catalogue.info(name).statement:
        statement = render_data(job.memo.source(conn, "statement", data.lang, settings), data)
        from recoup.letters.pdf import render_letter  # reportlab: only for a PDF

        pdf = render_letter(data, statement.subject, statement.marked)
        attachments.append(
            Attachment(
                f"statement-{data.customer_key}-{on.isoformat()}.pdf", "application/pdf", pdf
            )
        )
    content = build_email(
        rendered,
        sender=sender,
        sender_name=settings.business_name,
        to=contact["email"],
        to_name=contact["name"],
        message_id=mid,
        date=job.at,
        language=data.lang,
        reply_to=settings.reply_to or settings.business_email or None,
        attachments=attachments,
        headers=[
            ("X-Recoup-Action", str(row["action_id"])),
            # what the message asks for, for the receiving side's own matching
            ("X-Recoup-Invoices", ", ".join(i.number for i in data.items)),
            ("X-Recoup-Amount", f"{data.total.amount} {data.currency}"),
        ],
    )
    return mid, contact["email"], content, facts


def _set_up_gaps(conn: Connection, job: _Job, name: str, lang: str, channel: str) -> _Wait | None:
    """Why the message must wait for the set-up, or None: a template the tone check
    flags that no owner signed off (in this exact version), a business detail the
    template prints that is not set, no sender address."""
    statement = channel == "email" and catalogue.info(name).statement
    names = [name, "statement"] if statement else [name]
    for each in names:
        found = job.memo.gate(conn, each, lang, job)
        broken = [f for f in found.findings if f.kind == tone.TEMPLATE]
        if broken:  # no sign-off can make it render: the message fails (`_build`'s caller)
            raise TemplateProblem(
                f"template {each} ({lang}, {found.origin}) line {broken[0].line}: "
                f"{broken[0].reason}"
            )
        if found.held:
            return _Wait(f"{doctor.WAIT_PREFIX}: {found.reason()}")
    details = business(job.settings)
    missing = list(
        missing_details(
            job.memo.source(conn, name, lang, job.settings),
            details,
            letter=channel == "letter" or statement,
        )
    )
    if statement:
        missing += missing_details(
            job.memo.source(conn, "statement", lang, job.settings), details, letter=True
        )
    if channel == "email":
        sender = missing_sender(job.settings)
        missing += [sender] if sender else []
    if missing:
        return _Wait(doctor.wait_reason(list(dict.fromkeys(missing))))
    return None


def _deliver(ready: _Ready, transport: Transport, settings: Settings, folder: Path) -> None:
    if ready.channel == "letter":
        write_atomically(folder / "letters" / file_name(ready.message_id, ".pdf"), ready.content)
        return
    transport.send(sender_address(settings), ready.recipient, ready.content, ready.message_id)


def _sent(conn: Connection, ready: _Ready, at: datetime) -> None:
    messages_repo.set_outbox(
        conn, ready.outbox_id, state="sent", sent_at=at, last_error=None, wait_reason=None,
        lease_owner=None, lease_until=None,
    )  # fmt: skip
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


def _failed_attempt(conn: Connection, ready: _Ready, err: DeliveryError, job: _Job) -> None:
    permanent = err.permanent or (
        not err.connection and ready.attempts >= job.settings.dispatch_max_attempts
    )
    if permanent:
        row = messages_repo.outbox_row(conn, ready.outbox_id)
        assert row is not None
        _fail(conn, row, err.reason, ready.on)
        job.result.failed += 1
        return
    wait = timedelta(minutes=job.settings.dispatch_retry_minutes) * (
        2 ** max(0, ready.attempts - 1)
    )
    messages_repo.set_outbox(
        conn, ready.outbox_id, state="pending", last_error=err.reason,
        next_attempt_at=job.at + min(wait, MAX_BACKOFF), lease_owner=None, lease_until=None,
    )  # fmt: skip


def _fail(conn: Connection, row: dict[str, Any], reason: str, on: date) -> None:
    messages_repo.set_outbox(
        conn, row["id"], state="failed", last_error=reason, wait_reason=None,
        lease_owner=None, lease_until=None,
    )  # fmt: skip
    history.record(
        conn,
        row["customer_id"],
        "message_failed",
        f"{row['channel'].capitalize()} {row['template']} ({row['stage']}) not delivered: {reason}",
        actor=ACTOR,
        on=on,
        data={"outbox": row["id"], "action": row["action_id"], "reason": reason, "state": "failed"},
    )


def _waiting_json(row: dict[str, Any]) -> dict[str, Any]:
    until = row["next_attempt_at"]
    return {
        "outbox": row["id"],
        "customer": row["customer"],
        "channel": row["channel"],
        "template": row["template"],
        "state": row["state"],
        "until": _aware(until).isoformat() if until is not None else None,
        "reason": row["wait_reason"] or row["last_error"] or "not reached yet",
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
