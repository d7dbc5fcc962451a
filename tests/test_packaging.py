"""The wheel carries the bundled content, so an installed `screening` works anywhere."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = [
    "screening/_content/indicators/ilo-2009.yaml",
    "screening/_content/questionnaires/departure.yaml",
    "screening/_content/questionnaires/returnee.yaml",
]


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="hatchling is needed to build without isolation")
    out = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", out, "."],
        cwd=REPO,
    )
    if built.returncode != 0 and "hatchling" in built.stderr.lower():
        pytest.skip(f"cannot build without isolation: {built.stderr.strip()[-300:]}")
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(out.glob("screening-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_contains_the_content(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in CONTENT:
            assert name in names, sorted(n for n in names if "_content" in n)
            source = REPO / name.removeprefix("screening/_content/")
            assert archive.read(name) == source.read_bytes()
        assert "screening/cli/main.py" in names
        entry_points = archive.read("screening-0.1.0.dist-info/entry_points.txt").decode()
    assert "screening = screening.cli.start:main" in entry_points


def test_installed_wheel_works_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    made = _run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv],
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # pip from this environment installs into the new one; nothing of the checkout is visible
    # to it yet, so it cannot mistake (and replace) the editable install for this wheel.
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            wheel,
        ],
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # The dependencies (typer, pydantic, ...) come from this test environment: a path entry,
    # after the new venv's own site-packages, and not processed for .pth files, so the
    # checkout's editable hook stays out.
    purelib = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    (purelib / "site-packages" / "deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCREENING_CONTENT")}
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    where = _run(
        [python, "-c", "import screening as s, screening.content.catalogue as c; "
         "print(s.__file__); print(c.bundled_root())"],
        cwd=outside,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    module, root = where.stdout.split()
    assert Path(module).is_relative_to(venv), module
    assert Path(root) == Path(module).parent / "_content"

    screening = venv / "bin" / "screening"
    validated = _run([screening, "validate"], cwd=outside, env=env)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "5 file(s): 0 error(s)" in validated.stderr

    listed = _run([screening, "questionnaires", "list", "--format", "json"], cwd=outside, env=env)
    assert listed.returncode == 0, listed.stderr
    assert [q["id"] for q in json.loads(listed.stdout)] == ["departure", "followup", "returnee"]


def _quick_start() -> list[str]:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_installs_for_the_officer_and_tests_for_the_developer() -> None:
    officer, developer = _quick_start()
    # a virtual environment: a Debian or Ubuntu system Python refuses pip install
    assert officer.startswith("python3 -m venv .venv && ")
    assert developer.startswith("python3 -m venv .venv && ")
    # the officer's install takes the runtime dependencies only
    assert ".venv/bin/pip install . && " in officer and "[test]" not in officer
    assert officer.endswith(".venv/bin/screening interview start")
    assert developer.endswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, developer = _quick_start()
    ci = (REPO / ".ci" / "run").read_text("utf-8").splitlines()
    assert developer in ci
