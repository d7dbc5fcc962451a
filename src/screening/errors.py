"""One error hierarchy. Errors carry data; the CLI turns them into text in one place."""

from __future__ import annotations

from collections.abc import Iterable

TYPE_CHECKING = False  # (not typing's: this module is imported by every command)
if TYPE_CHECKING:
    from screening.diagnostics import Diagnostic as Diagnostic
    from screening.diagnostics import Severity as Severity


def __getattr__(name: str) -> object:
    # Diagnostic and Severity live in screening.diagnostics, loaded when first named here.
    if name in ("Diagnostic", "Severity"):
        from screening import diagnostics

        globals()[name] = value = getattr(diagnostics, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ScreeningError(Exception):
    """A user-facing error: one clear message, exit code 1, never a traceback."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: The catalogue key of the message: the CLI words it in the officer's language
        #: (``message`` stays the English of it).
        self.code = code
        self.values = values or {}
        #: Problems that each carry their own code (an answers file): (place, error).
        self.parts: list[tuple[str, ScreeningError]] = []


class ContentError(ScreeningError):
    """The content (indicator sets, questionnaires) has errors; carries all of them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        errors = sorted(d for d in diagnostics if d.severity == "error")
        super().__init__(f"{len(errors)} error(s) in the content")
        self.diagnostics = sorted(diagnostics)


class NotFound(ScreeningError):
    """A named thing (record, questionnaire, indicator set) does not exist."""


class InvalidAnswer(ScreeningError):
    """An answer does not fit its question; the message says why, in plain words."""

    def __init__(
        self,
        message: str,
        *,
        question_id: str | None = None,
        code: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message, code=code, values=values)
        self.question_id = question_id


class AnswersExhausted(ScreeningError):
    """A paper-form answers file ran out before a required question (exit 3)."""

    exit_code = 3

    def __init__(self, message: str, *, question_id: str, record_id: str) -> None:
        super().__init__(
            message,
            code="form_ran_out",
            values={"question": question_id, "record": record_id},
        )
        self.question_id = question_id
        self.record_id = record_id


class StoreError(ScreeningError):
    """The records database cannot be used (read-only, locked, not ours, ...)."""


def suggest(name: str, choices: Iterable[object]) -> str:
    """A ' (did you mean 'x'?)' suffix when a close name exists, else ''."""
    import difflib

    names = [str(c) for c in choices]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
