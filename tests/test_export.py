"""records export: nothing lost with the key, nothing leaked without it, faults named."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path

import pytest

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
from screening.records.protection import open_record
from screening.records.store import Store

AT = "2026-11-27T08:{:02d}:00.000000Z"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keys(tmp_path_factory.mktemp("keys") / "office")


@pytest.fixture
def env(tmp_path: Path, office: tuple[Path, Path]) -> dict[str, str]:
    return cli_env(tmp_path, public=office[1])


@pytest.fixture
def db(env: dict[str, str]) -> Path:
    return Path(env["SCREENING_DB"])


@pytest.fixture
def records(env: dict[str, str], db: Path, tmp_path: Path) -> dict[str, str]:
    """A record with changes and notes, one without consent to share, one whose consent was
    declined, and a draft."""
    full = case_answers(full_name="Siti Changed", document_number="B 1234567")
    partial = {k: v for k, v in full.items() if k != "education"}
    changed = paper(env, write_form(tmp_path / "a1.json", {**partial, "full_name": "Siti A"}))
    with Store(db) as store:
        store.save_answer(changed, "full_name", "Siti Changed", officer="uji", at=AT.format(1),
                          reason="changed with :back")
        store.save_answer(changed, "age", 28, officer="uji", at=AT.format(2),
                          reason="changed with :back")
        store.add_note(changed, "full_name", "passport says Siti Aminah", officer="uji",
                       at=AT.format(3))
        store.add_note(changed, None, "agent waited outside", officer="uji", at=AT.format(4))
    done = invoke(env, "interview", "resume", changed, "--answers",
                  str(write_form(tmp_path / "a2.json", full)))
    assert done.exit_code == 0, done.output
    return {
        "changed": changed,
        "no_consent": paper(env, write_form(tmp_path / "b.json", case_answers(
            consent_share="no", full_name="Rina Tanpa Izin"))),
        "declined": paper(env, write_form(tmp_path / "c.json", {
            "private_room": "yes", "companion_separated": "yes",
            "interpreter_independent": "yes", "same_gender_offered": "yes",
            "comfort_offered": "yes", "consent": "no"})),
        "draft": paper(env, write_form(tmp_path / "d.json", {
            **{k: v for k, v in list(full.items())[:11]}, "full_name": "Draf Nama"})),
    }


def exported(env: dict[str, str], *args: str) -> tuple[object, list[dict]]:
    result = invoke(env, "records", "export", *args)
    assert result.exit_code == 0, result.output
    return result, json.loads(result.stdout)


def test_round_trip_with_the_key_loses_nothing(
    env: dict[str, str], db: Path, records: dict[str, str], office: tuple[Path, Path]
) -> None:
    result, rows = exported(env, "--format", "json", "--key", str(office[0]),
                            "--override-consent", "--reason", "court order 12/2026")
    private = load_private_key(office[0], PASSPHRASE)
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == set(records.values())
    with Store(db) as store:
        for record_id in records.values():
            stored = open_record(store.record(record_id), private)
            row = by_id[record_id]
            for key in ("answers", "history", "notes", "assessment", "status", "outcome",
                        "level", "consent_share", "started_at", "completed_at", "officer"):
                assert row[key] == stored[key], (record_id, key)
            assert list(row["answers"]) == list(stored["answers"])  # the interview's order
    changed = by_id[records["changed"]]
    assert changed["identifying"] == "opened"
    assert changed["answers"]["full_name"] == "Siti Changed"
    assert [(h["question_id"], h["old_value"], h["new_value"]) for h in changed["history"]] == [
        ("full_name", "Siti A", "Siti Changed"), ("age", 27, 28)]
    assert [n["text"] for n in changed["notes"]] == ["passport says Siti Aminah",
                                                     "agent waited outside"]
    assert changed["assessment"]["level"] == "high"
    assert {"create", "finalize"} <= {e["kind"] for e in changed["events"]}
    # JSON Lines: the same objects, one a line
    lines = invoke(env, "records", "export", "--format", "jsonl", "--key", str(office[0]),
                   "--override-consent", "--reason", "court order 12/2026")
    assert [json.loads(line) for line in lines.stdout.splitlines()] == rows
    assert "Exported 4 record(s) to stdout" in result.stderr


def test_default_json_carries_identifying_data_sealed(
    env: dict[str, str], records: dict[str, str], office: tuple[Path, Path]
) -> None:
    _, rows = exported(env, "--format", "json")
    by_id = {row["id"]: row for row in rows}
    changed = by_id[records["changed"]]
    assert changed["identifying"] == "sealed"
    assert changed["answers"]["full_name"] == {"sealed": True}
    assert set(changed["sealed"]) >= {"alg", "key", "epk", "ciphertext"}
    # the envelope travels and opens elsewhere, bound to its record
    private = load_private_key(office[0], PASSPHRASE)
    assert open_record(changed, private)["answers"]["full_name"] == "Siti Changed"
    # a draft records its consent to share only when finished: withheld until then
    assert by_id[records["draft"]]["identifying"] == "withheld"
    assert by_id[records["draft"]]["answers"]["full_name"] == {"withheld": "no consent to share"}
    assert by_id[records["declined"]]["identifying"] == "none"
    for name in ("Siti", "Rina", "Draf"):
        assert name not in json.dumps(rows)
    # a draft is plaintext on the laptop: with consent overridden, it is sealed on the fly
    _, rows = exported(env, "--format", "json", "--override-consent", "--reason", "test")
    draft = next(row for row in rows if row["id"] == records["draft"])
    assert draft["identifying"] == "sealed"
    assert draft["answers"]["full_name"] == {"sealed": True}
    assert "Draf" not in json.dumps(rows)
    assert open_record(draft, private)["answers"]["full_name"] == "Draf Nama"


def test_csv_shape(env: dict[str, str], records: dict[str, str],
                   office: tuple[Path, Path]) -> None:
    plain = invoke(env, "records", "export", "--format", "csv", "--lang", "id")
    assert plain.exit_code == 0, plain.output
    rows = list(csv.DictReader(io.StringIO(plain.stdout)))
    assert sorted(r["id"] for r in rows) == sorted(records.values())  # one row per record
    header = next(csv.reader(io.StringIO(plain.stdout)))
    assert len(header) == len(set(header))
    for column in ("education", "education.label", "dependants", "dependants.label",
                   "dependants.children", "dependants.nobody", "passport_holder",
                   "passport_holder.label", "level", "identifying"):
        assert column in header
    # identifying and free-text columns are left out without the key
    for column in ("full_name", "document_number", "phone", "promised_wage", "anything_else",
                   "notes"):
        assert column not in header
    row = next(r for r in rows if r["id"] == records["changed"])
    assert (row["education"], row["education.label"]) == ("junior_secondary", "SMP")
    assert (row["dependants"], row["dependants.label"]) == ("children;parents",
                                                            "Anak; Orang tua")
    assert (row["dependants.children"], row["dependants.parents"],
            row["dependants.partner"]) == ("yes", "yes", "no")
    assert (row["level"], row["identifying"], row["changes"]) == ("high", "left out", "2")
    assert row["age"] == "28"
    english = invoke(env, "records", "export", "--format", "csv", "--lang", "en")
    row = next(r for r in csv.DictReader(io.StringIO(english.stdout))
               if r["id"] == records["changed"])
    assert row["education.label"] == "Junior secondary school"
    opened = invoke(env, "records", "export", "--format", "csv", "--key", str(office[0]))
    assert opened.exit_code == 0, opened.output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(opened.stdout))}
    assert rows[records["changed"]]["full_name"] == "Siti Changed"
    assert rows[records["changed"]]["notes"] == (
        "full_name: passport says Siti Aminah | -: agent waited outside")
    assert rows[records["no_consent"]]["full_name"] == "[withheld: no consent to share]"


def test_no_consent_keeps_identifying_data_home(
    env: dict[str, str], db: Path, records: dict[str, str], office: tuple[Path, Path]
) -> None:
    rid = records["no_consent"]
    for args in ([], ["--key", str(office[0])]):
        _, rows = exported(env, "--format", "json", *args)
        row = next(r for r in rows if r["id"] == rid)
        assert row["identifying"] == "withheld"
        assert row["answers"]["full_name"] == {"withheld": "no consent to share"}
        assert "sealed" not in row
        assert "Rina" not in json.dumps(rows)
    missing = invoke(env, "records", "export", "--override-consent")
    assert missing.exit_code == 2
    assert "--override-consent needs --reason TEXT" in missing.output
    _, rows = exported(env, "--format", "json", "--key", str(office[0]),
                       "--override-consent", "--reason", "police request 77/2026")
    row = next(r for r in rows if r["id"] == rid)
    assert row["answers"]["full_name"] == "Rina Tanpa Izin"
    with Store(db) as store:
        logged = [json.loads(d) for (d,) in store._db.execute(
            "SELECT detail_json FROM events WHERE kind IN ('export', 'decrypt') ORDER BY id")]
    assert logged[-2]["override_consent"] is True
    assert logged[-2]["reason"] == "police request 77/2026"
    # the draft (consent not recorded yet) was opened under the override too
    assert sorted(logged[-1]["override_consent"]) == sorted([rid, records["draft"]])
    assert logged[-1]["reason"] == "police request 77/2026"


def test_a_corrupted_record_is_named_and_the_others_still_leave(
    env: dict[str, str], db: Path, records: dict[str, str], office: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    second = paper(env, write_form(tmp_path / "e.json", case_answers(full_name="Dewi Utuh")))
    con = raw(db)
    envelope = json.loads(con.execute("SELECT sealed_json FROM records WHERE id = ?",
                                      [records["changed"]]).fetchone()[0])
    data = bytearray(base64.b64decode(envelope["ciphertext"]))
    data[5] ^= 0xFF
    envelope["ciphertext"] = base64.b64encode(bytes(data)).decode()
    con.execute("UPDATE records SET sealed_json = ? WHERE id = ?",
                [json.dumps(envelope), records["changed"]])
    out = tmp_path / "export.json"
    result = invoke(env, "records", "export", "--format", "json", "--key", str(office[0]),
                    "-o", str(out))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    stderr = result.stderr.replace("\n", " ")
    assert ("Error: 1 record(s) could not be opened; they were exported without their "
            "identifying data:") in stderr
    assert (f"{records['changed']}: the sealed data is damaged, or it was moved here from "
            "another record") in stderr
    rows = {row["id"]: row for row in json.loads(out.read_text("utf-8"))}
    assert set(rows) == {*records.values(), second}
    assert rows[second]["answers"]["full_name"] == "Dewi Utuh"
    assert rows[records["changed"]]["identifying"] == "unreadable"
    assert rows[records["changed"]]["answers"]["full_name"] == {"unreadable": True}
    assert rows[records["changed"]]["level"] == "high"


def test_faults_are_one_clear_error(env: dict[str, str], records: dict[str, str],
                                    office: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "out.csv"
    result = invoke(env, "records", "export", "--format", "csv", "-o", str(target))
    assert result.exit_code == 1
    assert (f"Error: Cannot write the export to {target}: the folder {target.parent} does not "
            "exist. Nothing was written or changed.") in " ".join(result.stderr.split())
    assert not target.parent.exists()
    other, _ = make_keys(tmp_path / "other")
    wrong = invoke(env, "records", "export", "--key", str(other), "-o", str(tmp_path / "x.json"))
    assert wrong.exit_code == 1
    assert f"Error: The private key {other} is not the office key these records were sealed " \
           "for" in wrong.stderr.replace("\n", " ")
    assert not (tmp_path / "x.json").exists()
    bad_pass = invoke({**env, "SCREENING_KEY_PASSPHRASE": "nope nope nope"}, "records",
                      "export", "--key", str(office[0]))
    assert bad_pass.exit_code == 1 and "The passphrase does not open" in bad_pass.stderr
    for failed in (result, wrong, bad_pass):
        assert "Traceback" not in failed.output and failed.stdout == ""


def test_an_export_file_is_owner_only_and_complete(
    env: dict[str, str], records: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "records.jsonl"
    result = invoke(env, "records", "export", "--format", "jsonl", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(out.read_text("utf-8").splitlines()) == 4
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert not list(tmp_path.glob(".records.jsonl.*"))  # no partial file left


def test_htcds(env: dict[str, str], records: dict[str, str], office: tuple[Path, Path]) -> None:
    result, cases = exported(env, "--format", "htcds")
    assert "Skipped 1 record(s): a draft (HTCDS holds cases)." in result.stderr
    assert "Skipped 1 record(s): consent declined (HTCDS holds cases)." in result.stderr
    by_id = {case["x_RecordId"]: case for case in cases}
    assert set(by_id) == {records["changed"], records["no_consent"]}
    case = by_id[records["changed"]]
    assert case["con_Consent"] is True
    assert "vic_AgreementToManagePersonalData" not in case  # deprecated in HTCDS 2.0
    # a broker (calo) is no recruitment channel the standard names: Other, said in x_
    assert case["vic_MethodOfRecruitment"] == ["Other"]
    assert "calo" in case["x_MethodOfRecruitmentDetails"]
    # coaching before departure is recruitment vulnerability (issue 10), which HTCDS 2.0 has
    # no field for: no "Other" method of control here
    assert set(case["vic_MethodsOfControl"]) == {
        "WithholdsDocuments", "DebtBondage", "TakesEarnings", "ExcessiveWorkingHours",
        "FalsePromises"}
    assert "x_MethodsOfControlDetails" not in case
    assert case["vic_TypeOfExploitation"] == ["ForcedLabour"]
    assert case["vic_ForcedLabourIndustry"] == "I_AccommodationAndFoodServiceActivities"
    assert case["vic_TraffickingStatus"] == "PossibleVictimOfTrafficking"
    assert not [field for field in case if field.startswith("cas_")]  # no referral records
    assert "prs_FirstName" not in case
    assert by_id[records["no_consent"]]["con_Consent"] is False
    _, opened = exported(env, "--format", "htcds", "--key", str(office[0]))
    by_id = {case["x_RecordId"]: case for case in opened}
    assert by_id[records["changed"]]["prs_FirstName"] == "Siti Changed"
    assert by_id[records["changed"]]["prs_IdentityNumber"] == "B 1234567"
    assert "prs_FirstName" not in by_id[records["no_consent"]]
    _, worded = exported(env, "--format", "htcds", "--lang", "id")
    assert "calo" in worded[0]["x_MethodOfRecruitmentDetails"]


def test_export_streams_page_by_page(
    env: dict[str, str], records: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import screening.records.exports as exporter
    import screening.records.queries as queries_module
    import screening.records.store as store_module

    monkeypatch.setattr(exporter, "PAGE", 1)
    monkeypatch.setattr(queries_module, "_PAGE", 1)
    log: list[str] = []
    read, write = store_module.Store.records, exporter.Sink.write
    monkeypatch.setattr(store_module.Store, "records",
                        lambda self, ids: log.append("read") or read(self, ids))
    monkeypatch.setattr(exporter.Sink, "write",
                        lambda self, text: log.append("write") or write(self, text))
    result = invoke(env, "records", "export", "--format", "jsonl", "--progress")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 4
    # each record is written before the next one is read: nothing piles up in memory
    assert log == ["read", "write"] * 4
    assert "Exporting" in result.stderr and "4/4" in result.stderr


def test_filters(env: dict[str, str], records: dict[str, str]) -> None:
    _, rows = exported(env, "--status", "draft")
    assert [r["id"] for r in rows] == [records["draft"]]
    _, rows = exported(env, "--level", "high", "--questionnaire", "departure")
    assert sorted(r["id"] for r in rows) == sorted([records["changed"], records["no_consent"]])
    _, rows = exported(env, "--since", "2999-01-01")
    assert rows == []
    bad = invoke(env, "records", "export", "--since", "yesterday")
    assert bad.exit_code == 2 and "'yesterday' is not a date" in bad.output
