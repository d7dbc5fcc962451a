"""The hash-chained audit trail: every change behind the tool's back is named by `verify`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import screening.records.database as store_module
from _protect import invoke, raw, write_form
from screening.content.catalogue import hash_texts
from screening.records.database import MIGRATIONS
from screening.records.store import Store

MEDIUM = {"consent": "yes", "age": 30, "job_offer": "no", "passport_held": "yes",
          "danger": "no", "name": "Nama Uji"}
LOW = {**MEDIUM, "passport_held": "no", "name": "Nama Lain"}
QI = hash_texts("q", "i")  # the content hash of a snapshot made of the texts "q" and "i"


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


@pytest.fixture
def db(env: dict[str, str]) -> Path:
    return Path(env["SCREENING_DB"])


def mini(env: dict[str, str], tmp_path: Path, answers: dict, name: str) -> str:
    form = write_form(tmp_path / f"{name}.json", answers)
    result = invoke(env, "interview", "start", "mini", "--answers", str(form))
    assert result.exit_code in (0, 3), result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def records(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Two completed records and a draft, each viewed once."""
    ids = {
        "medium": mini(env, tmp_path, MEDIUM, "a"),
        "low": mini(env, tmp_path, LOW, "b"),
        "draft": mini(env, tmp_path, {"consent": "yes", "age": 41}, "c"),
    }
    for record_id in ids.values():
        assert invoke(env, "records", "show", record_id).exit_code == 0
    return ids


def verify(env: dict[str, str]) -> tuple[int, list[str], dict]:
    text = invoke(env, "records", "verify")
    as_json = invoke(env, "records", "verify", "--format", "json")
    assert text.exit_code == as_json.exit_code
    report = json.loads(as_json.stdout)
    assert [p["problem"] for p in report["problems"]] == [
        line.removeprefix("✗ ") for line in text.stdout.splitlines() if line.startswith("✗ ")
    ] or not report["problems"]
    return text.exit_code, [p["problem"] for p in report["problems"]], report


def event_id(db: Path, kind: str, record_id: str | None = None) -> int:
    sql = "SELECT id FROM events WHERE kind = ?" + (" AND record_id = ?" if record_id else "")
    args = [kind, record_id] if record_id else [kind]
    return raw(db).execute(sql + " ORDER BY id LIMIT 1", args).fetchone()[0]


def test_a_clean_database_verifies(env: dict[str, str], records: dict[str, str]) -> None:
    code, problems, report = verify(env)
    assert (code, problems) == (0, [])
    assert report["ok"] is True and report["records"] == 3
    assert report["events"] == raw(Path(env["SCREENING_DB"])).execute(
        "SELECT COUNT(*) FROM events").fetchone()[0]
    assert len(report["head"]) == 64
    text = invoke(env, "records", "verify")
    assert text.stdout.startswith("OK: the audit trail is intact and every record matches it")


def test_an_edited_answer_is_named(env: dict[str, str], records: dict[str, str],
                                   db: Path) -> None:
    raw(db).execute(
        "UPDATE answers SET value_json = '\"no\"' WHERE record_id = ? AND question_id = ?",
        [records["medium"], "passport_held"],
    )
    code, problems, _ = verify(env)
    assert code == 1
    assert problems == [
        f"record {records['medium']} was changed behind the tool's back: the answer to "
        "'passport_held' was edited",
        # and re-scored from its own content, the edited answer no longer gives its level
        f"record {records['medium']}: its stored assessment is not what its answers score "
        "under its own content (scoring version 1): level: medium → low; "
        "coercion_destination: positive no → no; strong/medium/weak 1/0/0 → 0/0/0; "
        "coercion_destination.confiscation_of_documents: no longer counted (no answer maps to "
        "it any more)",
    ]


def test_a_deleted_event_is_named(env: dict[str, str], records: dict[str, str],
                                  db: Path) -> None:
    con = raw(db)
    with pytest.raises(sqlite3.IntegrityError, match="the audit trail is never deleted"):
        con.execute("DELETE FROM events WHERE kind = 'view'")
    victim = event_id(db, "view", records["low"])
    con.execute("DROP TRIGGER events_never_deleted")  # as an attacker would
    con.execute("DELETE FROM events WHERE id = ?", [victim])
    code, problems, _ = verify(env)
    assert code == 1
    assert problems == [
        f"event(s) {victim} were deleted (the trail jumps from event {victim - 1} to "
        f"{victim + 1})"
    ]


