"""Many laptops, one office, measured: N simulated laptops push M records each at once into one
PostgreSQL server; then `records list`, `records export` and `report` on that central database
beside the floor of the same SQL in `psql`, run alternately in the same session.

    python benchmarks/central.py [--laptops 20] [--records 5000] [--events-per-record 10]
    python benchmarks/central.py --laptops 4 --events-per-record 0 \
        --central-records 1000000 --runs 1          # a national year at the centre

Each laptop is a records database seeded by ``seed.py`` (realistic records through the
store's schema), given a trail as a database upgraded from before the trail existed gets one
(a ``baseline`` event per record, with its digests), plus ``--events-per-record`` hash-chained
``view`` events per record: a real laptop writes one event per answer (about 60 a record).
With ``--central-records``, the pushed devices are then copied server-side as new devices
until the centre holds that many records (``replicate``: pushing a million takes about half
an hour here). The server is a throwaway one (``tests/_postgres.py``); ``--keep`` leaves it
running for later ``--url`` runs. Prints a table and writes ``--out`` (JSON), with the load
average before each run (the machine is shared).
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


def replicate(url: str, target: int) -> dict[str, Any]:
    """Grow the central database to ``target`` records without pushing them one by one (a
    million pushed takes about half an hour here): the pushed devices are copied server-side
    as new devices until there are ``target`` records. Each copy gets a fresh device id, fresh
    record ids (the original's and ``-RNNNN``) inside its body too, a version hashed from its
    new body, and its own audit trail: the original device's events with the new record ids,
    re-chained in Python with the laptop's own ``event_hash`` and loaded with ``COPY`` (the
    centre's chain trigger accepts each one). As with ``clone_laptop``, the state digests
    inside the copied events still describe the original rows."""
    import psycopg

    from screening.records.trail import GENESIS, event_hash

    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        held = conn.execute("SELECT count(*) FROM screening.records").fetchone()[0]
        devices = [d for (d,) in conn.execute(
            "SELECT device_id FROM screening.records GROUP BY 1 ORDER BY 1")]
        copies = 0
        while held < target:
            for device in devices:
                if held >= target:
                    break
                copies += 1
                suffix = f"-R{copies:04d}"
                fresh = conn.execute("SELECT md5(%s || %s)::uuid::text",
                                     [device, suffix]).fetchone()[0]
                with conn.transaction():
                    added = conn.execute(
                        """INSERT INTO screening.records (id, device_id, office, version,
                            questionnaire, status, outcome, officer, location, language,
                            started_at, completed_at, level, erased_at, content_hash,
                            consent_share, sealed_for, answered, trail_event, body)
                        SELECT n.id, %(fresh)s, office,
                            encode(sha256(convert_to(n.body::text, 'UTF8')), 'hex'),
                            questionnaire, status, outcome, officer, location, language,
                            started_at, completed_at, level, erased_at, content_hash,
                            consent_share, sealed_for, answered, trail_event, n.body
                        FROM screening.records r,
                        LATERAL (SELECT r.id || %(suffix)s AS id) i,
                        LATERAL (SELECT i.id, jsonb_set(r.body, '{row,id}', to_jsonb(i.id))
                                 AS body) n
                        WHERE r.device_id = %(device)s
                        ORDER BY r.started_at, r.id LIMIT %(room)s""",
                        {"fresh": fresh, "suffix": suffix, "device": device,
                         "room": target - held},
                    ).rowcount
                    prev, rows = GENESIS, []
                    # The whole trail, as a laptop's names its drafts (never pushed) too.
                    for (event_id, record_id, kind, officer, at, detail, digest) in conn.execute(
                        "SELECT id, record_id, kind, officer, at, detail_json, digest_json "
                        "FROM screening.events WHERE device_id = %s ORDER BY id", [device]):
                        record_id = None if record_id is None else record_id + suffix
                        digest_hash = event_hash(prev, event_id, record_id, kind, officer, at,
                                                 detail, digest)
                        rows.append((fresh, event_id, record_id, kind, officer, at, detail,
                                     digest, prev, digest_hash))
                        prev = digest_hash
                    with conn.cursor().copy(
                        "COPY screening.events (device_id, id, record_id, kind, officer, at, "
                        "detail_json, digest_json, prev_hash, hash) FROM STDIN"
                    ) as copy:
                        for row in rows:
                            copy.write_row(row)
                    conn.execute(
                        "INSERT INTO screening.pushes (device_id, office, via, events, added, "
                        "updated, same, refused) VALUES (%s, NULL, 'replicated', %s, %s, 0, 0, "
                        "0)", [fresh, len(rows), added])
                held += added
                print(f"replicated {device} as {fresh}: {held:,} records", file=sys.stderr)
        conn.execute("VACUUM ANALYZE screening.records")
        conn.execute("VACUUM ANALYZE screening.events")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))"
                            ).fetchone()[0]
    return {"records": held, "copies": copies, "seconds": round(time.perf_counter() - began),
            "database_size": size}


def report_floor(url: str, work: Path, since: str, until: str) -> Path:
    """The report's queries at the centre (the ones ``screening report`` runs) as one psql
    script, parameters inlined: the floor of the report."""
    from datetime import date

    import psycopg

    from screening.central import aggregates
    from screening.content.catalogue import load_catalogue
    from screening.records.aggregates import Scope
    from screening.report.figures import report_plan
    from screening.report.period import resolve_period

    period = resolve_period(date.fromisoformat(since), date.fromisoformat(until), date.today())
    plan = report_plan(period, load_catalogue(None), sql=aggregates)
    scope = Scope(since, until)
    plan["flags"] = aggregates.flags_query(scope)
    plan["alerts"] = aggregates.alerts_query(scope)
    plan.update(aggregates.referral_queries(scope, "2026-11-29T00:00:00Z"))
    script = ["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"]
    with psycopg.connect(url) as conn:
        cursor = psycopg.ClientCursor(conn)
        script += [cursor.mogrify(sql, params) + ";" for sql, params in plan.values()]
    script.append("COMMIT;")
    path = work / "report-floor.sql"
    path.write_text("\n".join(script) + "\n")
    return path


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of one run of ``command``, its output thrown away. The peak
    is GNU time's (``%M``): a child's own ``ru_maxrss`` would start from this process's size,
    which it had before it became the command."""
    measure = Path(tempfile.mkstemp(prefix="screening-bench-rss-")[1])
    began = time.perf_counter()
    process = subprocess.run(["/usr/bin/time", "-o", str(measure), "-f", "%M", *command],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - began
    peak = measure.read_text().strip().splitlines()
    measure.unlink()
    if process.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {process.stderr.decode()[-2000:]}")
    return seconds, int(peak[-1]) // 1024


def push_laptops(args: argparse.Namespace, work: Path, url: str, env: dict[str, str],
                 cli: list[str]) -> dict[str, Any]:
    """Seed the laptops, push them all at once, push one again: the push figures."""
    results: dict[str, Any] = {}
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
    for path, _ in laptops:
        path.unlink()
    return results


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), as ``uptime`` shows them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def reads(url: str, bindir: Path, work: Path, env: dict[str, str], cli: list[str],
          runs: int, heavy_runs: int, since: str, until: str) -> dict[str, Any]:
    """Reads at the centre beside the floor of the same SQL in psql, run alternately."""
    psql = [str(bindir / "psql"), url, "-X", "-q", "-t", "-A"]
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
        f"report --since {since} --until {until} --format json": (
            [*cli, "report", "--db", url, "--since", since, "--until", until, "--format",
             "json"],
            [*psql, "-f", str(report_floor(url, work, since, until))],
        ),
    }
    found = {}
    for name, (ours, floor) in figures.items():
        mine, base, loads = [], [], []
        for _ in range(runs if name.startswith("list") else heavy_runs):
            loads.append(load())
            mine.append(timed(ours, env))
            base.append(timed(floor, env))
        ours_s = statistics.median(m[0] for m in mine)
        floor_s = statistics.median(b[0] for b in base)
        found[name] = {
            "screening_s": round(ours_s, 2),
            "psql_s": round(floor_s, 2),
            "ratio": round(ours_s / floor_s, 2),
            "peak_mb": max(m[1] for m in mine),
            "psql_peak_mb": max(b[1] for b in base),
            "runs": len(mine),
            "load_before_each_run": loads,
        }
        print(f"{name}: {found[name]}", file=sys.stderr)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--laptops", type=int, default=20)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--events-per-record", type=int, default=10)
    parser.add_argument("--central-records", type=int, default=0,
                        help="Then grow the central database to this many records by "
                        "replicating the pushed devices server-side (see replicate()).")
    parser.add_argument("--runs", type=int, default=3, help="Runs of each read figure.")
    parser.add_argument("--heavy-runs", type=int, help="Runs of the export and the report "
                        "[default: --runs].")
    parser.add_argument("--since", default="2025-12-01", help="The report's period.")
    parser.add_argument("--until", default="2026-11-30")
    parser.add_argument("--keep", action="store_true",
                        help="Leave the server and its database running (its URL is printed) "
                        "for --url.")
    parser.add_argument("--url", help="Measure the reads only, on this central database "
                        "(kept by an earlier --keep run).")
    parser.add_argument("--bindir", type=Path, help="PostgreSQL's programs, with --url.")
    parser.add_argument("--out", type=Path, default=HERE / "central-results.json")
    args = parser.parse_args(argv)

    from _postgres import Server, _binaries

    work = Path(tempfile.mkdtemp(prefix="screening-central-bench-"))
    server = None
    results: dict[str, Any] = {"laptops": args.laptops, "records_per_laptop": args.records,
                               "load_at_start": load()}
    env = {**os.environ, "SCREENING_SETTINGS": str(work / "settings.json"),
           "SCREENING_CENTRAL_URL": "", "SCREENING_DB": ""}
    cli = [sys.executable, "-m", "screening.cli.main"]
    try:
        if args.url:
            url, bindir = args.url, args.bindir or _binaries()
            assert bindir is not None, "PostgreSQL's programs are needed (--bindir)"
        else:
            server = Server()
            url, bindir = server.url(server.new_database()), server.bindir
            subprocess.run([*cli, "central", "init", url], env=env, check=True,
                           capture_output=True)
            results.update(push_laptops(args, work, url, env, cli))
            if args.central_records:
                results["replicated"] = replicate(url, args.central_records)
        import psycopg

        with psycopg.connect(url) as conn:
            results["central_records"], results["central_events"] = conn.execute(
                "SELECT (SELECT count(*) FROM screening.records), "
                "(SELECT count(*) FROM screening.events)").fetchone()
        if args.runs:
            heavy = args.runs if args.heavy_runs is None else args.heavy_runs
            results["reads"] = reads(url, bindir, work, env, cli, args.runs, heavy, args.since,
                                     args.until)
        results["load_at_end"] = load()
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results, indent=2))
        if server is not None and args.keep:
            # The server lives as long as this process (its watchdog stops it and removes its
            # data when this process ends): kill this process to end it.
            print(f"kept: --url '{url}' --bindir {bindir}; stop: kill {os.getpid()}",
                  file=sys.stderr, flush=True)
            while True:
                time.sleep(3600)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
