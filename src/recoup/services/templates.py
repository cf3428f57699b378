"""Message templates: which text is in force, the data a message needs from the ledger,
preview with a real account, the tone check, saving an edited template, a test send.

A template's text comes from, in this order: the store (saved in the web UI or with
`recoup template save`), the folder `templates_dir` (`<lang>/<name>.txt`), the
built-in file. Rendering always happens in the sandbox (`recoup.messages.render`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Connection

from recoup.clock import local_today
from recoup.clock import now as clock_now
from recoup.domain.account_state import ChargeKind
from recoup.domain.money import Money
from recoup.domain.policy import Policy, Step, Tone
from recoup.messages import catalogue, tone
from recoup.messages.context import (
    Business,
    Earlier,
    Item,
    MessageData,
    PaymentItem,
    sample,
    table_html,
    table_text,
    template_context,
)
from recoup.messages.labels import LANGUAGES, language_of
from recoup.messages.mime import Attachment, build_email
from recoup.messages.render import Rendered, TemplateProblem, missing_details, render
from recoup.messages.transport import transport_for
from recoup.services import account_state
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.policy import active_policy
from recoup.settings import Settings
from recoup.store import delivered_repo, ledger_repo, messages_repo

__all__ = [
    "Finding",
    "Preview",
    "TemplateProblem",
    "TemplateRefusedError",
    "lint_file",
    "lint_source",
    "list_templates",
    "preview",
    "save_template",
    "send_test",
    "template_source",
]

Finding = tone.Finding
CONSUMER_TAG = "consumer"


class TemplateRefusedError(ValueError):
    def __init__(self, findings: list[tone.Finding]) -> None:
        super().__init__("; ".join(f"line {f.line}: {f.reason}" for f in findings))
        self.findings = findings


# --- which text is in force -----------------------------------------------------------


def template_source(
    conn: Connection, name: str, language: str, settings: Settings | None = None
) -> tuple[str, str]:
    """(text, origin) where origin is "edited", "folder" or "built-in"."""
    row = messages_repo.get_template(conn, name, language)
    if row is not None:
        return row["source"], "edited"
    if settings is not None and settings.templates_dir:
        path = Path(settings.templates_dir) / language / f"{name}.txt"
        if path.is_file() and "/" not in name:
            return path.read_text(encoding="utf-8"), "folder"
    text = catalogue.builtin_source(name, language)
    if text is None:
        if language != "en":
            return template_source(conn, name, "en", settings)
        raise NotFoundError(f"no template {name!r}")
    return text, "built-in"


@dataclass(frozen=True)
class TemplateRow:
    name: str
    purpose: str
    letter: bool
    origins: dict[str, str]  # language -> edited | folder | built-in
    findings: int  # tone findings over all languages, with the sample account

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "purpose": self.purpose,
            "channel": "letter" if self.letter else "email",
            "languages": self.origins,
            "findings": self.findings,
        }


def list_templates(book: Book, settings: Settings | None = None) -> list[TemplateRow]:
    _version, policy = active_policy(book)
    with book.read() as conn:
        stored = {r["name"] for r in messages_repo.list_templates(conn)}
        names = [t.name for t in catalogue.TEMPLATES] + sorted(stored - set(catalogue.BY_NAME))
        rows = []
        for name in names:
            origins: dict[str, str] = {}
            count = 0
            for lang in LANGUAGES:
                try:
                    text, origin = template_source(conn, name, lang, settings)
                except NotFoundError:
                    continue
                origins[lang] = origin
                count += len(tone.lint(text, lint_context(policy, name, language=lang)))
            info = catalogue.info(name)
            rows.append(TemplateRow(name, info.purpose, info.letter, origins, count))
    return rows


# --- the tone check with the plan ----------------------------------------------------


def stage_for(policy: Policy, template: str) -> tuple[str | None, str]:
    """The stage that sends a template, and its tone ("event" when none does)."""
    for stage in policy.stages:
        if template in (stage.actions.email, stage.actions.letter):
            return stage.name, str(stage.tone)
    return None, tone.EVENT


def lint_context(
    policy: Policy,
    template: str,
    *,
    stage: str | None = None,
    language: str | None = None,
    data: MessageData | None = None,
    regulation_f: bool = False,
) -> tone.LintContext:
    if stage is not None:
        try:
            found = policy.stage(stage)
        except KeyError:
            raise NotFoundError(
                f"no stage {stage!r} in the plan; stages: "
                + ", ".join(s.name for s in policy.stages)
            ) from None
        stage_name: str | None = found.name
        stage_tone = str(found.tone)
    else:
        stage_name, stage_tone = stage_for(policy, template)
    steps = {rule.step for rule in policy.escalation.recommend}
    return tone.LintContext(
        tone=stage_tone,
        stage=stage_name,
        legal_scheduled=Step.LEGAL in steps and stage_tone == str(Tone.FINAL),
        agency_scheduled=Step.AGENCY in steps and stage_tone == str(Tone.FINAL),
        regulation_f=regulation_f,
        email=not catalogue.info(template).letter,
        data=data,
        language=language,
    )


def lint_source(
    book: Book | None,
    source: str,
    template: str,
    *,
    stage: str | None = None,
    customer: str | None = None,
    as_of: date | None = None,
    language: str | None = None,
    regulation_f: bool = False,
    settings: Settings | None = None,
) -> list[tone.Finding]:
    """The tone check of a template text, with the plan in force (the built-in one
    without a book) and, given a customer, that account's figures."""
    if book is None:
        from recoup.policy import default_policy

        policy = default_policy()
    else:
        _version, policy = active_policy(book)
    data = None
    if customer is not None:
        if book is None:
            raise ValueError("checking against an account needs a book")
        data = account_message_data(
            book, customer, as_of or local_today(), settings or Settings(), language
        )
        regulation_f = regulation_f or data.regulation_f
        language = data.lang
    ctx = lint_context(
        policy, template, stage=stage, language=language, data=data, regulation_f=regulation_f
    )
    return tone.lint(source, ctx)


