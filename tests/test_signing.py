"""Tamper evidence that does not rest on the file: every event and every sealed envelope is
signed by this device's key, which lives outside the database (issue 11, fault 2)."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

import screening.records.database as store_module
from _protect import invoke, make_keys, raw, write_form
from screening.content.catalogue import hash_texts
from screening.records.chain import ChainCheck, Event, event_hash, signed_message
from screening.records.crypto import seal
from screening.records.database import MIGRATIONS
from screening.records.store import Store

MEDIUM = {"consent": "yes", "age": 30, "job_offer": "no", "passport_held": "yes",
          "danger": "no", "name": "Nama Uji"}
QI = hash_texts("q", "i")


@pytest.fixture
def env(tmp_path: Path, mini_content: Path) -> dict[str, str]:
    return {"SCREENING_DB": str(tmp_path / "records.db"), "SCREENING_CONTENT": str(mini_content)}


@pytest.fixture
def db(env: dict[str, str]) -> Path:
    return Path(env["SCREENING_DB"])


def interview(env: dict[str, str], tmp_path: Path, answers: dict, name: str = "a") -> str:
    form = write_form(tmp_path / f"{name}.json", answers)
    result = invoke(env, "interview", "start", "mini", "--answers", str(form))
    assert result.exit_code in (0, 3), result.output
    return result.stdout.strip().splitlines()[-1]


def problems(env: dict[str, str], *args: str) -> tuple[int, list[str], dict]:
    result = invoke(env, "records", "verify", "--format", "json", *args)
    report = json.loads(result.stdout)
    return result.exit_code, [p["problem"] for p in report["problems"]], report


def forge(db: Path, rid: str, *, sign_with: object = None) -> int:
    """The forgery of issue 11, as someone holding only the file (and the open source code)
    would do it: level low, an answer edited, the digests recomputed with the per-record key
    the file holds, and one event appended, chained to the head. Returns the new event's id."""
    con = raw(db)
    con.execute("UPDATE records SET level = 'low' WHERE id = ?", [rid])
    con.execute("UPDATE answers SET value_json = '\"no\"' WHERE record_id = ? "
                "AND question_id = 'passport_held'", [rid])
    con.close()
    with Store(db) as store:  # opening writes nothing; _digests reads what the file holds
        state, fields, values = store._digests(rid)
    digest_json = json.dumps({"state": state, "fields": fields, "answers": values},
                             sort_keys=True)
    con = raw(db)
    last_id, head = con.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    new_id, at = last_id + 1, "2026-11-29T10:00:00.000000Z"
    new_hash = event_hash(head, new_id, rid, "finalize", "petugas-uji", at, None, digest_json)
    signer = signature = None
    if sign_with is not None:  # a key of the forger's own, recorded in the file
        from cryptography.hazmat.primitives import serialization

        from screening.records.chain import fingerprint

        raw_public = sign_with.public_key().public_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        signer = fingerprint(raw_public)
        signature = base64.b64encode(
            sign_with.sign(signed_message(new_hash))).decode()  # type: ignore[attr-defined]
        con.execute("INSERT INTO devices VALUES (?, ?, 'now')",
                    [signer, base64.b64encode(raw_public).decode()])
    con.execute(
        "INSERT INTO events (id, record_id, kind, officer, at, detail_json, digest_json, "
        "prev_hash, hash, signer, signature) VALUES (?, ?, 'finalize', 'petugas-uji', ?, NULL, "
        "?, ?, ?, ?, ?)",
        [new_id, rid, at, digest_json, head, new_hash, signer, signature],
    )
    con.close()
    return new_id


def test_the_forgery_of_issue_11_no_longer_fools_verify(
    env: dict[str, str], tmp_path: Path, db: Path
) -> None:
    rid = interview(env, tmp_path, MEDIUM)
    assert problems(env)[0] == 0
    new_id = forge(db, rid)
    assert invoke(env, "records", "show", rid, "--format", "json").exit_code == 0
    code, found, _ = problems(env)
    assert code == 1
    assert found[0] == (
        f"event {new_id} (finalize, record {rid}) is not signed, yet every event since event 1 "
        "is: it was added behind the tool's back"
    )
    # The re-scoring names the edit too: the stored level is not what the answers give.
    assert found[1:] == [
        f"record {rid}: its stored assessment is not what its answers score under its own "
        "content (scoring version 1): its level column says low, its assessment medium; "
        "level: medium → low; coercion_destination: positive no → no; "
        "strong/medium/weak 1/0/0 → 0/0/0; coercion_destination.confiscation_of_documents: "
        "no longer counted (no answer maps to it any more)"
    ]


