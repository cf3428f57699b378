"""The daily run's rule for one case: which stage of the plan is due, and what it does.

A *case* is one customer's open invoices in one currency; messages are grouped that way,
one per customer and currency, listing every open invoice. A case's *cycle* starts when
it first has an open invoice and ends when nothing is open any more; each stage of the
plan is done at most once per cycle.

The rule, at the as-of date:

1. The case follows its oldest open invoice: a stage counted from the due date falls due
   that many days after (or, if negative, before) that invoice's due date; a stage counted
   from the previous one falls due that many days after the previous stage was done; an
   end-of-month stage on the last day of the month after the previous stage.
2. Of the steps not yet done in this cycle, the *latest* one that is due is taken. Earlier
   steps that were missed (the machine was off, the account was on hold) are passed over,
   not sent in a burst: the debtor gets one message, in the voice the account has reached.
   Except for a first contact (`recoup.domain.onboarding`): an account not yet contacted
   in its cycle opens at the plan's first-contact stage, and its later stages follow by
   the plan's gaps (unless the plan says `onboarding = "by_age"`). A reminder before the
   due date is not sent once an invoice is overdue: it would call it "due on".
3. A step's alternatives are told apart by their conditions (balance, tags, kind).
4. The contact rules decide whether a contacting stage may go out today; if not, it waits,
   and the case is looked at again on the first day it may.
5. Escalation and write-off are recommended (not done) when the plan's rules say, once
   per cycle each, and only after the plan's final notice (a final-tone stage) went out:
   nobody is handed to an agency without the letter before action.
6. Limitation (`CaseInput.limitation`, the day the oldest open invoice becomes
   time-barred): from that day on, no final-tone stage (the letter before action
   mentions legal steps) and no escalation is done; they are listed as skipped with
   the reason. Friendly and firm reminders may still go out. In the last
   `LIMITATION_WARNING_DAYS` before that day, a note says how many days are left and
   every action's reason repeats it.

Everything returned carries its reason in plain words.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from recoup.domain import onboarding
from recoup.domain.accrual import COMPENSATION_SUFFIX as COMPENSATION_SUFFIX
from recoup.domain.accrual import accrue, compensation_words
from recoup.domain.case_values import BALANCE as BALANCE
from recoup.domain.case_values import COUNT as COUNT
from recoup.domain.case_values import NUMBER as NUMBER
from recoup.domain.case_values import NUMBER_SEPARATOR as NUMBER_SEPARATOR
from recoup.domain.case_values import OVERDUE as OVERDUE
from recoup.domain.case_values import ActionShape as ActionShape
from recoup.domain.case_values import CaseFacts as CaseFacts
from recoup.domain.case_values import CaseInput as CaseInput
from recoup.domain.case_values import CasePlan as CasePlan
from recoup.domain.case_values import CaseShape as CaseShape
from recoup.domain.case_values import OpenInvoice as OpenInvoice
from recoup.domain.case_values import OpenSummary as OpenSummary
from recoup.domain.case_values import PlannedAction as PlannedAction
from recoup.domain.case_values import literal as literal
from recoup.domain.case_values import summarize as summarize
from recoup.domain.contact_rules import ContactRules, Debtor, next_contact_day
from recoup.domain.memo import by_identity
from recoup.domain.money import Money
from recoup.domain.policy import ContactSettings, Onboarding, Policy, Stage, Tone

HUNDRED = Decimal(100)
REVIEW_EVERY = 28  # days: the safety net (see the end of `plan_case`)
SPREAD = 7  # days over which the safety-net looks are spread
LIMITATION_WARNING_DAYS = 180


def rules_from_policy(policy: Policy) -> ContactRules:
    return _rules(policy.contact)


@by_identity
def _rules(c: ContactSettings) -> ContactRules:
    return ContactRules(
        min_gap_days=c.min_gap_days,
        max_per_week=c.max_per_7_days,
        start=c.hours_from,
        end=c.hours_until,
        weekdays=c.weekday_numbers,
        skip_holidays=c.skip_holidays,
    )


def _pick(step: Sequence[Stage], balance: Money, case: CaseFacts) -> Stage | None:
    for stage in step:
        if stage.conditions.matches(balance, case.tags, case.kind):
            return stage
    return None


def plan_case(case: CaseInput, policy: Policy, as_of: date, *, with_notes: bool = True) -> CasePlan:
    """What the plan does for this case on `as_of`; pure. `with_notes=False` leaves out
    the notes (what was looked at, for `explain`): the daily run does not keep them, and
    writing them out for every account of a book costs more than some of the deciding."""
    plan = decide(case, policy, as_of, with_notes=with_notes)
    if plan.cycle_start is None:
        return plan  # nothing is open: no case to look at again
    return CasePlan(
        plan.actions,
        plan.skipped,
        plan.notes,
        plan.cycle_start,
        next_review_with_safety(plan.next_review, case.customer, as_of),
        plan.upcoming,
    )


def decide(case: CaseInput, policy: Policy, as_of: date, *, with_notes: bool = True) -> CasePlan:
    """`plan_case` without the safety net: `next_review` is the first day on which
    something changes by itself, None when nothing does."""
    figures = case.figures(as_of)
    if figures is None:
        return CasePlan(notes=(f"{case.currency}: nothing is open",))
    made = shape(case.facts(figures), policy, as_of, with_notes=with_notes)
    return fill(made, case.currency, figures, case.cycle_start or as_of)


def fill(made: CaseShape, currency: str, summary: OpenSummary, cycle_start: date) -> CasePlan:
    """The plan of a case of this shape, with its figures and the first day of its
    cycle: the shape's templates filled, its amounts and invoices made."""
    balance = Money(summary.balance, currency)
    overdue = Money(summary.overdue, currency)
    shares = any(a.percent is not None for a in made.actions)  # a share of the overdue part
    figures = {
        "number": summary.oldest_number,
        "balance": str(balance),
        "overdue": str(overdue) if shares else "",
        "count": str(summary.invoice_count),
    }
    numbers = summary.numbers() if any(a.invoices is None for a in made.actions) else ()
    actions = []
    for a in made.actions:
        if a.percent is not None:
            amount = Money.round(overdue.amount * a.percent / HUNDRED, currency)
        else:
            amount = balance if a.amount is None else a.amount
        invoices = numbers if a.invoices is None else a.invoices
        actions.append(
            PlannedAction(
                a.kind, a.stage, invoices, amount, a.template, a.reason.format_map(figures)
            )
        )
    notes = tuple(n.format_map(figures) for n in made.notes)
    return CasePlan(
        tuple(actions), made.skipped, notes, cycle_start, made.next_review, made.upcoming
    )


