"""The `screening` command: assembles the command groups. Keep imports here light.

The commands are loaded lazily: a command's module is imported, and its typer app turned into
a click command, only when that command runs (or shows its own --help, or completes). Typer
would otherwise import every command module and build every parameter of every command, about
a hundred, on every start. ``screening --help`` lists them from the summaries below
(tests/test_help.py checks they read exactly as the commands' own help would).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.core

from screening import __version__
from screening.cli._errors import ScreeningGroup

#: name -> (module, attribute, first paragraph of its help), in the order `screening --help`
#: lists them. A typer app becomes a group, a function a single command.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": (
        "screening.cli.authoring", "validate",
        "Check indicator sets and questionnaires like a compiler: every problem, with its place.",
    ),
    "schema": (
        "screening.cli.authoring", "schema",
        "Print the JSON Schema of the content files, for an editor's YAML extension.",
    ),
    "score": (
        "screening.cli.score", "score",
        "Score indicators into a risk level, explained; nothing is stored.",
    ),
    "report": (
        "screening.cli.report", "report",
        "A report for a supervisor: screenings, results, indicators, journeys, data quality.",
    ),
    "interview": (
        "screening.cli.interview", "app", "Guided interviews: start, resume, list drafts.",
    ),
    "records": (
        "screening.cli.records", "app",
        "Screening records: list, show, rescore, export, verify, erase, purge, seal.",
    ),
    "keys": (
        "screening.cli.keys", "app",
        "Office keys: create the key pair, configure this laptop's public key.",
    ),
    "content": (
        "screening.cli.authoring", "content_app", "Start and manage a folder of your own content.",
    ),
    "indicators": ("screening.cli.indicators", "app", "Indicator sets: list, show, coverage."),
    "questionnaires": (
        "screening.cli.questionnaires", "app", "Interview scripts: list, show, preview.",
    ),
    "services": ("screening.cli.services", "app", "The directory of services to refer people to."),
    "referrals": (
        "screening.cli.referrals", "app",
        "Referrals: refer a person to a service, follow it until closed, print the letter.",
    ),
    "sync": (
        "screening.cli.central", "sync_app",
        "Send this laptop's finished records to the central database, or into a bundle.",
    ),
    "central": (
        "screening.cli.central", "central_app",
        "The central database (PostgreSQL): set it up, see what it holds, import bundles.",
    ),
}


def _build(name: str) -> Any:
    """The click command ``name``, as ``app.add_typer(...)`` / ``app.command(...)`` builds it."""
    from typer.main import get_command_from_info, get_group_from_info
    from typer.models import CommandInfo, TyperInfo

    module, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        return get_group_from_info(
            TyperInfo(target, name=name),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
            suggest_commands=app.suggest_commands,
        )
    return get_command_from_info(
        CommandInfo(name=name, callback=target),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )


class _Commands(MutableMapping[str, Any]):
    """The root group's commands by name, each built at first use: typer's own lookups,
    suggestions ("Did you mean") and completion see every name without building any."""

    def __init__(self, built: dict[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the root commands are fixed")

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(1 for name in self._built if name not in COMMANDS)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built


class LazyGroup(ScreeningGroup):
    """The root group: knows its commands by name, builds one only when it is used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(dict(self.commands))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The list of commands in ``screening --help``, from the summaries alone."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, typer.core.TyperCommand(name=name, help=summary).get_short_help_str(limit))
            for name, (_, _, summary) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="screening",
    cls=LazyGroup,
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


def main() -> None:
    import os

    # Whatever this process creates is owner-only unless a file is made wider on purpose.
    os.umask(0o077)
    app()


if __name__ == "__main__":
    main()
