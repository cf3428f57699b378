"""Working a case on the account page: the history as a timeline (filtered by kind) and
the forms for every case action. Each form is validated on the server; a refused form
comes back with the errors beside its fields (status 422), an accepted one redirects
to the account (303) with the new entry at the top of the timeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from recoup.domain.casework.calls import OUTCOME_WORDS, Outcome
from recoup.domain.casework.disputes import REASON_WORDS as DISPUTE_WORDS
from recoup.domain.casework.disputes import Reason as DisputeReason
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.casework.writeoff import REASON_WORDS, WriteOffReason
from recoup.domain.words import count, term
from recoup.services import accounts, casefile, history
from recoup.services.accounts import Account
from recoup.services.book import Book
from recoup.services.casework import (
    agency,
    calls,
    disputes,
    plans,
    promises,
    settlements,
    writeoffs,
)
from recoup.services.history import Entry
from recoup.services.users import Role, User
from recoup.web.auth import Collector
from recoup.web.context import AsOf, BookDep
from recoup.web.errors import NotFound

router = APIRouter()

TIMELINE_ID = "timeline"
TIMELINE_ENTRIES_ID = "timeline-entries"  # what the filter swaps
# entries on the page, newest first; the filter and the case file reach the rest
TIMELINE_LIMIT = 100

# The filter's groups: (value in the address, label, the history kinds it shows).
GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("contacts", "Contacts", frozenset({"email", "letter", "message_sent", "message_failed",
                                        "message_withdrawn", "call", "visit", "note"})),
    ("promises", "Promises & plans", frozenset({"promise", "promise_kept", "promise_broken",
                                                "plan", "plan_installment", "plan_default",
                                                "plan_completed"})),
    ("settlements", "Settlements", frozenset({"settlement_offer", "settlement_approved",
                                              "settlement_accepted", "settlement_paid"})),
    ("disputes", "Disputes & holds", frozenset({"dispute", "dispute_resolved",
                                                  "credit_requested", "hold"})),
    ("money", "Money", frozenset({"import", "payment", "fee", "interest"})),
    ("plan", "Collection plan", frozenset({"stage", "escalate", "write_off_recommendation",
                                           "override"})),
    ("handoff", "Agency & write-off", frozenset({"handoff", "agency_recovery", "recall",
                                                 "write_off", "write_off_reversed"})),
    ("corrections", "Corrections", frozenset({"correction"})),
)  # fmt: skip
GROUP_OF = {kind: name for name, _label, kinds in GROUPS for kind in kinds}
PREFIXES = (("promise", "promises"), ("plan", "promises"), ("settlement", "settlements"),
            ("dispute", "disputes"), ("write_off", "handoff"), ("agency", "handoff"))  # fmt: skip


def group_of(kind: str) -> str:
    """The filter group of a history kind (kinds added later go by their prefix)."""
    if kind in GROUP_OF:
        return GROUP_OF[kind]
    return next((g for prefix, g in PREFIXES if kind.startswith(prefix)), "corrections")


@dataclass(frozen=True)
class TimelineItem:
    entry: Entry
    group: str

    @property
    def on(self) -> date:
        return date.fromisoformat(self.entry.on)

    @property
    def label(self) -> str:
        return term("entry", self.entry.kind)


@dataclass(frozen=True)
class Timeline:
    """An account's history, newest first, and the filter that chose what is shown."""

    key: str
    items: list[TimelineItem]
    total: int  # entries before filtering
    counts: dict[str, int]  # entries per group
    selected: frozenset[str]  # the groups shown; empty: all
    as_of: date | None  # only when given in the address
    matching: int = 0  # entries the filter lets through (items holds at most TIMELINE_LIMIT)
    groups: Sequence[tuple[str, str, frozenset[str]]] = field(default=GROUPS)

    def url(self, selected: frozenset[str] | None = None) -> str:
        chosen = self.selected if selected is None else selected
        params: list[tuple[str, str]] = [("show", g) for g, _l, _k in GROUPS if g in chosen]
        if self.as_of:
            params.append(("as_of", self.as_of.isoformat()))
        query = urlencode(params)
        path = f"/customers/{quote(self.key, safe='')}"
        return path + (f"?{query}" if query else "") + f"#{TIMELINE_ID}"

    @property
    def all_url(self) -> str:
        return self.url(frozenset())

    def is_shown(self, group: str) -> bool:
        return not self.selected or group in self.selected


