"""Reading the central database with the laptop's commands, on a real PostgreSQL server
(tests/_postgres.py): `report --db postgresql://...` is the report of the laptops' records
taken together, in every format (the reference is one laptop file holding both laptops'
records); `records list|export` at the centre give the laptop's bytes (one laptop pushed),
however the centre assembles them."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from _laptops import fill
from _protect import invoke
from screening.records.store import Store
from test_central import central, env, keys, pg, push, pushed  # noqa: F401  (fixtures)
from test_report import OCTOBER, SECRETS, add, assessment, refer

psycopg = pytest.importorskip("psycopg")


def laptop_a(s: Store) -> dict[str, str]:
    """September and October at Kanim Bengkulu: levels, children, warnings, journeys,
    changed answers, a consent declined (no draft: drafts never leave a laptop)."""
    ids = {}
    ids["a1"] = add(s, "2026-09-15T08:00:00.000000Z", result=assessment("high", present={
        "deceptive_recruitment": ["deceptive_recruitment.nature_of_job"]}))
    add(s, "2026-09-30T23:59:00.000000Z", result=assessment("low", child=True))
    ids["a3"] = add(s, "2026-10-01T00:00:00.000000Z", result=assessment("high", present={
        "deceptive_recruitment": ["deceptive_recruitment.nature_of_job",
                                  "deceptive_recruitment.wages"],
        "coercion_destination": ["coercion_destination.confiscation_of_documents"]}),
        answers={"purpose": "work", "who_arranged": "sponsor_individual",
                 "destination_country": "Malaysia", "full_name": "Siti Contoh",
                 "document_number": "A7654321", "phone": "081234567890",
                 "home_district": "Kota Bengkulu", "dependants": ["children", "parents"]})
    ids["a4"] = add(s, "2026-10-02T10:00:00.000000Z", officer="Petugas B",
                    result=assessment("medium", child=True, present={
                        "exploitation": ["exploitation.excessive_hours"]}),
                    answers={"purpose": "work", "who_arranged": "family"})
    add(s, "2026-10-06T09:00:00.000000Z", q="returnee", result=assessment("low", warning=True),
        answers={"recruiter": "p3mi", "departure_route": "unknown"})
    add(s, "2026-10-07T09:00:00.000000Z", result=assessment("low"),
        answers={"purpose": "unknown", "who_arranged": "declined"},
        changes={"purpose": ["tourism", "work"]})
    add(s, "2026-10-13T09:00:00.000000Z", outcome="consent_declined")
    add(s, "2026-11-01T00:00:00.000000Z", result=assessment("high"))
    return ids


def laptop_b(s: Store) -> dict[str, str]:
    """October at Kanim Mukomuko and a second counter: departure risks, red flags, alerts,
    another officer, a returnee with a changed answer."""
    ids = {}
    ids["b1"] = add(s, "2026-10-02T11:00:00.000000Z", location="Kanim Mukomuko",
                    officer="Petugas C", result=assessment(
                        "low", risk=("high", ["tourist_visa_for_work", "sponsor_paid"]),
                        alerts=("scam_compounds", "thailand_transit")),
                    answers={"destination_country": "Bangkok, then Myawaddy",
                             "purpose": "tourism"})
    ids["b2"] = add(s, "2026-10-09T10:00:00.000000Z", location="Kanim Mukomuko",
                    officer="Petugas C", result=assessment(
                        "medium", risk=("medium", ["sponsor_paid"]),
                        alerts=("scam_compounds",), present={
                            "coercion_destination": ["coercion_destination.isolation"]}),
                    answers={"purpose": "work", "who_arranged": "sponsor_individual"})
    add(s, "2026-10-27T09:00:00.000000Z", q="returnee", officer="Petugas B",
        result=assessment("medium", present={
            "coercion_destination": ["coercion_destination.isolation",
                                     "coercion_destination.confiscation_of_documents"]}),
        answers={"recruiter": "sponsor", "departure_route": "unknown"},
        changes={"recruiter": ["p3mi"]})
    add(s, "2026-10-31T23:59:59.000000Z", location="Kanim Bengkulu, loket 2",
        result=assessment("low"))
    add(s, "2026-09-03T09:00:00.000000Z", location="Kanim Mukomuko", outcome="consent_declined")
    return ids


def referrals(db: Path, ids: dict[str, str]) -> None:
    """Referrals made in September and October, some overdue, some received."""
    plans = {
        "a3": ("F1", "uptd_ppa", [("proposed", "10-01"), ("sent", "10-01"),
                                  ("received", "10-03"), ("accepted", "10-05")]),
        "a4": ("F3", "bp3mi", [("proposed", "10-02"), ("sent", "10-02"), ("received", "10-12"),
                               ("closed", "10-20")]),
        "a1": ("F4", "bp3mi", [("proposed", "09-20")]),
        "b1": ("F5", "uptd_ppa", [("proposed", "10-03"), ("sent", "10-04"),
                                  ("received", "10-09")]),
        "b2": ("F2", "uptd_ppa", [("proposed", "10-27"), ("sent", "10-27")]),
    }
    for key, (ref, service, steps) in plans.items():
        if key in ids:
            refer(db, ids[key], ref, service, steps)


def make(db: Path, *fills: Callable[[Store], dict[str, str]]) -> None:
    ids: dict[str, str] = {}
    with Store(db) as s:
        for fill in fills:
            ids.update(fill(s))
    referrals(db, ids)


@pytest.fixture
def laptops(tmp_path: Path, central: str, env: dict[str, str]) -> tuple[str, Path]:  # noqa: F811
    """Laptops A and B pushed to the centre, and C: one file holding both. (central, C)"""
    a, b, both = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "both.db"
    make(a, laptop_a)
    make(b, laptop_b)
    make(both, laptop_a, laptop_b)
    assert pushed(push(env, a, central))["added"] == 8
    assert pushed(push(env, b, central))["added"] == 5
    return central, both


def run(environ: dict[str, str], db: str, *args: str) -> str:
    result = invoke(environ, "report", "--db", db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def same(data: str) -> str:
    """A report without the moment it was made."""
    return re.sub(r'"generated_at": "[^"]+"', '"generated_at": "-"', data)


@pytest.mark.parametrize("args", [
    [*OCTOBER, "--format", "json"],
    [*OCTOBER, "--format", "json", "--share"],
    ["--since", "2026-09-01", "--until", "2026-12-31", "--format", "json"],  # months
    [*OCTOBER, "--format", "json", "-q", "returnee"],
    [*OCTOBER, "--format", "json", "--office", "Kanim Mukomuko"],
    [*OCTOBER, "--ui", "id"],
    [*OCTOBER, "--ui", "en", "--share"],
])
def test_the_report_of_the_centre_is_the_report_of_the_laptops_together(
    laptops: tuple[str, Path], env: dict[str, str], args: list[str],  # noqa: F811
) -> None:
    url, both = laptops
    at_centre = same(run(env, url, *args))
    assert at_centre == same(run(env, str(both), *args))
    if "json" in args:
        data = json.loads(at_centre)
        assert data["empty"] is False
        assert not any(secret in at_centre for secret in SECRETS)


def filled(table: dict) -> bool:
    return any(isinstance(v, int) and v > 0 for row in table["cells"] for v in row)


def test_every_table_is_filled_and_the_html_is_the_same(laptops: tuple[str, Path],
                                                         env: dict[str, str],  # noqa: F811
                                                         tmp_path: Path) -> None:
    """The comparison above means something only if every kind of figure is there."""
    url, both = laptops
    data = json.loads(run(env, url, *OCTOBER, "--format", "json"))
    tables = data["tables"]
    for table in ("screenings_by_period", "results_by_period", "dimensions", "indicators",
                  "departure_risk_by_period", "red_flags", "destination_alerts",
                  "referrals_by_status", "referral_milestones", "questions",
                  "content_versions", "officers"):
        assert filled(tables[table]), table
    assert any(t.startswith("journey.") and filled(tables[t]) for t in tables)
    assert data["referral_days_to_received"][0]["referrals"] == 3
    assert {p["part"] for p in data["not_recorded"]} == set()
    pytest.importorskip("matplotlib")
    html = {}
    for name, db in (("centre", url), ("laptops", str(both))):
        out = tmp_path / f"{name}.html"
        run(env, db, *OCTOBER, "--format", "html", "-o", str(out))
        html[name] = re.sub(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?Z?", "-",
                            out.read_text(encoding="utf-8"))
    assert html["centre"] == html["laptops"]


def test_the_report_reads_with_the_read_role_and_logs_what_a_laptop_logs(
    pg, laptops: tuple[str, Path], env: dict[str, str],  # noqa: ANN001, F811
) -> None:
    """Aggregates only: the laptop's report writes nothing to its trail, and neither does
    the centre's; the read role is enough."""
    from _postgres import SUPERUSER_PASSWORD

    url, both = laptops
    pg.login("analyst_report", "read-Pa55", "screening_read")
    reader = url.replace(f"postgres:{SUPERUSER_PASSWORD}", "analyst_report:read-Pa55")
    with sqlite3.connect(both) as con:
        before = con.execute("SELECT count(*) FROM events").fetchone()[0]
    run(env, str(both), *OCTOBER, "--format", "json")
    with sqlite3.connect(both) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == before
    run(env, reader, *OCTOBER, "--format", "json")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM screening.access").fetchone()[0] == 0


