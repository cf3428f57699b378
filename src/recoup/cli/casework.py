"""Working a case from the command line: calls, promises, plans, settlements, disputes,
agencies, write-offs, the bad-debt report and follow-ups (issue 4).

Every action takes `--on` (the business date; default today) and `--actor` (who does
it; default $RECOUP_ACTOR, else the login name). Every read command has `--json`.
Exit codes: 1 refused (with the reason), 2 usage, 3 not found.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.table import Table

from recoup.cli.context import EXIT_NOT_FOUND, EXIT_REFUSED, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, plain, print_json
from recoup.clock import local_today
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.words import term
from recoup.services.errors import NotFoundError

if TYPE_CHECKING:
    from recoup.services import casework
    from recoup.services.book import Book
    from recoup.services.casework import (
        agency,
        calls,
        disputes,
        holds,
        plans,
        promises,
        settlements,
        tasks,
        writeoffs,
    )
else:  # imported when a command first uses them (recoup.cli.lazy)
    casework = lazy("recoup.services.casework")
    agency = lazy("recoup.services.casework.agency")
    calls = lazy("recoup.services.casework.calls")
    disputes = lazy("recoup.services.casework.disputes")
    holds = lazy("recoup.services.casework.holds")
    plans = lazy("recoup.services.casework.plans")
    promises = lazy("recoup.services.casework.promises")
    settlements = lazy("recoup.services.casework.settlements")
    tasks = lazy("recoup.services.casework.tasks")
    writeoffs = lazy("recoup.services.casework.writeoffs")

T = TypeVar("T")
DATE = ["%Y-%m-%d"]

promise_app = typer.Typer(help="Promises to pay.", no_args_is_help=True)
plan_app = typer.Typer(help="Payment plans.", no_args_is_help=True)
settle_app = typer.Typer(help="Settlements and the settlement helper.", no_args_is_help=True)
dispute_app = typer.Typer(help="Disputes on invoices.", no_args_is_help=True)
agency_app = typer.Typer(help="Hand-off to a collection agency.", no_args_is_help=True)
writeoff_app = typer.Typer(help="Write-offs (with reason and approval).", no_args_is_help=True)
hold_app = typer.Typer(help="Cease-contact and insolvency holds.", no_args_is_help=True)


def _default_actor() -> str:
    try:
        return getpass.getuser() or "cli"
    except (KeyError, OSError):
        return "cli"


def on_option() -> Any:
    return typer.Option(None, "--on", formats=DATE, help="The day of the action (default today).")


def as_of_option() -> Any:
    return typer.Option(None, "--as-of", formats=DATE, help="The day to look at (default today).")


def actor_option() -> Any:
    return typer.Option(
        None, "--actor", envvar="RECOUP_ACTOR", help="Who does it (default: your login name)."
    )


def json_option() -> Any:
    return typer.Option(False, "--json", help="Print the result as JSON.")


def _day(value: datetime | date | None) -> date:
    if value is None:
        return local_today()
    return value.date() if isinstance(value, datetime) else value


def _actor(value: str | None) -> str:
    return value or _default_actor()


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except NotFoundError as err:
        err_console.print(str(err).strip("'\""), markup=False)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except CaseworkError as err:
        err_console.print(f"Refused: {err}", markup=False)
        raise typer.Exit(EXIT_REFUSED) from None


def _do(ctx: typer.Context, action: Callable[[Book], T]) -> T:
    with _refusals():
        return action(state(ctx).book)


def _show(result: Any, as_json: bool, words: Callable[[dict[str, Any]], str]) -> None:
    data = result.to_json()
    if as_json:
        print_json(data)
    else:
        console.print(words(data), markup=False)


# --- calls, visits, notes ------------------------------------------------------------------


def call_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    outcome: str = typer.Option(
        ...,
        "--outcome",
        help="no_answer, left_message, promise, dispute, hardship, refused, "
        "stop_calling, wrong_number or spoke.",
    ),
    notes: str = typer.Option("", "--notes", help="What was said."),
    visit: bool = typer.Option(False, "--visit", help="A visit, not a call."),
    at: datetime | None = typer.Option(
        None,
        "--at",
        formats=["%Y-%m-%dT%H:%M"],
        help="When, in UTC (YYYY-MM-DDTHH:MM; default noon of --on in the customer's zone).",
    ),
    override: str | None = typer.Option(
        None, "--override", help="Go ahead although a contact rule says no: the reason (logged)."
    ),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Record a call (or a visit) and its outcome; the contact rules are checked."""
    when = at.replace(tzinfo=UTC) if at is not None else None
    day = _day(on) if on is not None or when is None else when.date()
    record = calls.record_visit if visit else calls.record_call
    result = _do(
        ctx,
        lambda b: record(
            b,
            customer,
            outcome,
            actor=_actor(actor),
            on=day,
            notes=notes,
            at=when,
            override_reason=override,
        ),
    )
    _show(
        result,
        as_json,
        lambda d: (
            f"Recorded {term('entry', d['kind'])} {d['id']} with {customer}: "
            f"{term('outcome', d['outcome'])}"
            + (f" (overridden: {', '.join(d['overridden'])})" if d["overridden"] else "")
        ),
    )


