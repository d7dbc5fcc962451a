"""The interview at the counter: the guided walk-through and paper-form entry.

Both modes drive the same engine (``screening.interview.engine.Interview``) and the same store, and
both commit every answer before the next question appears.
"""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from screening.cli._messages import t
from screening.errors import AnswersExhausted, InvalidAnswer, suggest
from screening.models.answers import AnswerValue
from screening.models.base import localized

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console

    from screening.interview.clock import Clock
    from screening.interview.engine import Interview
    from screening.models import IndicatorSet, Question, Questionnaire
    from screening.records.store import Store


class Interrupted(Exception):
    """Ctrl-C, a closed terminal or SIGTERM: the draft is saved, exit 130."""


STOP_SIGNALS = tuple(
    sig for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if sig
)
_stopping = False


def _stop_listening() -> None:
    """Once interrupted, later signals (a second Ctrl-C, the SIGHUP that follows a closed
    terminal) must not cut the clean exit short: the draft is already saved. Ignoring them
    also drops a signal still pending in the interpreter."""
    global _stopping
    _stopping = True
    for sig in STOP_SIGNALS:
        with suppress(ValueError):
            signal.signal(sig, signal.SIG_IGN)


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGHUP and SIGTERM into the same clean exit as Ctrl-C (``Interrupted``)."""

    def handler(signum: int, frame: Any) -> None:
        if _stopping:
            return
        _stop_listening()
        raise Interrupted(signal.Signals(signum).name)

    global _stopping
    _stopping = False
    previous = {}
    for sig in STOP_SIGNALS:
        if sig is not signal.SIGINT:
            # Outside the main thread (some test runners) signals cannot be caught.
            with suppress(ValueError):
                previous[sig] = signal.signal(sig, handler)
    try:
        yield
    except (KeyboardInterrupt, EOFError) as exc:
        _stop_listening()
        raise Interrupted(type(exc).__name__) from None
    finally:
        if not _stopping:
            for sig, old in previous.items():
                signal.signal(sig, old)


def read_terminal(ask: Any, *args: Any, **kwargs: Any) -> Any:
    """Read from the officer's terminal; a terminal that is gone is an interruption."""
    try:
        return ask(*args, **kwargs)
    except OSError as exc:  # EIO once the terminal has been closed
        _stop_listening()
        raise Interrupted(f"terminal: {exc.strerror or exc}") from None


@dataclass
class Session:
    """One sitting at the counter: who, where, in which languages, against which record."""

    store: Store
    record_id: str
    interview: Interview
    indicator_set: IndicatorSet
    content_hash: str
    officer: str
    clock: Clock
    language: str
    ui: str
    console: Console | None = None
    alerts: list[str] = field(default_factory=list)
    #: The office public key finished records are sealed with; None: stored unencrypted.
    office_key: Any = None
    #: The officer's keyboard while the guided interview runs.
    keyboard: Any = None

    @property
    def questionnaire(self) -> Questionnaire:
        return self.interview.questionnaire

    def save(
        self, question: Question, value: AnswerValue | None, reason: str | None = None
    ) -> None:
        self.store.save_answer(
            self.record_id,
            question.id,
            value,
            officer=self.officer,
            at=self.clock.stamp(),
            reason=reason,
        )

    def log(self, kind: str, detail: dict[str, Any] | None = None) -> None:
        self.store.log_event(
            self.record_id, kind, officer=self.officer, at=self.clock.stamp(), detail=detail
        )


# --- paper-form entry ---------------------------------------------------------------------


def run_paper_form(session: Session, answers: dict[str, Any], console: Console) -> None:
    """Enter a paper form; raises AnswersExhausted when a required answer is missing."""
    interview = session.interview
    while (question := interview.next_question()) is not None:
        if question.id not in answers:
            if question.required:
                raise AnswersExhausted(
                    f"the answers file has no answer for required question '{question.id}'; "
                    f"the record {session.record_id} stays a draft",
                    question_id=question.id,
                    record_id=session.record_id,
                )
            value = interview.answers[question.id] = None  # not required: left blank
        else:
            value = interview.answer(question, answers[question.id], lang=session.ui)
        session.save(question, value)
        _maybe_alert(session, question, value, console, interactive=False)
    skipped = sorted(set(answers) - set(interview.answers))
    if skipped:
        console.print(
            f"[dim]{t('not_asked_ignored', session.ui, ids=', '.join(skipped))}[/]"
        )


# --- the guided walk-through --------------------------------------------------------------

