"""Many laptops, one office: the central database on a real PostgreSQL server (issue 15).

A throwaway server (tests/_postgres.py) runs for the whole module; each test gets its own
database, set up by ``screening central init``. Laptops are records databases made through
the store's API (tests/_laptops.py), sealed for an office key.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from _laptops import fill
from _postgres import SUPERUSER_PASSWORD, Server
from _protect import PASSPHRASE, invoke, make_keys

psycopg = pytest.importorskip("psycopg")


@pytest.fixture(scope="module")
def pg() -> Iterator[Server]:
    try:
        server = Server()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        if os.environ.get("CI"):
            raise  # CI installs PostgreSQL (.ci/run): a missing server is a failure there
        pytest.skip(f"no PostgreSQL server can be started here: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def central(pg: Server) -> str:
    """A new database, set up as a central database by the CLI; its (superuser) URL."""
    url = pg.url(pg.new_database())
    result = invoke({}, "central", "init", url)
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    from screening.records.device import device_key_path

    return {
        "SCREENING_SETTINGS": str(tmp_path / "settings.json"),
        # the laptop's one key, as the in-process fill() uses it
        "SCREENING_DEVICE_KEY": str(device_key_path()),
        "SCREENING_KEY_PASSPHRASE": PASSPHRASE,
        "SCREENING_CENTRAL_URL": "",
        "SCREENING_DB": "",
    }


def push(env: dict[str, str], db: Path, url: str, *extra: str):
    return invoke(env, "sync", "push", "--db", str(db), "--to", url, "--format", "json",
                  *extra)


def pushed(result) -> dict:  # noqa: ANN001
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def central_rows(url: str) -> dict[str, object]:
    """What the centre holds, comparable across runs: records (id -> version) and events."""
    with psycopg.connect(url) as conn:
        records = dict(conn.execute("SELECT id, version FROM screening.records").fetchall())
        events = conn.execute(
            "SELECT device_id, id, hash FROM screening.events ORDER BY device_id, id"
        ).fetchall()
    return {"records": records, "events": events}


def laptop_rows(db: Path) -> dict[str, object]:
    from screening.records import outbox
    from screening.records.store import Store

    with Store(db) as store:
        device = store.device_id()
        records = {b["row"]["id"]: outbox.version(b) for b in outbox.finished(store)}
        events = [(device, e[0], e[8]) for e in outbox.events_after(store, 0)]
    return {"records": records, "events": events}


# -- identity ------------------------------------------------------------------------------


def test_new_ids_carry_fifty_random_bits_and_old_ids_stay_valid(tmp_path: Path) -> None:
    from screening.records.store import Store
    from screening.records.writes import new_record_id

    ids = {new_record_id(__import__("datetime").datetime(2026, 11, 29)) for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 20 and i.startswith("20261129-") and i[15] == "-" for i in ids)
    db = tmp_path / "a.db"
    [rid] = fill(db, 1, None)
    with Store(db) as store:
        device = store.device_id()
        assert store.record(rid.lower())["id"] == rid  # read loosely
    with sqlite3.connect(db) as con:  # an id of the old shape, from before this change
        con.execute("UPDATE records SET id = '20261101-K7M2QX' WHERE id = ?", [rid])
    with Store(db) as store:
        assert store.record("20261101-k7m2qx")["id"] == "20261101-K7M2QX"
        assert store.device_id() == device  # the device id stays with the database


def test_a_central_url_where_a_laptop_file_is_needed_is_one_message(tmp_path: Path,
                                                                     env: dict[str, str]) -> None:
    url = "postgresql://petugas:Rahasia-123@pusat.example/screening"
    result = invoke({**env, "SCREENING_DB": url}, "interview", "drafts")
    assert result.exit_code == 1, result.output
    assert "not on the central database" in " ".join(result.stderr.split())
    assert "Rahasia-123" not in result.output and "Traceback" not in result.output


# -- init and status -----------------------------------------------------------------------


def test_init_creates_schema_and_roles_then_is_a_no_op(pg: Server, central: str) -> None:
    again = invoke({}, "central", "init", central)
    assert again.exit_code == 0, again.output
    assert "up to date (version 3)" in again.stderr
    assert "GRANT INSERT ON screening.events" in again.stdout
    status = invoke({}, "central", "status", central, "--format", "json")
    assert json.loads(status.stdout) == {
        "schema_version": 3, "records": 0, "events": 0, "devices": [], "device_count": 0
    }
    sql = invoke({}, "central", "init", central, "--print-sql")
    assert sql.exit_code == 0 and "CREATE FUNCTION screening.put_record" in sql.stdout
    # The printed SQL, run by an administrator on an empty database, gives the same schema.
    other = pg.new_database()
    with pg.admin(other) as conn:
        conn.execute(sql.stdout.split("-- Then")[0])
    assert json.loads(invoke({}, "central", "status", pg.url(other), "--format",
                             "json").stdout)["schema_version"] == 3


def test_bad_servers_are_one_message_without_the_password(pg: Server, central: str,
                                                          env: dict[str, str],
                                                          tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    fill(db, 2, None)
    wrong = central.replace(SUPERUSER_PASSWORD, "Wr0ng-Secret-99")
    cases = {
        "refused the user name or password": wrong,
        "cannot be reached": f"postgresql://postgres:Wr0ng-Secret-99@127.0.0.1:{_closed_port()}/x",
        "no such database": pg.url("nothere_db"),
        "not set up as a central database": pg.url("postgres"),
    }
    for expected, url in cases.items():
        result = push(env, db, url)
        assert result.exit_code == 1, (expected, result.output)
        assert expected in " ".join(result.stderr.split()), (expected, result.stderr)
        assert "Traceback" not in result.output
        for secret in (SUPERUSER_PASSWORD, "Wr0ng-Secret-99"):
            assert secret not in result.output
    # A 'screening' schema of another application is left alone.
    other = pg.new_database()
    with pg.admin(other) as conn:
        conn.execute("CREATE SCHEMA screening; CREATE TABLE screening.things (x int)")
    for args in (["central", "init", pg.url(other)], ["sync", "push", "--db", str(db), "--to",
                                                       pg.url(other)]):
        result = invoke(env, *args)
        assert result.exit_code == 1 and "another application" in result.stderr, result.output
    # A schema newer than this tool: nothing is sent.
    with pg.admin(central.rsplit("/", 1)[1]) as conn:
        conn.execute("UPDATE screening.meta SET value = '99' WHERE key = 'schema_version'")
    result = push(env, db, central)
    assert result.exit_code == 1 and "newer than this version" in result.stderr
    with pg.admin(central.rsplit("/", 1)[1]) as conn:
        assert conn.execute("SELECT count(*) FROM screening.events").fetchone()[0] == 0


def test_init_migrates_an_older_central_schema_keeping_its_rows(pg: Server,
                                                                env: dict[str, str],
                                                                tmp_path: Path) -> None:
    from screening.central.schema import MIGRATIONS

    name = pg.new_database()
    with pg.admin(name) as conn, conn.transaction():  # a centre set up by the first version
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO screening.meta VALUES ('schema_version', '1')")
    url = pg.url(name)
    from screening.records.store import Store

    Store(tmp_path / "a.db").close()  # a laptop with nothing yet (a missing file is an error)
    result = push(env, tmp_path / "a.db", url)
    assert result.exit_code == 1 and "needs 3" in result.stderr, result.output
    migrated = invoke(env, "central", "init", url)
    assert migrated.exit_code == 0 and "1 → 3" in migrated.stderr, migrated.output
    db = tmp_path / "a.db"
    fill(db, 2, None)
    assert pushed(push(env, db, url))["added"] == 2


def test_signed_events_travel_with_their_signatures_and_keys(central: str,
                                                            env: dict[str, str],
                                                            tmp_path: Path) -> None:
    """A laptop whose events are signed (issue 11's columns and key table): the signatures
    and the public keys reach the centre, by push and by bundle."""
    db = tmp_path / "a.db"
    fill(db, 3, None)
    with sqlite3.connect(db) as con:
        local = con.execute("SELECT fingerprint, public_key, first_seen FROM devices").fetchone()
        unsigned = con.execute("SELECT count(*) FROM events WHERE signature IS NULL").fetchone()
    assert unsigned == (0,)  # every event of a new database is signed
    assert pushed(push(env, db, central))["added"] == 3
    with psycopg.connect(central) as conn:
        signed, total = conn.execute(
            "SELECT count(signature), count(*) FROM screening.events").fetchone()
        keys = conn.execute("SELECT device_id, fingerprint FROM screening.device_keys"
                            ).fetchall()
    assert signed == total and signed > 0
    assert keys == [(laptop_device(db), local[0])]
    bundle = tmp_path / "b.bundle"
    assert invoke(env, "sync", "bundle", "--db", str(db), "-o", str(bundle)).exit_code == 0
    lines = [json.loads(line) for line in gzip.decompress(bundle.read_bytes()).splitlines()]
    assert lines[0]["bundle"]["event_columns"][-2:] == ["signer", "signature"]
    assert {"key": {"fingerprint": local[0], "public_key": local[1],
                    "first_seen": local[2]}} in lines


def test_init_without_the_right_to_create_says_what_to_do(pg: Server, env: dict[str, str]) -> None:
    name = pg.new_database()
    with pg.admin() as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'clerk'").fetchone():
            conn.execute("CREATE ROLE clerk LOGIN PASSWORD 'clerk-Pa55'")
    url = pg.url(name, user="clerk", password="clerk-Pa55")
    result = invoke(env, "central", "init", url)
    assert result.exit_code == 1, result.output
    assert "--print-sql" in result.stderr and "clerk-Pa55" not in result.output
    with pg.admin(name) as conn:
        assert not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'screening'"
                                ).fetchone()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- push ----------------------------------------------------------------------------------


def test_push_then_push_again_changes_nothing(central: str, env: dict[str, str],
                                              tmp_path: Path, keys: tuple[Path, Path]) -> None:
    db = tmp_path / "a.db"
    ids = fill(db, 6, keys[1])
    first = pushed(push(env, db, central, "--office", "KANIM-BKL"))
    assert first["added"] == 6 and first["already_there"] == 0 and first["refused"] == []
    assert first["events"] == len(laptop_rows(db)["events"])
    before = central_rows(central)
    assert before == laptop_rows(db)  # every finished record and every event, nothing else
    assert set(before["records"]) == set(ids)  # the draft stayed home
    second = pushed(push(env, db, central))
    assert second == {**second, "added": 0, "updated": 0, "already_there": 6, "events": 0}
    assert central_rows(central) == before
    status = json.loads(invoke({}, "central", "status", central, "--format", "json").stdout)
    assert status["records"] == 6 and status["device_count"] == 1
    assert status["devices"][0]["office"] == "KANIM-BKL"  # remembered from the first push
    assert status["devices"][0]["last_push"]


def test_the_url_comes_from_the_environment_and_its_password_is_kept_nowhere(
    central: str, env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    fill(db, 2, None)
    missing = invoke(env, "sync", "push", "--db", str(db))
    assert missing.exit_code == 1 and "SCREENING_CENTRAL_URL" in missing.stderr
    result = invoke({**env, "SCREENING_CENTRAL_URL": central}, "sync", "push", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "2 record(s) sent" in " ".join(result.stderr.split())
    assert SUPERUSER_PASSWORD not in result.output
    with psycopg.connect(central) as conn:
        pushes = json.dumps(conn.execute("SELECT * FROM screening.pushes").fetchall(),
                            default=str)
        trail = json.dumps(conn.execute("SELECT * FROM screening.events").fetchall(), default=str)
    assert SUPERUSER_PASSWORD not in pushes + trail
    assert SUPERUSER_PASSWORD.encode() not in db.read_bytes()
    settings = Path(env["SCREENING_SETTINGS"])
    assert not settings.exists() or SUPERUSER_PASSWORD not in settings.read_text()


def test_an_erasure_at_the_laptop_erases_at_the_centre(central: str, env: dict[str, str],
                                                      tmp_path: Path,
                                                      keys: tuple[Path, Path]) -> None:
    db = tmp_path / "a.db"
    ids = fill(db, 3, keys[1])
    pushed(push(env, db, central))
    result = invoke({**env, "SCREENING_DB": str(db)}, "records", "erase", ids[0], "--reason",
                    "consent withdrawn")
    assert result.exit_code == 0, result.output
    again = pushed(push(env, db, central))
    assert again["updated"] == 1 and again["already_there"] == 2
    with psycopg.connect(central) as conn:
        body, erased = conn.execute(
            "SELECT body, erased_at FROM screening.records WHERE id = %s", [ids[0]]
        ).fetchone()
    assert erased and body["row"]["sealed_json"] is None
    values = {qid: json.loads(value) for qid, value, *_ in body["answers"]}
    assert values["full_name"] == {"erased": True} and values["age"] > 0
    assert central_rows(central) == laptop_rows(db)


def test_a_record_s_referrals_travel_with_it_and_an_update_follows(
    central: str, env: dict[str, str], tmp_path: Path
) -> None:
    """Tables of a record (referrals, once they exist) ride in its body: a referral added or
    updated after a push is pushed as a change of the record."""
    db = tmp_path / "a.db"
    ids = fill(db, 2, None)
    with sqlite3.connect(db) as con:  # rows in the tables of issue 13 (schema 4)
        con.execute("INSERT INTO referrals (id, record_id, service_id, service_json, status, "
                    "consent, information_only, officer, created_at, updated_at, trail_key) "
                    "VALUES ('R1', ?, 'bp3mi', '{}', 'sent', 'given', 0, 'a', '2026-11-02', "
                    "'2026-11-02', 'k')", [ids[0]])
        con.execute("INSERT INTO referral_steps (referral_id, status, officer, at) "
                    "VALUES ('R1', 'sent', 'a', '2026-11-02')")
    assert pushed(push(env, db, central))["added"] == 2
    with sqlite3.connect(db) as con:
        con.execute("UPDATE referrals SET status = 'closed' WHERE id = 'R1'")
        con.execute("INSERT INTO referral_steps (referral_id, status, officer, at) "
                    "VALUES ('R1', 'closed', 'a', '2026-11-03')")
    again = pushed(push(env, db, central))
    assert again["updated"] == 1 and again["already_there"] == 1
    shown = json.loads(invoke(env, "records", "show", ids[0], "--db", central, "--format",
                              "json").stdout)
    assert [r["status"] for r in shown["referrals"]] == ["closed"]
    assert [s["status"] for s in shown["referral_steps"]] == ["sent", "closed"]


def test_the_push_role_adds_but_cannot_change_or_delete(pg: Server, central: str,
                                                       env: dict[str, str], tmp_path: Path,
                                                       keys: tuple[Path, Path]) -> None:
    pg.login("kanim_push", "push-Pa55", "screening_push")
    url = central.replace(f"postgres:{SUPERUSER_PASSWORD}", "kanim_push:push-Pa55")
    db = tmp_path / "a.db"
    fill(db, 3, keys[1])
    assert pushed(push(env, db, url))["added"] == 3
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in (
            "UPDATE screening.records SET level = 'low'",
            "DELETE FROM screening.records",
            "UPDATE screening.events SET kind = 'x'",
            "DELETE FROM screening.events",
            "TRUNCATE screening.records",
            "SELECT body FROM screening.records",  # it reads only what deduplicates
            "SELECT * FROM screening.access",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    assert central_rows(central) == laptop_rows(db)


def test_sealed_values_stay_sealed_at_the_centre(pg: Server, central: str, env: dict[str, str],
                                                 tmp_path: Path,
                                                 keys: tuple[Path, Path]) -> None:
    db = tmp_path / "a.db"
    ids = fill(db, 2, keys[1])
    pushed(push(env, db, central))
    with psycopg.connect(central) as conn:
        dump = json.dumps(conn.execute("SELECT body FROM screening.records").fetchall())
    assert "Contoh" not in dump and "0812-0000" not in dump and "paspor dipegang" not in dump
    pg.login("analyst", "read-Pa55", "screening_read")
    url = central.replace(f"postgres:{SUPERUSER_PASSWORD}", "analyst:read-Pa55")
    shown = invoke(env, "records", "show", ids[0], "--db", url, "--format", "json")
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    assert record["answers"]["full_name"] == {"sealed": True} and record["sealed"] is True
    opened = invoke(env, "records", "show", ids[0], "--db", url, "--format", "json", "--key",
                    str(keys[0]))
    assert opened.exit_code == 0, opened.output
    assert json.loads(opened.stdout)["answers"]["full_name"].startswith(
        ("Siti", "Dewi", "Rina", "Agus", "Budi", "Wati", "Yuni", "Eko"))
    with psycopg.connect(central) as conn:
        kinds = [k for (k,) in conn.execute("SELECT kind FROM screening.access ORDER BY id")]
    assert kinds == ["view", "decrypt", "view"]  # every read logged in the central trail
    verify = invoke(env, "records", "verify", "--db", url, "--format", "json")
    assert verify.exit_code == 0, verify.output
    assert json.loads(verify.stdout)["records"] == 2


def test_list_and_export_at_the_centre_match_the_laptop(central: str, env: dict[str, str],
                                                       tmp_path: Path,
                                                       keys: tuple[Path, Path]) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    fill(a, 4, keys[1], seed=1)
    fill(b, 3, keys[1], seed=2)
    pushed(push(env, a, central))
    pushed(push(env, b, central))

    def listing(db: str) -> list[dict]:
        result = invoke(env, "records", "list", "--db", db, "--status", "completed",
                        "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    together = sorted(listing(str(a)) + listing(str(b)),
                      key=lambda r: (r["started_at"], r["id"]), reverse=True)
    assert listing(central) == together
    assert [r["id"] for r in listing(central)][:2] == [r["id"] for r in together][:2]
    high = invoke(env, "records", "list", "--db", central, "--level", "high", "--format", "json")
    assert json.loads(high.stdout) == [r for r in together if r["level"] == "high"]

    def export(db: str, *extra: str) -> str:
        result = invoke(env, "records", "export", "--db", db, "--format", "csv",
                        "--status", "completed", *extra)
        assert result.exit_code == 0, result.output
        return result.stdout

    lines = export(central).splitlines()
    laptop = export(str(a)).splitlines() + export(str(b)).splitlines()[1:]
    assert lines[0] == laptop[0] and sorted(lines[1:]) == sorted(laptop[1:])
    assert "Contoh" not in "\n".join(lines)
    opened = export(central, "--key", str(keys[0]))
    assert "Contoh" in opened


# -- resumable, concurrent ------------------------------------------------------------------


def _push_process(db: Path, url: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "screening.cli.main", "sync", "push", "--db", str(db), "--to",
         url, "--batch", "1", "--format", "json"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_a_push_killed_at_random_moments_resumes_without_loss_or_double(
    pg: Server, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    """Twelve pushes killed with SIGKILL, each resumed and compared row for row. Two are killed
    at a random time from their start (anywhere, start-up included). Ten are killed mid-push at
    a random point of their progress, whatever the machine's load: the test holds a gate (a
    SHARE lock on the two tables a batch writes) that lets the push through one batch at a
    time, and kills it once the rows arrived reach the point drawn, while its next batch waits
    at the gate with its transaction open."""
    db = tmp_path / "a.db"
    fill(db, 20, keys[1])
    laptop = laptop_rows(db)
    total = len(laptop["events"]) + len(laptop["records"])

    def fresh() -> str:
        url = pg.url(pg.new_database())
        assert invoke({}, "central", "init", url).exit_code == 0
        return url

    def arrived(conn: psycopg.Connection) -> int:
        return int(conn.execute("SELECT (SELECT count(*) FROM screening.events) "
                                "+ (SELECT count(*) FROM screening.records)").fetchone()[0])

    started = time.monotonic()  # how long a whole push takes, start-up included
    whole = _push_process(db, fresh(), env)
    assert whole.wait(timeout=120) == 0
    duration = time.monotonic() - started
    rng = random.Random(15)
    partial = 0
    for trial in range(12):
        url = fresh()
        if trial < 2:
            process = _push_process(db, url, env)
            time.sleep(rng.uniform(0.1, duration))
            process.send_signal(signal.SIGKILL)
        else:
            target = rng.randrange(1, total)  # rows arrived when it is killed
            with psycopg.connect(url) as gate:
                process = _push_process(db, url, env)
                while True:
                    gate.execute("LOCK TABLE screening.events, screening.records IN SHARE MODE")
                    if arrived(gate) >= target or process.poll() is not None:
                        break
                    gate.commit()  # one batch through (it waited first), then the gate again
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=60)
                gate.rollback()
        process.communicate(timeout=60)
        held = central_rows(url)
        # Whatever arrived is a prefix of the chain and a subset of the records, unchanged.
        assert held["events"] == laptop["events"][: len(held["events"])]
        assert all(laptop["records"][rid] == v for rid, v in held["records"].items())
        landed = len(held["events"]) + len(held["records"])
        partial += 0 < landed < total
        if trial >= 2:
            assert target <= landed < total, (trial, target, landed)
        resumed = pushed(push(env, db, url))
        assert resumed["refused"] == []
        assert resumed["added"] + resumed["already_there"] == 20
        assert central_rows(url) == laptop
    assert partial >= 10, f"too few kills landed in the middle of a push ({partial})"


def test_two_laptops_push_at_once(central: str, env: dict[str, str], tmp_path: Path,
                                  keys: tuple[Path, Path]) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    fill(a, 10, keys[1], seed=3)
    fill(b, 10, keys[1], seed=4)
    processes = [_push_process(db, central, env) for db in (a, b)]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert json.loads(out)["added"] == 10
    held = central_rows(central)
    assert len(held["records"]) == 20
    expected = laptop_rows(a)
    other = laptop_rows(b)
    assert held["records"] == {**expected["records"], **other["records"]}
    assert held["events"] == sorted(expected["events"] + other["events"])


def test_an_id_held_by_another_device_is_refused_never_merged(central: str,
                                                             env: dict[str, str],
                                                             tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    ids = fill(a, 2, None, seed=5)
    pushed(push(env, a, central))
    shutil.copy(a, b)  # a copied database, given a new identity: same record ids
    with sqlite3.connect(b) as con:
        con.execute("UPDATE meta SET value = 'another-device' WHERE key = 'device_id'")
    result = push(env, b, central)
    assert result.exit_code == 1
    refused = json.loads(result.stdout)["refused"]
    assert sorted(r["id"] for r in refused) == sorted(ids)
    assert all("another device" in r["reason"] for r in refused)
    with psycopg.connect(central) as conn:
        devices = {d for (d,) in conn.execute("SELECT device_id FROM screening.records")}
    assert devices == {laptop_device(a)}


def laptop_device(db: Path) -> str:
    from screening.records.store import Store

    with Store(db) as store:
        return store.device_id()


# -- the trail crosses the wire -------------------------------------------------------------


def test_a_rewritten_laptop_trail_is_refused(central: str, env: dict[str, str],
                                            tmp_path: Path) -> None:
    from screening.records.trail import event_hash

    db = tmp_path / "a.db"
    fill(db, 2, None)
    pushed(push(env, db, central))
    before = central_rows(central)
    # Rewrite the log from event 3 on, every hash recomputed: locally self-consistent.
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("DROP TRIGGER events_append_only")
    rows = con.execute("SELECT id, record_id, kind, officer, at, detail_json, digest_json, "
                       "prev_hash FROM events ORDER BY id").fetchall()
    prev = None
    for row in rows:
        event_id, record_id, kind, officer, at, detail, digest, prev_hash = row
        if event_id == 3:
            officer = "someone else"
        if event_id >= 3:
            prev_hash = prev
            digest_hash = event_hash(prev_hash, event_id, record_id, kind, officer, at, detail,
                                     digest)
            con.execute("UPDATE events SET officer = ?, prev_hash = ?, hash = ? WHERE id = ?",
                        [officer, prev_hash, digest_hash, event_id])
            prev = digest_hash
        else:
            prev = con.execute("SELECT hash FROM events WHERE id = ?", [event_id]).fetchone()[0]
    con.close()
    fill(db, 1, None, seed=9)  # something new to send
    result = push(env, db, central)
    assert result.exit_code == 1
    assert "does not continue what the central database holds" in " ".join(result.stderr.split())
    assert central_rows(central) == before  # nothing more was taken


def test_a_broken_chain_is_refused_before_anything_of_it_arrives(central: str,
                                                                 env: dict[str, str],
                                                                 tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    fill(db, 2, None)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("DROP TRIGGER events_append_only")
    con.execute("UPDATE events SET officer = 'x' WHERE id = 5")
    con.close()
    result = push(env, db, central)
    assert result.exit_code == 1 and "event 5" in result.stderr, result.output
    assert central_rows(central)["records"] == {}


# -- bundles -------------------------------------------------------------------------------


def test_a_bundle_imports_like_a_push_and_twice_changes_nothing(
    central: str, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    db = tmp_path / "a.db"
    fill(db, 4, keys[1])
    bundle = tmp_path / "post.bundle"
    made = invoke(env, "sync", "bundle", "--db", str(db), "-o", str(bundle), "--office", "POS-1")
    assert made.exit_code == 0, made.output
    assert bundle.stat().st_mode & 0o077 == 0  # owner-only
    first = invoke(env, "central", "import", str(bundle), "--to", central, "--format", "json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 4
    assert central_rows(central) == laptop_rows(db)
    second = invoke(env, "central", "import", str(bundle), "--to", central, "--format", "json")
    assert json.loads(second.stdout) == {**json.loads(second.stdout), "added": 0, "events": 0,
                                         "already_there": 4}
    # The same laptop pushing afterwards finds everything there.
    assert pushed(push(env, db, central))["already_there"] == 4


@pytest.mark.parametrize("where", ["compressed", "inside"])
def test_a_bundle_edited_by_one_byte_is_refused(central: str, env: dict[str, str],
                                                tmp_path: Path, where: str) -> None:
    db = tmp_path / "a.db"
    fill(db, 2, None)
    bundle = tmp_path / "post.bundle"
    assert invoke(env, "sync", "bundle", "--db", str(db), "-o", str(bundle)).exit_code == 0
    if where == "compressed":
        data = bytearray(bundle.read_bytes())
        data[len(data) // 2] ^= 0x01
        bundle.write_bytes(bytes(data))
    else:
        text = bytearray(gzip.decompress(bundle.read_bytes()))
        at = text.index(b'"level": "') + len(b'"level": "')
        text[at] = ord("x") if text[at] != ord("x") else ord("y")
        bundle.write_bytes(gzip.compress(bytes(text)))
    result = invoke(env, "central", "import", str(bundle), "--to", central)
    assert result.exit_code == 1, result.output
    assert "is refused" in result.stderr and "Traceback" not in result.output
    assert central_rows(central) == {"records": {}, "events": []}


def test_verify_at_the_centre_names_a_record_edited_there(central: str, env: dict[str, str],
                                                         tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    ids = fill(db, 2, None)
    pushed(push(env, db, central))
    assert invoke(env, "records", "verify", "--db", central).exit_code == 0
    with psycopg.connect(central) as conn:
        conn.execute(
            "UPDATE screening.records SET body = jsonb_set(body, '{row,level}', '\"low\"') "
            "|| '{}'::jsonb, level = 'low' WHERE id = %s", [ids[1]]
        )
        conn.execute(
            "UPDATE screening.records SET body = jsonb_set(body, '{row,level}', '\"none\"') "
            "WHERE id = %s", [ids[1]]
        )
    result = invoke(env, "records", "verify", "--db", central, "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [p["id"] for p in problems] == [ids[1]]


# -- trust: keys, logins, signed bundles (whom the centre believes) ---------------------------


def use_key(path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Sign from now on (in this process and in the commands) with the device key at
    ``path``, made if missing; its fingerprint."""
    from screening.records.device import device_key

    monkeypatch.setenv("SCREENING_DEVICE_KEY", str(path))
    env["SCREENING_DEVICE_KEY"] = str(path)
    key = device_key()
    assert key is not None
    return key.fingerprint


