"""The root `recoup` command."""

from __future__ import annotations

import typer

from recoup.cli import admin, books, casework, messages, run
from recoup.cli.casefile import casefile_command
from recoup.cli.context import State
from recoup.cli.interest import interest_command
from recoup.cli.log import log_command
from recoup.cli.policy import policy_app
from recoup.settings import Settings

app = typer.Typer(
    name="recoup",
    help="Recoup: get paid for work you have already done.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="RECOUP_DATABASE_URL",
        help="The book: a SQLite file path or a database URL (default: recoup.db here).",
    ),
    locale: str | None = typer.Option(
        None, "--locale", envvar="RECOUP_LOCALE", help="How money and dates are shown (e.g. de_DE)."
    ),
) -> None:
    settings = Settings()
    if db:
        settings.database_url = db
    if locale:
        settings.locale = locale
    ctx.obj = State(settings)


books.register(app)
admin.register(app)
app.command("interest")(interest_command)
app.command("log")(log_command)
app.add_typer(policy_app, name="policy")
run.register(app)
casework.register(app)
messages.register(app)
app.command("casefile")(casefile_command)


def main() -> None:
    app()