def test_bad_filters_at_the_centre_are_one_message(laptops: tuple[str, Path],
                                                   env: dict[str, str]) -> None:  # noqa: F811
    url, _ = laptops
    result = invoke(env, "report", "--db", url, "--office", "Kanim Mukomko")
    assert result.exit_code == 1
    assert "Kanim Mukomuko" in result.stderr and "Traceback" not in result.output
    result = invoke(env, "report", "--db", url, "-q", "departur")
    assert result.exit_code == 1 and "departure" in result.stderr


# -- list and export: the laptop's bytes --------------------------------------------------------


def _refer_first(db: Path) -> None:
    """A referral on the newest finished record (its CSV cell, its JSON)."""
    with sqlite3.connect(db) as con:
        rid = con.execute("SELECT id FROM records WHERE status = 'completed' "
                          "ORDER BY started_at DESC LIMIT 1").fetchone()[0]
    refer(db, rid, "F9", "uptd_ppa", [("proposed", "11-02"), ("sent", "11-02")])


def _central_only(doc: dict) -> dict:
    """A record of a central export as the laptop shapes it: the centre adds where it came
    from (device, office) and the referral steps, and its copy of the trail does not name
    each event's signer."""
    doc = {k: v for k, v in doc.items() if k not in ("device_id", "office", "referral_steps")}
    if "events" in doc:
        doc["events"] = [{k: v for k, v in e.items() if k != "signer"} for e in doc["events"]]
    return doc


