"""The directory of services: content, validation, `screening services`, and the levels'
referrals resolving against it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import MINI_SCRIPT, MINI_SET, write_content
from screening.cli.main import app
from screening.content.catalogue import bundled_root, check, from_snapshot, load_catalogue

runner = CliRunner()
WIDE = {"COLUMNS": "400"}


def run(*args: str, env: dict[str, str] | None = None, code: int = 0):
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def directory(*services: str, checked_on: str | None = None) -> str:
    """A directory YAML with the given service entries (each a YAML flow mapping's body)."""
    day = checked_on or date.today().isoformat()
    body = "\n".join(
        f"  - {{{s}, name: {{id: N, en: N}}, description: {{id: D, en: D}}, "
        f"area: Bengkulu, checked_on: {day}}}"
        for s in services
    )
    return (
        "kind: service_directory\nid: test\nversion: '1'\nlanguages: [id, en]\n"
        "title: {id: T, en: T}\nservices:\n" + body + "\n"
    )


POLICE = ("id: police, kind: police_protection, serves: [children, women, men], "
          "contacts: [{kind: phone, value: '110', line: Polisi, confirmed: true}]")
HOTLINE = ("id: sapa, kind: uptd_ppa, serves: [children, women], "
           "contacts: [{kind: whatsapp, value: '08111-129-129', line: SAPA 129}]")
ADULTS = ("id: bp3mi, kind: migrant_worker_protection, serves: [men, women], "
          "contacts: [{kind: phone, value: '0800-1000'}]")


def content_with(tmp_path: Path, directory_text: str, levels_referrals: str) -> Path:
    indicator_set = MINI_SET.replace(
        "when: [trafficking_combination]}",
        f"when: [trafficking_combination], referrals: {levels_referrals}}}",
    )
    return write_content(tmp_path / "content", {
        "indicators/mini.yaml": indicator_set,
        "questionnaires/mini.yaml": MINI_SCRIPT,
        "services/test.yaml": directory_text,
    })


def test_bundled_directory_validates_and_lists_in_the_contract_shape() -> None:
    result = run("services", "list", "--format", "json")
    rows = json.loads(result.stdout)
    for row in rows:
        assert {"id", "name", "kind", "serves", "area", "contacts", "checked_on"} <= set(row)
        assert set(row["name"]) == {"en", "id"}
        date.fromisoformat(row["checked_on"])
    ids = {row["id"] for row in rows}
    # Every referral a level names is a service of the directory (today's ids, kept).
    raw = yaml.safe_load((bundled_root() / "indicators/ilo-2009.yaml").read_text("utf-8"))
    named = {r for level in raw["levels"] for r in level.get("referrals", [])}
    assert named and named <= ids
    assert "referrals" not in raw  # the contacts live in the directory only
    assert {"uptd_ppa_bengkulu", "bp3mi_bengkulu", "shelter_bengkulu"} <= ids


def test_every_local_number_is_marked_check_locally_and_sapa_has_one_number() -> None:
    raw = yaml.safe_load((bundled_root() / "services/directory.yaml").read_text("utf-8"))
    sapa = set()
    for service in raw["services"]:
        for contact in service["contacts"]:
            if contact.get("line") == "SAPA 129":
                sapa.add((contact["kind"], contact["value"]))
            if service["area"] != "national" and contact["kind"] in ("phone", "whatsapp"):
                # a local entry only carries national lines, never a number made up here
                assert contact.get("line"), service["id"]
    assert sapa == {("phone", "021-129"), ("whatsapp", "08111-129-129")}


def test_list_filters_by_who_is_served_and_kind() -> None:
    children = json.loads(run("services", "list", "--serves", "child", "-f", "json").stdout)
    assert children and all("children" in row["serves"] for row in children)
    assert "bp3mi" not in {row["id"] for row in children}
    shelters = json.loads(run("services", "list", "--kind", "shelter", "-f", "json").stdout)
    assert [row["kind"] for row in shelters] == ["shelter"] * len(shelters) and shelters
    csv_out = run("services", "list", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == "id,kind,name,serves,area,contact,checked_on"


def test_bad_filters_and_unknown_services_get_one_message() -> None:
    result = run("services", "list", "--kind", "shelte", code=2)
    assert "did you mean 'shelter'" in result.output
    result = run("services", "show", "uptd_pp", code=1)
    assert "no service 'uptd_pp' in the directory (did you mean 'uptd_ppa'?)" in result.output


def test_show_marks_unconfirmed_contacts(tmp_path: Path) -> None:
    root = content_with(tmp_path, directory(POLICE, HOTLINE), "[police]")
    result = run("services", "show", "sapa", "--ui", "en", "--content", str(root), env=WIDE)
    assert "whatsapp: SAPA 129: 08111-129-129  (check locally)" in result.stdout
    result = run("services", "show", "police", "--ui", "en", "--content", str(root), env=WIDE)
    assert "phone: Polisi: 110\n" in result.stdout


def test_validate_warns_on_an_old_entry_and_on_one_line_with_two_numbers(tmp_path: Path) -> None:
    old = (date.today() - timedelta(days=400)).isoformat()
    other = HOTLINE.replace("id: sapa", "id: sapa2").replace("08111-129-129", "08111-129-000")
    root = content_with(tmp_path, directory(POLICE, HOTLINE, checked_on=old), "[police]")
    (root / "services/more.yaml").write_text(
        directory(other).replace("id: test", "id: more"), "utf-8"
    )
    result = run("validate", "--content", str(root), "--format", "json")
    warnings = json.loads(result.stdout)["warnings"]
    messages = [w["message"] for w in warnings]
    assert f"service 'police' was last checked on {old}, more than a year ago: call or visit " \
        "it, then update checked_on" in messages
    # files are read in order: services/more.yaml (sapa2) first
    assert ("service 'sapa': the whatsapp of 'SAPA 129' is 08111-129-129 here but "
            "08111-129-000 in service 'sapa2': keep one number") in messages
    run("validate", "--content", str(root), "--strict", code=1)


def test_a_level_naming_an_unknown_service_is_an_error(tmp_path: Path) -> None:
    root = content_with(tmp_path, directory(POLICE), "[polise]")
    catalogue = check([root / "indicators", root / "questionnaires", root / "services"])
    assert [d.message for d in catalogue.errors] == [
        "level 'high': unknown referral 'polise' (did you mean 'police'?)"
    ]
    # A lone indicator set is checked against the active directory.
    result = run("validate", str(root / "indicators/mini.yaml"), "--content", str(root),
                 code=1)
    assert "unknown referral 'polise' (did you mean 'police'?)" in result.output


def test_the_assessment_carries_the_directory_contacts_for_the_profile(tmp_path: Path) -> None:
    root = content_with(tmp_path, directory(POLICE, HOTLINE, ADULTS), "[police, sapa, bp3mi]")
    from screening.assessment.scoring import score

    indicator_set = load_catalogue(root).indicator_set("mini")
    present = ["deceptive_recruitment.nature_of_job", "deceptive_recruitment.wages",
               "exploitation.excessive_hours", "exploitation.low_or_no_salary",
               "coercion_destination.confiscation_of_documents",
               "coercion_destination.isolation"]
    child = score(indicator_set, "child-labour", present, [])
    adult = score(indicator_set, "adult-labour", present, [])
    assert child.level == "high"
    assert [(r["id"], r["contact"]) for r in child.referrals] == [
        ("police", "Polisi: 110"), ("sapa", "SAPA 129: WhatsApp 08111-129-129")
    ]
    assert [r["id"] for r in adult.referrals] == ["police", "sapa", "bp3mi"]


def test_a_record_keeps_the_directory_it_began_with(tmp_path: Path) -> None:
    root = content_with(tmp_path, directory(POLICE), "[police]")
    catalogue = load_catalogue(root)
    snapshot = catalogue.snapshot("mini")
    assert "services:test" in snapshot
    hash_before = catalogue.content_hash("mini")
    edited = directory(POLICE.replace("'110'", "'112'"))
    (root / "services/test.yaml").write_text(edited, "utf-8")
    assert load_catalogue(root).content_hash("mini") != hash_before
    _, indicator_set = from_snapshot(snapshot)
    assert [r.contact for r in indicator_set.referrals] == ["Polisi: 110"]


def test_schema_of_the_directory() -> None:
    schema = json.loads(run("schema", "service_directory").stdout)
    assert "services" in schema["properties"]
    assert "checked_on" in schema["$defs"]["Service"]["properties"]


@pytest.mark.parametrize("bad", ["kind: shop", "serves: []", "checked_on: someday"])
def test_a_broken_entry_is_located(tmp_path: Path, bad: str) -> None:
    key = bad.split(":")[0]
    entry = POLICE.replace("kind: police_protection", "kind: police_protection" if key != "kind"
                           else bad)
    if key == "serves":
        entry = entry.replace("serves: [children, women, men]", bad)
    text = directory(entry)
    if key == "checked_on":
        text = text.replace(f"checked_on: {date.today().isoformat()}", bad)
    root = content_with(tmp_path, text, "[police]")
    result = run("validate", "--content", str(root), code=1)
    assert "services/test.yaml:7:" in result.output and key in result.output