def said(result) -> str:  # noqa: ANN001
    return " ".join(result.stderr.split())


def login_url(pg: Server, central: str, name: str) -> str:
    pg.login(name, f"{name}-Pa55", "screening_push")
    return central.replace(f"postgres:{SUPERUSER_PASSWORD}", f"{name}:{name}-Pa55")


def rechain(db: Path, start: int, change: dict[str, str] | None = None,
            unsign: bool = False) -> None:
    """Rewrite the laptop's events from ``start`` on, hashes recomputed (locally consistent),
    their signatures left as they were or removed."""
    from screening.records.trail import event_hash

    con = sqlite3.connect(db, isolation_level=None)
    con.execute("DROP TRIGGER IF EXISTS events_append_only")
    prev = con.execute("SELECT hash FROM events WHERE id = ?", [start - 1]).fetchone()[0]
    for row in con.execute("SELECT id, record_id, kind, officer, at, detail_json, digest_json "
                           "FROM events WHERE id >= ? ORDER BY id", [start]).fetchall():
        event_id, record_id, kind, officer, at, detail, digest = row
        if event_id == start and change:
            officer = change.get("officer", officer)
        digest_hash = event_hash(prev, event_id, record_id, kind, officer, at, detail, digest)
        con.execute("UPDATE events SET officer = ?, prev_hash = ?, hash = ? WHERE id = ?",
                    [officer, prev, digest_hash, event_id])
        if unsign:
            con.execute("UPDATE events SET signer = NULL, signature = NULL WHERE id = ?",
                        [event_id])
        prev = digest_hash
    con.close()


