"""The benchmark harness runs end to end (no timed assertions), the seed writes what the store
reads, and the parsed-content cache the start-up relies on is invisible in every result."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from screening.content.catalogue import check, from_snapshot, load_catalogue
from screening.content.validated_cache import _same

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
ROWS = {
    "help",
    "interview_start",
    "interview_start_cold",
    "answer_commit_p50",
    "answer_commit_p99",
    "validate",
    "validate_cold",
    "records_list",
    "records_export",
    "export_memory",
    "report",
    "report_memory",
}


def test_a_quick_run_completes_and_writes_every_row(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    out = tmp_path / "results.json"
    # Compiled bytecode is kept between test runs (in pytest's cache folder), like the
    # benchmark keeps it in benchmarks/.cache: the first run of the children compiles it.
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    pycache = cache.mkdir("benchmarks-pycache") if cache else tmp_path / "pycache"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--records", "200", "--repeat", "1",
         "--quick", "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
         "--pycache", str(pycache)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text("utf-8"))
    assert {"machine", "settings", "rows", "database", "interview"} <= set(result)
    assert {"nproc", "memory_bytes", "python", "date", "sqlite_library"} <= set(
        result["machine"]
    )
    assert set(result["rows"]) == ROWS
    for key, row in result["rows"].items():
        assert {"label", "figure", "floor", "ratio", "target", "result"} <= set(row), key
        assert row["result"] in ("PASS", "MISS", "info", "n/a"), key
    for key in ("help", "interview_start", "validate", "validate_cold", "records_list",
                "report"):
        assert row_ratio(result, key) > 0
    assert result["database"]["records"] == 200
    assert "typer" in result["interview"]["libraries"]
    # The table, on stdout: a header and a line per row.
    assert sum(line.startswith("| ") for line in done.stdout.splitlines()) == len(ROWS) + 1


def row_ratio(result: dict, key: str) -> float:
    ratio = result["rows"][key]["ratio"]
    assert isinstance(ratio, float), (key, result["rows"][key])
    return ratio


def test_seed_writes_realistic_records_the_store_reads(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import seed
    finally:
        sys.path.remove(str(BENCHMARKS))
    from screening.records.store import Store

    db = tmp_path / "seeded.db"
    facts = seed.seed(db, 400, templates=12)
    assert facts["records_in_file"] == 400
    con = sqlite3.connect(db)
    statuses = dict(con.execute("SELECT status, COUNT(*) FROM records GROUP BY status"))
    assert statuses["completed"] > statuses.get("draft", 0) > 0
    levels = {level for (level,) in con.execute("SELECT DISTINCT level FROM records")}
    assert {"low", "medium", "high"} <= levels
    questionnaires = {q for (q,) in con.execute("SELECT DISTINCT questionnaire FROM records")}
    assert questionnaires == {"departure", "returnee"}
    assert con.execute("SELECT COUNT(*) FROM content").fetchone()[0] == 2
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    declined = con.execute(
        "SELECT COUNT(*) FROM records r WHERE outcome = 'consent_declined' "
        "AND (level IS NOT NULL OR EXISTS (SELECT 1 FROM answers a WHERE a.record_id = r.id))"
    ).fetchone()[0]
    assert declined == 0
    con.close()
    with Store(db) as store:
        newest = next(iter(store.list_records(status="completed", limit=1)))
        record = store.record(newest["id"])
        assert record["answers"] and record["assessment"]["level"] == record["level"]
        questionnaire, _ = from_snapshot(store.snapshot(record["content_hash"]))
        assert set(record["answers"]) <= {q.id for q in questionnaire.questions()}


# --- the parsed-content cache ---------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(folder))
    return folder


def test_a_second_load_reads_no_yaml_and_gives_the_same_catalogue(
    mini_content: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_catalogue(mini_content)
    assert len(list(cache.glob("*.json"))) == 2

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("screening.content.catalogue.load_text", no_parse)
    # From the validated-content cache, then (its entry gone) validated from the parse cache.
    for _ in ("validated", "parsed"):
        second = load_catalogue(mini_content)
        # equal field by field (the lazily filled private indexes aside)
        assert _same(second.questionnaires, first.questionnaires)
        assert _same(second.indicator_sets, first.indicator_sets)
        assert second.sources == first.sources
        assert second.content_hash("mini") == first.content_hash("mini")
        for entry in cache.glob("*.validated"):
            entry.unlink()


def test_messages_keep_their_places_when_the_parse_came_from_the_cache(
    mini_content: Path, cache: Path
) -> None:
    script = mini_content / "questionnaires" / "mini.yaml"
    script.write_text(
        script.read_text("utf-8").replace(
            "coercion_destination.confiscation_of_documents",
            "coercion_destination.confiscaton_of_documents",
        ),
        "utf-8",
    )
    paths = [mini_content / "indicators", mini_content / "questionnaires"]
    cold = check(paths, cache=True)
    warm = check(paths, cache=True)
    assert cold.errors and [str(d) for d in warm.diagnostics] == [
        str(d) for d in cold.diagnostics
    ]
    assert [str(d) for d in check(paths).diagnostics] == [str(d) for d in cold.diagnostics]


def test_an_edit_a_damaged_entry_or_cache_off_are_all_read_afresh(
    mini_content: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalogue(mini_content)
    for entry in cache.glob("*.json"):
        entry.write_text("{not json", "utf-8")
    assert "mini" in load_catalogue(mini_content).questionnaires
    script = mini_content / "questionnaires" / "mini.yaml"
    script.write_text(script.read_text("utf-8").replace("version: \"1\"", "version: \"2\""))
    assert load_catalogue(mini_content).questionnaires["mini"].version == "2"
    monkeypatch.setenv("SCREENING_CACHE_DIR", "off")
    off = mini_content.parent / "nothing-here"
    monkeypatch.setenv("XDG_CACHE_HOME", str(off))
    assert load_catalogue(mini_content).questionnaires["mini"].version == "2"
    assert not off.exists()


def test_a_stored_snapshot_is_rebuilt_through_the_cache(mini_content: Path, cache: Path) -> None:
    catalogue = load_catalogue(mini_content)
    snapshot = catalogue.snapshot("mini")
    first = from_snapshot(snapshot)
    assert from_snapshot(snapshot) == first
    assert first[0].model_dump() == catalogue.questionnaires["mini"].model_dump()
