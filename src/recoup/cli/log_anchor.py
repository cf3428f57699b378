"""`recoup log verify [--anchor FILE]` and `recoup log anchor`: the history's checks and
its signed anchors (`recoup.services.anchors`), called by `recoup.cli.log`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from recoup import clock
from recoup.cli.context import EXIT_REFUSED, EXIT_STOPPED, EXIT_USAGE, State
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, print_json

if TYPE_CHECKING:
    from recoup.services import anchors, history
else:
    anchors = lazy("recoup.services.anchors")
    history = lazy("recoup.services.history")


def verify(st: State, as_json: bool, anchor: Path | None, fingerprint: str | None) -> None:
    """Exit 0 when the history holds (against the anchor, when one is given), 1 naming
    the first bad customer or entry, or why the anchor itself is refused."""
    if anchor is None:
        if fingerprint is not None:
            err_console.print("--fingerprint names the key of an --anchor file")
            raise typer.Exit(EXIT_USAGE)
        result = history.verify(st.book)
        if as_json:
            print_json(result.to_json())
        elif result.ok:
            console.print(f"The history holds: {result.checked} entries checked.")
        else:
            err_console.print(f"The history was tampered with: {result.describe()}")
        if not result.ok:
            raise typer.Exit(EXIT_REFUSED)
        return
    try:
        data = anchor.read_bytes()
    except OSError as err:
        err_console.print(f"cannot read the anchor {anchor}: {err.strerror or err}")
        raise typer.Exit(EXIT_USAGE) from None
    checked = anchors.verify_file(st.book, data, st.settings, fingerprint)
    if as_json:
        print_json(checked.to_json())
    elif checked.ok:
        console.print(checked.describe())
    else:
        err_console.print(checked.describe())
    if not checked.ok:
        raise typer.Exit(EXIT_REFUSED)


def anchor(st: State, out: Path | None, email: str | None, as_json: bool) -> None:
    """Sign the heads, write the file (and e-mail it); exit 1 when the history does not
    hold (nothing is signed then)."""
    at = clock.now()
    try:
        made = anchors.make(st.book, at, st.settings)
    except anchors.AnchorError as err:
        err_console.print(f"No anchor was made: {err}")
        raise typer.Exit(EXIT_REFUSED) from None
    made_at = made.anchor.content.made_at
    path = out or Path(f"recoup-anchor-{made_at[:19].replace('-', '').replace(':', '')}Z.json")
    try:
        path.write_bytes(made.data)
    except OSError as err:
        err_console.print(
            f"cannot write {path}: {err.strerror or err} (the anchor is kept in the book)"
        )
        raise typer.Exit(EXIT_USAGE) from None
    summary = made.to_json() | {"file": str(path), "email": None}
    if email:
        try:
            summary["email"] = anchors.send(st.book, made, email, st.settings, at)
        except anchors.AnchorError as err:
            err_console.print(f"The anchor was written to {path}, but {err}")
            raise typer.Exit(EXIT_STOPPED) from None
    if as_json:
        print_json(summary)
        return
    console.print(
        f"Anchor of {made_at} written to {path}: {summary['customers']} customers, "
        f"{summary['entries']} entries, signed by {summary['fingerprint']}."
    )
    if summary["email"]:
        console.print(f"E-mail {summary['email']}.")
    console.print("Keep it outside the book: `recoup log verify --anchor FILE` checks against it.")