def timeline(book: Book, key: str, show: Sequence[str], as_of: date | None) -> Timeline:
    """The timeline of customer `key`; `show` names groups (unknown names are ignored)."""
    known = {g for g, _l, _k in GROUPS}
    selected = frozenset(s for s in show if s in known)
    everything = history.entries(book, key)
    counts: dict[str, Any] = {g: 0 for g, _l, _k in GROUPS}
    for e in everything:
        counts[group_of(e.kind)] += 1
    shown = [e for e in everything if not selected or group_of(e.kind) in selected]
    items = [TimelineItem(e, group_of(e.kind)) for e in reversed(shown)]
    return Timeline(
        key, items[:TIMELINE_LIMIT], len(everything), counts, selected, as_of, len(items)
    )


def account_context(
    book: Book,
    key: str,
    acct: Account,
    as_of: date,
    as_of_given: bool,
    show: Sequence[str],
    user: User,
    *,
    failed: FormState | None = None,
    flash: str = "",
) -> dict[str, Any]:
    """What the account page adds for working the case: the timeline, the case file's
    download links, and for collectors the call script and the forms (`failed`: the
    form that was refused, with its values and errors)."""
    qs = f"?as_of={as_of.isoformat()}" if as_of_given else ""
    path = f"/customers/{quote(key, safe='')}"
    can_act = user.may(Role.COLLECTOR)
    return {
        "tl": timeline(book, key, show, as_of if as_of_given else None),
        "can_act": can_act,
        "casefile_pdf": f"{path}/casefile.pdf{qs}",
        "casefile_zip": f"{path}/casefile.zip{qs}",
        "case_forms": form_states(book, acct, failed) if can_act else {},
        "form_action": lambda name: f"{path}/case/{name}{qs}",
        "scripts": scripts(book, key, acct, as_of) if can_act else [],
        "helpers": settlement_helpers(book, key, acct, as_of) if can_act else [],
        "flash": flash,
    }


# --- the forms ------------------------------------------------------------------------

FLASH = "casework_flash"
MAX_TEXT = 2000


