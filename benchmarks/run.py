"""Benchmark screening against the floor of its own libraries, side by side, in one run.

    python benchmarks/run.py [--records 1000000] [--repeat 5] [--answers 500]
                             [--out benchmarks/results.json] [--quick]

Every figure is measured beside a floor on the same machine in the same run (the two are
interleaved run by run, so a busy moment hits both), as the median of ``--repeat`` runs after
one warm-up, and judged by the ratio figure / floor:

- ``screening --help`` beside ``python -c "import typer"``;
- ``screening interview start`` entering a one-answer paper form (spawn, read the form, save
  the first answer, exit 3) beside ``python -c`` importing the library modules that very run
  imports (found with ``-X importtime``);
- one answer committed with ``Store.save_answer`` (p50 and p99) beside a raw ``sqlite3``
  INSERT + COMMIT with the same pragmas (WAL, synchronous=FULL), interleaved answer by answer;
- ``screening validate`` of the bundled content beside importing yaml and pydantic and
  ``yaml.safe_load`` of the same files;
- on a seeded database of ``--records`` records: ``records list --level high --since
  <30 days before the seed> --format json`` beside the same query in the ``sqlite3`` program,
  and ``records export --format csv`` beside ``sqlite3 -csv`` of the same columns, with the
  export's peak memory (max RSS of the child process, from ``wait4``).

Child processes run with bytecode caching on (a ``PYTHONPYCACHEPREFIX`` under the cache
folder, whatever ``PYTHONDONTWRITEBYTECODE`` says), with the content cache in the cache folder
and warm, which is the state of a counter laptop after its first start. One extra row shows a
start with the content cache cold (after a content edit); it has no target.

The seeded database is kept in ``benchmarks/.cache/`` (``--cache-dir``) and reused by later runs
with the same ``--records``, seed version and schema version.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import seed as seeder  # noqa: E402  (benchmarks/seed.py, next to this file)

TARGETS = {
    "help": 1.3,
    "interview_start": 1.3,
    "answer_commit_p50": 1.5,
    "answer_commit_p99": 1.5,
    "validate": 1.3,
    "validate_cold": 1.3,
    "records_list": 2.0,
    "records_export": 2.0,
    "report": 2.0,
}
EXPORT_MEMORY_LIMIT = 150 * 1024 * 1024
LIBRARIES = ("typer", "click", "rich", "pydantic", "pydantic_core", "yaml", "sqlite_utils")
LIST_COLUMNS = (
    "id", "status", "outcome", "questionnaire", "level", "officer", "location", "language",
    "started_at", "completed_at",
)


# --- running a child ---------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss: int  # bytes
    returncode: int


@dataclass
class Series:
    command: list[str]
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def max_rss(self) -> int:
        return max((r.max_rss for r in self.runs), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": _shown(self.command),
            "median_s": round(self.median, 4),
            "runs_s": [round(r.seconds, 4) for r in self.runs],
            "max_rss_bytes": self.max_rss,
            "returncodes": sorted({r.returncode for r in self.runs}),
        }


# The children are started by a small launcher process, not by this one: a child's peak RSS
# (``wait4``) counts the memory of the process that forked it until the exec, so a launcher of
# a few MB keeps this process (which seeds a database) out of the figures.
LAUNCHER = r"""
import json, os, signal, subprocess, sys, threading, time
scale = 1 if sys.platform == "darwin" else 1024
for line in sys.stdin:
    req = json.loads(line)
    out = open(req["stdout"], "wb") if req["stdout"] else subprocess.DEVNULL
    err = open(req["stderr"], "wb") if req["stderr"] else subprocess.DEVNULL
    began = time.perf_counter()
    child = subprocess.Popen(req["argv"], env=req["env"], stdout=out, stderr=err,
                             stdin=subprocess.DEVNULL, cwd=req["cwd"])
    timer = None
    if req["timeout"]:
        timer = threading.Timer(req["timeout"], os.kill, (child.pid, signal.SIGKILL))
        timer.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    if timer is not None:
        timer.cancel()
    for handle in (out, err):
        if handle is not subprocess.DEVNULL:
            handle.close()
    sys.stdout.write(json.dumps([seconds, usage.ru_maxrss * scale,
                                 os.waitstatus_to_exitcode(status)]) + "\n")
    sys.stdout.flush()
