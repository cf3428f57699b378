"""The daily run: decide -> record -> (later) deliver, for every case that needs a look.

Where each part lives:

| module         | what it holds                                                        |
|----------------|----------------------------------------------------------------------|
| `daily`        | `run`: the customers to look at, in batches; planning ahead in forks |
| `deciding`     | `plan_batch`: what a batch's cases get today, nothing written yet     |
| `facts`        | a case's input for the planning rule, read in full (`case_inputs`)   |
| `sketch_facts` | `SketchFacts`: sketched cases as `CaseFacts`, each decided once      |
| `recording`    | `write_batch`: a decided batch written set-based; `RunReport`        |
| `history_json` | the history entry's data, hand-written equal to `data_text`          |
| `store`        | `RunStore`: the run's tuning of the book (collector, PRAGMAs)        |
| `workers`      | the forked planning processes                                        |
| `explaining`   | `explain`: why each action would or would not be taken               |
| `worklist`     | `worklist`: the run's tasks for people, by priority                  |
| `outbox`       | `list_outbox`: what the run queued                                   |

The package's names are imported from their modules when first read (PEP 562
`__getattr__`): `recoup worklist` reads the worklist's part and does not pay for the
planning, the forked workers and the recording (tests/test_startup.py holds that). The
worklist's own names are imported at once: its module is named `worklist` too, and
importing it later would put the module where the function `worklist` belongs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from recoup.services.run.worklist import WorkItem, task_count, worklist

if TYPE_CHECKING:
    from recoup.services.run.daily import BATCH, WORKERS_VARIABLE, run
    from recoup.services.run.deciding import BatchPlan, plan_batch
    from recoup.services.run.explaining import Explanation, UnknownCustomerError, explain
    from recoup.services.run.facts import applying_holds, case_inputs, interest_terms
    from recoup.services.run.outbox import list_outbox
    from recoup.services.run.recording import RunReport

# name -> the module that holds it, imported when the name is first read
_LAZY = {
    "BATCH": "daily",
    "WORKERS_VARIABLE": "daily",
    "run": "daily",
    "BatchPlan": "deciding",
    "plan_batch": "deciding",
    "Explanation": "explaining",
    "UnknownCustomerError": "explaining",
    "explain": "explaining",
    "applying_holds": "facts",
    "case_inputs": "facts",
    "interest_terms": "facts",
    "list_outbox": "outbox",
    "RunReport": "recording",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # read once: later reads find it without this function
    return value


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
    "task_count",
    "worklist",
]