def shape(case: CaseFacts, policy: Policy, as_of: date, *, with_notes: bool = True) -> CaseShape:
    """What the plan decides for a case with these facts on `as_of`, its texts templates
    where its own figures go (its balance, overdue part, oldest invoice's number and
    open invoices; `fill` puts them in): all the case's balance decides is which of the
    plan's amounts it lies between, and whether anything is overdue when a stage charges
    a share of it. A plan that charges interest gives shapes with the case's interest in
    (worked out invoice by invoice)."""
    if case.interest is not None and not case.invoices:
        raise ValueError("a plan that charges interest needs the invoices")
    oldest_due = case.oldest_due
    balance = Money(case.balance, case.currency)
    dpd = (as_of - oldest_due).days
    done = dict(case.done)
    notes = (
        [
            f"{literal(case.currency)}: {COUNT} open invoice(s), balance {BALANCE}, "
            f"oldest due {oldest_due} ({dpd} days past due)"
        ]
        if with_notes
        else []
    )
    skipped: list[str] = []
    barred = case.limitation is not None and as_of >= case.limitation
    no_legal = (
        f"the oldest invoice is time-barred since {case.limitation}: "
        f"no letter before action, no legal step"
    )
    warning = ""
    basis = f" (jurisdiction {literal(case.limitation_basis)})" if case.limitation_basis else ""
    if case.limitation is not None:
        left = (case.limitation - as_of).days
        if barred:
            notes.append(f"invoice {NUMBER} is time-barred since {case.limitation}{basis}")
        elif left < LIMITATION_WARNING_DAYS:
            warning = (
                f"{left} days left before invoice {NUMBER} becomes time-barred on "
                f"{case.limitation}{basis}"
            )
            notes.append(warning)

    due_step: Stage | None = None
    passed_over: list[str] = []
    upcoming: list[tuple[str, date]] = []
    steps = policy.steps()
    # the plan only moves forward: steps up to the latest one done are behind the account
    last_done, previous_done, previous = -1, None, None
    if done:
        for index, names in enumerate(_step_names(steps)):
            for at, name in enumerate(names):
                if name in done:
                    last_done, previous_done = index, done[name]
                    previous = steps[index][at]
                    break

    def pick(step: Sequence[Stage]) -> Stage | None:
        return _pick(step, balance, case)

    # an account first contacted when already overdue opens at the plan's first-contact
    # stage and goes on by the plan's gaps (`recoup.domain.onboarding`)
    gentle = policy.onboarding is Onboarding.GENTLE
    opening = gentle and not onboarding.contacted(steps, done)
    gaps = gentle and not opening and onboarding.onboarded(steps, done, oldest_due, pick)
    for index in range(last_done + 1, len(steps)):
        stage = pick(steps[index])
        if stage is None:
            continue
        if oldest_due < as_of and onboarding.before_due(stage):
            # it would call overdue invoices "due on": those go in an overdue message
            if with_notes:
                notes.append(
                    f"{literal(stage.name)} is not sent: invoice {NUMBER} is already overdue"
                )
            continue
        when = stage.trigger.date_for(oldest_due, previous_done)
        if when is None:
            break  # counted from a previous stage that has not happened
        if gaps:
            when = onboarding.by_gap(stage, when, previous, previous_done)
        if barred and stage.tone is Tone.FINAL:
            # nothing after the letter before action happens on a time-barred debt
            if when <= as_of:
                skipped.append(f"{stage.name} ({stage.tone.value}) is not done: {no_legal}")
            break
        if when <= as_of:
            if due_step is not None:
                passed_over.append(due_step.name)
            due_step, previous = stage, stage
            previous_done = as_of  # a later stage counted from this one starts today
            if opening and onboarding.opens(stage):
                opening = False
                if onboarding.later_due(steps, index, oldest_due, as_of, pick):
                    gaps = True  # the later stages come by the plan's gaps from today
                    if with_notes:
                        notes.append(
                            f"first contact, {dpd} days past due: the plan opens at "
                            f"{literal(stage.name)} (onboarding gentle); later stages follow by "
                            "the plan's gaps"
                        )
        else:
            upcoming.append((stage.name, when))
            break
    actions: list[ActionShape] = []
    next_review = upcoming[0][1] if upcoming else None
    if due_step is not None:
        if passed_over:
            notes.append(
                f"passed over {literal(', '.join(passed_over))}: missed, and one message "
                f"is enough; {literal(due_step.name)} is where the account is now"
            )
        contacts = due_step.actions.email or due_step.actions.letter or due_step.actions.call
        day = next_contact_day(rules_from_policy(policy), case.debtor, as_of) if contacts else as_of
        if day != as_of:
            why = "on hold: no end date" if day is None else f"next contact not before {day}"
            skipped.append(
                f"{due_step.name} is due but waits: {why}"
                + _hold_words(case.debtor, as_of)
                + _gap_words(case.debtor, policy, day, as_of)
            )
            next_review = day if day is not None else next_review
        else:
            actions.extend(_stage_actions(case, due_step, oldest_due, dpd, as_of, done, notes))
    for rec in _recommendations(case, policy, as_of, dpd, balance, done):
        if barred and rec.kind == "escalate":
            skipped.append(f"{rec.stage} is not done: {no_legal}")
        else:
            actions.append(rec)
    if warning:
        actions = [replace(a, reason=f"{a.reason}; {warning}") for a in actions]
    # looked at again when something changes by itself: a stage falls due, a waiting
    # contact becomes possible, a recommendation may apply, the limitation warning starts
    # or the debt becomes time-barred; and, as a safety net, at least every REVIEW_EVERY
    # days (`safety_review`)
    if case.limitation is not None:
        for day in (case.limitation - timedelta(days=LIMITATION_WARNING_DAYS), case.limitation):
            if day > as_of:
                next_review = day if next_review is None else min(next_review, day)
    final_today = due_step is not None and due_step.tone is Tone.FINAL and bool(actions)
    soon = _next_recommendation_day(
        case, policy, as_of, oldest_due, balance, done, {a.stage for a in actions},
        final_today, barred,
    )  # fmt: skip
    if soon is not None:
        next_review = soon if next_review is None else min(next_review, soon)
    return CaseShape(
        tuple(actions),
        tuple(skipped),
        tuple(notes) if with_notes else (),
        next_review,
        tuple(upcoming),
    )


