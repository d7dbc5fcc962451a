"""Answers saved back to back (the answer's transaction starts from what the last one left,
records/trail.py `Hot`): every event holds exactly the digests a full re-read gives, and
anything else that wrote to the file in between sends the save down the full path."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from screening.content.catalogue import hash_texts
from screening.records.store import Store

QI = hash_texts("q", "i")


def stamp(minute: int) -> str:
    return f"2026-11-27T08:{minute:02d}:00.000000Z"


def start(store: Store) -> str:
    return store.create_record(
        questionnaire_id="mini", questionnaire_version="1", content_hash=QI,
        snapshot={"questionnaire": "q", "indicator_set": "i"}, officer="uji",
        location="x", language="id", started_at=stamp(0),
    )


def last_event(path: Path) -> tuple[str, dict]:
    con = sqlite3.connect(path)
    try:
        kind, digest = con.execute(
            "SELECT kind, digest_json FROM events ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    return kind, json.loads(digest)


def assert_event_as_full(store: Store, path: Path, rid: str, question: str) -> None:
    """The last event's digests equal those of the full path, computed from the file now."""
    state, _, values = store._digests(rid)
    _, digest = last_event(path)
    assert digest["state"] == state
    assert digest["question"] == question
    assert digest["value"] == values[question]


class Statements:
    def __init__(self, store: Store) -> None:
        self.seen: list[str] = []
        self.store = store

    def __enter__(self) -> Statements:
        self.seen.clear()
        self._tracer = self.store._db.tracer(lambda sql, params: self.seen.append(sql))
        self._tracer.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._tracer.__exit__(*exc)

    @property
    def full(self) -> bool:
        """Whether the save read the record's answers and the chain's head (the full path)."""
        return any("FROM answers WHERE record_id = ? ORDER BY question_id" in s
                   for s in self.seen) and any("FROM events ORDER BY id DESC" in s
                                              for s in self.seen)


def test_back_to_back_answers_hold_the_full_paths_digests(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Store(path) as store:
        rid = start(store)
        minute = 1
        for n in range(12):
            minute += 1
            with Statements(store) as sql:
                store.save_answer(rid, f"q{n:02d}", f"jawab {n}", officer="uji", at=stamp(minute))
            assert not sql.full, n  # the first answer too: create_record left the draft
            assert_event_as_full(store, path, rid, f"q{n:02d}")
        # A changed answer, a note, a deletion: the full path, then back to back again.
        with Statements(store) as sql:
            store.save_answer(rid, "q03", "lain", officer="uji", at=stamp(30), reason="salah")
        assert sql.full
        assert_event_as_full(store, path, rid, "q03")
        store.add_note(rid, "q03", "catatan", officer="uji", at=stamp(31))
        with Statements(store) as sql:
            store.save_answer(rid, "q20", ["a", "b"], officer="uji", at=stamp(32))
        assert sql.full  # the note wrote through this connection: total_changes moved
        assert_event_as_full(store, path, rid, "q20")
        store.delete_answer(rid, "q20", officer="uji", at=stamp(33), reason=None)
        for n, value in enumerate([7, 2.5, None, "ü 日本"]):
            with Statements(store) as sql:
                store.save_answer(rid, f"r{n}", value, officer="uji", at=stamp(34 + n))
            assert sql.full == (n == 0), n
            assert_event_as_full(store, path, rid, f"r{n}")
        report = store.verify()
        assert report["ok"], report["problems"]
        answers = store.answers(rid)
        assert answers["q03"] == "lain" and answers["r3"] == "ü 日本" and "q20" not in answers


def test_another_writer_in_between_sends_the_save_down_the_full_path(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Store(path) as first, Store(path) as second:
        rid = start(first)
        first.save_answer(rid, "a", "1", officer="uji", at=stamp(1))
        other = start(second)  # another process's interview on the same file
        second.save_answer(other, "a", "x", officer="dua", at=stamp(2))
        second.save_answer(rid, "b", "2", officer="dua", at=stamp(3))  # and this draft
        with Statements(first) as sql:
            first.save_answer(rid, "c", "3", officer="uji", at=stamp(4))
        assert sql.full
        assert_event_as_full(first, path, rid, "c")
        with Statements(first) as sql:
            first.save_answer(rid, "d", "4", officer="uji", at=stamp(5))
        assert not sql.full
        assert_event_as_full(first, path, rid, "d")
        seqs = sqlite3.connect(path).execute(
            "SELECT question_id, seq FROM answers WHERE record_id = ? ORDER BY seq", [rid]
        ).fetchall()
        assert seqs == [("a", 1), ("b", 2), ("c", 3), ("d", 4)]
        report = first.verify()
        assert report["ok"], report["problems"]


def test_a_failed_answer_leaves_nothing_and_the_next_one_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Store(path) as store:
        rid = start(store)
        store.save_answer(rid, "a", "1", officer="uji", at=stamp(1))

        def fail(sql: str, params: object) -> None:
            if "INSERT INTO events" in sql:
                raise sqlite3.OperationalError("disk I/O error")

        with store._db.tracer(fail), pytest.raises(Exception, match="disk I/O error|Could not"):
            store.save_answer(rid, "b", "2", officer="uji", at=stamp(2))
        assert store.answers(rid) == {"a": "1"}  # the answer and its event fall together
        with Statements(store) as sql:
            store.save_answer(rid, "b", "2", officer="uji", at=stamp(3))
        assert sql.full
        assert_event_as_full(store, path, rid, "b")
        assert store.answers(rid) == {"a": "1", "b": "2"}
        report = store.verify()
        assert report["ok"], report["problems"]
