"""Issue 11, files, inputs and errors: the tool never writes over its own store, text stays as
typed, errors after a record exists say what was kept, hostile inputs get one clear message."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from _protect import case_answers, cli_env, invoke, paper, write_form
from screening.records.store import Store


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path)


@pytest.fixture
def db(env: dict[str, str]) -> Path:
    return Path(env["SCREENING_DB"])


@pytest.fixture
def record(env: dict[str, str], tmp_path: Path) -> str:
    return paper(env, write_form(tmp_path / "form.json", case_answers()))


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM records").fetchone()[0]


def clean(result) -> str:  # noqa: ANN001 - a CliRunner result
    return " ".join(result.stderr.split())


# -- 1. never write over the store --------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_an_export_onto_the_database_or_its_files_is_refused(
    env: dict[str, str], db: Path, record: str, suffix: str
) -> None:
    before = db.read_bytes()
    target = Path(f"{db}{suffix}")
    result = invoke(env, "records", "export", "-f", "csv", "-o", str(target), "--db", str(db),
                    "--force")
    assert result.exit_code == 1, result.output
    assert f"Refused to write the export to {target}: it is the records database" in clean(result)
    assert "Traceback" not in result.output
    assert db.read_bytes()[:16] == b"SQLite format 3\x00" and len(db.read_bytes()) >= len(before)
    assert count(db) == 1


def test_the_database_is_recognised_through_relative_paths_and_symlinks(
    env: dict[str, str], db: Path, record: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = tmp_path / "innocent.csv"
    link.symlink_to(db)
    monkeypatch.chdir(tmp_path)
    for target in (str(link), "records.db", f"./sub/../{db.name}"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = invoke(env, "records", "export", "-f", "csv", "-o", target, "--force")
        assert result.exit_code == 1, (target, result.output)
        assert "Refused to write the export" in result.stderr
    # Any SQLite database and any key file, even not the one in use.
    other = tmp_path / "old.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    key = tmp_path / "office-private-key.pem"
    key.write_text("-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE "
                   "KEY-----\n")
    for target, kind in ((other, "an SQLite database"), (key, "a key file")):
        result = invoke(env, "records", "export", "-o", str(target), "--force")
        assert result.exit_code == 1
        assert f"it is {kind}" in clean(result)
    assert key.read_text().startswith("-----BEGIN")
    assert count(db) == 1


def test_a_slip_onto_the_database_is_refused_before_any_record_is_made(
    env: dict[str, str], db: Path, record: str, tmp_path: Path
) -> None:
    form = write_form(tmp_path / "again.json", case_answers())
    for slip in (db, Path(f"{db}-wal")):
        result = invoke(env, "interview", "start", "--answers", str(form), "--slip", str(slip),
                        "--force")
        assert result.exit_code == 1, result.output
        assert f"Refused to write the slip to {slip}" in clean(result)
        assert result.stdout == ""
    assert count(db) == 1  # no second record, no draft


def test_an_existing_output_is_replaced_only_with_force(
    env: dict[str, str], record: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("keep me")
    refused = invoke(env, "records", "export", "-f", "csv", "-o", str(out))
    assert refused.exit_code == 1
    assert f"{out} already exists; the export was not written" in clean(refused)
    assert "--force" in refused.stderr
    assert out.read_text() == "keep me"
    forced = invoke(env, "records", "export", "-f", "csv", "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_text().startswith("id,")
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_an_existing_slip_is_checked_before_the_interview(
    env: dict[str, str], db: Path, tmp_path: Path
) -> None:
    slip = tmp_path / "slip.txt"
    slip.write_text("an older slip")
    form = write_form(tmp_path / "form.json", case_answers())
    refused = invoke(env, "interview", "start", "--answers", str(form), "--slip", str(slip))
    assert refused.exit_code == 1 and "already exists" in refused.stderr
    assert not db.exists() or count(db) == 0
    done = invoke(env, "interview", "start", "--answers", str(form), "--slip", str(slip),
                  "--force")
    assert done.exit_code == 0, done.output
    assert slip.read_text() != "an older slip"
    assert oct(slip.stat().st_mode & 0o777) == "0o600"


def test_dash_means_stdout(env: dict[str, str], record: str, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(env, "records", "export", "-f", "jsonl", "-o", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["id"] == record
    assert not (tmp_path / "-").exists()
    form = write_form(tmp_path / "form.json", case_answers())
    slip = invoke(env, "interview", "start", "--answers", str(form), "--slip", "-")
    assert slip.exit_code == 0, slip.output
    lines = slip.stdout.strip().splitlines()
    # the slip, then the new record's id on the last line
    assert len(lines) > 3 and lines[-1] != record and lines[-1].startswith(record[:9])
    assert any("Hak Anda" in line or "Your rights" in line for line in lines[:-1])
    assert not (tmp_path / "-").exists()


def test_one_function_guards_every_output(tmp_path: Path) -> None:
    """Later outputs (letters, reports, keys) call the same check."""
    from screening.records.outputs import OutputExists, OutputRefused, check_output

    db = tmp_path / "r.db"
    Store(db).close()
    assert check_output("-", db=db) is None
    assert check_output(None, db=db) is None
    assert check_output(tmp_path / "new.html", db=db) == tmp_path / "new.html"
    with pytest.raises(OutputRefused):
        check_output(tmp_path / "r.db-shm", db=db, force=True, what="the letter")
    with pytest.raises(OutputRefused, match="it is a folder"):
        check_output(tmp_path, db=db, force=True)
    with pytest.raises(OutputRefused, match="not a regular file"):
        check_output("/dev/null", db=db, force=True)
    (tmp_path / "old.html").write_text("x")
    with pytest.raises(OutputExists):
        check_output(tmp_path / "old.html", db=db)


# -- 5. text stays as typed ---------------------------------------------------------------------


def _yaml_form(path: Path, raw: dict[str, str], **top: str) -> Path:
    """A YAML answers file from the worked case, with ``raw`` values written verbatim."""
    answers = {k: v for k, v in case_answers().items() if k not in raw}
    lines = [f"{k}: {v}" for k, v in top.items()] or ["officer: petugas-uji"]
    lines.append("answers:")
    lines += [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in answers.items()]
    lines += [f"  {k}: {v}" for k, v in raw.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_text_answers_stay_exactly_as_written(env: dict[str, str], tmp_path: Path) -> None:
    form = _yaml_form(tmp_path / "form.yaml", {
        "phone": "0215551234", "document_number": "+6281234567890", "home_district": "1:30",
        "destination_country": "1_500",
    }, officer="007", location="0012")
    rid = paper(env, form)
    shown = json.loads(invoke(env, "records", "show", rid, "--format", "json").stdout)
    assert shown["answers"]["phone"] == "0215551234"
    assert shown["answers"]["document_number"] == "+6281234567890"
    assert shown["answers"]["home_district"] == "1:30"
    assert shown["answers"]["destination_country"] == "1_500"
    listed = json.loads(invoke(env, "records", "list", "--format", "json").stdout)
    assert (listed[0]["officer"], listed[0]["location"]) == ("007", "0012")


@pytest.mark.parametrize("value, shape", [
    ("{a: 1}", "a mapping is not an answer"),
    ("[a, b]", "a list is only an answer to a multiple-choice question"),
    ("true", "true is not a text answer"),
])
def test_a_mapping_list_or_boolean_for_a_text_question_is_located(
    env: dict[str, str], db: Path, tmp_path: Path, value: str, shape: str
) -> None:
    form = _yaml_form(tmp_path / "form.yaml", {"home_district": value})
    result = invoke(env, "interview", "start", "--answers", str(form))
    assert result.exit_code == 1
    line = form.read_text().splitlines().index(f"  home_district: {value}") + 1
    assert f"{form}:{line}:3: question 'home_district': {shape}" in result.stderr
    assert not db.exists() or count(db) == 0


@pytest.mark.parametrize("top, message", [
    ("officer: {name: x}", "'officer' must be text, not a mapping"),
    ("officer: true", "'officer' must be text, not true"),
    ("location: [a]", "'location' must be text, not a list"),
    ('officer: "Petugas\\u001b[2J"', "the officer contains a control character (U+001B)"),
    ("location: " + "x" * 201, "the location is 201 characters long; at most 200"),
    ('officer: "\\ud800"', "the officer is not usable: character 1 is not valid Unicode"),
])
def test_officer_and_location_from_a_file_are_checked(
    env: dict[str, str], db: Path, tmp_path: Path, top: str, message: str
) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(top + "\nanswers: {consent: 'yes'}\n", "utf-8")
    result = invoke(env, "interview", "start", "--answers", str(form))
    assert result.exit_code == 1, result.output
    assert f"{form}:1:" in result.stderr and message in clean(result)
    assert "Traceback" not in result.output
    assert not db.exists()


@pytest.mark.parametrize("officer", ["a\x1b[2Jb", "x" * 201, "bad\udc80"])
def test_officer_option_is_checked(env: dict[str, str], tmp_path: Path, officer: str) -> None:
    form = write_form(tmp_path / "form.json", case_answers())
    result = invoke(env, "interview", "start", "--answers", str(form), "--officer", officer)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: the officer name" in result.stderr


# -- 8. say what was kept -----------------------------------------------------------------------


def test_an_error_after_the_record_exists_names_the_draft(
    env: dict[str, str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.errors import StoreError
    from screening.records.writes import Writes

    def full_disk(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        raise StoreError("Could not finalize the record: the disk is full. Nothing was written.")

    monkeypatch.setattr(Writes, "finalize", full_disk)
    form = write_form(tmp_path / "form.json", case_answers())
    result = invoke(env, "interview", "start", "--answers", str(form))
    assert result.exit_code == 1
    rid = result.stdout.strip().splitlines()[-1]
    with Store(db) as store:
        assert store.record(rid)["status"] == "draft"
    text = clean(result)
    assert f"A draft was kept: record {rid}" in text
    assert f"Resume with: screening interview resume {rid}" in text
    assert "Traceback" not in result.output


# -- 9-12. hostile inputs -----------------------------------------------------------------------


def test_a_400_digit_age_and_a_lone_surrogate_are_clear_errors(
    env: dict[str, str], db: Path, tmp_path: Path
) -> None:
    for answers in ({**case_answers(), "age": int("9" * 400)},
                    {**case_answers(), "full_name": "Siti \ud800"}):
        form = tmp_path / "form.json"
        form.write_text(json.dumps({"answers": answers}), "utf-8")
        result = invoke(env, "interview", "start", "--answers", str(form))
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and "question '" in result.stderr
    assert not db.exists() or count(db) == 0


def test_answers_from_an_endless_file_are_capped(env: dict[str, str]) -> None:
    import resource
    import subprocess
    import sys

    def one_gigabyte() -> None:  # a regression fails here instead of eating the machine
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    result = subprocess.run(
        [sys.executable, "-m", "screening.cli.main", "interview", "start", "--answers",
         "/dev/zero"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
        preexec_fn=one_gigabyte,
    )
    assert result.returncode == 1, result.stderr
    assert "over the 1000000 bytes limit" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ["--until", "9999-12-31"], ["--since", "0001-01-01T00:00+05:00"],
    ["--until", "9999-12-31T23:59-05:00"],
])
def test_extreme_dates_filter_without_overflow(
    env: dict[str, str], record: str, args: list[str]
) -> None:
    for command in ("list", "export"):
        result = invoke(env, "records", command, *args, "--format", "json")
        assert result.exit_code == 0, result.output
        assert record in result.stdout


def test_purge_with_a_huge_age_is_a_usage_error(env: dict[str, str], record: str) -> None:
    result = invoke(env, "records", "purge", "--older-than", "1000000", "--yes")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [
    ["records", "verify"], ["records", "list"], ["records", "show", "20261127-AAAAAA"],
    ["records", "export"], ["interview", "drafts"], ["records", "purge", "--older-than", "1"],
])
def test_read_commands_never_create_a_database(
    env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "typo.db"
    result = invoke(env, *command, "--db", str(typo))
    assert result.exit_code == 1, result.output
    assert f"There is no records database at {typo}" in clean(result)
    assert not typo.exists()
    typo.touch()  # truncated to 0 bytes
    result = invoke(env, *command, "--db", str(typo))
    assert result.exit_code == 1
    assert "the file is empty (0 bytes)" in clean(result)
    assert typo.stat().st_size == 0


def test_a_second_purge_skips_what_the_first_took(
    env: dict[str, str], db: Path, tmp_path: Path
) -> None:
    drafts = []
    for n in range(3):
        form = write_form(tmp_path / f"d{n}.json", {"private_room": "yes"})
        drafts.append(paper(env, form))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE records SET updated_at = '2020-01-01T00:00:00.000000Z'")
    from screening.records import sealing

    real = sealing.Sealing.erase

    def racing_erase(self, record_id, **kwargs):  # noqa: ANN001, ANN003
        if record_id == drafts[0]:  # the other purge takes the rest meanwhile
            with Store(db) as other:
                for rid in drafts[1:]:
                    real(other, rid, **{**kwargs, "reason": "the other purge"})
        return real(self, record_id, **kwargs)

    pytest.MonkeyPatch.setattr(pytest.MonkeyPatch(), sealing.Sealing, "erase", racing_erase)
    try:
        result = invoke(env, "records", "purge", "--older-than", "30", "--yes")
    finally:
        sealing.Sealing.erase = real
    assert result.exit_code == 0, result.output
    assert "2 of them had already been purged meanwhile and were skipped" in clean(result)
    assert count(db) == 0


def test_records_list_escapes_control_characters(env: dict[str, str], record: str,
                                                 db: Path) -> None:
    with sqlite3.connect(db) as conn:  # a record written before officers were checked
        conn.execute("UPDATE records SET officer = ?, location = ?",
                     ["Petugas\x1b[2J", "[bold red]Kanim[/]\x07"])
    for fmt in ("table", "csv"):
        result = invoke({**env, "COLUMNS": "400"}, "records", "list", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\\x1b[2J" in result.stdout and "[bold red]Kanim[/]\\x07" in result.stdout


def test_a_form_for_another_questionnaire_is_an_error(
    env: dict[str, str], db: Path, tmp_path: Path
) -> None:
    form = _yaml_form(tmp_path / "form.yaml", {}, questionnaire="returnee")
    result = invoke(env, "interview", "start", "departure", "--answers", str(form))
    assert result.exit_code == 1
    assert (f"{form}:1:16: the answers file is filled for questionnaire 'returnee', not "
            "'departure'. Nothing was stored.") in clean(result)
    assert not db.exists() or count(db) == 0


# -- 7. owner-only files ------------------------------------------------------------------------


def test_the_database_and_its_files_are_owner_only_whatever_the_umask(
    env: dict[str, str], tmp_path: Path
) -> None:
    old = os.umask(0o002)
    try:
        rid = paper(env, write_form(tmp_path / "form.json", case_answers()))
        db = Path(env["SCREENING_DB"])
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            if path.exists():
                assert oct(path.stat().st_mode & 0o777) == "0o600", path
        settings = Path(os.environ["XDG_CONFIG_HOME"]) / "screening"
        default = invoke({}, "interview", "start", "--answers",
                         str(write_form(tmp_path / "f2.json", case_answers())))
        assert default.exit_code == 0, default.output
        app = Path(os.environ["XDG_DATA_HOME"]) / "screening"
        assert oct(app.stat().st_mode & 0o777) == "0o700"
        assert oct((app / "screening.db").stat().st_mode & 0o777) == "0o600"
        del settings, rid
    finally:
        os.umask(old)


def test_a_shared_database_gets_a_warning_with_the_fix(
    env: dict[str, str], db: Path, record: str
) -> None:
    from screening.records import database

    database._warned.clear()
    db.chmod(0o644)
    result = invoke(env, "records", "list")
    assert result.exit_code == 0
    text = clean(result)
    assert f"Warning: the records database {db} can be read by other accounts" in text
    assert f"chmod 600 {db}" in text


def test_settings_are_owner_only(env: dict[str, str], tmp_path: Path) -> None:
    from screening.records import settings

    old = os.umask(0o022)
    try:
        assert settings.save({"officer": "Petugas A"})
    finally:
        os.umask(old)
    path = settings.settings_path()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"


def test_a_json_escaped_pair_is_one_character_and_a_lone_half_an_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    form = tmp_path / "form.json"
    form.write_text(json.dumps({"answers": case_answers(home_district="Kota \U0001f600")}))
    assert "\\ud83d\\ude00" in form.read_text()  # as json.dumps writes it by default
    rid = paper(env, form)
    shown = json.loads(invoke(env, "records", "show", rid, "--format", "json").stdout)
    assert shown["answers"]["home_district"] == "Kota \U0001f600"


def test_a_broken_character_reaching_the_store_is_a_clear_error(db: Path) -> None:
    from screening.errors import StoreError

    with Store(db) as store:
        rid = store.create_record(
            questionnaire_id="departure", questionnaire_version="1", content_hash="h",
            snapshot={"questionnaire": "q", "indicator_set": "s"}, officer="uji", location="x",
            language="id",
            started_at="2026-11-27T08:00:00.000000Z",
        )
        with pytest.raises(StoreError, match="broken character"):
            store.add_note(rid, None, "catatan \ud800", officer="uji",
                           at="2026-11-27T08:01:00.000000Z")
        assert store.record(rid)["notes"] == []


def test_a_key_from_an_endless_file_is_refused(env: dict[str, str], record: str) -> None:
    result = invoke(env, "records", "show", record, "--key", "/dev/zero")
    assert result.exit_code == 1
    assert "/dev/zero is over 65536 bytes: it cannot be the office private key file" in (
        clean(result))