def letter_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    notes: str = typer.Option("", "--notes", help="What the letter said."),
    override: str | None = typer.Option(
        None, "--override", help="Go ahead although a contact rule says no: the reason (logged)."
    ),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Record a letter written and sent by hand; the contact rules are checked."""
    result = _do(
        ctx,
        lambda b: calls.record_letter(
            b, customer, actor=_actor(actor), on=_day(on), notes=notes, override_reason=override
        ),
    )
    _show(result, as_json, lambda d: f"Recorded letter {d['id']} to {customer}.")


def note_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    text: str = typer.Argument(..., help="The note."),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Add a note to the account's history."""
    result = _do(
        ctx, lambda b: calls.record_note(b, customer, text, actor=_actor(actor), on=_day(on))
    )
    _show(result, as_json, lambda d: f"Noted on {customer} (entry {d['history_id']}).")


def script_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    currency: str | None = typer.Option(None, "--currency"),
    as_of: datetime | None = as_of_option(),
    as_json: bool = json_option(),
) -> None:
    """A suggested call script for the account, and what may be offered."""
    result = _do(ctx, lambda b: calls.call_script(b, customer, _day(as_of), currency))
    if as_json:
        print_json(result.to_json())
        return
    for line in result.script.lines():
        console.print(f"- {line}", markup=False)
    for hold in result.holds:
        console.print(f"On hold: {hold}", markup=False, style="yellow")


# --- promises ------------------------------------------------------------------------------