def _laptop_only(doc: dict) -> dict:
    if "events" in doc:
        doc = dict(doc)
        doc["events"] = [{k: v for k, v in e.items() if k != "signer"} for e in doc["events"]]
    return doc


def test_list_and_export_at_the_centre_are_the_laptop_s_bytes(
    central: str, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path],  # noqa: F811
) -> None:
    """However the centre assembles a page of records (PostgreSQL gathers the answers and
    events of each), its list and its CSV export are the laptop's own bytes, sealed values
    stay sealed without the key and open with it; JSON and JSON Lines carry the same records
    (plus where each came from)."""
    db = tmp_path / "a.db"
    fill(db, 12, keys[1], seed=3)
    _refer_first(db)
    assert pushed(push(env, db, central))["added"] == 12

    def out(where: str, *args: str) -> str:
        result = invoke(env, "records", *args, "--db", where)
        assert result.exit_code == 0, result.output
        return result.stdout

    for args in (("list", "--status", "completed", "--format", "json"),
                 ("list", "--status", "completed", "--format", "csv"),
                 ("list", "--level", "high", "--format", "json"),
                 ("export", "--format", "csv", "--status", "completed"),
                 ("export", "--format", "csv", "--status", "completed", "--key", str(keys[0])),
                 ("export", "--format", "htcds", "--status", "completed", "--key",
                  str(keys[0]))):
        assert out(central, *args) == out(str(db), *args), args
    sealed = out(central, "export", "--format", "csv", "--status", "completed")
    assert "Contoh" not in sealed and "F9 uptd_ppa sent" in sealed
    assert "Contoh" in out(central, "export", "--format", "csv", "--key", str(keys[0]))
    for fmt in ("json", "jsonl"):
        for extra in ((), ("--key", str(keys[0]))):
            at_centre = out(central, "export", "--format", fmt, "--status", "completed", *extra)
            at_laptop = out(str(db), "export", "--format", fmt, "--status", "completed", *extra)
            docs = (json.loads(at_centre) if fmt == "json"
                    else [json.loads(line) for line in at_centre.splitlines()])
            mine = (json.loads(at_laptop) if fmt == "json"
                    else [json.loads(line) for line in at_laptop.splitlines()])
            assert [_central_only(d) for d in docs] == [_laptop_only(d) for d in mine]
            assert all(d["device_id"] for d in docs)
            # the same keys in the same order (answers in the order they were given)
            assert [list(d["answers"]) for d in docs] == [list(d["answers"]) for d in mine]


