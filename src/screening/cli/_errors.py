"""Errors become text in exactly one place: here."""

from __future__ import annotations

from typing import Any

import typer
import typer.core

from screening.errors import ContentError, ScreeningError


def report(exc: ScreeningError) -> None:
    from rich.markup import escape

    from screening.cli._messages import t, told, ui_in_use
    from screening.cli._output import err

    console = err()
    ui = ui_in_use()
    if isinstance(exc, ContentError):
        for diagnostic in exc.diagnostics:
            style = "red" if diagnostic.severity == "error" else "yellow"
            console.print(f"[{style}]{escape(_shown(str(diagnostic)))}[/]", soft_wrap=True)
        errors = sum(1 for d in exc.diagnostics if d.severity == "error")
        warnings = len(exc.diagnostics) - errors
        console.print(
            f"[red]{t('error', ui)}:[/] "
            + escape(t("content_errors", ui, errors=errors, warnings=warnings)),
            soft_wrap=True,
        )
        return
    console.print(f"[red]{t('error', ui)}:[/] {escape(_shown(told(exc, ui)))}", soft_wrap=True)
    for place, part in exc.parts if ui != "en" else []:
        qid = getattr(part, "question_id", None)
        which = f"{t('form_question', ui, question=qid)}: " if qid else ""
        console.print(f"  {escape(_shown(place))}: {escape(_shown(which + told(part, ui)))}",
                      soft_wrap=True)
    if exc.hint:
        console.print(f"[dim]{t('hint', ui)}:[/] {escape(_shown(exc.hint))}", soft_wrap=True)


def _shown(text: str) -> str:
    """A message may quote what was typed: show its lone surrogates and escape sequences as
    escapes rather than fail to print or drive the terminal."""
    from screening.text import printable

    return "\n".join(printable(line) for line in text.split("\n"))


class ScreeningGroup(typer.core.TyperGroup):
    """The root group: every user-facing error, from any command, ends here."""

    def invoke(self, ctx: Any) -> Any:
        from screening.cli import settled
        from screening.cli._messages import forget_ui

        settled()  # the command line is read: collect garbage from here on
        forget_ui()  # the subcommand's --ui (or the remembered one) decides, not a previous run
        try:
            return super().invoke(ctx)
        except ScreeningError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
