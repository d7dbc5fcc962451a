"""The counter's forgiving inputs and strict values, moving around, and one meaning per id.

Content is written inline next to the assertion that needs it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.conftest import MINI_SCRIPT, MINI_SET, write_content
from typer.testing import CliRunner

from screening.cli.main import app
from screening.content.catalogue import check
from screening.content.yaml_source import load_text
from screening.errors import InvalidAnswer
from screening.interview.engine import normalize
from screening.models import Questionnaire
from screening.records.store import Store

runner = CliRunner()

# A script with the shapes the counter needs: a whole-number age, a date, a multi-choice
# with an exclusive "nobody", a choice with "none".
SHAPES = """\
kind: questionnaire
id: shapes
version: "1"
languages: [id, en]
indicator_set: mini
title: {id: Bentuk, en: Shapes}
sections:
  - id: start
    title: {id: Mulai, en: Start}
    questions:
      - id: consent
        type: yes_no
        role: consent
        text: {id: "Setuju?", en: "Do you agree?"}
      - id: age
        type: number
        integer: true
        role: age
        text: {id: "Umur?", en: "Age?"}
      - id: born
        type: date
        text: {id: "Tanggal lahir?", en: "Born on?"}
      - id: dependants
        type: multi_choice
        text: {id: "Siapa bergantung pada Anda?", en: "Who depends on you?"}
        options:
          - {key: children, label: {id: Anak, en: Children}}
          - {key: parents, label: {id: Orang tua, en: Parents}}
          - {key: nobody, exclusive: true, label: {id: Tidak ada, en: Nobody}}
        indicators:
          children: [deceptive_recruitment.wages]
      - id: schooling
        type: choice
        text: {id: "Sekolah?", en: "Schooling?"}
        options:
          - {key: none, label: {id: Tidak sekolah, en: None}}
          - {key: primary, label: {id: SD, en: Primary}}
          - {key: secondary, label: {id: SMP atau SMA, en: Secondary}}