def test_the_newest_events_deleted_are_named(env: dict[str, str], records: dict[str, str],
                                             db: Path) -> None:
    con = raw(db)
    last = con.execute("SELECT MAX(id) FROM events").fetchone()[0]
    con.execute("DROP TRIGGER events_never_deleted")
    con.execute("DELETE FROM events WHERE id >= ?", [last - 1])
    code, problems, _ = verify(env)
    assert code == 1
    assert problems == [f"event(s) {last - 1} to {last} were deleted (the newest events)"]


def test_two_swapped_events_are_named(env: dict[str, str], records: dict[str, str],
                                      db: Path) -> None:
    con = raw(db)
    a = event_id(db, "view", records["medium"])
    b = event_id(db, "view", records["low"])
    columns = "record_id, kind, officer, at, detail_json, digest_json"
    row_a = con.execute(f"SELECT {columns} FROM events WHERE id = ?", [a]).fetchone()
    row_b = con.execute(f"SELECT {columns} FROM events WHERE id = ?", [b]).fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE events SET kind = 'x' WHERE id = ?", [a])
    con.execute("DROP TRIGGER events_append_only")
    sets = "record_id = ?, kind = ?, officer = ?, at = ?, detail_json = ?, digest_json = ?"
    con.execute(f"UPDATE events SET {sets} WHERE id = ?", [*row_b, a])
    con.execute(f"UPDATE events SET {sets} WHERE id = ?", [*row_a, b])
    code, problems, _ = verify(env)
    assert code == 1
    assert problems == [
        f"events {a} and {b} were swapped (reordered): each holds what belongs at the other's "
        "place"
    ]


def test_an_edited_event_is_named(env: dict[str, str], records: dict[str, str],
                                  db: Path) -> None:
    con = raw(db)
    victim = event_id(db, "finalize", records["medium"])
    con.execute("DROP TRIGGER events_append_only")
    con.execute("UPDATE events SET officer = 'someone else' WHERE id = ?", [victim])
    code, problems, _ = verify(env)
    assert code == 1
    assert problems == [
        f"event {victim} (finalize, record {records['medium']}) was edited, or inserted behind "
        "the tool's back: it does not match its hash"
    ]


def test_an_inserted_record_is_named(env: dict[str, str], records: dict[str, str],
                                     db: Path) -> None:
    con = raw(db)
    content_hash = con.execute("SELECT hash FROM content").fetchone()[0]
    con.execute(
        "INSERT INTO records (id, questionnaire, questionnaire_version, content_hash, status, "
        "officer, location, language, started_at, updated_at) VALUES ('20261127-FAKE00', "
        "'mini', '1', ?, 'draft', 'x', 'y', 'id', '2026-11-27T00:00:00.000000Z', "
        "'2026-11-27T00:00:00.000000Z')",
        [content_hash],
    )
    code, problems, _ = verify(env)
    assert code == 1
    assert problems == [
        "record 20261127-FAKE00 is not in the audit trail: it was inserted behind the tool's back"
    ]


def test_a_deleted_record_and_edited_details_are_named(
    env: dict[str, str], records: dict[str, str], db: Path
) -> None:
    con = raw(db)
    con.execute("DELETE FROM answers WHERE record_id = ?", [records["draft"]])
    con.execute("DELETE FROM records WHERE id = ?", [records["draft"]])
    con.execute("UPDATE records SET level = 'high' WHERE id = ?", [records["low"]])
    con.execute("UPDATE history SET reason = 'x' WHERE 0")  # touches nothing
    con.execute("INSERT INTO notes (record_id, question_id, text, officer, created_at) "
                "VALUES (?, NULL, 'added later', 'x', 'now')", [records["medium"]])
    code, problems, _ = verify(env)
    assert code == 1
    ordered = sorted(records.values())
    expected = {
        records["draft"]: f"record {records['draft']} was deleted behind the tool's back: the "
        "audit trail has it, the database does not",
        records["low"]: f"record {records['low']} was changed behind the tool's back: its "
        "details were edited (level)",
        records["medium"]: f"record {records['medium']} was changed behind the tool's back: "
        "its notes were edited",
    }
    rescored = (f"record {records['low']}: its stored assessment is not what its answers "
                "score under its own content (scoring version 1): its level column says high, "
                "its assessment low")
    assert rescored in problems
    problems.remove(rescored)
    got = sorted(problems, key=lambda p: next(i for i, r in enumerate(ordered) if r in p))
    assert got == [expected[r] for r in ordered]