"""


class Launcher:
    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def run(
        self,
        command: Sequence[str],
        env: dict[str, str],
        stdout: Path | None,
        stderr: Path | None,
        cwd: Path | None,
        timeout: float | None = None,
    ) -> Run:
        if not hasattr(os, "wait4"):  # pragma: no cover - Windows: no per-child peak memory
            began = time.perf_counter()
            done = subprocess.run(
                list(command), env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                stdout=open(stdout, "wb") if stdout else subprocess.DEVNULL,  # noqa: SIM115
                stderr=open(stderr, "wb") if stderr else subprocess.DEVNULL,  # noqa: SIM115
                timeout=timeout,
            )
            return Run(time.perf_counter() - began, 0, done.returncode)
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", LAUNCHER],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {
            "argv": [str(c) for c in command],
            "env": env,
            "stdout": str(stdout) if stdout else None,
            "stderr": str(stderr) if stderr else None,
            "cwd": str(cwd) if cwd else None,
            "timeout": timeout,
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise Failed(f"the launcher died running {_shown(command)}")
        seconds, rss, code = json.loads(answer)
        return Run(seconds, rss, code)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)
        self.process = None


LAUNCH = Launcher()


def spawn(
    command: Sequence[str],
    env: dict[str, str],
    *,
    stdout: Path | None = None,
    stderr: Path | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Run:
    """Run ``command`` once: wall time from spawn to exit, and its own peak RSS.

    A run killed at ``timeout`` seconds has the return code -9 (SIGKILL).
    """
    return LAUNCH.run(command, env, stdout, stderr, cwd, timeout)


def side_by_side(
    figure: Sequence[str],
    floor: Sequence[str],
    env: dict[str, str],
    repeat: int,
    *,
    warmup: bool = True,
    figure_env: dict[str, str] | None = None,
    figure_out: Path | None = None,
    floor_out: Path | None = None,
    expect: tuple[int, ...] = (0,),
) -> tuple[Series, Series]:
    """``repeat`` runs of each, interleaved (floor, figure, floor, ...), after one warm-up."""
    a, b = Series(list(figure)), Series(list(floor))
    for n in range(repeat + (1 if warmup else 0)):
        ran_floor = spawn(floor, env, stdout=floor_out)
        ran_figure = spawn(figure, figure_env or env, stdout=figure_out)
        for ran, series in ((ran_floor, b), (ran_figure, a)):
            if ran.returncode not in expect and series is a:
                raise Failed(f"{_shown(series.command)} exited {ran.returncode}")
            if ran.returncode != 0 and series is b:
                raise Failed(f"floor {_shown(series.command)} exited {ran.returncode}")
        if warmup and n == 0:
            continue
        a.runs.append(ran_figure)
        b.runs.append(ran_floor)
    return a, b


class Failed(Exception):
    pass


def _shown(command: Sequence[str]) -> str:
    parts = []
    root = str(HERE.parent) + os.sep
    for part in command:
        text = str(part)
        if text == sys.executable:
            text = "python"
        elif text == str(Path(sys.executable).with_name("screening")):
            text = "screening"
        elif text.startswith(root):
            text = text[len(root):]
        if len(text) > 120:
            text = text[:117] + "..."
        parts.append(text if re.fullmatch(r"[\w@%+=:,./-]+", text) else repr(text))
    return " ".join(parts)


# --- the environment ----------------------------------------------------------------------


def screening_command() -> list[str]:
    """The installed ``screening`` script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("screening")
    if script.exists():
        return [str(script)]
    found = shutil.which("screening")
    if found:
        return [found]
    return [sys.executable, "-m", "screening.cli.main"]


def child_env(cache: Path, home: Path, pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["SCREENING_CACHE_DIR"] = str(cache / "content-cache")
    for name in ("SCREENING_DB", "SCREENING_CONTENT", "PYTHONPROFILEIMPORTTIME", "PYTHONSTARTUP"):
        env.pop(name, None)
    # Settings and the default database stay out of the user's folders.
    env["XDG_DATA_HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home)
    env["APPDATA"] = str(home)
    env["COLUMNS"] = "100"
    return env


def machine() -> dict[str, Any]:
    memory = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    sqlite_cli = shutil.which("sqlite3")
    cli_version = None
    if sqlite_cli:
        try:
            cli_version = subprocess.run(
                [sqlite_cli, "-version"], capture_output=True, text=True, timeout=10
            ).stdout.split()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            cli_version = None
    import screening

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_bytes": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite_library": sqlite3.sqlite_version,
        "sqlite3_cli": cli_version,
        "screening": screening.__version__,
        "commit": _commit(),
    }


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(HERE), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, timeout=30,
    ).stdout.strip()
    return done.stdout.strip() + ("+changes" if dirty else "")


