"""`records list --format json` answered before typer is imported (screening.cli.listing): the
same output, errors and exit codes as the full command, and only for plain uses (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _protect import case_answers, cli_env, paper, raw, write_form

#: the console script, and the full command line, each under the name `screening`
SCRIPT = ("import atexit, sys; sys.argv[0] = 'screening'; atexit.register(lambda: print(sorted("
          "m for m in ('typer', 'pydantic', 'rich') if m in sys.modules), file=sys.stderr)); "
          "from screening.cli.start import main; main()")
FULL = ("import sys; sys.argv[0] = 'screening'; from screening.cli.main import main; main()")


def run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("listing")
    env = cli_env(tmp_path, XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    paper(env, write_form(tmp_path / "a.json", case_answers(full_name="Satu")))
    paper(env, write_form(tmp_path / "b.json", {"consent": "no"}))
    paper(env, write_form(tmp_path / "c.json", dict(list(case_answers().items())[:9])))
    return env


PLAIN = [
    ["--format", "json"],
    ["--format=JSON", "--status", "completed", "--limit", "1"],
    ["-f", "json", "-q", "departure", "--level=HIGH", "--since", "2026-01-01",
     "--until", "2099-12-31T23:00"],
    ["--format", "json", "--status", "draft", "--db", ""],
]
OTHERS = [
    ["--format", "json", "--since", "2026-13-01"],  # not a date
    ["--format", "json", "--level", "severe"],
    ["--format", "json", "--limit", "0"],
    ["--format", "json", "--bogus"],
    ["--format", "json", "--limit"],
    ["--format", "json", "--status", "draft", "--status", "completed"],
    ["--format", "json", "--ui", "id"],
    ["--format", "csv"],
    ["--format", "table"],
    [],
    ["--help"],
    ["--format", "json", "--db", "/nonexistent/records.db"],
]


@pytest.mark.parametrize("args", PLAIN + OTHERS, ids=lambda a: " ".join(a) or "(none)")
def test_the_console_script_answers_as_the_full_command(
    env: dict[str, str], args: list[str]
) -> None:
    fast = run(SCRIPT, env, "records", "list", *args)
    full = run(FULL, env, "records", "list", *args)
    imported = json.loads(fast.stderr.splitlines()[-1].replace("'", '"'))
    assert (fast.returncode, fast.stdout) == (full.returncode, full.stdout)
    assert "\n".join(fast.stderr.splitlines()[:-1]) == full.stderr.rstrip("\n")
    # a plain JSON listing never loads the command line; anything else runs it
    assert (imported == []) is (args in PLAIN)
    if args in PLAIN:
        assert fast.returncode == 0 and isinstance(json.loads(fast.stdout), list)


def test_a_damaged_record_and_a_shared_file_are_reported_as_by_the_full_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "copy.db"
    con = raw(Path(env["SCREENING_DB"]))
    con.execute("VACUUM INTO ?", [str(db)])
    con.close()
    rid = raw(db).execute("SELECT id FROM records WHERE status = 'completed' LIMIT 1"
                          ).fetchone()[0]
    raw(db).execute("UPDATE records SET officer = CAST(X'C328' AS TEXT) WHERE id = ?", [rid])
    db.chmod(0o644)
    copy = {**env, "SCREENING_DB": str(db)}
    fast = run(SCRIPT, copy, "records", "list", "--format", "json")
    full = run(FULL, copy, "records", "list", "--format", "json")
    assert fast.returncode == full.returncode == 1
    assert fast.stdout == full.stdout and rid not in fast.stdout
    assert "\n".join(fast.stderr.splitlines()[:-1]) == full.stderr.rstrip("\n")
    assert "can be read by other accounts" in full.stderr
    assert f"{rid}: its details (officer) hold bytes that are not text" in full.stderr


def test_a_database_to_migrate_is_left_to_the_full_store(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import screening.records.database as database
    from screening.cli.listing import quick_list

    args = ["--format", "json", "--db", env["SCREENING_DB"]]
    assert quick_list(args) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    monkeypatch.setattr(database, "SCHEMA_VERSION", database.SCHEMA_VERSION + 1)
    assert quick_list(args) is None  # nothing read, nothing written: the full store migrates
    assert capsys.readouterr().out == ""


#: Cells a listing must write exactly as Python's json does: escapes, printf's own marks, text
#: that is not ASCII, and (damage) a BLOB, which Python writes as its repr.
ODD = {
    "officer": 'quote " back \\ slash / tab\t nl\n cr\r \b \f nul\x00 \x01\x1f del\x7f',
    "location": "Ñandú — 😀 \u2028\u2029\ufeff it's %s %d %% ?",
    "language": "",
}


def _odd_copy(env: dict[str, str], tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of the listing database whose records hold :data:`ODD`, one a BLOB as well."""
    db = tmp_path / "odd.db"
    con = raw(Path(env["SCREENING_DB"]))
    con.execute("VACUUM INTO ?", [str(db)])
    con.close()
    con = raw(db)
    ids = [rid for (rid,) in con.execute("SELECT id FROM records ORDER BY started_at DESC")]
    con.execute("UPDATE records SET officer = ?, location = ?, language = ? WHERE id = ?",
                [*ODD.values(), ids[0]])
    con.execute("UPDATE records SET questionnaire = X'00FF22' WHERE id = ?", [ids[2]])
    con.close()
    db.chmod(0o600)
    return db, ids


