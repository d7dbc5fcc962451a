"""`screening score`: score named indicators, or a filled answers file, without storing anything."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from screening.cli._common import (
    ContentOption,
    TextFormatOption,
    UiOption,
    catalogue,
    check_profile,
    check_ui,
)
from screening.cli._output import TextFormat

if TYPE_CHECKING:
    from screening.models import Questionnaire
    from screening.models.assessment import Assessment


def score(
    set_id: Annotated[
        str | None,
        typer.Option(  # noqa: UP045 - Typer reads it at runtime
            "--set",
            "-s",
            help="Indicator set id (default ilo-2009, or the questionnaire's set).",
            show_default=False,
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--profile",
            "-p",
            help="Profile for --present/--unknown: adult-labour, adult-sexual, child-labour or "
            "child-sexual.",
            show_default=False,
        ),
    ] = None,
    present: Annotated[
        list[str] | None,
        typer.Option(  # noqa: UP045
            "--present", help="Indicator ids answered yes, comma-separated.", show_default=False
        ),
    ] = None,
    unknown: Annotated[
        list[str] | None,
        typer.Option(  # noqa: UP045
            "--unknown",
            help="Indicator ids that could not be assessed (don't know, declined).",
            show_default=False,
        ),
    ] = None,
    questionnaire_id: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--questionnaire",
            "-q",
            help="Score a filled answers file of this script.",
            show_default=False,
        ),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option(  # noqa: UP045
            "--answers",
            "-a",
            help="YAML answers file: {answers: {QUESTION_ID: VALUE}, language}.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    slip: Annotated[
        Path | None,
        typer.Option(  # noqa: UP045
            "--slip",
            help="Write the information slip for the person here (.html: printable A4 "
            "page; else plain text).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--lang",
            "-l",
            help="Interview language, for the slip (default: the answers file's).",
            show_default=False,
        ),
    ] = None,
    ui: UiOption = None,
    content: ContentOption = None,
    fmt: TextFormatOption = TextFormat.text,
) -> None:
    """Score indicators into a risk level, explained; nothing is stored.

    Indicators not named count as absent ("no"); unknown ones lower coverage, never the level.

    Examples:

      screening score --set ilo-2009 --profile adult-labour
      --present deceptive_recruitment.nature_of_job,coercion_destination.debt_bondage --format json

      screening score --questionnaire departure --answers filled.yaml --slip slip.html
    """
    ui = check_ui(ui)  # a given language, else the remembered one
    from screening.cli._output import emit_json, err

    by_file = questionnaire_id is not None or answers_file is not None
    if by_file:
        if present or unknown or profile:
            raise typer.BadParameter(
                "--present, --unknown and --profile score named indicators; with --answers the "
                "answers decide (age, type of exploitation)",
                param_hint="'--answers'",
            )
        if answers_file is None:
            raise typer.BadParameter("give the filled answers file", param_hint="'--answers'")
        _score_file(questionnaire_id, answers_file, set_id, slip, lang, ui, content, fmt)
        return
    if slip is not None:
        raise typer.BadParameter(
            "the slip needs --questionnaire and --answers", param_hint="'--slip'"
        )
    if profile is None:
        raise typer.BadParameter(
            "name the list to score: adult-labour, adult-sexual, child-labour or child-sexual",
            param_hint="'--profile'",
        )
    check_profile(profile)
    from screening.assessment.scoring import score as score_indicators
    from screening.assessment.scoring import unknown_ids
    from screening.errors import ScreeningError

    indicator_set = catalogue(content).indicator_set(set_id or "ilo-2009")
    yes, dunno = _ids(present), _ids(unknown)
    bad = unknown_ids(indicator_set, [*yes, *dunno])
    if bad:
        raise ScreeningError(
            f"unknown indicator{'s' if len(bad) > 1 else ''} in {indicator_set.id}: "
            + ", ".join(bad),
            hint=f"screening indicators show {indicator_set.id} --profile {profile} lists them",
        )
    both = [i for i in yes if i in dunno]
    if both:
        raise ScreeningError(f"named both present and unknown: {', '.join(both)}")
    listed = {i.id for i in indicator_set.for_profile(profile)}
    off_list = [i for i in [*yes, *dunno] if i not in listed]
    if off_list:
        err().print(
            f"[yellow]Not on the {profile} list, ignored:[/] {', '.join(off_list)}", soft_wrap=True
        )
    assessment = score_indicators(indicator_set, profile, yes, dunno)
    if fmt is TextFormat.json:
        emit_json(assessment.contract())
    else:
        _print(assessment, ui=ui)


def _ids(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        for part in value.replace(",", " ").split():
            if part not in out:
                out.append(part)
    return out


def _score_file(
    questionnaire_id: str | None,
    path: Path,
    set_id: str | None,
    slip: Path | None,
    lang: str | None,
    ui: str,
    content: Path | None,
    fmt: TextFormat,
) -> None:
    from screening.assessment.scoring import assess
    from screening.cli._output import emit_json, err, out
    from screening.errors import ScreeningError, suggest
    from screening.interview.answers_file import checked_answers, read_answers_file
    from screening.interview.engine import Interview

    filled = read_answers_file(path)
    if questionnaire_id and filled.questionnaire and filled.questionnaire != questionnaire_id:
        raise ScreeningError(
            f"{path} is filled for '{filled.questionnaire}', not '{questionnaire_id}'"
        )
    questionnaire_id = questionnaire_id or filled.questionnaire
    if not questionnaire_id:
        raise typer.BadParameter(
            "name the script the answers belong to", param_hint="'--questionnaire'"
        )
    cat = catalogue(content)
    questionnaire = cat.questionnaire(questionnaire_id)
    if not questionnaire.scored:
        raise ScreeningError(f"'{questionnaire.id}' is not a screening: it gives no level")
    if set_id and set_id != questionnaire.indicator_set:
        raise ScreeningError(
            f"'{questionnaire.id}' is scored with '{questionnaire.indicator_set}', not '{set_id}'"
        )
    indicator_set = cat.indicator_set(questionnaire.indicator_set)
    language = lang or filled.language or questionnaire.languages[0]
    if language not in questionnaire.languages:
        raise ScreeningError(
            f"'{questionnaire.id}' is not written in '{language}'; it has "
            f"{', '.join(questionnaire.languages)}" + suggest(language, questionnaire.languages)
        )
    answers = checked_answers(questionnaire, filled, ui=ui)
    missing = Interview(questionnaire, dict(answers)).missing()
    if missing:
        err().print(
            f"[yellow]{len(missing)} question(s) of the script are not in the file "
            f"(first: {missing[0].id}); what they would reveal counts as unknown.[/]",
            soft_wrap=True,
        )
    assessment = assess(
        indicator_set, questionnaire, answers, content_hash=cat.content_hash(questionnaire.id)
    )
    if slip:
        from screening.cli._report import write_slip

        write_slip(indicator_set, language, slip)
    slip_path = str(slip) if slip else None
    if fmt is TextFormat.json:
        if assessment is None:
            emit_json(
                {
                    "questionnaire": questionnaire.id,
                    "consent_declined": True,
                    "level": None,
                    "slip": slip_path,
                }
            )
        else:
            emit_json(
                {
                    **assessment.contract(),
                    "questionnaire": questionnaire.id,
                    "consent_declined": False,
                    "slip": slip_path,
                }
            )
    elif assessment is None:
        out().print(
            "[bold]Consent declined:[/] no questions were scored and there is no "
            "assessment. Thank the person and give the information slip all the same.",
            soft_wrap=True,
        )
    else:
        _print(assessment, ui=ui, questionnaire=questionnaire)
    if slip_path:
        err().print(f"Information slip ({language}) written to {slip_path}", soft_wrap=True)


def _print(assessment: Assessment, *, ui: str, questionnaire: Questionnaire | None = None) -> None:
    from screening.cli._output import out
    from screening.cli._report import render_assessment

    out().print(render_assessment(assessment, ui=ui, questionnaire=questionnaire), soft_wrap=True)
