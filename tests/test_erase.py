"""Erasure and retention: no identifying byte left behind, the assessment kept, the trail green."""

from __future__ import annotations

import json
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
from screening.content.catalogue import load_catalogue
from screening.records.protection import protected_questions
from screening.records.store import Store

STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).strftime(STAMP)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keys(tmp_path_factory.mktemp("keys") / "office")


def canary_record(env: dict[str, str], tmp_path: Path, canary: str) -> str:
    """A finished departure record carrying ``canary`` in a name, a document number, free
    text, a changed answer (history) and a note."""
    full = case_answers(full_name=f"Siti {canary}", document_number=f"{canary}-DOC",
                        promised_wage=f"{canary} ringgit")
    partial = {k: v for k, v in full.items() if k != "education"}
    record_id = paper(env, write_form(tmp_path / f"{canary}-1.json",
                                      {**partial, "full_name": f"Old {canary}"}))
    with Store(Path(env["SCREENING_DB"])) as store:
        store.save_answer(record_id, "full_name", f"Siti {canary}", officer="uji",
                          at=ago(minutes=1), reason="changed with :back")
        store.add_note(record_id, None, f"note {canary}", officer="uji", at=ago(minutes=1))
    done = invoke(env, "interview", "resume", record_id, "--answers",
                  str(write_form(tmp_path / f"{canary}-2.json", full)))
    assert done.exit_code == 0, done.output
    return record_id


@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "plaintext"])
def test_erase_leaves_no_identifying_byte_and_keeps_the_assessment(
    tmp_path: Path, office: tuple[Path, Path], sealed: bool
) -> None:
    canary = "KanariErase" + ("S" if sealed else "P")
    env = cli_env(tmp_path, public=office[1] if sealed else None)
    db = Path(env["SCREENING_DB"])
    record_id = canary_record(env, tmp_path, canary)
    other_canary = "AnotherOne" + ("S" if sealed else "P")
    other = canary_record(env, tmp_path, other_canary)
    with Store(db) as store:
        before = store.record(record_id)
    assert (canary.encode() in file_bytes(db)) is not sealed
    result = run_process(env, "records", "erase", record_id, "--reason", "consent withdrawn",
                         "--officer", "supervisor")
    assert result.returncode == 0, result.stderr
    assert "identifying data erased" in result.stderr and "the assessment is kept" in result.stderr
    data = file_bytes(db)
    assert f"Siti {canary}".encode() not in data and f"{canary}-DOC".encode() not in data
    assert f"note {canary}".encode() not in data and f"Old {canary}".encode() not in data
    assert (other_canary.encode() in data) is not sealed  # the other record is untouched
    with Store(db) as store:
        after = store.record(record_id)
        assert store.verify()["ok"] is True
    assert (after["level"], after["assessment"]) == (before["level"], before["assessment"])
    assert after["erased_at"] and after["sealed"] is None and after["notes"] == []
    for qid in ("full_name", "document_number", "promised_wage", "home_district"):
        assert after["answers"][qid] == {"erased": True}
    assert after["answers"]["passport_holder"] == "sponsor_agent"
    assert [(h["old_value"], h["new_value"]) for h in after["history"]
            if h["question_id"] == "full_name"] == [({"erased": True}, {"erased": True})]
    erase = after["events"][-1]
    assert (erase["kind"], erase["officer"]) == ("erase", "supervisor")
    assert erase["detail"]["reason"] == "consent withdrawn" and erase["detail"]["notes"] == 1
    assert "full_name" in erase["detail"]["questions"]
    verify = invoke(env, "records", "verify")
    assert verify.exit_code == 0, verify.output
    # opened with the key or not, an erased record exports nothing identifying
    for args in ([], ["--key", str(office[0])]):
        exported = invoke(env, "records", "export", "--format", "json", *args)
        [row] = [r for r in json.loads(exported.stdout) if r["id"] == record_id]
        assert row["identifying"] == "erased"
        assert canary not in exported.stdout
        assert (other_canary in exported.stdout) is bool(args)
    with Store(db) as store:
        assert store.record(other)["erased_at"] is None
    again = invoke(env, "records", "erase", record_id, "--reason", "twice")
    assert again.exit_code == 1
    assert f"Error: Record {record_id} was already erased on {after['erased_at']}." in \
        again.stderr.replace("\n", " ")