COMMANDS = ("back", "goto", "pause", "quit", "lang", "note", "help", "review")


class Paused(Exception):
    """The officer typed :quit: the draft is kept for later."""


def _ask(session: Session, console: Console, prompt: str) -> str:
    keyboard = session.keyboard
    if keyboard is None:
        from screening.cli._keyboard import Keyboard

        keyboard = session.keyboard = Keyboard(console)
    return read_terminal(keyboard.read, prompt)


def run_guided(session: Session, console: Console) -> None:
    """Walk the officer through the script until it ends, is paused or is interrupted."""
    from screening.cli._keyboard import Keyboard

    with Keyboard(console) as keyboard:
        session.keyboard = keyboard
        try:
            _walk(session, console)
        finally:
            session.keyboard = None


def _walk(session: Session, console: Console) -> None:
    interview = session.interview
    current: Question | None = interview.next_question()
    last_section: str | None = None
    while current is not None:
        section = session.questionnaire.section_of(current.id)
        if section.id != last_section:
            _section_header(session, section, console)
            last_section = section.id
        _show_question(session, current, console)
        raw = _ask(session, console, "[bold]>[/] ")
        if "\n" in raw.strip():
            taken = _one_answer_from_paste(session, current, raw.strip(), console)
            if taken is None:
                continue
            raw = taken
        elif raw.strip().startswith(":"):
            outcome = _command(session, current, raw.strip()[1:], console)
            if outcome is not None:
                current = outcome
                last_section = None
            continue
        changing = current.id in interview.answers
        old = interview.answers.get(current.id)
        if changing and raw.strip() == "":
            # Enter while changing an answer keeps it
            console.print(f"[dim]{t('kept', session.ui)}[/]")
            current = interview.next_question()
            continue
        try:
            value = interview.answer(current, raw, lang=session.ui)
        except InvalidAnswer as exc:
            from screening.cli._messages import answer_problem

            console.print(
                f"[red]{_escape(answer_problem(exc, session.ui))}[/] "
                f"[dim]{t('retry', session.ui)}[/]",
                soft_wrap=True,
            )
            continue
        if not changing or old != value:
            session.save(current, value, reason="changed with :back" if changing else None)
        _maybe_alert(session, current, value, console, interactive=True)
        current = interview.next_question()


def _one_answer_from_paste(
    session: Session, question: Question, text: str, console: Console
) -> str | None:
    """Several lines arrived at once: one answer for a text question if the officer says so,
    never answers to later questions. None: nothing is taken, ask again."""
    from rich.panel import Panel
    from rich.text import Text

    ui = session.ui
    lines = text.split("\n")
    if question.type != "text":
        console.print(f"[red]{t('paste_refused', ui, n=len(lines))}[/]", soft_wrap=True)
        return None
    title = t("paste_title", ui, n=len(lines))
    console.print(Panel(Text(text), title=title, border_style="yellow"))
    while True:
        reply = _ask(session, console, f"[yellow]{t('paste_keep', ui)}[/] ").strip().lower()
        if reply in ("y", "ya", "yes"):
            return text
        if reply in ("n", "t", "tidak", "no"):
            console.print(f"[dim]{t('paste_dropped', ui)}[/]")
            return None


def _command(session: Session, current: Question, text: str, console: Console) -> Question | None:
    """Run a ':' command; returns the question to show next, or None to stay."""
    name, _, arg = text.partition(" ")
    name, arg = name.lower(), arg.strip()
    ui = session.ui
    if name == "back" and not arg:
        previous = session.interview.previous(current)
        if previous is None:
            console.print(f"[yellow]{t('no_previous', ui)}[/]")
            return None
        console.print(f"[dim]{t('going_back', ui, id=previous.id)}[/]")
        return previous
    if name in ("goto", "back"):  # ':back age' means what ':goto age' does
        from screening.cli._messages import answer_problem

        try:
            target = session.interview.find_asked(arg)
        except InvalidAnswer as exc:
            console.print(f"[red]{_escape(answer_problem(exc, ui))}[/]", soft_wrap=True)
            console.print(f"[dim]{t('goto_how', ui)}[/]")
            return None
        console.print(f"[dim]{t('going_back', ui, id=target.id)}[/]")
        return target
    if name == "pause":
        session.log("pause")
        console.print(f"[yellow]{t('pause_hold', ui)}[/]", soft_wrap=True)
        _ask(session, console, f"[bold]{t('pause_enter', ui)}[/] ")
        session.log("continue")
        return current
    if name == "quit":
        session.log("pause")
        raise Paused
    if name == "lang":
        if arg not in session.questionnaire.languages:
            console.print(
                f"[red]{t('bad_lang', ui, langs=', '.join(session.questionnaire.languages))}"
                f"{_escape(suggest(arg, session.questionnaire.languages))}[/]"
            )
            return None
        session.language = arg
        session.store.set_language(
            session.record_id, arg, officer=session.officer, at=session.clock.stamp()
        )
        console.print(f"[green]{t('lang_set', ui, lang=arg)}[/]")
        return current
    if name == "note":
        if not arg:
            console.print(f"[yellow]{t('note_empty', ui)}[/]")
            return None
        session.store.add_note(
            session.record_id, current.id, arg, officer=session.officer, at=session.clock.stamp()
        )
        console.print(f"[green]{t('note_saved', ui)}[/]")
        return None
    if name == "help":
        console.print(t("help", ui))
        return None
    if name == "review":
        _review(session, console)
        return None
    console.print(
        f"[red]{t('bad_command', ui, name=_escape(name))}{_escape(suggest(name, COMMANDS))}[/]",
        soft_wrap=True,
    )
    return None