"""

SCRIPT = Questionnaire.model_validate(load_text(SHAPES, "shapes.yaml").data)


def norm(question_id: str, raw: object) -> object:
    return normalize(SCRIPT.question(question_id), raw)


def refused(question_id: str, raw: object) -> InvalidAnswer:
    with pytest.raises(InvalidAnswer) as caught:
        norm(question_id, raw)
    return caught.value


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("1995-12-31", "1995-12-31"), ("31/12/1995", "1995-12-31"), ("31-12-1995", "1995-12-31"),
     ("1/2/2001", "2001-02-01"), ("31.12.1995", "1995-12-31")],
)
def test_dates_are_taken_as_written_on_indonesian_forms_and_stored_iso(raw, stored) -> None:
    assert norm("born", raw) == stored


@pytest.mark.parametrize("raw", ["31/02/1995", "12/31/1995", "1995/12/31", "kemarin"])
def test_impossible_or_month_first_dates_are_refused(raw: str) -> None:
    assert refused("born", raw).code == "not_date"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("N", "none"), ("NONE", "none"), ("secondary", "secondary"), ("Primary", "primary"),
     ("sd", "primary"), ("Tidak sekolah", "none"), ("sec", "secondary"), ("3", "secondary")],
)
def test_options_by_key_label_or_leading_letter_in_any_case(raw: str, stored: str) -> None:
    assert norm("schooling", raw) == stored


def test_an_ambiguous_start_is_refused_with_the_choices() -> None:
    # 'p' starts 'parents' only; 'Tidak' is no option; 'o' starts 'Orang tua' only
    assert norm("dependants", "p") == ["parents"]
    assert norm("dependants", "o") == ["parents"]
    assert refused("schooling", "s").code == "not_option"  # Secondary, or SD (primary)?
    problem = refused("dependants", "x")
    assert problem.message.startswith("'x' is not an option; choose 1-3 or one of: children")


def test_an_exclusive_option_cannot_be_combined() -> None:
    assert norm("dependants", "n") == ["nobody"]
    assert norm("dependants", "1,2") == ["children", "parents"]
    problem = refused("dependants", "children, nobody")
    assert problem.code == "exclusive"
    assert problem.message == "'Nobody' cannot be combined with other options"
    assert refused("dependants", ["nobody", "parents"]).code == "exclusive"


@pytest.mark.parametrize(("raw", "stored"), [("25", 25), (25.0, 25), ("17", 17), ("0", 0)])
def test_ages_are_whole_years(raw: object, stored: int) -> None:
    value = norm("age", raw)
    assert value == stored and isinstance(value, int)


@pytest.mark.parametrize("raw", ["25.5", "25,5", 17.9])
def test_a_fraction_of_a_year_is_refused(raw: object) -> None:
    assert refused("age", raw).code == "not_whole"


# --- the same rules in an answers file -------------------------------------------------------


@pytest.fixture
def shapes_env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    (mini_content / "questionnaires" / "shapes.yaml").write_text(SHAPES, encoding="utf-8")
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


def test_an_answers_file_obeys_the_same_rules(tmp_path: Path, shapes_env) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(
        "answers:\n  consent: yes\n  age: 25.5\n  born: 31/12/1995\n"
        "  dependants: [children, nobody]\n  schooling: N\n",
        encoding="utf-8",
    )
    for command in (["interview", "start", "shapes"], ["score", "--questionnaire", "shapes"]):
        result = runner.invoke(app, [*command, "--answers", str(form)], env=shapes_env)
        assert result.exit_code == 1, result.output
        assert "question 'age': '25.5' is not a whole number" in result.stderr
        assert "question 'dependants': 'Nobody' cannot be combined with other options" in (
            result.stderr
        )
        assert "born" not in result.stderr and "schooling" not in result.stderr
        assert "Traceback" not in result.output
    # Nothing was stored: not even a database file.
    assert not Path(shapes_env["SCREENING_DB"]).exists()


# --- content checks --------------------------------------------------------------------------


def diagnostics(root: Path) -> list[str]:
    return [str(d) for d in check([root / "indicators", root / "questionnaires"]).diagnostics]


def test_integer_belongs_to_number_questions(tmp_path: Path) -> None:
    script = MINI_SCRIPT.replace(
        "        type: text\n", "        type: text\n        integer: true\n"
    )
    root = write_content(tmp_path / "c", {"indicators/mini.yaml": MINI_SET,
                                          "questionnaires/mini.yaml": script})
    [problem] = diagnostics(root)
    assert problem.endswith("question 'name': 'integer' applies to a number question, not text")


def test_exclusive_on_every_option_is_a_warning(tmp_path: Path) -> None:
    script = SHAPES.replace("{key: children,", "{key: children, exclusive: true,").replace(
        "{key: parents,", "{key: parents, exclusive: true,"
    )
    root = write_content(tmp_path / "c", {"indicators/mini.yaml": MINI_SET,
                                          "questionnaires/shapes.yaml": script})
    [problem] = diagnostics(root)
    assert "warning: question 'dependants': every option is exclusive; use type choice" in problem


def test_one_id_with_two_types_across_scripts_is_a_warning(tmp_path: Path) -> None:
    # shapes has dependants as multi_choice; here it is yes/no: one export column, two meanings
    other = MINI_SCRIPT.replace("id: mini\n", "id: other\n", 1).replace(
        "      - id: job_offer\n", "      - id: dependants\n"
    ).replace("job_offer ==", "dependants ==")
    root = write_content(tmp_path / "c", {"indicators/mini.yaml": MINI_SET,
                                          "questionnaires/shapes.yaml": SHAPES,
                                          "questionnaires/other.yaml": other})
    result = runner.invoke(app, ["validate", "--content", str(root)])
    assert result.exit_code == 0, result.output
    assert (
        "questionnaires/shapes.yaml:23:13: warning: question id 'dependants' has type "
        "multi_choice here, yes_no in 'other'; exports put both in one column: give one of "
        "them another id"
    ) in result.stdout
    assert "0 error(s), 1 warning(s)" in result.stderr + result.stdout


def test_the_bundled_scripts_share_no_id_with_two_types() -> None:
    result = runner.invoke(app, ["validate", "--strict"])
    assert result.exit_code == 0, result.output
    assert "shared" not in result.stdout and "one column" not in result.stdout


# --- moving around in the guided interview --------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


def start(env: dict[str, str], lines: list[str]):
    return runner.invoke(
        app,
        ["interview", "start", "mini", "--officer", "Petugas Uji", "--location", "Loket 1",
         "--lang", "en"],
        input="\n".join(lines) + "\n",
        env=env,
    )


def answers(env: dict[str, str], stdout: str) -> dict:
    record_id = stdout.strip().splitlines()[-1]
    result = runner.invoke(app, ["records", "show", record_id, "--format", "json"], env=env)
    return json.loads(result.stdout)["answers"]


def test_goto_by_id_and_by_number_then_enter_keeps(env: dict[str, str]) -> None:
    # consent, age, job_offer, job_type; then :goto age -> 17; :goto 1 -> Enter keeps consent
    result = start(env, ["y", "30", "y", "1", ":goto age", "17", ":goto 1", "",
                         "y", "n", "Nama Uji"])
    assert result.exit_code == 0, result.output
    assert "Back to 'age': type the new answer, or Enter to keep it." in result.stderr
    assert "Back to 'consent'" in result.stderr and "Answer kept." in result.stderr
    got = answers(env, result.stdout)
    assert (got["consent"], got["age"], got["job_type"]) == ("yes", 17, "domestic")


def test_back_with_a_question_goes_there(env: dict[str, str]) -> None:
    result = start(env, ["y", "30", "y", ":back consent", "", "2", "n", "n", ""])
    assert result.exit_code == 0, result.output
    assert "Back to 'consent'" in result.stderr
    assert answers(env, result.stdout)["job_type"] == "other"


def test_goto_a_question_not_asked_is_refused_with_how(env: dict[str, str]) -> None:
    result = start(env, ["y", ":goto danger", ":goto 9", ":goto agee", ":goto",
                         "30", "n", "n", "n", ""])
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "'danger' has not been asked yet" in err
    assert "there is no answered question number 9 (1-1)" in err
    assert "no answered question 'agee'" in err
    assert "name the question: its id or its number in :review" in err
    assert ":goto QUESTION or :goto N (the number in :review)" in err


def test_pause_holds_the_screen_until_enter(env: dict[str, str]) -> None:
    result = start(env, ["y", ":pause", "", "30", "n", "n", "n", ""])
    assert result.exit_code == 0, result.output
    assert "Paused. Everything so far is saved." in result.stderr
    assert "Press Enter to continue" in result.stderr
    assert "Interview complete" in result.stderr
    assert answers(env, result.stdout)["age"] == 30


# --- small things that add up ----------------------------------------------------------------


def test_a_sealed_record_says_so_at_the_end_and_in_show(tmp_path: Path) -> None:
    from tests._protect import case_answers, cli_env, invoke, make_keys, write_form

    from screening.records.crypto import fingerprint, load_public_key

    _, public = make_keys(tmp_path / "keys")
    env = cli_env(tmp_path, public)
    done = invoke(env, "interview", "start", "departure", "--answers",
                  str(write_form(tmp_path / "f.json", case_answers())))
    assert done.exit_code == 0, done.output
    print_ = fingerprint(load_public_key(public))
    assert f"Sealed for the office key {print_}" in done.stderr
    assert "UNSEALED" not in done.stderr
    shown = invoke(env, "records", "show", done.stdout.strip().splitlines()[-1])
    assert shown.exit_code == 0, shown.output
    assert "[sealed]: identifying answers, free text and notes are sealed" in shown.stdout
    assert "\n: identifying" not in shown.stdout  # never a bare colon


def test_an_unsealed_record_says_so_at_the_end(tmp_path: Path, env: dict[str, str]) -> None:
    form = tmp_path / "f.yaml"
    form.write_text("answers: {consent: yes, age: 30, job_offer: no, passport_held: no, "
                    "danger: no}\n", encoding="utf-8")
    done = runner.invoke(app, ["interview", "start", "mini", "--answers", str(form)], env=env)
    assert "Stored UNSEALED: no office key is configured" in done.stderr


def test_one_answer_is_one_answer_and_no_drafts_is_a_sentence(env: dict[str, str]) -> None:
    Store(Path(env["SCREENING_DB"])).close()  # an empty database (a missing one is an error)
    empty = runner.invoke(app, ["interview", "drafts"], env=env)
    assert empty.exit_code == 0 and empty.stdout == ""
    assert empty.stderr.strip() == "No open drafts."
    none = runner.invoke(app, ["records", "list"], env=env)
    assert none.stdout == "" and none.stderr.strip() == "No records."
    one = start(env, ["y", ":quit"])
    assert "is saved (1 answer)." in one.stderr
    assert runner.invoke(app, ["interview", "drafts", "--format", "json"], env=env).stdout != "[]"


def test_records_list_shows_whole_times_at_120_columns(env: dict[str, str]) -> None:
    start(env, ["y", "30", "n", "n", "n", ""])
    listed = runner.invoke(app, ["records", "list"], env={**env, "COLUMNS": "120"})
    assert listed.exit_code == 0, listed.output
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", listed.stdout)
    assert max(len(line) for line in listed.stdout.splitlines()) <= 120


@pytest.mark.parametrize("level", ["HIGH", "High", "high"])
def test_choice_options_are_case_insensitive(env: dict[str, str], level: str) -> None:
    Store(Path(env["SCREENING_DB"])).close()
    result = runner.invoke(app, ["records", "list", "--level", level, "--format", "JSON"],
                           env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    exported = runner.invoke(app, ["records", "export", "--level", level, "--status",
                                   "COMPLETED", "--format", "json"], env=env)
    assert exported.exit_code == 0, exported.output


def test_section_guidance_does_not_repeat_the_read_aloud_warning() -> None:
    result = runner.invoke(app, ["questionnaires", "preview", "departure", "--ui", "en"])
    assert result.exit_code == 0, result.output
    assert "do not read aloud: Not read aloud" not in result.stdout
    assert "Guidance: Not read aloud." in result.stdout


def test_review_names_what_is_still_to_ask_in_words(env: dict[str, str]) -> None:
    result = start(env, ["y", "30", ":review", "n", "n", "n", ""])
    assert result.exit_code == 0, result.output
    review = result.stderr.split("Answers so far", 1)[1].split("Question 3", 1)[0]
    assert "Still to ask (required): 3" in review
    assert "  - A job offer?" in review and "  - In danger?" in review
    assert "passport_held" not in review and "danger," not in review


def test_questionnaires_show_tells_whole_numbers_and_exclusive_options() -> None:
    result = runner.invoke(app, ["questionnaires", "show", "departure", "--format", "json"])
    assert result.exit_code == 0, result.output
    questions = {q["id"]: q for q in json.loads(result.stdout)["questions"]}
    assert questions["age"]["type"] == "number" and questions["age"]["integer"] is True
    nobody = [o for o in questions["dependants"]["options"] if o["exclusive"]]
    assert [o["key"] for o in nobody] == ["nobody"]


def test_guidance_names_goto_with_a_question_asked_before_it() -> None:
    from screening.content.catalogue import load_catalogue

    named = 0
    for questionnaire in load_catalogue().questionnaires.values():
        order = [q.id for q in questionnaire.questions()]
        for question in questionnaire.questions():
            for text in (question.guidance or {}).values():
                assert ":back" not in text, f"{question.id}: name the question with :goto"
                for target in re.findall(r":goto (\w+)", text):
                    named += 1
                    assert target in order, f"{question.id}: unknown question '{target}'"
                    # itself (to change later) or an earlier one: :goto opens answered ones
                    assert order.index(target) <= order.index(question.id), question.id
    assert named >= 3
