"""Helpers shared by the tests of issue 5 (keys, sealing, the trail, exports, erasure)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from screening.cli.main import app

REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "correct horse battery staple"
CASE = REPO / "tests" / "cases" / "departure-deceived-passport-debt.yaml"
runner = CliRunner()


def make_keys(folder: Path, passphrase: str = PASSPHRASE) -> tuple[Path, Path]:
    """(private key, public key) files of a fresh office key pair."""
    from screening.records.crypto import write_key_pair

    return write_key_pair(folder, passphrase)


def cli_env(tmp_path: Path, public: Path | None = None, **extra: str) -> dict[str, str]:
    env = {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_KEY_PASSPHRASE": PASSPHRASE}
    if public is not None:
        env["SCREENING_PUBLIC_KEY"] = str(public)
    env.update(extra)
    return env


def case_answers(**overrides: object) -> dict:
    """The answers of a worked departure case (high level, consent to share), changed."""
    from screening.interview.answers_file import read_answers_file

    answers = dict(read_answers_file(CASE).answers)
    answers.update(overrides)
    return answers


def write_form(path: Path, answers: dict, officer: str = "petugas-uji") -> Path:
    path.write_text(
        json.dumps({"officer": officer, "location": "Kanim Uji", "language": "id",
                    "answers": answers}),
        "utf-8",
    )
    return path


def invoke(env: dict[str, str], *args: str, input: str | None = None):
    return runner.invoke(app, list(args), env=env, input=input)


def paper(env: dict[str, str], form: Path, questionnaire: str = "departure") -> str:
    """Enter a paper form in-process; the record id (completed, or a draft on exit 3)."""
    result = invoke(env, "interview", "start", questionnaire, "--answers", str(form))
    assert result.exit_code in (0, 3), result.output
    return result.stdout.strip().splitlines()[-1]


def run_process(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process: its database connection is gone when it returns."""
    full = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "screening.cli.main", *args],
        env=full, capture_output=True, text=True, timeout=120,
    )


def file_bytes(db: Path) -> bytes:
    """The database file with its -wal and -shm companions, as a thief would copy them."""
    data = b""
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return data


def raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None)
