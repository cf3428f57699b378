"""Progress bars for the long commands (an import, the daily run, delivery), drawn on
stderr when it is a terminal.

The services take a progress callback, `progress(done, total)`, and call it as they go
(with counts that only grow); the command line passes one made here, the web and the
tests pass their own or none. Piped, redirected or with `--json` there is no callback,
so nothing but the result is written: the bars never end up in a log or in JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from recoup.cli.output import data, err_console

__all__ = ["ProgressCallback", "progress_bar"]

ProgressCallback = Callable[[int, int], None]


@contextmanager
def progress_bar(
    what: str, *, show: bool = True, counted: bool = True
) -> Iterator[ProgressCallback | None]:
    """A callback that moves a bar labelled `what` (plain text), or None when `show` is
    false or stderr is not a terminal. `counted`: the bar shows "done/total" (accounts,
    messages), else a percentage (an import's bytes). The bar is gone once the work is
    done."""
    if not show or not err_console.is_terminal:
        yield None
        return
    from rich.progress import (  # Rich's bars: imported only when drawn
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),  # (the column reads markup: `data` escapes)
        BarColumn(),
        MofNCompleteColumn() if counted else TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(data(what), total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
