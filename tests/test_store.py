"""The records database: durability, audit trail, listings and clear errors."""

from __future__ import annotations

import multiprocessing
import os
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import screening.records.database as database_module
import screening.records.queries as queries_module
import screening.records.writes as writes_module
from screening.errors import NotFound, ScreeningError, StoreError
from screening.records.database import (
    MIGRATIONS,
    SCHEMA_VERSION,
    _app_db_path,
    default_db_path,
)
from screening.records.device import device_key
from screening.records.store import Store
from screening.records.writes import new_record_id

SNAPSHOT = {"questionnaire": "id: mini\n", "indicator_set": "id: mini-set\n"}
ID_RE = re.compile(r"\d{8}-[0-9A-HJKMNP-TV-Z]{6}-[0-9A-HJKMNP-TV-Z]{4}")


def stamp(day: int = 27, hour: int = 8, minute: int = 0, micro: int = 0) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00.{micro:06d}Z"


def start(store: Store, **overrides: object) -> str:
    fields: dict = {
        "questionnaire_id": "departure",
        "questionnaire_version": "1",
        "content_hash": "hash-1",
        "snapshot": SNAPSHOT,
        "officer": "budi",
        "location": "CGK T3",
        "language": "id",
        "started_at": stamp(),
    }
    fields.update(overrides)
    return store.create_record(**fields)


def finish(store: Store, record_id: str, **overrides: object) -> None:
    fields: dict = {
        "answers": store.answers(record_id),
        "assessment": {"level": "low"},
        "level": "low",
        "outcome": "completed",
        "completed_at": stamp(hour=9),
        "officer": "budi",
        "consent_share": True,
    }
    fields.update(overrides)
    store.finalize(record_id, **fields)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "records.db"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as opened:
        yield opened


def raw(path: Path) -> sqlite3.Connection:
    """An independent connection, as another process would see the file."""
    return sqlite3.connect(path, isolation_level=None)


# -- records, answers, history ------------------------------------------------------------


def test_create_record_shape(store: Store) -> None:
    rid = start(store, started_at=stamp(day=3, hour=23))
    assert ID_RE.fullmatch(rid)
    assert rid.startswith("20261103-")
    record = store.record(rid)
    assert record == {
        "id": rid,
        "status": "draft",
        "outcome": None,
        "questionnaire": "departure",
        "questionnaire_version": "1",
        "content_hash": "hash-1",
        "officer": "budi",
        "location": "CGK T3",
        "language": "id",
        "started_at": stamp(day=3, hour=23),
        "updated_at": stamp(day=3, hour=23),
        "completed_at": None,
        "level": None,
        "assessment": None,
        "consent_share": None,
        "sealed": None,
        "erased_at": None,
        "answers": {},
        "notes": [],
        "history": [],
        # the create event is written in the same transaction as the record
        "events": [
            {
                "id": 2,  # event 1 says signing began, when the file was made
                "kind": "create",
                "officer": "budi",
                "at": stamp(day=3, hour=23),
                "detail": {"questionnaire": "departure"},
                "signer": device_key().fingerprint,  # type: ignore[union-attr]
            }
        ],
        "referrals": [],
    }


def test_answers_round_trip_in_the_order_given(store: Store) -> None:
    rid = start(store)
    given_answers = {
        "consent": "yes",
        "age": 24,
        "height": 1.62,
        "jobs": ["domestic", "factory"],
        "name": "Siti Ñoño",
        "dob": "2002-01-31",
        "danger": "unknown",
        "nothing": None,
        "empty": [],
    }
    for minute, (qid, value) in enumerate(given_answers.items()):
        store.save_answer(rid, qid, value, officer="budi", at=stamp(minute=minute))
    assert store.answers(rid) == given_answers
    assert list(store.answers(rid)) == list(given_answers)
    assert store.record(rid)["updated_at"] == stamp(minute=len(given_answers) - 1)


def test_save_answer_is_committed_before_returning(store: Store, db_path: Path) -> None:
    rid = start(store)
    store.save_answer(rid, "consent", "yes", officer="budi", at=stamp(minute=1))
    # Another process sees it at once, while this store is still open.
    rows = raw(db_path).execute("SELECT question_id, value_json FROM answers").fetchall()
    assert rows == [("consent", '"yes"')]