def _as_python_writes(rows: list[dict]) -> str:
    from screening.cli.listing import contract_row

    objects = [json.dumps(contract_row(row), ensure_ascii=False, default=str) for row in rows]
    return "[\n  " + ",\n  ".join(objects) + "\n]\n" if objects else "[]\n"


def test_sqlite_writes_each_record_as_python_json_would(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screening.records.queries as queries
    from screening.cli.listing import CONTRACT_KEYS
    from screening.records.store import Store

    db, ids = _odd_copy(env, tmp_path)
    monkeypatch.setattr(queries, "_PAGE", 2)  # the BLOB's page is read as dicts, not the first
    with Store.open(db, create=False) as store:
        assert store._quotes_as_python()  # else this test would only see the fallback
        everything = list(store.list_records())
        first = next(store.list_json(CONTRACT_KEYS))
        assert isinstance(first, str) and "\\u0000" in first and "😀" in first
        for filters in ({}, {"limit": 1}, {"limit": 2}, {"status": "completed"},
                        {"since": "2026-01-01", "limit": 3}, {"level": "low"}):
            rows = list(store.list_records(**filters))
            listed = list(store.list_json(CONTRACT_KEYS, **filters))
            assert len(listed) == len(rows), filters
            for row, element in zip(rows, listed, strict=True):
                if isinstance(element, str):
                    assert element == json.dumps({k: row.get(k) for k in CONTRACT_KEYS},
                                                  ensure_ascii=False), filters
                else:  # a page SQLite could not write: the BLOB's
                    assert element == row and ids[2] in {r["id"] for r in rows}, filters
            assert not any(isinstance(e, str) and ids[2] in e for e in listed)
    # the console script and the full command, with the BLOB (its page of 200 read as dicts)
    # and without it (every record written by SQLite)
    for blob in (True, False):
        if not blob:
            with raw(db) as con:
                con.execute("UPDATE records SET questionnaire = 'departure' WHERE id = ?", [ids[2]])
            with Store.open(db, create=False) as store:
                everything = list(store.list_records())
        for code in (SCRIPT, FULL):
            out = run(code, {**env, "SCREENING_DB": str(db)}, "records", "list", "--format",
                      "json")
            assert out.returncode == 0, out.stderr
            assert out.stdout == _as_python_writes(everything)
            assert ("\"b'\\\\x00\\\\xff\\\"'\"" in out.stdout) is blob  # as Python writes it


def test_an_sqlite_that_escapes_otherwise_leaves_the_writing_to_python(
    env: dict[str, str], tmp_path: Path
) -> None:
    from screening.cli.listing import CONTRACT_KEYS
    from screening.records.store import Store

    db, _ = _odd_copy(env, tmp_path)
    with Store.open(db, create=False) as store:
        written = list(store.list_json(CONTRACT_KEYS))
        assert store._quotes_as_python()
        # an SQLite whose json_quote leaves control characters as they are (as old ones did)
        store._conn.create_function("json_quote", 1, lambda v: '"' + str(v) + '"')
        assert not store._quotes_as_python()
        rows = list(store.list_json(CONTRACT_KEYS))
        assert all(isinstance(row, dict) for row in rows)
        assert _as_python_writes(rows) == "[\n  " + ",\n  ".join(
            r if isinstance(r, str) else json.dumps(
                {k: r.get(k) for k in CONTRACT_KEYS}, ensure_ascii=False, default=str)
            for r in written) + "\n]\n"
