"""Sealing at finalize: what a copied database file, its WAL and a default export reveal.

The CANARY test types one unique string as a name, a document number, a free-text answer, a
changed answer (history) and an officer note of a record, finalizes it with an office public
key configured, and then looks for the string in the raw bytes the laptop holds.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from _protect import (
    case_answers,
    cli_env,
    file_bytes,
    invoke,
    make_keys,
    paper,
    run_process,
    write_form,
)
from screening.records.store import Store


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    return make_keys(tmp_path / "office")


def test_canary_never_reaches_the_disk_or_a_default_export(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    canary = f"KANARI{uuid.uuid4().hex[:12]}"
    env = cli_env(tmp_path, public=keys[1])
    db = Path(env["SCREENING_DB"])
    full = case_answers(
        full_name=f"Siti {canary}",
        document_number=f"{canary}-DOC",
        phone="0812 0000 0000",
        promised_wage=f"{canary} ringgit",
        anything_else=f"the agent {canary} waits outside",
    )
    partial = {k: v for k, v in full.items() if k != "education"}
    # 1. a paper form that stops at a required question: a plaintext draft, in its own process
    first = run_process(env, "interview", "start", "departure", "--answers",
                        str(write_form(tmp_path / "part.json", partial)))
    assert first.returncode == 3, first.stderr
    record_id = first.stdout.strip().splitlines()[-1]
    assert canary.encode() in file_bytes(db)  # drafts ARE plaintext (the README says so)
    # 2. the officer corrects the name (history) and adds a note, still on the draft
    with Store(db) as store:
        store.save_answer(record_id, "full_name", f"Siti {canary} Aminah", officer="uji",
                          at="2026-11-27T08:00:00.000000Z", reason="changed with :back")
        store.add_note(record_id, "full_name", f"name differs from passport: {canary}",
                       officer="uji", at="2026-11-27T08:01:00.000000Z")
    # 3. the rest of the form, in another process: finalize seals
    done = run_process(env, "interview", "resume", record_id, "--answers",
                       str(write_form(tmp_path / "full.json", full)))
    assert done.returncode == 0, done.stderr
    assert "stored unencrypted" not in done.stderr
    assert canary.encode() not in file_bytes(db)
    assert canary.encode("utf-16-le") not in file_bytes(db)

    # the record reads as sealed without the key; the assessment stays readable
    shown = json.loads(invoke(env, "records", "show", record_id, "--format", "json").stdout)
    assert shown["sealed"] is True and shown["level"] == "high"
    assert shown["answers"]["full_name"] == {"sealed": True}
    assert shown["answers"]["anything_else"] == {"sealed": True}
    assert shown["answers"]["passport_holder"] == "sponsor_agent"
    assert [n["text"] for n in shown["notes"]] == [{"sealed": True}]
    assert {h["old_value"] == {"sealed": True} for h in shown["history"]
            if h["question_id"] == "full_name"} == {True}

    # default exports carry nothing of it
    for fmt in ("csv", "json", "jsonl", "htcds"):
        exported = invoke(env, "records", "export", "--format", fmt)
        assert exported.exit_code == 0, exported.output
        assert record_id in exported.stdout
        assert canary not in exported.stdout, fmt
    assert canary.encode() not in file_bytes(db)

    # opened with the key: all of it is there, and the opening is logged
    opened = invoke(env, "records", "export", "--format", "json", "--key", str(keys[0]))
    assert opened.exit_code == 0, opened.output
    [record] = json.loads(opened.stdout)
    assert record["identifying"] == "opened"
    assert record["answers"]["full_name"] == f"Siti {canary} Aminah"
    assert record["answers"]["document_number"] == f"{canary}-DOC"
    assert record["answers"]["promised_wage"] == f"{canary} ringgit"
    assert [n["text"] for n in record["notes"]] == [f"name differs from passport: {canary}"]
    assert (f"Siti {canary}", f"Siti {canary} Aminah") in {
        (h["old_value"], h["new_value"]) for h in record["history"]
    }
    csv_opened = invoke(env, "records", "export", "--format", "csv", "--key", str(keys[0]))
    assert canary in csv_opened.stdout
    with Store(db) as store:
        kinds = [e["kind"] for e in store.record(record_id)["events"]]
        trail = store._db.execute(
            "SELECT detail_json FROM events WHERE kind = 'decrypt'"
        ).fetchall()
    assert "finalize" in kinds
    assert len(trail) == 2 and all(record_id in row[0] for row in trail)
    # and still nothing on disk: decrypting never writes a value back
    assert canary.encode() not in file_bytes(db)


def test_show_opens_with_the_key_and_logs_it(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    env = cli_env(tmp_path, public=keys[1])
    record_id = paper(env, write_form(tmp_path / "f.json", case_answers(full_name="Nama Rahasia")))
    sealed = invoke(env, "records", "show", record_id)
    assert sealed.exit_code == 0, sealed.output
    assert "Nama Rahasia" not in sealed.stdout and "[sealed]" in sealed.stdout
    opened = invoke(env, "records", "show", record_id, "--key", str(keys[0]))
    assert opened.exit_code == 0, opened.output
    assert "Nama Rahasia" in opened.stdout
    with Store(Path(env["SCREENING_DB"])) as store:
        events = store.record(record_id)["events"]
    assert [e["kind"] for e in events][-3:] == ["view", "decrypt", "view"]
    assert events[-2]["detail"] == {"via": "records show"}


def test_opening_faults_are_one_clear_error(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    env = cli_env(tmp_path, public=keys[1])
    record_id = paper(env, write_form(tmp_path / "f.json", case_answers()))
    wrong_pass = invoke({**env, "SCREENING_KEY_PASSPHRASE": "not the passphrase"},
                        "records", "show", record_id, "--key", str(keys[0]))
    assert wrong_pass.exit_code == 1
    assert (f"Error: The passphrase does not open the private key {keys[0]}. Check it and "
            "try again.") in wrong_pass.stderr
    other, _ = make_keys(tmp_path / "other")
    wrong_key = invoke(env, "records", "show", record_id, "--key", str(other))
    assert wrong_key.exit_code == 1
    assert f"Error: The private key {other} does not open record {record_id}: it was sealed " \
           "for office key" in wrong_key.stderr
    missing = invoke(env, "records", "show", record_id, "--key", str(tmp_path / "none.pem"))
    assert missing.exit_code == 1
    assert (f"Error: The office private key file {tmp_path / 'none.pem'} does not exist. "
            "Check the path.") in missing.stderr
    for result in (wrong_pass, wrong_key, missing):
        assert "Traceback" not in result.output
        assert "Siti Aminah" not in result.output


def test_a_configured_key_that_cannot_be_used_starts_no_interview(tmp_path: Path) -> None:
    env = cli_env(tmp_path, public=tmp_path / "gone.pem")
    result = invoke(env, "interview", "start", "departure", "--answers",
                    str(write_form(tmp_path / "f.json", case_answers())))
    assert result.exit_code == 1
    assert f"The office public key file {tmp_path / 'gone.pem'} does not exist." in result.stderr
    assert "cannot be used, so no interview is started" in result.stderr
    with Store(Path(env["SCREENING_DB"])) as store:
        assert list(store.list_records()) == []


def test_sealing_that_fails_never_finalizes_in_plaintext(
    tmp_path: Path, keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import screening.records.crypto

    env = cli_env(tmp_path, public=keys[1])

    def broken(*args: object, **kwargs: object) -> dict:
        raise OSError("no entropy")

    monkeypatch.setattr(screening.records.crypto, "seal", broken)
    form = write_form(tmp_path / "f.json", case_answers())
    result = invoke(env, "interview", "start", "departure", "--answers", str(form))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    with Store(Path(env["SCREENING_DB"])) as store:
        [row] = list(store.list_records())
        record = store.record(row["id"])
    assert record["status"] == "draft" and record["sealed"] is None
    assert (f"Error: Could not seal record {row['id']} with the office public key: sealing "
            "failed (OSError: no entropy). The record was NOT finalized and nothing was stored "
            "unencrypted: it stays a draft.") in result.stderr.replace("\n", " ")
    assert f"screening interview resume {row['id']}" in result.stderr
    monkeypatch.undo()
    resumed = invoke(env, "interview", "resume", row["id"], "--answers", str(form))
    assert resumed.exit_code == 0, resumed.output
    with Store(Path(env["SCREENING_DB"])) as store:
        assert store.record(row["id"])["sealed"] is not None


def test_without_a_key_every_interview_warns(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    result = invoke(env, "interview", "start", "departure", "--answers",
                    str(write_form(tmp_path / "f.json", case_answers())))
    assert result.exit_code == 0, result.output
    assert "No office public key is configured: records are stored unencrypted." in result.stderr


def test_a_key_installed_with_keys_use_seals(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    env = cli_env(tmp_path)
    assert invoke(env, "keys", "use", str(keys[1])).exit_code == 0
    record_id = paper(env, write_form(tmp_path / "f.json", case_answers(full_name="Nama Uji")))
    shown = json.loads(invoke(env, "records", "show", record_id, "--format", "json").stdout)
    assert shown["sealed"] is True and shown["answers"]["full_name"] == {"sealed": True}


def test_records_finished_before_a_key_can_be_sealed_later(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    env = cli_env(tmp_path)
    record_id = paper(env, write_form(tmp_path / "f.json", case_answers(full_name="Nama Lama")))
    db = Path(env["SCREENING_DB"])
    assert b"Nama Lama" in file_bytes(db)
    refused = invoke(env, "records", "seal")
    assert refused.exit_code == 1 and "No office public key is configured" in refused.stderr
    sealed = invoke({**env, "SCREENING_PUBLIC_KEY": str(keys[1])}, "records", "seal")
    assert sealed.exit_code == 0, sealed.output
    assert "Sealed 1 record(s)." in sealed.stderr
    assert b"Nama Lama" not in file_bytes(db)
    assert invoke(env, "records", "verify").exit_code == 0
    opened = invoke(env, "records", "show", record_id, "--key", str(keys[0]))
    assert "Nama Lama" in opened.stdout


def test_drafts_older_than_a_day_are_flagged(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    old = (datetime.now(UTC) - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with Store(Path(env["SCREENING_DB"])) as store:
        stale = store.create_record(
            questionnaire_id="departure", questionnaire_version="1", content_hash="h",
            snapshot={"questionnaire": "q", "indicator_set": "i"}, officer="uji",
            location="x", language="id", started_at=old,
        )
    fresh = paper(env, write_form(tmp_path / "f.json", {"private_room": "yes"}))
    result = invoke(env, "interview", "drafts", "--format", "json")
    assert result.exit_code == 0, result.output
    flags = {row["id"]: row["stale"] for row in json.loads(result.stdout)}
    assert flags == {stale: True, fresh: False}
    assert ("1 draft(s) untouched for more than 24 h hold unencrypted answers"
            in result.stderr.replace("\n", " "))
