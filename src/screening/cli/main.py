"""The `screening` command: assembles the command groups. Keep imports here light."""

from __future__ import annotations

import typer

from screening import __version__
from screening.cli import (
    authoring,
    central,
    indicators,
    interview,
    keys,
    questionnaires,
    records,
    referrals,
    report,
    score,
    services,
)
from screening.cli._errors import ScreeningGroup

app = typer.Typer(
    name="screening",
    cls=ScreeningGroup,
    help="Trauma-informed screening for human trafficking at the immigration counter.\n\n"
    "Examples:\n\n"
    "  screening interview start            (a guided interview on the departure script)\n\n"
    "  screening validate                   (check the indicator and questionnaire YAML)\n\n"
    "  screening questionnaires preview departure --lang id",
    no_args_is_help=True,
    add_completion=True,  # --install-completion: measured at no start-up cost
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screening {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Trauma-informed screening for human trafficking at the immigration counter."""
    from screening.records.outputs import listen

    listen(_warn)


def _warn(text: str) -> None:
    from rich.markup import escape

    from screening.cli._output import err

    err().print(f"[yellow]Warning:[/] {escape(text)}", soft_wrap=True)


app.add_typer(interview.app, name="interview")
app.add_typer(records.app, name="records")
app.add_typer(keys.app, name="keys")
app.command("validate")(authoring.validate)
app.command("schema")(authoring.schema)
app.add_typer(authoring.content_app, name="content")
app.add_typer(indicators.app, name="indicators")
app.add_typer(questionnaires.app, name="questionnaires")
app.command("score")(score.score)
app.add_typer(services.app, name="services")
app.add_typer(referrals.app, name="referrals")
app.add_typer(central.sync_app, name="sync")
app.add_typer(central.central_app, name="central")
app.command("report")(report.report)


def main() -> None:
    import os

    # Whatever this process creates is owner-only unless a file is made wider on purpose.
    os.umask(0o077)
    app()


if __name__ == "__main__":
    main()
