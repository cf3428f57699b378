"""Pages for the owner: the users of the web UI."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recoup.services import users
from recoup.web.auth import Owner
from recoup.web.context import BookDep, render

router = APIRouter(prefix="/admin")


@router.get("/users", response_class=Response)
def user_list(request: Request, _user: Owner, book: BookDep) -> Response:
    return render(request, "admin_users.html", {"active": "users", "users": users.list_users(book)})