@promise_app.command("add")
def promise_add(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    amount: str = typer.Option(..., "--amount", help="The amount promised, e.g. 250.00."),
    by: datetime = typer.Option(..., "--date", formats=DATE, help="The day it is promised for."),
    currency: str | None = typer.Option(None, "--currency"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Record a promise to pay AMOUNT by DATE. Reminders pause while it is in force."""
    result = _do(
        ctx,
        lambda b: promises.add_promise(
            b, customer, amount, _day(by), actor=_actor(actor), on=_day(on), currency=currency
        ),
    )
    _show(
        result,
        as_json,
        lambda d: (
            f"Promise {d['id']}: {d['amount']} {d['currency']} by "
            f"{d['promised_on']} (grace {d['grace_days']} days)."
        ),
    )


@promise_app.command("list")
def promise_list(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    as_json: bool = json_option(),
) -> None:
    """A customer's promises, oldest first."""
    found = _do(ctx, lambda b: promises.list_promises(b, customer))
    if as_json:
        print_json([p.to_json() for p in found])
        return
    table = Table(title=f"Promises of {customer}")
    for col in ("#", "Amount", "By", "Status", "Paid"):
        table.add_column(col)
    for p in found:
        table.add_row(
            str(p.id), str(p.amount), p.promised_on.isoformat(), term("status", p.status),
            str(p.paid),
        )  # fmt: skip
    console.print(table)


@promise_app.command("review")
def promise_review(
    ctx: typer.Context,
    as_of: datetime | None = as_of_option(),
    as_json: bool = json_option(),
) -> None:
    """Review every casework item as of a day: promises kept or broken, plan installments,
    settlements paid or lapsed, write-offs reversed by later payments."""
    result = _do(ctx, lambda b: casework.review_all(b, _day(as_of)))
    if as_json:
        print_json(result.to_json())
        return
    data = result.to_json()
    for p in data["promises"]:
        console.print(
            f"promise {p['id']} of {p['customer']}: {term('status', p['status'])}", markup=False
        )
    for p in data["plans"]:
        console.print(
            f"plan {p['plan_id']} of {p['customer']}: {'; '.join(p['events'])}", markup=False
        )
    for s in data["settlements"]:
        console.print(
            f"settlement {s['settlement_id']} of {s['customer']}: {term('status', s['status'])}",
            markup=False,
        )
    for w in data["write_offs_reversed"]:
        console.print(
            f"write-off of {w['customer']} reversed by {w['reversed']} {w['currency']}",
            markup=False,
        )
    if not result.changed:
        console.print("Nothing changed.", markup=False)


# --- plans ---------------------------------------------------------------------------------


@plan_app.command("create")
def plan_create(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    installments: int = typer.Option(..., "--installments", help="How many installments."),
    first: datetime = typer.Option(..., "--first", formats=DATE, help="The first one's day."),
    every: int = typer.Option(30, "--every", help="Days between installments."),
    amount: str | None = typer.Option(None, "--amount", help="Default: the whole balance."),
    rate: str | None = typer.Option(None, "--rate", help="Yearly interest, percent (simple)."),
    fee: str | None = typer.Option(None, "--fee", help="A one-off fee, with the first."),
    currency: str | None = typer.Option(None, "--currency"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Agree a payment plan; outside the policy's limits it waits for an owner."""
    result = _do(
        ctx,
        lambda b: plans.create_plan(
            b,
            customer,
            installments,
            _day(first),
            actor=_actor(actor),
            on=_day(on),
            every_days=every,
            amount=amount,
            currency=currency,
            rate_percent=rate,
            fee=fee,
        ),
    )
    _show(result, as_json, _plan_words)


def _plan_words(d: dict[str, Any]) -> str:
    lines = [
        f"Plan {d['id']} of {d['customer']}: {d['total']} {d['currency']}, "
        f"{term('status', d['status'])}"
        + ("" if d["within_authority"] else f" ({d['authority_note']})")
    ]
    lines += [
        f"  {i['number']}. {i['due_on']} {i['amount']} ({term('status', i['status'])})"
        for i in d["installments"]
    ]
    return "\n".join(lines)


@plan_app.command("show")
def plan_show(
    ctx: typer.Context, plan_id: int = typer.Argument(...), as_json: bool = json_option()
) -> None:
    """A plan and its installments."""
    _show(_do(ctx, lambda b: plans.get_plan(b, plan_id)), as_json, _plan_words)


@plan_app.command("approve")
def plan_approve(
    ctx: typer.Context,
    plan_id: int = typer.Argument(...),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """An owner approves a plan outside the policy's limits."""
    result = _do(ctx, lambda b: plans.approve_plan(b, plan_id, actor=_actor(actor), on=_day(on)))
    _show(result, as_json, _plan_words)


@plan_app.command("default")
def plan_default(
    ctx: typer.Context,
    plan_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Put a current plan in default by hand."""
    result = _do(
        ctx, lambda b: plans.default(b, plan_id, actor=_actor(actor), on=_day(on), reason=reason)
    )
    _show(result, as_json, _plan_words)


# --- settlements -----------------------------------------------------------------------------


def _settle_words(d: dict[str, Any]) -> str:
    return (
        f"Settlement {d['id']} of {d['customer']}: {d['amount']} {d['currency']} "
        f"({d['percent']}% of {d['balance']}) by {d['deadline']}: {d['status']}. "
        f"{d['authority_note']}"
    )


@settle_app.command("offer")
def settle_offer(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    amount: str = typer.Option(..., "--amount", help="The settlement amount."),
    deadline: datetime = typer.Option(..., "--deadline", formats=DATE, help="Paid by this day."),
    currency: str | None = typer.Option(None, "--currency"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Offer a settlement; below the policy's floor it needs an owner's approval."""
    result = _do(
        ctx,
        lambda b: settlements.offer(
            b, customer, amount, _day(deadline), actor=_actor(actor), on=_day(on), currency=currency
        ),
    )
    _show(result, as_json, _settle_words)


def _settle_step(name: str, step: str, doc: str) -> None:
    """`settle NAME ID`: the settlements service's function `step` (looked up when the
    command runs: the service is imported then)."""

    def command(
        ctx: typer.Context,
        settlement_id: int = typer.Argument(...),
        on: datetime | None = on_option(),
        actor: str | None = actor_option(),
        as_json: bool = json_option(),
    ) -> None:
        fn: Callable[..., Any] = getattr(settlements, step)
        result = _do(ctx, lambda b: fn(b, settlement_id, actor=_actor(actor), on=_day(on)))
        _show(result, as_json, _settle_words)

    command.__doc__ = doc
    settle_app.command(name)(command)


_settle_step("approve", "approve", "An owner approves an offer outside authority.")
_settle_step("refuse", "refuse", "An owner refuses an offer outside authority.")
_settle_step("accept", "accept", "The customer accepts an offered settlement.")
_settle_step(
    "paid",
    "settle",
    "The settled amount is paid: close it and write off the rest ('settlement').",
)


@settle_app.command("list")
def settle_list(
    ctx: typer.Context,
    customer: str | None = typer.Argument(None, help="The customer's id (default: all)."),
    status: str | None = typer.Option(None, "--status", help="e.g. needs_approval"),
    as_json: bool = json_option(),
) -> None:
    """Settlements, oldest first."""
    found = _do(ctx, lambda b: settlements.list_settlements(b, customer, status))
    if as_json:
        print_json([s.to_json() for s in found])
        return
    for s in found:
        console.print(_settle_words(s.to_json()), markup=False)


@settle_app.command("compare")
def settle_compare(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    offer_amount: str | None = typer.Option(None, "--offer", help="Compare this offer."),
    court_fee: str | None = typer.Option(None, "--court-fee", help="The small-claims fee."),
    jurisdiction: str | None = typer.Option(
        None, "--jurisdiction", help="e.g. GB, GB-SCT, US-CA (default: the customer's country)."
    ),
    currency: str | None = typer.Option(None, "--currency"),
    as_of: datetime | None = as_of_option(),
    as_json: bool = json_option(),
) -> None:
    """The settlement helper: in-house, settle, agency, small claims or write off."""
    result = _do(
        ctx,
        lambda b: settlements.compare(
            b,
            customer,
            _day(as_of),
            currency=currency,
            offer_amount=offer_amount,
            court_fee=court_fee,
            jurisdiction=jurisdiction,
        ),
    )
    data = result.to_json()
    if as_json:
        print_json(data)
        return
    console.print(
        f"{customer}: {data['balance']} {data['currency']}; " + "; ".join(data["chance_basis"]),
        markup=False,
    )
    table = Table()
    for col in ("Option", "Expected", "Figures", "Notes"):
        table.add_column(col)
    for o in data["options"]:
        figures = "\n".join(f"{f['label']}: {f['value']}" for f in o["figures"])
        expected = o["expected"] if o["available"] else "—"
        table.add_row(o["title"], expected, figures, "\n".join(o["notes"]))
    console.print(table)


# --- disputes ------------------------------------------------------------------------------


def _dispute_words(d: dict[str, Any]) -> str:
    return (
        f"Dispute {d['id']} on {d['invoice']}: {d['amount']} {d['currency']} "
        f"({term('dispute_reason', d['reason'])}), {term('dispute_status', d['status'])}"
        + (f", credit note {d['credit_note']}" if d["credit_note"] else "")
        + (
            f"; a credit note of {d['credit_request']['amount']} waits for an owner "
            f"(credit request {d['credit_request']['id']}: recoup dispute approve)"
            if d.get("credit_request")
            else ""
        )
    )


@dispute_app.command("open")
def dispute_open(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    invoice: str = typer.Option(..., "--invoice", help="The invoice disputed."),
    reason: str = typer.Option(
        ...,
        "--reason",
        help="not_received, quality, price, "
        "already_paid, duplicate, not_ordered, wrong_customer, other.",
    ),
    amount: str | None = typer.Option(None, "--amount", help="The disputed part (default all)."),
    text: str = typer.Option("", "--text", help="What the customer says."),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Open a dispute on an invoice or part of one; collection of it is held."""
    result = _do(
        ctx,
        lambda b: disputes.open_dispute(
            b, customer, invoice, reason, actor=_actor(actor), on=_day(on), amount=amount, text=text
        ),
    )
    _show(result, as_json, _dispute_words)


@dispute_app.command("resolve")
def dispute_resolve(
    ctx: typer.Context,
    dispute_id: int = typer.Argument(...),
    how: str = typer.Option(..., "--as", help="credit_note, upheld or rejected."),
    credit: str | None = typer.Option(None, "--credit", help="The credit note (credit_note)."),
    note: str = typer.Option("", "--note"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Resolve a dispute by credit note, upheld or rejected."""
    result = _do(
        ctx,
        lambda b: disputes.resolve(
            b, dispute_id, how, actor=_actor(actor), on=_day(on), credit=credit, note=note
        ),
    )
    _show(result, as_json, _dispute_words)


@dispute_app.command("list")
def dispute_list(
    ctx: typer.Context,
    customer: str = typer.Argument(...),
    status: str | None = typer.Option(None, "--status"),
    as_json: bool = json_option(),
) -> None:
    """A customer's disputes."""
    found = _do(ctx, lambda b: disputes.list_disputes(b, customer, status))
    if as_json:
        print_json([d.to_json() for d in found])
        return
    for d in found:
        console.print(_dispute_words(d.to_json()), markup=False)


# --- agency --------------------------------------------------------------------------------


def _placement_words(d: dict[str, Any]) -> str:
    return (
        f"Placement {d['id']} of {d['customer']} with {d['agency']} "
        f"({d['contingency_percent']}%): {d['balance']} {d['currency']}, {d['status']}; "
        f"recovered {d['recovered']}, fees {d['fees']}"
    )


@agency_app.command("place")
def agency_place(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    name: str = typer.Option(..., "--agency", help="The agency's name."),
    fee_percent: str = typer.Option("25", "--fee-percent", help="Contingency fee (25-50 usual)."),
    currency: str | None = typer.Option(None, "--currency"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Place the account with an agency: our own contact stops."""
    result = _do(
        ctx,
        lambda b: agency.place(
            b,
            customer,
            name,
            actor=_actor(actor),
            on=_day(on),
            contingency_percent=fee_percent,
            currency=currency,
        ),
    )
    _show(result, as_json, _placement_words)


@agency_app.command("export")
def agency_export(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    out: Path | None = typer.Option(None, "--out", help="Write the files into this folder."),
    as_of: datetime | None = as_of_option(),
    as_json: bool = json_option(),
) -> None:
    """The placement file: debtor, invoices, balance, full history and documents."""
    result = _do(ctx, lambda b: agency.export(b, customer, _day(as_of)))
    if out is not None:
        for path in result.write(out):
            if not as_json:
                console.print(str(path), markup=False)
    if as_json:
        print_json(result.to_json())
    elif out is None:
        print(plain(result.csv_text), end="")  # a CSV for a file: its cells are safe already


@agency_app.command("recover")
def agency_recover(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    amount: str = typer.Option(..., "--amount", help="What the agency recovered."),
    fee: str | None = typer.Option(None, "--fee", help="Their fee (default: the percent)."),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Record a recovery by the agency (and its fee)."""
    result = _do(
        ctx,
        lambda b: agency.record_recovery(
            b, customer, amount, actor=_actor(actor), on=_day(on), fee=fee
        ),
    )
    _show(result, as_json, _placement_words)


@agency_app.command("recall")
def agency_recall(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    reason: str = typer.Option("", "--reason"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Take the account back from the agency."""
    result = _do(
        ctx, lambda b: agency.recall(b, customer, actor=_actor(actor), on=_day(on), reason=reason)
    )
    _show(result, as_json, _placement_words)


# --- write-offs ----------------------------------------------------------------------------


def _writeoff_words(d: dict[str, Any]) -> str:
    return (
        f"Write-off {d['id']} of {d['customer']}: {d['amount']} {d['currency']} "
        f"(tax {d['tax']}), {d['reason']}, {d['status']}"
    )


@writeoff_app.command("add")
def writeoff_add(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    reason: str = typer.Option(
        ...,
        "--reason",
        help="uncollectible, insolvency, time_barred, "
        "small_balance, dispute, agency, settlement, other.",
    ),
    amount: str | None = typer.Option(None, "--amount", help="Default: the whole balance."),
    note: str = typer.Option("", "--note"),
    approved_by: str | None = typer.Option(
        None, "--approved-by", help="The owner approving it now (else it waits for approval)."
    ),
    currency: str | None = typer.Option(None, "--currency"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Ask for (or, with --approved-by, do) a write-off."""
    result = _do(
        ctx,
        lambda b: writeoffs.write_off(
            b,
            customer,
            reason,
            actor=_actor(actor),
            on=_day(on),
            amount=amount,
            currency=currency,
            note=note,
            approved_by=approved_by,
        ),
    )
    _show(result, as_json, _writeoff_words)


@writeoff_app.command("approve")
def writeoff_approve(
    ctx: typer.Context,
    write_off_id: int = typer.Argument(...),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """An owner approves a pending write-off."""
    result = _do(
        ctx,
        lambda b: writeoffs.approve_write_off(b, write_off_id, actor=_actor(actor), on=_day(on)),
    )
    _show(result, as_json, _writeoff_words)


@writeoff_app.command("refuse")
def writeoff_refuse(
    ctx: typer.Context,
    write_off_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """An owner refuses a pending write-off."""
    result = _do(
        ctx,
        lambda b: writeoffs.refuse_write_off(
            b, write_off_id, actor=_actor(actor), on=_day(on), reason=reason
        ),
    )
    _show(result, as_json, _writeoff_words)


@writeoff_app.command("list")
def writeoff_list(
    ctx: typer.Context,
    customer: str | None = typer.Argument(None, help="The customer's id (default: all)."),
    status: str | None = typer.Option(None, "--status", help="pending, done or refused."),
    as_json: bool = json_option(),
) -> None:
    """Write-offs, oldest first."""
    found = _do(ctx, lambda b: writeoffs.list_write_offs(b, customer, status))
    if as_json:
        print_json([w.to_json() for w in found])
        return
    for w in found:
        console.print(_writeoff_words(w.to_json()), markup=False)


def baddebt_command(
    ctx: typer.Context,
    start: datetime = typer.Option(..., "--from", formats=DATE, help="First day of the period."),
    end: datetime = typer.Option(..., "--to", formats=DATE, help="Last day of the period."),
    as_json: bool = json_option(),
) -> None:
    """The bad-debt report for the accountant: write-offs (and reversals) with tax parts."""
    report = _do(ctx, lambda b: writeoffs.bad_debt_report(b, _day(start), _day(end)))
    if as_json:
        print_json(report.to_json())
        return
    table = Table(title=f"Bad debts {report.start} to {report.end}")
    for col in ("Date", "Customer", "Name", "Invoice", "Reason", "Amount", "Tax"):
        table.add_column(col)
    for line in report.lines:
        table.add_row(
            line.on.isoformat(),
            line.customer,
            line.name,
            line.invoice,
            line.reason,
            str(line.amount),
            str(line.tax),
        )
    console.print(table)
    for cur, (amount, tax) in sorted(report.totals().items()):
        console.print(f"Total {cur}: {amount.amount} (tax {tax.amount})", markup=False)


# --- holds and follow-ups --------------------------------------------------------------------


@hold_app.command("set")
def hold_set(
    ctx: typer.Context,
    customer: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="cease_contact or insolvency."),
    note: str = typer.Option("", "--note"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Record a cease-contact request or an insolvency: all contact stops."""
    result = _do(
        ctx,
        lambda b: holds.set_flag(b, customer, kind, actor=_actor(actor), on=_day(on), note=note),
    )
    _show(result, as_json, lambda d: f"{d['kind']} hold on {customer} since {d['since']}")


@hold_app.command("lift")
def hold_lift(
    ctx: typer.Context,
    customer: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="cease_contact or insolvency."),
    note: str = typer.Option("", "--note"),
    on: datetime | None = on_option(),
    actor: str | None = actor_option(),
    as_json: bool = json_option(),
) -> None:
    """Lift a cease-contact or insolvency hold."""
    result = _do(
        ctx,
        lambda b: holds.lift_flag(b, customer, kind, actor=_actor(actor), on=_day(on), note=note),
    )
    _show(result, as_json, lambda d: f"{d['kind']} hold on {customer} lifted on {d['lifted_on']}")


@hold_app.command("show")
def hold_show(
    ctx: typer.Context,
    customer: str = typer.Argument(...),
    as_of: datetime | None = as_of_option(),
    as_json: bool = json_option(),
) -> None:
    """The holds in force for a customer."""
    found = _do(ctx, lambda b: holds.holds_of(b, customer, _day(as_of)))
    if as_json:
        print_json(
            [
                {
                    "kind": h.kind.value,
                    "until": h.until.isoformat() if h.until else None,
                    "note": h.note,
                    "absolute": h.absolute,
                }
                for h in found
            ]
        )
        return
    for h in found:
        console.print(h.words(), markup=False)
    if not found:
        console.print("No holds.", markup=False)


def followups_command(
    ctx: typer.Context, as_of: datetime | None = as_of_option(), as_json: bool = json_option()
) -> None:
    """Follow-ups due: broken promises, plans in default, lapsed settlements."""
    found = _do(ctx, lambda b: tasks.open_followups(b, _day(as_of)))
    if as_json:
        print_json([f.to_json() for f in found])
        return
    for f in found:
        console.print(f"{f.due_on} {f.customer} ({f.kind}): {f.text}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("call")(call_command)
    app.command("letter")(letter_command)
    app.command("note")(note_command)
    app.command("call-script")(script_command)
    app.add_typer(promise_app, name="promise")
    app.add_typer(plan_app, name="plan")
    app.add_typer(settle_app, name="settle")
    from recoup.cli import credit_requests  # it adds to the dispute commands

    credit_requests.register(dispute_app)
    app.add_typer(dispute_app, name="dispute")
    app.add_typer(agency_app, name="agency")
    app.add_typer(writeoff_app, name="writeoff")
    app.command("baddebt")(baddebt_command)
    app.add_typer(hold_app, name="hold")
    app.command("followups")(followups_command)