def lint_file(
    path: Path,
    book: Book | None = None,
    *,
    stage: str | None = None,
    customer: str | None = None,
    as_of: date | None = None,
    regulation_f: bool = False,
    settings: Settings | None = None,
) -> list[tone.Finding]:
    """`recoup template lint FILE`: the name and language come from the file's name and
    folder (`de/overdue-firm.txt`); a language folder is optional."""
    text = path.read_text(encoding="utf-8")
    folder = path.parent.name
    language = folder if folder in LANGUAGES else None
    return lint_source(
        book,
        text,
        path.stem,
        stage=stage,
        customer=customer,
        as_of=as_of,
        language=language,
        regulation_f=regulation_f,
        settings=settings,
    )


# --- the data a message needs ---------------------------------------------------------


def business(settings: Settings) -> Business:
    return Business(
        name=settings.business_name,
        address=settings.business_address.replace("|", "\n"),
        phone=settings.business_phone,
        email=settings.business_email,
        website=settings.business_website,
        bank=settings.business_bank,
        signature=settings.business_signature,
        payment_link=settings.payment_link,
        country=settings.business_country,
    )


def local_day(at: datetime, timezone: str) -> date:
    try:
        return at.astimezone(ZoneInfo(timezone or "UTC")).date()
    except (ZoneInfoNotFoundError, ValueError):
        return at.date()


def contact_for(contacts: list[dict[str, Any]], channel: str) -> dict[str, Any] | None:
    """The contact to write to: one preferring the channel, else the first that has it."""
    field = "email" if channel == "email" else "address"
    usable = [c for c in contacts if c[field]]
    preferred = [c for c in usable if c["preferred_channel"] == channel]
    found = preferred or usable
    return found[0] if found else None


def postal_address(customer: dict[str, Any], contact: dict[str, Any] | None) -> str:
    lines = [customer["name"]]
    if contact is not None:
        if contact["name"] and contact["name"] != customer["name"]:
            lines.append(contact["name"])
        lines.extend(
            x.strip() for x in contact["address"].replace("|", "\n").split("\n") if x.strip()
        )
    return "\n".join(lines)