def test_a_central_listing_does_not_load_the_laptop_s_store() -> None:
    """A listing at the centre is mostly start-up: its reader needs neither SQLite's library
    (and the numpy it pulls in) nor the laptop's store, trail and outbox."""
    import subprocess
    import sys

    code = ("import sys; import screening.central.reader, screening.cli.records; "
            "print(sorted(m for m in ('sqlite_utils', 'numpy', 'screening.records.store', "
            "'screening.records.trail', 'screening.records.outbox') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_brief_records_at_the_centre_carry_what_a_csv_row_reads(
    central: str, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path],  # noqa: F811
) -> None:
    """``brief_records`` (what a CSV export without the key reads) is ``records`` without the
    events, with the answers in any order and the assessment cut to what a row shows, in its
    order; ``record_ids`` lists as ``list_records`` does."""
    from screening.central.reader import CentralStore

    db = tmp_path / "a.db"
    fill(db, 6, keys[1], seed=4)
    _refer_first(db)
    with Store(db) as s:  # a record with a whole assessment (dimensions, coverage)
        laptop_a(s)
    pushed(push(env, db, central))
    with CentralStore(central) as store:
        ids = list(store.record_ids(status="completed"))
        assert ids == [r["id"] for r in store.list_records(status="completed")]
        assert len(ids) == 14  # 6 and the 8 of laptop A
        full, brief = store.records(ids), store.brief_records(ids)
    assert [r["id"] for r in brief] == ids
    shown = 0
    for whole, cut in zip(full, brief, strict=True):
        assert cut["events"] == [] and whole["events"]
        assert cut["answers"] == whole["answers"]  # the same values (order aside)
        assessment = whole["assessment"]
        if assessment is None:
            assert cut["assessment"] is None
        else:
            shown += 1
            assert cut["assessment"] == {
                "trafficking_indicated": assessment.get("trafficking_indicated"),
                "coverage": assessment.get("coverage"),
                "dimensions": {d: {"positive": v.get("positive")}
                               for d, v in (assessment.get("dimensions") or {}).items()},
            }
            assert list(cut["assessment"]["dimensions"]) == list(assessment["dimensions"])
        rest = ("events", "answers", "assessment")
        assert {k: v for k, v in cut.items() if k not in rest} == \
            {k: v for k, v in whole.items() if k not in rest}
    assert shown >= 6


def test_csv_records_at_the_centre_are_brief_records_with_the_answers_as_stored(
    central: str, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path],  # noqa: F811
) -> None:
    """``csv_records`` (what the CSV row builder reads) is ``brief_records`` with each answer
    as stored (``qid\x1fvalue_json``): decoded, the same values; everything else the same."""
    from screening.central.reader import CentralStore

    db = tmp_path / "a.db"
    fill(db, 6, keys[1], seed=4)
    _refer_first(db)
    with Store(db) as s:
        laptop_a(s)
    pushed(push(env, db, central))
    with CentralStore(central) as store:
        ids = list(store.record_ids())
        brief, fast = store.brief_records(ids), store.csv_records(ids)
        assert store.csv_records([]) == []
    assert fast is not None and [r["id"] for r in fast] == ids
    assert sum(1 for r in fast if r["assessment"]) >= 6
    for cut, read in zip(brief, fast, strict=True):
        parts = [p.partition("\x1f") for p in read["answers"]]
        assert {q: json.loads(v) for q, _, v in parts} == cut["answers"]
        assert len(parts) == len(cut["answers"])
        assert {k: v for k, v in read.items() if k != "answers"} == \
            {k: v for k, v in cut.items() if k != "answers"}


