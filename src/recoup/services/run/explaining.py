"""Why each action would or would not be taken for one customer on a day
(`recoup explain`, the account page's next steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from recoup.domain.collection import (
    plan_case,
)
from recoup.services.book import Book
from recoup.services.casework import holds
from recoup.services.policy import active_policy
from recoup.services.run.facts import applying_holds, case_inputs, charges_compensation
from recoup.store import point_in_time, run_repo


@dataclass
class Explanation:
    customer: str
    as_of: date
    policy_version: int
    cases: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "cases": self.cases,
        }


class UnknownCustomerError(LookupError):
    pass


def explain(book: Book, customer_key: str, as_of: date) -> Explanation:
    """Why each action would or would not be taken for this customer on `as_of`."""
    version, policy = active_policy(book)
    with book.read() as conn:
        cid = conn.exec_driver_sql(
            "SELECT id FROM customers WHERE key = ?"
            if book.is_sqlite
            else "SELECT id FROM customers WHERE key = %s",
            (customer_key,),
        ).scalar()
        if cid is None:
            raise UnknownCustomerError(f"no customer {customer_key!r}")
        past = point_in_time.moved_past(conn, as_of)
        data = run_repo.load(
            conn, [cid], as_of, past=past, compensated=charges_compensation(policy)
        )[0]
        mine = applying_holds(policy, holds.holds_for(conn, [cid], as_of, past=past).get(cid, ()))
        disputed = holds.disputed_parts(conn, [cid], as_of if past else None).get(cid)
        broken = holds.broken_promises_for(conn, [cid], as_of).get(cid, 0)
    cases = []
    for case in case_inputs(
        data, holds=mine, disputed=disputed, policy=policy, broken_promises=broken
    ):
        plan = plan_case(case, policy, as_of)
        done = [f"{stage} on {day}" for stage, day in sorted(set(case.done), key=lambda x: x[1])]
        cases.append(
            {
                "currency": case.currency,
                "notes": list(plan.notes),
                "done_this_cycle": done,
                "would_do": [f"{a.kind} ({a.stage}): {a.reason}" for a in plan.actions],
                "waiting": list(plan.skipped),
                "upcoming": [f"{name} not before {day}" for name, day in plan.upcoming],
                "next_review": plan.next_review.isoformat() if plan.next_review else None,
            }
        )
    return Explanation(customer_key, as_of, version, cases)
