"""What every case command shares (its options are in `options`): the day and the actor
they default to, the refusals turned into exit codes, the result shown, and the
services, imported when a command first uses them."""

from __future__ import annotations

import functools
import getpass
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

import typer

from recoup.cli.casework.options import Actor, AsJson, OnDay
from recoup.cli.context import EXIT_NOT_FOUND, EXIT_REFUSED, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, print_json
from recoup.clock import local_today
from recoup.domain.casework.errors import CaseworkError
from recoup.services.errors import NotFoundError

if TYPE_CHECKING:
    from recoup.services import casework
    from recoup.services.book import Book
    from recoup.services.casework import (
        agency,
        calls,
        credit_requests,
        disputes,
        holds,
        plans,
        promises,
        settlements,
        tasks,
        writeoffs,
    )
else:  # imported when a command first uses them (recoup.cli.lazy)
    casework = lazy("recoup.services.casework")
    agency = lazy("recoup.services.casework.agency")
    calls = lazy("recoup.services.casework.calls")
    credit_requests = lazy("recoup.services.casework.credit_requests")
    disputes = lazy("recoup.services.casework.disputes")
    holds = lazy("recoup.services.casework.holds")
    plans = lazy("recoup.services.casework.plans")
    promises = lazy("recoup.services.casework.promises")
    settlements = lazy("recoup.services.casework.settlements")
    tasks = lazy("recoup.services.casework.tasks")
    writeoffs = lazy("recoup.services.casework.writeoffs")

__all__ = [
    "Call",
    "act",
    "act_by",
    "actor_of",
    "agency",
    "call",
    "calls",
    "casework",
    "changes",
    "credit_requests",
    "day_of",
    "disputes",
    "do",
    "holds",
    "plans",
    "promises",
    "refusals",
    "settlements",
    "show",
    "tasks",
    "writeoffs",
]  # fmt: skip

T = TypeVar("T")


def _default_actor() -> str:
    try:
        return getpass.getuser() or "cli"
    except (KeyError, OSError):
        return "cli"


def day_of(value: datetime | date | None) -> date:
    """The day an option names (today when it names none)."""
    if value is None:
        return local_today()
    return value.date() if isinstance(value, datetime) else value


def actor_of(value: str | None) -> str:
    return value or _default_actor()


@contextmanager
def refusals() -> Iterator[None]:
    """A customer not found: exit 3; a refusal of the case work: exit 1, with its reason."""
    try:
        yield
    except NotFoundError as err:
        err_console.print(str(err), markup=False)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except CaseworkError as err:
        err_console.print(f"Refused: {err}", markup=False)
        raise typer.Exit(EXIT_REFUSED) from None


def do(ctx: typer.Context, action: Callable[[Book], T]) -> T:
    """`action` on the command's book, its refusals turned into exit codes."""
    with refusals():
        return action(state(ctx).book)


def show(result: Any, as_json: bool, words: Callable[[dict[str, Any]], str]) -> None:
    """The result as JSON, or in words."""
    data = result.to_json()
    if as_json:
        print_json(data)
    else:
        console.print(words(data), markup=False)


def act(
    ctx: typer.Context,
    as_json: bool,
    words: Callable[[dict[str, Any]], str],
    action: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> None:
    """`action(book, *args, **kwargs)` on the command's book, its result shown (`show`)."""
    show(do(ctx, lambda b: action(b, *args, **kwargs)), as_json, words)


def act_by(
    ctx: typer.Context,
    as_json: bool,
    words: Callable[[dict[str, Any]], str],
    action: Callable[..., Any],
    *args: Any,
    actor: str | None,
    on: datetime | date | None,
    **kwargs: Any,
) -> None:
    """`act` for a change someone makes on a day: `--actor` and `--on` as given, else
    your login name and today."""
    act(ctx, as_json, words, action, *args, actor=actor_of(actor), on=day_of(on), **kwargs)


@dataclass(frozen=True)
class Call:
    """What a case command asks of its service: `action(book, *args, **kwargs)`, its
    result shown by `words` (else by the command's own words, see `changes`)."""

    action: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    words: Callable[[dict[str, Any]], str] | None = None


def call(action: Callable[..., Any], *args: Any, **kwargs: Any) -> Call:
    return Call(action, args, kwargs)


def changes(
    app: typer.Typer | None,
    name: str | None,
    words: Callable[[dict[str, Any]], str] | None = None,
) -> Callable[[Callable[..., Call]], Callable[..., None]]:
    """Register the decorated function as the command `name` of `app` (none: the caller
    registers it), a change someone makes on a day. The function takes the command's own
    arguments and options and returns the `Call` to make; the command gets the options
    every such command has (`--on`, `--actor`, `--json`), runs the call on the book as
    `act_by` does and shows the result in `words` (or the call's own)."""

    def register(fn: Callable[..., Call]) -> Callable[..., None]:
        hints = get_type_hints(fn, include_extras=True)
        own = [
            p.replace(annotation=hints[p.name]) for p in inspect.signature(fn).parameters.values()
        ]
        shared = [
            inspect.Parameter("on", _KEYWORD, default=None, annotation=OnDay),
            inspect.Parameter("actor", _KEYWORD, default=None, annotation=Actor),
            inspect.Parameter("as_json", _KEYWORD, default=False, annotation=AsJson),
        ]
        ctx = inspect.Parameter("ctx", _KEYWORD, annotation=typer.Context)

        @functools.wraps(fn)
        def command(ctx: typer.Context, **given: Any) -> None:
            on, actor, as_json = given.pop("on"), given.pop("actor"), given.pop("as_json")
            wanted = fn(**given)
            said = wanted.words or words
            assert said is not None, f"{name}: no words for its result"
            act_by(
                ctx, as_json, said, wanted.action, *wanted.args, actor=actor, on=on,
                **wanted.kwargs,
            )  # fmt: skip

        params = [ctx, *own, *shared]
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        if app is not None:
            app.command(name)(command)
        return command

    return register


_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