def test_a_forger_signing_with_a_key_of_their_own_is_named(
    env: dict[str, str], tmp_path: Path, db: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    rid = interview(env, tmp_path, MEDIUM)
    forger = Ed25519PrivateKey.generate()
    new_id = forge(db, rid, sign_with=forger)
    code, found, report = problems(env)
    assert code == 1
    (fp,) = [k for k in report["signers"] if k != report["device"]]
    assert found[:1] == [
        f"event {new_id} is signed by device {fp}, which is not this device and not one named "
        "with --device: a key recorded only in the file proves nothing. If "
        f"{fp} is the laptop that wrote them (see 'screening keys device' on it), verify again "
        f"with --device {fp}"
    ]
    # Naming a device on purpose accepts its signatures: the office that knows a laptop's
    # fingerprint can check a copy of its database.
    named = problems(env, "--device", fp)[1]
    assert named == found[1:] and found[1].startswith(f"record {rid}: its stored assessment")


def test_a_copied_signature_or_an_edited_signed_event_is_named(
    env: dict[str, str], tmp_path: Path, db: Path
) -> None:
    rid = interview(env, tmp_path, MEDIUM)
    con = raw(db)
    con.execute("DROP TRIGGER events_append_only")
    first, second = con.execute(
        "SELECT id, signature FROM events WHERE record_id = ? ORDER BY id LIMIT 2", [rid]
    ).fetchall()
    con.execute("UPDATE events SET signature = ? WHERE id = ?", [first[1], second[0]])
    code, found, _ = problems(env)
    assert code == 1
    assert found == [
        f"event {second[0]} (answer, record {rid}) does not carry a valid signature of device "
        f"{problems(env)[2]['device']}: it was edited or forged behind the tool's back"
    ]


def test_this_devices_events_verify_without_its_row_in_the_file(
    env: dict[str, str], tmp_path: Path, db: Path
) -> None:
    interview(env, tmp_path, MEDIUM)
    raw(db).execute("DELETE FROM devices")
    assert problems(env) == (0, [], problems(env)[2])


def test_the_device_key_lives_outside_the_database_owner_only(
    env: dict[str, str], tmp_path: Path, db: Path
) -> None:
    rid = interview(env, tmp_path, MEDIUM)
    shown = invoke(env, "keys", "device", "--format", "json")
    assert shown.exit_code == 0, shown.output
    device = json.loads(shown.stdout)
    key_file = Path(device["path"])
    assert key_file.exists() and not key_file.is_relative_to(db.parent)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    con = raw(db)
    assert con.execute("SELECT fingerprint, public_key FROM devices").fetchall() == [
        (device["fingerprint"], device["public_key"])
    ]
    signers = {s for (s,) in con.execute("SELECT signer FROM events WHERE record_id = ?", [rid])}
    assert signers == {device["fingerprint"]}
    assert b"PRIVATE" not in db.read_bytes()


def test_a_view_cannot_carry_a_new_state(db: Path) -> None:
    with Store(db) as store:
        rid = store.create_record(
            questionnaire_id="mini", questionnaire_version="1", content_hash=QI,
            snapshot={"questionnaire": "q", "indicator_set": "i"}, officer="uji",
            location="x", language="id", started_at="2026-11-27T08:00:00.000000Z",
        )
        state, _, _ = store._digests(rid)
        with store._write("test"):  # as a bug would: signed, but of a kind that changes nothing
            store._event(rid, "view", "uji", "2026-11-27T08:01:00.000000Z", None,
                         {"state": state})
        report = store.verify()
    assert [p["problem"] for p in report["problems"]] == [
        f"event 3 (view, record {rid}) carries a new state for the record, but a 'view' never "
        "changes a record: it was forged"
    ]


def test_an_edited_content_snapshot_is_named(
    env: dict[str, str], tmp_path: Path, db: Path
) -> None:
    interview(env, tmp_path, MEDIUM)
    con = raw(db)
    stored = con.execute("SELECT hash FROM content").fetchone()[0]
    con.execute("UPDATE content SET indicator_set_yaml = replace(indicator_set_yaml, "
                "'adult-labour: strong', 'adult-labour: weak')")
    code, found, _ = problems(env)
    assert code == 1
    assert found == [
        f"the content snapshot {stored[:16]} was edited behind the tool's back: its texts no "
        "longer match its hash"
    ]


def test_a_forged_envelope_is_told_from_one_made_here(
    env: dict[str, str], tmp_path: Path, db: Path
) -> None:
    private, public = make_keys(tmp_path / "keys")
    env = {**env, "SCREENING_PUBLIC_KEY": str(public),
           "SCREENING_KEY_PASSPHRASE": "correct horse battery staple"}
    rid = interview(env, tmp_path, MEDIUM)
    genuine = invoke(env, "records", "show", rid, "--key", str(private), "--format", "json")
    assert genuine.exit_code == 0, genuine.output
    assert json.loads(genuine.stdout)["answers"]["name"] == "Nama Uji"
    # Anyone holding the office PUBLIC key can seal a payload of their choosing.
    from screening.records.crypto import load_public_key

    forged = {"v": 1, "answers": {"name": "Nama Palsu"}, "history": {}, "notes": {}}
    envelope = seal(json.dumps(forged).encode(), load_public_key(public), rid.encode())
    con = raw(db)
    con.execute("UPDATE records SET sealed_json = ? WHERE id = ?",
                [json.dumps(envelope, sort_keys=True), rid])
    shown = invoke(env, "records", "show", rid, "--key", str(private))
    assert shown.exit_code == 1
    assert "is not signed, yet the record was sealed on device" in shown.output
    assert "Nama Palsu" not in shown.output
    code, found, _ = problems(env)
    assert code == 1
    assert found == [f"record {rid} was changed behind the tool's back: its details were "
                     "edited (sealed_json)"]


def test_records_from_before_signing_still_verify_and_read(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:4])
    with Store(db) as store:  # a database as the previous version wrote it
        rid = store.create_record(
            questionnaire_id="mini", questionnaire_version="1", content_hash=QI,
            snapshot={"questionnaire": "q", "indicator_set": "i"}, officer="uji",
            location="x", language="id", started_at="2026-11-27T08:00:00.000000Z",
        )
        store.save_answer(rid, "age", 30, officer="uji", at="2026-11-27T08:01:00.000000Z")
    con = raw(db)
    assert "signer" not in {c[1] for c in con.execute("PRAGMA table_info(events)")}
    con.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store(db) as store:
        report = store.verify()
        assert store.record(rid)["answers"] == {"age": 30}
        store.save_answer(rid, "age", 31, officer="uji", at="2026-11-27T08:02:00.000000Z")
        after = store.verify()
    assert report["ok"] is True, report["problems"]
    assert report["notes"] == [
        "2 event(s) were written before signing began (unsigned, from an older version of "
        "screening); signed event 3 follows them in the chain and vouches that they have not "
        "changed since"
    ]
    assert after["ok"] is True and after["events"] == 4


