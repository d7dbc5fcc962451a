"""`screening questionnaires`: the interview scripts."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from screening.cli._common import ContentOption, FormatOption, UiOption, catalogue, check_ui
from screening.cli._output import Format

app = typer.Typer(help="Interview scripts: list, show, preview.", no_args_is_help=True)


@app.command("list")
def list_questionnaires(content: ContentOption = None, fmt: FormatOption = Format.table) -> None:
    """List the interview scripts.

    Example: screening questionnaires list --format csv
    """
    from screening.cli._output import emit_rows
    from screening.models.base import localized

    cat = catalogue(content)
    rows = [
        {
            "id": q.id,
            "version": q.version,
            "title": localized(q.title, "en"),
            "languages": q.languages,
            "questions": len(q.questions()),
            "indicator_set": q.indicator_set,
        }
        for q in cat.questionnaires.values()
    ]
    emit_rows(
        rows,
        ["id", "version", "title", "languages", "questions", "indicator_set"],
        fmt,
        title="Questionnaires",
    )


@app.command("show")
def show(
    questionnaire_id: Annotated[str, typer.Argument(help="Questionnaire id, e.g. departure.")],
    content: ContentOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show the questions of a script in the order asked.

    Example: screening questionnaires show departure --format json
    """
    from screening.cli._output import emit_rows

    q = catalogue(content).questionnaire(questionnaire_id)
    questions: list[dict[str, Any]] = [
        {
            "id": question.id,
            "section": section.id,
            "type": question.type,
            "mode": question.mode,
            "required": question.required,
            "options": [
                {"key": o.key, "label": o.label, "exclusive": o.exclusive}
                for o in question.options
            ],
            "integer": question.integer,
            "show_when": question.show_when,
            "indicators": question.indicators,
            "identifying": question.identifying,
            "sensitive": question.sensitive,
            "role": question.role,
            "alert": question.alert is not None,
            "text": question.text,
        }
        for section in q.sections
        for question in section.questions
    ]
    document = {
        "id": q.id,
        "version": q.version,
        "title": q.title,
        "languages": q.languages,
        "indicator_set": q.indicator_set,
        "sections": [s.id for s in q.sections],
        "questions": questions,
    }
    rows = [
        {
            **row,
            "options": [o["key"] for o in row["options"]],
            "text": row["text"].get("en", ""),
        }
        for row in questions
    ]
    emit_rows(
        rows,
        ["id", "section", "type", "required", "options", "show_when"],
        fmt,
        title=f"{q.id} {q.version}",
        json_rows=document,
    )


@app.command("preview")
def preview(
    questionnaire_id: Annotated[str, typer.Argument(help="Questionnaire id.")] = "departure",
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Interview language (read-aloud text).")
    ] = "id",
    ui: UiOption = None,
    content: ContentOption = None,
) -> None:
    """Render the whole script as the officer will see it, without running it.

    Conditions, indicator mappings and alerts are shown in green and red for the supervisor.

    Example: screening questionnaires preview returnee --lang id --ui id
    """
    ui = check_ui(ui)  # a given language, else the remembered one
    from screening.cli._output import out
    from screening.cli._render import question_panel, section_header
    from screening.errors import ScreeningError, suggest

    q = catalogue(content).questionnaire(questionnaire_id)
    if lang not in q.languages:
        raise ScreeningError(
            f"'{q.id}' is not written in '{lang}'; it has "
            f"{', '.join(q.languages)}" + suggest(lang, q.languages)
        )
    from rich.console import Group, RenderableType

    from screening.cli._pager import show

    total = len(q.questions())
    n = 0
    parts: list[RenderableType] = []
    for section in q.sections:
        parts.append(section_header(section, lang=lang, ui=ui, details=True))
        for question in section.questions:
            n += 1
            parts.append(
                question_panel(
                    question, section, lang=lang, ui=ui, position=(n, total), details=True
                )
            )
    show(out(), Group(*parts))
