"""The guided interview and paper-form entry, driven through the CLI as an officer would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.cli.main import app
from screening.content.catalogue import load_catalogue
from screening.interview.engine import Interview

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


def start(env: dict[str, str], lines: list[str], *args: str):
    return runner.invoke(
        app,
        [
            "interview",
            "start",
            "mini",
            "--officer",
            "Petugas Uji",
            "--location",
            "Loket 1",
            "--lang",
            "en",
            *args,
        ],
        input="\n".join(lines) + "\n",
        env=env,
    )


def show(env: dict[str, str], record_id: str) -> dict:
    result = runner.invoke(app, ["records", "show", record_id, "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


# consent, age, job_offer, job_type, passport_held, danger, name
WHOLE = ["y", "30", "y", "1", "y", "n", "Nama Uji"]


def test_a_whole_interview_is_stored_and_assessed(env: dict[str, str]) -> None:
    result = start(env, WHOLE)
    assert result.exit_code == 0, result.output
    record = show(env, last_line(result.stdout))
    assert record["status"] == "completed"
    assert record["answers"] == {
        "consent": "yes",
        "age": 30,
        "job_offer": "yes",
        "job_type": "domestic",
        "passport_held": "yes",
        "danger": "no",
        "name": "Nama Uji",
    }
    assert record["assessment"]["level"] == "medium"  # one strong indicator alone
    assert record["assessment"]["dimensions"]["coercion_destination"]["strong"] == 1
    assert "Interview complete" in result.stderr


def test_unknown_and_declined_are_kept_apart_from_no(env: dict[str, str]) -> None:
    result = start(env, ["y", "30", "?", "-", "n", ""])
    assert result.exit_code == 0, result.output
    answers = show(env, last_line(result.stdout))["answers"]
    # job_type is skipped: its condition rests on an unknown answer
    assert answers == {
        "consent": "yes",
        "age": 30,
        "job_offer": "unknown",
        "passport_held": "declined",
        "danger": "no",
        "name": None,
    }


def test_invalid_input_is_asked_again_with_a_reason(env: dict[str, str]) -> None:
    lines = [
        "y",
        "",
        "thirty",
        "150",
        "30",
        "y",
        "7",
        "domestik",
        "domestic",
        "maybe",
        "y",
        "n",
        "",
    ]
    result = start(env, lines)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "an answer is needed" in err
    assert "'thirty' is not a number" in err
    assert "Age 0-120" in err  # the constraint's own message, in the interview language
    assert "'7' is not an option; choose 1-2 or one of: domestic, other" in err
    assert "(did you mean 'domestic'?)" in err
    assert "'maybe' is not yes or no" in err
    assert "Traceback" not in result.output
    assert show(env, last_line(result.stdout))["answers"]["age"] == 30


def test_back_changes_the_previous_answer_and_keeps_history(env: dict[str, str]) -> None:
    result = start(env, ["y", "30", "n", ":back", "y", "2", "n", "n", ""])
    assert result.exit_code == 0, result.output
    record = show(env, last_line(result.stdout))
    assert record["answers"]["job_offer"] == "yes"
    assert record["answers"]["job_type"] == "other"
    [change] = record["history"]
    assert (change["question_id"], change["old_value"], change["new_value"]) == (
        "job_offer",
        "no",
        "yes",
    )
    assert change["officer"] == "Petugas Uji"


def test_review_note_help_and_language_switch(env: dict[str, str]) -> None:
    lines = [
        "y",
        ":review",
        ":note Orang itu tampak lelah",
        ":help",
        ":lang id",
        ":lang xx",
        ":frobnicate",
        "30",
        "n",
        "n",
        "n",
        "",
    ]
    result = start(env, lines)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "Answers so far" in err and "Still to ask (required)" in err
    assert "Note saved." in err
    assert ":pause       a break: the screen waits for Enter" in err
    assert "Interview language is now 'id'." in err
    assert "Umur?" in err  # the question read aloud in Indonesian after :lang id
    assert "This script has the languages: id, en." in err
    assert "Unknown command ':frobnicate'" in err
    record = show(env, last_line(result.stdout))
    assert record["language"] == "id"
    assert [n["text"] for n in record["notes"]] == ["Orang itu tampak lelah"]


def test_officer_language_is_independent_of_interview_language(env: dict[str, str]) -> None:
    result = start(env, WHOLE, "--ui", "id")
    assert result.exit_code == 0, result.output
    assert "BACAKAN" in result.stderr  # the tool's own words in Indonesian
    assert "Do you agree?" in result.stderr  # the person is interviewed in English


def test_consent_declined_keeps_a_minimal_record_and_gives_the_slip(env: dict[str, str]) -> None:
    result = start(env, ["n"])
    assert result.exit_code == 0, result.output
    assert "Consent was not given" in result.stderr
    record = show(env, last_line(result.stdout))
    assert record["status"] == "completed"
    assert record["outcome"] == "consent_declined"
    assert record["answers"] == {}
    assert record["assessment"] is None


def test_an_alert_interrupts_with_the_safety_panel(env: dict[str, str]) -> None:
    result = start(env, ["y", "30", "n", "n", "y", "", ""])
    assert result.exit_code == 0, result.output
    assert "Danger" in result.stderr and "Make safe" in result.stderr
    assert "Press Enter when the person is safe" in result.stderr


def test_quit_then_resume(env: dict[str, str]) -> None:
    paused = start(env, ["y", "30", ":quit"])
    assert paused.exit_code == 0, paused.output
    record_id = last_line(paused.stdout)
    assert f"screening interview resume {record_id}" in paused.stderr
    drafts = runner.invoke(app, ["interview", "drafts", "--format", "json"], env=env)
    assert [d["id"] for d in json.loads(drafts.stdout)] == [record_id]
    resumed = runner.invoke(
        app, ["interview", "resume", record_id], input="y\n1\ny\nn\n\n", env=env
    )
    assert resumed.exit_code == 0, resumed.output
    assert "2 of about" in resumed.stderr and "Petugas Uji" in resumed.stderr
    assert "started" not in resumed.stderr  # a resumed draft is not a new record
    record = show(env, record_id)
    assert record["status"] == "completed"
    assert list(record["answers"]) == [
        "consent",
        "age",
        "job_offer",
        "job_type",
        "passport_held",
        "danger",
        "name",
    ]


def test_end_of_input_leaves_a_draft_and_exits_130(env: dict[str, str]) -> None:
    result = start(env, ["y", "30"])  # the input ends: like a closed terminal
    assert result.exit_code == 130, result.output
    record = show(env, last_line(result.stdout))
    assert record["status"] == "draft"
    assert record["answers"] == {"consent": "yes", "age": 30}


def test_resuming_a_completed_record_is_refused(env: dict[str, str]) -> None:
    done = start(env, WHOLE)
    again = runner.invoke(app, ["interview", "resume", last_line(done.stdout)], env=env)
    assert again.exit_code == 1
    assert "only a draft can be resumed" in again.stderr


def test_a_draft_resumes_into_the_content_it_began_with(
    tmp_path: Path, env: dict[str, str]
) -> None:
    paused = start(env, ["y", ":quit"])
    record_id = last_line(paused.stdout)
    script = Path(env["SCREENING_CONTENT"]) / "questionnaires" / "mini.yaml"
    script.write_text(script.read_text("utf-8").replace("Age?", "How old?"), "utf-8")
    resumed = runner.invoke(app, ["interview", "resume", record_id], input=":quit\n", env=env)
    assert "Age?" in resumed.stderr and "How old?" not in resumed.stderr


def test_officer_and_location_are_remembered_the_language_is_not(env: dict[str, str]) -> None:
    # the interview language belongs to the person: Enter gives the script's first language
    first = runner.invoke(
        app,
        ["interview", "start", "mini"],
        input="Petugas Uji\nLoket 9\nen\n" + "\n".join(WHOLE) + "\n",
        env=env,
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app, ["interview", "start", "mini"], input="\n\n\n" + "\n".join(WHOLE) + "\n", env=env
    )
    assert second.exit_code == 0, second.output
    record = show(env, last_line(second.stdout))
    assert (record["officer"], record["location"], record["language"]) == (
        "Petugas Uji",
        "Loket 9",
        "id",
    )
    assert "Interview language (id/en) [id]: " in second.stderr
    assert "Location (office, counter, checkpoint) [Loket 9]: " in second.stderr


# --- paper forms ----------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def paper(env: dict[str, str], path: Path, *args: str):
    return runner.invoke(
        app, ["interview", "start", "mini", "--answers", str(path), *args], env=env
    )


def test_paper_form_runs_without_prompts(tmp_path: Path, env: dict[str, str]) -> None:
    form = write(
        tmp_path,
        "officer: Petugas Uji\nlanguage: id\nanswers:\n  consent: yes\n"
        "  age: 16\n  job_offer: no\n  passport_held: unknown\n  danger: declined\n",
    )
    result = paper(env, form)
    assert result.exit_code == 0, result.output
    record = show(env, last_line(result.stdout))
    assert record["answers"] == {
        "consent": "yes",
        "age": 16,
        "job_offer": "no",
        "passport_held": "unknown",
        "danger": "declined",
        "name": None,
    }
    assert record["language"] == "id" and record["officer"] == "Petugas Uji"
    assert record["assessment"]["profile"].startswith("child-")


def test_paper_form_that_runs_out_exits_3_and_keeps_the_draft(
    tmp_path: Path, env: dict[str, str]
) -> None:
    form = write(tmp_path, "answers: {consent: 'yes', age: 40}\n")
    result = paper(env, form)
    assert result.exit_code == 3
    assert "no answer for required question 'job_offer'" in result.stderr
    record_id = last_line(result.stdout)
    assert show(env, record_id)["status"] == "draft"
    rest = tmp_path / "rest.yaml"
    rest.write_text("answers: {job_offer: 'no', passport_held: 'no', danger: 'no'}\n", "utf-8")
    done = runner.invoke(app, ["interview", "resume", record_id, "--answers", str(rest)], env=env)
    assert done.exit_code == 0, done.output
    assert last_line(done.stdout) == record_id
    assert show(env, record_id)["status"] == "completed"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ("{consent: 'yes', agee: 30}",
         "form.yaml:1:27: unknown question 'agee' in mini (did you mean 'age'?)"),
        ("{consent: 'yes', age: 'thirty'}", "question 'age': 'thirty' is not a number"),
        ("{consent: 'yes', age: 300}", "question 'age': Age 0-120"),
        (
            "{consent: 'yes', age: 30, job_offer: 'yes', job_type: 'pilot'}",
            "question 'job_type': 'pilot' is not an option",
        ),
        ("{consent: 'perhaps'}", "question 'consent': 'perhaps' is not yes or no"),
    ],
)
def test_a_bad_answers_file_is_refused_before_anything_is_written(
    tmp_path: Path, env: dict[str, str], answers: str, message: str
) -> None:
    result = paper(env, write(tmp_path, f"answers: {answers}\n"))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    # Nothing was written: not even a database file (records list would say "no database").
    assert not Path(env["SCREENING_DB"]).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "form.yaml: expected a mapping with 'answers: {QUESTION_ID: VALUE}'"),
        ("answers: {consent: 'yes'\n", "YAML syntax"),
        ("answer: {consent: 'yes'}\n",
         "form.yaml:1:1: unknown key 'answer' (did you mean 'answers'?)"),
    ],
)
def test_a_malformed_answers_file(
    tmp_path: Path, env: dict[str, str], text: str, message: str
) -> None:
    result = paper(env, write(tmp_path, text))
    assert result.exit_code == 1
    assert message in result.stderr


def test_missing_answers_file_is_a_usage_error(tmp_path: Path, env: dict[str, str]) -> None:
    result = paper(env, tmp_path / "nope.yaml")
    assert result.exit_code in (1, 2)
    assert "nope.yaml" in result.output


# --- the bundled scripts, both languages ----------------------------------------------------

POLICY = {
    "yes_no": "n",
    "choice": "1",
    "multi_choice": "1",
    "number": "30",
    "text": "Teks uji",
    "date": "2000-01-01",
}


@pytest.mark.parametrize("questionnaire_id", ["departure", "returnee"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_bundled_scripts_run_whole_in_both_languages(
    tmp_path: Path, questionnaire_id: str, lang: str
) -> None:
    questionnaire = load_catalogue().questionnaire(questionnaire_id)
    walk = Interview(questionnaire)
    lines = []
    while (question := walk.next_question()) is not None:
        raw = "y" if question.role in ("consent", "consent_share") else POLICY[question.type]
        value = walk.answer(question, raw)
        lines.append(raw)
        if question.alert and value in question.alert.on:
            lines.append("")  # acknowledge the safety panel
    env = {"SCREENING_DB": str(tmp_path / "r.db")}
    result = runner.invoke(
        app,
        [
            "interview",
            "start",
            questionnaire_id,
            "--officer",
            "Petugas",
            "--location",
            "Loket",
            "--lang",
            lang,
            "--ui",
            lang,
        ],
        input="\n".join(lines) + "\n",
        env=env,
    )
    assert result.exit_code == 0, result.output[-2000:]
    record = show(env, last_line(result.stdout))
    assert record["status"] == "completed"
    assert record["answers"] == walk.pruned()
    assert record["assessment"]["level"] in ("low", "medium", "high")
