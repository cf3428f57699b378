"""State shared by the commands of one invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from recoup.cli.output import err_console

if TYPE_CHECKING:
    from recoup.services.book import Book
    from recoup.settings import Settings

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_STOPPED = 4  # delivery stopped early: the mail server could not be reached


@dataclass
class State:
    settings: Settings
    _book: Book | None = field(default=None)
    as_json: bool = False  # the command asked for --json: nothing but JSON on the output

    @property
    def book(self) -> Book:
        """The book `--db` names (recoup.db here by default), opened on first use. One
        that is not there, or cannot be opened, ends the command with one line and exit 2
        (`recoup init` and `recoup demo` make theirs with `open_book(create=True)`)."""
        if self._book is None:
            self.open_book()
        assert self._book is not None
        return self._book

    def open_book(self, create: bool = False, *, named: bool = True) -> Book:
        """Open (with `create`, make) the book; `named`: say which on stderr (a command
        whose own output names it says False)."""
        from recoup.services import business_details
        from recoup.services.book import Book, BookError

        try:
            book = Book.open(self.settings.database_url, create=create)
        except BookError as err:
            err_console.print(f"Error: {err}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_USAGE) from None
        business_details.apply(self.settings, book)  # the details it carries
        self._book = book
        if named and not self.as_json:  # human output names the book; JSON stays pure
            err_console.print(f"Book: {book.where}", markup=False, highlight=False, soft_wrap=True)
        return book

    def close(self) -> None:
        """Close the book if the command opened it (when the root command's context
        closes: its connections end here, not whenever the interpreter collects them)."""
        if self._book is not None:
            self._book.close()
            self._book = None


def state(ctx: typer.Context) -> State:
    """The invocation's state, as the command of `ctx` (its own context) sees it."""
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    obj.as_json = obj.as_json or _wants_json(ctx)
    return obj


def _wants_json(ctx: typer.Context) -> bool:
    return any(
        "--json" in param.opts and bool(ctx.params.get(param.name or ""))
        for param in ctx.command.params
    )
