"""Pages for the owner: the users of the web UI (add, change role, reset password,
disable, end their sessions), and the assignment of accounts to collectors
(`recoup.web.routes.assignments`, included here under /admin).

"Sign out everywhere" (for one user, or for every user at once), disabling a user and
a new password end their sessions at once (`recoup.services.sessions`); a disabled
user cannot log in until enabled again. An owner cannot disable themselves or change
their own role (there would be no one left to undo it, perhaps); the last enabled owner
stays an owner (`users.set_role`).

What the page says after a change is a flash (`recoup.web.flash`): its words are in
`_flash.html`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from recoup.i18n import gettext as _
from recoup.services import assignments as assignment_service
from recoup.services import sessions, users
from recoup.services.users import Role
from recoup.web.auth import Owner
from recoup.web.context import BookDep, render
from recoup.web.errors import BadRequest
from recoup.web.flash import flash, take_flash
from recoup.web.routes import assignments

router = APIRouter(prefix="/admin")

Username = Annotated[str, Form(max_length=64)]


@router.get("/users", response_class=Response)
def user_list(request: Request, _user: Owner, book: BookDep) -> Response:
    return render(
        request,
        "admin_users.html",
        {
            "active": "users",
            "users": users.list_users(book),
            "open": sessions.open_counts(book),
            "held": assignment_service.counts_by_user(book),
            "roles": [r.value for r in Role],
            "flash": take_flash(request),
        },
    )


def _back(request: Request, say: str, **values: Any) -> Response:
    flash(request, say, **values)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/add", response_class=Response)
def add_user(
    request: Request,
    _user: Owner,
    book: BookDep,
    username: Username,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        users.add_user(book, username, password, role)
    except users.UserError as err:
        return _back(request, "error", text=str(err), username=username, role=role.value)
    return _back(request, "added", username=username.strip(), role=role.value)


@router.post("/users/role", response_class=Response)
def change_role(
    request: Request,
    user: Owner,
    book: BookDep,
    username: Username,
    role: Annotated[Role, Form()],
) -> Response:
    if username == user.username:
        raise BadRequest(_("You cannot change your own role; another owner can."))
    try:
        users.set_role(book, username, role)
    except users.UserError as err:
        return _back(request, "error", text=str(err))
    return _back(request, "role", username=username, role=role.value)


@router.post("/users/password", response_class=Response)
def reset_password(
    request: Request,
    _user: Owner,
    book: BookDep,
    username: Username,
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        ended = users.set_password(book, username, password)
    except users.UserError as err:
        return _back(request, "error", text=str(err))
    return _back(request, "password", username=username, ended=ended)


@router.post("/users/signout-all", response_class=Response)
def sign_out_everyone(request: Request, _user: Owner, book: BookDep) -> Response:
    ended = sessions.end_for_everyone(book)
    return _back(request, "signed_out_all", ended=ended)


@router.post("/users/signout", response_class=Response)
def sign_out_user(
    request: Request,
    _user: Owner,
    book: BookDep,
    username: Username,
) -> Response:
    ended = sessions.end_for_user(book, username)
    return _back(request, "signed_out", username=username, ended=ended)


@router.post("/users/disable", response_class=Response)
def disable_user(
    request: Request,
    user: Owner,
    book: BookDep,
    username: Username,
    disabled: Annotated[bool, Form()] = True,
) -> Response:
    if disabled and username == user.username:
        raise BadRequest(_("You cannot disable yourself; another owner can."))
    ended = users.set_disabled(book, username, disabled)
    if not disabled:
        return _back(request, "enabled", username=username)
    return _back(request, "disabled", username=username, ended=ended)


router.include_router(assignments.router)