def test_save_answer_refuses_values_that_are_not_answers(store: Store) -> None:
    rid = start(store)
    for bad in (True, {"a": 1}, float("nan"), [1, 2], object()):
        with pytest.raises(TypeError):
            store.save_answer(rid, "q", bad, officer="budi", at=stamp())
    assert store.answers(rid) == {}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.one_of(
        st.text(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.lists(st.text(), max_size=4),
    )
)
def test_any_answer_value_round_trips(store: Store, value: object) -> None:
    rid = start(store)
    store.save_answer(rid, "q", value, officer="budi", at=stamp())
    assert store.answers(rid) == {"q": value}
    assert type(store.answers(rid)["q"]) is type(value)


def test_replacing_an_answer_keeps_the_old_value_in_history(store: Store) -> None:
    rid = start(store)
    store.save_answer(rid, "consent", "yes", officer="budi", at=stamp(minute=1))
    store.save_answer(rid, "passport_held", "no", officer="budi", at=stamp(minute=2))
    store.save_answer(rid, "age", 17, officer="budi", at=stamp(minute=3))
    store.save_answer(
        rid, "passport_held", "yes", officer="ani", at=stamp(minute=4), reason="misheard"
    )
    store.save_answer(rid, "age", 17, officer="ani", at=stamp(minute=5), reason="same value")

    record = store.record(rid)
    # The replaced answer keeps its place in the interview order.
    assert list(record["answers"].items()) == [
        ("consent", "yes"),
        ("passport_held", "yes"),
        ("age", 17),
    ]
    assert record["history"] == [
        {
            "id": 1,
            "question_id": "passport_held",
            "old_value": "no",
            "new_value": "yes",
            "deleted": False,
            "officer": "ani",
            "changed_at": stamp(minute=4),
            "reason": "misheard",
        }
    ]
    assert record["updated_at"] == stamp(minute=4)


def test_integer_and_float_answers_are_different_values(store: Store) -> None:
    rid = start(store)
    store.save_answer(rid, "age", 17, officer="budi", at=stamp(minute=1))
    store.save_answer(rid, "age", 17.0, officer="budi", at=stamp(minute=2))
    assert [(h["old_value"], h["new_value"]) for h in store.record(rid)["history"]] == [(17, 17.0)]


def test_delete_answer_writes_history(store: Store) -> None:
    rid = start(store)
    store.save_answer(rid, "job_type", "domestic", officer="budi", at=stamp(minute=1))
    store.delete_answer(rid, "job_type", officer="ani", at=stamp(minute=2), reason="went back")
    store.delete_answer(rid, "never_answered", officer="ani", at=stamp(minute=3), reason="x")
    record = store.record(rid)
    assert record["answers"] == {}
    assert [
        (h["question_id"], h["old_value"], h["new_value"], h["deleted"], h["officer"], h["reason"])
        for h in record["history"]
    ] == [("job_type", "domestic", None, True, "ani", "went back")]
    # Answered again after a delete: a new place at the end.
    store.save_answer(rid, "a", "yes", officer="budi", at=stamp(minute=4))
    store.save_answer(rid, "job_type", "other", officer="budi", at=stamp(minute=5))
    assert list(store.answers(rid)) == ["a", "job_type"]


