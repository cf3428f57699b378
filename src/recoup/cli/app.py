"""The root `recoup` command."""

from __future__ import annotations

import typer

from recoup import clock
from recoup.cli import admin, books, casework, doctor, messages, run
from recoup.cli.casefile import casefile_command
from recoup.cli.context import State
from recoup.cli.interest import interest_command
from recoup.cli.log import log_command
from recoup.cli.policy import policy_app

app = typer.Typer(
    name="recoup",
    help="Recoup: get paid for work you have already done.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # plain help and usage errors (Click's layout), for every command: Rich's help
    # panels import Markdown, Pygments and attrs, a third of `recoup --help`'s start
    rich_markup_mode=None,
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
    now: str | None = typer.Option(
        None,
        "--now",
        envvar="RECOUP_NOW",
        help="Act at this moment instead of the clock's (replays): YYYY-MM-DD (that day at "
        "12:00 UTC) or YYYY-MM-DDTHH:MM[:SS][+HH:MM] (UTC when no offset). It sets "
        "today for --as-of and --on defaults, the time of recorded work and of delivery; "
        "the book is seen as known at that moment.",
    ),
) -> None:
    from recoup.settings import Settings  # pydantic: not for `recoup --help`

    settings = Settings()
    if db:
        settings.database_url = db
    if locale:
        settings.locale = locale
    if now:
        try:
            moment = clock.parse_moment(now)
        except ValueError as err:
            raise typer.BadParameter(str(err), param_hint="--now") from None
        settings.now = moment.isoformat()
        # the moment lasts as long as this invocation (a context variable, reset when the
        # command's context closes: in-process callers such as tests see no leftover)
        token = clock.set_moment(moment)
        ctx.call_on_close(lambda: clock.reset(token))
    ctx.obj = State(settings)


books.register(app)
admin.register(app)
app.command("interest")(interest_command)
app.command("log")(log_command)
app.add_typer(policy_app, name="policy")
run.register(app)
casework.register(app)
messages.register(app)
doctor.register(app)
app.command("casefile")(casefile_command)


def main() -> None:
    app()
