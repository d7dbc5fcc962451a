"""Issue 11: an export stopped by SIGTERM, SIGHUP or SIGKILL leaves no plaintext behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _protect import PASSPHRASE, invoke, make_keys

REPO = Path(__file__).resolve().parent.parent
CANARY = "Siti Kanari-Uji"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(database, private key): 2,000 plaintext records, each named CANARY."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import seed
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    folder = tmp_path_factory.mktemp("seeded")
    db = folder / "records.db"
    seed.seed(db, 2000, templates=12)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE answers SET value_json = ? WHERE question_id = 'full_name'",
                     [f'"{CANARY}"'])
    private, _ = make_keys(folder / "keys")
    return db, private


def _export(db: Path, private: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "SCREENING_DB": str(db), "SCREENING_KEY_PASSPHRASE": PASSPHRASE}
    return subprocess.Popen(
        [sys.executable, "-m", "screening.cli.main", "records", "export", "-f", "csv",
         "--key", str(private), "-o", str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _partial_appears(folder: Path, process: subprocess.Popen) -> Path:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(".out.csv.*.partial") if p.stat().st_size > 0]
        if found:
            return found[0]
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    raise AssertionError("the export never started writing")


def _plaintext_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_remove_the_partial_export(
    seeded: tuple[Path, Path], tmp_path: Path, sig: signal.Signals
) -> None:
    db, private = seeded
    out = tmp_path / "out.csv"
    process = _export(db, private, out)
    partial = _partial_appears(tmp_path, process)
    assert oct(partial.stat().st_mode & 0o777) == "0o600"
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Interrupted: the export was stopped and its partial file removed" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert _plaintext_in(tmp_path) == []


@pytest.mark.parametrize("next_command", ["export", "purge"])
def test_after_sigkill_the_next_command_removes_the_plaintext(
    seeded: tuple[Path, Path], tmp_path: Path, next_command: str
) -> None:
    db, private = seeded
    folder = tmp_path / "exports"
    folder.mkdir()
    process = _export(db, private, folder / "out.csv")
    partial = _partial_appears(folder, process)
    deadline = time.monotonic() + 60  # the header comes first: wait for a name to be written
    while not _plaintext_in(folder) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.005)
    process.kill()
    process.communicate(timeout=60)
    assert _plaintext_in(folder) == [partial]  # what a killed export leaves
    env = {"SCREENING_DB": str(db)}
    if next_command == "export":  # anywhere: the register finds it
        after = invoke(env, "records", "export", "-f", "csv", "-o", str(tmp_path / "x.csv"),
                       "--status", "draft")
    else:
        after = invoke(env, "records", "purge", "--older-than", "36500", "--drafts-older-than",
                       "876000", "--yes")
    assert after.exit_code == 0, after.output
    assert (f"Removed a partial export left by an interrupted run: {partial}"
            in " ".join(after.stderr.split()))
    assert _plaintext_in(folder) == []
    assert list(folder.iterdir()) == []


def test_at_a_terminal_an_existing_export_is_replaced_after_a_yes(
    seeded: tuple[Path, Path], tmp_path: Path
) -> None:
    pexpect = pytest.importorskip("pexpect")
    db, _ = seeded
    out = tmp_path / "out.csv"
    env = {**os.environ, "SCREENING_DB": str(db), "TERM": "xterm", "NO_COLOR": "1"}
    for answer, kept in (("n", True), ("y", False)):
        out.write_text("an older export")
        child = pexpect.spawn(sys.executable, ["-m", "screening.cli.main", "records", "export",
                                               "-f", "csv", "--status", "draft", "-o", str(out)],
                              env=env, encoding="utf-8", timeout=60, dimensions=(40, 200))
        child.expect("already exists. Replace it")
        child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        assert (child.exitstatus == 1) is kept
        assert (out.read_text() == "an older export") is kept