def test_history_is_append_only(store: Store, db_path: Path) -> None:
    rid = start(store)
    store.save_answer(rid, "q", "yes", officer="budi", at=stamp(minute=1))
    store.save_answer(rid, "q", "no", officer="budi", at=stamp(minute=2))
    store.log_event(rid, "pause", officer="budi", at=stamp(minute=3))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw(db_path).execute("UPDATE history SET old_value_json = '\"no\"'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw(db_path).execute("UPDATE events SET kind = 'x'")


def test_notes_and_events(store: Store) -> None:
    rid = start(store)
    store.add_note(rid, "passport_held", "agent waited outside", officer="budi", at=stamp(minute=1))
    store.add_note(rid, None, "interpreter changed", officer="ani", at=stamp(minute=2))
    store.log_event(rid, "pause", officer="budi", at=stamp(minute=3), detail={"at": "age"})
    store.log_event(None, "export", officer="sup", at=stamp(minute=4))
    record = store.record(rid)
    assert record["notes"] == [
        {
            "id": 1,
            "question_id": "passport_held",
            "text": "agent waited outside",
            "officer": "budi",
            "created_at": stamp(minute=1),
        },
        {
            "id": 2,
            "question_id": None,
            "text": "interpreter changed",
            "officer": "ani",
            "created_at": stamp(minute=2),
        },
    ]
    store.log_event(rid.lower(), "view", officer="sup", at=stamp(minute=5))
    store.log_event("20001231-PURGED", "purge", officer="sup", at=stamp(minute=6))
    assert [e["kind"] for e in record["events"]] == ["create", "note", "note", "pause"]
    assert record["events"][1]["detail"] == {"question": "passport_held"}  # never the text
    assert record["events"][-1] == {
        "id": 5,
        "kind": "pause",
        "officer": "budi",
        "at": stamp(minute=3),
        "detail": {"at": "age"},
        "signer": device_key().fingerprint,  # type: ignore[union-attr]
    }
    rows = store._db.execute("SELECT record_id, kind FROM events ORDER BY id").fetchall()
    assert rows == [
        (None, "signing"),
        (rid, "create"),
        (rid, "note"),
        (rid, "note"),
        (rid, "pause"),
        (None, "export"),
        (rid, "view"),
        ("20001231-PURGED", "purge"),
    ]


def test_set_language(store: Store) -> None:
    rid = start(store, language="id")
    store.set_language(rid, "en")
    assert store.record(rid)["language"] == "en"


def test_new_record_id_shape_and_randomness() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    now = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    ids = {new_record_id(now) for _ in range(200)}
    assert len(ids) == 200
    assert all(ID_RE.fullmatch(i) and i.startswith("20261127-") for i in ids)
    # The date is the UTC date, whatever the laptop's zone.
    jakarta = timezone(timedelta(hours=7))
    assert new_record_id(datetime(2026, 11, 28, 5, 0, tzinfo=jakarta)).startswith("20261127-")


def test_create_record_retries_on_id_collision(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = iter(["20261127-AAAAAA", "20261127-AAAAAA", "20261127-BBBBBB"])
    monkeypatch.setattr(writes_module, "new_record_id", lambda now: next(ids))
    assert start(store) == "20261127-AAAAAA"
    assert start(store) == "20261127-BBBBBB"


def test_snapshot_is_stored_once_per_hash(store: Store) -> None:
    first = start(store, content_hash="h1")
    start(store, content_hash="h1")
    start(
        store,
        content_hash="h2",
        snapshot={"questionnaire": "q2", "indicator_set": "i2", "referrals": "r2"},
    )
    assert store._db.execute("SELECT hash FROM content ORDER BY hash").fetchall() == [
        ("h1",),
        ("h2",),
    ]
    assert store.snapshot(store.record(first)["content_hash"]) == SNAPSHOT
    assert store.snapshot("h2") == {"questionnaire": "q2", "indicator_set": "i2", "referrals": "r2"}
    with pytest.raises(NotFound, match="h3"):
        store.snapshot("h3")


# -- finalize -------------------------------------------------------------------------------


def test_finalize_keeps_exactly_the_given_answers(store: Store) -> None:
    rid = start(store)
    for minute, (qid, value) in enumerate(
        [("consent", "yes"), ("job_offer", "yes"), ("job_type", "domestic"), ("age", 30)]
    ):
        store.save_answer(rid, qid, value, officer="budi", at=stamp(minute=minute))
    finish(
        store,
        rid,
        answers={"consent": "yes", "job_offer": "no", "age": 30, "danger": "no"},
        assessment={"level": "medium", "coverage": 0.5},
        level="medium",
        consent_share=False,
        completed_at=stamp(hour=10),
        officer="ani",
    )
    record = store.record(rid)
    assert record["answers"] == {"consent": "yes", "job_offer": "no", "age": 30, "danger": "no"}
    assert record["status"] == "completed"
    assert record["outcome"] == "completed"
    assert record["level"] == "medium"
    assert record["assessment"] == {"level": "medium", "coverage": 0.5}
    assert record["consent_share"] is False
    assert record["completed_at"] == record["updated_at"] == stamp(hour=10)
    assert [
        (h["question_id"], h["old_value"], h["new_value"], h["reason"]) for h in record["history"]
    ] == [("job_offer", "yes", "no", "changed at finalize")]
    assert [e["kind"] for e in record["events"]] == ["create"] + ["answer"] * 4 + ["finalize"]
    assert record["events"][-1] == {
        "id": 7,
        "signer": device_key().fingerprint,  # type: ignore[union-attr]
        "kind": "finalize",
        "officer": "ani",
        "at": stamp(hour=10),
        "detail": {
            "outcome": "completed",
            "level": "medium",
            "answers": 4,
            "dropped": ["job_type"],
        },
    }


def test_consent_declined_keeps_no_answer(store: Store, db_path: Path) -> None:
    rid = start(store)
    store.save_answer(rid, "consent", "yes", officer="budi", at=stamp(minute=1))
    store.save_answer(rid, "consent", "no", officer="budi", at=stamp(minute=2), reason="x")
    with pytest.raises(ValueError, match="no answers"):
        finish(store, rid, answers={"consent": "no"}, outcome="consent_declined")
    finish(
        store,
        rid,
        answers={},
        outcome="consent_declined",
        assessment=None,
        level=None,
        consent_share=None,
    )
    record = store.record(rid)
    assert (record["status"], record["outcome"], record["answers"], record["history"]) == (
        "completed",
        "consent_declined",
        {},
        [],
    )
    con = raw(db_path)
    assert con.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
    assert con.execute("SELECT COUNT(*) FROM history").fetchone() == (0,)


def test_a_completed_record_cannot_change(store: Store) -> None:
    rid = start(store)
    store.save_answer(rid, "consent", "yes", officer="budi", at=stamp(minute=1))
    finish(store, rid)
    with pytest.raises(StoreError, match=f"Record {rid} is already completed"):
        finish(store, rid)
    with pytest.raises(StoreError, match="cannot be changed"):
        store.save_answer(rid, "consent", "no", officer="budi", at=stamp(minute=2))
    with pytest.raises(StoreError, match="cannot be changed"):
        store.delete_answer(rid, "consent", officer="budi", at=stamp(minute=2), reason="x")
    with pytest.raises(StoreError, match="cannot be changed"):
        store.set_language(rid, "en")
    assert store.answers(rid) == {"consent": "yes"}
    assert [e["kind"] for e in store.record(rid)["events"]] == ["create", "answer", "finalize"]


def _draft_for_finalize(store: Store) -> str:
    rid = start(store)
    store.save_answer(rid, "consent", "yes", officer="budi", at=stamp(minute=1))
    store.save_answer(rid, "job_offer", "yes", officer="budi", at=stamp(minute=2))
    store.save_answer(rid, "job_type", "domestic", officer="budi", at=stamp(minute=3))
    return rid


FINAL = {"consent": "yes", "job_offer": "no", "danger": "no"}  # drops, changes and adds


def test_finalize_is_one_transaction(store: Store) -> None:
    """Fail at every statement of finalize in turn: the draft must come out untouched."""
    statements: list[str] = []
    probe = _draft_for_finalize(store)
    with store._db.tracer(lambda sql, params: statements.append(sql)):
        finish(store, probe, answers=FINAL, outcome="completed")
    assert len(statements) >= 8  # delete, insert, update, history, record, event, ...

    for failing_at in range(len(statements)):
        rid = _draft_for_finalize(store)
        before = store.record(rid)
        seen = 0

        def fail(sql: str, params: object, failing_at: int = failing_at) -> None:
            nonlocal seen
            seen += 1
            if seen > failing_at:
                raise RuntimeError(f"power cut at statement {failing_at}")

        with store._db.tracer(fail), pytest.raises(RuntimeError, match="power cut"):
            finish(store, rid, answers=FINAL)
        assert store.record(rid) == before, f"changed after a failure at {statements[failing_at]}"
        finish(store, rid, answers=FINAL)  # and the store is still usable
        assert store.record(rid)["answers"] == FINAL


def test_a_database_error_inside_finalize_rolls_back_and_becomes_a_store_error(
    store: Store,
) -> None:
    rid = _draft_for_finalize(store)
    before = store.record(rid)

    def fail(sql: str, params: object) -> None:
        if sql.startswith("UPDATE records"):
            raise sqlite3.OperationalError("disk I/O error")

    with store._db.tracer(fail), pytest.raises(StoreError, match="Could not finalize the record"):
        finish(store, rid, answers=FINAL)
    assert store.record(rid) == before


def test_an_interrupt_while_saving_loses_nothing_already_saved(store: Store) -> None:
    rid = start(store)
    store.save_answer(rid, "consent", "yes", officer="budi", at=stamp(minute=1))

    def interrupt(sql: str, params: object) -> None:
        if "history" in sql:
            raise KeyboardInterrupt

    with store._db.tracer(interrupt), pytest.raises(KeyboardInterrupt):
        store.save_answer(rid, "consent", "no", officer="budi", at=stamp(minute=2))
    assert store.answers(rid) == {"consent": "yes"}
    assert not store._conn.in_transaction
    store.save_answer(rid, "age", 30, officer="budi", at=stamp(minute=3))
    assert store.answers(rid) == {"consent": "yes", "age": 30}


# -- listings -------------------------------------------------------------------------------


@pytest.fixture
def listed(store: Store) -> dict[str, str]:
    """Five records over three days; names -> ids."""
    ids = {
        "a": start(store, started_at=stamp(day=25, hour=9)),
        "b": start(store, started_at=stamp(day=26, hour=0), questionnaire_id="arrival"),
        "c": start(store, started_at=stamp(day=26, hour=23, minute=59, micro=999999)),
        "d": start(store, started_at=stamp(day=27, hour=10)),
        "e": start(store, started_at=stamp(day=27, hour=11), questionnaire_id="arrival"),
    }
    store.save_answer(ids["a"], "consent", "yes", officer="budi", at=stamp(day=25, hour=9))
    store.save_answer(ids["a"], "age", 20, officer="budi", at=stamp(day=25, hour=9))
    finish(store, ids["a"], level="high", completed_at=stamp(day=25, hour=10))
    finish(store, ids["c"], level="low", completed_at=stamp(day=27, hour=1))
    finish(store, ids["e"], level="high", completed_at=stamp(day=27, hour=12))
    return ids


def names(rows: object, ids: dict[str, str]) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[row["id"]] for row in rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["e", "d", "c", "b", "a"]),
        ({"status": "draft"}, ["d", "b"]),
        ({"status": "completed"}, ["e", "c", "a"]),
        ({"since": "2026-11-26"}, ["e", "d", "c", "b"]),
        ({"until": "2026-11-26"}, ["c", "b", "a"]),
        ({"since": "2026-11-26", "until": "2026-11-26"}, ["c", "b"]),
        ({"since": "2026-11-26T23:00"}, ["e", "d", "c"]),
        ({"since": "2026-11-27T06:00+07:00"}, ["e", "d", "c"]),
        ({"until": "2026-11-26T00:00:00Z"}, ["b", "a"]),
        ({"questionnaire": "arrival"}, ["e", "b"]),
        ({"level": "high"}, ["e", "a"]),
        ({"level": "high", "questionnaire": "departure"}, ["a"]),
        ({"status": "completed", "since": "2026-11-26", "level": "low"}, ["c"]),
        ({"limit": 2}, ["e", "d"]),
        ({"limit": 0}, []),
        ({"questionnaire": "nothing"}, []),
    ],
)
def test_list_filters(
    store: Store, listed: dict[str, str], filters: dict, expected: list[str]
) -> None:
    assert names(store.list_records(**filters), listed) == expected


