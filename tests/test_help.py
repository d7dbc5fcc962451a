"""Every command answers --help, fast: its usage, without loading the libraries (records,
content, keys) that only running the command needs. (Typer itself loads pydantic to show the
help of a command with a list argument, so pydantic is not checked here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import typer
import typer.main
from typer.testing import CliRunner

from screening.cli.main import app


def _commands() -> list[list[str]]:
    """Every command path, groups included: [], ['records'], ['records', 'export'], ..."""
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "commands"):  # a group (typer's own click, no click import here)
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_the_tree_has_every_command_group() -> None:
    names = {" ".join(path) for path in _commands()}
    for expected in ("interview start", "records export", "records seal", "keys init",
                     "score", "validate", "indicators coverage", "questionnaires preview",
                     "schema", "content init", "sync push", "sync bundle", "central init",
                     "central status", "central import", "report"):
        assert expected in names, sorted(names)


def test_every_command_answers_help() -> None:
    runner = CliRunner()
    for path in _commands():
        result = runner.invoke(app, [*path, "--help"], prog_name="screening")
        assert result.exit_code == 0, (path, result.output)
        usage = " ".join(["screening", *path])
        assert f"Usage: {usage}" in " ".join(result.output.split()), (path, result.output)


PROBE = """\
import json, sys
from screening.cli.main import app
# not pydantic: typer's help loads it
heavy = ("sqlite_utils", "yaml", "cryptography", "psycopg", "matplotlib")
loaded = {{}}
for path in {paths!r}:
    try:
        app([*path, "--help"], prog_name="screening")
    except SystemExit:
        pass
    for m in heavy:
        if m in sys.modules and m not in loaded:
            loaded[m] = " ".join(path)
print(json.dumps(loaded))
"""


def test_help_of_every_command_loads_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(paths=_commands())],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # which library the first command that loaded it pulled in
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {}


def test_the_root_help_lists_the_commands_as_typer_would() -> None:
    """The lazy listing (from main.COMMANDS' summaries) reads exactly as typer's own listing
    built from every command: a changed help text fails here until its summary follows."""
    from typer.core import TyperGroup

    from screening.cli.main import LazyGroup

    runner = CliRunner()
    lazy = runner.invoke(app, ["--help"], prog_name="screening", env={"COLUMNS": "100"})
    saved = LazyGroup.format_commands
    LazyGroup.format_commands = TyperGroup.format_commands  # type: ignore[method-assign]
    try:
        eager = runner.invoke(app, ["--help"], prog_name="screening", env={"COLUMNS": "100"})
    finally:
        LazyGroup.format_commands = saved  # type: ignore[method-assign]
    assert lazy.exit_code == eager.exit_code == 0
    assert "interview" in lazy.output and "central" in lazy.output
    assert lazy.output == eager.output


LAZY_PROBE = """\
import json, sys
from screening.cli.main import COMMANDS, app
try:
    app({args!r}, prog_name="screening")
except SystemExit:
    pass
modules = sorted({{m for m, _, _ in COMMANDS.values()}} & set(sys.modules))
print(json.dumps(modules))
"""


def _command_modules_loaded(args: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE.format(args=args)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_root_help_builds_no_command() -> None:
    # `screening --help` imports none of the command modules (each costs its parameters).
    assert _command_modules_loaded(["--help"]) == []


def test_a_command_loads_only_its_own_module() -> None:
    assert _command_modules_loaded(["interview", "start", "--help"]) == [
        "screening.cli.interview"
    ]
    assert _command_modules_loaded(["report", "--help"]) == ["screening.cli.report"]


def test_a_mistyped_command_is_still_suggested() -> None:
    result = CliRunner().invoke(app, ["interviw"], prog_name="screening")
    assert result.exit_code == 2
    assert "Did you mean 'interview'" in result.output


def test_the_cli_collects_garbage_in_fewer_larger_rounds() -> None:
    # screening/cli/__init__.py: ~140 collections over a start's long-lived objects otherwise.
    done = subprocess.run(
        [sys.executable, "-c", "import gc, screening.cli.main; print(gc.get_threshold())"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(10000, 20, 20)"


# Spies on the phases of an interview start run by the console script's own main().
_PHASES = """
import gc, json, sys
import screening.cli.interview as interview
import screening.content.catalogue as catalogue
seen = {}
def spy(module, name, label):
    real = getattr(module, name)
    def watched(*args, **kwargs):
        seen[label] = gc.isenabled()
        return real(*args, **kwargs)
    setattr(module, name, watched)
spy(catalogue, "load_catalogue", "loading content")
spy(interview, "_run", "walking")
sys.argv = ["screening", *sys.argv[1:]]
from screening.cli.start import main
try:
    main()
except SystemExit as exc:
    seen["exit"] = exc.code
seen["after"] = gc.isenabled()
seen["frozen"] = gc.get_freeze_count() > 0
print(json.dumps(seen))
"""


def test_the_console_script_collects_no_garbage_until_the_interview_begins(tmp_path) -> None:
    """Start-up (imports, the command line, the content, the record) runs without the
    collector; the walk, which can last an hour, with it, over a frozen start-up."""
    form = tmp_path / "form.json"
    form.write_text(json.dumps({"answers": {"private_room": "yes"}}), "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _PHASES, "interview", "start", "departure", "--answers",
         str(form), "--db", str(tmp_path / "r.db"), "--officer", "uji", "--location", "uji"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "SCREENING_CACHE_DIR": str(tmp_path / "cache")},
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"loading content": False, "walking": True, "exit": 3, "after": True,
                    "frozen": True}, done.stderr
    # A program that imports the command line (a test, CliRunner) keeps its own collector.
    imported = subprocess.run(
        [sys.executable, "-c", "import gc, screening.cli.main, screening.cli.interview; "
         "from screening.cli import pause; pause(); print(gc.isenabled(), gc.get_freeze_count())"],
        capture_output=True, text=True, timeout=60,
    )
    assert imported.stdout.split() == ["True", "0"], imported.stderr
