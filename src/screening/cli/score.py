"""`screening score`: score named indicators, or a filled answers file, without storing anything."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from screening.cli._common import (
    ContentOption,
    TextFormatOption,
    UiOption,
    catalogue,
    check_profile,
)
from screening.cli._output import TextFormat

if TYPE_CHECKING:

    from rich.console import RenderableType

    from screening.models import IndicatorSet, Question, Questionnaire
    from screening.models.assessment import Assessment

#: Answers-file keys; worked cases add questionnaire, expect and description.
LEVEL_STYLE = {"high": "bold white on red", "medium": "bold black on yellow",
               "low": "bold black on green"}

_WORDS: dict[str, dict[str, str]] = {
    "level": {"en": "Level", "id": "Tingkat"},
    "profile": {"en": "Profile", "id": "Profil"},
    "combination": {"en": "Trafficking combination", "id": "Kombinasi perdagangan orang"},
    "met": {"en": "met: indicators consistent with trafficking, refer",
            "id": "terpenuhi: ada indikator yang sesuai dengan perdagangan orang, rujuk"},
    "not_met": {"en": "not met", "id": "tidak terpenuhi"},
    "elements": {"en": "Palermo elements", "id": "Unsur Palermo"},
    "why": {"en": "Why", "id": "Alasan"},
    "none_present": {"en": "No indicator was answered yes.",
                     "id": "Tidak ada indikator yang dijawab ya."},
    "positive": {"en": "positive", "id": "positif"},
    "not_positive": {"en": "not positive", "id": "tidak positif"},
    "clause": {"en": "rule met", "id": "aturan terpenuhi"},
    "coverage": {"en": "Coverage", "id": "Cakupan"},
    "coverage_line": {
        "en": "{pct} of the {total} indicators of the list could be assessed; {unknown} unknown "
              "(don't know, declined or not asked)",
        "id": "{pct} dari {total} indikator dapat dinilai; {unknown} tidak diketahui "
              "(tidak tahu, menolak menjawab, atau belum ditanyakan)"},
    "actions": {"en": "What to do", "id": "Yang harus dilakukan"},
    "referrals": {"en": "Refer to", "id": "Rujuk ke"},
    "non_punishment": {"en": "Non-punishment", "id": "Tidak dihukum"},
    "screening_only": {
        "en": "A screening, not an identification: formal identification belongs to the police, "
              "the UPTD PPA, LPSK and the task force.",
        "id": "Ini penyaringan, bukan identifikasi: identifikasi resmi adalah wewenang polisi, "
              "UPTD PPA, LPSK, dan gugus tugas."},
}


def _w(key: str, ui: str, **values: object) -> str:
    text = _WORDS[key].get(ui) or _WORDS[key]["en"]
    return text.format(**values) if values else text


def score(
    set_id: Annotated[Optional[str], typer.Option(  # noqa: UP045 - Typer reads it at runtime
        "--set", "-s", help="Indicator set id (default ilo-2009, or the questionnaire's set).",
        show_default=False)] = None,
    profile: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--profile", "-p",
        help="Profile for --present/--unknown: adult-labour, adult-sexual, child-labour or "
        "child-sexual.", show_default=False)] = None,
    present: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--present", help="Indicator ids answered yes, comma-separated.",
        show_default=False)] = None,
    unknown: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--unknown", help="Indicator ids that could not be assessed (don't know, declined).",
        show_default=False)] = None,
    questionnaire_id: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--questionnaire", "-q", help="Score a filled answers file of this script.",
        show_default=False)] = None,
    answers_file: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--answers", "-a", help="YAML answers file: {answers: {QUESTION_ID: VALUE}, language}.",
        dir_okay=False, show_default=False)] = None,
    slip: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--slip", help="Write the information slip for the person here (.html: printable A4 "
        "page; else plain text).", dir_okay=False, show_default=False)] = None,
    lang: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--lang", "-l", help="Interview language, for the slip (default: the answers file's).",
        show_default=False)] = None,
    ui: UiOption = "en",
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
    from screening.cli._output import emit_json, err

    by_file = questionnaire_id is not None or answers_file is not None
    if by_file:
        if present or unknown or profile:
            raise typer.BadParameter(
                "--present, --unknown and --profile score named indicators; with --answers the "
                "answers decide (age, type of exploitation)", param_hint="'--answers'")
        if answers_file is None:
            raise typer.BadParameter("give the filled answers file", param_hint="'--answers'")
        _score_file(questionnaire_id, answers_file, set_id, slip, lang, ui, content, fmt)
        return
    if slip is not None:
        raise typer.BadParameter("the slip needs --questionnaire and --answers",
                                 param_hint="'--slip'")
    if profile is None:
        raise typer.BadParameter("name the list to score: adult-labour, adult-sexual, "
                                 "child-labour or child-sexual", param_hint="'--profile'")
    check_profile(profile)
    from screening.errors import ScreeningError
    from screening.scoring import score as score_indicators
    from screening.scoring import unknown_ids

    indicator_set = catalogue(content).indicator_set(set_id or "ilo-2009")
    yes, dunno = _ids(present), _ids(unknown)
    bad = unknown_ids(indicator_set, [*yes, *dunno])
    if bad:
        raise ScreeningError(
            f"unknown indicator{'s' if len(bad) > 1 else ''} in {indicator_set.id}: "
            + ", ".join(bad),
            hint=f"screening indicators show {indicator_set.id} --profile {profile} lists them")
    both = [i for i in yes if i in dunno]
    if both:
        raise ScreeningError(f"named both present and unknown: {', '.join(both)}")
    listed = {i.id for i in indicator_set.for_profile(profile)}
    off_list = [i for i in [*yes, *dunno] if i not in listed]
    if off_list:
        err().print(f"[yellow]Not on the {profile} list, ignored:[/] {', '.join(off_list)}",
                    soft_wrap=True)
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


def _score_file(questionnaire_id: str | None, path: Path, set_id: str | None, slip: Path | None,
                lang: str | None, ui: str, content: Path | None, fmt: TextFormat) -> None:
    from screening.answers_file import checked_answers, read_answers_file
    from screening.cli._output import emit_json, err, out
    from screening.engine import Interview
    from screening.errors import ScreeningError, suggest
    from screening.scoring import assess

    filled = read_answers_file(path)
    if questionnaire_id and filled.questionnaire and filled.questionnaire != questionnaire_id:
        raise ScreeningError(f"{path} is filled for '{filled.questionnaire}', not "
                             f"'{questionnaire_id}'")
    questionnaire_id = questionnaire_id or filled.questionnaire
    if not questionnaire_id:
        raise typer.BadParameter("name the script the answers belong to",
                                 param_hint="'--questionnaire'")
    cat = catalogue(content)
    questionnaire = cat.questionnaire(questionnaire_id)
    if set_id and set_id != questionnaire.indicator_set:
        raise ScreeningError(f"'{questionnaire.id}' is scored with '{questionnaire.indicator_set}'"
                             f", not '{set_id}'")
    indicator_set = cat.indicator_set(questionnaire.indicator_set)
    language = lang or filled.language or questionnaire.languages[0]
    if language not in questionnaire.languages:
        raise ScreeningError(f"'{questionnaire.id}' is not written in '{language}'; it has "
                             f"{', '.join(questionnaire.languages)}"
                             + suggest(language, questionnaire.languages))
    answers = checked_answers(questionnaire, filled, ui=ui)
    missing = Interview(questionnaire, dict(answers)).missing()
    if missing:
        err().print(f"[yellow]{len(missing)} question(s) of the script are not in the file "
                    f"(first: {missing[0].id}); what they would reveal counts as unknown.[/]",
                    soft_wrap=True)
    assessment = assess(indicator_set, questionnaire, answers,
                        content_hash=cat.content_hash(questionnaire.id))
    slip_path = _write_slip(indicator_set, language, slip) if slip else None
    if fmt is TextFormat.json:
        if assessment is None:
            emit_json({"questionnaire": questionnaire.id, "consent_declined": True,
                       "level": None, "slip": slip_path})
        else:
            emit_json({**assessment.contract(), "questionnaire": questionnaire.id,
                       "consent_declined": False, "slip": slip_path})
    elif assessment is None:
        out().print("[bold]Consent declined:[/] no questions were scored and there is no "
                    "assessment. Thank the person and give the information slip all the same.",
                    soft_wrap=True)
    else:
        _print(assessment, ui=ui, questionnaire=questionnaire)
    if slip_path:
        err().print(f"Information slip ({language}) written to {slip_path}", soft_wrap=True)


def _write_slip(indicator_set: IndicatorSet, lang: str, path: Path) -> str:
    from screening.errors import ScreeningError
    from screening.slip import slip_html, slip_text

    text = slip_html(indicator_set, lang) if path.suffix.lower() in (".html", ".htm") else \
        slip_text(indicator_set, lang)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScreeningError(f"cannot write the slip to {path}: {exc.strerror or exc}") from None
    return str(path)


# --- text rendering -------------------------------------------------------------------------


def _print(assessment: Assessment, *, ui: str, questionnaire: Questionnaire | None = None) -> None:
    from screening.cli._output import out

    out().print(render(assessment, ui=ui, questionnaire=questionnaire), soft_wrap=True)


def render(assessment: Assessment, *, ui: str = "en",
           questionnaire: Questionnaire | None = None) -> RenderableType:
    """The assessment explained for the officer: level, why, coverage, actions, referrals."""
    from rich.console import Group
    from rich.markup import escape
    from rich.text import Text

    from screening.models.base import localized

    def line(markup: str) -> Text:
        return Text.from_markup(markup)

    a = assessment
    parts: list[RenderableType] = []
    title = localized(a.level_title, ui) if a.level_title else ""
    parts.append(line(f"{_w('level', ui)}: [{LEVEL_STYLE[a.level]}] {a.level.upper()} [/] "
                      f"[bold]{escape(title)}[/]"))
    parts.append(line(f"{_w('profile', ui)}: [bold]{a.profile}[/] ({escape(a.chosen_because)})"))
    combo = _w("met", ui) if a.trafficking_indicated else _w("not_met", ui)
    parts.append(line(f"{_w('combination', ui)}: {escape(combo)}"))
    marks = "  ".join(f"{e} {'[green]yes[/]' if found else '[dim]no[/]'}"
                      for e, found in a.elements.items())
    parts.append(line(f"{_w('elements', ui)}: {marks}"))

    parts.append(line(f"\n[bold underline]{_w('why', ui)}[/]"))
    shown = [d for d in a.dimensions.values() if d.present]
    if not shown:
        parts.append(line(f"  {escape(_w('none_present', ui))}"))
    for d in sorted(shown, key=lambda d: not d.positive):
        counts = f"{d.strong} strong, {d.medium} medium, {d.weak} weak"
        if d.positive:
            head = (f"  [bold red]{d.id}[/]: {_w('positive', ui)}, {_w('clause', ui)} "
                    f"[bold]\"{escape(d.clause or '')}\"[/] ({counts})")
        else:
            head = f"  [bold]{d.id}[/]: {_w('not_positive', ui)} ({counts})"
        parts.append(line(head))
        for finding in d.present:
            parts.append(line(f"    - {escape(f'[{finding.tier}]')} "
                              f"{escape(localized(finding.label, ui))} "
                              f"[dim]({finding.id})[/]"))
            for ref in finding.answers:
                asked = questionnaire.question(ref.question) if questionnaire else None
                text = f": {localized(asked.text, ui)}" if asked else ""
                parts.append(line(f"        [dim]{escape(ref.question)}{escape(text)} ->[/] "
                                  f"[bold]{escape(_answer(ref.answer, asked, ui))}[/]"))

    parts.append(line(f"\n[bold underline]{_w('coverage', ui)}[/]"))
    parts.append(line("  " + escape(_w("coverage_line", ui, pct=f"{a.coverage:.0%}",
                                       total=a.indicator_count, unknown=len(a.unknown)))))
    if a.coverage_warning:
        parts.append(line(f"  [bold yellow]{escape(a.coverage_warning)}[/]"))

    if a.actions:
        parts.append(line(f"\n[bold underline]{_w('actions', ui)}[/]"))
        for n, action in enumerate(a.actions, start=1):
            parts.append(line(f"  {n}. {escape(localized(action, ui))}"))
    if a.referrals:
        parts.append(line(f"\n[bold underline]{_w('referrals', ui)}[/]"))
        for ref in a.referrals:
            parts.append(line(f"  - [bold]{escape(localized(ref['name'], ui))}[/]: "
                              f"{escape(str(ref['contact']))}"))
            parts.append(line(f"    [dim]{escape(localized(ref['description'], ui))}[/]"))
    if a.non_punishment:
        parts.append(line(f"\n[bold magenta]{_w('non_punishment', ui)}:[/] "
                          f"{escape(localized(a.non_punishment, ui))}"))
    parts.append(line(f"\n[dim]{escape(_w('screening_only', ui))}[/]"))
    return Group(*parts)


def _answer(value: Any, question: Question | None, ui: str) -> str:
    """An answer as the officer reads it: option labels rather than keys."""
    from screening.models.base import localized

    def one(item: Any) -> str:
        option = question.option(str(item)) if question is not None else None
        return f"{localized(option.label, ui)} ({item})" if option else str(item)

    if isinstance(value, list):
        return ", ".join(one(v) for v in value)
    return one(value)
