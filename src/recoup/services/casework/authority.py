"""The one check of an actor's authority, for every path that reduces what a customer
owes (`recoup.domain.casework.authority` is the rule), and the role checks of the
owner's and collector's other steps.

Who the actor is: a web user acts with their role (a disabled user with none); an actor
that is not a web user is whoever runs the CLI or the daily run on the book's machine,
and acts as the owner, as every other CLI command does. The CLI's `--actor` may name a
web user: that user's role and limits then apply.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from recoup.domain.casework.authority import Outcome, Reduction, Role, Verdict, decide
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.policy import Policy
from recoup.store import user_repo

__all__ = ["Role", "Verdict", "check", "require_collector", "require_owner", "role_of"]


def role_of(conn: Connection, actor: str) -> Role | None:
    """The role `actor` acts with; None for a disabled web user (who may do nothing)."""
    user = user_repo.get_user(conn, actor)
    if user is None:
        return Role.OWNER
    if user.get("disabled_at") is not None:
        return None
    try:
        return Role(str(user["role"]))
    except ValueError:
        return None


def _role(conn: Connection, actor: str, what: str) -> Role:
    role = role_of(conn, actor)
    if role is None:
        raise CaseworkError(f"{actor} may not {what}: the user is disabled")
    return role


def check(conn: Connection, actor: str, policy: Policy, reduction: Reduction) -> Verdict:
    """The verdict on `reduction` asked for by `actor`: allowed now, or waiting for an
    owner (`Outcome.NEEDS_OWNER`). Refused (CaseworkError) when the actor may not make
    it at all."""
    role = _role(conn, actor, "take anything off what a customer owes")
    verdict = decide(role, policy.authority, reduction)
    if verdict.outcome is Outcome.REFUSED:
        raise CaseworkError(verdict.reason)
    return verdict


def require_owner(conn: Connection, actor: str, what: str) -> None:
    """Refuse `what` to an actor who does not act as an owner."""
    role = _role(conn, actor, what)
    if role is not Role.OWNER:
        raise CaseworkError(f"only an owner may {what}; {actor} is a {role.value}")


def require_collector(conn: Connection, actor: str, what: str) -> None:
    """Refuse `what` to a viewer (a collector or an owner may)."""
    role = _role(conn, actor, what)
    if role is Role.VIEWER:
        raise CaseworkError(f"a viewer may not {what}; {actor} is a viewer")
