"""One error hierarchy. Errors carry data; the CLI turns them into text in one place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A located problem in a content file, printed like a compiler message."""

    path: str
    line: int = 0
    column: int = 0
    message: str = field(default="", compare=False)
    code: str = field(default="", compare=False)
    severity: Severity = field(default="error", compare=False)

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column}"
        prefix = "" if self.severity == "error" else "warning: "
        return f"{where}: {prefix}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


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
