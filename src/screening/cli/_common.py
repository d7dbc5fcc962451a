"""Options shared by many commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli._output import Format, TextFormat

if TYPE_CHECKING:
    from screening.content.catalogue import Catalogue

ContentOption = Annotated[
    Path | None,
    typer.Option(
        "--content",
        envvar="SCREENING_CONTENT",
        help="Folder holding indicators/ and questionnaires/ to use instead of the bundled "
        "content [env: SCREENING_CONTENT].",
        show_envvar=False,
        file_okay=False,
    ),
]
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format: table, json or csv.",
                 case_sensitive=False),
]
TextFormatOption = Annotated[
    TextFormat,
    typer.Option("--format", "-f", help="Output format: text or json.", case_sensitive=False),
]
ProfileOption = Annotated[
    str,
    typer.Option(
        "--profile",
        "-p",
        help="Profile: adult-labour, adult-sexual, child-labour or child-sexual.",
    ),
]


def catalogue(content: Path | None) -> Catalogue:
    """The active content, validated; content errors reach the user as compiler messages."""
    from screening.content.catalogue import load_catalogue

    return load_catalogue(content)


def check_profile(profile: str) -> str:
    from screening.models.indicators import PROFILES

    if profile not in PROFILES:
        from screening.errors import suggest

        raise typer.BadParameter(
            f"'{profile}' is not a profile; choose from {', '.join(PROFILES)}"
            + suggest(profile, PROFILES),
            param_hint="'--profile'",
        )
    return profile


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="SCREENING_DB",
        help="The records database (SQLite) [env: SCREENING_DB; default: in your "
        "application folder].",
        show_envvar=False,
        dir_okay=False,
    ),
]


ReadDbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="SCREENING_DB",
        help="The records database: a laptop's SQLite file, or the central database as a "
        "postgresql://USER@HOST/DB URL [env: SCREENING_DB; default: in your application "
        "folder].",
        show_envvar=False,
    ),
]


def open_records(db: str | Path | None) -> Any:
    """A laptop's records database, or the central one for a postgresql:// URL: both answer
    the read commands with the same shapes."""
    from screening.records.listing import CENTRAL_SCHEMES

    if db is not None and str(db).startswith(CENTRAL_SCHEMES):
        from screening.central.reader import CentralStore

        return CentralStore(str(db))
    from screening.records.store import Store

    # Reading never creates a database: a missing or empty file is "no records database".
    return Store.open(Path(db) if db else None, create=False)


def check_ui(value: str | None) -> str:
    """The officer's language for the tool's own words: the one given, else the one
    remembered from the last interview, else English."""
    from screening.cli._messages import UI_LANGUAGES, use_ui

    if value is None:
        from screening.records import settings

        remembered = settings.load().get("ui")
        return use_ui(remembered if remembered in UI_LANGUAGES else "en")
    value = value.lower()
    if value not in UI_LANGUAGES:
        raise typer.BadParameter(
            f"'{value}' is not a language of the tool; choose {' or '.join(UI_LANGUAGES)}",
            param_hint="'--ui'",
        )
    return use_ui(value)


ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace an output file that already exists.")
]


def output_path(path: Path | None, *, db: str | Path | None, force: bool,
                what: str) -> Path | None:
    """The checked file to write ``what`` to, None for stdout (no path or '-'): never the
    database or a key (``screening.records.outputs``); an existing file only with --force or
    when the officer confirms at a terminal. Call it before any record is changed."""
    import sys

    from screening.records.outputs import OutputExists, check_output

    try:
        return check_output(path, db=db, force=force, what=what)
    except OutputExists as exc:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise
        if not typer.confirm(f"{exc.path} already exists. Replace it?", default=False,
                             err=True):
            raise
        return check_output(path, db=db, force=True, what=what)


UiOption = Annotated[
    str | None,
    typer.Option("--ui", help="The officer's language for the tool's own words: en or id "
                 "[default: the one last used].", callback=check_ui, show_default=False),
]