def test_list_rows(store: Store, listed: dict[str, str]) -> None:
    row = next(r for r in store.list_records() if r["id"] == listed["a"])
    assert row == {
        "id": listed["a"],
        "status": "completed",
        "outcome": "completed",
        "questionnaire": "departure",
        "level": "high",
        "officer": "budi",
        "location": "CGK T3",
        "language": "id",
        "started_at": stamp(day=25, hour=9),
        "completed_at": stamp(day=25, hour=10),
        "answered": 2,
    }


def test_list_streams_in_pages_through_equal_start_times(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries_module, "_PAGE", 2)
    same = [start(store, started_at=stamp(hour=5)) for _ in range(5)]
    later = start(store, started_at=stamp(hour=6))
    expected = [later, *sorted(same, reverse=True)]
    assert [r["id"] for r in store.list_records()] == expected
    assert [r["id"] for r in store.list_records(limit=3)] == expected[:3]
    rows = store.list_records()
    first = next(rows)
    store.save_answer(first["id"], "q", "yes", officer="budi", at=stamp())  # write mid-stream
    assert [first["id"]] + [r["id"] for r in rows] == expected


def test_list_refuses_a_bad_date(store: Store) -> None:
    with pytest.raises(ScreeningError, match="'27/11/2026' is not a date"):
        list(store.list_records(since="27/11/2026"))


