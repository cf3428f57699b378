"""The case actions on the account page: which forms an account may use, and the one
route every form posts to (`POST /customers/{key}/case/{name}`). A refused form comes
back with the errors beside its fields (status 422); an accepted one redirects to the
account (303) with the new entry at the top of the timeline. The book's work runs in
the threadpool, never on the event loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from recoup import i18n
from recoup.domain.casework.errors import CaseworkError
from recoup.services import accounts
from recoup.services.accounts import Account
from recoup.services.book import Book
from recoup.services.users import User
from recoup.web.auth import Collector
from recoup.web.context import AsOf, BookDep
from recoup.web.errors import NotFound
from recoup.web.routes.casework import (
    agency,
    calls,
    disputes,
    plans,
    promises,
    settlements,
    writeoffs,
)
from recoup.web.routes.casework.forms import CaseForm, Choices, FormError, FormSpec, FormState
from recoup.web.routes.casework.timeline import TIMELINE_ID

router = APIRouter()

FLASH = "casework_flash"

Handler = Callable[[Book, str, str, date, Any], str]
# name -> (the form as drawn, what it does), in the order the page shows them
FORMS: dict[str, tuple[FormSpec, Handler]] = {
    form.name: (FormSpec.of(form), act)
    for form, act in (
        (calls.NoteForm, calls.note),
        (calls.CallForm, calls.call),
        (promises.PromiseForm, promises.promise),
        (plans.PlanForm, plans.plan),
        (settlements.SettlementForm, settlements.offer),
        (settlements.SettlementAcceptForm, settlements.accept),
        (disputes.DisputeForm, disputes.open_dispute),
        (disputes.DisputeResolveForm, disputes.resolve),
        (agency.AgencyPlaceForm, agency.place),
        (agency.AgencyRecoveryForm, agency.recovery),
        (agency.AgencyRecallForm, agency.recall),
        (writeoffs.WriteOffForm, writeoffs.write_off),
    )
}
_CHECKED: set[type[CaseForm]] = {spec.form for spec, _act in FORMS.values()}


def form_choices(book: Book, acct: Account) -> dict[str, Choices]:
    """The lists some fields choose from, for this account."""
    key = str(acct.customer["key"])
    return {
        "currencies": tuple((m.currency, m.currency) for m in acct.balances),
        "offered": settlements.offered(book, key),
        "open_invoices": disputes.open_invoices(acct),
        "open_disputes": disputes.open_disputes(book, key),
        **agency.placement_lists(book, key),
    }


def form_states(book: Book, acct: Account, failed: FormState | None = None) -> dict[str, FormState]:
    """Every form that can be used on this account (one that needs a list the account
    does not have, such as an offered settlement, is left out)."""
    choices = form_choices(book, acct)
    states = {
        name: FormState(spec, choices)
        for name, (spec, _act) in FORMS.items()
        if all(
            choices.get(f.select.source)
            for f in spec.fields
            if f.required and f.select is not None and f.select.source
        )
        and (not spec.needs or choices.get(spec.needs))
    }
    if failed is not None:
        states[failed.spec.name] = failed
    return states


@router.post("/customers/{key}/case/{action}", response_class=Response)
async def case_action(
    request: Request, user: Collector, book: BookDep, key: str, action: str, as_of: AsOf
) -> Response:
    if action not in FORMS:
        raise NotFound(f"There is no case action {action!r}.")
    raw = await request.form()  # the only awaited part: the rest works on the book
    posted = {f.name: str(raw.get(f.name) or "") for f in FORMS[action][0].fields}
    return await run_in_threadpool(_act, request, user, book, key, action, as_of, posted)


def _act(
    request: Request,
    user: User,
    book: Book,
    key: str,
    action: str,
    as_of: date,
    posted: dict[str, str],
) -> Response:
    spec, act = FORMS[action]
    acct = accounts.account(book, key, as_of)  # 404 for an unknown customer
    choices = form_choices(book, acct)
    locale = i18n.current().locale  # the figures' locale of this reader (recoup.web.language)
    try:
        message = act(book, key, user.username, as_of, spec.check(posted, choices, locale))
    except FormError as err:
        state = FormState(spec, choices, posted, err.errors)
        return _refused(request, user, book, key, as_of, state)
    except CaseworkError as err:
        state = FormState(spec, choices, posted, {"": str(err)})
        return _refused(request, user, book, key, as_of, state)
    request.session[FLASH] = message
    target = f"/customers/{quote(key, safe='')}"
    if "as_of" in request.query_params:
        target += f"?as_of={as_of.isoformat()}"
    return RedirectResponse(target + f"#{TIMELINE_ID}", status_code=303)


def _refused(
    request: Request, user: User, book: Book, key: str, as_of: date, state: FormState
) -> Response:
    from recoup.web.routes import customers  # the account page (which imports this package)

    return customers.render_account(request, user, book, key, as_of, [], failed=state)
