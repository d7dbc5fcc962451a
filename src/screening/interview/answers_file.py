"""Paper-form answers files: ``{answers: {QUESTION_ID: VALUE}}`` plus optional language,
officer, location and questionnaire. Read safely, checked against a script, every problem
reported at once with its place. Used by ``interview --answers`` and ``score --answers``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from screening.models import Questionnaire

ANSWERS_FILE_KEYS = ("answers", "language", "officer", "location", "questionnaire", "expect",
                     "description", "reasoning")


@dataclass
class AnswersFile:
    """A filled answers file, read but not yet checked against a script."""

    path: str
    answers: dict[str, Any]
    language: str | None = None
    officer: str | None = None
    location: str | None = None
    questionnaire: str | None = None
    #: question id -> "PATH:LINE:COL" of its answer, for messages
    places: dict[str, str] = field(default_factory=dict)
    #: top-level key (questionnaire, officer, ...) -> "PATH:LINE:COL" of its value
    key_places: dict[str, str] = field(default_factory=dict)


def read_answers_file(path: Path) -> AnswersFile:
    """Parse an answers file; raises ScreeningError naming every problem of its shape."""
    from screening.content.yaml_source import load_file
    from screening.errors import ScreeningError, suggest
    from screening.text import check_label

    source = load_file(path)
    if source.diagnostics:
        raise ScreeningError("cannot read the answers file:\n"
                             + "\n".join(f"  {d}" for d in sorted(source.diagnostics)))
    data = source.data
    problems = []
    if not isinstance(data, dict):
        raise ScreeningError(f"{path}: expected a mapping with 'answers: {{QUESTION_ID: VALUE}}'")
    for key in data:
        if key not in ANSWERS_FILE_KEYS:
            line, col = source.where((key,), key=True)
            problems.append(f"{path}:{line}:{col}: unknown key '{key}'"
                            + suggest(str(key), ANSWERS_FILE_KEYS))
    answers = data.get("answers")
    if not isinstance(answers, dict):
        line, col = source.where(("answers",))
        problems.append(f"{path}:{line}:{col}: 'answers' must be a mapping of question id to "
                        "answer")
        answers = {}
    texts: dict[str, str | None] = {}
    for key in ("language", "officer", "location", "questionnaire"):
        value = data.get(key)
        if value is None:
            texts[key] = None
            continue
        line, col = source.where((key,))
        if key in ("officer", "location"):
            # A name or place stays as typed: '007' is not 7.
            value = _as_written(source, (key,), value)
            if not isinstance(value, str):
                problems.append(f"{path}:{line}:{col}: '{key}' must be text, not "
                                f"{_shape(value)}")
                value = None
            else:
                try:
                    value = check_label(value, key) or None
                except ScreeningError as exc:
                    problems.append(f"{path}:{line}:{col}: {exc.message}")
                    value = None
        elif not isinstance(value, str):
            problems.append(f"{path}:{line}:{col}: '{key}' must be text")
            value = None
        texts[key] = value
    if problems:
        raise ScreeningError("the answers file has problems:\n"
                             + "\n".join(f"  {p}" for p in problems))
    places = {}
    written = {}
    for qid, value in answers.items():
        line, col = source.where(("answers", qid), key=True)
        places[str(qid)] = f"{path}:{line}:{col}"
        written[str(qid)] = _as_written(source, ("answers", qid), value)
    key_places = {}
    for key in ANSWERS_FILE_KEYS:
        if key in data:
            line, col = source.where((key,))
            key_places[key] = f"{path}:{line}:{col}"
    return AnswersFile(str(path), written, places=places, key_places=key_places, **texts)


def _as_written(source: Any, loc: tuple[str, ...], value: Any) -> Any:
    """A scalar exactly as typed in the file (YAML would read ``0215551234`` as an octal
    number, ``1:30`` as 90); true/false, blanks, lists and mappings as parsed."""
    if value is None or isinstance(value, bool | dict | list):
        return value
    return source.scalars.get(loc, value)


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false); put it in quotes if it is text"
    return type(value).__name__


def _shape_problem(kind: str, value: Any) -> tuple[str, str] | None:
    """(catalogue code, message): why ``value``'s shape can never answer a question of type
    ``kind``; None when it might."""
    if isinstance(value, dict):
        return "shape_mapping", "a mapping is not an answer; write the answer as plain text"
    if isinstance(value, list) and kind != "multi_choice":
        return "shape_list", "a list is only an answer to a multiple-choice question"
    if isinstance(value, bool) and kind != "yes_no":
        return "shape_bool", (f"{str(value).lower()} is not a {kind.replace('_', ' ')} answer; "
                              "put it in quotes if it is text")
    return None


def checked_answers(questionnaire: Questionnaire, filled: AnswersFile, *, ui: str = "en",
                    today: date | None = None) -> dict[str, Any]:
    """Every answer normalized in script order; ScreeningError naming each bad one."""
    from screening.errors import InvalidAnswer, ScreeningError, suggest
    from screening.interview.engine import normalize

    known = [q.id for q in questionnaire.questions()]
    problems = [
        f"{filled.places.get(qid, filled.path)}: unknown question '{qid}' in {questionnaire.id}"
        + suggest(qid, known)
        for qid in filled.answers if qid not in known
    ]
    parts: list[tuple[str, ScreeningError]] = [
        (filled.places.get(qid, filled.path),
         ScreeningError(problem, code="form_unknown_question",
                        values={"question": qid, "script": questionnaire.id,
                                "close": suggest(qid, known).partition("'")[2].rpartition("'")[0]}))
        for qid, problem in zip([q for q in filled.answers if q not in known], problems,
                                strict=True)
    ]
    checked: dict[str, Any] = {}
    for question in questionnaire.questions():
        if question.id not in filled.answers:
            continue
        shape = _shape_problem(question.type, filled.answers[question.id])
        if shape:
            place = filled.places.get(question.id, filled.path)
            problems.append(f"{place}: question '{question.id}': {shape[1]}")
            parts.append((place, InvalidAnswer(shape[1], question_id=question.id, code=shape[0],
                                               values={"value": str(filled.answers[question.id])
                                                       .lower()})))
            continue
        try:
            checked[question.id] = normalize(question, filled.answers[question.id], lang=ui,
                                             answers={k: v for k, v in checked.items()
                                                      if v is not None}, today=today)
        except InvalidAnswer as exc:
            problems.append(f"{filled.places.get(question.id, filled.path)}: question "
                            f"'{question.id}': {exc.message}")
            parts.append((filled.places.get(question.id, filled.path), exc))
    if problems:
        error = ScreeningError("the answers file has problems:\n"
                               + "\n".join(f"  {p}" for p in problems), code="form_problems")
        error.parts = parts
        raise error
    return checked


