"""Working a case on the account page: the history as a timeline (filtered by kind),
the call script, the settlement helper and a form for every case action. The forms are
in modules named as `recoup.services.casework`'s (calls, promises, plans, settlements,
disputes, agency, writeoffs), each a pydantic model (`forms`) with what it does; one
route (`actions`) takes them all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from recoup.domain.casework.errors import CaseworkError
from recoup.services.accounts import Account
from recoup.services.book import Book
from recoup.services.casework import calls as call_scripts
from recoup.services.users import Role, User
from recoup.web.routes.casework.actions import FLASH, FORMS, form_states, router
from recoup.web.routes.casework.forms import FormState
from recoup.web.routes.casework.settlements import helpers as settlement_helpers
from recoup.web.routes.casework.timeline import TIMELINE_ENTRIES_ID, TIMELINE_ID, timeline

__all__ = [
    "FLASH", "FORMS", "TIMELINE_ENTRIES_ID", "TIMELINE_ID", "FormState", "account_context",
    "router", "scripts", "timeline",
]  # fmt: skip


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


def scripts(book: Book, key: str, acct: Account, as_of: date) -> list[call_scripts.CallScript]:
    """The suggested call script for each currency the customer owes in."""
    out = []
    for m in acct.balances:
        if m.minor <= 0:
            continue
        try:
            out.append(call_scripts.call_script(book, key, as_of, m.currency))
        except CaseworkError:
            continue
    return out