def _stage_actions(
    case: CaseFacts,
    stage: Stage,
    oldest_due: date,
    dpd: int,
    as_of: date,
    done: dict[str, date],
    notes: list[str],
) -> list[ActionShape]:
    """What a stage taken today does: its messages, call, fees and interest."""
    reason = (
        f"{literal(stage.name)} ({stage.tone.value}): {literal(stage.trigger.describe())}; "
        f"oldest invoice {NUMBER} due {oldest_due}, {dpd} days past due; balance {BALANCE}"
    )
    acts = stage.actions
    out = []
    if acts.email:
        out.append(ActionShape("email", stage.name, acts.email, reason))
    if acts.letter:
        out.append(ActionShape("letter", stage.name, acts.letter, reason))
    if acts.call:
        out.append(ActionShape("call", stage.name, None, reason))
    if acts.fee is not None and acts.fee.applies_to(case.currency):
        fee = acts.fee.in_currency(case.currency)
        out.append(
            ActionShape(
                "fee", stage.name, None, f"fixed fee of the stage {literal(stage.name)}", fee
            )
        )
    if case.interest is not None and (acts.email or acts.letter):
        out.extend(
            ActionShape(a.kind, a.stage, a.template, literal(a.reason), a.amount, a.invoices)
            for a in _interest_actions(case, stage.name, as_of, notes)
        )
    if acts.fee_percent is not None and case.overdue:
        out.append(
            ActionShape(
                "fee", stage.name, None, f"{acts.fee_percent}% of {OVERDUE} overdue",
                percent=acts.fee_percent,
            )
        )  # fmt: skip
    return out