def test_erasing_a_draft_removes_it(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    draft = paper(env, write_form(tmp_path / "d.json", {
        **dict(list(case_answers().items())[:11]), "full_name": "Draf KanariDraft"}))
    db = Path(env["SCREENING_DB"])
    assert b"KanariDraft" in file_bytes(db)
    result = run_process(env, "records", "erase", draft, "--reason", "consent withdrawn")
    assert result.returncode == 0, result.stderr
    assert f"Draft {draft} removed." in result.stderr
    assert b"KanariDraft" not in file_bytes(db)
    with Store(db) as store:
        assert list(store.list_records()) == []
        assert store.verify()["ok"] is True
        kinds = [k for (k,) in store._db.execute(
            "SELECT kind FROM events WHERE record_id = ? ORDER BY id", [draft])]
    assert kinds[0] == "create" and kinds[-1] == "erase"


def test_erase_needs_a_reason(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    result = invoke(env, "records", "erase", "20261127-AAAAAA")
    assert result.exit_code == 2 and "--reason" in result.output
    Store(Path(env["SCREENING_DB"])).close()
    missing = invoke(env, "records", "erase", "20261127-AAAAAA", "--reason", "x")
    assert missing.exit_code == 1 and "There is no record '20261127-AAAAAA'" in missing.stderr


def _old_record(store: Store, questionnaire: object, content: dict, days: float,
                canary: str) -> str:
    started = ago(days=days, minutes=30)
    rid = store.create_record(
        questionnaire_id="departure", questionnaire_version=questionnaire.version,
        content_hash=content["hash"], snapshot=content["snapshot"], officer="uji",
        location="x", language="id", started_at=started,
    )
    store.save_answer(rid, "consent", "yes", officer="uji", at=started)
    store.save_answer(rid, "full_name", f"Nama {canary}", officer="uji", at=started)
    store.add_note(rid, None, f"catatan {canary}", officer="uji", at=started)
    store.finalize(rid, answers={"consent": "yes", "full_name": f"Nama {canary}"},
                   assessment={"level": "low", "dimensions": {}}, level="low",
                   outcome="completed", completed_at=ago(days=days), officer="uji",
                   consent_share=True, protect=protected_questions(questionnaire))
    return rid


def test_purge_erases_old_records_and_removes_stale_drafts(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    db = Path(env["SCREENING_DB"])
    catalogue = load_catalogue(None)
    questionnaire = catalogue.questionnaire("departure")
    content = {"hash": catalogue.content_hash("departure"),
               "snapshot": catalogue.snapshot("departure")}
    with Store(db) as store:
        old = _old_record(store, questionnaire, content, 400, "KanariOld")
        recent = _old_record(store, questionnaire, content, 10, "KanariRecent")
        stale = store.create_record(
            questionnaire_id="departure", questionnaire_version=questionnaire.version,
            content_hash=content["hash"], snapshot=content["snapshot"], officer="uji",
            location="x", language="id", started_at=ago(hours=30),
        )
        store.save_answer(stale, "full_name", "Nama KanariStale", officer="uji",
                          at=ago(hours=30))
    fresh = paper(env, write_form(tmp_path / "f.json", {
        **dict(list(case_answers().items())[:11]), "full_name": "Nama KanariFresh"}))
    data = file_bytes(db)
    assert all(c in data for c in (b"KanariOld", b"KanariRecent", b"KanariStale",
                                    b"KanariFresh"))
    dry = invoke(env, "records", "purge", "--older-than", "365", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert ("1 record(s) completed more than 365 day(s) ago: identifying data to erase; 1 "
            "draft(s) untouched for more than 24 h: to remove.") in dry.stderr.replace("\n", " ")
    assert f"{old} (completed)" in dry.stderr and f"{stale} (draft)" in dry.stderr
    unconfirmed = invoke(env, "records", "purge", "--older-than", "365")
    assert unconfirmed.exit_code == 1
    assert "Purging cannot be undone: add --yes to confirm." in unconfirmed.stderr
    assert b"KanariOld" in file_bytes(db)  # nothing happened yet
    result = run_process(env, "records", "purge", "--older-than", "365", "--yes")
    assert result.returncode == 0, result.stderr
    assert "Purged: 1 record(s) erased, 1 draft(s) removed." in result.stderr
    data = file_bytes(db)
    assert b"KanariOld" not in data and b"KanariStale" not in data
    assert b"KanariRecent" in data and b"KanariFresh" in data  # within retention, kept
    with Store(db) as store:
        assert store.verify()["ok"] is True
        kept = store.record(old)
        assert kept["level"] == "low" and kept["assessment"] == {"level": "low",
                                                                 "dimensions": {}}
        assert kept["answers"] == {"consent": "yes", "full_name": {"erased": True}}
        assert kept["events"][-1]["kind"] == "purge"
        assert kept["events"][-1]["detail"]["reason"] == "retention: completed more than 365 " \
                                                          "days ago"
        assert {r["id"] for r in store.list_records()} == {old, recent, fresh}
    verify = invoke(env, "records", "verify")
    assert verify.exit_code == 0, verify.output
    # purging again finds nothing new
    again = invoke(env, "records", "purge", "--older-than", "365", "--yes")
    assert again.exit_code == 0
    assert "0 record(s) completed more than 365 day(s) ago" in again.stderr