def test_drafts(store: Store, listed: dict[str, str]) -> None:
    store.save_answer(listed["b"], "consent", "yes", officer="ani", at=stamp(day=28))
    drafts = store.drafts()
    assert [(d["id"], d["answered"]) for d in drafts] == [(listed["b"], 1), (listed["d"], 0)]
    assert set(drafts[0]) >= {"id", "questionnaire", "officer", "started_at", "updated_at"}


def test_not_found_suggests_a_close_id(store: Store) -> None:
    rid = start(store)
    typo = rid[:-1] + ("X" if rid[-1] != "X" else "Y")
    with pytest.raises(NotFound, match=re.escape(f"(did you mean '{rid}'?)")) as caught:
        store.record(typo)
    assert f"There is no record '{typo}'" in caught.value.message
    with pytest.raises(NotFound) as caught:
        store.answers("nothing-like-it")
    assert "did you mean" not in caught.value.message
    with pytest.raises(NotFound):
        store.save_answer(typo, "q", "yes", officer="budi", at=stamp())


def test_ids_are_read_the_crockford_way(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writes_module, "new_record_id", lambda now: "20261127-K0M1QX")
    rid = start(store)
    assert store.record("20261127-kOmLqx")["id"] == rid
    assert store.record(" 20261127-k0mIqx ")["id"] == rid


