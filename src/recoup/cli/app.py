"""The root `recoup` command."""

from __future__ import annotations

import gc
from importlib import import_module

import typer

from recoup import clock, i18n
from recoup.cli.context import State
from recoup.cli.lazy import Registrar, lazy_group


def _module(name: str) -> Registrar:
    """The `register(app)` of the CLI module `name`, imported when it is called."""
    return lambda app: import_module(name).register(app)


def _command(module: str, name: str, function: str) -> Registrar:
    return lambda app: app.command(name)(getattr(import_module(module), function))


def _typer(module: str, name: str, attribute: str) -> Registrar:
    return lambda app: app.add_typer(getattr(import_module(module), attribute), name=name)


# Which module adds which top-level commands, in the order `recoup --help` lists them.
# Running one command imports and builds only its module (`recoup.cli.lazy.lazy_group`);
# tests/test_startup.py holds this table to what the modules add.
COMMANDS: tuple[tuple[Registrar, tuple[str, ...]], ...] = (
    (_module("recoup.cli.books"), ("import", "aging", "dso", "customers", "account")),
    (_module("recoup.cli.admin"), ("init", "user", "generate", "demo", "serve")),
    (_typer("recoup.cli.assign", "assign", "assign_app"), ("assign",)),
    (_typer("recoup.cli.bank", "bank", "bank_app"), ("bank",)),
    (_command("recoup.cli.interest", "interest", "interest_command"), ("interest",)),
    (_command("recoup.cli.log", "log", "log_command"), ("log",)),
    (_typer("recoup.cli.policy", "policy", "policy_app"), ("policy",)),
    (_module("recoup.cli.run"), ("run", "explain", "outbox", "worklist")),
    (
        _module("recoup.cli.casework"),
        (
            "call",
            "letter",
            "note",
            "call-script",
            "promise",
            "plan",
            "settle",
            "dispute",
            "agency",
            "writeoff",
            "baddebt",
            "hold",
            "followups",
        ),
    ),
    (_module("recoup.cli.messages"), ("dispatch", "template")),
    (_module("recoup.cli.doctor"), ("doctor",)),
    (_command("recoup.cli.casefile", "casefile", "casefile_command"), ("casefile",)),
)

app = typer.Typer(
    name="recoup",
    cls=lazy_group(COMMANDS),
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
        None,
        "--locale",
        envvar="RECOUP_LOCALE",
        help="The language of the output (en, de, fr) and how money and dates are shown: "
        "de_DE, fr_FR, en_GB ... (default en_US).",
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
    speak(ctx, settings.locale)
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
    ctx.call_on_close(ctx.obj.close)


def speak(ctx: typer.Context, locale: str) -> None:
    """The command's words in the language of `locale`, and its figures as `locale`
    writes them (en_GB's days, en_IN's grouping), for as long as it runs. English, the
    source language, reads no catalogue."""
    token = i18n.use(i18n.Speech(i18n.language_of(locale), locale))
    ctx.call_on_close(lambda: i18n.reset(token))


def main() -> None:
    try:
        app()
    finally:
        # Everything the command made lives until the process ends; frozen, the
        # interpreter's last collections on the way out do not walk it all again
        # (0.06-0.1 CPU s of a light command; bench/RESULTS.md). The book is closed
        # already, when the command's context closed.
        gc.freeze()
