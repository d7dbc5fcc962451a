"""Worked cases: filled answers files for the bundled scripts, with the expected result.

Each file in tests/cases/ is an ordinary answers file (answers, language, officer, location at
the top level) plus ``questionnaire`` and ``expect``. Every case runs through ``assess`` and
through ``screening score --questionnaire ... --answers ... --format json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from screening.assessment.scoring import assess
from screening.cli.main import app
from screening.content.catalogue import load_catalogue
from screening.content.yaml_source import load_file
from screening.interview.answers_file import checked_answers, read_answers_file

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def expectation(path: Path) -> dict[str, Any]:
    data = load_file(path).data
    assert isinstance(data, dict) and isinstance(data.get("expect"), dict), path
    return data["expect"]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def assessed(catalogue, path: Path):
    filled = read_answers_file(path)
    questionnaire = catalogue.questionnaire(filled.questionnaire)
    indicator_set = catalogue.indicator_set(questionnaire.indicator_set)
    answers = checked_answers(questionnaire, filled)
    return assess(indicator_set, questionnaire, answers), (indicator_set, questionnaire, answers)


def test_there_are_at_least_twelve_cases_for_both_scripts() -> None:
    assert len(CASES) >= 12
    scripts = {read_answers_file(p).questionnaire for p in CASES}
    assert scripts == {"departure", "returnee"}
    levels = {expectation(p)["level"] for p in CASES}
    assert levels == {"high", "medium", "low", None}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_through_assess(catalogue, path: Path) -> None:
    expect = expectation(path)
    result, _ = assessed(catalogue, path)
    if expect["level"] is None:
        assert expect.get("consent_declined") is True
        assert result is None
        return
    assert result is not None
    assert result.level == expect["level"], result.chosen_because
    assert sorted(result.positive_dimensions) == sorted(expect["positive"])
    assert result.profile == expect["profile"], result.chosen_because
    assert result.trafficking_indicated is (expect["level"] == "high")
    if "coverage_warning" in expect:
        assert (result.coverage_warning is not None) is expect["coverage_warning"], (
            result.coverage, result.coverage_warning)
    if "profiles_scored" in expect:
        assert result.profiles_scored == expect["profiles_scored"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_through_the_cli(path: Path, tmp_path: Path) -> None:
    expect = expectation(path)
    filled = read_answers_file(path)
    slip = tmp_path / "slip.txt"
    result = CliRunner().invoke(app, [
        "score", "--questionnaire", filled.questionnaire, "--answers", str(path),
        "--format", "json", "--slip", str(slip),
    ])
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["level"] == expect["level"]
    assert doc["questionnaire"] == filled.questionnaire
    # Whatever the result, the person leaves with the slip in their language.
    assert slip.read_text(encoding="utf-8").startswith("Informasi untuk Anda")
    if expect["level"] is None:
        assert doc["consent_declined"] is True
        return
    positive = sorted(d for d, v in doc["dimensions"].items() if v["positive"])
    assert positive == sorted(expect["positive"])
    assert doc["profile"] == expect["profile"]
    assert 0 <= doc["coverage"] <= 1


def test_consent_declined_text_output_still_points_to_the_slip(tmp_path: Path) -> None:
    path = next(p for p in CASES if expectation(p)["level"] is None)
    slip = tmp_path / "slip.html"
    result = CliRunner().invoke(app, ["score", "--answers", str(path), "--slip", str(slip)])
    assert result.exit_code == 0, result.output
    assert "Consent declined" in result.stdout
    assert "information slip" in result.stdout
    assert "<h1>Informasi untuk Anda</h1>" in slip.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [p for p in CASES if expectation(p).get("profile", "")
                                  .startswith("child")], ids=lambda p: p.stem)
def test_child_cases_need_no_means_the_same_answers_at_30_are_not_high(catalogue,
                                                                       path: Path) -> None:
    _, (indicator_set, questionnaire, answers) = assessed(catalogue, path)
    adult = assess(indicator_set, questionnaire, {**answers, "age": 30})
    assert adult is not None
    assert adult.profile.startswith("adult-")
    assert adult.level != "high"


def test_declined_answers_only_lower_coverage(catalogue) -> None:
    """The no-indicator returnee with every "no" turned into "declined": still low, never a
    present indicator, and the coverage drops below the warning threshold."""
    path = next(p for p in CASES if p.stem == "returnee-no-indicator")
    low, (indicator_set, questionnaire, plain) = assessed(catalogue, path)
    assert low is not None and low.level == "low" and low.coverage_warning is None
    declined = {qid: ("declined" if value in ("no", ["none"]) else value)
                for qid, value in plain.items()}
    dodged = assess(indicator_set, questionnaire, declined)
    assert dodged is not None
    assert dodged.level == "low"
    assert dodged.coverage < low.coverage
    assert not any(d.present for d in dodged.dimensions.values())
    assert dodged.coverage_warning is not None
