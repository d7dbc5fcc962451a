"""The judgement of issue 10, as rules of the content: the child rule of the law, departure risk
rules validated like a compiler, the mapping policy, provenance, one number per contact, and
old records rescored with what changed and why."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.cli.main import app

runner = CliRunner()
CASES = Path(__file__).parent / "cases"


def run(*args: str, code: int = 0, env: dict[str, str] | None = None):
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def office(tmp_path: Path) -> Path:
    folder = tmp_path / "office"
    run("content", "init", str(folder))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def score(path: Path, *extra: str) -> dict:
    result = run("score", "--answers", str(path), "--format", "json", *extra)
    return json.loads(result.stdout)


# --- the child rule --------------------------------------------------------------------------


def test_the_law_decides_for_a_child_and_the_ilo_form_stays_available(office: Path) -> None:
    """A 17-year-old recruited by a neighbour into exploitative work, with no means: the law
    (act + purpose) says trafficking indicated; the ILO form (a recruitment dimension) does not.
    Both are reported; switching the YAML to the ILO form changes the level."""
    case = CASES / "dep-11-child-17-factory-neighbour-no-means.yaml"
    doc = score(case)
    assert doc["level"] == "high"
    assert doc["child_rule"]["follows"] == "law"
    assert (doc["child_rule"]["law"], doc["child_rule"]["ilo"]) == (True, False)
    assert "act.recruited_by_other" in doc["child_rule"]["act"]
    assert doc["elements"] == {"act": True, "means": False, "purpose": True}
    edit(office / "indicators" / "ilo-2009.yaml", "    follows: law\n", "    follows: ilo\n")
    ilo = score(case, "--content", str(office))
    assert ilo["trafficking_indicated"] is False
    assert (ilo["child_rule"]["law"], ilo["child_rule"]["ilo"]) == (True, False)
    # at departure the child leaving to work is still high (raised), never low
    assert (ilo["level"], ilo["raised_by"]) == ("high", "child_leaving_to_work")
    # a returning child, recruited by a neighbour and exploited, no means: the law says high,
    # the ILO form medium
    returnee = CASES / "ret-08-child-15-plantation.yaml"
    assert score(returnee)["level"] == "high"
    assert score(returnee, "--content", str(office))["level"] == "medium"


def test_the_same_child_answers_at_30_are_not_high() -> None:
    """No means: what makes the 17-year-old high is the age alone."""
    case = (CASES / "dep-11-child-17-factory-neighbour-no-means.yaml").read_text("utf-8")
    adult = CASES.parent / "_adult.yaml"
    try:
        adult.write_text(case.replace("  age: 17\n", "  age: 30\n"), "utf-8")
        doc = score(adult)
    finally:
        adult.unlink()
    assert doc["profile"] == "adult-labour"
    assert doc["level"] == "medium"
    assert doc["departure_risk"]["level"] != "high"


def test_a_doubted_age_scores_the_child_lists_and_says_why() -> None:
    doc = score(CASES / "dep-13-child-15-altered-age-saudi.yaml")
    assert doc["profiles_scored"] == ["child-labour", "adult-labour"]
    assert doc["profile"] == "child-labour"
    # a presumed child leaving to work is never shown low: raised, with the child actions
    assert (doc["level"], doc["raised_by"]) == ("high", "child_leaving_to_work")
    assert doc["trafficking_indicated"] is False
    assert any("For a child" in a["en"] for a in doc["actions"])
    assert "age 21 given but in doubt: presumption of minority" in doc["chosen_because"]
    text = run("score", "--answers", str(CASES / "dep-13-child-15-altered-age-saudi.yaml"))
    assert "presumption of minority" in text.stdout


# --- what the officer sees -------------------------------------------------------------------


def test_a_departure_shows_departure_risk_first_then_identification() -> None:
    out = run("score", "--answers",
              str(CASES / "dep-10-child-16-calo-domestic-malaysia.yaml")).stdout
    risk = out.index("DEPARTURE RISK (facts about this trip)")
    ident = out.index("IDENTIFICATION (ILO/Palermo indicators)")
    assert risk < ident
    assert "Child protection first" in out[risk:ident]
    assert "A person under 18 (or whose age is in doubt) leaving to work abroad" in out
    assert "Scored on child, labour: a derived list, not yet checked against the ILO" in out


def test_the_procedural_domestic_worker_is_low_with_vulnerabilities_noted() -> None:
    path = CASES / "dep-04-procedural-domestic-worker-poor.yaml"
    doc = score(path)
    assert (doc["level"], doc["departure_risk"]["level"]) == ("low", "low")
    assert doc["elements"]["means"] is False
    out = run("score", "--answers", str(path)).stdout
    assert "Vulnerabilities noted, no other indicator: give information" in out
    assert "never a reason to delay a departure or refuse a passport" in out
    assert "exploited" not in out.lower()
    assert "Family money pressure" in out and "Little schooling or a language barrier" in out


def test_the_returnee_script_has_no_departure_risk() -> None:
    doc = score(CASES / "ret-01-procedural-finished-contract.yaml")
    assert "departure_risk" not in doc
    out = run("score", "--answers", str(CASES / "ret-01-procedural-finished-contract.yaml"))
    assert "DEPARTURE RISK" not in out.stdout


def test_indicators_show_says_where_each_list_comes_from() -> None:
    checked = json.loads(run("indicators", "show", "ilo-2009", "--profile", "adult-labour",
                             "--format", "json").stdout)
    assert checked["provenance"]["status"] == "checked"
    derived = json.loads(run("indicators", "show", "ilo-2009", "--profile", "child-sexual",
                             "--format", "json").stdout)
    assert derived["provenance"]["status"] == "derived"
    own = next(i for i in derived["indicators"]
               if i["id"] == "exploitation.forced_into_commercial_sex")
    assert own["origin"] == "project" and "not an ILO item" in own["note"]
    table = run("indicators", "show", "ilo-2009", "--profile", "child-sexual",
                env={"COLUMNS": "200"}).stdout
    assert "derived" in table and "the project's own item" in table


def test_records_show_carries_departure_risk(tmp_path: Path) -> None:
    env = {"SCREENING_DB": str(tmp_path / "r.db")}
    case = CASES / "dep-16-scam-recruit-cambodia-it.yaml"
    started = run("interview", "start", "departure", "--answers", str(case), env=env)
    record_id = started.stdout.strip().splitlines()[-1]
    assert started.output.index("DEPARTURE RISK") < started.output.index("IDENTIFICATION")
    shown = json.loads(run("records", "show", record_id, "--format", "json", env=env).stdout)
    risk = shown["assessment"]["departure_risk"]
    assert risk["level"] == "high"
    assert {"scam_compound_job", "destination_scam_compounds"} <= {f["id"] for f in risk["flags"]}
    assert all(set(f) >= {"id", "label"} for f in risk["flags"])


# --- departure risk rules are content, validated ----------------------------------------------


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("      when: \"employer_known == 'no'\"", "      when: \"employer_knwn == 'no'\"",
     "employer_knwn", "departure_risk: flag 'employer_unknown' refers to unknown question "
     "'employer_knwn' (did you mean 'employer_known'?)"),
    ("      when: \"recruiter == 'social_media'\"", "      when: \"recruiter == 'socialmedia'\"",
     "'socialmedia'", "departure_risk: flag 'recruited_online': 'socialmedia' is not an answer "
     "of 'recruiter' (did you mean 'social_media'?)"),
    ("      destinations: [middle_east]", "      destinations: [midle_east]", "midle_east",
     "departure_risk: flag 'domestic_work_middle_east' names unknown destination 'midle_east' "
     "(did you mean 'middle_east'?)"),
    ("      when: \"employer_known == 'no'\"", "      when: \"'debts' in family_pressures\"",
     "'debts' in family_pressures", "departure_risk: flag 'employer_unknown' could fire on "
     "vulnerability answers alone (family_pressures)"),
    ("      when: \"employer_known == 'no'\"",
     "      when: \"education == 'primary' or employer_known == 'no'\"", "education == 'primary'",
     "departure_risk: flag 'employer_unknown' could fire on vulnerability answers alone "
     "(education)"),
    ("  required_questions: [who_paid, passport_holder, debt]",
     "  required_questions: [who_paid, passport_holder, debt, registered]", "required_questions",
     "departure_risk: 'registered' is needed on every path, but it (or its section) has a "
     "show_when: ask it of everyone"),
    ("    - purpose: pilgrimage\n", "    - purpose: pilgrim\n", "purpose: pilgrim",
     "departure_risk: unknown purpose 'pilgrim' (did you mean 'pilgrimage'?)"),
])
def test_a_bad_risk_rule_is_a_located_content_error(office: Path, old: str, new: str,
                                                   needle: str, message: str) -> None:
    path = office / "questionnaires" / "departure.yaml"
    edit(path, old, new)
    result = run("validate", "--content", str(office), code=1)
    line = line_of(path, needle)
    assert any(row.startswith(f"{path}:{line}:") and message in row
               for row in result.stdout.splitlines()), result.stdout


def test_an_alert_not_reviewed_for_a_year_is_a_warning(office: Path) -> None:
    path = office / "questionnaires" / "departure.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("      reviewed: 2026-11-01\n", "      reviewed: 2020-01-31\n", 1),
                    "utf-8")
    result = run("validate", "--content", str(office))
    line = line_of(path, "reviewed: 2020-01-31")
    assert (f"{path}:{line}:17: warning: departure_risk: the alert 'scam_compounds' was last "
            "reviewed on 2020-01-31, more than a year ago") in result.stdout
    assert date.today().year >= 2021


# --- the mapping policy and the contacts --------------------------------------------------------


def test_one_option_firing_two_indicators_of_a_dimension_is_a_warning(office: Path) -> None:
    path = office / "questionnaires" / "departure.yaml"
    edit(path, '          "no": [vulnerability_recruitment.relationship_with_authorities]',
         '          "no": [vulnerability_recruitment.relationship_with_authorities, '
         'vulnerability_recruitment.irregular_status]')
    result = run("validate", "--content", str(office))
    assert ("warning: question 'documents_true': option 'no' fires 2 indicators of "
            "vulnerability_recruitment") in result.stdout


def test_an_observation_firing_a_strong_indicator_is_a_warning(office: Path) -> None:
    path = office / "questionnaires" / "departure.yaml"
    edit(path, '          "yes": [coercive_recruitment.confiscation_of_documents]\n'
         '      - id: third_party_paid',
         '          "yes": [coercion_destination.confiscation_of_documents]\n'
         '      - id: third_party_paid')
    result = run("validate", "--content", str(office))
    assert ("warning: question 'no_document_control': an observation ('yes') fires "
            "'coercion_destination.confiscation_of_documents', strong on") in result.stdout


def test_one_contact_with_two_numbers_is_a_warning(office: Path) -> None:
    # the contacts live in the directory of services: the Bengkulu entry repeats SAPA 129
    path = office / "services" / "directory.yaml"
    text = path.read_text("utf-8")
    old = '{kind: phone, value: "021-129", line: "SAPA 129", confirmed: true}'
    at = text.rindex(old)
    path.write_text(text[:at] + old.replace('"021-129"', '"129"') + text[at + len(old):],
                    "utf-8")
    result = run("validate", "--content", str(office))
    assert "warning: contact 'SAPA 129' is written with 08111-129-129, 129 here and " \
           "021-129, 08111-129-129 at" in result.stdout
    assert run("validate").stdout.count("contact") == 0


def test_a_project_item_without_a_note_is_an_error(office: Path) -> None:
    path = office / "indicators" / "ilo-2009.yaml"
    text = path.read_text("utf-8")
    start = text.index("    note: \"The project's own item")
    end = text.index("\n", start) + 1
    path.write_text(text[:start] + text[end:], "utf-8")
    result = run("validate", "--content", str(office), code=1)
    assert ("indicator 'exploitation.forced_into_commercial_sex' is the project's own: add a "
            "'note' saying why it is there") in result.stdout


# --- old records ---------------------------------------------------------------------------------


def test_an_old_record_rescored_shows_what_changed_and_why(tmp_path: Path, office: Path) -> None:
    """A record made under the first content (no departure risk, vulnerability counted as a
    positive dimension) stays readable; rescore names the new judgement and the level change."""
    old = tmp_path / "old"
    (old / "indicators").mkdir(parents=True)
    (old / "questionnaires").mkdir()
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    for rel in ("indicators/ilo-2009.yaml", "questionnaires/departure.yaml"):
        text = subprocess.run(["git", "-C", str(repo), "show", f"b0b6efd:{rel}"],
                              capture_output=True, text=True)
        if text.returncode != 0:
            pytest.skip("the first content is not in this checkout's history")
        (old / rel).write_text(text.stdout, "utf-8")
    form = tmp_path / "form.yaml"
    form.write_text("""\
