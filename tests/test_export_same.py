"""The fast export writes what the old one wrote, byte for byte (issue 16): on records sealed at
finalize and in plaintext, changed, noted, referred, without consent, consent declined, drafts,
erased, and on a seeded database of varied answers; the answers a record is read with are the
ones decoded one by one; sealed values stay sealed."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from _export_reference import answers_one_by_one, reference_csv
from _protect import (
    PASSPHRASE,
    case_answers,
    cli_env,
    invoke,
    make_keys,
    paper,
    raw,
    write_form,
)
from screening.records.crypto import load_private_key
from screening.records.csv_rows import _field
from screening.records.queries import Queries
from screening.records.store import Store

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keys(tmp_path_factory.mktemp("keys") / "office")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory,
         office: tuple[Path, Path]) -> tuple[dict[str, str], dict[str, str]]:
    """(env, records): every kind of record an export meets, in one database."""
    tmp_path = tmp_path_factory.mktemp("made")
    env = cli_env(tmp_path, public=office[1])
    plain_env = cli_env(tmp_path)  # no office key: finalized in plaintext
    db = Path(env["SCREENING_DB"])
    full = case_answers(full_name="Siti Berubah", document_number="B 7654321")
    changed = paper(env, write_form(tmp_path / "a1.json", {
        k: v for k, v in full.items() if k != "education"}))
    with Store(db) as store:
        store.save_answer(changed, "age", 28, officer="uji", at="2026-11-27T08:01:00.000000Z",
                          reason="changed with :back")
        store.add_note(changed, "full_name", "paspor: Siti Aminah", officer="uji",
                       at="2026-11-27T08:02:00.000000Z")
    assert invoke(env, "interview", "resume", changed, "--answers",
                  str(write_form(tmp_path / "a2.json", full))).exit_code == 0
    records = {
        "changed": changed,
        "plain": paper(plain_env, write_form(tmp_path / "p.json", case_answers(
            full_name="Ayu Terbuka", dependants=["children"]))),
        "no_consent": paper(env, write_form(tmp_path / "b.json", case_answers(
            consent_share="no", full_name="Rina Tanpa Izin"))),
        "declined": paper(env, write_form(tmp_path / "c.json", {
            "private_room": "yes", "companion_separated": "yes",
            "interpreter_independent": "yes", "same_gender_offered": "yes",
            "comfort_offered": "yes", "consent": "no"})),
        "draft": paper(env, write_form(tmp_path / "d.json", {
            **dict(list(full.items())[:11]), "full_name": "Draf Nama"})),
        "erased": paper(plain_env, write_form(tmp_path / "e.json", case_answers(
            full_name="Hapus Saja"))),
        "referred": paper(env, write_form(tmp_path / "f.json", case_answers(
            full_name="Dirujuk Satu"))),
    }
    erased = invoke(env, "records", "erase", records["erased"], "--reason", "consent withdrawn")
    assert erased.exit_code == 0, erased.output
    referred = invoke(env, "referrals", "add", records["referred"], "--to", "bp3mi")
    assert referred.exit_code == 0, referred.output
    return env, records


def exported(env: dict[str, str], *args: str) -> str:
    result = invoke(env, "records", "export", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("lang", ["en", "id"])
def test_csv_is_byte_for_byte_the_old_export(made: tuple[dict, dict], lang: str) -> None:
    env, records = made
    db = Path(env["SCREENING_DB"])
    new = exported(env, "--format", "csv", "--lang", lang)
    assert new == reference_csv(db, lang=lang)
    rows = {line.split(",", 1)[0]: line for line in new.splitlines()[1:]}
    assert {k: v for k, v in records.items() if v not in rows} == {}
    # the kinds of record are all there, and nothing identifying left without the key
    for name in ("Siti", "Ayu", "Rina", "Draf", "Hapus", "Dirujuk", "Aminah", "B 7654321"):
        assert name not in new
    assert "R-" in rows[records["referred"]]
    assert ",erased," in rows[records["erased"]]


def test_a_filtered_csv_is_byte_for_byte_the_old_export(made: tuple[dict, dict]) -> None:
    env, _ = made
    db = Path(env["SCREENING_DB"])
    for args, filters in (
        (("--status", "completed", "--level", "high"), {"status": "completed", "level": "high"}),
        (("--status", "draft"), {"status": "draft"}),
        (("--level", "low"), {"level": "low"}),  # none: the header alone
    ):
        assert exported(env, "--format", "csv", *args) == reference_csv(db, filters=filters)


def test_csv_overriding_consent_is_byte_for_byte_the_old_export(
    made: tuple[dict, dict],
) -> None:
    """Without the key nothing identifying leaves anyway; the records without consent say
    'left out' rather than 'withheld'."""
    env, records = made
    db = Path(env["SCREENING_DB"])
    new = exported(env, "--format", "csv", "--override-consent", "--reason", "rujukan darurat")
    assert new == reference_csv(db, override_consent=True)
    assert ",withheld," not in new and ",withheld," in reference_csv(db)


def test_csv_with_the_key_is_byte_for_byte_the_old_export(
    made: tuple[dict, dict], office: tuple[Path, Path]
) -> None:
    env, records = made
    db = Path(env["SCREENING_DB"])
    new = exported(env, "--format", "csv", "--key", str(office[0]))
    private = load_private_key(office[0], PASSPHRASE)
    assert new == reference_csv(db, private=private)
    assert "Siti Berubah" in new and "paspor: Siti Aminah" in new  # opened, and only so
    assert "Hapus Saja" not in new
    assert exported(env, "--format", "csv", "--status", "completed", "--level", "high") == (
        reference_csv(db, filters={"status": "completed", "level": "high"}))


def test_records_are_read_with_the_answers_decoded_one_by_one(
    made: tuple[dict, dict],
) -> None:
    env, records = made
    with Store(Path(env["SCREENING_DB"])) as store:
        ids = list(store.record_ids())
        assert sorted(ids) == sorted(records.values())
        for record in store.records(ids):
            old = answers_one_by_one(store, record["id"])
            assert list(record["answers"].items()) == list(old.items())  # the order too
        for brief, fast in zip(store.brief_records(ids), store.csv_records(ids) or [],
                               strict=True):
            assert _decoded(fast["answers"]) == brief["answers"]
            for key in set(brief) - {"answers"}:
                assert fast[key] == brief[key], key
            for key in ("trafficking_indicated", "coverage"):
                if brief["assessment"] is not None:
                    assert type(fast["assessment"][key]) is type(brief["assessment"][key])
        for whole, brief in zip(store.records(ids), store.brief_records(ids), strict=True):
            assert brief["answers"] == whole["answers"]
            assert brief["events"] == [] and whole["events"]
            for key in set(whole) - {"answers", "events", "assessment"}:
                assert brief[key] == whole[key], key
            if whole["assessment"] is None:
                assert brief["assessment"] is None
                continue
            assessment = brief["assessment"]
            for key in ("trafficking_indicated", "coverage"):
                assert assessment[key] == whole["assessment"][key]
                assert type(assessment[key]) is type(whole["assessment"][key])
            assert [(d, r["positive"]) for d, r in assessment["dimensions"].items()] == [
                (d, r["positive"]) for d, r in whole["assessment"]["dimensions"].items()]


def test_a_value_sqlite_does_not_read_as_json_is_read_as_before(
    made: tuple[dict, dict], tmp_path: Path
) -> None:
    """NaN is Python's JSON, not SQLite's: that page is decoded one answer at a time."""
    env, records = made
    copy = tmp_path / "copy.db"
    with sqlite3.connect(env["SCREENING_DB"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    raw(copy).execute("UPDATE answers SET value_json = 'NaN' WHERE record_id = ? AND "
                      "question_id = 'age'", [records["plain"]])
    with Store(copy) as store:
        (record,) = store.records([records["plain"]])
        assert record["answers"]["age"] != record["answers"]["age"]  # NaN
        assert list(record["answers"]) == list(answers_one_by_one(store, records["plain"]))
        (brief,) = store.brief_records([records["plain"]])
        assert list(brief["answers"]) == list(record["answers"])
    new = exported({**env, "SCREENING_DB": str(copy)}, "--format", "csv")
    assert new == reference_csv(copy)
    assert ",nan," in new


def _decoded(parts: list[str]) -> dict[str, object]:
    """The answers of :meth:`Queries.csv_records` (``qid\x1fvalue_json``) decoded."""
    return {qid: json.loads(text) for qid, _, text in (p.partition("\x1f") for p in parts)}


def test_a_cell_is_quoted_as_csv_writer_quotes_it() -> None:
    texts = [chr(c) for c in range(0x3100)] + [
        "", " ", "a,b", 'a"b', '"', "a\r\nb", "\u2028", "x; y", "Diculik, dijual", "tab\tbed"]
    for text in texts:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(["x", text, "y"])
        assert out.getvalue() == f"x,{_field(text)},y\n", repr(text)


#: What a damaged or odd record may hold; the CSV is the old path's, byte for byte, exit code
#: and messages alike (the page with it is read the old way).
ODD = {
    "separator-in-value": "UPDATE answers SET value_json = '\"a' || char(30) || 'b\"' "
                          "WHERE record_id = ? AND question_id = 'age'",
    "both-separators": "UPDATE answers SET value_json = '1' || char(30) || 'age' || char(31) || "
                       "'2' WHERE record_id = ? AND question_id = 'education'",
    "bad-json-answer": "UPDATE answers SET value_json = '{bad' WHERE record_id = ? "
                       "AND question_id = 'age'",
    "bad-json-protected": "UPDATE answers SET value_json = '{bad' WHERE record_id = ? "
                          "AND question_id = 'full_name'",
    "flipped-answer": "UPDATE answers SET value_json = CAST(X'22FF22' AS TEXT) "
                      "WHERE record_id = ? AND question_id = 'age'",
    "bad-json-assessment": "UPDATE records SET assessment_json = '{bad' WHERE id = ?",
    "flipped-row": "UPDATE records SET officer = CAST(X'C328' AS TEXT) WHERE id = ?",
    "flipped-key": "UPDATE records SET id = CAST(X'C328' AS TEXT) || id WHERE id = ?",
    "odd-assessment-types": "UPDATE records SET assessment_json = json_set(assessment_json, "
                            "'$.trafficking_indicated', 1, '$.coverage', 'most') WHERE id = ?",
    "no-dimensions": "UPDATE records SET assessment_json = json_remove(assessment_json, "
                     "'$.dimensions') WHERE id = ?",
    "officer-with-quotes": "UPDATE records SET officer = 'Budi, \"Sr\"' || char(10) || 'x' "
                           "WHERE id = ?",
    "null-value": "UPDATE answers SET value_json = 'null' WHERE record_id = ? "
                  "AND question_id = 'age'",
}


@pytest.mark.parametrize("odd", sorted(ODD))
def test_an_odd_or_damaged_record_exports_as_the_old_path_does(
    made: tuple[dict, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    env, records = made
    copy = tmp_path / "copy.db"
    with sqlite3.connect(env["SCREENING_DB"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    copy.chmod(0o600)
    changed = raw(copy).execute(ODD[odd], [records["plain"]]).rowcount
    assert changed == 1
    env = {**env, "SCREENING_DB": str(copy)}
    fast = invoke(env, "records", "export", "--format", "csv")
    if not odd.startswith(("flipped", "bad-json", "separator", "both-separators")):
        assert fast.exit_code == 0, fast.output
        assert fast.stdout == reference_csv(copy)
    else:  # damaged (a value JSON does not read): named, left out, exit 1
        assert fast.exit_code == 1 and records["plain"] in fast.stderr
        assert records["plain"] not in fast.stdout
    with monkeypatch.context() as patched:
        patched.setattr(Queries, "csv_records", None)  # the page read as before
        old = invoke(env, "records", "export", "--format", "csv")
    assert (fast.exit_code, fast.stdout, fast.stderr) == (old.exit_code, old.stdout, old.stderr)


def test_the_seeded_database_exports_as_before_in_every_format(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import seed
    finally:
        sys.path.remove(str(BENCHMARKS))
    db = tmp_path / "seeded.db"
    seed.seed(db, 600, templates=24)
    env = cli_env(tmp_path, SCREENING_DB=str(db))
    for lang in ("en", "id"):
        assert exported(env, "--format", "csv", "--lang", lang) == reference_csv(db, lang=lang)
    with Store(db) as store:
        ids = list(store.record_ids())
        assert len(ids) == 600
        for record in store.records(ids[:200]):
            old = answers_one_by_one(store, record["id"])
            assert list(record["answers"].items()) == list(old.items())
    rows = json.loads(exported(env, "--format", "json"))
    assert [r["id"] for r in rows] == ids


def test_pages_whose_keys_cannot_be_read_are_exported_as_the_old_path_does(
    made: tuple[dict, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The oldest record's id damaged: the page's keys cannot be read, so the rest of the
    export goes the old way (which names the record); the seeded pages before it do not."""
    env, records = made
    copy = tmp_path / "copy.db"
    with sqlite3.connect(env["SCREENING_DB"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    copy.chmod(0o600)
    oldest = raw(copy).execute(
        "SELECT id FROM records ORDER BY started_at, id LIMIT 1").fetchone()[0]
    raw(copy).execute("UPDATE records SET id = CAST(X'C328' AS TEXT) || id WHERE id = ?",
                      [oldest])
    env = {**env, "SCREENING_DB": str(copy)}
    handed: list[object] = []
    ids_from = Queries.csv_range_ids
    with monkeypatch.context() as patched:
        patched.setattr(Queries, "csv_range_ids",
                        lambda self, filters, after, last: handed.append(last) or ids_from(
                            self, filters, after, last))
        fast = invoke(env, "records", "export", "--format", "csv")
    assert handed == [None]  # the rest, the old way
    assert fast.exit_code == 1 and oldest in fast.stderr
    with monkeypatch.context() as patched:
        patched.setattr(Queries, "csv_records", None)
        old = invoke(env, "records", "export", "--format", "csv")
    assert (fast.exit_code, fast.stdout, fast.stderr) == (old.exit_code, old.stdout, old.stderr)
    assert len(fast.stdout.splitlines()) == len(records)  # the header and all but one