#: What an odd or damaged body at the centre may hold (the newest record's): the page holding
#: it is read the old way, so the export is the old path's, exit code and messages alike.
CENTRAL_ODD = {
    "separator-in-value": "jsonb_set(body, '{answers,0,1}', to_jsonb('\"a' || chr(30) || "
                          "'b\"'))",
    "both-separators": "jsonb_set(body, '{answers,0,1}', to_jsonb('1' || chr(30) || 'age' || "
                       "chr(31) || '2'))",
    "null-value": "jsonb_set(body, '{answers,0,1}', 'null')",
    "json-null-value": "jsonb_set(body, '{answers,0,1}', '\"null\"')",
    "bad-json-assessment": "jsonb_set(body, '{row,assessment_json}', '\"{bad\"')",
    "empty-assessment": "jsonb_set(body, '{row,assessment_json}', '\"\"')",
    "odd-assessment-types": "jsonb_set(body, '{row,assessment_json}', to_jsonb(jsonb_set("
                            "jsonb_set((body #>> '{row,assessment_json}')::jsonb, "
                            "'{trafficking_indicated}', '1'), '{coverage}', '\"most\"')::text))",
    "no-dimensions": "jsonb_set(body, '{row,assessment_json}', to_jsonb(("
                     "(body #>> '{row,assessment_json}')::jsonb - 'dimensions')::text))",
}


@pytest.mark.parametrize("odd", sorted(CENTRAL_ODD))
def test_an_odd_body_at_the_centre_exports_as_the_old_path_does(
    central: str, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch, odd: str,
) -> None:
    from screening.central.reader import CentralStore

    db = tmp_path / "a.db"
    fill(db, 5, keys[1], seed=6)
    with Store(db) as s:
        laptop_a(s)
    pushed(push(env, db, central))
    with psycopg.connect(central) as conn:
        changed = conn.execute(
            f"UPDATE screening.records SET body = {CENTRAL_ODD[odd]} WHERE id = (SELECT id "
            "FROM screening.records WHERE body #>> '{row,assessment_json}' <> '' AND "
            "jsonb_array_length(body->'answers') > 0 ORDER BY started_at DESC LIMIT 1) "
            "AND body IS DISTINCT FROM " + CENTRAL_ODD[odd]).rowcount
    assert changed == 1  # and changed it
    read = CentralStore.csv_records
    served: list[bool] = []

    def spy(self: CentralStore, ids: list[str]) -> list | None:
        found = read(self, ids)
        served.append(found is not None)
        return found

    with monkeypatch.context() as patched:
        patched.setattr(CentralStore, "csv_records", spy)
        fast = invoke(env, "records", "export", "--db", central, "--format", "csv")
    assert served  # the fast path was asked
    if odd in ("empty-assessment", "json-null-value", "no-dimensions"):
        assert served == [True]  # it reads these itself
    else:
        assert served == [False]  # the page went the old way
    with monkeypatch.context() as patched:
        patched.setattr(CentralStore, "csv_records", None)  # the page read as before
        old = invoke(env, "records", "export", "--db", central, "--format", "csv")
    assert (fast.exit_code, fast.stdout, fast.stderr) == (old.exit_code, old.stdout, old.stderr)
    assert old.stdout.count("\n") > 5 or old.exit_code != 0


def test_the_listing_s_row_encoder_writes_what_json_writes() -> None:
    """The encoder made once for a whole listing gives each row the bytes
    ``JSONEncoder(ensure_ascii=False, default=str)`` gives it."""
    import datetime
    import decimal

    from screening.cli._output import _row_encoder

    encode, reference = _row_encoder(), json.JSONEncoder(ensure_ascii=False, default=str).encode
    for row in ({"id": "x", "n": 1, "none": None, "text": "é\n\"\\ \u2028\x1f", "f": 1.5,
                 "nested": [1, "2", {"t": True}], "inf": float("inf"), "neg": -0.0,
                 "big": 10**30, "day": datetime.date(2026, 1, 1),
                 "dec": decimal.Decimal("1.10")}, [1, "a"], "text", 3, None):
        assert encode(row) == reference(row)



