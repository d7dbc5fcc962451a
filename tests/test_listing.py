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
