"""The HTCDS export against IOM's HTCDS 2.0 field table, field by field and value by value.

Every bundled test case (both scripts, children, consent declined) is entered as a paper form,
one record is erased, and the export (with the office key and without) is checked case by
case against the table shipped in tests/htcds/. The mapping tables are checked against the
same table and against the bundled content, and docs/htcds.md against the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from _htcds import SHARED, STANDARD, load_standard, problems
from _protect import cli_env, invoke, make_keys
from screening.content.catalogue import load_catalogue
from screening.interview.answers_file import read_answers_file
from screening.records import htcds
from screening.records.htcds_doc import DOC, render

REPO = Path(__file__).resolve().parent.parent
CASES = sorted((REPO / "tests" / "cases").glob("*.yaml"))
REFERRAL_FIELDS = ("cas_ReferredOrganisation", "cas_OutgoingReferralDate",
                   "cas_ReasonForOutgoingReferral", "cas_Status")


@pytest.fixture(scope="module")
def standard() -> dict:
    return load_standard()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every bundled case entered once (sealed for an office key); the HTCDS export opened
    with the key, then one shared record erased and the export again, opened and not."""
    tmp = tmp_path_factory.mktemp("htcds")
    private, public = make_keys(tmp / "keys")
    env = cli_env(tmp, public=public)
    ids: dict[str, str] = {}
    for path in CASES:
        filled = read_answers_file(path)
        result = invoke(env, "interview", "start", filled.questionnaire, "--answers", str(path))
        assert result.exit_code == 0, (path.name, result.output)
        ids[path.stem] = result.stdout.strip().splitlines()[-1]

    def export(*extra: str) -> tuple[str, list[dict]]:
        result = invoke(env, "records", "export", "--format", "htcds", *extra)
        assert result.exit_code == 0, result.output
        return result.stderr, json.loads(result.stdout)

    before = by_record(export("--key", str(private))[1])
    erased = next(rid for rid, case in before.items()
                  if "prs_FirstName" in case and case.get("vic_MethodsOfControl"))
    result = invoke(env, "records", "erase", erased, "--reason", "consent withdrawn")
    assert result.exit_code == 0, result.output
    runs = {"opened": export("--key", str(private)), "plain": export()}
    return {"ids": ids, "erased": erased, "before": before[erased], "runs": runs}


def by_record(cases: list[dict]) -> dict[str, dict]:
    return {case["x_RecordId"]: case for case in cases}


def expectation(stem: str) -> dict:
    from screening.content.yaml_source import load_file

    return load_file(REPO / "tests" / "cases" / f"{stem}.yaml").data["expect"]


# -- the export conforms ---------------------------------------------------------------------


@pytest.mark.parametrize("run", ["opened", "plain"])
def test_every_exported_case_conforms_to_htcds_2_0(exported: dict, standard: dict,
                                                  run: str) -> None:
    _, cases = exported["runs"][run]
    found = [p for case in cases for p in problems(case, standard)]
    assert not found, "\n".join(found)


def test_every_bundled_case_is_exported_but_the_consent_declined(exported: dict) -> None:
    stderr, cases = exported["runs"]["opened"]
    declined = {stem for stem in exported["ids"] if expectation(stem)["level"] is None}
    assert declined, "the bundled cases include a consent-declined one"
    expected = {rid for stem, rid in exported["ids"].items() if stem not in declined}
    assert set(by_record(cases)) == expected
    # consent to the interview refused: nothing about the person leaves the office
    assert f"Skipped {len(declined)} record(s): consent declined" in stderr
    children = [s for s in exported["ids"] if expectation(s).get("profile", "").startswith(
        "child")]
    scripts = {read_answers_file(REPO / "tests" / "cases" / f"{s}.yaml").questionnaire
               for s in exported["ids"]}
    assert children and scripts == {"departure", "returnee"}


