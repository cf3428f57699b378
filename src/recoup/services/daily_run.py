"""The daily run's former module name, kept for the many tests and scripts that import
it: everything here is `recoup.services.run` (see its modules for what each holds)."""

from __future__ import annotations

from recoup.services.run import (
    BATCH,
    WORKERS_VARIABLE,
    BatchPlan,
    Explanation,
    RunReport,
    UnknownCustomerError,
    WorkItem,
    applying_holds,
    case_inputs,
    explain,
    interest_terms,
    list_outbox,
    plan_batch,
    run,
    worklist,
)

__all__ = [
    "BATCH",
    "WORKERS_VARIABLE",
    "BatchPlan",
    "Explanation",
    "RunReport",
    "UnknownCustomerError",
    "WorkItem",
    "applying_holds",
    "case_inputs",
    "explain",
    "interest_terms",
    "list_outbox",
    "plan_batch",
    "run",
    "worklist",
]