def test_the_centre_writes_each_listed_record_as_python_json_would(
    central: str, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL writes each record of a JSON listing (``to_json``): the bytes Python's json
    writes, whatever the text holds; a server that escapes otherwise leaves it to Python."""
    from screening.central.reader import CentralStore
    from screening.cli.listing import CONTRACT_KEYS

    db = tmp_path / "a.db"
    fill(db, 3, keys[1], seed=5)
    assert pushed(push(env, db, central))["added"] == 3
    odd = ('quote " back \\ slash / tab\t nl\n cr\r \b \f \x01\x1f del\x7f Ñandú — 😀 '
           "\u2028\u2029\ufeff it's %s %% ?")
    with psycopg.connect(central) as conn:
        conn.execute("UPDATE screening.records SET officer = %s, location = '' WHERE id = "
                     "(SELECT id FROM screening.records ORDER BY started_at DESC LIMIT 1)", [odd])
    with CentralStore(central) as store:
        assert store._quotes_as_python()  # else this test would only see the fallback
        rows = [{k: row[k] for k in CONTRACT_KEYS} for row in store.list_records()]
        assert rows[0]["officer"] == odd and rows[0]["completed_at"] and len(rows) == 3
        for limit, wanted in ((None, {}), (1, {}), (2, {}), (None, {"level": "high"}),
                              (None, {"since": "2026-11-01T09:00"})):
            listed = list(store.list_json(CONTRACT_KEYS, limit=limit, **wanted))
            expected = [{k: row[k] for k in CONTRACT_KEYS}
                        for row in store.list_records(limit=limit, **wanted)]
            assert listed == [json.dumps(row, ensure_ascii=False) for row in expected]
    written = "[\n  " + ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"
    result = invoke(env, "records", "list", "--db", central, "--format", "json")
    assert result.exit_code == 0 and result.stdout == written
    monkeypatch.setattr(CentralStore, "_quotes_as_python", lambda self: False)
    result = invoke(env, "records", "list", "--db", central, "--format", "json")
    assert result.exit_code == 0 and result.stdout == written


def test_the_console_script_lists_the_centre_as_the_full_command(
    central: str, env: dict[str, str], tmp_path: Path, keys: tuple[Path, Path],  # noqa: F811
) -> None:
    """A plain JSON listing of the central database is answered before typer is imported,
    with the full command's bytes; so is a server that cannot be read (worded once, not
    tried twice)."""
    import os

    from test_listing import FULL, SCRIPT, run

    db = tmp_path / "a.db"
    fill(db, 4, keys[1], seed=7)
    assert pushed(push(env, db, central))["added"] == 4
    wrong = re.sub(r":[^:@/]+@", ":not-the-password@", central)
    closed = "postgresql://nobody@127.0.0.1:1/none"
    for args in (["--db", central, "--format", "json"],
                 ["--db", central, "--format", "json", "--level", "high", "--limit", "2"],
                 ["--db", wrong, "--format", "json"],
                 ["--db", closed, "--format", "json"],
                 ["--db", central, "--format", "csv"]):
        child = {**env, "HOME": str(tmp_path), "PGPASSFILE": os.devnull}
        fast = run(SCRIPT, child, "records", "list", *args)
        full = run(FULL, child, "records", "list", *args)
        imported = json.loads(fast.stderr.splitlines()[-1].replace("'", '"'))
        assert (fast.returncode, fast.stdout) == (full.returncode, full.stdout), args
        assert "\n".join(fast.stderr.splitlines()[:-1]) == full.stderr.rstrip("\n"), args
        assert fast.returncode == (0 if args[1] == central else 1), (args, fast.stderr)
        # the command line is loaded only to word an error, or for another format
        assert (imported == []) is ("json" in args and fast.returncode == 0), args
        if args == ["--db", central, "--format", "json"]:
            assert len(json.loads(fast.stdout)) == 4
