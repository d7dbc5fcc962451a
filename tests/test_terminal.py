"""A real terminal: the officer types, presses Ctrl-C, resumes and finishes (pexpect)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")


def spawn(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "screening.cli.main", *args],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SCREENING_DB": str(tmp_path / "records.db"),
        "SCREENING_CONTENT": str(mini_content),
        "TERM": "xterm",
        "NO_COLOR": "1",
    }


def records(env: dict[str, str]) -> list[dict]:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "screening.cli.main", "records", "list", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


PROMPT = r">(?:\x1b\[[0-9;]*m)* "  # the answer prompt, maybe wrapped in a style code


def answer(child: pexpect.spawn, expect: str, text: str) -> None:
    child.expect_exact(expect)
    child.expect(PROMPT)
    child.sendline(text)


def test_ctrl_c_leaves_a_draft_then_resume_finishes(env: dict[str, str]) -> None:
    child = spawn(["interview", "start", "mini", "--lang", "en"], env)
    child.expect_exact("Officer name or ID")
    child.sendline("Petugas Uji")
    child.expect_exact("Location")
    child.sendline("Loket 3")
    answer(child, "Do you agree?", "y")
    answer(child, "Age?", "31")
    child.expect_exact("A job offer?")
    child.expect(PROMPT)
    child.sendintr()  # Ctrl-C at the third question
    child.expect_exact("screening interview resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    [draft] = records(env)
    assert draft["status"] == "draft" and draft["answered"] == 2

    child = spawn(["interview", "resume", draft["id"]], env)
    child.expect_exact("2 of about")
    answer(child, "A job offer?", "n")
    answer(child, "Someone else holds your passport?", "-")
    answer(child, "In danger?", "n")
    answer(child, "Name?", "")
    child.expect_exact("Interview complete")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    [done] = records(env)
    assert (done["id"], done["status"], done["answered"]) == (draft["id"], "completed", 6)


def test_a_closed_terminal_leaves_a_draft(env: dict[str, str]) -> None:
    child = spawn(
        [
            "interview",
            "start",
            "mini",
            "--lang",
            "en",
            "--officer",
            "Petugas Uji",
            "--location",
            "Loket 3",
        ],
        env,
    )
    answer(child, "Do you agree?", "y")
    child.expect_exact("Age?")
    child.expect(PROMPT)
    # The terminal goes away: the kernel sends SIGHUP and further reads fail. Then wait for
    # the tool to finish on its own (pexpect's close would SIGKILL it after 0.4 s).
    child.ptyproc.fileobj.close()
    status = child.ptyproc.wait()
    assert child.ptyproc.signalstatus is None, "the tool should exit by itself"
    assert status == 130
    [draft] = records(env)
    assert draft["status"] == "draft" and draft["answered"] == 1