class FieldError(ValueError):
    """A value the form refuses, shown beside its field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | textarea | date | amount | int | percent | select
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for a select
    choices_from: str = ""  # or a list the account provides (currencies, invoices ...)
    help: str = ""
    low: int | None = None  # bounds of an int
    high: int | None = None
    group: str = ""  # a CSS class for fields shown together (the call's promise)
    default: str = ""


@dataclass(frozen=True)
class FormSpec:
    name: str  # the address: POST /customers/{key}/case/{name}
    title: str
    fields: tuple[Field, ...]
    submit: str
    intro: str = ""
    needs: str = ""  # shown only when the account has this list (e.g. "placed")


@dataclass
class FormState:
    """A form as shown: its spec, the values to show, the errors ("" key: the form's)."""

    spec: FormSpec
    choices: dict[str, tuple[tuple[str, str], ...]]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return bool(self.errors)

    @property
    def first_error(self) -> str | None:
        """The field to focus (the form's own error: ""), so the page opens on it."""
        if "" in self.errors:
            return ""
        return next((f.name for f in self.spec.fields if f.name in self.errors), None)

    def options(self, f: Field) -> tuple[tuple[str, str], ...]:
        return f.choices or self.choices.get(f.choices_from, ())

    def value(self, f: Field) -> str:
        return self.values.get(f.name, f.default)


def parse(spec: FormSpec, form: dict[str, str], choices: dict[str, Any]) -> dict[str, Any]:
    """The form's values, typed; FieldError for the first field it refuses (all of them
    are checked first: `errors` collects every one)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in spec.fields:
        raw = (form.get(f.name) or "").strip()
        if not raw:
            if f.required:
                errors[f.name] = f"{f.label} is required."
            out[f.name] = None
            continue
        try:
            out[f.name] = _typed(f, raw, choices)
        except FieldError as err:
            errors[f.name] = err.message
    if errors:
        raise FormError(errors)
    return out


class FormError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _typed(f: Field, raw: str, choices: dict[str, Any]) -> Any:
    if f.kind in ("text", "textarea"):
        if len(raw) > MAX_TEXT:
            raise FieldError(f.name, f"{f.label}: at most {MAX_TEXT} characters.")
        return raw
    if f.kind == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise FieldError(f.name, f"{f.label}: give a day as YYYY-MM-DD.") from None
    if f.kind in ("amount", "percent"):
        text_value = raw.replace(",", "") if raw.count(".") == 1 else raw
        try:
            value = Decimal(text_value)
        except InvalidOperation:
            raise FieldError(f.name, f"{f.label}: not a number ({raw}).") from None
        if not value.is_finite() or value <= 0:
            raise FieldError(f.name, f"{f.label}: give an amount above zero.")
        if f.kind == "percent" and value > 100:
            raise FieldError(f.name, f"{f.label}: at most 100 percent.")
        return value
    if f.kind == "int":
        try:
            number = int(raw)
        except ValueError:
            raise FieldError(f.name, f"{f.label}: give a whole number.") from None
        if (f.low is not None and number < f.low) or (f.high is not None and number > f.high):
            raise FieldError(f.name, f"{f.label}: between {f.low} and {f.high}.")
        return number
    if f.kind == "select":
        allowed = {v for v, _label in (f.choices or choices.get(f.choices_from, ()))}
        if raw not in allowed:
            raise FieldError(f.name, f"{f.label}: choose one of the list.")
        return raw
    raise AssertionError(f"unknown field kind {f.kind}")


OUTCOMES = tuple((o.value, OUTCOME_WORDS[o].capitalize()) for o in Outcome)
DISPUTE_REASONS = tuple((r.value, DISPUTE_WORDS[r].capitalize()) for r in DisputeReason)
RESOLUTIONS = (
    ("credit_note", "Credit note (part)"),
    ("upheld", "Upheld: credit the whole disputed part"),
    ("rejected", "Rejected: the invoice stands"),
)
WRITE_OFF_REASONS = tuple((r.value, REASON_WORDS[r].capitalize()) for r in WriteOffReason)

NOTE = FormSpec(
    "note",
    "Note",
    (Field("text", "Note", "textarea", required=True),),
    "Add note",
    "Anything worth keeping on file. A note is not a contact.",
)
CALL = FormSpec(
    "call",
    "Call or visit",
    (
        Field("kind", "Type", "select", True, (("call", "Call"), ("visit", "Visit"))),
        Field("outcome", "Outcome", "select", True, OUTCOMES),
        Field("notes", "What was said", "textarea"),
        Field("promise_amount", "Promised amount", "amount", group="if-promise",
              help="When the outcome is a promise: how much"),
        Field("promise_date", "Promised by", "date", group="if-promise",
              help="When the outcome is a promise: by which day"),
        Field("override_reason", "Override reason", "text",
              help="Only to go against a contact rule (logged)"),
    ),
    "Record",
)  # fmt: skip
PROMISE = FormSpec(
    "promise",
    "Promise to pay",
    (
        Field("amount", "Amount", "amount", required=True),
        Field("promised_on", "Pay by", "date", required=True),
        Field("currency", "Currency", "select", choices_from="currencies"),
    ),
    "Record promise",
    "Reminders pause while the promise holds; it is kept or broken from the payments.",
)
PLAN = FormSpec(
    "plan",
    "Payment plan",
    (
        Field("installments", "Installments", "int", required=True, low=1, high=120),
        Field("first", "First installment on", "date", required=True),
        Field("every", "Every (days)", "int", low=1, high=366, default="30"),
        Field("amount", "Amount (default: the whole balance)", "amount"),
        Field("rate", "Yearly interest (%)", "percent"),
        Field("fee", "Fee", "amount"),
        Field("currency", "Currency", "select", choices_from="currencies"),
    ),
    "Agree plan",
    "Installments add up exactly to the amount. Outside the plan's limits it waits for "
    "the owner's approval.",
)

SETTLEMENT = FormSpec(
    "settlement",
    "Settlement offer",
    (
        Field("amount", "Settle for", "amount", required=True),
        Field("deadline", "Paid by", "date", required=True),
        Field("currency", "Currency", "select", choices_from="currencies"),
    ),
    "Offer settlement",
    "Within the plan's authority the offer stands at once; below its floor it waits for "
    "the owner's approval.",
)
SETTLEMENT_ACCEPT = FormSpec(
    "settlement-accept",
    "Settlement accepted",
    (Field("settlement", "Offer", "select", required=True, choices_from="offered"),),
    "Customer accepted",
    "When the settled amount is paid, the rest is written off (reason: settlement).",
)
WRITE_OFF = FormSpec(
    "write-off",
    "Write-off request",
    (
        Field("reason", "Reason", "select", True, WRITE_OFF_REASONS),
        Field("amount", "Amount (default: the whole balance)", "amount"),
        Field("note", "Note", "textarea"),
        Field("currency", "Currency", "select", choices_from="currencies"),
    ),
    "Ask for write-off",
    "Within your authority it is done at once; beyond it, it waits for the owner's "
    "approval (Approvals page) and the balance stays as it is until then.",
)

DISPUTE = FormSpec(
    "dispute",
    "Dispute",
    (
        Field("invoice", "Invoice", "select", required=True, choices_from="open_invoices"),
        Field("reason", "Reason", "select", True, DISPUTE_REASONS),
        Field("amount", "Disputed amount (default: all that is open)", "amount"),
        Field("text", "What the customer says", "textarea"),
    ),
    "Open dispute",
    "Collection of the disputed part is held until the dispute is resolved.",
)
DISPUTE_RESOLVE = FormSpec(
    "dispute-resolve",
    "Resolve a dispute",
    (
        Field("dispute", "Dispute", "select", required=True, choices_from="open_disputes"),
        Field("resolution", "Resolution", "select", True, RESOLUTIONS),
        Field("credit", "Credit note amount (for a credit note)", "amount"),
        Field("note", "Note", "textarea"),
    ),
    "Resolve",
    "A credit note beyond your authority waits for the owner's approval (Approvals page); "
    "the dispute stays open until then.",
)
AGENCY_PLACE = FormSpec(
    "agency-place",
    "Hand off to an agency",
    (
        Field("agency", "Agency", "text", required=True),
        Field("percent", "Contingency fee (%)", "percent", default="25",
              help="25–50% of what the agency recovers is usual"),
        Field("currency", "Currency", "select", choices_from="currencies"),
    ),
    "Place account",
    "Our own reminders and calls stop while the account is with the agency.",
    needs="not_placed",
)  # fmt: skip
AGENCY_RECOVERY = FormSpec(
    "agency-recovery",
    "Agency recovery",
    (
        Field("amount", "Recovered", "amount", required=True),
        Field("fee", "Agency's fee (default: the contingency %)", "amount"),
    ),
    "Record recovery",
    needs="placed",
)
AGENCY_RECALL = FormSpec(
    "agency-recall",
    "Recall from the agency",
    (Field("reason", "Reason", "text"),),
    "Recall",
    needs="placed",
)

FORMS: dict[str, FormSpec] = {
    f.name: f
    for f in (
        NOTE, CALL, PROMISE, PLAN, SETTLEMENT, SETTLEMENT_ACCEPT, DISPUTE, DISPUTE_RESOLVE,
        AGENCY_PLACE, AGENCY_RECOVERY, AGENCY_RECALL, WRITE_OFF,
    )
}  # fmt: skip


def _note(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    calls.record_note(book, key, v["text"], actor=actor, on=on)
    return "Note added."


def _call(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    promised = v["outcome"] == Outcome.PROMISE.value
    if promised:
        problems = {}
        if v["promise_amount"] is None:
            problems["promise_amount"] = "A promise needs the amount."
        if v["promise_date"] is None:
            problems["promise_date"] = "A promise needs the day."
        elif v["promise_date"] < on:
            problems["promise_date"] = "The promised day is in the past."
        if problems:
            raise FormError(problems)
    record = calls.record_visit if v["kind"] == "visit" else calls.record_call
    made = record(
        book, key, v["outcome"], actor=actor, on=on, notes=v["notes"] or "",
        override_reason=v["override_reason"],
    )  # fmt: skip
    what = "Visit" if v["kind"] == "visit" else "Call"
    if not promised:
        return f"{what} recorded."
    try:
        p = promises.add_promise(
            book, key, str(v["promise_amount"]), v["promise_date"], actor=actor, on=on,
            contact_id=made.id,
        )  # fmt: skip
    except CaseworkError as err:
        raise FormError({"promise_amount": f"The {what.lower()} was recorded, the promise "
                          f"was not: {err}"}) from None  # fmt: skip
    return f"{what} recorded, with a promise of {p.amount} by {p.promised_on.isoformat()}."


def _promise(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    if v["promised_on"] < on:
        raise FormError({"promised_on": "The promised day is in the past."})
    p = promises.add_promise(
        book, key, str(v["amount"]), v["promised_on"], actor=actor, on=on, currency=v["currency"]
    )
    return f"Promise of {p.amount} by {p.promised_on.isoformat()} recorded."


def _plan(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    p = plans.create_plan(
        book, key, v["installments"], v["first"], actor=actor, on=on,
        every_days=v["every"] or 30, amount=str(v["amount"]) if v["amount"] else None,
        currency=v["currency"], rate_percent=v["rate"],
        fee=str(v["fee"]) if v["fee"] else None,
    )  # fmt: skip
    if p.status == "needs_approval":
        return f"Payment plan of {p.total} saved; it waits for the owner's approval."
    return f"Payment plan of {p.total} in {count(len(p.installments), 'installment')} agreed."


def _settlement(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    if v["deadline"] < on:
        raise FormError({"deadline": "The deadline is in the past."})
    s = settlements.offer(
        book, key, str(v["amount"]), v["deadline"], actor=actor, on=on, currency=v["currency"]
    )
    if s.status == "needs_approval":
        return (
            f"Settlement of {s.amount} ({s.percent}%) saved; it needs the owner's approval "
            f"before it is offered ({s.authority_note})."
        )
    return f"Settlement of {s.amount} ({s.percent}%) offered, to be paid by {s.deadline}."


def _settlement_accept(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    s = settlements.accept(book, int(v["settlement"]), actor=actor, on=on)
    return f"Settlement of {s.amount} accepted, to be paid by {s.deadline.isoformat()}."


def _write_off(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    w = writeoffs.write_off(
        book, key, v["reason"], actor=actor, on=on,
        amount=str(v["amount"]) if v["amount"] else None, currency=v["currency"],
        note=v["note"] or "",
    )  # fmt: skip
    if w.status == "done":
        return f"Written off {w.amount}."
    return f"Write-off of {w.amount} asked for; it waits for the owner's approval."


def _dispute(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    d = disputes.open_dispute(
        book, key, v["invoice"], v["reason"], actor=actor, on=on,
        amount=str(v["amount"]) if v["amount"] else None, text=v["text"] or "",
    )  # fmt: skip
    return f"Dispute on {d.invoice} for {d.amount} opened; collection of it is held."


def _dispute_resolve(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    if v["resolution"] == "credit_note" and v["credit"] is None:
        raise FormError({"credit": "A credit note needs its amount."})
    d = disputes.resolve(
        book, int(v["dispute"]), v["resolution"], actor=actor, on=on,
        credit=str(v["credit"]) if v["credit"] else None, note=v["note"] or "",
    )  # fmt: skip
    if d.requested is not None:
        return (
            f"Credit note of {d.requested} on {d.invoice} asked for; it waits for the owner's "
            "approval and the dispute stays open until then."
        )
    return f"Dispute on {d.invoice} resolved: {term('dispute_status', d.status)}."


def _agency_place(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    p = agency.place(
        book, key, v["agency"], actor=actor, on=on,
        contingency_percent=str(v["percent"] or "25"), currency=v["currency"],
    )  # fmt: skip
    return f"Placed with {p.agency} ({p.contingency_percent}% fee); our own contact stops."


def _agency_recovery(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    p = agency.record_recovery(
        book, key, str(v["amount"]), actor=actor, on=on,
        fee=str(v["fee"]) if v["fee"] else None,
    )  # fmt: skip
    return f"Recovery recorded: {p.recovered} recovered by {p.agency} so far."


def _agency_recall(book: Book, key: str, actor: str, on: date, v: dict[str, Any]) -> str:
    p = agency.recall(book, key, actor=actor, on=on, reason=v["reason"] or "")
    return f"Recalled from {p.agency}; our own contact may resume."


Handler = Callable[[Book, str, str, date, dict[str, Any]], str]
HANDLERS: dict[str, Handler] = {
    "note": _note,
    "call": _call,
    "promise": _promise,
    "plan": _plan,
    "settlement": _settlement,
    "settlement-accept": _settlement_accept,
    "write-off": _write_off,
    "dispute": _dispute,
    "dispute-resolve": _dispute_resolve,
    "agency-place": _agency_place,
    "agency-recovery": _agency_recovery,
    "agency-recall": _agency_recall,
}


def form_choices(book: Book, acct: Account) -> dict[str, tuple[tuple[str, str], ...]]:
    """The lists some fields choose from, for this account."""
    key = str(acct.customer["key"])
    currencies = tuple((m.currency, m.currency) for m in acct.balances)
    offered = tuple(
        (str(s.id), f"{s.amount} by {s.deadline.isoformat()} (offered {s.offered_on.isoformat()})")
        for s in settlements.list_settlements(book, key, "offered")
    )
    open_invoices = tuple(
        (i.number, f"{i.number} · {i.open} open, due {i.due_date.isoformat()}")
        for i in acct.invoices
        if i.kind == "invoice" and i.open.minor > 0
    )
    open_disputes = tuple(
        (
            str(d.id),
            f"{d.invoice}: {d.amount} ({term('dispute_reason', d.reason)})"
            + (f"; a credit note of {d.requested} waits for the owner" if d.requested else ""),
        )
        for d in disputes.list_disputes(book, key, "open")
    )
    placed = agency.current_placement(book, key)
    return {
        "currencies": currencies,
        "offered": offered,
        "open_invoices": open_invoices,
        "open_disputes": open_disputes,
        # the agency forms that apply: place when not placed, else recovery and recall
        "not_placed": (("yes", "yes"),) if placed is None else (),
        "placed": (("yes", placed.agency),) if placed is not None else (),
    }


def form_states(book: Book, acct: Account, failed: FormState | None = None) -> dict[str, FormState]:
    """Every form that can be used on this account (one that needs a list the account
    does not have, such as an offered settlement, is left out)."""
    choices = form_choices(book, acct)
    states = {
        name: FormState(spec, choices)
        for name, spec in FORMS.items()
        if all(choices.get(f.choices_from) for f in spec.fields if f.required and f.choices_from)
        and (not spec.needs or choices.get(spec.needs))
    }
    if failed is not None:
        states[failed.spec.name] = failed
    return states


def scripts(book: Book, key: str, acct: Account, as_of: date) -> list[calls.CallScript]:
    """The suggested call script for each currency the customer owes in."""
    out = []
    for m in acct.balances:
        if m.minor <= 0:
            continue
        try:
            out.append(calls.call_script(book, key, as_of, m.currency))
        except CaseworkError:
            continue
    return out


def settlement_helpers(
    book: Book, key: str, acct: Account, as_of: date
) -> list[settlements.SettlementComparison]:
    """The settlement helper (in-house, settle, agency, small claims, write off) for
    each currency the customer owes in, with the small-claims limit of its place."""
    where = casefile.place_of(acct) or None
    out = []
    for m in acct.balances:
        if m.minor <= 0:
            continue
        try:
            out.append(
                settlements.compare(book, key, as_of, currency=m.currency, jurisdiction=where)
            )
        except CaseworkError:
            continue
    return out


@router.post("/customers/{key}/case/{action}", response_class=Response)
async def case_action(
    request: Request, user: Collector, book: BookDep, key: str, action: str, as_of: AsOf
) -> Response:
    spec = FORMS.get(action)
    if spec is None:
        raise NotFound(f"There is no case action {action!r}.")
    acct = accounts.account(book, key, as_of)  # 404 for an unknown customer
    raw = await request.form()
    values = {f.name: str(raw.get(f.name) or "") for f in spec.fields}
    choices = form_choices(book, acct)
    try:
        parsed = parse(spec, values, choices)
        message = HANDLERS[action](book, key, user.username, as_of, parsed)
    except FormError as err:
        state = FormState(spec, choices, values, err.errors)
        return _refused(request, user, book, key, as_of, state)
    except CaseworkError as err:
        state = FormState(spec, choices, values, {"": str(err)})
        return _refused(request, user, book, key, as_of, state)
    request.session[FLASH] = message
    given = "as_of" in request.query_params
    target = f"/customers/{quote(key, safe='')}"
    if given:
        target += f"?as_of={as_of.isoformat()}"
    return RedirectResponse(target + f"#{TIMELINE_ID}", status_code=303)


def _refused(
    request: Request, user: User, book: Book, key: str, as_of: date, state: FormState
) -> Response:
    from recoup.web.routes import customers  # the account page (which imports this module)

    return customers.render_account(request, user, book, key, as_of, [], failed=state)
