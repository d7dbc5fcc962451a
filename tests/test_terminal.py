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


# --- the whole counter journey, in each language of the officer ------------------------------

JOURNEY_WORDS = {
    "en": {
        "officer": "Officer name or ID: ", "location": "Location (office, counter, checkpoint): ",
        "language": "Interview language (id/en)", "lang_answer": "en",
        "started": "started. Every answer is saved at once.",
        "consent": "Do you agree?", "age": "Age?", "district": "Home district?",
        "offer": "A job offer?", "work": "What work?",
        "passport": "Someone else holds your passport?",
        "danger": "In danger?", "name": "Name?",
        "not_whole": "'25.5' is not a whole number", "paste": "3 lines arrived at once",
        "keep": "Keep them as ONE answer", "dropped": "Not saved. Please answer again.",
        "back": "Back to 'age': type the new answer, or Enter to keep it.",
        "kept": "Answer kept.", "review": "Answers so far", "missing": "Still to ask (required): 3",
        "interrupted": "Interrupted. The draft", "answers": "(5 answers)",
        "recovered": "5 of about 8 answered", "level": "Level:", "done": "Interview complete",
        "unsealed": "Stored UNSEALED",
    },
    "id": {
        "officer": "Nama atau NIP petugas: ", "location": "Lokasi (kantor, loket, TPI): ",
        "language": "Bahasa wawancara (id/en)", "lang_answer": "",
        "started": "dimulai. Setiap jawaban langsung disimpan.",
        "consent": "Setuju?", "age": "Umur?", "district": "Kabupaten asal?",
        "offer": "Ada tawaran kerja?", "work": "Kerja apa?",
        "passport": "Paspor dipegang orang lain?",
        "danger": "Bahaya?", "name": "Nama?",
        "not_whole": "'25.5' bukan bilangan bulat", "paste": "3 baris masuk sekaligus",
        "keep": "Simpan sebagai SATU jawaban", "dropped": "Tidak disimpan. Silakan jawab lagi.",
        "back": "Kembali ke 'age': ketik jawaban baru, atau Enter untuk tetap.",
        "kept": "Jawaban tetap.", "review": "Jawaban sejauh ini",
        "missing": "Belum ditanyakan (wajib): 3",
        "interrupted": "Terhenti. Draf", "answers": "(5 jawaban)",
        "recovered": "5 dari sekitar 8 terjawab", "level": "Tingkat:", "done": "Wawancara selesai",
        "unsealed": "Disimpan TANPA SEGEL",
    },
}


@pytest.fixture
def journey_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    from tests.conftest import MINI_SCRIPT

    script = MINI_SCRIPT.replace("id: mini\n", "id: journey\n", 1).replace(
        "        role: age\n", "        role: age\n        integer: true\n"
    ).replace(
        "      - id: job_offer\n",
        "      - id: district\n        type: text\n"
        "        text: {id: \"Kabupaten asal?\", en: \"Home district?\"}\n"
        "      - id: job_offer\n",
    )
    (Path(env["SCREENING_CONTENT"]) / "questionnaires" / "journey.yaml").write_text(
        script, encoding="utf-8"
    )
    # a small terminal, so :review and the end of the interview open the pager
    # LESS is respected: its prompt marks that the pager is showing
    return {**env, "PAGER": "less", "LESS": "-R -X -Ps--PAGED--",
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def small(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "screening.cli.main", *args], env=env,
                         encoding="utf-8", timeout=30, dimensions=(12, 100))


@pytest.mark.parametrize("ui", ["en", "id"])
def test_the_whole_counter_journey(journey_env: dict[str, str], ui: str) -> None:
    w = JOURNEY_WORDS[ui]
    env = journey_env
    child = small(["interview", "start", "journey", "--ui", ui], env)
    child.expect_exact(w["officer"])
    child.sendline("Petugas Uji")
    child.expect_exact(w["location"])
    child.sendline("Loket 3")
    child.expect_exact(w["language"])  # asked for this person, the script's first as default
    child.expect_exact("[id]")
    child.sendline(w["lang_answer"])
    child.expect_exact(w["started"])
    answer(child, w["consent"], "y")
    answer(child, w["age"], "25.5")
    child.expect_exact(w["not_whole"])
    child.expect(PROMPT)
    child.sendline("31")
    # a paste at a text question: shown, refused by the officer, asked again
    child.expect_exact(w["district"])
    child.expect(PROMPT)
    child.send("Bengkulu\nTengah\nA1234567\n")
    child.expect_exact(w["paste"])
    child.expect_exact(w["keep"])
    child.sendline("n")
    child.expect_exact(w["dropped"])
    answer(child, w["district"], "Bengkulu Tengah")
    answer(child, w["offer"], "y")
    answer(child, w["work"], "d")  # the only option starting with d: domestic
    # :goto an earlier question, Enter keeps its answer, back to where we were
    answer(child, w["passport"], ":goto age")
    child.expect_exact(w["back"])
    answer(child, w["age"], "")
    child.expect_exact(w["kept"])
    # :review is taller than this terminal: it opens in the pager
    answer(child, w["passport"], ":review")
    child.expect_exact(w["review"])
    child.expect_exact("--PAGED--")
    child.send("q")
    child.expect_exact(w["passport"])
    child.expect(PROMPT)
    child.sendintr()
    child.expect_exact(w["interrupted"])
    child.expect_exact(w["answers"])
    child.expect_exact("screening interview resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    [draft] = records(env)
    assert draft["status"] == "draft" and draft["answered"] == 5

    child = small(["interview", "resume", draft["id"]], env)
    child.expect_exact(w["recovered"])
    answer(child, w["passport"], "y")
    answer(child, w["danger"], "n")
    answer(child, w["name"], "")
    child.expect_exact(w["level"])  # the summary first, then the detail, in the pager
    child.expect_exact("--PAGED--")
    child.send("q")
    child.expect_exact(w["level"])  # the summary stays on screen after the pager
    child.expect_exact(w["done"])
    child.expect_exact(w["unsealed"])
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert shown(env, draft["id"])["answers"] == {
        "consent": "yes", "age": 31, "district": "Bengkulu Tengah", "job_offer": "yes",
        "job_type": "domestic", "passport_held": "yes", "danger": "no", "name": None,
    }


def test_keys_init_refuses_a_short_passphrase_at_once(tmp_path: Path, env: dict[str, str]) -> None:
    child = spawn(["keys", "init", "--out", str(tmp_path / "keys")], env)
    child.expect_exact("Passphrase for the office private key")
    child.sendline("short")
    child.expect_exact("The passphrase is too short (5 characters)")
    child.expect_exact("Passphrase for the office private key")
    child.sendline("kopi hujan sepeda lampu")
    child.expect_exact("Type it again")
    child.sendline("kopi hujan sepeda lampu")
    child.expect_exact("Fingerprint:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_preview_taller_than_the_terminal_opens_the_pager(env: dict[str, str]) -> None:
    env = {**env, "PAGER": "less", "LESS": "-R -X -Ps--PAGED--"}
    env.pop("SCREENING_CONTENT")  # the bundled departure script
    child = small(["questionnaires", "preview", "departure", "--lang", "id"], env)
    child.expect_exact("--PAGED--")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
