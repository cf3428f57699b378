"""Deciding a batch of customers: what each of their cases gets today, before anything
is written (`BatchPlan`).

With a plan that charges no interest, cases with equal facts share one decision
(`recoup.domain.shared_plans`), made from a sketch of each customer
(`recoup.store.sketch_repo`); the actions of the cases that get any are made from their
shapes with their own figures (`collection.fill`). Other cases are read in full and
planned one by one (`plan_case`). Both ways decide the same; the property tests compare
them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from recoup.domain.collection import (
    CaseShape,
    OpenSummary,
    PlannedAction,
    fill,
    next_review_with_safety,
    plan_case,
)
from recoup.domain.contact_rules import Hold
from recoup.domain.policy import InterestKind, Policy
from recoup.services.casework import holds
from recoup.services.run.facts import (
    applying_holds,
    case_inputs,
    charges_compensation,
)
from recoup.services.run.history_json import data_tail, entry_words, json_list
from recoup.services.run.sketch_facts import SketchFacts
from recoup.store import driver, run_repo, sketch_repo, steps
from recoup.store.run_repo import CustomerData
from recoup.store.sketch_repo import Sketch


@dataclass
class BatchPlan:
    """What planning a batch of customers decided, before anything is written: made in
    the writer's transaction, or ahead of it by a planning process (`parallel`)."""

    ids: list[int]
    reviewed: int = 0
    upserts: list[tuple[int, str, date, date | None]] = field(default_factory=list)
    ended: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # customer id, entry
    # the new actions: each one's row (in `run_repo.ACTION_COLUMNS` order) and what else
    # is written of it (`Written`): made here, in a planning process when there are
    # some, so that the writer only adds ids (and a plan sent between processes carries
    # plain values only)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)
    past: bool = False  # planned for a day the book has moved past: the queue stays


def plan_batch(
    conn: Any,
    ids: list[int],
    policy: Policy,
    version: int,
    as_of: date,
    *,
    shared_plans: bool = True,
    facts: SketchFacts | None = None,
    past: bool = False,
) -> BatchPlan:
    """Plan every case of these customers as the book stands in `conn`'s transaction;
    nothing is written.

    With a plan that charges no interest, each case is decided by its facts
    (`recoup.domain.shared_plans`, made by `facts`: the run's, or one for this batch)
    from a sketch of the customer (`recoup.store.sketch_repo`), and the actions of
    those that get any are made from
    their shapes with their own figures (`collection.fill`), read for them alone.
    Customers with disputed parts (read invoice by invoice), and every customer under a
    plan that charges interest or with `shared_plans=False`, are read in full and
    planned case by case (`plan_case`). Both ways decide the same; the tests compare
    them. `past`: `as_of` is a day the book has moved past
    (`recoup.store.point_in_time`); everything is read as it was known then."""
    out = BatchPlan(ids, past=past)
    in_force = holds.holds_for(conn, ids, as_of, past=past)
    disputed = holds.disputed_parts(conn, ids, as_of if past else None)
    broken = holds.broken_promises_for(conn, ids, as_of)
    later: list[int] = ids
    if shared_plans and policy.fees.interest is InterestKind.NONE:
        if facts is None:
            facts = SketchFacts(policy, as_of)
        day = driver.date_reader(conn)
        later = []
        acting: list[tuple[Sketch, list[tuple[str, CaseShape]]]] = []
        overdue = facts.plans.overdue_matters
        for sketch in sketch_repo.sketches(conn, ids, as_of, overdue=overdue, past=past):
            if sketch.id in disputed:
                later.append(sketch.id)
                continue
            shapes = facts.shapes(sketch, day, in_force, broken)
            if any(made.actions for _currency, made in shapes):
                acting.append((sketch, shapes))
            else:
                _add_plans(out, sketch, shapes, {}, day, version, as_of)
        if acting:
            figures = run_repo.open_summaries(conn, [s.id for s, _shapes in acting], as_of, past)
            for sketch, shapes in acting:
                _add_plans(out, sketch, shapes, figures.get(sketch.id, {}), day, version, as_of)
    if later:
        # a plan without interest needs each case's open invoices only added up (the
        # database does that); customers with disputed parts are read invoice by invoice
        summarize = policy.fees.interest is InterestKind.NONE
        for data in run_repo.load(
            conn,
            later,
            as_of,
            summarize=summarize,
            detail_for=set(disputed),
            past=past,
            compensated=charges_compensation(policy),
        ):
            _plan_customer(out, data, policy, version, as_of, in_force, disputed, broken)
    if len(later) < len(ids):
        # in the customers' order, as they came
        out.skipped.sort(key=_FIRST)
        if later and out.rows:
            order = sorted(range(len(out.rows)), key=lambda n: out.rows[n][0])
            out.rows = [out.rows[n] for n in order]
            out.written = [out.written[n] for n in order]
    return out