def safety_review(customer: str, as_of: date) -> date:
    """The safety net's day: at the latest REVIEW_EVERY days on, less a spread of up to
    SPREAD - 1 days by customer, so that a book's safety-net looks do not fall on one
    day."""
    return as_of + timedelta(days=REVIEW_EVERY - zlib.crc32(customer.encode()) % SPREAD)


def next_review_with_safety(found: date | None, customer: str, as_of: date) -> date:
    """The day a case asks to be looked at again: the first day on which something
    changes by itself (`found`, None when nothing does), or the safety net's day."""
    safety = safety_review(customer, as_of)
    return safety if found is None or safety < found else found


def _interest_actions(
    case: CaseFacts, stage: str, as_of: date, notes: list[str]
) -> list[PlannedAction]:
    """Interest accrued since the last charge of this cycle, and the statutory
    compensation for each invoice past due that has not had it in this cycle
    (`case.compensated`; see `recoup.domain.accrual`). Each reason is made from the
    figures the action charges."""
    terms = case.interest
    assert terms is not None
    late = tuple(
        i.number
        for i in case.invoices
        if i.due_date < as_of and i.minor > 0 and i.number not in case.compensated
    )
    accrued = accrue(
        ((i.number, i.due_date, i.open) for i in case.invoices),
        as_of,
        terms,
        compensate=late if terms.compensation else (),
    )
    if accrued is None:
        return []
    notes.extend(literal(n) for n in accrued.notes)
    out = []
    increment = accrued.interest.minor - case.interest_charged
    if increment > 0:
        charged = Money(case.interest_charged, case.currency)
        workings = "; ".join(f"{n}: {m}" for n, m in accrued.per_invoice)
        out.append(
            PlannedAction(
                "interest",
                stage,
                tuple(n for n, _m in accrued.per_invoice),
                Money(increment, case.currency),
                None,
                f"{terms.describe()} to {as_of}: {accrued.interest} accrued ({workings}), "
                f"{charged} charged before in this cycle",
            )
        )
    if accrued.compensation.minor > 0:
        compensated = tuple(sorted(accrued.compensated))
        out.append(
            PlannedAction(
                "fee",
                stage + COMPENSATION_SUFFIX,
                tuple(n for n, _m in compensated),
                accrued.compensation,
                None,
                f"statutory {compensation_words(compensated)}",
            )
        )
    return out