def test_what_the_cases_carry(exported: dict) -> None:
    _, cases = exported["runs"]["opened"]
    seen: set[tuple[str, str]] = set()
    low_readings: set[str] = set()
    for case in cases:
        rid = case["x_RecordId"]
        for field in REFERRAL_FIELDS:  # no referral records yet: never the level's suggestions
            assert field not in case, (rid, field)
        assert ("vic_TraffickingStatus" in case) is (case["x_TraffickingIndicated"] is True)
        kinds = case.get("vic_TypeOfExploitation", [])
        if case["x_Profile"] in htcds.CHILD_PROFILES:
            assert "ForcedLabour" not in kinds, rid
        if htcds.INDUSTRY in case:
            assert set(kinds) & set(htcds.LABOUR_TYPES), rid
        # the officer's reading picks the indicator list for everyone; a low screening
        # suspects no (forced) labour
        if case["x_Level"] == "low" and case.get("x_DepartureRisk") in (None, "low"):
            assert not set(kinds) & set(htcds.LABOUR_TYPES), rid
            low_readings.add(rid)
        # an Other always says what it stands for, in the project's own details field
        for field, x_field in htcds.DETAILS.items():
            if "Other" in case.get(field, []):
                assert case.get(x_field), (rid, field)
        for field, value in case.items():
            for item in value if isinstance(value, list) else [value]:
                seen.add((field, str(item)))
    labour_read = {rid for stem, rid in exported["ids"].items()
                   if read_answers_file(REPO / "tests" / "cases" / f"{stem}.yaml")
                   .answers.get("exploitation_type") == "labour"}
    assert low_readings & labour_read, "a low case read as labour exploitation"
    # the bundled cases exercise the mapping, not just an empty case
    for must in [("vic_TraffickingStatus", "PossibleVictimOfTrafficking"),
                 ("vic_TypeOfExploitation", "ChildLabour"),
                 ("vic_TypeOfExploitation", "SexualExploitation"),
                 ("vic_MethodOfRecruitment", "ThroughOnlineSocialNetworks"),
                 ("vic_MethodOfRecruitment", "Other"),
                 ("vic_MethodsOfControl", "WithholdsDocuments"),
                 ("vic_MethodsOfControl", "TakesEarnings"),
                 ("vic_ForcedLabourIndustry", "A_AgricultureForestryAndFishing"),
                 ("con_Consent", "True")]:
        assert must in seen, must


def test_person_fields_only_opened_and_shared(exported: dict) -> None:
    opened = by_record(exported["runs"]["opened"][1])
    plain = by_record(exported["runs"]["plain"][1])
    person = set(htcds.PERSON.values())
    shared = [c for c in opened.values() if c.get("con_Consent") is True
              and c["x_RecordId"] != exported["erased"]]
    assert shared and all("prs_FirstName" in c for c in shared)
    not_shared = [c for c in opened.values() if c.get("con_Consent") is not True]
    assert all(not person & set(c) for c in not_shared)
    assert all(not person & set(c) for c in plain.values())


def test_an_erased_record_keeps_its_anonymous_case(exported: dict) -> None:
    before, after = exported["before"], by_record(exported["runs"]["opened"][1])[
        exported["erased"]]
    person = set(htcds.PERSON.values())
    assert person & set(before) and not person & set(after)
    assert before["x_ErasedAt"] is None and after["x_ErasedAt"]
    keep = {k: v for k, v in before.items() if k not in person and k != "x_ErasedAt"}
    assert {k: v for k, v in after.items() if k != "x_ErasedAt"} == keep


# -- the check itself fails where it must ----------------------------------------------------


@pytest.mark.parametrize("field, value, message", [
    ("vic_LabourIndustry", ["C_Manufacturing"], "not a field of HTCDS 2.0"),
    ("vic_TypeOfLabourExploitation", ["Hospitality"], "not a field of HTCDS 2.0"),
    ("vic_MethodOfRecruitment", ["Familial"], "'Familial' is not one of its value names"),
    ("vic_MethodOfRecruitment", ["JobOfferOrAdvertisement"], "is not one of its value names"),
    ("vic_MethodsOfControl", ["RestrictsMovement"], "is not one of its value names"),
    ("vic_MethodsOfControl", "DebtBondage", "is not a non-empty list"),
    ("vic_ForcedLabourIndustry", ["C_Manufacturing"], "is not a single value name"),
    ("vic_AgreementToManagePersonalData", True, "deprecated"),
    ("con_Consent", "yes", "is not true or false"),
    ("cas_OutgoingReferralDate", "2026-11-29T08:00:00Z", "is not a date"),
    ("cas_Status", None, "null"),
])
def test_the_check_names_record_and_field(standard: dict, field: str, value: Any,
                                          message: str) -> None:
    case = {"x_RecordId": "20261129-TEST01", "vic_MethodsOfControl": ["DebtBondage"],
            field: value}
    found = problems(case, standard)
    assert len(found) == 1, found
    assert found[0].startswith(f"record 20261129-TEST01, field {field}: ")
    assert message in found[0]


