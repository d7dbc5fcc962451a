"""`screening score`: the contract JSON, explanations, errors, the slip."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.assessment.slip import slip_html, slip_text
from screening.cli.main import app
from screening.content.yaml_source import load_text
from screening.models import IndicatorSet

HIGH = [
    "deceptive_recruitment.nature_of_job",  # strong
    "deceptive_recruitment.wages",  # medium
    "exploitation.excessive_hours",  # strong
    "exploitation.low_or_no_salary",  # medium
    "coercion_destination.debt_bondage",  # strong
    "coercion_destination.isolation",  # strong
]
DIMENSIONS = {"deceptive_recruitment", "coercive_recruitment", "vulnerability_recruitment",
              "exploitation", "coercion_destination", "vulnerability_destination"}


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def test_contract_json_for_present_and_unknown() -> None:
    result = run("score", "--set", "ilo-2009", "--profile", "adult-labour",
                 "--present", ",".join(HIGH),
                 "--unknown", "vulnerability_destination.economic_reasons", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["profile"] == "adult-labour"
    assert doc["level"] == "high"
    assert doc["trafficking_indicated"] is True
    assert set(doc["dimensions"]) == DIMENSIONS
    counts = {d: (v["positive"], v["strong"], v["medium"], v["weak"])
              for d, v in doc["dimensions"].items()}
    assert counts == {
        "deceptive_recruitment": (True, 1, 1, 0),
        "coercive_recruitment": (False, 0, 0, 0),
        "vulnerability_recruitment": (False, 0, 0, 0),
        "exploitation": (True, 1, 1, 0),
        "coercion_destination": (True, 2, 0, 0),
        "vulnerability_destination": (False, 0, 0, 0),
    }
    assert doc["coverage"] == pytest.approx(66 / 67, abs=1e-4)
    assert doc["unknown"] == ["vulnerability_destination.economic_reasons"]
    assert doc["dimensions"]["coercion_destination"]["clause"] == "2 strong"
    assert doc["elements"] == {"act": True, "means": True, "purpose": True}


def test_indicators_not_named_count_as_absent() -> None:
    result = run("score", "--set", "ilo-2009", "--profile", "child-labour", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["level"] == "low"
    assert doc["trafficking_indicated"] is False
    assert doc["coverage"] == 1
    assert not any(v["positive"] for v in doc["dimensions"].values())


def test_repeated_and_spaced_ids_are_accepted() -> None:
    result = run("score", "-p", "adult-labour", "--present", HIGH[0], "--present",
                 f"{HIGH[1]}, {HIGH[2]}", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["dimensions"]["deceptive_recruitment"]["positive"] is True
    assert doc["dimensions"]["exploitation"]["strong"] == 1


def test_text_output_explains_the_clause_and_the_level() -> None:
    result = run("score", "--profile", "adult-labour", "--present", ",".join(HIGH))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "HIGH" in out
    assert 'rule met "2 strong"' in out
    assert 'rule met "1 strong + 1 medium or weak"' in out
    assert "[strong] Deceived about the type of job" in out
    assert "Refer to" in out and "SAPA 129" in out
    assert "Non-punishment" in out


def test_text_output_low_has_no_non_punishment_reminder() -> None:
    result = run("score", "--profile", "adult-labour")
    assert result.exit_code == 0, result.output
    assert "LOW" in result.stdout
    assert "Non-punishment" not in result.stdout
    assert "No indicator was answered yes." in result.stdout


def test_low_with_poor_coverage_warns_in_text() -> None:
    unknown = ",".join([
        "coercion_destination.confiscation_of_documents", "coercion_destination.debt_bondage",
        "coercion_destination.isolation", "coercion_destination.violence",
        "coercion_destination.forced_criminal_activity",
        "coercion_destination.forced_tasks_or_clients", "coercion_destination.forced_against_peers",
        "coercion_destination.forced_to_lie", "coercion_destination.threat_of_denunciation",
        "coercion_destination.threat_of_worse_conditions",
        "coercion_destination.threats_of_violence",
        "coercion_destination.strong_influence", "coercion_destination.violence_against_family",
        "coercion_destination.withholding_of_wages", "coercion_destination.threat_to_inform_family",
        "exploitation.excessive_hours", "exploitation.bad_living_conditions",
        "exploitation.hazardous_work", "exploitation.low_or_no_salary",
        "exploitation.no_respect_of_labour_law", "exploitation.no_social_protection",
        "exploitation.very_bad_working_conditions", "exploitation.wage_manipulation",
        "exploitation.no_access_to_education", "coercive_recruitment.violence",
        "coercive_recruitment.abduction_or_sale", "coercive_recruitment.confiscation_of_documents",
    ])
    result = run("score", "--profile", "adult-labour", "--unknown", unknown)
    assert result.exit_code == 0, result.output
    assert "Could not be assessed" in result.stdout
    assert "27 answered \"don't know\", declined or not asked" in result.stdout


def test_bad_profile_is_a_usage_error() -> None:
    result = run("score", "--profile", "adult-labor", "--present", HIGH[0])
    assert result.exit_code == 2
    assert "'adult-labor' is not a profile" in result.output
    assert "did you mean 'adult-labour'" in result.output


def test_profile_is_needed_for_named_indicators() -> None:
    result = run("score", "--present", HIGH[0])
    assert result.exit_code == 2
    assert "--profile" in result.output


def test_unknown_indicator_id_names_it_with_did_you_mean() -> None:
    result = run("score", "--profile", "adult-labour", "--present",
                 "deceptive_recruitment.nature_of_jb", "--unknown", "exploitation.nonsense_words")
    assert result.exit_code == 1
    assert ("unknown indicators in ilo-2009: 'deceptive_recruitment.nature_of_jb' (did you mean "
            "'deceptive_recruitment.nature_of_job'?), 'exploitation.nonsense_words'"
            ) in result.stderr
    assert result.stdout == ""


def test_same_id_present_and_unknown_is_an_error() -> None:
    result = run("score", "--profile", "adult-labour", "--present", HIGH[0], "--unknown", HIGH[0])
    assert result.exit_code == 1
    assert f"named both present and unknown: {HIGH[0]}" in result.stderr


def test_indicator_off_the_profile_list_is_ignored_with_a_warning() -> None:
    result = run("score", "--profile", "adult-labour", "--present",
                 "exploitation.forced_into_commercial_sex", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "Not on the adult-labour list, ignored: exploitation.forced_into_commercial_sex" \
        in result.stderr
    assert json.loads(result.stdout)["dimensions"]["exploitation"]["strong"] == 0


def test_unknown_set_names_it() -> None:
    result = run("score", "--set", "ilo-2099", "--profile", "adult-labour")
    assert result.exit_code == 1
    assert "no indicator set 'ilo-2099' (did you mean 'ilo-2009'?)" in result.stderr


# --- answers files (on the inline mini content of conftest.py) -----------------------------


def answers_file(tmp_path: Path, text: str, name: str = "filled.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def score_file(content: Path, path: Path, *more: str):
    return run("score", "--content", str(content), "--questionnaire", "mini", "--answers",
               str(path), *more)


def test_answers_file_is_scored(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, """\
        language: en
        answers:
          consent: yes
          age: 30
          job_offer: no
          passport_held: yes
          danger: no
    """)
    result = score_file(mini_content, path, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["level"] == "medium"  # one strong indicator alone
    assert doc["questionnaire"] == "mini"
    assert doc["dimensions"]["coercion_destination"]["strong"] == 1
    assert doc["dimensions"]["coercion_destination"]["present"] == [
        {"id": "coercion_destination.confiscation_of_documents", "tier": "strong",
         "answers": [{"question": "passport_held", "answer": "yes"}]}]
    assert doc["chosen_because"].startswith("age 30: adult lists")


def test_answers_behind_each_indicator_in_text(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, """\
        answers: {consent: yes, age: 30, job_offer: no, passport_held: yes, danger: no}
    """)
    result = score_file(mini_content, path)
    assert result.exit_code == 0, result.output
    assert "passport_held: Someone else holds your passport? -> yes" in result.stdout


def test_answers_file_with_unknown_question(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, """\
        answers:
          consent: yes
          pasport_held: yes
    """)
    result = score_file(mini_content, path)
    assert result.exit_code == 1
    assert f"{path}:3:3: unknown question 'pasport_held' in mini (did you mean " \
           "'passport_held'?)" in result.stderr
    assert result.stdout == ""


def test_answers_file_with_bad_values_names_each(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, """\
        answers:
          consent: perhaps
          age: 130
          job_offer: yes
          job_type: cook
    """)
    result = score_file(mini_content, path)
    assert result.exit_code == 1
    err = result.stderr
    assert f"{path}:2:3: question 'consent': 'perhaps' is not yes or no" in err
    assert f"{path}:3:3: question 'age': Age 0-120" in err
    assert f"{path}:5:3: question 'job_type': 'cook' is not an option" in err


@pytest.mark.parametrize(("text", "message"), [
    ("answers: [consent]\n", "'answers' must be a mapping of question id to answer"),
    ("answer:\n  consent: yes\n", "unknown key 'answer' (did you mean 'answers'?)"),
    ("answers:\n  consent: yes\n  consent: no\n", "duplicate key 'consent'"),
    ("answers: {consent: yes\n", "YAML syntax"),
    ("- just\n- a list\n", "expected a mapping"),
])
def test_malformed_answers_files(mini_content: Path, tmp_path: Path, text: str,
                                 message: str) -> None:
    result = score_file(mini_content, answers_file(tmp_path, text))
    assert result.exit_code == 1
    assert message in result.stderr


def test_missing_answers_file_is_a_usage_error(mini_content: Path, tmp_path: Path) -> None:
    result = score_file(mini_content, tmp_path / "nothing.yaml")
    assert result.exit_code in (1, 2)
    assert "nothing.yaml" in result.output


def test_answers_and_present_do_not_mix(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, "answers: {consent: yes}\n")
    result = score_file(mini_content, path, "--present", HIGH[0])
    assert result.exit_code == 2


def test_consent_declined_gives_no_assessment(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, "answers: {consent: no}\n")
    result = score_file(mini_content, path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"questionnaire": "mini", "consent_declined": True,
                                         "level": None, "slip": None}


def test_slip_html_written_for_a4(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, "language: en\nanswers: {consent: yes, age: 40}\n")
    out = tmp_path / "out.html"
    result = score_file(mini_content, path, "--slip", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "@page { size: A4;" in html
    assert '<html lang="en">' in html
    assert "http" not in html and "<script" not in html and "<link" not in html
    assert f"written to {out}" in result.stderr


def test_slip_language_follows_lang_option(tmp_path: Path) -> None:
    path = Path(__file__).parent / "cases" / "dep-01-procedural-p3mi-caregiver.yaml"
    out = tmp_path / "slip.txt"
    result = run("score", "--answers", str(path), "--slip", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Information for you\n===")
    assert "- SAPA 129 (women and children): call 021-129, WhatsApp 08111-129-129" in text


def test_slip_needs_an_answers_file() -> None:
    result = run("score", "--profile", "adult-labour", "--slip", "x.html")
    assert result.exit_code == 2


def test_bad_language_for_the_slip(mini_content: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, "answers: {consent: yes}\n")
    result = score_file(mini_content, path, "--lang", "fr")
    assert result.exit_code == 1
    assert "'mini' is not written in 'fr'" in result.stderr


# --- the slip builders ------------------------------------------------------------------------

SLIP_SET = """\
kind: indicator_set
id: slip-test
version: "1"
languages: [en, id]
title: {en: T, id: T}
dimensions:
  - {id: exploitation, title: {en: E, id: E}, elements: [purpose], stage: destination}
