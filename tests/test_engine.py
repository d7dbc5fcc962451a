"""The engine as a pure state machine: answers in, questions visited out. No CLI, no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.conftest import MINI_SCRIPT

from screening.content.yaml_source import load_text
from screening.errors import InvalidAnswer
from screening.interview.engine import Interview, evidence
from screening.models import Questionnaire
from screening.models.answers import DECLINED, UNKNOWN

SCRIPT = Questionnaire.model_validate(load_text(MINI_SCRIPT, "mini.yaml").data)


def walk(answers: list[object]) -> tuple[list[str], Interview]:
    """Answer the questions in the order the engine asks them; return the ids visited."""
    interview = Interview(SCRIPT)
    visited = []
    feed = iter(answers)
    while (question := interview.next_question()) is not None:
        try:
            raw = next(feed)
        except StopIteration:
            break
        visited.append(question.id)
        interview.answer(question, raw)
    return visited, interview


@pytest.mark.parametrize(
    ("answers", "visited", "finished"),
    [
        # the whole script
        (["y", "30", "y", "1", "n", "n", "Nama Uji"],
         ["consent", "age", "job_offer", "job_type", "passport_held", "danger", "name"], True),
        # no job offer: job_type is skipped
        (["y", "30", "n", "n", "n", ""],
         ["consent", "age", "job_offer", "passport_held", "danger", "name"], True),
        # don't know on the gate: job_type is not asked (unknown, never read as no)
        (["y", "30", "?", "n", "n", ""],
         ["consent", "age", "job_offer", "passport_held", "danger", "name"], True),
        # consent declined ends the interview at once
        (["n"], ["consent"], True),
        # consent answered "declines to answer" is not consent
        (["-"], ["consent"], True),
        # a required question not yet answered keeps the interview open
        (["y", "30"], ["consent", "age"], False),
    ],
)
def test_walks(answers: list[object], visited: list[str], finished: bool) -> None:
    seen, interview = walk(answers)
    assert seen == visited
    assert interview.finished is finished


@pytest.mark.parametrize(
    ("question_id", "raw", "expected"),
    [
        ("consent", "Ya", "yes"),
        ("consent", "tidak", "no"),
        ("consent", True, "yes"),
        ("consent", "?", UNKNOWN),
        ("consent", "-", DECLINED),
        ("age", "30", 30),
        ("age", "16,5", 16.5),
        ("age", 42, 42),
        ("age", "unknown", UNKNOWN),
        ("job_type", "2", "other"),
        ("job_type", "DOMESTIC", "domestic"),
        ("name", "", None),  # not required: left blank
        ("name", "  Nama\x07 Uji ", "Nama Uji"),
    ],
)
def test_answers_are_normalized(question_id: str, raw: object, expected: object) -> None:
    interview = Interview(SCRIPT)
    assert interview.answer(SCRIPT.question(question_id), raw) == expected


@pytest.mark.parametrize(
    ("question_id", "raw", "message"),
    [
        ("consent", "", "an answer is needed (or ? for don't know, - for declines)"),
        ("consent", "maybe", "'maybe' is not yes or no (type y or n)"),
        ("age", "old", "'old' is not a number"),
        ("age", "150", "Age 0-120"),
        ("age", "nan", "expected a finite number"),
        ("job_type", "3", "'3' is not an option; choose 1-2 or one of: domestic, other"),
        ("job_type", ["domestic"], "choose one option, not a list"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_recorded(question_id: str, raw: object,
                                                         message: str) -> None:
    interview = Interview(SCRIPT)
    with pytest.raises(InvalidAnswer) as info:
        interview.answer(SCRIPT.question(question_id), raw)
    assert info.value.message == message
    assert interview.answers == {}


def test_back_then_a_changed_answer_hides_later_questions() -> None:
    _, interview = walk(["y", "30", "y", "1"])
    current = interview.next_question()
    assert current.id == "passport_held"
    previous = interview.previous(current)
    assert previous.id == "job_type"
    assert interview.previous(interview.previous(previous)).id == "age"
    interview.answer(SCRIPT.question("job_offer"), "n")
    assert "job_type" in interview.answers  # kept, with its history, but no longer shown
    assert [q.id for q in interview.asked()] == ["consent", "age", "job_offer"]
    assert "job_type" not in interview.pruned()
    assert interview.next_question().id == "passport_held"


def test_progress_and_missing() -> None:
    _, interview = walk(["y", "30"])
    # job_type counts only once its gate says yes: "about" 6 questions
    assert interview.progress(interview.next_question()) == (3, 6)
    assert [q.id for q in interview.missing()] == ["job_offer", "passport_held", "danger"]
    interview.answer(SCRIPT.question("job_offer"), "n")
    assert interview.progress(interview.next_question()) == (4, 6)


def test_evidence_keeps_unknown_apart_from_absent() -> None:
    _, said_no = walk(["y", "30", "n", "n", "n", ""])
    _, declined = walk(["y", "30", "n", "-", "n", ""])
    _, said_yes = walk(["y", "30", "n", "y", "n", ""])
    indicator = "coercion_destination.confiscation_of_documents"
    assert indicator in evidence(SCRIPT, said_no.answers).assessed
    assert indicator not in evidence(SCRIPT, said_no.answers).present
    assert evidence(SCRIPT, declined.answers).unknown[indicator] == [("passport_held",
                                                                      "declined")]
    assert indicator not in evidence(SCRIPT, declined.answers).assessed
    assert evidence(SCRIPT, said_yes.answers).present[indicator] == [("passport_held", "yes")]


def test_evidence_reads_age() -> None:
    _, child = walk(["y", "16", "n", "n", "n", ""])
    assert evidence(SCRIPT, child.answers).age == 16


def test_the_clock_keeps_order_when_the_wall_clock_jumps_back(monkeypatch) -> None:
    from screening.interview import clock

    start = datetime(2026, 11, 27, 14, 2, tzinfo=UTC)
    ticks = iter([100.0, 100.5, 101.0])
    monkeypatch.setattr(clock.time, "monotonic", lambda: next(ticks))
    session = clock.Clock(start)

    class Earlier(datetime):
        @classmethod
        def now(cls, tz=None):  # the laptop's clock is set back an hour
            return start - timedelta(hours=1)

    monkeypatch.setattr(clock, "datetime", Earlier)
    first, second = session.stamp(), session.stamp()
    assert first == "2026-11-27T14:02:00.500000Z"
    assert second == "2026-11-27T14:02:01.000000Z"
    assert first < second


def test_the_domain_imports_no_cli_and_no_storage() -> None:
    import ast

    domain = ["interview/engine.py", "assessment/scoring.py", "content/conditions.py",
              "models/answers.py", "content/coverage.py", "assessment/rescore.py",
              "models/indicators.py", "models/questionnaire.py",
              "models/assessment.py", "models/base.py"]
    root = Path(__file__).parent.parent / "src" / "screening"
    for name in domain:
        tree = ast.parse((root / name).read_text("utf-8"))
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert not module.startswith(("typer", "rich", "sqlite", "screening.cli",
                                              "screening.records")), (name, module)