def message_data(
    conn: Connection,
    customer_id: int,
    currency: str,
    as_of: date,
    settings: Settings,
    *,
    numbers: list[str] | None = None,
    channel: str = "email",
    cycle_start: date | None = None,
    language: str | None = None,
    extras: dict[str, Any] | None = None,
    stage: str | None = None,
) -> tuple[MessageData, dict[str, Any] | None]:
    """A message's data from the ledger, and the contact it goes to (None: nobody).

    `earlier` holds the messages of the cycle (`cycle_start`; None: the case's current
    one) delivered to the customer before `as_of`, as the history recorded them: what a
    template may say about earlier reminders. Given the message's `stage`, the other
    messages of that stage (a final notice's email and letter) are not "earlier"."""
    cust = messages_repo.customer(conn, customer_id)
    people = messages_repo.contacts_of(conn, customer_id)
    contact = contact_for(people, channel)
    rows = messages_repo.open_invoices(conn, customer_id, currency, numbers, as_of=as_of)
    items = tuple(
        Item(
            r["number"],
            r["issue_date"],
            r["due_date"],
            Money(r["amount_minor"], currency),
            Money(r["amount_minor"] - r["paid_minor"], currency),
        )
        for r in rows
    )
    # the fees, compensation and interest still owed: charged by `as_of` and not paid
    # (the account's state, `services.account_state`)
    owed = account_state.open_charges(conn, customer_id, currency, as_of)
    recent = as_of - timedelta(days=90)
    payments = tuple(
        PaymentItem(
            p["date"],
            Money(p["amount_minor"], p["currency"]),
            p["invoice_number"] or p["reference"],
        )
        for p in ledger_repo.payments_of(conn, customer_id)
        if p["currency"] == currency and recent <= p["date"] <= as_of
    )
    tags = [t for t in cust["tags"].split(",") if t]
    data = MessageData(
        language=language or cust["language"],
        country=cust["country"],
        customer_key=cust["key"],
        customer_name=cust["name"],
        contact_name=(contact or {}).get("name") or cust["name"],
        contact_email=(contact or {}).get("email", ""),
        address=postal_address(cust, contact_for(people, "letter")),
        currency=currency,
        items=items,
        as_of=as_of,
        business=business(settings),
        interest=owed[ChargeKind.INTEREST],
        fees=owed[ChargeKind.FEE] + owed[ChargeKind.COMPENSATION],
        payments=payments,
        timezone=cust["timezone"],
        regulation_f=settings.third_party_collector
        and CONSUMER_TAG in tags
        and cust["country"].upper() == "US",
        extras=extras or {},
        earlier=tuple(
            Earlier(day, how, reminder)
            for day, how, reminder in delivered_repo.delivered_in_cycle(
                conn, customer_id, currency, cycle_start, as_of, besides_stage=stage
            )
        ),
    )
    return data, contact


def account_message_data(
    book: Book, customer_key: str, as_of: date, settings: Settings, language: str | None = None
) -> MessageData:
    with book.read() as conn:
        cid = messages_repo.customer_id_by_key(conn, customer_key)
        if cid is None:
            raise NotFoundError(f"no customer {customer_key!r}")
        currency = messages_repo.main_currency(conn, cid) or "EUR"
        data, _contact = message_data(conn, cid, currency, as_of, settings, language=language)
    # the event templates (promise, plan, ...) preview with the sample's event figures,
    # scaled to nothing: the account itself has none until case work records one
    return replace(data, extras=_event_extras(data))