def _review(session: Session, console: Console) -> None:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from screening.cli._pager import show

    ui, lang = session.ui, session.language
    table = Table(title=t("review_title", ui))
    table.add_column("#")
    table.add_column(t("question", ui))
    table.add_column(t("answer", ui))
    for n, question in enumerate(session.interview.asked(), start=1):
        value = session.interview.answers[question.id]
        table.add_row(
            str(n),
            localized(question.text, lang),
            display_value(question, value, lang),
        )
    missing = session.interview.missing()
    parts: list[Any] = [table, Text(t("still_missing", ui, n=len(missing)))]
    for question in missing:
        # the officer's words for what is still to ask, never the internal ids
        parts.append(Text(f"  - {_short(localized(question.text, ui))}"))
    parts.append(Text(t("goto_how", ui), style="dim"))
    show(console, Group(*parts))


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def display_value(question: Question, value: Any, lang: str) -> str:
    """An answer as a person reads it: option labels, 'don't know', 'declined'."""
    from screening.models.answers import DECLINED, UNKNOWN

    if value is None:
        return "—"
    if value == UNKNOWN:
        return t("value_unknown", lang)
    if value == DECLINED:
        return t("value_declined", lang)
    if question.type == "yes_no":
        return t("value_yes" if value == "yes" else "value_no", lang)
    if question.type in ("choice", "multi_choice"):
        keys = value if isinstance(value, list) else [value]
        labels = []
        for key in keys:
            option = question.option(str(key))
            labels.append(localized(option.label, lang) if option else str(key))
        return "; ".join(labels)
    return str(value)


def _address(session: Session) -> str:
    from screening.interview.engine import address_for

    return address_for(session.questionnaire, session.interview.answers)


def _section_header(session: Session, section: Any, console: Console) -> None:
    from screening.cli._render import section_header

    console.print(section_header(section, lang=session.language, ui=session.ui,
                                 address=_address(session)))


def _show_question(session: Session, question: Question, console: Console) -> None:
    from screening.cli._render import question_panel

    interview = session.interview
    section = session.questionnaire.section_of(question.id)
    position = interview.progress(question)
    console.print(
        question_panel(question, section, lang=session.language, ui=session.ui, position=position,
                       address=_address(session))
    )
    if question.id in interview.answers:
        shown = display_value(question, interview.answers[question.id], session.ui)
        console.print(f"[dim]{t('current_answer', session.ui)}: {_escape(shown)}[/]")


def _maybe_alert(
    session: Session, question: Question, value: Any, console: Console, *, interactive: bool
) -> None:
    from screening.interview.engine import alert_for

    alert = alert_for(question, value)
    if alert is None:
        return
    from rich.panel import Panel

    session.log("alert", {"question": question.id})
    session.alerts.append(question.id)
    console.print(
        Panel(
            f"[bold]{_escape(localized(alert.message, session.ui))}[/]",
            title=f"[bold white on red] ⚠ {_escape(localized(alert.title, session.ui))} [/]",
            border_style="bold red",
        )
    )
    if interactive:
        _ask(session, console, f"[red]{t('alert_ack', session.ui)}[/] ")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def write_stdout_last_line(record_id: str) -> None:
    with suppress(OSError):  # the terminal may be gone; the record is saved either way
        sys.stdout.write(record_id + "\n")
        sys.stdout.flush()
