"""`recoup doctor`: every gap in a book's set-up that stops or spoils what reaches a
debtor, each with how to fix it in plain words.

It checks the business details the templates in use print (name, address, phone, bank
details ...), the sender address of emails, the mail server (when RECOUP_SMTP_URL is
set: a connection, EHLO and NOOP with a short timeout), that every template in use
renders and passes the tone check, that the collection plan in force reads and names
templates that exist, and the messages waiting in the outbox for one of these. The
dashboard's "Set-up checklist" shows the same report.

"Templates in use": the e-mail and letter templates of the plan's stages, the case-work
notices (promise and plan confirmations, instalment reminders, settlement offers,
dispute acknowledgements, the broken-promise follow-up) and the statement of account
that firm reminders carry, in the languages the book's customers read (every language
Recoup ships while the book has no customers).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.policy import Policy
from recoup.messages import catalogue, tone
from recoup.messages.context import sample
from recoup.messages.labels import LANGUAGES, language_of
from recoup.messages.render import TemplateProblem, missing_details
from recoup.messages.transport import SmtpSettings
from recoup.services import template_gate
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework.notices import WORDS as NOTICES
from recoup.services.policy import StoredPolicyError, active_policy
from recoup.services.templates import (
    business,
    lint_context,
    missing_sender,
    outbox_folder,
    render_data,
    template_source,
)
from recoup.settings import Settings
from recoup.store import setup_repo

SMTP_TIMEOUT = 5.0  # seconds: the longest the mail server check waits
WAIT_PREFIX = "waits for the set-up"  # how an outbox wait reason caused by a gap begins


@dataclass(frozen=True)
class Gap:
    kind: str  # business | sender | smtp | template | tone | policy | outbox
    setting: str | None  # the environment variable that fixes it, when one does
    what: str  # what is wrong, in words
    fix: str  # how to fix it, in words

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "setting": self.setting, "what": self.what, "fix": self.fix}


@dataclass
class Report:
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a gap
    templates: list[str] = field(default_factory=list)  # the templates in use, checked
    languages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.gaps

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "gaps": [g.to_json() for g in self.gaps],
            "notes": self.notes,
            "templates": self.templates,
            "languages": self.languages,
        }


@dataclass(frozen=True)
class Detail:
    words: str  # what it is, as the owner would say it
    example: str  # a value to show the form


DETAILS: dict[str, Detail] = {
    "RECOUP_BUSINESS_NAME": Detail(
        "your business's name (the sender's name, the letterhead, the sign-off)",
        "Acme Joinery Ltd",
    ),
    "RECOUP_BUSINESS_ADDRESS": Detail(
        "your postal address (the letterhead and the return address on letters; "
        "lines separated by |)",
        "12 High Street|Leeds LS1 1AA|United Kingdom",
    ),
    "RECOUP_BUSINESS_PHONE": Detail("the phone number debtors can call", "+44 113 496 0000"),
    "RECOUP_BUSINESS_EMAIL": Detail(
        "the email address debtors can write to", "accounts@acme.example"
    ),
    "RECOUP_BUSINESS_WEBSITE": Detail("your website", "https://acme.example"),
    "RECOUP_BUSINESS_BANK": Detail(
        "your bank details for payment by transfer",
        "IBAN GB33 BUKB 2020 1555 5555 55 · BIC BUKBGB22",
    ),
    "RECOUP_PAYMENT_LINK": Detail("the web page where debtors can pay", "https://pay.acme.example"),
    "RECOUP_MAIL_FROM": Detail(
        "the address emails are sent from (RECOUP_BUSINESS_EMAIL also serves, when set)",
        "accounts@acme.example",
    ),
}


def how_to_set(setting: str) -> str:
    """How to set one setting, in words a newcomer follows."""
    detail = DETAILS.get(setting)
    example = f"{setting}='{detail.example}'" if detail else f"{setting}=..."
    return (
        f"Set {setting} in the environment Recoup runs in, e.g. `export {example}` "
        "before `recoup run`, `recoup dispatch` or `recoup serve` (restart a running "
        "`recoup serve`)."
    )


def wait_reason(missing: Sequence[str]) -> str:
    """The outbox's wait reason for a message held by unset settings (those of
    `missing_details` and `missing_sender`); `recoup doctor` counts these."""
    parts = [f"{DETAILS[s].words.split(' (')[0]} ({s})" if s in DETAILS else s for s in missing]
    return f"{WAIT_PREFIX}: not set: {'; '.join(parts)}. `recoup doctor` says how to set it."


def check(
    book: Book,
    settings: Settings,
    *,
    probe: Callable[[Settings], Gap | None] | None = None,
) -> Report:
    """Every gap in the set-up (see the module's docstring). `probe` checks the mail
    server (default `smtp_gap`; the dashboard passes a cached one)."""
    report = Report()
    policy = _policy(book, report)
    with book.read() as conn:
        stored = [language_of(x) for x in setup_repo.customer_languages(conn)]
        report.languages = sorted(set(stored)) if stored else list(LANGUAGES)
        names = _templates_in_use(policy)
        report.templates = names
        sources: dict[tuple[str, str], str] = {}
        for name in names:
            for lang in report.languages:
                try:
                    sources[(name, lang)] = template_source(conn, name, lang, settings)[0]
                except NotFoundError:
                    if lang == report.languages[0]:
                        report.gaps.append(_no_such_template(policy, name))
                    break
        waiting = setup_repo.waiting_by_reason(conn)
        template_gaps = _template_gaps(conn, sources, policy, settings)
    report.gaps.extend(_business_gaps(sources, settings))
    sender = missing_sender(settings)
    if sender is not None:
        report.gaps.append(
            Gap(
                "sender",
                sender,
                "No sender address is set, so emails would go out from a made-up address "
                "(recoup@recoup.invalid) that mail servers reject and debtors cannot answer.",
                how_to_set(sender) + " Use an address of your own domain that your mail "
                "server may send from.",
            )
        )
    if settings.smtp_url:
        found = (probe or smtp_gap)(settings)
        if found is not None:
            report.gaps.append(found)
    else:
        report.notes.append(
            "RECOUP_SMTP_URL is not set: emails are written as .eml files to "
            f"{outbox_folder(settings, book)} instead of being sent (fine for trying Recoup; "
            "set it to your mail server, e.g. smtp://USER:PASSWORD@mail.example.com:587"
            "?starttls=1, to send them)."
        )
    report.gaps.extend(template_gaps)
    report.gaps.extend(_outbox_gaps(waiting))
    return report


def _policy(book: Book, report: Report) -> Policy | None:
    try:
        return active_policy(book)[1]
    except StoredPolicyError as err:
        report.gaps.append(
            Gap(
                "policy",
                None,
                f"The collection plan in force (version {err.version}) cannot be read: "
                + "; ".join(str(p) for p in err.problems),
                "Correct the plan file (`recoup policy check FILE` lists each problem with "
                "its line), then make it the plan in force with `recoup policy use FILE`.",
            )
        )
        return None


def _templates_in_use(policy: Policy | None) -> list[str]:
    names: list[str] = []
    for stage in policy.stages if policy is not None else ():
        names.extend(x for x in (stage.actions.email, stage.actions.letter) if x)
    names.extend(NOTICES)
    if any(catalogue.info(n).statement for n in names):
        names.append("statement")
    return list(dict.fromkeys(names))


def _no_such_template(policy: Policy | None, name: str) -> Gap:
    stages = [
        s.name
        for s in (policy.stages if policy is not None else ())
        if name in (s.actions.email, s.actions.letter)
    ]
    used_by = f"the plan's stage {', '.join(repr(s) for s in stages)}" if stages else "Recoup"
    return Gap(
        "policy",
        None,
        f"{used_by} sends the template {name!r}, which does not exist.",
        f"Save a template of that name (`recoup template save {name} FILE`), put "
        f"`en/{name}.txt` in your RECOUP_TEMPLATES_DIR folder, or change the plan to name "
        "a template that exists (`recoup template list`).",
    )


def _business_gaps(sources: dict[tuple[str, str], str], settings: Settings) -> list[Gap]:
    who = business(settings)
    users: dict[str, set[str]] = {}
    for (name, _lang), source in sources.items():
        info = catalogue.info(name)
        try:
            missing = missing_details(source, who, letter=info.letter or info.statement)
        except TemplateProblem:
            continue  # reported as a template that does not render
        for setting in missing:
            users.setdefault(setting, set()).add(name)
    gaps = []
    for setting in sorted(users, key=_setting_order):
        names = sorted(users[setting])
        words = DETAILS[setting].words if setting in DETAILS else setting
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        gaps.append(
            Gap(
                "business",
                setting,
                f"Not set: {words}. {len(names)} template"
                f"{'s' if len(names) != 1 else ''} in use need{'' if len(names) != 1 else 's'}"
                f" it ({shown}); their messages wait rather than go out with a blank.",
                how_to_set(setting),
            )
        )
    return gaps


def _setting_order(setting: str) -> int:
    order = list(DETAILS)
    return order.index(setting) if setting in order else len(order)


def _template_gaps(
    conn: Connection,
    sources: dict[tuple[str, str], str],
    policy: Policy | None,
    settings: Settings,
) -> list[Gap]:
    """Templates in use that do not render with the sample account, and those the tone
    gate holds (findings no owner signed off: services/template_gate.py)."""
    if policy is None:
        from recoup.policy import default_policy

        policy = default_policy()
    gaps = []
    for (name, lang), source in sources.items():
        problem, findings = _checked(source, name, lang, policy)
        if problem is not None:
            gaps.append(
                Gap(
                    "template",
                    None,
                    f"The template {name!r} ({lang}) does not render: {problem}.",
                    f"Correct it: `recoup template preview {name} --language {lang}` shows "
                    "the problem, `recoup template save` keeps the corrected text.",
                )
            )
            continue
        if not findings:
            continue
        gate = template_gate.gate(conn, name, lang, policy, settings)
        if not gate.held:
            continue  # an owner signed off this very text
        shown = "; ".join(f"line {f.line}: {f.reason}" for f in gate.findings[:3])
        more = f" (and {len(gate.findings) - 3} more)" if len(gate.findings) > 3 else ""
        gaps.append(
            Gap(
                "tone",
                None,
                f"The template {name!r} ({lang}, {gate.origin}) fails the tone check: "
                f"{shown}{more}. Its messages are held.",
                "Reword it so that it reads calm and true (`recoup template lint FILE` "
                f"lists each finding) and save it (`recoup template save {name} FILE "
                f"--language {lang}`); or, if you stand by every word, sign this version "
                f"off: `recoup template approve {name} --language {lang}`.",
            )
        )
    return gaps


@lru_cache(maxsize=512)
def _checked(
    source: str, name: str, lang: str, policy: Policy
) -> tuple[str | None, tuple[tone.Finding, ...]]:
    """Whether a template renders with the sample account, and the tone check's
    findings, as the template gate checks them (remembered: both depend on the text and
    the plan alone; the gate itself, with the sign-offs, is asked only when there are
    findings)."""
    try:
        render_data(source, sample(lang))
    except TemplateProblem as err:
        return str(err), ()
    return None, tuple(tone.lint(source, lint_context(policy, name, language=lang)))


def _outbox_gaps(waiting: list[tuple[str, int]]) -> list[Gap]:
    gaps = []
    for reason, count in waiting:
        if not (reason.startswith(WAIT_PREFIX) or "RECOUP_" in reason):
            continue  # waiting for the contact rules, a retry ...: not the set-up
        settings = [w.strip("();.,:`") for w in reason.split() if w.startswith("(RECOUP_")]
        gaps.append(
            Gap(
                "outbox",
                ", ".join(settings) or None,
                f"{count} message{'s' if count != 1 else ''} wait{'s' if count == 1 else ''} "
                f"in the outbox: {reason}",
                "Fix the gaps above; the next `recoup dispatch` (or `recoup run`) sends "
                f"{'them' if count != 1 else 'it'}.",
            )
        )
    return gaps


# --- the mail server -------------------------------------------------------------------


def smtp_gap(settings: Settings, timeout: float = SMTP_TIMEOUT) -> Gap | None:
    """None when the server of RECOUP_SMTP_URL answers (connect, TLS, EHLO, login, NOOP
    within `timeout` seconds); else what went wrong."""
    url = settings.smtp_url or ""
    try:
        s = SmtpSettings.from_url(url)
    except ValueError as err:
        return Gap(
            "smtp",
            "RECOUP_SMTP_URL",
            f"RECOUP_SMTP_URL cannot be read: {err}.",
            "Write it as smtp://HOST:PORT, smtp://USER:PASSWORD@HOST:587?starttls=1 or "
            "smtps://USER:PASSWORD@HOST:465 (your mail provider gives host, port and login).",
        )
    wait = min(timeout, s.timeout)
    where = f"{s.host}:{s.port}"
    try:
        conn: smtplib.SMTP
        if s.tls:
            conn = smtplib.SMTP_SSL(
                s.host, s.port, timeout=wait, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=wait)
        try:
            conn.ehlo()
            if s.starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password or "")
            code, text = conn.noop()
            if code != 250:
                raise smtplib.SMTPResponseException(code, text)
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
    except smtplib.SMTPAuthenticationError as err:
        return Gap(
            "smtp",
            "RECOUP_SMTP_URL",
            f"The mail server {where} refused the login: {err.smtp_code}.",
            "Check the user name and password in RECOUP_SMTP_URL "
            "(smtp://USER:PASSWORD@HOST:PORT; write @ in them as %40).",
        )
    except (OSError, smtplib.SMTPException) as err:
        return Gap(
            "smtp",
            "RECOUP_SMTP_URL",
            f"Recoup cannot reach the mail server {where}: {err or type(err).__name__}. "
            "Emails wait in the outbox until it answers.",
            "Check the host and port in RECOUP_SMTP_URL, that the server is running and "
            "that this machine may connect to it (a firewall, a VPN); your mail provider's "
            "set-up page gives the values.",
        )
    return None
