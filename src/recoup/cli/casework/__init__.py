"""Working a case from the command line: calls, promises, plans, settlements, disputes,
agencies, write-offs, the bad-debt report and follow-ups (issue 4). One module per
`recoup.services.casework` module, each with its commands; `options` holds the options
they share and `common` the helpers.

Every action takes `--on` (the business date; default today) and `--actor` (who does
it; default $RECOUP_ACTOR, else the login name). Every read command has `--json`.
Exit codes: 1 refused (with the reason), 2 usage, 3 not found.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from recoup.cli.casework import (
        agency,
        calls,
        credit_requests,
        disputes,
        holds,
        plans,
        promises,
        settlements,
        writeoffs,
    )

    app.command("call")(calls.call_command)
    app.command("letter")(calls.letter_command)
    app.command("note")(calls.note_command)
    app.command("call-script")(calls.script_command)
    app.add_typer(promises.promise_app, name="promise")
    app.add_typer(plans.plan_app, name="plan")
    app.add_typer(settlements.settle_app, name="settle")
    credit_requests.register(disputes.dispute_app)  # it adds to the dispute commands
    app.add_typer(disputes.dispute_app, name="dispute")
    app.add_typer(agency.agency_app, name="agency")
    app.add_typer(writeoffs.writeoff_app, name="writeoff")
    app.command("baddebt")(writeoffs.baddebt_command)
    app.add_typer(holds.hold_app, name="hold")
    app.command("followups")(holds.followups_command)