def device_keys(url: str) -> dict[str, bool]:
    with psycopg.connect(url) as conn:
        return {fp: ok for fp, ok in conn.execute(
            "SELECT fingerprint, trusted_by IS NOT NULL FROM screening.device_keys")}


# -- keys ----------------------------------------------------------------------------------


def test_a_device_is_known_by_its_first_key_and_another_is_refused_until_approved(
    pg: Server, central: str, env: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "a.db"
    kanim = login_url(pg, central, "kanim_bkl")
    first = use_key(tmp_path / "first.pem", env, monkeypatch)
    fill(db, 2, None)
    pushed(push(env, db, kanim))
    shown = json.loads(invoke(env, "keys", "device", "--format", "json").stdout)
    status = json.loads(invoke({}, "central", "status", central, "--format", "json").stdout)
    assert status["devices"][0]["keys"] == first == shown["fingerprint"]  # pinned, shown
    assert status["devices"][0]["logins"] == "kanim_bkl"
    text = invoke({}, "central", "status", central)
    assert first in text.stdout
    before = central_rows(central)

    # The laptop's key is replaced (lost): its new events are signed by another key.
    second = use_key(tmp_path / "second.pem", env, monkeypatch)
    fill(db, 1, None, seed=9)
    result = push(env, db, kanim)
    assert result.exit_code == 1, result.output
    message = said(result)
    assert f"signed by key {second}" in message and f"by key {first}" in message
    assert f"central trust URL {laptop_device(db)} --key {second}" in message
    assert SUPERUSER_PASSWORD not in result.output and "Traceback" not in result.output
    assert central_rows(central) == before  # nothing taken
    assert device_keys(central) == {first: True, second: False}  # seen, not trusted

    # The administrator checks 'screening keys device' on the laptop and approves the key.
    approved = invoke({}, "central", "trust", central, laptop_device(db), "--key", second)
    assert approved.exit_code == 0, approved.output
    assert pushed(push(env, db, kanim))["added"] == 1
    assert central_rows(central) == laptop_rows(db)
    verify = invoke(env, "records", "verify", "--db", central, "--format", "json")
    assert verify.exit_code == 0, verify.output
    assert set(json.loads(verify.stdout)["signers"]) == {first, second}


def test_a_key_approved_before_the_first_push_is_the_only_one_believed(
    central: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.records.device import device_key

    db = tmp_path / "a.db"
    use_key(tmp_path / "laptop.pem", env, monkeypatch)
    fill(db, 1, None)
    laptop = device_key()
    other = use_key(tmp_path / "other.pem", env, monkeypatch)
    other_key = device_key()
    assert laptop is not None and other_key is not None
    no_key = invoke({}, "central", "trust", central, laptop_device(db), "--key", other)
    assert no_key.exit_code == 1 and "--public-key" in said(no_key), no_key.output
    wrong = invoke({}, "central", "trust", central, laptop_device(db), "--key", other,
                   "--public-key", laptop.public_b64)
    assert wrong.exit_code == 1 and "does not match" in said(wrong), wrong.output
    registered = invoke({}, "central", "trust", central, laptop_device(db), "--key", other,
                        "--public-key", other_key.public_b64)
    assert registered.exit_code == 0, registered.output
    # The laptop's own key was not the one registered: its first push is refused.
    result = push(env, db, central)
    assert result.exit_code == 1 and f"signed by key {laptop.fingerprint}" in said(result)
    assert central_rows(central) == {"records": {}, "events": []}


def test_events_forged_on_the_laptop_are_refused_though_their_hashes_hold(
    central: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoever holds only the database file can rewrite its chain, hashes and all, but
    cannot sign: the push checks each signature against the device's pinned key."""
    db = tmp_path / "a.db"
    use_key(tmp_path / "k.pem", env, monkeypatch)
    fill(db, 2, None)
    pushed(push(env, db, central))
    before = central_rows(central)
    head = len(before["events"])
    fill(db, 1, None, seed=9)
    rechain(db, head + 2, {"officer": "someone else"})
    result = push(env, db, central)
    assert result.exit_code == 1, result.output
    assert "valid signature" in said(result) and "or an event before it" in said(result)
    assert central_rows(central) == before
    # Only the signatures were damaged, the events intact: the push takes them (the last
    # signature vouches for them all); the centre's verify, which checks every one, names it.
    rechain(db, head + 2, {"officer": "petugas-uji"})  # as it was: the signatures hold again
    with sqlite3.connect(db) as con:
        con.execute("UPDATE events SET signature = 'AAAA' WHERE id = ?", [head + 2])
    assert pushed(push(env, db, central))["added"] == 1
    verify = invoke(env, "records", "verify", "--db", central, "--format", "json")
    assert verify.exit_code == 1
    assert [p["id"] for p in json.loads(verify.stdout)["problems"]] == [
        f"{laptop_device(db)}:{head + 2}"]


def test_events_from_before_signing_are_noted_and_an_unsigned_one_after_is_refused(
    central: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "a.db"
    use_key(tmp_path / "k.pem", env, monkeypatch)
    fill(db, 2, None)
    with sqlite3.connect(db) as con:  # as a laptop that began signing at event 6
        con.execute("DROP TRIGGER events_append_only")
        con.execute("UPDATE events SET signer = NULL, signature = NULL WHERE id <= 5")
    pushed(push(env, db, central))
    verify = invoke(env, "records", "verify", "--db", central, "--format", "json")
    assert verify.exit_code == 0, verify.output
    [note] = json.loads(verify.stdout)["notes"]
    assert "5 event(s) were written before signing began" in note and "event 6" in note
    before = central_rows(central)
    # An event added after signing began, without a signature: a forgery.
    fill(db, 1, None, seed=9)
    head = len(before["events"])
    rechain(db, head + 1, unsign=True)
    result = push(env, db, central)
    assert result.exit_code == 1, result.output
    assert f"event {head + 1}" in said(result) and "is not signed" in said(result)
    assert central_rows(central) == before


def test_verify_at_the_centre_checks_each_signature_against_the_trusted_key(
    pg: Server, central: str, env: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from screening.records.chain import signed_message
    from screening.records.device import device_key

    db = tmp_path / "a.db"
    use_key(tmp_path / "k.pem", env, monkeypatch)
    fill(db, 2, None)
    pushed(push(env, db, central))
    device = laptop_device(db)
    name = central.rsplit("/", 1)[1]
    with pg.admin(name) as conn:  # a signature edited at the centre (by its owner)
        sig = conn.execute("SELECT signature FROM screening.events WHERE device_id = %s "
                           "AND id = 3", [device]).fetchone()[0]
        conn.execute("UPDATE screening.events SET signature = %s WHERE device_id = %s AND "
                     "id = 3", [sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:], device])
    result = invoke(env, "records", "verify", "--db", central, "--format", "json")
    assert result.exit_code == 1, result.output
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["id"] == f"{device}:3" and "valid signature" in problem["problem"]
    # Re-signed there by a key the centre only saw: named, unless verified with --device.
    other = use_key(tmp_path / "other.pem", env, monkeypatch)
    key = device_key()
    assert key is not None
    with pg.admin(name) as conn:
        stored = conn.execute("SELECT hash FROM screening.events WHERE device_id = %s AND "
                              "id = 3", [device]).fetchone()[0]
        conn.execute("UPDATE screening.events SET signer = %s, signature = %s WHERE "
                     "device_id = %s AND id = 3",
                     [other, key.sign(signed_message(stored)), device])
        conn.execute("INSERT INTO screening.device_keys (device_id, fingerprint, public_key, "
                     "first_seen) VALUES (%s, %s, %s, '')", [device, other, key.public_b64])
    result = invoke(env, "records", "verify", "--db", central, "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)["problems"]
    assert other in problem["problem"]
    vouched = invoke(env, "records", "verify", "--db", central, "--device", other)
    assert vouched.exit_code == 0, vouched.output


# -- logins --------------------------------------------------------------------------------


def test_another_login_cannot_push_a_device_nor_overwrite_its_records(
    pg: Server, central: str, env: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from screening.records import outbox
    from screening.records.store import Store

    kanim_a, kanim_b = login_url(pg, central, "kanim_a"), login_url(pg, central, "kanim_b")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    use_key(tmp_path / "a.pem", env, monkeypatch)
    ids = fill(a, 2, None)
    pushed(push(env, a, kanim_a))
    before = central_rows(central)
    device = laptop_device(a)

    # Another laptop names the first one's device (a copied database).
    shutil.copy(a, b)
    use_key(tmp_path / "b.pem", env, monkeypatch)
    fill(b, 1, None, seed=8)
    result = push(env, b, kanim_b)
    assert result.exit_code == 1, result.output
    assert "login 'kanim_b' may not push device" in said(result)
    assert "kanim_b-Pa55" not in result.output
    assert central_rows(central) == before

    # Nor straight through SQL with that login: the database itself refuses.
    with Store(a) as store:  # a "newer" body for one of its records
        [body] = [x for x in outbox.finished(store) if x["row"]["id"] == ids[0]]
    body["row"]["level"] = "low" if body["row"]["level"] != "low" else "high"
    with psycopg.connect(kanim_b, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="another login"):
            conn.execute("SELECT screening.put_record(%s, NULL, 'x', %s::jsonb)",
                         [device, json.dumps(body)])
        head = before["events"][-1]
        with pytest.raises(psycopg.errors.RaiseException, match="another login"):
            conn.execute("INSERT INTO screening.events (device_id, id, kind, officer, at, "
                         "prev_hash, hash) VALUES (%s, %s, 'x', 'x', 'x', %s, 'h')",
                         [device, head[1] + 1, head[2]])
        with pytest.raises(psycopg.errors.RaiseException, match="another login"):
            conn.execute("SELECT screening.admit_device(%s, '[]')", [device])
    # Its own login can neither add an event signed by a key not trusted for the device (the
    # database checks whose key, the tool and verify check the signature itself) nor put a
    # state the device's trail does not vouch for.
    with psycopg.connect(kanim_a, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="not one trusted for it"):
            conn.execute("INSERT INTO screening.events (device_id, id, kind, officer, at, "
                         "prev_hash, hash, signer, signature) "
                         "VALUES (%s, %s, 'x', 'x', 'x', %s, 'h', 'ffff-ffff-ffff-ffff-ffff', "
                         "'c2ln')", [device, head[1] + 1, head[2]])
        for event in (10**9, before["events"][0][1]):  # none, or another record's
            forged = {**body, "event": event}
            outcome = conn.execute("SELECT screening.put_record(%s, NULL, 'x', %s::jsonb)",
                                   [device, json.dumps(forged)]).fetchone()[0]
            assert outcome == "unvouched"
    assert central_rows(central) == before

    # A bundle of the device imported under another login: refused until approved.
    bundle = tmp_path / "a.bundle"
    use_key(tmp_path / "a.pem", env, monkeypatch)
    fill(a, 1, None, seed=7)
    assert invoke(env, "sync", "bundle", "--db", str(a), "-o", str(bundle)).exit_code == 0
    refused = invoke(env, "central", "import", str(bundle), "--to", kanim_b)
    assert refused.exit_code == 1 and "may not push" in said(refused), refused.output
    assert central_rows(central) == before
    assert invoke({}, "central", "trust", central, device, "--login", "kanim_b").exit_code == 0
    imported = invoke(env, "central", "import", str(bundle), "--to", kanim_b, "--format",
                      "json")
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["added"] == 1
    assert central_rows(central) == laptop_rows(a)
    # The database's owner administers: it may push any device, and is bound to none.
    fill(a, 1, None, seed=6)
    assert pushed(push(env, a, central))["added"] == 1
    status = json.loads(invoke({}, "central", "status", central, "--format", "json").stdout)
    assert status["devices"][0]["logins"] == "kanim_a, kanim_b"


# -- bundles -------------------------------------------------------------------------------


def _rewrite(bundle: Path, out: Path, *, sign_with: Path | None, keep_signature: bool = True,
             monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundle with one record's level changed, re-checksummed as a forger would, and
    signed again with the key at ``sign_with`` (or its old signature kept, or none)."""
    from screening.central.trust import sign_bundle

    lines = gzip.decompress(bundle.read_bytes()).splitlines(keepends=True)
    body = [line for line in lines[:-1]]
    at = next(n for n, line in enumerate(body) if line.startswith(b'{"record"'))
    body[at] = body[at].replace(b'"level": "', b'"level": "x', 1)
    end = json.loads(lines[-1])["end"]
    end["sha256"] = hashlib.sha256(b"".join(body)).hexdigest()
    device = json.loads(body[0])["bundle"]["device_id"]
    if sign_with is not None:
        monkeypatch.setenv("SCREENING_DEVICE_KEY", str(sign_with))
        end.update(sign_bundle(device, end["lines"], end["sha256"]))
    elif not keep_signature:
        for field in ("signer", "public_key", "signature"):
            end.pop(field)
    trailer = (json.dumps({"end": end}) + "\n").encode()
    out.write_bytes(gzip.compress(b"".join(body) + trailer))


def test_a_bundle_rewritten_whole_is_refused_unless_signed_by_the_device_s_key(
    central: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "a.db"
    laptop = tmp_path / "laptop.pem"
    use_key(laptop, env, monkeypatch)
    fill(db, 2, None)
    pushed(push(env, db, central))  # the centre knows the device and its key
    fill(db, 1, None, seed=9)
    bundle = tmp_path / "post.bundle"
    assert invoke(env, "sync", "bundle", "--db", str(db), "-o", str(bundle)).exit_code == 0
    before = central_rows(central)
    forger = tmp_path / "forger.pem"
    use_key(forger, {}, monkeypatch)  # a key of the forger's own
    cases = {
        "re-signed": dict(sign_with=forger),
        "its signature does not hold": dict(sign_with=None),
        "it is not signed": dict(sign_with=None, keep_signature=False),
    }
    for expected, how in cases.items():
        forged = tmp_path / f"forged-{len(expected)}.bundle"
        _rewrite(bundle, forged, monkeypatch=monkeypatch, **how)  # type: ignore[arg-type]
        result = invoke(env, "central", "import", str(forged), "--to", central)
        assert result.exit_code == 1, (expected, result.output)
        assert expected in said(result) and "nothing was imported" in said(result), expected
        assert "Traceback" not in result.output
        assert central_rows(central) == before
    # Rewritten and signed with the laptop's own key (which the forger lacks) it would pass
    # the signature check: the refusals above come from the key, not from the edit.
    rewritten = tmp_path / "by-laptop.bundle"
    _rewrite(bundle, rewritten, sign_with=laptop, monkeypatch=monkeypatch)
    from screening.central.bundle import BundleSource

    assert BundleSource(rewritten).signed_by is not None
    monkeypatch.setenv("SCREENING_DEVICE_KEY", str(laptop))
    genuine = invoke(env, "central", "import", str(bundle), "--to", central, "--format", "json")
    assert genuine.exit_code == 0, genuine.output
    assert central_rows(central) == laptop_rows(db)
