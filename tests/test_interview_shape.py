"""Interview shape (issue 10, item 8): a short core every person gets, deeper modules that
open on a flag or the officer's choice, and read-aloud Indonesian in the chosen form of
address (never "Bapak/Ibu" read aloud; kamu for a child)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.content.catalogue import load_catalogue
from screening.interview.engine import Interview, address_for, spoken

runner = CliRunner()
CASES = Path(__file__).parent / "cases"

PLAIN_TOURIST = {
    "private_room": "yes", "companion_separated": "yes", "interpreter_independent": "yes",
    "same_gender_offered": "yes", "comfort_offered": "yes", "address": "ibu", "consent": "yes",
    "consent_share": "yes", "in_danger": "no", "age": 40, "age_doubt": "no",
    "full_name": "Nur", "destination_country": "Singapura", "purpose": "tourism",
    "visa_type": "tourist", "who_arranged": "myself", "who_paid": "myself",
    "debt": "paid_no_debt", "passport_holder": "myself", "travelling_with": "family_friends",
    "expects_work": "no", "told_what_to_say": "no", "companion_answered": "no",
    "scripted_answers": "no", "distress_signs": ["none"], "no_document_control": "no",
    "third_party_paid": "no", "inconsistent_story": "no", "deeper": "no",
}


def walk(answers: dict) -> list:
    """The questions asked, in order, answering from ``answers`` ('' when not given)."""
    interview = Interview(load_catalogue().questionnaire("departure"))
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question)
        interview.answer(question, answers.get(question.id, "unknown"))
    return asked


@pytest.mark.parametrize("purpose", ["tourism", "pilgrimage", "visiting_family",
                                     "study_internship", "other"])
def test_the_core_is_at_most_16_read_aloud_questions(purpose: str) -> None:
    answers = {**PLAIN_TOURIST, "purpose": purpose, "doc_pilgrimage": "yes",
               "doc_study": "yes", "doc_family": "yes"}
    asked = walk(answers)
    read_aloud = [q.id for q in asked if q.mode == "ask"]
    assert len(read_aloud) <= 16, read_aloud
    # departure risk's questions are in the core, whatever the purpose
    assert {"who_paid", "passport_holder", "debt"} <= set(read_aloud)
    assert "education" not in read_aloud and "violence" not in read_aloud


@pytest.mark.parametrize(("change", "opens"), [
    ({"deeper": "yes"}, "the officer's choice"),
    ({"who_paid": "sponsor_individual"}, "a third-party ticket"),
    ({"passport_holder": "sponsor_agent"}, "documents held"),
    ({"companion_answered": "yes"}, "an observation"),
    ({"doc_family": "no", "purpose": "visiting_family"}, "a purpose without its document"),
])
def test_a_flag_or_the_officer_opens_the_deeper_modules(change: dict, opens: str) -> None:
    asked = {q.id for q in walk({**PLAIN_TOURIST, **change})}
    assert {"education", "violence", "threats"} <= asked, opens


def test_an_age_under_18_asks_the_child_checks_right_after_the_age() -> None:
    asked = [q.id for q in walk({**PLAIN_TOURIST, "age": 16})]
    at = asked.index("age")
    assert asked[at + 1: at + 5] == ["age_doubt", "guardian_present", "single_interview",
                                     "uptd_ppa_contacted"]
    assert asked.index("in_danger") < at < asked.index("full_name")


def test_the_form_of_address() -> None:
    questionnaire = load_catalogue().questionnaire("departure")
    assert address_for(questionnaire, {"address": "ibu", "age": 40}) == "Ibu"
    assert address_for(questionnaire, {"address": "bapak", "age": 16}) == "kamu"
    assert address_for(questionnaire, {"address": "bapak", "age": 30,
                                       "age_doubt": "yes"}) == "kamu"
    assert address_for(questionnaire, {}) == "Anda"
    assert spoken("Berapa umur Anda sekarang?", "kamu") == "Berapa umur kamu sekarang?"
    assert spoken("Anda boleh berhenti. Apakah Bapak/Ibu mau?", "kamu") == (
        "Kamu boleh berhenti. Apakah kamu mau?")
    assert spoken("Sampaikan kepada Bapak/Ibu", "Ibu") == "Sampaikan kepada Ibu"
    assert spoken("Andalan Anda", "Ibu") == "Andalan Ibu"


def test_no_slash_is_read_aloud_and_a_child_hears_kamu() -> None:
    from rich.console import Console

    from screening.cli._render import question_panel

    questionnaire = load_catalogue().questionnaire("returnee")
    age = questionnaire.question("age")
    assert age is not None and "Bapak/Ibu" in age.text["id"]  # written once, spoken as chosen
    section = questionnaire.section_of("age")
    for address, heard in (("kamu", "Berapa umur kamu sekarang?"),
                           ("Ibu", "Berapa umur Ibu sekarang?")):
        console = Console(record=True, width=200)
        console.print(question_panel(age, section, lang="id", ui="id", address=address))
        screen = console.export_text()
        assert heard in screen and "Bapak/Ibu" not in screen
    texts = [q.text["id"] for q in questionnaire.questions() if q.mode == "ask"]
    child = [spoken(t, "kamu") for t in texts]
    assert not any("Bapak/Ibu" in t or "Anda" in t for t in child)


PLAIN_RETURNEE = {
    "setting_private_room": "yes", "setting_companion_separated": "yes",
    "setting_interpreter": "yes", "setting_same_gender": "yes", "setting_comfort": "yes",
    "setting_medical": "yes", "address": "bapak", "consent": "yes", "consent_share": "yes",
    "danger_now": "no", "feared_person_waiting": "no", "need_doctor": "no", "age": 35,
    "age_doubt": "no", "name": "Eko", "country": "Korea Selatan", "recruiter": "p3mi",
    "job_different": "no", "hours_per_day": "up_to_8", "days_off": "weekly",
    "wages_paid": "as_promised", "passport_held": "no", "could_leave": ["free_to_leave"],
    "obs_injury_malnutrition": "no", "obs_fear_distress": "no", "obs_companion_answers": "no",
    "obs_no_own_documents": "no", "obs_inconsistent": "no", "deeper": "no",
}


def walk_returnee(answers: dict) -> list:
    interview = Interview(load_catalogue().questionnaire("returnee"))
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question)
        interview.answer(question, answers.get(question.id, "unknown"))
    return asked


def test_the_returnee_core_asks_whether_they_could_leave() -> None:
    read_aloud = [q.id for q in walk_returnee(PLAIN_RETURNEE) if q.mode == "ask"]
    assert len(read_aloud) <= 16, read_aloud
    assert "could_leave" in read_aloud and "violence_destination" not in read_aloud
    opened = {q.id for q in walk_returnee({**PLAIN_RETURNEE, "days_off": "never"})}
    assert {"violence_destination", "confined", "recruitment_money"} <= opened
    question = load_catalogue().questionnaire("returnee").question("could_leave")
    assert question is not None
    assert "What would have happened" in question.text["en"]
