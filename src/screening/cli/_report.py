"""What the officer sees when an interview ends: the assessment, what to do, the slip."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from screening.cli._walk import Session
    from screening.models import IndicatorSet
    from screening.models.assessment import Assessment


def render_outcome(console: Console, session: Session, assessment: Assessment | None) -> None:
    """The assessment panel (when there is one), then the slip in the person's language."""
    from rich.panel import Panel

    from screening.slip import slip_text

    if assessment is not None:
        from screening.cli.score import render

        console.print(
            render(assessment, ui=session.ui, questionnaire=session.questionnaire), soft_wrap=True
        )
    from rich.text import Text

    text = slip_text(session.indicator_set, session.language)
    console.print(Panel(Text(text), title="Slip", border_style="green"))


def write_slip(indicator_set: IndicatorSet, lang: str, path: Path) -> None:
    from screening.errors import ScreeningError
    from screening.slip import slip_html, slip_text

    body = (
        slip_html(indicator_set, lang)
        if path.suffix.lower() in (".html", ".htm")
        else slip_text(indicator_set, lang)
    )
    try:
        path.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise ScreeningError(f"cannot write the slip to {path}: {exc.strerror or exc}") from None
