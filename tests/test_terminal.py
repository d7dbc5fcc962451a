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


# --- paste safety ---------------------------------------------------------------------------

PASTE_SCRIPT = """\
kind: questionnaire
id: paste
version: "1"
languages: [id, en]
indicator_set: mini
title: {id: Tempel, en: Paste}
sections:
  - id: start
    title: {id: Mulai, en: Start}
    questions:
      - id: consent
        type: yes_no
        role: consent
        text: {id: "Setuju?", en: "Do you agree?"}
      - id: doc_number
        type: text
        identifying: true
        text: {id: "Nomor dokumen?", en: "Document number?"}
      - id: phone
        type: text
        identifying: true
        required: false
        text: {id: "Nomor telepon?", en: "Phone number?"}
      - id: district
        type: text
        required: false
        text: {id: "Kabupaten asal?", en: "Home district?"}
      - id: job_offer
        type: yes_no
        text: {id: "Ada tawaran kerja?", en: "A job offer?"}
"""


@pytest.fixture
def paste_env(env: dict[str, str]) -> dict[str, str]:
    (Path(env["SCREENING_CONTENT"]) / "questionnaires" / "paste.yaml").write_text(
        PASTE_SCRIPT, encoding="utf-8"
    )
    return env


def shown(env: dict[str, str], record_id: str) -> dict:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "screening.cli.main", "records", "show", record_id, "--format",
         "json"],
        env=env, capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)


def start_paste(env: dict[str, str]) -> pexpect.spawn:
    child = spawn(["interview", "start", "paste", "--lang", "en", "--officer", "Petugas Uji",
                   "--location", "Loket 3"], env)
    answer(child, "Do you agree?", "y")
    child.expect_exact("Document number?")
    child.expect(PROMPT)
    return child


def finish_paste(child: pexpect.spawn, env: dict[str, str]) -> dict:
    child.expect_exact("Interview complete")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    [record] = records(env)
    return shown(env, record["id"])["answers"]


def test_lines_typed_ahead_at_a_text_question_answer_nothing_else(
    paste_env: dict[str, str],
) -> None:
    child = start_paste(paste_env)
    child.send("A1234567\nsecond line\nthird line\n")  # one burst, as a terminal pastes
    child.expect_exact("3 lines arrived at once")
    child.expect_exact("Keep them as ONE answer to this question? (y/n)")
    child.sendline("n")
    child.expect_exact("Not saved. Please answer again.")
    answer(child, "Document number?", "A1234567")
    answer(child, "Phone number?", "0812000111")
    answer(child, "Home district?", "Bengkulu Tengah")
    answer(child, "A job offer?", "n")
    assert finish_paste(child, paste_env) == {
        "consent": "yes",
        "doc_number": "A1234567",
        "phone": "0812000111",
        "district": "Bengkulu Tengah",
        "job_offer": "no",
    }


def test_a_bracketed_paste_is_confirmed_as_one_answer(paste_env: dict[str, str]) -> None:
    child = start_paste(paste_env)
    # a terminal with bracketed paste: marks around the text, Enter as CR, no final newline
    child.send("\x1b[200~A1234567\rsecond line\rthird line\x1b[201~")
    child.expect_exact("Keep them as ONE answer")
    child.send("\r")  # the Enter the officer presses after pasting is not an answer
    child.expect_exact("Keep them as ONE answer")
    child.sendline("y")
    answer(child, "Phone number?", "")
    answer(child, "Home district?", "")
    answer(child, "A job offer?", "y")
    assert finish_paste(child, paste_env) == {
        "consent": "yes",
        "doc_number": "A1234567\nsecond line\nthird line",
        "phone": None,
        "district": None,
        "job_offer": "yes",
    }


def test_a_paste_at_a_yes_no_question_is_refused(paste_env: dict[str, str]) -> None:
    child = spawn(["interview", "start", "paste", "--lang", "en", "--officer", "Petugas Uji",
                   "--location", "Loket 3"], paste_env)
    child.expect_exact("Do you agree?")
    child.expect(PROMPT)
    child.send("y\nA1234567\n0812000111\n")
    child.expect_exact("3 lines arrived at once. One answer per question: nothing was saved")
    answer(child, "Do you agree?", "y")
    answer(child, "Document number?", "B7654321")
    answer(child, "Phone number?", "")
    answer(child, "Home district?", "")
    answer(child, "A job offer?", "n")
    answers = finish_paste(child, paste_env)
    assert answers["doc_number"] == "B7654321" and answers["phone"] is None
