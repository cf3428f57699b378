"""State shared by the commands of one invocation."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from recoup.services import business_details
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

    @property
    def book(self) -> Book:
        if self._book is None:
            self._book = Book.open(self.settings.database_url)
            business_details.apply(self.settings, self._book)  # the details it carries
        return self._book


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj
