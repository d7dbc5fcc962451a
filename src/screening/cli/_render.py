"""How a question looks on the officer's screen: shared by preview and the interview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.cli._messages import t
from screening.models.base import localized

if TYPE_CHECKING:
    from rich.console import RenderableType

    from screening.models import Question, Section


def question_panel(
    question: Question,
    section: Section,
    *,
    lang: str,
    ui: str,
    position: tuple[int, int] | None = None,
    details: bool = False,
    address: str | None = None,
) -> RenderableType:
    """A panel: read-aloud text in ``lang``; everything for the officer in ``ui``.

    ``address`` (Indonesian only): the form of address read aloud instead of "Bapak/Ibu" and
    "Anda" (kamu for a child).

    ``details`` adds what the supervisor needs in a preview (conditions, mappings, alerts).
    """
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    parts: list[RenderableType] = []
    text = escape(_spoken(localized(question.text, lang), lang, address))
    if question.officer_only:
        label = t("checklist" if question.mode == "check" else "observation", ui)
        parts.append(Text.from_markup(f"[bold yellow]{escape(t('officer_only', ui))}[/]"))
        parts.append(
            Text.from_markup(f"[yellow]{label}:[/] {escape(localized(question.text, ui))}")
        )
    else:
        parts.append(Text.from_markup(f"[bold cyan]{t('read_aloud', ui)}:[/]"))
        parts.append(Text.from_markup(f"[bold]“{text}”[/]"))
    if question.guidance:
        parts.append(
            Text.from_markup(
                f"[dim italic]{t('guidance', ui)}: {escape(localized(question.guidance, ui))}[/]"
            )
        )
    if question.sensitive:
        parts.append(Text.from_markup(f"[magenta]{escape(t('sensitive', ui))}[/]"))
    if question.identifying:
        parts.append(Text.from_markup(f"[blue]{escape(t('identifying', ui))}[/]"))
    parts.append(Text.from_markup(answers_hint(question, lang=lang, ui=ui, keys=details)))
    if details:
        parts.extend(_details(question, ui))
    title = f"{escape(localized(section.title, ui))} · {question.id}"
    if position:
        title = f"{t('question_of', ui, n=position[0], m=position[1])} · {title}"
    style = "yellow" if question.officer_only else "cyan"
    return Panel(Group(*parts), title=title, title_align="left", border_style=style)


def answers_hint(question: Question, *, lang: str, ui: str, keys: bool = False) -> str:
    """What may be typed. Option keys only for the supervisor (``keys``): at the counter the
    number or the label is typed, and a key is an English identifier."""
    from rich.markup import escape

    lines = []
    if question.type == "yes_no":
        lines.append(t("answers_yes_no", ui))
    elif question.type in ("choice", "multi_choice"):
        for n, option in enumerate(question.options, start=1):
            label = localized(option.label, ui if question.officer_only else lang)
            key = f" [dim]\\[{option.key}][/]" if keys else ""
            lines.append(f"  {n}) {escape(label)}{key}")
        lines.append(
            t("answers_multi" if question.type == "multi_choice" else "answers_choice", ui)
        )
    elif question.integer:
        lines.append(t("answers_integer", ui))
    else:
        lines.append(t(f"answers_{question.type}", ui))
    if not question.required:
        lines.append(f"[dim]{t('optional', ui)}[/]")
    lines.append(f"[dim]{escape(t('keys', ui))}[/]")
    return "\n".join(lines)


def _details(question: Question, ui: str) -> list[RenderableType]:
    from rich.markup import escape
    from rich.text import Text

    out: list[RenderableType] = []
    if question.show_when:
        out.append(Text(t("shown_when", ui, cond=question.show_when), style="green"))
    if question.constraint:
        out.append(Text(t("constraint_is", ui, rule=question.constraint.rule), style="green"))
    for answer, ids in question.indicators.items():
        out.append(
            Text.from_markup(
                f"[green]{escape(answer)} → {t('maps_to', ui)}: {escape(', '.join(ids))}[/]"
            )
        )
    if question.alert:
        out.append(Text(f"{t('alert_on', ui)}: {', '.join(question.alert.on)}", style="bold red"))
    if question.role:
        out.append(Text(t("role_is", ui, role=question.role), style="green"))
    return out


def _spoken(text: str, lang: str, address: str | None) -> str:
    if lang != "id" or address is None:
        return text
    from screening.interview.engine import spoken

    return spoken(text, address)


def section_header(
    section: Section, *, lang: str, ui: str, details: bool = False, address: str | None = None
) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape
    from rich.rule import Rule
    from rich.text import Text

    parts: list[RenderableType] = [Rule(f"[bold]{escape(localized(section.title, ui))}[/]")]
    if section.guidance:
        parts.append(
            Text.from_markup(
                # "Guidance", not the read-aloud warning: guidance often says so itself
                f"[yellow]{escape(t('guidance', ui))}:[/] "
                f"{escape(localized(section.guidance, ui))}"
            )
        )
    if section.intro:
        parts.append(Text.from_markup(f"[bold cyan]{t('read_aloud', ui)}:[/]"))
        intro = _spoken(localized(section.intro, lang), lang, address)
        parts.append(Text.from_markup(f"[bold]“{escape(intro)}”[/]"))
    if details and section.show_when:
        parts.append(Text(t("shown_when", ui, cond=section.show_when), style="green"))
    return Group(*parts)