def _event_extras(data: MessageData) -> dict[str, Any]:
    s = sample(data.lang, data.as_of)
    total = data.total
    cur = data.currency
    third = Money(total.minor // 3, cur)
    first = Money(total.minor - 2 * third.minor, cur)
    settle = Money(total.minor * 3 // 4, cur)
    d = data.as_of
    first_number = data.items[0].number if data.items else ""
    return {
        "promise": {"amount": total, "date": d + timedelta(days=10)},
        "plan": {
            "count": 3,
            "total": total,
            "installments": [
                {"number": 1, "due": d + timedelta(days=15), "amount": first},
                {"number": 2, "due": d + timedelta(days=45), "amount": third},
                {"number": 3, "due": d + timedelta(days=75), "amount": third},
            ],
        },
        "installment": {
            "number": 2,
            "due": d + timedelta(days=45),
            "amount": third,
            "remaining": 1,
        },
        "settlement": {
            "amount": settle,
            "deadline": d + timedelta(days=14),
            "waived": Money(total.minor - settle.minor, cur),
        },
        "dispute": {
            "invoice": first_number,
            "received": d,
            "reason": str(s.extras["dispute"]["reason"]),
        },
    }


# --- preview, save, test send ---------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    name: str
    language: str
    origin: str
    source: str
    rendered: Rendered | None
    problem: str | None  # the template does not render
    findings: list[tone.Finding]
    data: MessageData

    def to_json(self) -> dict[str, Any]:
        r = self.rendered
        return {
            "name": self.name,
            "language": self.language,
            "origin": self.origin,
            "customer": self.data.customer_key,
            "subject": r.subject if r else None,
            "text": r.text if r else None,
            "html": r.html if r else None,
            "problem": self.problem,
            "findings": [{"line": f.line, "reason": f.reason} for f in self.findings],
        }


def render_data(source: str, data: MessageData) -> Rendered:
    return render(source, template_context(data), table_text(data), table_html(data))


def preview(
    book: Book,
    name: str,
    *,
    customer: str | None,
    as_of: date,
    settings: Settings,
    language: str | None = None,
    source: str | None = None,
) -> Preview:
    """A template rendered with a real account's data (or the sample account), and
    the tone check of it against that account's figures."""
    if customer:
        data = account_message_data(book, customer, as_of, settings, language)
    else:
        data = sample(language_of(language), as_of)
    lang = data.lang
    with book.read() as conn:
        text, origin = template_source(conn, name, lang, settings)
    if source is not None:
        text, origin = source, "draft"
    _version, policy = active_policy(book)
    findings = tone.lint(
        text,
        lint_context(policy, name, language=lang, data=data, regulation_f=data.regulation_f),
    )
    try:
        rendered, problem = render_data(text, data), None
    except TemplateProblem as err:
        rendered, problem = None, str(err)
    return Preview(name, lang, origin, text, rendered, problem, findings, data)


def save_template(
    book: Book, name: str, language: str, source: str, *, user: str, at: datetime | None = None
) -> list[tone.Finding]:
    """Keep an edited template, if it renders and passes the tone check; the findings
    otherwise (nothing is saved then)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    if not name or not all(ch.isalnum() or ch in "-_" for ch in name):
        raise ValueError("a template name is letters, digits, - and _")
    _version, policy = active_policy(book)
    findings = tone.lint(source, lint_context(policy, name, language=language))
    if findings:
        raise TemplateRefusedError(findings)
    with book.write() as conn:
        messages_repo.save_template(conn, name, language, source, at or clock_now(), user)
    return findings


def reset_template(book: Book, name: str, language: str) -> bool:
    with book.write() as conn:
        return messages_repo.delete_template(conn, name, language)


def send_test(
    book: Book,
    name: str,
    *,
    to: str,
    settings: Settings,
    customer: str | None = None,
    language: str | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
    folder: Path | None = None,
) -> str:
    """Send a template, rendered with an account's data, to `to` (oneself), marked as a
    test. Returns the Message-ID. Nothing is recorded in the account's history."""
    if "@" not in to:
        raise ValueError("a test goes to an email address")
    at = now or clock_now()
    shown = preview(
        book,
        name,
        customer=customer,
        as_of=as_of or at.date(),
        settings=settings,
        language=language,
    )
    if shown.rendered is None:
        raise TemplateProblem(shown.problem or "the template does not render")
    unset = missing_details(shown.source, business(settings), letter=catalogue.info(name).letter)
    no_sender = missing_sender(settings)
    if unset or no_sender:
        raise ValueError(
            f"not sent: set {', '.join([*unset, *([no_sender] if no_sender else [])])} first "
            "(`recoup doctor` says how); until then this template's messages wait"
        )
    r = shown.rendered
    test = Rendered("[TEST] " + r.subject, r.text, r.html, r.marked)
    sender = sender_address(settings)
    mid = f"<recoup.test-{uuid.uuid4().hex}@{sender.rpartition('@')[2] or 'recoup.invalid'}>"
    attachments = []
    if catalogue.info(name).letter:
        from recoup.letters.pdf import render_letter  # reportlab: only for a PDF

        pdf = render_letter(shown.data, r.subject, r.marked)
        attachments.append(Attachment(f"{name}.pdf", "application/pdf", pdf))
    content = build_email(
        test,
        sender=sender,
        sender_name=settings.business_name,
        to=to,
        to_name="",
        message_id=mid,
        date=at,
        language=shown.language,
        reply_to=settings.reply_to or settings.business_email or None,
        attachments=attachments,
        headers=[("X-Recoup-Test", "yes")],
    )
    transport = transport_for(settings.smtp_url, folder or outbox_folder(settings, book))
    try:
        transport.send(sender, to, content, mid)
    finally:
        transport.close()
    return mid


def sender_address(settings: Settings) -> str:
    return settings.mail_from or settings.business_email or "recoup@recoup.invalid"


def missing_sender(settings: Settings) -> str | None:
    """The setting to set, RECOUP_MAIL_FROM, when no sender address is set (neither it
    nor RECOUP_BUSINESS_EMAIL), else None. No email may go out then: `sender_address`
    would be the made-up recoup@recoup.invalid."""
    if (settings.mail_from or settings.business_email).strip():
        return None
    return "RECOUP_MAIL_FROM"


def outbox_folder(settings: Settings, book: Book) -> Path:
    """RECOUP_OUTBOX_DIR, else `outbox/` beside a SQLite book, else in the working dir."""
    if settings.outbox_dir:
        return Path(settings.outbox_dir)
    database = book.engine.url.database
    if book.is_sqlite and database and database != ":memory:":
        return Path(database).resolve().parent / "outbox"
    return Path.cwd() / "outbox"