# --- the measurements ---------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    figure: Any = None
    floor: Any = None
    floor_label: str = ""
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""
    figure_text: str = ""
    floor_text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "figure": self.figure.as_dict() if isinstance(self.figure, Series) else self.figure,
            "floor": self.floor.as_dict() if isinstance(self.floor, Series) else self.floor,
            "floor_label": self.floor_label,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "target": self.target,
            "result": {True: "PASS", False: "MISS", None: "info"}[self.passed]
            if self.note != "not available yet"
            else "n/a",
            "note": self.note,
        }


def ratio_row(key: str, label: str, figure: Series, floor: Series, floor_label: str) -> Row:
    limit = TARGETS[key]
    ratio = figure.median / floor.median
    return Row(
        key,
        label,
        figure,
        floor,
        floor_label,
        ratio,
        f"≤ {limit:g}×",
        ratio <= limit,
        figure_text=_seconds(figure.median),
        floor_text=_seconds(floor.median),
    )


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def bench_help(screening: list[str], env: dict[str, str], repeat: int, warmup: bool) -> Row:
    figure, floor = side_by_side(
        [*screening, "--help"], [sys.executable, "-c", "import typer"], env, repeat,
        warmup=warmup,
    )
    return ratio_row("help", "`screening --help`", figure, floor, "`import typer`")


def first_question(content: Any) -> tuple[str, str, Any]:
    """(questionnaire, first question id, a valid answer) of the bundled departure script."""
    questionnaire = content.questionnaire("departure")
    from screening.interview.engine import Interview

    question = Interview(questionnaire).next_question()
    assert question is not None
    answer: Any = {
        "yes_no": "yes",
        "number": 30,
        "date": "1990-01-01",
        "text": "benchmark",
    }.get(question.type)
    if answer is None:
        answer = question.options[0].key
    return questionnaire.id, question.id, answer


def imported_libraries(
    command: list[str], env: dict[str, str], cwd: Path
) -> tuple[list[str], float]:
    """The third-party library modules ``command`` imports (``-X importtime``), and how long
    that run took."""
    if command[0] != sys.executable:
        command = [sys.executable, *command]  # the script, run by this interpreter
    began = time.perf_counter()
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        env=env, capture_output=True, text=True, cwd=cwd,
    )
    seconds = time.perf_counter() - began
    modules: list[str] = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+\s+\|\s+\d+\s+\|\s+(\S+)", line)
        if match and match[1].split(".")[0] in LIBRARIES and match[1] not in modules:
            modules.append(match[1])
    return modules, seconds


