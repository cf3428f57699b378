"""What a page says after a change (a *flash*): a key and its values kept in the session
for the next page, written out in words by the template `_flash.html`, which holds every
such message in one place (for the translations)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

FLASH = "users_flash"  # the session's key (named when the users page was the only one)


def flash(request: Request, say: str, **values: Any) -> None:
    """Keep a message for the next page: `say` names it in `_flash.html`."""
    request.session[FLASH] = {"say": say, **values}


def take_flash(request: Request) -> dict[str, Any] | None:
    """The message kept for this page (once), or None."""
    found = request.session.pop(FLASH, None)
    return found if isinstance(found, dict) else None
