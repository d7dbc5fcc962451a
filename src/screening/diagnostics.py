"""A located problem in a content file (:class:`Diagnostic`), importable as
``screening.errors.Diagnostic``: a dataclass, kept out of ``errors`` so that the commands that
read no content do not load ``dataclasses`` (with ``inspect`` and ``ast``) at every start."""

from __future__ import annotations

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
