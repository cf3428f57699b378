"""Pages for the owner: the users of the web UI, and ending their sessions.

"Sign out everywhere" (for one user, or for every user at once) and disabling a user
end their sessions at once (`recoup.services.sessions`); a disabled user cannot log in
until enabled again. An owner cannot disable themselves (there would be no one left to
enable them, perhaps).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from recoup.domain.words import count
from recoup.services import sessions, users
from recoup.web.auth import Owner
from recoup.web.context import BookDep, render
from recoup.web.errors import BadRequest

router = APIRouter(prefix="/admin")

FLASH = "users_flash"


@router.get("/users", response_class=Response)
def user_list(request: Request, _user: Owner, book: BookDep) -> Response:
    return render(
        request,
        "admin_users.html",
        {
            "active": "users",
            "users": users.list_users(book),
            "open": sessions.open_counts(book),
            "flash": str(request.session.pop(FLASH, "") or ""),
        },
    )


def _back(request: Request, message: str) -> Response:
    request.session[FLASH] = message
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/signout-all", response_class=Response)
def sign_out_everyone(request: Request, _user: Owner, book: BookDep) -> Response:
    ended = sessions.end_for_everyone(book)
    return _back(request, f"Signed out everywhere: {count(ended, 'session')} ended.")


@router.post("/users/signout", response_class=Response)
def sign_out_user(
    request: Request,
    _user: Owner,
    book: BookDep,
    username: Annotated[str, Form(max_length=64)],
) -> Response:
    ended = sessions.end_for_user(book, username)
    return _back(request, f"{username} is signed out everywhere: {count(ended, 'session')} ended.")


@router.post("/users/disable", response_class=Response)
def disable_user(
    request: Request,
    user: Owner,
    book: BookDep,
    username: Annotated[str, Form(max_length=64)],
    disabled: Annotated[bool, Form()] = True,
) -> Response:
    if disabled and username == user.username:
        raise BadRequest("You cannot disable yourself; another owner can.")
    ended = users.set_disabled(book, username, disabled)
    if not disabled:
        return _back(request, f"{username} may log in again.")
    return _back(request, f"{username} is disabled: {count(ended, 'session')} ended.")