def bench_interview(
    screening: list[str], env: dict[str, str], repeat: int, warmup: bool, work: Path
) -> tuple[Row, Row, dict[str, Any]]:
    from screening.content.catalogue import load_catalogue

    questionnaire, qid, answer = first_question(load_catalogue())
    form = work / "one-answer.yaml"
    form.write_text(json.dumps({"answers": {qid: answer}}), "utf-8")  # JSON is YAML
    db = work / "interview.db"
    command = [
        *screening, "interview", "start", questionnaire, "--answers", str(form), "--db", str(db),
        "--officer", "bench", "--location", "bench",
    ]
    # A first run, under -X importtime, creates the database, warms the caches and shows
    # which library modules the path imports: the floor imports exactly those.
    modules, first_seconds = imported_libraries(command, env, work)
    roots = sorted({m.split(".")[0] for m in modules})
    floor_code = (
        "import importlib\n"
        f"for m in {modules!r}:\n"
        "    try: importlib.import_module(m)\n"
        "    except Exception: pass"
    )
    floor = [sys.executable, "-c", floor_code]
    figure, base = side_by_side(command, floor, env, repeat, warmup=warmup, expect=(3,))
    row = ratio_row(
        "interview_start",
        "`interview start` to the first answer saved",
        figure,
        base,
        f"import {', '.join(roots)} ({len(modules)} modules)",
    )
    # The same start right after a content edit: the parsed-content cache is cold. (A smoke
    # run takes the first run's time, which was cold, under -X importtime.)
    cold_runs = Series(command)
    if not warmup:
        cold_runs.runs.append(Run(first_seconds, 0, 3))
    for _ in range(max(1, (repeat + 1) // 2) if warmup else 0):
        cold_env = dict(env)
        cold = Path(tempfile.mkdtemp(dir=work, prefix="cold-"))
        cold_env["SCREENING_CACHE_DIR"] = str(cold)
        cold_runs.runs.append(spawn(command, cold_env))
        shutil.rmtree(cold, ignore_errors=True)
    cold_row = Row(
        "interview_start_cold",
        "the same, content cache cold (first start after a content edit)",
        cold_runs,
        base,
        row.floor_label,
        cold_runs.median / base.median,
        "info",
        None,
        figure_text=_seconds(cold_runs.median),
        floor_text=_seconds(base.median),
    )
    return row, cold_row, {"libraries": roots, "modules": modules, "form": {qid: answer}}


def bench_answers(count: int, work: Path) -> tuple[Row, Row]:
    """``count`` answers through ``Store.save_answer`` and as raw INSERT + COMMIT, interleaved."""
    from screening.records.store import Store

    # Both files sit in the cache folder: on the same disk, where fsync is real (not tmpfs).
    store_db, raw_db = work / "answers-store.db", work / "answers-raw.db"
    for path in (store_db, raw_db):
        _remove_db(path)
    stamp = datetime.now(UTC).strftime(seeder.STAMP)
    snapshot = {"questionnaire": "kind: questionnaire\n", "indicator_set": "kind: indicator_set\n"}

    def draft(store: Any) -> str:
        return store.create_record(
            questionnaire_id="bench", questionnaire_version="1", content_hash="bench-hash",
            snapshot=snapshot, officer="bench", location="bench", language="id",
            started_at=stamp,
        )

    store = Store(store_db)
    raw_owner = Store(raw_db)  # the same schema, written by the store
    raw_record = draft(raw_owner)
    raw_owner.close()
    raw = sqlite3.connect(raw_db, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute("PRAGMA foreign_keys = ON")
    per_record = 50  # about one interview's worth of answers per record
    store_times: list[float] = []
    raw_times: list[float] = []
    try:
        record = draft(store)
        for n in range(count):
            if n and n % per_record == 0:
                record = draft(store)
            qid = f"q{n % per_record:03d}"
            began = time.perf_counter()
            store.save_answer(record, qid, "yes", officer="bench", at=stamp)
            store_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(
                "INSERT INTO answers (record_id, question_id, value_json, officer, answered_at, "
                "seq) VALUES (?, ?, ?, ?, ?, ?)",
                [raw_record, f"q{n:06d}", '"yes"', "bench", stamp, n + 1],
            )
            raw.execute("COMMIT")
            raw_times.append(time.perf_counter() - began)
    finally:
        store.close()
        raw.close()
    for path in (store_db, raw_db):
        _remove_db(path)
    rows = []
    for key, q in (("answer_commit_p50", 50), ("answer_commit_p99", 99)):
        ours, floor = _percentile(store_times, q), _percentile(raw_times, q)
        limit = TARGETS[key]
        rows.append(
            Row(
                key,
                f"one answer committed, p{q} of {count}",
                {"seconds": ours, "count": count},
                {"seconds": floor, "count": count},
                "raw `INSERT` + `COMMIT` (WAL, synchronous=FULL)",
                ours / floor,
                f"≤ {limit:g}×",
                ours / floor <= limit,
                figure_text=f"{ours * 1000:.2f} ms",
                floor_text=f"{floor * 1000:.2f} ms",
            )
        )
    return rows[0], rows[1]


def _percentile(values: list[float], q: int) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def bench_validate(screening: list[str], env: dict[str, str], repeat: int, warmup: bool) -> Row:
    from screening.content.catalogue import bundled_root, discover

    root = bundled_root()
    files = [str(p) for p, _ in discover([root / "indicators", root / "questionnaires"])[0]]
    floor_code = (
        "import yaml, pydantic\n"
        f"for f in {files!r}:\n"
        "    with open(f, encoding='utf-8') as h: yaml.safe_load(h)"
    )
    figure, floor = side_by_side(
        [*screening, "validate"], [sys.executable, "-c", floor_code], env, repeat, warmup=warmup
    )
    return ratio_row(
        "validate",
        f"`screening validate` ({len(files)} bundled files)",
        figure,
        floor,
        "`import yaml, pydantic` + `yaml.safe_load` of the files",
    )


def bench_validate_cold(
    screening: list[str], env: dict[str, str], repeat: int, warmup: bool, work: Path
) -> Row:
    """``screening validate`` right after a supervisor edits a script: a copy of the bundled
    content whose departure script gets a new comment line before every run, so its
    parse-cache entry is invalid while the other files' are warm. The floor is the warm
    row's (importing yaml and pydantic, ``yaml.safe_load`` of the bundled files)."""
    from screening.content.catalogue import bundled_root, content_paths, discover

    root = bundled_root()
    # the warm row's floor, exactly (its files: the indicators and questionnaires)
    files = [str(p) for p, _ in discover([root / "indicators", root / "questionnaires"])[0]]
    content = work / "edited-content"
    shutil.rmtree(content, ignore_errors=True)
    for folder in content_paths(root):
        shutil.copytree(folder, content / folder.name)
    edited = content / "questionnaires" / "departure.yaml"
    original = edited.read_text("utf-8")
    floor_code = (
        "import yaml, pydantic\n"
        f"for f in {files!r}:\n"
        "    with open(f, encoding='utf-8') as h: yaml.safe_load(h)"
    )
    command = [*screening, "validate", "--content", str(content)]
    floor_command = [sys.executable, "-c", floor_code]
    figure, floor = Series(command), Series(floor_command)
    spawn(command, env)  # the other files' entries: warm, as on a supervisor's laptop
    for n in range(repeat + (1 if warmup else 0)):
        edited.write_text(f"{original}\n# edit {n} {time.time_ns()}\n", "utf-8")
        ran_floor = spawn(floor_command, env)
        ran_figure = spawn(command, env)
        if ran_figure.returncode != 0 or ran_floor.returncode != 0:
            raise Failed(f"{_shown(command)} exited {ran_figure.returncode}")
        if warmup and n == 0:
            continue
        figure.runs.append(ran_figure)
        floor.runs.append(ran_floor)
    shutil.rmtree(content, ignore_errors=True)
    return ratio_row(
        "validate_cold",
        "the same right after an edit (the edited script's cache entry invalid, the "
        "others warm)",
        figure,
        floor,
        "the same floor",
    )


def seeded_db(records: int, cache: Path, quick: bool) -> tuple[Path, dict[str, Any]]:
    """A database of ``records`` records: the cached one when it matches, else seeded now."""
    from screening.records.database import SCHEMA_VERSION

    db = cache / f"records-{records}.db"
    facts_file = cache / f"records-{records}.json"
    wanted = {"records": records, "seed_version": seeder.SEED_VERSION,
              "schema_version": SCHEMA_VERSION}
    if db.exists() and facts_file.exists():
        try:
            facts = json.loads(facts_file.read_text("utf-8"))
        except (OSError, ValueError):
            facts = {}
        if all(facts.get(k) == v for k, v in wanted.items()):
            return db, {**facts, "reused": True}
    _remove_db(db)
    facts_file.unlink(missing_ok=True)
    print(f"seeding {records:,} records into {db} ...", file=sys.stderr)
    facts = seeder.seed(
        db, records, templates=24 if quick else seeder.TEMPLATES, progress=not quick
    )
    facts["schema_version"] = SCHEMA_VERSION
    facts_file.write_text(json.dumps(facts, indent=2), "utf-8")
    return db, {**facts, "reused": False}


def sqlite_floor(db: Path, sql: str, mode: str) -> tuple[list[str], str]:
    """The ``sqlite3`` program running ``sql`` in ``mode`` (json, csv), or a python stand-in."""
    cli = shutil.which("sqlite3")
    if cli:
        flags = ["-json"] if mode == "json" else ["-csv", "-header"]
        return [cli, "-readonly", *flags, str(db), sql], "`sqlite3`"
    # No sqlite3 program: the sqlite3 module, printing the rows the same way.
    code = (
        "import sqlite3, sys, json, csv\n"
        f"c = sqlite3.connect({str(db)!r}); cur = c.execute({sql!r})\n"
        "names = [d[0] for d in cur.description]\n"
        f"if {mode!r} == 'json':\n"
        "    json.dump([dict(zip(names, r)) for r in cur], sys.stdout)\n"
        "else:\n"
        "    w = csv.writer(sys.stdout); w.writerow(names); w.writerows(cur)\n"
    )
    return [sys.executable, "-c", code], "python `sqlite3` module (no sqlite3 program found)"


def bench_list(
    screening: list[str], env: dict[str, str], repeat: int, warmup: bool, db: Path,
    facts: dict[str, Any], work: Path,
) -> Row:
    anchor = datetime.strptime(facts["anchor"], seeder.STAMP).replace(tzinfo=UTC)
    since = (anchor - timedelta(days=30)).date().isoformat()
    figure_out, floor_out = work / "list-screening.json", work / "list-floor.json"
    sql = (
        f"SELECT {', '.join('r.' + c for c in LIST_COLUMNS)}, "
        "(SELECT COUNT(*) FROM answers a WHERE a.record_id = r.id) AS answered "
        f"FROM records r WHERE r.level = 'high' AND r.started_at >= '{since}' "
        "ORDER BY r.started_at DESC, r.id DESC"
    )
    floor_cmd, floor_label = sqlite_floor(db, sql, "json")
    figure, floor = side_by_side(
        [*screening, "records", "list", "--level", "high", "--since", since, "--format", "json",
         "--db", str(db)],
        floor_cmd, env, repeat, warmup=warmup, figure_out=figure_out, floor_out=floor_out,
    )
    ours = len(json.loads(figure_out.read_text("utf-8") or "[]"))
    theirs = len(json.loads(floor_out.read_text("utf-8") or "[]"))
    row = ratio_row(
        "records_list",
        f"`records list --level high --since {since} --format json` ({ours:,} rows)",
        figure, floor, f"the same query in {floor_label}",
    )
    row.figure = {**figure.as_dict(), "rows": ours}
    row.floor = {**floor.as_dict(), "rows": theirs, "sql": sql}
    if ours != theirs:
        row.note = f"row counts differ: screening {ours}, floor {theirs}"
    for path in (figure_out, floor_out):
        path.unlink(missing_ok=True)
    return row


def _inline(sql: str, params: Sequence[object]) -> str:
    """A query with its ``?`` parameters written in, for the ``sqlite3`` program."""
    values = iter(params)

    def literal(_: re.Match[str]) -> str:
        value = next(values)
        if isinstance(value, int | float):
            return str(value)
        return "'" + str(value).replace("'", "''") + "'"

    return re.sub(r"\?", literal, sql)


def bench_report(
    screening: list[str], env: dict[str, str], repeat: int, warmup: bool, db: Path,
    facts: dict[str, Any], work: Path,
) -> tuple[Row, Row]:
    """``screening report --format json`` over the month before the seed's last one, beside
    every aggregate query it runs, in one ``sqlite3`` program run."""
    from datetime import date

    from screening.content.catalogue import load_catalogue
    from screening.report.figures import report_plan
    from screening.report.period import resolve_period

    anchor = datetime.strptime(facts["anchor"], seeder.STAMP).replace(tzinfo=UTC).date()
    period = resolve_period(None, None, date(anchor.year, anchor.month, anchor.day))
    plan = report_plan(period, load_catalogue(None))
    sql = ";\n".join(_inline(q, p) for q, p in plan.values()) + ";"
    floor_cmd, floor_label = sqlite_floor(db, sql, "json")
    figure_out, floor_out = work / "report.json", work / "report-floor.json"
    figure, floor = side_by_side(
        [*screening, "report", "--format", "json", "--since", period.since.isoformat(),
         "--until", period.until.isoformat(), "--db", str(db)],
        floor_cmd, env, repeat, warmup=warmup, figure_out=figure_out, floor_out=floor_out,
    )
    data = json.loads(figure_out.read_text("utf-8"))
    total = data["tables"]["screenings_by_period"]["total"]
    row = ratio_row(
        "report",
        f"`report --format json`, {period.since:%B %Y} ({total:,} screenings, "
        f"{len(plan)} aggregate queries)",
        figure, floor, f"the same {len(plan)} queries in {floor_label}",
    )
    row.figure = {**figure.as_dict(), "screenings": total}
    row.floor = {**floor.as_dict(), "sql": sql}
    peak = figure.max_rss
    memory = Row(
        "report_memory", "peak memory (RSS) of that report", {"max_rss_bytes": peak},
        {"max_rss_bytes": floor.max_rss}, "`sqlite3` for the same queries", None, "< 150 MB",
        peak < EXPORT_MEMORY_LIMIT, "",
        figure_text=f"{peak / 2**20:.0f} MB", floor_text=f"{floor.max_rss / 2**20:.0f} MB",
    )
    for path in (figure_out, floor_out):
        path.unlink(missing_ok=True)
    return row, memory


def export_available(screening: list[str], env: dict[str, str]) -> bool:
    done = subprocess.run(
        [*screening, "records", "export", "--help"], env=env, capture_output=True, text=True
    )
    return done.returncode == 0


def bench_export(
    screening: list[str], env: dict[str, str], repeat: int, warmup: bool, db: Path, work: Path,
    timeout: float, records: int,
) -> tuple[Row, Row]:
    label = "`records export --format csv` (all records)"
    target = f"≤ {TARGETS['records_export']:g}×"
    if not export_available(screening, env):
        return (
            Row("records_export", label, None, None, "`sqlite3 -csv` of the same columns",
                None, target, None, "not available yet"),
            Row("export_memory", "peak memory (RSS) of that export", None, None, "", None,
                "< 150 MB", None, "not available yet"),
        )
    figure_out, floor_out = work / "export-screening.csv", work / "export-floor.csv"
    errors = work / "export.err"
    command = [*screening, "records", "export", "--format", "csv", "--db", str(db)]
    # The first run warms up, and its header names the columns the floor selects.
    first = spawn(command, env, stdout=figure_out, stderr=errors, timeout=timeout)
    with figure_out.open(encoding="utf-8", newline="") as handle:
        header = handle.readline().strip().split(",")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    have = {row[1] for row in con.execute("PRAGMA table_info(records)")}
    con.close()
    # The export's columns are mostly answers (one per question and option): the floor
    # reads the same data, the record columns the export has and every answer of each record.
    columns = [c for c in header if c in have]
    sql = (
        f"SELECT {', '.join('r.' + c for c in columns) or 'r.*'}, "
        "(SELECT group_concat(a.question_id || '=' || a.value_json, ';') FROM answers a "
        "WHERE a.record_id = r.id) AS answers "
        "FROM records r ORDER BY r.started_at DESC, r.id DESC"
    )
    floor_cmd, floor_label = sqlite_floor(db, sql, "csv")
    floor_label = (
        f"{floor_label} `-csv`: the same record columns ({len(columns)} of the export's "
        f"{len(header)}) and all answers of each record"
    )
    figure, floor = Series(command), Series(floor_cmd)
    timed_out = first.returncode == -signal.SIGKILL
    if first.returncode not in (0, -signal.SIGKILL):
        problem = errors.read_text("utf-8", "replace").strip().splitlines()
        note = f"export failed (exit {first.returncode}): {problem[-1] if problem else ''}"
        return (
            Row("records_export", label, None, None, floor_label, None, target, False, note),
            Row("export_memory", "peak memory (RSS) of that export", None, None, "", None,
                "< 150 MB", False, note),
        )
    written = max(0, _lines(figure_out) - 1)
    first_bytes = figure_out.stat().st_size
    if not warmup and not timed_out:
        figure.runs.append(first)  # a smoke run: the first run counts
    for n in range(repeat):
        floor.runs.append(spawn(floor_cmd, env, stdout=floor_out))
        if not timed_out and (warmup or n > 0):
            figure.runs.append(spawn(command, env, stdout=figure_out, timeout=timeout))
            timed_out = figure.runs[-1].returncode == -signal.SIGKILL
    lines_floor = _lines(floor_out)
    note = ""
    if timed_out:
        # Killed at the timeout: judge the rate it reached, extrapolated to every record.
        rate = written / first.seconds if first.seconds else 0.0
        estimate = records / rate if rate else float("inf")
        figure_median = estimate
        note = (f"killed after {first.seconds:.0f} s (--export-timeout) having written "
                f"{written:,} of {records:,} records ({rate:,.0f} records/s); the time shown "
                "is extrapolated")
        figure_text = f"~{_seconds(estimate)} (extrapolated)"
        peak = first.max_rss
    else:
        figure_median = figure.median
        figure_text = _seconds(figure_median)
        peak = max(figure.max_rss, first.max_rss)
        lines_ours = _lines(figure_out)
        if lines_ours != lines_floor:
            note = f"line counts differ: screening {lines_ours:,}, floor {lines_floor:,}"
    ratio = figure_median / floor.median
    row = Row(
        "records_export", label,
        {**figure.as_dict(), "first_run_s": round(first.seconds, 3), "header": header,
         "records_written_first_run": written, "bytes_first_run": first_bytes,
         "timed_out": timed_out, "estimate_s": round(figure_median, 3)} if figure.runs else
        {"command": _shown(command), "first_run_s": round(first.seconds, 3), "header": header,
         "records_written_first_run": written, "timed_out": timed_out,
         "estimate_s": round(figure_median, 3), "max_rss_bytes": first.max_rss},
        {**floor.as_dict(), "lines": lines_floor, "sql": sql},
        floor_label, ratio, target, ratio <= TARGETS["records_export"], note,
        figure_text=figure_text, floor_text=_seconds(floor.median),
    )
    memory = Row(
        "export_memory",
        "peak memory (RSS) of that export",
        {"max_rss_bytes": peak},
        {"max_rss_bytes": floor.max_rss},
        "`sqlite3` for the same rows",
        None,
        "< 150 MB",
        peak < EXPORT_MEMORY_LIMIT,
        "measured until the kill" if timed_out else "",
        figure_text=f"{peak / 2**20:.0f} MB",
        floor_text=f"{floor.max_rss / 2**20:.0f} MB",
    )
    for path in (figure_out, floor_out, errors):
        path.unlink(missing_ok=True)
    return row, memory


def _lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


# --- output -------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        "| measurement | screening | floor | ratio | target | result |",
        "|---|---:|---|---:|---:|:---:|",
    ]
    for row in rows:
        result = row.as_dict()["result"]
        floor = f"{row.floor_text} ({row.floor_label})" if row.floor_text else row.floor_label
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}×"
        shown = row.figure_text or row.note
        lines.append(
            f"| {row.label} | {shown} | {floor} | {ratio} | {row.target} | {result} |"
        )
    notes = [f"- {row.key}: {row.note}" for row in rows if row.note and row.figure_text]
    return "\n".join(lines + ([""] + notes if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark screening against the floor of its libraries, side by side."
    )
    parser.add_argument("--records", type=int, default=1_000_000,
                        help="Records in the seeded database (default 1,000,000).")
    parser.add_argument("--repeat", type=int, default=5, help="Runs per figure (median).")
    parser.add_argument("--answers", type=int, default=500,
                        help="Answers committed for the p50/p99 (default 500).")
    parser.add_argument("--out", type=Path, default=HERE / "results.json",
                        help="Write the results as JSON here.")
    parser.add_argument("--cache-dir", type=Path, default=HERE / ".cache",
                        help="Seeded databases, bytecode and content caches.")
    parser.add_argument("--pycache", type=Path,
                        help="Bytecode cache of the children (default: CACHE_DIR/pycache).")
    parser.add_argument("--quick", action="store_true",
                        help="A smoke run: no warm-up runs, 20 answers, few templates.")
    parser.add_argument("--export-timeout", type=float, default=900,
                        help="Kill an export run after this many seconds and extrapolate "
                        "(default 900).")
    parser.add_argument("--export-repeat", type=int,
                        help="Runs of the export and its floor (default: --repeat); an export "
                        "of a million records takes minutes.")
    parser.add_argument("--src", type=Path,
                        help="Run another source tree (PYTHONPATH), e.g. to measure a patch.")
    parser.add_argument("--only", nargs="*", default=None,
                        choices=["help", "interview", "answers", "validate", "list", "export",
                                 "report"],
                        help="Run only these measurements.")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.records < 1 or args.answers < 1:
        parser.error("--repeat, --records and --answers must be at least 1")
    answers = 20 if args.quick else max(args.answers, 1)
    warmup = not args.quick
    cache = args.cache_dir.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=cache, prefix="run-"))
    env = child_env(cache, work / "home", (args.pycache or cache / "pycache").resolve())
    if args.src is not None:
        src = str(args.src.resolve())
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        sys.path.insert(0, src)
    (work / "home").mkdir()
    screening = screening_command()
    wanted = set(args.only or ["help", "interview", "answers", "validate", "list", "export",
                               "report"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    info = machine()
    print(
        f"{info['date']} · {info['nproc']} CPU ({info['cpu']}) · "
        f"{(info['memory_bytes'] or 0) / 2**30:.1f} GiB · Python {info['python']} · "
        f"SQLite {info['sqlite_library']}",
        file=sys.stderr,
    )
    rows: list[Row] = []
    extra: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], None]]] = []

    def step_help() -> None:
        rows.append(bench_help(screening, env, args.repeat, warmup))

    def step_interview() -> None:
        row, cold, extra["interview"] = bench_interview(
            screening, env, args.repeat, warmup, work
        )
        rows.extend([row, cold])

    def step_answers() -> None:
        rows.extend(bench_answers(answers, work))

    def step_validate() -> None:
        rows.append(bench_validate(screening, env, args.repeat, warmup))
        rows.append(bench_validate_cold(screening, env, args.repeat, warmup, work))

    def step_records() -> None:
        db, facts = seeded_db(args.records, cache, args.quick)
        shown = db.relative_to(HERE.parent) if db.is_relative_to(HERE.parent) else db
        extra["database"] = {**facts, "path": str(shown), "bytes": db.stat().st_size}
        if "list" in wanted:
            rows.append(bench_list(screening, env, args.repeat, warmup, db, facts, work))
        if "report" in wanted:
            rows.extend(bench_report(screening, env, args.repeat, warmup, db, facts, work))
        if "export" in wanted:
            rows.extend(
                bench_export(screening, env, args.export_repeat or args.repeat, warmup, db, work,
                             args.export_timeout,
                             facts.get("records_in_file", args.records))
            )

    steps = [("help", step_help), ("interview", step_interview), ("answers", step_answers),
             ("validate", step_validate)]
    try:
        for name, step in steps:
            if name in wanted:
                print(f"measuring {name} ...", file=sys.stderr)
                step()
        if wanted & {"list", "export", "report"}:
            print("measuring records list / report / export ...", file=sys.stderr)
            step_records()
    except Failed as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        LAUNCH.close()
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "machine": info,
        "settings": {
            "records": args.records,
            "repeat": args.repeat,
            "answers": answers,
            "quick": args.quick,
            "warmup": warmup,
            "export_repeat": args.export_repeat or args.repeat,
            "export_timeout_s": args.export_timeout,
            "src": str(args.src) if args.src else None,
            "screening": _shown(screening),
            "targets": {**TARGETS, "export_memory_bytes": EXPORT_MEMORY_LIMIT},
        },
        "rows": {row.key: row.as_dict() for row in rows},
        **extra,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(table(rows))
    print(f"\nwritten: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
