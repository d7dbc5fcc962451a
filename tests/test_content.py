"""The loader answers like a compiler: located errors, all at once, never a traceback."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from tests.conftest import MINI_SCRIPT, MINI_SET, write_content
from typer.testing import CliRunner

from screening.cli.main import app
from screening.content.catalogue import check, load_catalogue
from screening.errors import ContentError

runner = CliRunner()


def messages(root: Path) -> list[str]:
    catalogue = check([root / "indicators", root / "questionnaires"])
    return [str(d) for d in catalogue.errors]


def test_valid_mini_content_loads(mini_content: Path) -> None:
    catalogue = load_catalogue(mini_content)
    assert list(catalogue.questionnaires) == ["mini"]
    assert [q.id for q in catalogue.questionnaires["mini"].questions()][:3] == [
        "consent",
        "age",
        "job_offer",
    ]
    assert len(catalogue.content_hash("mini")) == 64


def test_yes_and_no_stay_strings(mini_content: Path) -> None:
    q = load_catalogue(mini_content).questionnaires["mini"]
    assert q.question("passport_held").indicators == {
        "yes": ["coercion_destination.confiscation_of_documents"]
    }


def broken(tmp_path: Path, script: str = MINI_SCRIPT, indicator_set: str = MINI_SET) -> Path:
    return write_content(
        tmp_path / "c", {"indicators/mini.yaml": indicator_set, "questionnaires/mini.yaml": script}
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a YAML syntax error
        (
            "title: {id: Mini, en: Mini}\nsections",
            "title: {id: Mini, en: Mini\nsections",
            "questionnaires/mini.yaml:7:9: YAML syntax: expected ',' or '}', but got ':'",
        ),
        # a duplicate key
        (
            'version: "1"\n',
            'version: "1"\nversion: "2"\n',
            "questionnaires/mini.yaml:4:1: duplicate key 'version' (first defined at line 3)",
        ),
        # an unknown key, with a suggestion
        (
            "        role: consent\n",
            "        role: consent\n        requird: false\n",
            "questionnaires/mini.yaml:14:9: sections[0].questions[0]: unknown key 'requird' "
            "(did you mean 'required'?)",
        ),
        # a wrong type
        (
            "        role: consent\n",
            "        role: consent\n        required: [1]\n",
            "questionnaires/mini.yaml:14:19: sections[0].questions[0].required: input should be a "
            "valid boolean, got a list",
        ),
        # a wrong literal, with a suggestion
        (
            "      - id: job_offer\n        type: yes_no",
            "      - id: job_offer\n        type: yesno",
            "questionnaires/mini.yaml:23:15: sections[0].questions[2].type: 'yesno' is not one of: "
            "yes_no, choice, multi_choice, text, number, date (did you mean 'yes_no'?)",
        ),
        # a missing language
        (
            'text: {id: "Setuju?", en: "Do you agree?"}',
            'text: {id: "Setuju?"}',
            "questionnaires/mini.yaml:14:15: sections[0].questions[0].text: missing the 'en' text",
        ),
        # an unknown indicator reference
        (
            '"yes": [coercion_destination.confiscation_of_documents]',
            '"yes": [coercion_destination.confiscaton_of_documents]',
            "questionnaires/mini.yaml:37:19: unknown indicator "
            "'coercion_destination.confiscaton_of_documents' (did you mean "
            "'coercion_destination.confiscation_of_documents'?)",
        ),
        # a duplicate question id
        (
            "      - id: danger",
            "      - id: age",
            "questionnaires/mini.yaml:38:13: question id 'age' is used twice",
        ),
        # a condition on a later question
        (
            "show_when: \"job_offer == 'yes'\"",
            "show_when: \"danger == 'yes'\"",
            "questionnaires/mini.yaml:27:20: condition refers to 'danger', which is asked later; "
            "only earlier answers are known here",
        ),
        # a condition on an unknown question
        (
            "show_when: \"job_offer == 'yes'\"",
            "show_when: \"job_ofer == 'yes'\"",
            "questionnaires/mini.yaml:27:20: condition refers to unknown question 'job_ofer' "
            "(did you mean 'job_offer'?)",
        ),
        # a condition that does not parse: the column points into the condition
        (
            "show_when: \"job_offer == 'yes'\"",
            "show_when: \"job_offer === 'yes'\"",
            "questionnaires/mini.yaml:27:33: in condition 'job_offer === 'yes'': unexpected '=' "
            "(use '==' to compare)",
        ),
        # an answer key that is not an answer
        (
            '"yes": [coercion_destination',
            '"ya": [coercion_destination',
            "questionnaires/mini.yaml:37:11: question 'passport_held': 'ya' is not an answer of "
            "this question",
        ),
        # a duplicate option key
        (
            "{key: other, label: {id: Lain, en: Other}}",
            "{key: domestic, label: {id: L, en: O}}",
            "questionnaires/mini.yaml:31:19: option key 'domestic' is used twice "
            "(first at line 30)",
        ),
    ],
)
def test_script_errors_are_located(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINI_SCRIPT
    root = broken(tmp_path, MINI_SCRIPT.replace(old, new, 1))
    found = [m.replace(str(root) + "/", "") for m in messages(root)]
    assert any(m.startswith(expected) for m in found), found


def test_bad_tier(tmp_path: Path) -> None:
    text = MINI_SET.replace(
        "tiers: {adult-labour: medium, child-labour: medium}\n  - id: exploit",
        "tiers: {adult-labour: medum}\n  - id: exploit",
        1,
    )
    root = broken(tmp_path, indicator_set=text)
    found = [m.replace(str(root) + "/", "") for m in messages(root)]
    assert found == [
        "indicators/mini.yaml:19:27: indicators[1].tiers.adult-labour: 'medum' is not one of: "
        "strong, medium, weak (did you mean 'medium'?)",
        # the set failed, so the questionnaire's reference to it fails too
        "questionnaires/mini.yaml:5:16: unknown indicator set 'mini'",
    ]


def test_duplicate_indicator_ids(tmp_path: Path) -> None:
    text = MINI_SET.replace("exploitation.low_or_no_salary", "exploitation.excessive_hours")
    root = broken(tmp_path, indicator_set=text)
    found = [m.replace(str(root) + "/", "") for m in messages(root)]
    assert found == [
        "indicators/mini.yaml:23:9: indicator 'exploitation.excessive_hours' is "
        "used twice (first at line 20)"
    ]


def test_all_errors_of_all_files_at_once_sorted(tmp_path: Path) -> None:
    script = MINI_SCRIPT.replace(
        "type: yes_no\n        role: consent", "type: yesno\n        role: consent"
    ).replace("id: age\n", "id: Age\n")
    indicator_set = MINI_SET.replace("elements: [purpose]", "elements: [porpose]")
    root = broken(tmp_path, script, indicator_set)
    found = messages(root)
    assert len(found) >= 3
    assert found == sorted(found, key=lambda m: (m.split(":")[0], int(m.split(":")[1])))
    assert found[0].startswith(str(root / "indicators"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"   \n# only a comment\n", "the file is empty"),
        (b"id: \xff\xfe broken\n", "1:5: the file is not UTF-8 text"),
        (b"- just\n- a list\n", "expected a mapping of keys"),
        (b"!!python/object/apply:os.system ['echo hi']\n", "is not allowed (plain YAML only)"),
        (b"a: 1\n---\nb: 2\n", "one document per file"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, expected: str) -> None:
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "questionnaires" / "x.yaml").write_bytes(content)
    found = [str(d) for d in check([tmp_path / "questionnaires"]).errors]
    assert any(expected in m for m in found), found


def test_alias_bomb_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 10) + "]")
    path = tmp_path / "questionnaires" / "bomb.yaml"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    # CPU time, not wall time: a busy machine must not fail it. Expanded, the bomb would be
    # 10**10 items (hours and gigabytes), so a generous bound still proves it was refused.
    started = time.process_time()
    found = [str(d) for d in check([path]).errors]
    elapsed = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert any("expands to more than" in m for m in found), found
    assert elapsed < 30 and peak < 100 * 1024 * 1024


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 1_100_000 + "\n", encoding="utf-8")
    found = [str(d) for d in check([path]).errors]
    assert found == [f"{path}: the file is 1100004 bytes, over the 1000000 limit"]


def test_folder_without_yaml(tmp_path: Path) -> None:
    found = [str(d) for d in check([tmp_path]).errors]
    assert found == [f"{tmp_path}: no YAML files in this folder"]


def test_load_catalogue_raises_one_error_with_everything(tmp_path: Path) -> None:
    root = broken(tmp_path, MINI_SCRIPT.replace("indicator_set: mini", "indicator_set: mni"))
    with pytest.raises(ContentError) as info:
        load_catalogue(root)
    assert [d.message for d in info.value.diagnostics] == [
        "unknown indicator set 'mni' (did you mean 'mini'?)"
    ]


def test_validate_cli_exit_codes_and_format(tmp_path: Path, mini_content: Path) -> None:
    ok = runner.invoke(app, ["validate", "--content", str(mini_content)])
    assert ok.exit_code == 0, ok.output
    assert "0 error(s)" in ok.stderr
    root = broken(tmp_path, MINI_SCRIPT.replace("id: age\n", "id: consent\n"))
    bad = runner.invoke(app, ["validate", "--content", str(root), "--format", "json"])
    assert bad.exit_code == 1
    assert "Traceback" not in bad.output
    import json

    report = json.loads(bad.stdout)
    assert report["ok"] is False
    assert report["errors"][0]["message"] == "question id 'consent' is used twice"


def test_validate_one_questionnaire_against_active_sets(mini_content: Path) -> None:
    path = mini_content / "questionnaires" / "mini.yaml"
    result = runner.invoke(app, ["validate", str(path), "--content", str(mini_content)])
    assert result.exit_code == 0, result.output


def test_warnings_are_separate_and_strict_fails(tmp_path: Path) -> None:
    script = MINI_SCRIPT.replace("        role: consent\n", "", 1)
    root = broken(tmp_path, script)
    relaxed = runner.invoke(app, ["validate", "--content", str(root)])
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning: no question has 'role: consent'" in relaxed.stdout
    strict = runner.invoke(app, ["validate", "--content", str(root), "--strict"])
    assert strict.exit_code == 1


def test_a_broken_content_folder_stops_other_commands_cleanly(tmp_path: Path) -> None:
    root = broken(tmp_path, MINI_SCRIPT.replace("type: yes_no", "type: yesno", 1))
    result = runner.invoke(app, ["questionnaires", "list", "--content", str(root)])
    assert result.exit_code == 1
    assert "did you mean 'yes_no'" in result.stderr
    assert "Traceback" not in result.output
