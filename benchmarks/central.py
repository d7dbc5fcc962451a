"""Many laptops, one office, measured: N simulated laptops push M records each at once into one
PostgreSQL server; then `records list` and `records export` on that central database beside
the floor of the same SQL in `psql`.

    python benchmarks/central.py [--laptops 20] [--records 5000] [--events-per-record 10]

Each laptop is a records database seeded by ``seed.py`` (realistic records through the
store's schema), given a trail as a database upgraded from before the trail existed gets one
(a ``baseline`` event per record, with its digests), plus ``--events-per-record`` hash-chained
``view`` events per record: a real laptop writes one event per answer (about 60 a record).
The server is a throwaway one (``tests/_postgres.py``). Prints a table and writes
``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))


def make_laptop(path: Path, records: int, seed_value: int, views: int) -> dict[str, Any]:
    from seed import seed

    from screening.records.store import Store
    from screening.records.trail import event_hash

    seed(path, records, seed_value=seed_value, templates=60)
    with Store(path) as store:
        with store._write("give the seeded records a trail"):
            # As schema 2 did for records older than the trail: a trail key and a baseline.
            at = "2026-11-29T09:00:00.000000Z"
            for (rid,) in store._db.execute(
                "SELECT id FROM records WHERE trail_key IS NULL ORDER BY id"
            ).fetchall():
                store._db.execute("UPDATE records SET trail_key = ? WHERE id = ?",
                                  [secrets.token_hex(32), rid])
                store._record_event(rid, "baseline", "", at, {"reason": "seeded"}, full=True)
        conn = store._connection()
        with store._guard("add view events"):
            conn.execute("BEGIN IMMEDIATE")
            last_id, last_hash = conn.execute(
                "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"
            ).fetchone()
            ids = [r for (r,) in conn.execute("SELECT id FROM records ORDER BY started_at, id")]
            rows = []
            for rid in ids:
                for n in range(views):
                    last_id += 1
                    at = f"2026-11-29T10:00:{n % 60:02d}.000000Z"
                    digest = event_hash(last_hash, last_id, rid, "view", "petugas", at, None, None)
                    rows.append((last_id, rid, "view", "petugas", at, None, None, last_hash,
                                 digest))
                    last_hash = digest
            conn.executemany(
                "INSERT INTO events (id, record_id, kind, officer, at, detail_json, digest_json, "
                "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute("COMMIT")
        completed = conn.execute(
            "SELECT count(*) FROM records WHERE status = 'completed'"
        ).fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return {"completed": completed, "events": events}


def clone_laptop(template: Path, path: Path, n: int) -> dict[str, Any]:
    """Another laptop from the template: its own device id, its own record ids (a suffix
    ``-LNNN``) and its trail re-chained over them. Seeding each laptop anew takes minutes;
    this takes seconds. (The digests inside events still name the template's rows: fine for
    pushing, which checks the chain; ``records verify`` would name them.)"""
    import sqlite3
    import uuid

    from screening.records.trail import GENESIS, event_hash

    shutil.copy(template, path)
    suffix = f"-L{n:03d}"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'device_id'", [str(uuid.uuid4())])
        for table, column in (("records", "id"), ("answers", "record_id"),
                              ("history", "record_id"), ("notes", "record_id")):
            conn.execute(f"UPDATE {table} SET {column} = {column} || ?", [suffix])
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        rows = conn.execute(
            "SELECT id, record_id, kind, officer, at, detail_json, digest_json FROM events "
            "ORDER BY id"
        ).fetchall()
        conn.execute("DELETE FROM events")
        prev = GENESIS
        fresh = []
        for event_id, record_id, kind, officer, at, detail, digest in rows:
            record_id = None if record_id is None else record_id + suffix
            digest_hash = event_hash(prev, event_id, record_id, kind, officer, at, detail, digest)
            fresh.append((event_id, record_id, kind, officer, at, detail, digest, prev,
                          digest_hash))
            prev = digest_hash
        conn.executemany(
            "INSERT INTO events (id, record_id, kind, officer, at, detail_json, digest_json, "
            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            fresh,
        )
        for _, sql in triggers:  # append-only again
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {"completed": None, "events": len(fresh)}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of one run of ``command``, its output thrown away."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return seconds, usage.ru_maxrss // 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--laptops", type=int, default=20)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--events-per-record", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3, help="Runs of each read figure.")
    parser.add_argument("--out", type=Path, default=HERE / "central-results.json")
    args = parser.parse_args(argv)

    from _postgres import Server

    work = Path(tempfile.mkdtemp(prefix="screening-central-bench-"))
    server = Server()
    results: dict[str, Any] = {"laptops": args.laptops, "records_per_laptop": args.records}
    try:
        env = {**os.environ, "SCREENING_SETTINGS": str(work / "settings.json"),
               "SCREENING_CENTRAL_URL": "", "SCREENING_DB": ""}
        cli = [sys.executable, "-m", "screening.cli.main"]
        began = time.perf_counter()
        laptops = []
        template = work / "template.db"
        made = make_laptop(template, args.records, 100, args.events_per_record)
        for n in range(args.laptops):
            path = work / f"laptop-{n:02d}.db"
            facts = clone_laptop(template, path, n)
            facts["completed"] = made["completed"]
            laptops.append((path, facts))
            print(f"laptop {n}: {facts}", file=sys.stderr)
        results["seeding_s"] = round(time.perf_counter() - began, 1)
        url = server.url(server.new_database())
        subprocess.run([*cli, "central", "init", url], env=env, check=True, capture_output=True)

        # All laptops at once.
        began = time.perf_counter()
        pushes = [
            subprocess.Popen([*cli, "sync", "push", "--db", str(path), "--to", url, "--format",
                              "json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for path, _ in laptops
        ]
        outcomes = []
        for process in pushes:
            out, err = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"a push failed: {err.decode()[-2000:]}")
            outcomes.append(json.loads(out))
        seconds = time.perf_counter() - began
        sent = sum(o["added"] for o in outcomes)
        events = sum(o["events"] for o in outcomes)
        import psycopg

        with psycopg.connect(url) as conn:
            held = conn.execute("SELECT count(*), count(DISTINCT id) FROM screening.records"
                                ).fetchone()
            held_events = conn.execute("SELECT count(*) FROM screening.events").fetchone()[0]
        expected = sum(f["completed"] for _, f in laptops)
        expected_events = sum(f["events"] for _, f in laptops)
        results["push"] = {
            "seconds": round(seconds, 1),
            "records": sent,
            "events": events,
            "records_per_s": round(sent / seconds),
            "events_per_s": round(events / seconds),
            "central_records": held[0],
            "distinct_ids": held[1],
            "expected_records": expected,
            "expected_events": expected_events,
            "central_events": held_events,
            "nothing_lost_or_doubled": held[0] == held[1] == expected
            and held_events == expected_events,
        }
        # Again: everything is there, nothing is sent.
        began = time.perf_counter()
        again = subprocess.run([*cli, "sync", "push", "--db", str(laptops[0][0]), "--to", url,
                                "--format", "json"], env=env, capture_output=True, check=True)
        results["repush_one_laptop_s"] = round(time.perf_counter() - began, 2)
        results["repush"] = json.loads(again.stdout)

        # Reads at the centre beside the floor of the same SQL in psql.
        psql = [str(server.bindir / "psql"), url, "-X", "-q", "-t", "-A"]
        listing = ("SELECT json_agg(x) FROM (SELECT id, status, outcome, questionnaire, level, "
                   "officer, location, language, started_at, completed_at, answered FROM "
                   "screening.records r WHERE level = 'high' ORDER BY started_at DESC, id DESC) x")
        export_floor = ("COPY (SELECT id, status, questionnaire, level, officer, location, "
                        "started_at, completed_at, body->'answers' FROM screening.records "
                        "ORDER BY started_at DESC, id DESC) TO STDOUT WITH CSV HEADER")
        figures = {
            "list --level high --format json": (
                [*cli, "records", "list", "--db", url, "--level", "high", "--format", "json"],
                [*psql, "-c", listing],
            ),
            "export --format csv": (
                [*cli, "records", "export", "--db", url, "--format", "csv"],
                [*psql, "-c", export_floor],
            ),
        }
        reads = {}
        for name, (ours, floor) in figures.items():
            mine = [timed(ours, env) for _ in range(args.runs)]
            base = [timed(floor, env) for _ in range(args.runs)]
            ours_s = statistics.median(m[0] for m in mine)
            floor_s = statistics.median(b[0] for b in base)
            reads[name] = {
                "screening_s": round(ours_s, 2),
                "psql_s": round(floor_s, 2),
                "ratio": round(ours_s / floor_s, 2),
                "peak_mb": max(m[1] for m in mine),
            }
            print(f"{name}: {reads[name]}", file=sys.stderr)
        results["reads"] = reads
        results["central_records"] = held[0]
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