def test_the_chain_check_needs_no_sqlite() -> None:
    """A central copy checks pushed rows with the same pure function."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from screening.records.chain import GENESIS, fingerprint

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    fp = fingerprint(public)
    rows, prev = [], GENESIS
    for n, kind in enumerate(["create", "view", "answer"], start=1):
        h = event_hash(prev, n, "R", kind, "uji", "t", None, None)
        sig = base64.b64encode(key.sign(signed_message(h))).decode()
        rows.append(Event(n, "R", kind, "uji", "t", None, None, prev, h, fp, sig))
        prev = h
    found: list[str] = []
    walk = ChainCheck(lambda what, ident, text: found.append(text), keys={fp: public},
                      trusted={fp})
    for row in rows:
        walk.add(row)
    walk.finish()
    assert (found, walk.head, walk.signers) == ([], prev, {fp: 3})
    tampered = ChainCheck(lambda what, ident, text: found.append(text), keys={fp: public},
                          trusted={fp})
    for row in [rows[0], rows[2]]:
        tampered.add(row)
    tampered.finish()
    assert found == ["event(s) 2 were deleted (the trail jumps from event 1 to 3)"]


def test_a_damaged_device_key_is_one_clear_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    interview(env, tmp_path, MEDIUM)
    key_file = Path(json.loads(invoke(env, "keys", "device", "--format", "json").stdout)["path"])
    from screening.records import device

    device._loaded.clear()
    key_file.write_text("not a key")
    os.chmod(key_file, 0o600)
    result = invoke(env, "interview", "start", "mini", "--answers",
                    str(write_form(tmp_path / "b.json", MEDIUM)))
    device._loaded.clear()
    assert result.exit_code == 1
    assert "signing key" in result.output and "cannot be used" in result.output
    assert "Traceback" not in result.output


def test_processes_making_the_key_at_once_share_one(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("from screening.records.device import device_key; "
            "print(device_key().fingerprint)")
    env = {**os.environ, "SCREENING_DEVICE_KEY": str(tmp_path / "keys" / "device.pem")}
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              text=True) for _ in range(6)]
    prints = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(prints) == 1 and prints != {""}
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["device.pem"]


def test_the_key_file_reads_the_same_by_the_fast_path_and_the_general_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interview start reads the key file without cryptography's serialization module;
    any file not exactly as made here goes the general way, with the same refusals."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

    from screening.records import device

    path = tmp_path / "device.pem"
    monkeypatch.setenv(device.DEVICE_KEY_ENV, str(path))
    monkeypatch.setattr(device, "_loaded", {})
    made = device.device_key()
    assert made is not None and device._seed(path.read_bytes()) is not None
    general = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert made.raw_public == general.public_key().public_bytes_raw()  # type: ignore[union-attr]
    message = b"screening event v1\0" + b"0" * 64
    general.public_key().verify(base64.b64decode(made.sign(message)), message)  # type: ignore[union-attr,call-arg]
    # The same key, written with Windows line ends: not the exact shape, read the general way.
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert device._seed(path.read_bytes()) is None
    assert device._read(path).fingerprint == made.fingerprint
    # Not Ed25519, or not a key at all: refused as before.
    ec = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(ec)
    with pytest.raises(device.DeviceKeyProblem, match="not an Ed25519 key"):
        device._read(path)
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n")
    with pytest.raises(device.DeviceKeyProblem, match="damaged, or not a key"):
        device._read(path)
