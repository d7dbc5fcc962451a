"""The follow-up script: a short, optional, bilingual questionnaire after a referral, linked
to the first record and its referrals, sealed like the rest, with no level."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from _protect import case_answers, cli_env, invoke, make_keys, paper, write_form
from conftest import MINI_SET, write_content
from screening.content.catalogue import bundled_root, check

FOLLOWUP = {"setting_private": "yes", "consent": "yes", "safe_now": "yes", "help_came": "partly",
            "treated_with_respect": "yes", "help_useful": "partly",
            "what_should_change": "CANARY-WORDS"}


def ok(env: dict[str, str], *args: str):
    result = invoke(env, *args)
    assert result.exit_code == 0, result.output
    return result


def test_the_script_is_short_bilingual_and_never_names_a_victim() -> None:
    raw = yaml.safe_load((bundled_root() / "questionnaires/followup.yaml").read_text("utf-8"))
    assert raw["scored"] is False and raw["languages"] == ["id", "en"]
    asked = [q for s in raw["sections"] for q in s["questions"]
             if q.get("mode", "ask") == "ask" and q.get("role") != "consent"]
    assert 4 <= len(asked) <= 6
    text = json.dumps(raw, ensure_ascii=False).casefold()
    for word in ("korban", "victim", "perdagangan orang", "traffick", "pelaku"):
        assert word not in text
    safe = next(q for q in asked if q["id"] == "safe_now")
    assert safe["alert"]["on"] == ["no"]


def test_a_follow_up_is_linked_to_the_record_and_its_referrals(tmp_path: Path) -> None:
    _, public = make_keys(tmp_path / "keys")
    env = cli_env(tmp_path, public)
    first = paper(env, write_form(tmp_path / "a.json", case_answers()))
    referral = ok(env, "referrals", "add", first, "--to", "bp3mi", "--consent").stdout.split()[-1]
    form = write_form(tmp_path / "f.json", FOLLOWUP)
    result = ok(env, "interview", "start", "followup", "--answers", str(form),
                "--follows", first.lower())
    second = result.stdout.strip().splitlines()[-1]
    record = json.loads(ok(env, "records", "show", second, "-f", "json").stdout)
    assert (record["status"], record["level"], record["assessment"]) == ("completed", None, None)
    created = next(e for e in record["events"] if e["kind"] == "create")
    assert created["detail"]["follows"] == first
    assert created["detail"]["referrals"] == [referral]
    # free text is sealed like the rest; the choices stay readable for the monitoring
    assert record["answers"]["what_should_change"] == {"sealed": True}
    assert record["answers"]["help_came"] == "partly"
    ok(env, "records", "verify")


def test_a_follow_up_refuses_what_it_cannot_follow(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    form = write_form(tmp_path / "f.json", FOLLOWUP)
    first = paper(env, write_form(tmp_path / "a.json", case_answers()))
    result = invoke(env, "interview", "start", "followup", "--answers", str(form),
                    "--follows", first[:-1] + ("Z" if first[-1] != "Z" else "Y"))
    assert result.exit_code == 1 and f"did you mean '{first}'" in result.stderr
    answers = case_answers()
    draft = paper(env, write_form(tmp_path / "d.json", {k: answers[k] for k in list(answers)[:5]}))
    result = invoke(env, "interview", "start", "followup", "--answers", str(form),
                    "--follows", draft)
    assert result.exit_code == 1 and "is still a draft" in result.stderr
    result = invoke(env, "score", "--questionnaire", "followup", "--answers", str(form))
    assert result.exit_code == 1 and "'followup' is not a screening" in result.stderr


def test_an_unscored_script_maps_no_indicator(tmp_path: Path) -> None:
    script = """\
kind: questionnaire
id: after
version: "1"
languages: [id, en]
indicator_set: mini
scored: false
title: {id: T, en: T}
sections:
  - id: s
    title: {id: S, en: S}
    questions:
      - id: consent
        type: yes_no
        role: consent
        text: {id: "Setuju?", en: "Agree?"}
      - id: passport
        type: yes_no
        text: {id: "Paspor?", en: "Passport?"}
        indicators:
          "yes": [coercion_destination.confiscation_of_documents]
"""
    root = write_content(tmp_path / "c", {"indicators/mini.yaml": MINI_SET,
                                          "questionnaires/after.yaml": script})
    errors = [d.message for d in check([root / "indicators", root / "questionnaires"]).errors]
    assert errors == ["question 'passport': a script with 'scored: false' gives no level, so "
                      "its answers map to no indicator"]
