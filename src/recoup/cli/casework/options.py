"""The options every case command shares, as `Annotated` aliases: `--on` (the day of
the action), `--as-of` (the day to look at), `--actor` (who does it), `--json`, and the
customer argument. What they default to is `common.day_of` and `common.actor_of`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

DATE = ["%Y-%m-%d"]

OnDay = Annotated[
    datetime | None,
    typer.Option("--on", formats=DATE, help="The day of the action (default today)."),
]
AsOfDay = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=DATE, help="The day to look at (default today)."),
]
Actor = Annotated[
    str | None,
    typer.Option("--actor", envvar="RECOUP_ACTOR", help="Who does it (default: your login name)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Customer = Annotated[str, typer.Argument(help="The customer's id.")]