def test_the_shipped_table_is_the_standard() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not beside the repository")
    assert STANDARD.read_bytes() == SHARED.read_bytes()


# -- the mapping tables ----------------------------------------------------------------------


def mapped_values() -> list[tuple[str, str, str]]:
    """(where in the mapping, HTCDS field, value) for every value the mapping can write."""
    out = [(f"indicator {i}", f, v) for i, values in htcds.INDICATORS.items() for f, v in values]
    out += [(f"answer {q}={o}", f, v) for q, options in htcds.ANSWERS.items()
            for o, values in options.items() for f, v in values]
    out += [("child profile", htcds.EXPLOITATION, "ChildLabour"),
            ("trafficking indicated", "vic_TraffickingStatus", htcds.POSSIBLE_VICTIM),
            ("trafficking indicated", "vic_TraffickingStatusDecisionMakingOrg",
             htcds.DECIDED_BY)]
    out += [("labour type", htcds.EXPLOITATION, v) for v in htcds.LABOUR_TYPES]
    return out


def test_every_value_the_mapping_can_write_is_in_the_standard(standard: dict) -> None:
    found = []
    for where, field, value in mapped_values():
        spec = standard.get(field)
        if spec is None or spec.status.upper() == "DEPRECATED":
            found.append(f"{where}: {field} is not a current HTCDS 2.0 field")
        elif spec.values is None or value not in spec.values:
            found.append(f"{where}: {value!r} is not a value name of {field}")
    for field in (*htcds.MULTI, htcds.INDUSTRY, *htcds.PERSON.values(), "con_Consent"):
        if field not in standard or standard[field].status.upper() == "DEPRECATED":
            found.append(f"{field} is not a current HTCDS 2.0 field")
    assert all(x.startswith("x_") for x in htcds.DETAILS.values())
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def content():
    catalogue = load_catalogue()
    indicator_set = catalogue.indicator_set("ilo-2009")
    questionnaires = list(catalogue.questionnaires.values())
    return indicator_set, questionnaires


def test_every_indicator_named_exists_and_every_indicator_is_decided(content) -> None:
    indicator_set, _ = content
    indicators = {i.id for i in indicator_set.indicators}
    dimensions = {d.id for d in indicator_set.dimensions}
    unknown = [i for i in htcds.INDICATORS if i not in indicators]
    unknown += [i for i in htcds.NOT_MAPPED if i not in indicators | dimensions]
    assert not unknown, f"the HTCDS mapping names indicators the content lacks: {unknown}"
    undecided = [i for i in sorted(indicators)
                 if i not in htcds.INDICATORS and i not in htcds.NOT_MAPPED
                 and i.split(".")[0] not in htcds.NOT_MAPPED]
    assert not undecided, (
        f"indicators neither mapped to HTCDS nor left out with a reason: {undecided}; add them "
        "to INDICATORS or NOT_MAPPED in src/screening/records/htcds.py")


def test_every_question_and_option_named_exists_and_every_option_is_decided(content) -> None:
    _, questionnaires = content
    found = []
    for qid, options in htcds.ANSWERS.items():
        questions = [q.question(qid) for q in questionnaires if q.question(qid) is not None]
        if not questions:
            found.append(f"question {qid} is in no bundled script")
            continue
        keys: set[str] = set()
        for question in questions:
            keys |= ({"yes", "no"} if question.type == "yes_no"
                     else {o.key for o in question.options})
        found += [f"{qid}: option {o} exists in no bundled script" for o in set(options) - keys]
        found += [f"{qid}: option {o} is neither mapped nor left out" for o in keys - set(
            options)]
    assert set(htcds.WORK_QUESTIONS) <= set(htcds.ANSWERS)
    assert not found, "\n".join(sorted(found))


def test_the_profiles_named_exist(content) -> None:
    indicator_set, _ = content
    profiles = {p for i in indicator_set.indicators for p in i.tiers}
    assert set(htcds.CHILD_PROFILES) <= profiles


def test_the_mapping_document_is_current() -> None:
    assert DOC.read_text("utf-8") == render(), (
        "docs/htcds.md is stale: regenerate it with `python -m screening.records.htcds_doc`")


def test_the_readme_names_the_standard_its_version_and_licence() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("**Exports.**", 1)[1].split("**Erasure.**", 1)[0]
    for words in ("Human Trafficking Case Data Standard", "2.0", "CC BY 4.0", "IOM"):
        assert words in section
