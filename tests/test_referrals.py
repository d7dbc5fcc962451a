"""Referrals: the lifecycle, consent and its override, `due`, the trail and erasure."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from _protect import case_answers, cli_env, invoke, make_keys, paper, write_form
from screening.records.store import Store
from screening.referrals.lifecycle import (
    NEXT,
    STATUSES,
    ReferralRefused,
    check_transition,
    decide_consent,
    is_due,
)

STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
REPO = Path(__file__).resolve().parent.parent
CHILD_CASE = next((REPO / "tests" / "cases").glob("*child-15-plantation.yaml"))  # renamed: ret-08-


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime(STAMP)


def ok(env: dict[str, str], *args: str, input: str | None = None):
    result = invoke(env, *args, input=input)
    assert result.exit_code == 0, result.output
    return result


def fails(env: dict[str, str], *args: str, code: int = 1):
    result = invoke(env, *args)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stderr


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path)


@pytest.fixture
def record(env: dict[str, str], tmp_path: Path) -> str:
    """A finished high-level adult departure record, consent to share given."""
    return paper(env, write_form(tmp_path / "form.json", case_answers()))


def add(env: dict[str, str], record_id: str, *args: str) -> str:
    return ok(env, "referrals", "add", record_id, *args).stdout.strip().splitlines()[-1]


# --- the lifecycle, as pure rules --------------------------------------------------------------


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_every_transition_is_allowed_or_refused_naming_the_allowed_ones(
    current: str, new: str
) -> None:
    outcome = "assisted" if new == "closed" else None
    if new in NEXT[current]:
        check_transition("R-TEST01", current, new, outcome=outcome, note=None)
        return
    with pytest.raises(ReferralRefused) as refused:
        check_transition("R-TEST01", current, new, outcome=outcome, note=None)
    if current == "closed":
        assert "is closed: its status cannot change any more" in refused.value.message
    else:
        for allowed in NEXT[current]:
            assert f"'{allowed}'" in refused.value.message
        assert refused.value.message.endswith(f"not to '{new}'.")


def test_the_path_from_proposed_to_closed() -> None:
    path = ["proposed", "sent", "received", "accepted", "services_started", "closed"]
    for current, new in zip(path, path[1:], strict=False):
        assert new in NEXT[current]
    assert NEXT["received"] == ("accepted", "declined", "closed")
    assert NEXT["closed"] == ()


def test_closing_needs_a_known_outcome_and_other_needs_a_note() -> None:
    with pytest.raises(ReferralRefused, match="needs --outcome: assisted, returned_home"):
        check_transition("R-1", "sent", "closed", outcome=None, note=None)
    with pytest.raises(ReferralRefused, match="'asisted' is not an outcome.*did you mean "
                       "'assisted'"):
        check_transition("R-1", "sent", "closed", outcome="asisted", note=None)
    with pytest.raises(ReferralRefused, match="'other' needs --note"):
        check_transition("R-1", "sent", "closed", outcome="other", note="  ")
    check_transition("R-1", "sent", "closed", outcome="other", note="moved to another city")
    with pytest.raises(ReferralRefused, match="--outcome goes with --status closed only"):
        check_transition("R-1", "proposed", "sent", outcome="assisted", note=None)
    with pytest.raises(ReferralRefused, match="'recieved' is not a referral status.*did you "
                       "mean 'received'"):
        check_transition("R-1", "sent", "recieved", outcome=None, note=None)


def consent(**kw: object):
    base: dict[str, object] = dict(service_id="uptd_ppa", child=False, child_protection=False,
                                   agreed=True, given_by="person", override=False,
                                   override_reason=None)
    base.update(kw)
    return decide_consent(**base)  # type: ignore[arg-type]


def test_consent_rules() -> None:
    assert consent().consent == "given"
    refused = consent(agreed=False)
    assert (refused.consent, refused.information_only) == ("refused", True)
    with pytest.raises(ReferralRefused, match="--override-consent needs a reason"):
        consent(agreed=False, override=True, override_reason=" ")
    overridden = consent(agreed=False, override=True, override_reason="court order 12/2026")
    assert (overridden.consent, overridden.information_only, overridden.override_reason) == (
        "overridden", False, "court order 12/2026")
    # a child's own agreement is not enough; a guardian's or social worker's is
    assert consent(child=True).information_only
    assert consent(child=True, given_by="guardian").consent == "given"
    assert consent(child=True, given_by="social_worker").consent == "given"
    with pytest.raises(ReferralRefused, match="'teacher' cannot give consent"):
        consent(given_by="teacher")


def test_a_childs_refusal_never_makes_child_protection_information_only() -> None:
    with pytest.raises(ReferralRefused) as refused:
        consent(child=True, child_protection=True, agreed=False)
    assert "the child refused. It goes ahead all the same: add --override-consent" in (
        refused.value.message)
    decision = consent(child=True, child_protection=True, agreed=False, override=True,
                       override_reason="unaccompanied child, UU 35/2014")
    assert (decision.consent, decision.information_only) == ("overridden", False)


def test_due_means_not_received_or_not_moved_on() -> None:
    now = datetime.now(UTC)
    assert is_due("sent", ago(8), ago(1), now=now, days=7)  # sent, never received
    assert not is_due("sent", ago(3), ago(1), now=now, days=7)
    assert is_due("accepted", ago(30), ago(8), now=now, days=7)  # accepted, then nothing
    assert not is_due("accepted", ago(30), ago(2), now=now, days=7)
    assert not is_due("services_started", ago(60), ago(50), now=now, days=7)  # help under way
    assert not is_due("closed", ago(60), ago(50), now=now, days=7)
    assert not is_due("sent", ago(8), ago(8), now=now, days=10)


# --- end to end, through the CLI -------------------------------------------------------------


def test_a_referral_from_proposed_to_closed(env: dict[str, str], record: str) -> None:
    ref = add(env, record, "--to", "uptd_ppa_bengkulu", "--reason", "needs a safe place")
    assert ref.startswith("R-") and len(ref) == 8
    for status in ("sent", "received", "accepted", "services_started"):
        ok(env, "referrals", "update", ref, "--status", status, "--officer", "petugas-03")
    ok(env, "referrals", "update", ref, "--status", "closed", "--outcome", "assisted",
       "--note", "stayed two weeks, went home")
    shown = json.loads(ok(env, "referrals", "show", ref, "-f", "json").stdout)
    assert [s["status"] for s in shown["steps"]] == [
        "proposed", "sent", "received", "accepted", "services_started", "closed"]
    assert shown["steps"][-1]["outcome"] == "assisted"
    assert shown["steps"][1]["officer"] == "petugas-03"
    listed = json.loads(ok(env, "referrals", "list", "--format", "json").stdout)
    assert len(listed) == 1
    assert {"id", "record_id", "service", "status", "created_at", "updated_at"} <= set(listed[0])
    assert (listed[0]["record_id"], listed[0]["service"], listed[0]["status"]) == (
        record, "uptd_ppa_bengkulu", "closed")
    # each change is in the audit trail with officer and time, and the trail verifies
    events = json.loads(ok(env, "records", "show", record, "-f", "json").stdout)["events"]
    kinds = [(e["kind"], (e["detail"] or {}).get("to")) for e in events
             if e["kind"].startswith("referral")]
    assert kinds == [("referral", None), ("referral_status", "sent"),
                     ("referral_status", "received"), ("referral_status", "accepted"),
                     ("referral_status", "services_started"), ("referral_status", "closed")]
    assert "needs a safe place" not in json.dumps(events)  # the trail holds no words
    ok(env, "records", "verify")
    # closed is closed
    stderr = fails(env, "referrals", "update", ref, "--status", "sent")
    assert "is closed: its status cannot change any more" in stderr


def test_a_refused_change_names_the_allowed_next_states(env: dict[str, str], record: str) -> None:
    ref = add(env, record, "--to", "bp3mi")
    stderr = fails(env, "referrals", "update", ref, "--status", "accepted")
    assert f"Referral {ref} is 'proposed': it can move to 'sent' or 'closed', not to " \
        "'accepted'." in stderr
    assert "Traceback" not in stderr
    # an id typed loosely still finds it; an unknown one gets a "did you mean"
    ok(env, "referrals", "update", ref.lower().replace("-", ""), "--status", "sent")
    stderr = fails(env, "referrals", "show", ref[:-1] + ("X" if ref[-1] != "X" else "Y"))
    assert f"did you mean '{ref}'?" in stderr


def test_refused_referrals_say_why(env: dict[str, str], record: str, tmp_path: Path) -> None:
    stderr = fails(env, "referrals", "add", record, "--to", "uptd_pp")
    assert "no service 'uptd_pp' in the directory (did you mean 'uptd_ppa'?)" in stderr
    stderr = fails(env, "referrals", "add", record[:-1] + "Z" if record[-1] != "Z"
                   else record[:-1] + "Y", "--to", "bp3mi")
    assert "There is no record" in stderr and "did you mean" in stderr
    answers = case_answers()
    draft_form = write_form(tmp_path / "draft.json",
                            {k: answers[k] for k in list(answers)[:8]})
    draft = paper(env, draft_form)
    stderr = fails(env, "referrals", "add", draft, "--to", "bp3mi")
    assert f"Record {draft} is still a draft: finish the interview" in stderr
    ok(env, "records", "erase", record, "--reason", "consent withdrawn")
    stderr = fails(env, "referrals", "add", record, "--to", "bp3mi")
    assert f"Record {record} was erased on" in stderr
    with Store(Path(env["SCREENING_DB"])) as store:
        assert store.list_referrals() == []


def test_without_consent_it_is_information_given_only(env: dict[str, str], record: str,
                                                       tmp_path: Path) -> None:
    ref = add(env, record, "--to", "legal_aid_bengkulu", "--no-consent")
    shown = json.loads(ok(env, "referrals", "show", ref, "-f", "json").stdout)
    assert (shown["status"], shown["outcome"], shown["consent"], shown["information_only"]) == (
        "closed", "information_given", "refused", True)
    stderr = fails(env, "referrals", "letter", ref, "-o", str(tmp_path / "l.html"))
    assert "recorded as information only" in stderr and not (tmp_path / "l.html").exists()
    # the override is logged with its reason
    ref2 = add(env, record, "--to", "legal_aid_bengkulu", "--no-consent", "--override-consent",
               "--override-reason", "court order 12/2026")
    assert json.loads(ok(env, "referrals", "show", ref2, "-f", "json").stdout)["status"] == \
        "proposed"
    events = json.loads(ok(env, "records", "show", record, "-f", "json").stdout)["events"]
    logged = [e["detail"] for e in events if e["kind"] == "referral"]
    assert logged[-1]["consent"] == "overridden"
    assert logged[-1]["override_reason"] == "court order 12/2026"
    stderr = fails(env, "referrals", "add", record, "--to", "bp3mi", "--no-consent",
                   "--override-consent")
    assert "--override-consent needs a reason" in stderr


def test_without_a_terminal_the_interviews_answer_on_sharing_is_used(
    env: dict[str, str], tmp_path: Path
) -> None:
    shared = paper(env, write_form(tmp_path / "a.json", case_answers(consent_share="yes")))
    withheld = paper(env, write_form(tmp_path / "b.json", case_answers(consent_share="no")))
    a = add(env, shared, "--to", "bp3mi")
    b = add(env, withheld, "--to", "bp3mi")
    with Store(Path(env["SCREENING_DB"])) as store:
        assert store.referral(a)["consent"] == "given"
        assert store.referral(b)["information_only"] is True


def test_a_child_referred_to_child_protection(env: dict[str, str], tmp_path: Path) -> None:
    from screening.interview.answers_file import read_answers_file

    child = paper(env, write_form(tmp_path / "c.json",
                                  dict(read_answers_file(CHILD_CASE).answers)), "returnee")
    stderr = fails(env, "referrals", "add", child, "--to", "uptd_ppa", "--no-consent")
    assert "child's referral to child protection (uptd_ppa) and the child refused" in stderr
    ref = add(env, child, "--to", "uptd_ppa", "--no-consent", "--override-consent",
              "--override-reason", "unaccompanied child")
    assert json.loads(ok(env, "referrals", "show", ref, "-f", "json").stdout)["consent"] == \
        "overridden"
    # the child's own yes is not enough for a service outside child protection
    ref = add(env, child, "--to", "legal_aid_bengkulu", "--consent")
    assert json.loads(ok(env, "referrals", "show", ref, "-f", "json").stdout)[
        "information_only"] is True
    ref = add(env, child, "--to", "legal_aid_bengkulu", "--consent", "--consent-by", "guardian")
    assert json.loads(ok(env, "referrals", "show", ref, "-f", "json").stdout)["consent"] == \
        "given"


def test_due_lists_the_forgotten_ones(env: dict[str, str], record: str) -> None:
    from screening.referrals.lifecycle import ConsentDecision

    given = ConsentDecision("given", "person", False)
    db = Path(env["SCREENING_DB"])
    service = {"id": "bp3mi", "name": {"id": "B", "en": "B"}, "kind": "x", "contact": ""}
    with Store(db) as store:
        old = store.add_referral(record, service=service, decision=given, reason=None,
                                 officer="a", at=ago(10))["id"]
        moved = store.add_referral(record, service=service, decision=given, reason=None,
                                   officer="a", at=ago(10))["id"]
        store.update_referral(moved, status="sent", outcome=None, note=None, officer="a",
                              at=ago(9))
        store.update_referral(moved, status="received", outcome=None, note=None, officer="a",
                              at=ago(1))
        store.add_referral(record, service=service, decision=given, reason=None, officer="a",
                           at=ago(2))
        started = store.add_referral(record, service=service, decision=given, reason=None,
                                     officer="a", at=ago(40))["id"]
        for status in ("sent", "received", "accepted", "services_started"):
            store.update_referral(started, status=status, outcome=None, note=None,
                                  officer="a", at=ago(39))
    due = json.loads(ok(env, "referrals", "due", "-f", "json").stdout)
    assert [r["id"] for r in due] == [old]
    assert json.loads(ok(env, "referrals", "due", "--days", "11", "-f", "json").stdout) == []
    overdue = json.loads(ok(env, "referrals", "list", "--overdue", "-f", "json").stdout)
    assert [r["id"] for r in overdue] == [old]
    assert len(json.loads(ok(env, "referrals", "list", "-f", "json").stdout)) == 4
    sent = json.loads(ok(env, "referrals", "list", "--status", "received", "-f", "json").stdout)
    assert [r["id"] for r in sent] == [moved]
    assert fails(env, "referrals", "list", "--status", "recieved", code=2)


def test_verify_names_an_edited_referral(env: dict[str, str], record: str) -> None:
    ref = add(env, record, "--to", "bp3mi", "--reason", "check the agency")
    ok(env, "referrals", "update", ref, "--status", "sent")
    ok(env, "records", "verify")
    db = Path(env["SCREENING_DB"])
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE referrals SET status = 'closed', outcome = 'assisted' WHERE id = ?",
                    [ref])
    con.close()
    result = invoke(env, "records", "verify")
    assert result.exit_code == 1
    assert f"referral {ref} (record {record}) was changed behind the tool's back: its " \
        "status, consent, words or status trail were edited" in result.output
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE referrals SET status = 'sent', outcome = NULL WHERE id = ?", [ref])
    ok(env, "records", "verify")
    with con, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE referral_steps SET status = 'closed'")
    with con:
        con.execute("DELETE FROM referral_steps WHERE status = 'sent'")
    result = invoke(env, "records", "verify")
    assert result.exit_code == 1 and f"referral {ref} (record {record}) was changed" in \
        result.output
    # a referral inserted, or deleted, behind the tool's back
    with con:
        con.execute("INSERT INTO referrals SELECT 'R-FAKE01', record_id, service_id, "
                    "service_json, status, outcome, consent, consent_by, override_reason, "
                    "information_only, reason, officer, created_at, updated_at, closed_at, "
                    "erased_at, trail_key FROM referrals WHERE id = ?", [ref])
    result = invoke(env, "records", "verify")
    assert "referral R-FAKE01" in result.output and "inserted behind the tool's back" in \
        result.output
    with con:
        con.execute("DELETE FROM referral_steps WHERE referral_id IN (?, 'R-FAKE01')", [ref])
        con.execute("DELETE FROM referrals WHERE id IN (?, 'R-FAKE01')", [ref])
    con.close()
    result = invoke(env, "records", "verify")
    assert result.exit_code == 1
    assert f"referral {ref} (record {record}) was deleted behind the tool's back" in \
        result.output
    # the record itself is untouched: its own check stays quiet
    assert f"record {record} was changed" not in result.output


def test_erasing_the_record_erases_the_referrals_words_and_keeps_their_trail(
    env: dict[str, str], record: str
) -> None:
    ref = add(env, record, "--to", "bp3mi", "--reason", "CANARY-REASON")
    ok(env, "referrals", "update", ref, "--status", "sent", "--note", "CANARY-NOTE")
    ok(env, "records", "erase", record, "--reason", "consent withdrawn")
    shown = json.loads(ok(env, "referrals", "show", ref, "-f", "json").stdout)
    assert shown["reason"] == {"erased": True}
    assert [(s["status"], s["note"]) for s in shown["steps"]] == [("proposed", None),
                                                                   ("sent", None)]
    ok(env, "records", "verify")
    db = Path(env["SCREENING_DB"])
    data = b"".join(Path(f"{db}{s}").read_bytes() for s in ("", "-wal")
                    if Path(f"{db}{s}").exists())
    assert b"CANARY" not in data
    # the status may still move on, anonymously
    ok(env, "referrals", "update", ref, "--status", "closed", "--outcome", "lost_contact")
    assert fails(env, "referrals", "update", ref, "--status", "closed") != ""


def test_office_key_records_keep_the_identity_out_of_the_letter_without_the_key(
    tmp_path: Path,
) -> None:
    private, public = make_keys(tmp_path / "keys")
    env = cli_env(tmp_path, public)
    record = paper(env, write_form(tmp_path / "f.json",
                                   case_answers(full_name="Siti CANARYNAME")))
    ref = add(env, record, "--to", "uptd_ppa_bengkulu", "--consent")
    plain = tmp_path / "plain.html"
    ok(env, "referrals", "letter", ref, "-o", str(plain))
    text = plain.read_text("utf-8")
    assert "CANARYNAME" not in text and "menyerahkannya secara langsung" in text
    assert record in text
    opened = tmp_path / "opened.html"
    ok(env, "referrals", "letter", ref, "-o", str(opened), "--key", str(private),
       "--lang", "en")
    text = opened.read_text("utf-8")
    assert "Siti CANARYNAME" in text and "Referral letter" in text
    assert oct(opened.stat().st_mode & 0o777) == "0o600"
    events = json.loads(ok(env, "records", "show", record, "-f", "json").stdout)["events"]
    assert {"kind": "decrypt", "via": "referrals letter"} in [
        {"kind": e["kind"], "via": (e["detail"] or {}).get("via")} for e in events]
    # an existing file is kept unless --force; the database is never written over
    assert "already exists" in fails(env, "referrals", "letter", ref, "-o", str(plain))
    ok(env, "referrals", "letter", ref, "-o", str(plain), "--force")
    stderr = fails(env, "referrals", "letter", ref, "-o", env["SCREENING_DB"], "--force")
    assert "is the records database" in stderr
    ok(env, "records", "verify")


def test_an_indonesian_officer_sees_no_english_of_the_catalogue(
    env: dict[str, str], record: str, tmp_path: Path
) -> None:
    from test_catalogue import english_on

    screens = {}
    result = invoke(env, "referrals", "add", record, "--to", "bp3mi", "--reason", "cek agen",
                    "--ui", "id")
    ref = result.stdout.strip().splitlines()[-1]
    screens["add"] = result.output
    screens["no_consent"] = invoke(env, "referrals", "add", record, "--to", "bp3mi",
                                   "--no-consent", "--ui", "id").output
    screens["update"] = invoke(env, "referrals", "update", ref, "--status", "sent",
                               "--ui", "id").output
    screens["list"] = invoke(env, "referrals", "list", "--ui", "id").output
    screens["due"] = invoke(env, "referrals", "due", "--ui", "id").output
    screens["show"] = invoke(env, "referrals", "show", ref, "--ui", "id").output
    screens["letter"] = invoke(env, "referrals", "letter", ref, "-o", str(tmp_path / "l.html"),
                               "--ui", "id").output
    screens["services"] = invoke(env, "services", "list", "--ui", "id").output
    screens["service"] = invoke(env, "services", "show", "bp3mi", "--ui", "id").output
    assert "Rujukan" in screens["add"] and "Surat rujukan" in screens["letter"]
    leaks = {name: english_on(screen) for name, screen in screens.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_exports_carry_the_referrals_and_never_their_words(
    env: dict[str, str], record: str, tmp_path: Path
) -> None:
    import csv
    import io

    made = add(env, record, "--to", "uptd_ppa_bengkulu", "--reason", "CANARY-REASON")
    ok(env, "referrals", "update", made, "--status", "sent", "--note", "CANARY-NOTE")
    add(env, record, "--to", "legal_aid_bengkulu", "--no-consent")  # information only
    # records export: a summary of each referral
    [row] = json.loads(ok(env, "records", "export", "-f", "json").stdout)
    assert [(r["service"], r["status"]) for r in row["referrals"]] == [
        ("uptd_ppa_bengkulu", "sent"), ("legal_aid_bengkulu", "closed")]
    [csv_row] = list(csv.DictReader(io.StringIO(ok(env, "records", "export", "-f",
                                                   "csv").stdout)))
    assert csv_row["referrals"] == (f"{made} uptd_ppa_bengkulu sent;"
                                    f"{row['referrals'][1]['id']} legal_aid_bengkulu "
                                    "closed/information_given")
    # HTCDS: the referrals made, not the information-only one, from the standard's picklists
    from _htcds import load_standard, problems

    standard = load_standard()
    [case] = json.loads(ok(env, "records", "export", "-f", "htcds", "--lang", "en").stdout)
    assert problems(case, standard) == []
    assert case["cas_ReferredOrganisation"] == (
        "UPTD PPA of Bengkulu Province (women and children protection service)")
    assert case["cas_Status"] == "FollowUp"
    assert [r["id"] for r in case["x_Referrals"]] == [made]
    assert case["cas_ReasonForOutgoingReferral"] == "AdditionalServicesRequired"
    assert case["cas_OutgoingReferralDate"] == row["referrals"][0]["created_at"][:10]
    ok(env, "referrals", "update", made, "--status", "closed", "--outcome", "assisted")
    [case] = json.loads(ok(env, "records", "export", "-f", "htcds").stdout)
    assert case["cas_Status"] == "ClosedReferred" and problems(case, standard) == []
    assert "CANARY" not in json.dumps(case)
    # referrals export: csv, json, jsonl; no words
    for fmt in ("csv", "json", "jsonl"):
        out = tmp_path / f"referrals.{fmt}"
        ok(env, "referrals", "export", "-f", fmt, "-o", str(out))
        text = out.read_text("utf-8")
        assert made in text and "CANARY" not in text
        assert oct(out.stat().st_mode & 0o777) == "0o600"
    rows = json.loads((tmp_path / "referrals.json").read_text("utf-8"))
    assert [s["status"] for s in rows[0]["steps"]] == ["proposed", "sent", "closed"]
    assert "already exists" in fails(env, "referrals", "export", "-o",
                                     str(tmp_path / "referrals.json"))
    ok(env, "records", "verify")
