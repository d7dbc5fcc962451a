"""records list / show / rescore, and what a bad database file gets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.cli.main import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


def paper(env: dict[str, str], tmp_path: Path, answers: str, name: str = "f") -> str:
    form = tmp_path / f"{name}.yaml"
    form.write_text(f"officer: Petugas Uji\nanswers: {answers}\n", "utf-8")
    result = runner.invoke(app, ["interview", "start", "mini", "--answers", str(form)], env=env)
    assert result.exit_code in (0, 3), result.output
    return result.stdout.strip().splitlines()[-1]


MEDIUM = "{consent: 'yes', age: 30, job_offer: 'no', passport_held: 'yes', danger: 'no'}"
LOW = "{consent: 'yes', age: 30, job_offer: 'no', passport_held: 'no', danger: 'no'}"
DRAFT = "{consent: 'yes', age: 30}"


def listed(env: dict[str, str], *args: str) -> list[dict]:
    result = runner.invoke(app, ["records", "list", "--format", "json", *args], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_filters_and_contract(tmp_path: Path, env: dict[str, str]) -> None:
    medium = paper(env, tmp_path, MEDIUM, "a")
    low = paper(env, tmp_path, LOW, "b")
    draft = paper(env, tmp_path, DRAFT, "c")
    rows = listed(env)
    assert {r["id"] for r in rows} == {medium, low, draft}
    for row in rows:
        assert {"id", "status", "questionnaire", "level", "started_at", "completed_at"} <= set(row)
    assert [r["id"] for r in listed(env, "--status", "draft")] == [draft]
    assert {r["id"] for r in listed(env, "--status", "completed")} == {medium, low}
    assert [r["id"] for r in listed(env, "--level", "medium")] == [medium]
    assert listed(env, "--questionnaire", "departure") == []
    assert listed(env, "--since", "2999-01-01") == []
    assert len(listed(env, "--until", "2999-01-01")) == 3
    assert len(listed(env, "--limit", "2")) == 2


def test_list_csv_and_table(tmp_path: Path, env: dict[str, str]) -> None:
    record_id = paper(env, tmp_path, LOW)
    result = runner.invoke(app, ["records", "list", "--format", "csv"], env=env)
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["id"], row["status"], row["level"]) == (record_id, "completed", "low")
    table = runner.invoke(app, ["records", "list"], env=env)
    assert record_id in table.stdout and "1 record(s)" in table.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "yesterday"], "'yesterday' is not a date"),
    (["--status", "done"], "choose draft or completed"),
    (["--level", "severe"], "choose high, medium or low"),
])
def test_list_bad_filters_are_usage_errors(env: dict[str, str], args: list[str],
                                           message: str) -> None:
    result = runner.invoke(app, ["records", "list", *args], env=env)
    assert result.exit_code == 2
    assert message in result.output


def test_show_json_contract_and_text(tmp_path: Path, env: dict[str, str]) -> None:
    record_id = paper(env, tmp_path, MEDIUM)
    result = runner.invoke(app, ["records", "show", record_id, "--format", "json"], env=env)
    record = json.loads(result.stdout)
    assert {"id", "status", "answers", "assessment"} <= set(record)
    assessment = record["assessment"]
    assert {"profile", "level", "trafficking_indicated", "dimensions", "coverage"} <= set(
        assessment)
    assert assessment["dimensions"]["coercion_destination"] | {} == {
        **assessment["dimensions"]["coercion_destination"],
        "positive": False, "strong": 1, "medium": 0, "weak": 0}
    assert len(assessment["content_hash"]) == 64
    text = runner.invoke(app, ["records", "show", record_id], env=env)
    assert text.exit_code == 0, text.output
    assert "Someone else holds your passport?" in text.stdout and "medium" in text.stdout


def test_show_unknown_record_suggests(tmp_path: Path, env: dict[str, str]) -> None:
    record_id = paper(env, tmp_path, LOW)
    # one letter off: never the record's own last letter (ids are random)
    wrong = record_id[:-1] + ("Y" if record_id.endswith("Z") else "Z")
    result = runner.invoke(app, ["records", "show", wrong], env=env)
    assert result.exit_code == 1
    assert "did you mean" in result.stderr and "Traceback" not in result.output


def test_rescore_explains_a_tier_edit(tmp_path: Path, env: dict[str, str]) -> None:
    record_id = paper(env, tmp_path, MEDIUM)
    same = runner.invoke(app, ["records", "rescore", record_id], env=env)
    assert same.exit_code == 0, same.output
    assert "No change" in same.stdout
    indicators = Path(env["SCREENING_CONTENT"]) / "indicators" / "mini.yaml"
    text = indicators.read_text("utf-8").replace(
        "label: {id: Paspor, en: Passport}\n    tiers: {adult-labour: strong",
        "label: {id: Paspor, en: Passport}\n    tiers: {adult-labour: medium")
    indicators.write_text(text, "utf-8")
    result = runner.invoke(app, ["records", "rescore", record_id, "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["before"]["level"], report["after"]["level"]) == ("medium", "low")
    assert "level: medium → low" in report["changes"]
    assert ("coercion_destination.confiscation_of_documents: tier strong → medium on "
            "adult-labour") in report["changes"]
    # nothing was stored: the record keeps the level it was given
    shown = runner.invoke(app, ["records", "show", record_id, "--format", "json"], env=env)
    assert json.loads(shown.stdout)["assessment"]["level"] == "medium"


def test_rescore_of_a_draft_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    draft = paper(env, tmp_path, DRAFT)
    result = runner.invoke(app, ["records", "rescore", draft], env=env)
    assert result.exit_code == 1
    assert "has no assessment" in result.stderr


def test_a_text_file_as_database(tmp_path: Path, env: dict[str, str]) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("shopping list\n" * 100, "utf-8")
    result = runner.invoke(app, ["records", "list", "--db", str(bogus)], env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert str(bogus) in result.stderr
    assert bogus.read_text("utf-8") == "shopping list\n" * 100  # untouched


def test_a_database_in_a_missing_folder(tmp_path: Path, env: dict[str, str]) -> None:
    target = tmp_path / "no" / "such" / "folder" / "r.db"
    result = runner.invoke(app, ["interview", "start", "mini", "--officer", "A", "--location",
                                 "B", "--lang", "en", "--db", str(target)], input="y\n", env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not target.parent.exists()


def test_a_foreign_sqlite_database(tmp_path: Path, env: dict[str, str]) -> None:
    import sqlite3

    foreign = tmp_path / "other.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.commit()
    connection.close()
    result = runner.invoke(app, ["records", "list", "--db", str(foreign)], env=env)
    assert result.exit_code == 1
    assert "but not a screening records database" in result.stderr


@pytest.mark.parametrize(("typed", "stored"), [
    ("Siti Nurhaliza-Uji ✓ 日本", "Siti Nurhaliza-Uji ✓ 日本"),  # non-ASCII kept exactly
    ("Nama\x1b[31m\x07Uji", "Nama[31mUji"),  # control characters dropped
])
def test_text_answers_are_stored_safely(env: dict[str, str], typed: str, stored: str) -> None:
    lines = ["y", "30", "n", "n", "n", typed]
    result = runner.invoke(app, ["interview", "start", "mini", "--officer", "A", "--location",
                                 "B", "--lang", "en"], input="\n".join(lines) + "\n", env=env)
    assert result.exit_code == 0, result.output
    record_id = result.stdout.strip().splitlines()[-1]
    shown = runner.invoke(app, ["records", "show", record_id, "--format", "json"], env=env)
    assert json.loads(shown.stdout)["answers"]["name"] == stored


def test_very_long_input_is_refused_and_asked_again(env: dict[str, str]) -> None:
    lines = ["y", "30", "n", "n", "n", "x" * 5000, "Nama Uji"]
    result = runner.invoke(app, ["interview", "start", "mini", "--officer", "A", "--location",
                                 "B", "--lang", "en"], input="\n".join(lines) + "\n", env=env)
    assert result.exit_code == 0, result.output
    assert "the answer is 5000 characters; at most 2000" in result.stderr