# -- the file itself --------------------------------------------------------------------------


def pragma(con: sqlite3.Connection, name: str) -> object:
    return con.execute(f"PRAGMA {name}").fetchone()[0]


def test_pragmas(db_path: Path) -> None:
    with Store(db_path) as opened:
        con = opened._conn
        assert pragma(con, "journal_mode") == "wal"
        assert pragma(con, "synchronous") == 2  # FULL
        assert pragma(con, "busy_timeout") == 10000
        assert pragma(con, "foreign_keys") == 1
    with Store(db_path, timeout=0.25) as opened:
        assert pragma(opened._conn, "busy_timeout") == 250
    assert pragma(raw(db_path), "journal_mode") == "wal"  # kept in the file


def test_schema_version_and_forward_migrations(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(db_path).close()
    meta = dict(raw(db_path).execute("SELECT key, value FROM meta").fetchall())
    device = meta.pop("device_id")  # this database's identity at the central database
    assert meta == {"application": "screening", "schema_version": str(SCHEMA_VERSION)}
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", device)

    step = ("CREATE TABLE later (id INTEGER PRIMARY KEY)", "ALTER TABLE notes ADD x TEXT")
    monkeypatch.setattr(database_module, "MIGRATIONS", [*MIGRATIONS, step])
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store(db_path) as opened:
        assert "later" in opened._db.table_names()
        assert "x" in opened._db["notes"].columns_dict
    version = raw(db_path).execute("SELECT value FROM meta WHERE key = 'schema_version'")
    assert version.fetchone() == (str(SCHEMA_VERSION + 1),)
    Store(db_path).close()  # applied once, not again


def test_a_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    Store(db_path).close()
    raw(db_path).execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer version of screening.*Upgrade screening"):
        Store(db_path)


def test_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "records.db"
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert caught.value.message == (
        f"Cannot open the records database {path}: the folder {path.parent} does not exist. "
        "Create the folder first, or choose another database with --db or the SCREENING_DB "
        "environment variable."
    )
    assert not path.parent.exists()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder, not a records database file"):
        Store(tmp_path)


def test_create_false_needs_an_existing_file(db_path: Path) -> None:
    with pytest.raises(StoreError, match="There is no records database at"):
        Store(db_path, create=False)
    assert not db_path.exists()
    Store(db_path).close()
    Store(db_path, create=False).close()


def test_a_text_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("officer notes, not a database\n" * 20)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert caught.value.message.startswith(f"{path} is not a screening records database")
    assert "choose another database with --db" in caught.value.message
    assert path.read_text() == "officer notes, not a database\n" * 20


@pytest.mark.parametrize(
    "schema",
    [
        "CREATE TABLE people (name TEXT)",
        "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('app', 'other')",
        "CREATE TABLE meta (id INTEGER)",
    ],
)
def test_a_foreign_sqlite_database_is_refused_and_left_alone(tmp_path: Path, schema: str) -> None:
    path = tmp_path / "other.db"
    con = raw(path)
    con.executescript(schema)
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert caught.value.message == (
        f"{path} is an SQLite database, but not a screening records database (it holds other "
        "tables). Leave it untouched and choose another database with --db or the SCREENING_DB "
        "environment variable."
    )
    assert path.read_bytes() == before
    assert pragma(raw(path), "journal_mode") == "delete"


def test_a_read_only_database_is_refused(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root, chmod does not stop writes; opening with mode=ro is what SQLite does by itself
    # for a file the user may not write.
    Store(db_path).close()
    monkeypatch.setattr(Store, "_uri_mode", lambda self: "ro")
    with pytest.raises(StoreError) as caught:
        Store(db_path)
    assert caught.value.message == (
        f"Could not open the records database: the records database {db_path} is read-only. "
        "Make the file and its folder writable, or choose another database with --db or the "
        "SCREENING_DB environment variable."
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anyway")
def test_a_read_only_file_is_refused(db_path: Path) -> None:
    Store(db_path).close()
    db_path.chmod(0o444)
    with pytest.raises(StoreError, match="is read-only"):
        Store(db_path)


def test_a_lock_held_beyond_the_timeout(db_path: Path) -> None:
    with Store(db_path) as opened:
        rid = start(opened)
    holder = raw(db_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        began = time.monotonic()
        with pytest.raises(StoreError) as caught:
            Store(db_path, timeout=0.2)
        assert 0.15 < time.monotonic() - began < 5
        assert caught.value.message == (
            f"Could not open the records database: the records database {db_path} is locked "
            "by another screening process that has been writing for more than 0.2 s. Nothing "
            "was written. Wait a moment and try again; if it keeps happening, close the other "
            "screening windows that use this file."
        )
        holder.execute("COMMIT")
        with Store(db_path, timeout=0.2) as opened:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreError, match="Could not save the answer: .* is locked"):
                opened.save_answer(rid, "q", "yes", officer="budi", at=stamp())
            holder.execute("COMMIT")
            assert opened.answers(rid) == {}
            opened.save_answer(rid, "q", "yes", officer="budi", at=stamp())  # usable again
            assert opened.answers(rid) == {"q": "yes"}
    finally:
        holder.close()


def test_a_writer_waits_for_a_short_lock(db_path: Path) -> None:
    with Store(db_path, timeout=5) as opened:
        rid = start(opened)
        opened.answers(rid)  # a reader that has seen the file before the other write
        holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        # The other writer really writes: a transaction that began as a reader before this
        # commit could not upgrade afterwards (SQLITE_BUSY_SNAPSHOT); BEGIN IMMEDIATE waits.
        holder.execute("INSERT INTO events (kind, officer, at) VALUES ('x', 'ani', 'now')")
        threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
        began = time.monotonic()
        opened.save_answer(rid, "q", "yes", officer="budi", at=stamp())
        assert time.monotonic() - began >= 0.25
        assert opened.answers(rid) == {"q": "yes"}
        holder.close()


def test_opening_a_new_file_waits_for_another_process_creating_it(db_path: Path) -> None:
    # The other process holds the brand-new file (not yet WAL) for a moment: switching the
    # journal mode does not wait on its own, the store must retry until the lock is gone.
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    with Store(db_path, timeout=5) as opened:
        assert pragma(opened._conn, "journal_mode") == "wal"
        start(opened)
    holder.close()


def test_a_closed_store_says_so(db_path: Path) -> None:
    opened = Store(db_path)
    opened.close()
    opened.close()
    with pytest.raises(StoreError, match="is closed"):
        opened.log_event(None, "x", officer="budi", at=stamp())


# -- where the file lives ---------------------------------------------------------------------


def test_default_db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "_on_windows", lambda: False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SCREENING_DB", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert default_db_path() == tmp_path / "home/.local/share/screening/screening.db"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert default_db_path() == tmp_path / "home/.local/share/screening/screening.db"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg/screening/screening.db"
    monkeypatch.setenv("SCREENING_DB", str(tmp_path / "mine.db"))
    assert default_db_path() == tmp_path / "mine.db"
    monkeypatch.setattr(database_module, "_on_windows", lambda: True)
    monkeypatch.setenv("APPDATA", str(tmp_path / "roaming"))
    assert _app_db_path() == tmp_path / "roaming/screening/screening.db"


def test_open_creates_only_the_default_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SCREENING_DB", raising=False)
    with Store.open(None) as opened:
        assert opened.path == tmp_path / "xdg/screening/screening.db"
        start(opened)
    assert (tmp_path / "xdg/screening/screening.db").is_file()

    monkeypatch.setenv("SCREENING_DB", str(tmp_path / "missing/records.db"))
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(None)
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "elsewhere/records.db")
    assert not (tmp_path / "missing").exists()
    assert not (tmp_path / "elsewhere").exists()


# -- two officers, one file -------------------------------------------------------------------


def _officer(path: str, officer: str, barrier: object, results: object, count: int) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    try:
        with Store(Path(path)) as opened:
            rid = opened.create_record(
                questionnaire_id="departure",
                questionnaire_version="1",
                content_hash="hash-1",
                snapshot=SNAPSHOT,
                officer=officer,
                location="CGK",
                language="id",
                started_at=stamp(),
            )
            for n in range(count):
                opened.save_answer(rid, f"q{n:03d}", f"{officer}-{n}", officer=officer, at=stamp())
        results.put((officer, rid))  # type: ignore[attr-defined]
    except BaseException as exc:
        results.put((officer, f"{type(exc).__name__}: {exc}"))  # type: ignore[attr-defined]
        raise


def test_two_processes_write_to_one_new_file_at_once(db_path: Path) -> None:
    count = 200
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    officers = [
        ctx.Process(target=_officer, args=(str(db_path), name, barrier, results, count))
        for name in ("budi", "ani")
    ]
    for process in officers:
        process.start()
    try:
        outcome = dict(results.get(timeout=120) for _ in officers)
        for process in officers:
            process.join(timeout=30)
    finally:
        for process in officers:
            if process.is_alive():  # SIGKILL: a test run may be ignoring SIGTERM
                process.kill()
                process.join()
    assert [p.exitcode for p in officers] == [0, 0], outcome
    assert all(ID_RE.fullmatch(rid) for rid in outcome.values()), outcome
    with Store(db_path) as opened:
        for name, rid in outcome.items():
            assert opened.answers(rid) == {f"q{n:03d}": f"{name}-{n}" for n in range(count)}
        assert sorted(r["answered"] for r in opened.list_records()) == [count, count]
