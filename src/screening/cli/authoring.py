"""Commands for supervisors who edit the content: validate, schema, content init."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from screening.cli._common import ContentOption, TextFormatOption
from screening.cli._output import TextFormat

content_app = typer.Typer(
    help="Start and manage a folder of your own content.", no_args_is_help=True
)


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to check (default: the active content).", show_default=False
        ),
    ] = None,
    content: ContentOption = None,
    fmt: TextFormatOption = TextFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="Run the validation set in this folder against the content "
                     "and print the agreement table.", file_okay=False, show_default=False),
    ] = None,
) -> None:
    """Check indicator sets and questionnaires like a compiler: every problem, with its place.

    With --cases, score every case file of the validation set and print the agreement table
    (sensitivity and specificity of each judgement, every disagreement named).

    Examples:

      screening validate

      screening validate --cases tests/cases

      screening validate questionnaires/departure.yaml

      screening validate --content ./our-office --format json
    """
    from screening.cli._output import emit_json, err
    from screening.content.catalogue import check, content_paths, content_root

    if cases is not None:
        _validate_cases(cases, content, fmt)
        return
    root = content_root(content)
    references = None
    if paths:
        # A lone file is checked against the active indicator sets and directory.
        references = check(
            [p for p in content_paths(root) if p.name != "questionnaires"], cache=True
        )
    else:
        paths = content_paths(root)
    catalogue = check(list(paths), references=references, cache=True)
    errors, warnings = catalogue.errors, catalogue.warnings
    if fmt is TextFormat.json:
        emit_json(
            {
                "ok": not errors and not (strict and warnings),
                "files": catalogue.files,
                "errors": [d.as_dict() for d in errors],
                "warnings": [d.as_dict() for d in warnings],
            }
        )
    else:
        for diagnostic in catalogue.diagnostics:
            typer.echo(str(diagnostic))
    failed = bool(errors) or (strict and bool(warnings))
    summary = f"{len(catalogue.files)} file(s): {len(errors)} error(s), {len(warnings)} warning(s)"
    err().print(f"[red]Failed:[/] {summary}" if failed else f"[green]OK:[/] {summary}")
    if failed:
        raise typer.Exit(1)


def _validate_cases(folder: Path, content: Path | None, fmt: TextFormat) -> None:
    from screening.assessment.cases import case_files, run_cases
    from screening.cli._common import catalogue
    from screening.cli._output import emit_json, err

    report = run_cases(case_files(folder), catalogue(content))
    if fmt is TextFormat.json:
        emit_json(report.as_dict())
    else:
        for diagnostic in report.errors:
            typer.echo(str(diagnostic))
        typer.echo(f"{'judgement':<16}{'cases':>6}{'agree':>7}{'sensitivity':>13}"
                   f"{'specificity':>13}")
        for row in report.table():
            typer.echo(f"{row['judgement']:<16}{row['cases']:>6}{row['agree']:>7}"
                       f"{_pct(row['sensitivity'], row['expected_positive']):>13}"
                       f"{_pct(row['specificity'], row['expected_low']):>13}")
        for result in report.results:
            for problem in result.disagreements:
                typer.echo(f"{result.path}: disagrees: {problem}")
    failing = sum(1 for r in report.results if r.disagreements)
    summary = (f"{len(report.results)} case(s): {failing} disagreeing, "
               f"{len(report.errors)} case-file error(s)")
    err().print(f"[green]OK:[/] {summary}" if report.agreed else f"[red]Failed:[/] {summary}")
    if not report.agreed:
        raise typer.Exit(1)


def _pct(value: float | None, of: int) -> str:
    return "—" if value is None else f"{value:.0%} of {of}"


def schema(
    kind: Annotated[
        str, typer.Argument(help="questionnaire, indicator_set, service_directory, or all.")
    ] = "all",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write <kind>.schema.json files into this folder.", file_okay=False
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of the content files, for an editor's YAML extension.

    Examples:

      screening schema questionnaire > questionnaire.schema.json

      screening schema --out .schemas
    """
    import json

    from rich.markup import escape

    from screening.cli._output import emit_json, err
    from screening.content.catalogue import KINDS
    from screening.errors import ScreeningError, suggest

    kinds = list(KINDS) if kind == "all" else [kind]
    for name in kinds:
        if name not in KINDS:
            raise ScreeningError(
                f"no schema '{name}'; choose questionnaire, indicator_set, service_directory "
                "or all"
                + suggest(name, KINDS)
            )
    schemas = {name: KINDS[name].model_json_schema() for name in kinds}
    if out is None:
        emit_json(schemas[kinds[0]] if len(kinds) == 1 else schemas)
        return
    from screening.records.outputs import check_output

    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, body in schemas.items():
            # Regenerated schemas replace the old ones, but never the database or a key.
            target = check_output(out / f"{name}.schema.json", db=None, force=True,
                                  what="the schema") or out / f"{name}.schema.json"
            target.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", "utf-8")
            err().print(f"wrote {escape(str(target))}", soft_wrap=True)
    except OSError as exc:
        raise ScreeningError(f"cannot write the schema to {out}: {exc.strerror or exc}") from None


@content_app.command("init")
def init(
    folder: Annotated[
        Path, typer.Argument(help="New folder for your own content.", file_okay=False)
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite files already there.")] = False,
) -> None:
    """Copy the bundled content into FOLDER, to start editing your own.

    Then use it with SCREENING_CONTENT=FOLDER or --content FOLDER.

    Example:

      screening content init ./our-office && screening validate --content ./our-office
    """
    import shutil

    from rich.markup import escape

    from screening.cli._output import err
    from screening.content.catalogue import CONTENT_FOLDERS, bundled_root
    from screening.errors import ScreeningError

    source = bundled_root()
    copied = []
    try:
        for sub in CONTENT_FOLDERS:
            for file in sorted((source / sub).glob("*.yaml")):
                target = folder / sub / file.name
                if target.exists() and not force:
                    raise ScreeningError(
                        f"{target} already exists; nothing was copied",
                        hint="use --force to overwrite it",
                    )
                copied.append((file, target))
        for file, target in copied:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    except OSError as exc:
        raise ScreeningError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    for _, target in copied:
        typer.echo(str(target))
    err().print(
        f"Copied {len(copied)} file(s). Use them with: "
        f"SCREENING_CONTENT={escape(str(folder))} screening validate",
        soft_wrap=True,
    )