officer: petugas-uji
answers:
  private_room: yes
  companion_separated: yes
  interpreter_independent: yes
  same_gender_offered: yes
  comfort_offered: yes
  consent: yes
  consent_share: yes
  in_danger: no
  age: 38
  full_name: Yuliani
  home_district: Bengkulu Tengah
  education: primary
  dependants: [children, parents]
  family_pressures: [debts, income_loss]
  destination_country: Hong Kong
  purpose: work
  visa_type: work
  who_arranged: agency
  who_paid: employer_agency
  travelling_with: group
  speaks_language: no
  passport_holder: myself
  documents_true: yes
  told_what_to_say: no
  job_type: domestic
  recruiter: agency
  cannot_say_no: no
  registered: yes
  work_permission: work_visa
  employer_known: yes
  contract: copy_understood
  offer_changed: [nothing]
  promises: [none]
  promised_wage: HKD 4.990
  work_schedule: [normal]
  wage_terms: [monthly_to_me]
  housing: employer_house
  debt: nothing
  arrival_rules: [none]
  exploitation_type: labour
  hardships: [none]
  violence: no
  threats: [none]
  kept_inside: no
  controls: [none]
  marriage: no_plan
  taken_or_sold: no
  companion_answered: no
  scripted_answers: no
  distress_signs: [none]
  no_document_control: no
  third_party_paid: no
  inconsistent_story: no
""", "utf-8")
    env = {"SCREENING_DB": str(tmp_path / "r.db")}
    started = run("interview", "start", "departure", "--answers", str(form), "--content",
                  str(old), env=env)
    record_id = started.stdout.strip().splitlines()[-1]
    before = json.loads(run("records", "show", record_id, "--format", "json", env=env).stdout)
    assert before["assessment"]["level"] == "medium"  # the old content profiled her
    assert "departure_risk" not in before["assessment"]
    result = run("records", "rescore", record_id, "--format", "json", env=env)
    doc = json.loads(result.stdout)
    assert doc["after"]["level"] == "low"
    assert doc["after"]["vulnerabilities_noted"] == ["vulnerability_recruitment"]
    changes = "\n".join(doc["changes"])
    assert "departure risk: not judged by the old content →" in changes
    assert ("level: medium → low (only vulnerability dimensions are positive: noted, they "
            "never raise the level alone)") in changes
    text = run("records", "show", record_id, env=env).stdout
    assert "medium" in text.lower()  # the old record still reads as it was scored
