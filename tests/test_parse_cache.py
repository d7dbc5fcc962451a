"""The parse cache cannot change a judgement; verify re-scores like with like (issue 11,
fault 4)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

import screening.assessment.scoring as scoring
from _protect import invoke, raw, write_form
from screening.content.catalogue import data_hash

MEDIUM = {"consent": "yes", "age": 30, "job_offer": "no", "passport_held": "yes",
          "danger": "no", "name": "Nama Uji"}


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content),
            "SCREENING_CACHE_DIR": str(tmp_path / "cache")}


def interview(env: dict[str, str], tmp_path: Path, name: str, **extra: str) -> str:
    form = write_form(tmp_path / f"{name}.json", MEDIUM)
    result = invoke({**env, **extra}, "interview", "start", "mini", "--answers", str(form))
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def level(env: dict[str, str], rid: str, **extra: str) -> str:
    shown = invoke({**env, **extra}, "records", "show", rid, "--format", "json")
    return json.loads(shown.stdout)["assessment"]["level"]


def poison(cache: Path, *, rehash: bool) -> None:
    """Edit the cached parse of the indicator set so the passport indicator counts for
    nothing (weak): the MEDIUM case would score LOW. ``rehash``: also fix the entry's own
    hash, as someone who read the code would."""
    (entry,) = [p for p in cache.glob("*.json")
                if json.loads(p.read_text())["data"].get("kind") != "questionnaire"
                and "indicators" in json.loads(p.read_text())["data"]]
    stored = json.loads(entry.read_text())
    for indicator in stored["data"]["indicators"]:
        if indicator["id"] == "coercion_destination.confiscation_of_documents":
            indicator["tiers"] = {"adult-labour": "weak", "child-labour": "weak"}
    if rehash:
        stored["parsed"] = data_hash(stored["data"])
    entry.write_text(json.dumps(stored))
    # The validated documents are remembered too: forget them, so the next start validates
    # again from the parse cache (as it does after a code update or on the next day).
    for validated in cache.glob("*.validated"):
        validated.unlink()


def test_an_edited_cache_entry_is_not_used(env: dict[str, str], tmp_path: Path) -> None:
    first = interview(env, tmp_path, "a")
    assert level(env, first) == "medium"
    poison(Path(env["SCREENING_CACHE_DIR"]), rehash=False)
    other_db = str(tmp_path / "other.db")  # a file that has never seen this content
    second = interview(env, tmp_path, "b", SCREENING_DB=other_db)
    assert level(env, second, SCREENING_DB=other_db) == "medium"


def test_a_rehashed_cache_entry_cannot_change_a_judgement_unseen(
    env: dict[str, str], tmp_path: Path
) -> None:
    first = interview(env, tmp_path, "a")
    poison(Path(env["SCREENING_CACHE_DIR"]), rehash=True)
    # The database already knows this content's parse: the changed cache is not trusted.
    second = interview(env, tmp_path, "b")
    assert (level(env, first), level(env, second)) == ("medium", "medium")
    assert invoke(env, "records", "verify").exit_code == 0
    # A database that has never seen this content takes the cache at its word at the
    # counter, but verify re-parses the snapshot afresh and re-scores the record.
    other = {**env, "SCREENING_DB": str(tmp_path / "other.db")}
    fooled = interview(other, tmp_path, "c")
    assert level(other, fooled) == "low"
    result = invoke(other, "records", "verify", "--format", "json")
    assert result.exit_code == 1
    assert [p["problem"] for p in json.loads(result.stdout)["problems"]] == [
        f"record {fooled} was scored from a parse of its content that is not the parse of its "
        "content snapshot (the parsed-content cache was altered or damaged)",
        f"record {fooled}: its stored assessment is not what its answers score under its own "
        "content (scoring version 1): level: low → medium; coercion_destination: positive no "
        "→ no; strong/medium/weak 0/0/1 → 1/0/0; "
        "coercion_destination.confiscation_of_documents: tier weak → strong on adult-labour",
    ]


def test_the_cache_folder_is_owner_only(env: dict[str, str], tmp_path: Path) -> None:
    interview(env, tmp_path, "a")
    cache = Path(env["SCREENING_CACHE_DIR"])
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    entries = list(cache.glob("*.json"))
    assert entries and {stat.S_IMODE(p.stat().st_mode) for p in entries} == {0o600}


def test_records_of_another_scoring_version_are_not_re_checked(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scoring, "SCORING_VERSION", 0)  # scored by the code before a change
    old = interview(env, tmp_path, "a")
    monkeypatch.setattr(scoring, "SCORING_VERSION", 1)
    interview(env, tmp_path, "b")
    con = raw(Path(env["SCREENING_DB"]))
    assert con.execute("SELECT scoring_version FROM records WHERE id = ?",
                       [old]).fetchone() == (0,)
    result = invoke(env, "records", "verify", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notes"] == [
        "1 finished record(s) not re-checked: scored by scoring version 0 (this is scoring "
        "version 1)"
    ]


def test_verify_re_checks_the_departure_risk_too(tmp_path: Path) -> None:
    from _protect import CASE

    env = {"SCREENING_DB": str(tmp_path / "r.db")}
    result = invoke(env, "interview", "start", "departure", "--answers", str(CASE))
    assert result.exit_code == 0, result.output
    rid = result.stdout.strip().splitlines()[-1]
    con = raw(tmp_path / "r.db")
    stored = json.loads(con.execute("SELECT assessment_json FROM records WHERE id = ?",
                                    [rid]).fetchone()[0])
    risk = stored["departure_risk"]["level"]
    other = "low" if risk != "low" else "high"
    stored["departure_risk"]["level"] = other
    con.execute("UPDATE records SET assessment_json = ? WHERE id = ?", [json.dumps(stored), rid])
    checked = invoke(env, "records", "verify", "--format", "json")
    assert checked.exit_code == 1
    found = [p["problem"] for p in json.loads(checked.stdout)["problems"]]
    assert f"departure risk: {other} → {risk}" in found[-1]


def test_an_entry_another_account_could_write_is_not_used(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A rehashed poison in a file or folder others may write is never read, even by a
    database that has never seen the content."""
    interview(env, tmp_path, "a")
    cache = Path(env["SCREENING_CACHE_DIR"])
    entries = lambda mode: [p.chmod(mode) for p in cache.glob("*.json")]  # noqa: E731
    for n, (widen, narrow) in enumerate([(lambda: entries(0o622), lambda: entries(0o600)),
                                         (lambda: cache.chmod(0o777), lambda: cache.chmod(0o700))]):
        poison(cache, rehash=True)  # afresh: the clean parse of the last start replaced it
        widen()
        other = {**env, "SCREENING_DB": str(tmp_path / f"other-{n}.db")}
        try:
            rid = interview(other, tmp_path, f"b{n}")
            assert level(other, rid) == "medium"
        finally:
            narrow()
