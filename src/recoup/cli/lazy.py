"""Commands and services imported when they are used, not when `recoup` starts.

Running a command imports only the CLI module that adds it (`lazy_group`, with the
table in `recoup.cli.app`). `recoup --help` builds every command, so every CLI module is
imported; if they imported their services at the top, each start would pay for
SQLAlchemy, reportlab, pyarrow, Jinja2 ... whatever any command needs. A CLI module
names its services instead as

    if TYPE_CHECKING:
        from recoup.services import reports
    else:
        reports = lazy("recoup.services.reports")

and `reports.aging(...)` imports `recoup.services.reports` on that first call (the
real import under TYPE_CHECKING keeps mypy's checks and the import contracts). Names a
command's signature needs (an enum of choices) come from light modules only.
`tests/test_startup.py` checks that the heavy libraries stay out of `recoup --help` and
out of the light commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from typer.core import TyperGroup

if TYPE_CHECKING:
    import typer
    from typer import _click as click  # Typer's own Click (the types TyperGroup uses)


class LazyModule:
    """A module imported on first use of one of its names."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy(name: str) -> Any:
    """`name`, a module, imported when one of its names is first read."""
    return LazyModule(name)


Registrar = Callable[["typer.Typer"], None]


def lazy_group(sections: Sequence[tuple[Registrar, Sequence[str]]]) -> type[TyperGroup]:
    """A root group whose commands are registered and built when one is run.

    `sections` pairs a registrar (it adds one module's commands to a Typer) with the
    top-level names it adds. Running `recoup aging` imports and builds only the module
    that has `aging`; `recoup --help`, completion, and a name no section lists load them
    all (so a command missing from the table still works, only slower; a test holds the
    table to what the registrars add).
    """
    where = {name: register for register, names in sections for name in names}
    order = [name for _register, names in sections for name in names]

    class LazyGroup(TyperGroup):
        def _load(self, register: Registrar) -> None:
            loaded: set[Registrar] = self.__dict__.setdefault("_loaded", set())
            if register in loaded:
                return
            loaded.add(register)
            import typer.main

            part = typer.Typer(rich_markup_mode=self.rich_markup_mode, add_completion=False)
            register(part)
            for name, command in typer.main.get_group(part).commands.items():
                self.commands.setdefault(name, command)

        def _load_all(self) -> None:
            for register, _names in sections:
                self._load(register)

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            if cmd_name not in self.commands:
                register = where.get(cmd_name)
                if register is not None:
                    self._load(register)
                if cmd_name not in self.commands:
                    self._load_all()
            return super().get_command(ctx, cmd_name)

        def list_commands(self, ctx: click.Context) -> list[str]:
            self._load_all()
            listed = [name for name in order if name in self.commands]
            return listed + [name for name in self.commands if name not in listed]

    return LazyGroup