def _hold_words(debtor: Debtor, as_of: date) -> str:
    held = [h.words() for h in debtor.holds if h.in_force(as_of)]
    return f" ({'; '.join(held)})" if held else ""


def _gap_words(debtor: Debtor, policy: Policy, day: date | None, as_of: date) -> str:
    """The last contact and the gap, when the gap is what holds a contact back today."""
    if day is None or not debtor.contacts:
        return ""
    last = max(c.at for c in debtor.contacts).date()
    gap = policy.contact.min_gap_days
    if last + timedelta(days=gap) <= as_of:
        return ""  # long enough ago: something else (a weekend, a holiday, a hold) waits
    return f" (last contact {last}, minimum gap {gap} days)"


def contact_window(policy: Policy) -> int:
    """How many days back a case's contacts can matter to its plan: the minimum gap or
    the weekly cap's seven days, and a day either side for a time zone's date line
    (`_gap_words` names the last contact only when the gap holds a contact back)."""
    return max(policy.contact.min_gap_days, 7) + 2


def _next_recommendation_day(
    case: CaseFacts,
    policy: Policy,
    as_of: date,
    oldest_due: date,
    balance: Money,
    done: dict[str, date],
    today: set[str],
    final_today: bool,
    barred: bool,
) -> date | None:
    """The first day after `as_of` on which an escalation or write-off recommendation
    not made yet may apply, counting only what changes by itself with the days (the
    days past due, the final notice becoming "earlier"): so that the incremental run looks
    again exactly then, as a full re-evaluation would. None when no rule can apply by
    waiting (a payment, a broken promise or a policy change queues the account anyway)."""
    finals = _final_names(policy.stages)
    if finals and not final_today and not any(f in done for f in finals):
        return None  # the final notice comes first; its stage has its own review day
    # recommendations made today are done; the rest may apply from tomorrow (also those
    # waiting for today's final notice to become an earlier day's)
    gate = as_of + timedelta(days=1)
    days: list[date] = []
    for rule in policy.escalation.recommend:
        key = f"recommend:{rule.step.value}"
        if key in done or key in today or barred or rule.no_response_days is not None:
            continue
        if rule.broken_promises is not None and case.broken_promises < rule.broken_promises:
            continue
        if rule.band.contains(balance):
            days.append(max(gate, oldest_due + timedelta(days=rule.after_days or 0)))
    key = "recommend:write_off"
    if key not in done and key not in today:
        for wo in policy.escalation.write_off:
            if wo.no_response_days is None and wo.band.contains(balance):
                days.append(max(gate, oldest_due + timedelta(days=wo.after_days)))
    return min(days) if days else None


@by_identity
def _step_names(steps: tuple[tuple[Stage, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(s.name for s in step) for step in steps)


@by_identity
def _final_names(stages: tuple[Stage, ...]) -> frozenset[str]:
    return frozenset(s.name for s in stages if s.tone is Tone.FINAL)


def _recommendations(
    case: CaseFacts,
    policy: Policy,
    as_of: date,
    dpd: int,
    balance: Money,
    done: dict[str, date],
) -> list[ActionShape]:
    out: list[ActionShape] = []
    finals = _final_names(policy.stages)
    if finals and not any(done[f] < as_of for f in finals if f in done):
        # hand-offs are recommended only after the final notice went out (on an earlier
        # day, so that a second run of the same day plans exactly what the first did)
        return out
    for rule in policy.escalation.recommend:
        key = f"recommend:{rule.step.value}"
        if key in done:
            continue
        if rule.applies(max(dpd, 0), balance, case.broken_promises, None):
            out.append(
                ActionShape(
                    "escalate",
                    key,
                    None,
                    f"the plan recommends {literal(rule.step.value)}: {dpd} days past due, "
                    f"balance {BALANCE}",
                )
            )
    for wo in policy.escalation.write_off:
        key = "recommend:write_off"
        if key in done or any(a.stage == key for a in out):
            continue
        if wo.applies(max(dpd, 0), balance, None):
            out.append(
                ActionShape(
                    "write_off_recommendation",
                    key,
                    None,
                    f"the plan recommends writing off: {dpd} days past due, balance {BALANCE}",
                )
            )
    return out
