"""One bad row, one error: a record whose stored data cannot be decoded is named, the others
go through, exit 1 at the end; a damaged database file is detected and never written to
(issue 11, fault 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _protect import invoke, raw, write_form

MEDIUM = {"consent": "yes", "age": 30, "job_offer": "no", "passport_held": "yes",
          "danger": "no", "name": "Nama Uji"}
LOW = {**MEDIUM, "passport_held": "no", "name": "Nama Lain"}


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


@pytest.fixture
def db(env: dict[str, str]) -> Path:
    return Path(env["SCREENING_DB"])


def interview(env: dict[str, str], tmp_path: Path, answers: dict, name: str) -> str:
    form = write_form(tmp_path / f"{name}.json", answers)
    result = invoke(env, "interview", "start", "mini", "--answers", str(form))
    assert result.exit_code in (0, 3), result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def two(env: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    """(a record that will be damaged, a healthy one)."""
    return interview(env, tmp_path, MEDIUM, "a"), interview(env, tmp_path, LOW, "b")


BAD_JSON = ("UPDATE records SET assessment_json = '{bad' WHERE id = ?",
            "its assessment (assessment_json) is not valid JSON")
FLIPPED = ("UPDATE answers SET value_json = CAST(X'22FF22' AS TEXT) WHERE record_id = ? "
           "AND question_id = 'age'",
           "its answers (value_json) hold bytes that are not text (flipped bytes?)")
FLIPPED_ROW = ("UPDATE records SET officer = CAST(X'C328' AS TEXT) WHERE id = ?",
               "its details (officer) hold bytes that are not text (flipped bytes?)")


@pytest.mark.parametrize("damage", [BAD_JSON, FLIPPED, FLIPPED_ROW],
                         ids=["bad-json", "flipped-answer", "flipped-row"])
def test_show_and_export_isolate_a_damaged_record(
    env: dict[str, str], db: Path, two: tuple[str, str], damage: tuple[str, str]
) -> None:
    bad, good = two
    raw(db).execute(damage[0], [bad])
    shown = invoke(env, "records", "show", bad)
    assert shown.exit_code == 1
    assert shown.output.startswith(f"Error: Record {bad} cannot be read: {damage[1]}.")
    assert "Traceback" not in shown.output
    assert invoke(env, "records", "show", good).exit_code == 0
    exported = invoke(env, "records", "export", "--format", "jsonl")
    assert exported.exit_code == 1
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [good]
    assert f"{bad}: {damage[1]}" in exported.stderr
    listed = invoke(env, "records", "list", "--format", "json")
    ids = [row["id"] for row in json.loads(listed.stdout)]
    if damage is FLIPPED_ROW:  # the listing reads the row itself
        assert listed.exit_code == 1 and ids == [good]
        assert f"{bad}: {damage[1]}" in listed.stderr
    else:
        assert listed.exit_code == 0 and sorted(ids) == sorted(two)
    rescored = invoke(env, "records", "rescore", bad)
    assert rescored.exit_code == 1 and "Traceback" not in rescored.output
    assert f"Record {bad} cannot be read" in rescored.output


def test_verify_names_the_damaged_record_and_goes_on(
    env: dict[str, str], db: Path, two: tuple[str, str]
) -> None:
    bad, good = two
    con = raw(db)
    con.execute(BAD_JSON[0], [bad])
    con.execute("DROP TRIGGER events_append_only")
    event = con.execute("SELECT MAX(id) FROM events WHERE record_id = ?", [good]).fetchone()[0]
    con.execute("UPDATE events SET digest_json = CAST(X'7BFF7D' AS TEXT) WHERE id = ?", [event])
    result = invoke(env, "records", "verify", "--format", "json")
    assert result.exit_code == 1, result.output
    found = [p["problem"] for p in json.loads(result.stdout)["problems"]]
    assert f"record {bad} cannot be read: {BAD_JSON[1]}" in found
    assert any(p.startswith(f"event {event} ") for p in found)


def _break_a_page(db: Path) -> None:
    con = raw(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'answers'").fetchone()
    (size,) = con.execute("PRAGMA page_size").fetchone()
    con.close()
    with db.open("r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xff" * 64)


def test_a_damaged_database_file_is_never_written_to(
    env: dict[str, str], db: Path, tmp_path: Path, two: tuple[str, str]
) -> None:
    _break_a_page(db)
    before = db.read_bytes()
    form = write_form(tmp_path / "c.json", MEDIUM)
    result = invoke(env, "interview", "start", "mini", "--answers", str(form))
    assert result.exit_code == 1
    assert "is damaged" in result.output
    assert "copy" in result.output and "records verify" in result.output
    assert "backup" in result.output
    assert "Traceback" not in result.output
    assert db.read_bytes() == before
    checked = invoke(env, "records", "verify", "--format", "json")
    assert checked.exit_code == 1
    problems = json.loads(checked.stdout)["problems"]
    assert problems[0]["what"] == "database"
    assert problems[0]["problem"].startswith(f"the database file {db} is damaged")