def test_every_kind_of_tampering_at_once(env: dict[str, str], records: dict[str, str],
                                         db: Path) -> None:
    con = raw(db)
    con.execute("DROP TRIGGER events_never_deleted")
    con.execute("UPDATE answers SET value_json = '31' WHERE record_id = ? AND question_id = "
                "'age'", [records["low"]])
    victim = event_id(db, "view", records["medium"])
    con.execute("DELETE FROM events WHERE id = ?", [victim])
    con.execute("INSERT INTO answers (record_id, question_id, value_json, officer, answered_at, "
                "seq) VALUES (?, 'danger', '\"yes\"', 'x', 'now', 9)", [records["draft"]])
    code, problems, report = verify(env)
    assert code == 1 and report["ok"] is False
    assert sorted(problems) == sorted([
        f"event(s) {victim} were deleted (the trail jumps from event {victim - 1} to "
        f"{victim + 1})",
        f"record {records['low']} was changed behind the tool's back: the answer to 'age' was "
        "edited",
        f"record {records['draft']} was changed behind the tool's back: an answer to 'danger' "
        "was added",
    ])
    assert sorted((p["what"], p["id"]) for p in report["problems"]) == sorted([
        ("event", victim), ("record", records["low"]), ("record", records["draft"])
    ])


def test_history_can_only_be_sealed_or_erased(env: dict[str, str], db: Path,
                                              tmp_path: Path) -> None:
    with Store(db) as store:
        rid = store.create_record(
            questionnaire_id="mini", questionnaire_version="1", content_hash=QI,
            snapshot={"questionnaire": "q", "indicator_set": "i"}, officer="uji",
            location="x", language="id", started_at="2026-11-27T08:00:00.000000Z",
        )
        store.save_answer(rid, "name", "A", officer="uji", at="2026-11-27T08:01:00.000000Z")
        store.save_answer(rid, "name", "B", officer="uji", at="2026-11-27T08:02:00.000000Z")
    con = raw(db)
    with pytest.raises(sqlite3.IntegrityError, match="history is append-only"):
        con.execute("UPDATE history SET old_value_json = '\"C\"'")
    with pytest.raises(sqlite3.IntegrityError, match="history is append-only"):
        con.execute("UPDATE history SET old_value_json = NULL")
    with pytest.raises(sqlite3.IntegrityError, match="history is append-only"):
        con.execute("UPDATE history SET reason = 'x', old_value_json = '{\"sealed\": true}'")
    con.execute("UPDATE history SET old_value_json = '{\"erased\": true}'")  # what erase does


def test_the_trail_holds_no_answer_value(env: dict[str, str], db: Path, tmp_path: Path) -> None:
    canary = "KanariTrail9431"
    record_id = mini(env, tmp_path, {**MEDIUM, "name": f"Nama {canary}"}, "a")
    with Store(db) as store:
        store.log_event(record_id, "view", officer="uji", at="2026-11-27T09:00:00.000000Z")
    rows = raw(db).execute("SELECT kind, detail_json, digest_json FROM events").fetchall()
    assert {r[0] for r in rows} >= {"create", "answer", "finalize", "view"}
    for kind, detail_json, digest_json in rows:
        for text in (detail_json or "", digest_json or ""):
            assert canary not in text, kind
            assert "Nama" not in text, kind
            for value in ("yes", "no", "30"):  # answers never appear, only digests and ids
                assert f'"{value}"' not in text and f": {value}," not in text, (kind, text)


