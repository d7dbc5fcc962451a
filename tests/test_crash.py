"""A paper-form run killed with SIGKILL at random moments, many times.

Every time, the draft holds exactly the answers committed so far (a prefix of the walk), the
database is intact, and resuming with the same file ends in the same final record as an
uninterrupted run.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml

from screening.content.catalogue import load_catalogue
from screening.interview.engine import Interview
from screening.records.store import Store

POLICY = {
    "yes_no": "yes",
    "choice": 1,
    "multi_choice": [1],
    "number": 30,
    "text": "Teks uji",
    "date": "2000-01-01",
}
RUNS = int(os.environ.get("SCREENING_CRASH_RUNS", "12"))


def full_form() -> tuple[dict, list[str], dict]:
    """Answers for every question of the departure walk, the walk order, normalized values."""
    questionnaire = load_catalogue().questionnaire("departure")
    walk = Interview(questionnaire)
    raw: dict = {}
    while (question := walk.next_question()) is not None:
        value = POLICY[question.type]
        if question.type in ("choice", "multi_choice"):
            first = question.options[0].key
            value = [first] if question.type == "multi_choice" else first
        raw[question.id] = value
        walk.answer(question, value)
    return raw, list(walk.answers), dict(walk.answers)


def run(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "screening.cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_answers(db: Path, count: int, child: subprocess.Popen) -> None:
    """Return once ``count`` answers are committed (read from another connection)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and child.poll() is None:
        try:
            connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            try:
                (saved,) = connection.execute("SELECT count(*) FROM answers").fetchone()
            finally:
                connection.close()
            if saved >= count:
                return
        except sqlite3.Error:
            pass  # not created yet
        time.sleep(0.001)


def test_sigkill_at_random_moments_never_loses_or_corrupts(tmp_path: Path) -> None:
    raw, order, expected = full_form()
    form = tmp_path / "form.yaml"
    form.write_text(
        yaml.safe_dump(
            {"officer": "Petugas Uji", "language": "id", "answers": raw}, allow_unicode=True
        ),
        "utf-8",
    )
    env = {**os.environ, "SCREENING_SETTINGS": str(tmp_path / "settings.json")}

    started = time.perf_counter()
    reference = run(
        [
            "interview",
            "start",
            "departure",
            "--answers",
            str(form),
            "--db",
            str(tmp_path / "ref.db"),
        ],
        env,
    )
    out, err = reference.communicate(timeout=60)
    duration = time.perf_counter() - started
    assert reference.returncode == 0, err
    with Store(tmp_path / "ref.db") as store:
        final = store.record(out.strip().splitlines()[-1])
    assert final["answers"] == expected

    rng = random.Random(20261127)
    landed_mid_way = 0
    for n in range(RUNS):
        db = tmp_path / f"crash{n}.db"
        child = run(
            ["interview", "start", "departure", "--answers", str(form), "--db", str(db)], env
        )
        if n % 2:
            time.sleep(rng.uniform(0.05, duration))  # anywhere, start-up included
        else:
            wait_for_answers(db, rng.randint(1, len(order) - 1), child)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if not db.exists():
            continue  # killed before the database was created: nothing to lose
        connection = sqlite3.connect(db)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()
        with Store(db) as store:
            records = list(store.list_records())
            if not records:
                continue  # killed before the record was created
            [row] = records
            record = store.record(row["id"])
        saved = record["answers"]
        # exactly the answers committed so far: a prefix of the walk, with the right values
        assert list(saved) == order[: len(saved)], n
        assert saved == {qid: expected[qid] for qid in saved}, n
        if record["status"] == "completed":
            assert saved == expected
            continue
        landed_mid_way += 1 if 0 < len(saved) < len(order) else 0
        resumed = run(
            ["interview", "resume", record["id"], "--answers", str(form), "--db", str(db)], env
        )
        out, err = resumed.communicate(timeout=60)
        assert resumed.returncode == 0, err
        with Store(db) as store:
            done = store.record(record["id"])
        assert done["status"] == "completed"
        assert done["answers"] == final["answers"]
        assert done["level"] == final["level"]
        assert done["assessment"]["dimensions"] == final["assessment"]["dimensions"]
    assert landed_mid_way >= RUNS // 3, "too few kills landed between two answers"
