"""At the end of a guided interview in a real terminal: refer, ask consent, print the letter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _protect import PASSPHRASE, make_keys
from conftest import MINI_SCRIPT, MINI_SET, write_content
from test_services import ADULTS, HOTLINE, POLICE, directory

pexpect = pytest.importorskip("pexpect")
PROMPT = r">(?:\x1b\[[0-9;]*m)* "


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    indicator_set = MINI_SET.replace(
        "when: [positive_dimension, strong_indicator]}",
        "when: [positive_dimension, strong_indicator], referrals: [police, sapa, bp3mi]}",
    )
    content = write_content(tmp_path / "content", {
        "indicators/mini.yaml": indicator_set,
        "questionnaires/mini.yaml": MINI_SCRIPT,
        "services/test.yaml": directory(POLICE, HOTLINE, ADULTS),
    })
    _, public = make_keys(tmp_path / "keys")
    return {**os.environ, "SCREENING_DB": str(tmp_path / "records.db"),
            "SCREENING_CONTENT": str(content), "SCREENING_PUBLIC_KEY": str(public),
            "SCREENING_KEY_PASSPHRASE": PASSPHRASE, "TERM": "xterm", "NO_COLOR": "1"}


def answer(child: pexpect.spawn, expect: str, text: str) -> None:
    child.expect_exact(expect)
    child.expect(PROMPT)
    child.sendline(text)


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "screening.cli.main", *args], env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_a_medium_result_ends_with_referrals_consent_and_a_letter(
    env: dict[str, str], tmp_path: Path
) -> None:
    child = pexpect.spawn(sys.executable, ["-m", "screening.cli.main", "interview", "start",
                                           "mini", "--lang", "en", "--ui", "en"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 120),
                          cwd=str(tmp_path))
    child.expect_exact("Officer name or ID")
    child.sendline("Petugas Uji")
    child.expect_exact("Location")
    child.sendline("Loket 3")
    answer(child, "Do you agree?", "y")
    answer(child, "Age?", "31")
    answer(child, "A job offer?", "n")
    answer(child, "Someone else holds your passport?", "y")
    answer(child, "In danger?", "n")
    answer(child, "Name?", "Ani CANARY")
    child.expect_exact("Interview complete")
    child.expect_exact("Refer now? The result suggests:")
    child.expect_exact("3. N (bp3mi)")
    child.expect_exact("(Enter: none):")
    child.sendline("1,9")
    child.expect_exact("Type numbers from 1 to 3, or Enter for none.")
    child.expect_exact("(Enter: none):")
    child.sendline("1,2")
    child.expect_exact("Does the person agree that their details go to N? (y/n)")
    child.sendline("y")
    child.expect_exact("recorded: proposed")
    child.expect_exact("File for the referral letter (Enter: letter-R-")
    child.sendline("")
    child.expect_exact("Referral letter written to letter-R-")
    child.expect_exact("Does the person agree that their details go to N? (y/n)")
    child.sendline("n")
    child.expect_exact("recorded as information given only")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    referrals = json.loads(cli(env, "referrals", "list", "--format", "json"))
    assert [(r["service"], r["status"], r["consent"]) for r in referrals] == [
        ("police", "proposed", "given"), ("sapa", "closed", "refused")]
    [letter] = list(tmp_path.glob("letter-R-*.html"))
    assert letter.name == f"letter-{referrals[0]['id']}.html"
    # the record is sealed; the letter written at the end still names the person
    record = json.loads(cli(env, "records", "show", referrals[0]["record_id"], "-f", "json"))
    assert record["sealed"] and record["answers"]["name"] == {"sealed": True}
    assert "Ani CANARY" in letter.read_text("utf-8")
    cli(env, "records", "verify")
