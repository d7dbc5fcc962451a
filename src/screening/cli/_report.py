"""What the officer sees when an interview ends: the assessment, what to do, the slip."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from screening.cli._walk import Session
    from screening.models import IndicatorSet, Question, Questionnaire
    from screening.models.assessment import Assessment


LEVEL_STYLE = {
    "high": "bold white on red",
    "medium": "bold black on yellow",
    "low": "bold black on green",
}


def render_outcome(console: Console, session: Session, assessment: Assessment | None) -> None:
    """The assessment panel (when there is one), then the slip in the person's language."""
    from rich.panel import Panel
    from rich.text import Text

    from screening.assessment.slip import slip_text

    if assessment is not None:
        console.print(
            render_assessment(assessment, ui=session.ui, questionnaire=session.questionnaire),
            soft_wrap=True,
        )
    text = slip_text(session.indicator_set, session.language)
    console.print(Panel(Text(text), title="Slip", border_style="green"))


def write_slip(indicator_set: IndicatorSet, lang: str, path: Path) -> None:
    import sys

    from screening.assessment.slip import slip_html, slip_text
    from screening.errors import ScreeningError
    from screening.files import write_private

    body = (
        slip_html(indicator_set, lang)
        if path.suffix.lower() in (".html", ".htm")
        else slip_text(indicator_set, lang)
    )
    if str(path) == "-":  # --slip -: stdout, before the record id
        sys.stdout.write(slip_text(indicator_set, lang) + "\n")
        sys.stdout.flush()
        return
    try:
        write_private(path, body)  # owner-only, all or nothing
    except OSError as exc:
        raise ScreeningError(f"cannot write the slip to {path}: {exc.strerror or exc}") from None


def render_assessment(
    assessment: Assessment, *, ui: str = "en", questionnaire: Questionnaire | None = None
) -> RenderableType:
    """The assessment explained for the officer: level, why, coverage, actions, referrals."""
    from rich.console import Group
    from rich.markup import escape
    from rich.text import Text

    from screening.cli._messages import t
    from screening.models.base import localized

    def line(markup: str) -> Text:
        return Text.from_markup(markup)

    a = assessment
    parts: list[RenderableType] = []
    title = localized(a.level_title, ui) if a.level_title else ""
    parts.append(
        line(
            f"{t('level', ui)}: [{LEVEL_STYLE[a.level]}] {a.level.upper()} [/] "
            f"[bold]{escape(title)}[/]"
        )
    )
    parts.append(line(f"{t('profile', ui)}: [bold]{a.profile}[/] ({escape(a.chosen_because)})"))
    combo = t("met", ui) if a.trafficking_indicated else t("not_met", ui)
    parts.append(line(f"{t('combination', ui)}: {escape(combo)}"))
    marks = "  ".join(
        f"{e} {'[green]yes[/]' if found else '[dim]no[/]'}" for e, found in a.elements.items()
    )
    parts.append(line(f"{t('elements', ui)}: {marks}"))

    parts.append(line(f"\n[bold underline]{t('why', ui)}[/]"))
    shown = [d for d in a.dimensions.values() if d.present]
    if not shown:
        parts.append(line(f"  {escape(t('none_present', ui))}"))
    for d in sorted(shown, key=lambda d: not d.positive):
        counts = f"{d.strong} strong, {d.medium} medium, {d.weak} weak"
        if d.positive:
            head = (
                f"  [bold red]{d.id}[/]: {t('positive', ui)}, {t('clause', ui)} "
                f'[bold]"{escape(d.clause or "")}"[/] ({counts})'
            )
        else:
            head = f"  [bold]{d.id}[/]: {t('not_positive', ui)} ({counts})"
        parts.append(line(head))
        for finding in d.present:
            parts.append(
                line(
                    f"    - {escape(f'[{finding.tier}]')} "
                    f"{escape(localized(finding.label, ui))} "
                    f"[dim]({finding.id})[/]"
                )
            )
            for ref in finding.answers:
                asked = questionnaire.question(ref.question) if questionnaire else None
                text = f": {localized(asked.text, ui)}" if asked else ""
                parts.append(
                    line(
                        f"        [dim]{escape(ref.question)}{escape(text)} ->[/] "
                        f"[bold]{escape(_answer(ref.answer, asked, ui))}[/]"
                    )
                )

    parts.append(line(f"\n[bold underline]{t('coverage', ui)}[/]"))
    parts.append(
        line(
            "  "
            + escape(
                t(
                    "coverage_line",
                    ui,
                    pct=f"{a.coverage:.0%}",
                    total=a.indicator_count,
                    unknown=len(a.unknown),
                )
            )
        )
    )
    if a.coverage_warning:
        parts.append(line(f"  [bold yellow]{escape(a.coverage_warning)}[/]"))

    if a.actions:
        parts.append(line(f"\n[bold underline]{t('actions', ui)}[/]"))
        for n, action in enumerate(a.actions, start=1):
            parts.append(line(f"  {n}. {escape(localized(action, ui))}"))
    if a.referrals:
        parts.append(line(f"\n[bold underline]{t('referrals', ui)}[/]"))
        for referral in a.referrals:
            parts.append(
                line(
                    f"  - [bold]{escape(localized(referral['name'], ui))}[/]: "
                    f"{escape(str(referral['contact']))}"
                )
            )
            parts.append(line(f"    [dim]{escape(localized(referral['description'], ui))}[/]"))
    if a.non_punishment:
        parts.append(
            line(
                f"\n[bold magenta]{t('non_punishment', ui)}:[/] "
                f"{escape(localized(a.non_punishment, ui))}"
            )
        )
    parts.append(line(f"\n[dim]{escape(t('screening_only', ui))}[/]"))
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