_FIRST = itemgetter(0)


def _add_plans(
    out: BatchPlan,
    sketch: Sketch,
    shapes: list[tuple[str, CaseShape]],
    figures: Mapping[str, OpenSummary],
    day: Callable[[Any], date],
    version: int,
    as_of: date,
) -> None:
    """What this customer's cases get from their shapes: what waits, the cases' new
    states and (with the cases' `figures`, for those that act) the new actions."""
    out.reviewed += 1
    for currency, made in shapes:
        next_review = next_review_with_safety(made.next_review, sketch.key, as_of)
        for why in made.skipped:
            out.skipped.append(
                (sketch.id, {"customer": sketch.key, "currency": currency, "reason": why})
            )
        known = sketch.cases.get(currency)
        cycle = as_of if known is None else day(known[0])
        stored = None if known is None or known[1] is None else day(known[1])
        if known is None or _look_again(stored, next_review, as_of):
            out.upserts.append((sketch.id, currency, cycle, next_review))
        if not made.actions:
            continue
        recorded = steps.kinds_and_stages(sketch.steps.get(currency, "")) if known else set()
        for action in fill(made, currency, figures[currency], cycle).actions:
            if (action.kind, action.stage) in recorded:
                continue  # recorded by an earlier run of this cycle
            _add_action(out, sketch.id, sketch.key, currency, cycle, action, version, as_of)
    for currency in sketch.cases.keys() - sketch.open.keys():
        out.ended.append((sketch.id, currency))  # nothing open in it any more


class Written(NamedTuple):
    """What is written of a planned action besides its row, but for its id: its step
    (`recoup.store.steps`), its history entry's kind, text and data (`history_json`),
    and its line of the run's report (whose "id" the writer sets)."""

    step: str
    history_kind: str
    history_text: str
    data_tail: str
    report: dict[str, Any]


def _add_action(
    out: BatchPlan,
    cid: int,
    key: str,
    currency: str,
    cycle: date,
    action: PlannedAction,
    version: int,
    as_of: date,
) -> None:
    invoices = json_list(action.invoices)
    amount = action.amount.to_json()
    kind, text = entry_words(action, currency, amount)
    out.rows.append(
        (
            cid, currency, cycle, as_of, action.kind, action.stage, invoices,
            action.amount.minor, action.template, action.reason, version, None,
        )
    )  # fmt: skip
    out.written.append(
        Written(
            steps.step(as_of, action.kind, action.stage, action.amount.minor),
            kind,
            text,
            data_tail(action, currency, amount, invoices, version),
            {
                "id": None,
                "customer": key,
                "kind": action.kind,
                "stage": action.stage,
                "invoices": list(action.invoices),
                "currency": currency,
                "amount": amount,
                "template": action.template,
                "reason": action.reason,
            },
        )
    )


def _look_again(stored: date | None, found: date | None, as_of: date) -> bool:
    """Whether a case's day to be looked at again is to be written: not when the day it
    has is still to come and no later than the one found now (a look on that day finds
    nothing new, and sets the next). A full run, which looks at every case, thus writes
    only the cases it found something about, instead of moving every case's safety net
    (200,000 writes on a large book)."""
    return stored is None or found is None or stored <= as_of or found < stored


def _plan_customer(
    out: BatchPlan,
    data: CustomerData,
    policy: Policy,
    version: int,
    as_of: date,
    in_force: Mapping[int, Sequence[Hold]],
    disputed: Mapping[int, Mapping[str, int]],
    broken: Mapping[int, int],
) -> None:
    """Plan this customer's cases one by one (`plan_case`)."""
    out.reviewed += 1
    mine = applying_holds(policy, in_force.get(data.id, ()))
    for case in case_inputs(
        data,
        holds=mine,
        disputed=disputed.get(data.id),
        policy=policy,
        broken_promises=broken.get(data.id, 0),
    ):
        plan = plan_case(case, policy, as_of, with_notes=False)
        cycle = plan.cycle_start if case.invoices or case.summary else None
        for why in plan.skipped:
            out.skipped.append(
                (data.id, {"customer": data.key, "currency": case.currency, "reason": why})
            )
        if cycle is not None:
            start, stored = data.cases.get(case.currency, (None, None))
            if start != cycle or _look_again(stored, plan.next_review, as_of):
                out.upserts.append((data.id, case.currency, cycle, plan.next_review))
        elif case.currency in data.cases:
            out.ended.append((data.id, case.currency))
        for action in plan.actions:
            assert cycle is not None
            if (case.currency, action.stage, action.kind) in data.recorded and data.cases.get(
                case.currency, (None, None)
            )[0] == cycle:
                continue  # recorded by an earlier run of this cycle
            _add_action(out, data.id, data.key, case.currency, cycle, action, version, as_of)