indicators:
  - {id: exploitation.x, label: {en: X, id: X}, tiers: {adult-labour: strong}}
rule:
  dimension_positive: [{label: "2 strong", strong: 2}]
  combination: {adult-labour: [[exploitation]]}
levels:
  - {id: high, title: {en: H, id: T}, when: [trafficking_combination]}
  - {id: medium, title: {en: M, id: S}, when: [strong_indicator]}
  - {id: low, title: {en: L, id: R}, when: [always]}
referrals:
  - id: hotline
    name: {en: "Help & <Line>", id: "Bantuan & <Saluran>"}
    contact: "129"
    description: {en: "Calls <free>", id: "Gratis"}
information_slip:
  title: {en: "Your <rights>", id: "Hak <Anda>"}
  sections:
    - heading: {en: Rights, id: Hak}
      lines:
        - {en: "You may stop & rest", id: "Anda boleh berhenti"}
        - {en: "<script>alert(1)</script>", id: "aman"}
"""


def slip_set() -> IndicatorSet:
    source = load_text(SLIP_SET, "slip-test.yaml")
    assert not source.diagnostics, source.diagnostics
    return IndicatorSet.model_validate(source.data)


def test_slip_text_in_the_interview_language() -> None:
    assert slip_text(slip_set(), "id") == (
        "Hak <Anda>\n==========\n\nHak\n---\n- Anda boleh berhenti\n- aman\n\n"
        "Tempat meminta bantuan\n----------------------\n- Bantuan & <Saluran>: 129. Gratis\n"
    )


def test_slip_html_escapes_every_text() -> None:
    html = slip_html(slip_set(), "en")
    assert "<title>Your &lt;rights&gt;</title>" in html
    assert "<li>You may stop &amp; rest</li>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "<li>Help &amp; &lt;Line&gt;: 129. Calls &lt;free&gt;</li>" in html
    assert "size: A4" in html and "font-size: 12pt" in html