def test_answer_events_and_digests(env: dict[str, str], db: Path) -> None:
    with Store(db) as store:
        rid = store.create_record(
            questionnaire_id="mini", questionnaire_version="1", content_hash=QI,
            snapshot={"questionnaire": "q", "indicator_set": "i"}, officer="uji",
            location="x", language="id", started_at="2026-11-27T08:00:00.000000Z",
            detail={"mode": "paper"},
        )
        store.save_answer(rid, "age", 30, officer="uji", at="2026-11-27T08:01:00.000000Z")
        store.save_answer(rid, "age", 31, officer="ani", at="2026-11-27T08:02:00.000000Z",
                          reason="misheard")
        store.delete_answer(rid, "age", officer="ani", at="2026-11-27T08:03:00.000000Z",
                            reason="went back")
        store.add_note(rid, None, "a note", officer="ani", at="2026-11-27T08:04:00.000000Z")
        store.set_language(rid, "en", officer="ani", at="2026-11-27T08:05:00.000000Z")
        events = store.record(rid)["events"]
        assert store.verify()["ok"] is True
    assert [(e["kind"], e["officer"], e["detail"]) for e in events] == [
        ("create", "uji", {"questionnaire": "mini", "mode": "paper"}),
        ("answer", "uji", {"question": "age"}),
        ("change", "ani", {"question": "age", "reason": "misheard"}),
        ("change", "ani", {"question": "age", "deleted": True, "reason": "went back"}),
        ("note", "ani", {"question": None}),
        ("language", "ani", {"language": "en"}),
    ]
    digests = [json.loads(r[0]) for r in raw(db).execute(
        "SELECT digest_json FROM events WHERE record_id IS NOT NULL ORDER BY id").fetchall()]
    assert set(digests[1]) == {"question", "value", "state"}
    assert digests[1]["value"] != digests[2]["value"]
    assert digests[3]["deleted"] is True
    chain = raw(db).execute("SELECT prev_hash, hash FROM events ORDER BY id").fetchall()
    assert chain[0][0] == "0" * 64
    assert all(chain[n][0] == chain[n - 1][1] for n in range(1, len(chain)))


def test_a_failed_write_leaves_no_event(db: Path) -> None:
    with Store(db) as store:
        rid = store.create_record(
            questionnaire_id="mini", questionnaire_version="1", content_hash=QI,
            snapshot={"questionnaire": "q", "indicator_set": "i"}, officer="uji",
            location="x", language="id", started_at="2026-11-27T08:00:00.000000Z",
        )

        def fail(sql: str, params: object) -> None:
            if "INSERT INTO events" in sql.replace("[", "").replace('"', ""):
                raise sqlite3.OperationalError("disk I/O error")

        with store._db.tracer(fail), pytest.raises(Exception, match="disk I/O error|Could not"):
            store.save_answer(rid, "age", 30, officer="uji", at="2026-11-27T08:01:00.000000Z")
        assert store.answers(rid) == {}  # the answer and its event stand or fall together
        assert store.verify()["ok"] is True


def test_a_schema_1_database_is_chained_on_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    con = raw(path)
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    con.execute("INSERT INTO content VALUES (?, 'mini', 'q', 'i', NULL, 'now')", [QI])
    con.execute(
        "INSERT INTO records (id, questionnaire, questionnaire_version, content_hash, status, "
        "officer, location, language, started_at, updated_at) VALUES ('20261127-OLD000', "
        "'mini', '1', ?, 'draft', 'x', 'y', 'id', 'a', 'a')", [QI]
    )
    con.execute("INSERT INTO answers VALUES ('20261127-OLD000', 'age', '30', 'x', 'a', 1)")
    for kind in ("create", "pause"):
        con.execute("INSERT INTO events (record_id, kind, officer, at) "
                    "VALUES ('20261127-OLD000', ?, 'x', 'a')", [kind])
    con.close()
    with Store(path) as store:
        report = store.verify()
        kinds = [e["kind"] for e in store.record("20261127-OLD000")["events"]]
    assert report["ok"] is True, report["problems"]
    assert kinds == ["create", "pause", "baseline"]
    with Store(path) as store:  # upgraded to the newest schema, and it stays readable
        assert store.list_records() is not None
    con = raw(path)
    (version,) = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    con.close()
    assert int(version) == store_module.SCHEMA_VERSION


def test_half_a_character_pair_edited_into_an_answer_is_named(
    env: dict[str, str], records: dict[str, str], db: Path
) -> None:
    # The export stops on such a value and sends the officer here: verify must name it.
    raw(db).execute(
        "UPDATE answers SET value_json = '\"x \\ud800 y\"' WHERE record_id = ? AND "
        "question_id = ?",
        [records["medium"], "passport_held"],
    )
    code, problems, _ = verify(env)
    assert code == 1
    assert (f"record {records['medium']} was changed behind the tool's back: the answer to "
            "'passport_held' was edited") in problems
