"""Scoring on a small inline indicator set, so the rules are tested apart from the bundled file."""

from __future__ import annotations

import itertools
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.assessment.scoring import assess, score
from screening.content.yaml_source import load_text
from screening.models import IndicatorSet, Questionnaire
from screening.models.assessment import LEVEL_ORDER

PROFILES = ("adult-labour", "adult-sexual", "child-labour", "child-sexual")
DIMENSIONS = {
    "deceptive_recruitment": ("recruitment", ["act", "means"]),
    "coercive_recruitment": ("recruitment", ["act", "means"]),
    "vulnerability_recruitment": ("recruitment", ["act", "means"]),
    "exploitation": ("destination", ["purpose"]),
    "coercion_destination": ("destination", ["means"]),
    "vulnerability_destination": ("destination", ["means"]),
}


def _indicator(dimension: str, name: str, tiers: dict[str, str]) -> str:
    tier_text = ", ".join(f"{p}: {t}" for p, t in tiers.items())
    return textwrap.dedent(f"""\
      - id: {dimension}.{name}
        label: {{en: "{dimension} {name}", id: "{dimension} {name} (id)"}}
        tiers: {{{tier_text}}}
    """)


def _every(tier: str) -> dict[str, str]:
    return dict.fromkeys(PROFILES, tier)


def build_set() -> IndicatorSet:
    """Three strong, three medium and three weak indicators in every dimension (all lists).

    Plus ``exploitation.sex_only``: strong on the sexual lists, absent from the labour ones.
    """
    dims = "".join(
        f"  - {{id: {d}, title: {{en: {d}, id: {d}}}, elements: {els}, stage: {stage}}}\n"
        .replace("'", "")
        for d, (stage, els) in DIMENSIONS.items()
    )
    indicators = ""
    for dimension in DIMENSIONS:
        for tier in ("strong", "medium", "weak"):
            for n in (1, 2, 3):
                indicators += _indicator(dimension, f"{tier[0]}{n}", _every(tier))
    indicators += _indicator("exploitation", "sex_only",
                             {"adult-sexual": "strong", "child-sexual": "strong"})
    indicators = textwrap.indent(indicators, "  ")
    text = f"""\
kind: indicator_set
id: tiny
version: "0.1"
languages: [en, id]
title: {{en: Tiny, id: Kecil}}
dimensions:
{dims}indicators:
{indicators}rule:
  dimension_positive:
    - {{label: "2 strong", strong: 2}}
    - {{label: "1 strong + 1 medium or weak", strong: 1, medium_or_weak: 1}}
    - {{label: "3 medium", medium: 3}}
    - {{label: "2 medium + 1 weak", medium: 2, weak: 1}}
  combination:
    adult-labour: &adult
      - [deceptive_recruitment, coercive_recruitment, vulnerability_recruitment]
      - [exploitation]
      - [coercion_destination, vulnerability_destination]
    adult-sexual: *adult
    child-labour: &child
      - [deceptive_recruitment, coercive_recruitment, vulnerability_recruitment]
      - [exploitation]
    child-sexual: *child
  coverage_warning_below: 0.6
levels:
  - id: high
    title: {{en: High, id: Tinggi}}
    when: [trafficking_combination]
    actions:
      - text: {{en: Refer now, id: Rujuk}}
      - text: {{en: Call the child service, id: Hubungi layanan anak}}
        profiles: [child-labour, child-sexual]
    referrals: [police, child_service]
  - id: medium
    title: {{en: Medium, id: Sedang}}
    when: [positive_dimension, strong_indicator]
    referrals: [police]
  - id: low
    title: {{en: Low, id: Rendah}}
    when: [always]
    actions:
      - text: {{en: Give the slip, id: Beri lembar}}
referrals:
  - id: police
    name: {{en: Police, id: Polisi}}
    contact: "110"
    description: {{en: Crimes, id: Kejahatan}}
  - id: child_service
    name: {{en: Child service, id: Layanan anak}}
    contact: "129"
    description: {{en: Children, id: Anak}}
    profiles: [child-labour, child-sexual]
non_punishment: {{en: Not punished, id: Tidak dihukum}}
"""
    source = load_text(text, "tiny.yaml")
    assert not source.diagnostics, source.diagnostics
    return IndicatorSet.model_validate(source.data)


TINY = build_set()


def ids(dimension: str, strong: int = 0, medium: int = 0, weak: int = 0) -> list[str]:
    return ([f"{dimension}.s{n}" for n in range(1, strong + 1)]
            + [f"{dimension}.m{n}" for n in range(1, medium + 1)]
            + [f"{dimension}.w{n}" for n in range(1, weak + 1)])


def expected_positive(strong: int, medium: int, weak: int) -> str | None:
    """domain.md section 3, written out independently of Clause.met: the first clause met."""
    if strong >= 2:
        return "2 strong"
    if strong >= 1 and medium + weak >= 1:
        return "1 strong + 1 medium or weak"
    if medium >= 3:
        return "3 medium"
    if medium >= 2 and weak >= 1:
        return "2 medium + 1 weak"
    return None


# --- the dimension rule, exhaustively -------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("strong", "medium", "weak"),
                         list(itertools.product(range(4), repeat=3)))
def test_dimension_rule_every_combination(profile: str, strong: int, medium: int,
                                          weak: int) -> None:
    result = score(TINY, profile, ids("coercion_destination", strong, medium, weak))
    dim = result.dimensions["coercion_destination"]
    assert (dim.strong, dim.medium, dim.weak) == (strong, medium, weak)
    want = expected_positive(strong, medium, weak)
    assert dim.positive is (want is not None)
    assert dim.clause == want
    others = [d for d in result.dimensions.values() if d.id != "coercion_destination"]
    assert not any(d.positive or d.strong or d.medium or d.weak for d in others)


def test_clauses_reported_in_yaml_order() -> None:
    # 2 strong + 3 medium meets three clauses; the first one in the YAML is reported.
    result = score(TINY, "adult-labour", ids("exploitation", 2, 3, 0))
    assert result.dimensions["exploitation"].clause == "2 strong"


# --- properties -----------------------------------------------------------------------------

ALL_IDS = sorted(i.id for i in TINY.for_profile("adult-labour"))
profiles = st.sampled_from(PROFILES)
id_sets = st.sets(st.sampled_from(ALL_IDS), max_size=25)


@given(profile=profiles, dimension=st.sampled_from(list(DIMENSIONS)), weak=st.integers(0, 3))
def test_weak_alone_never_positive(profile: str, dimension: str, weak: int) -> None:
    result = score(TINY, profile, ids(dimension, weak=weak))
    assert not result.dimensions[dimension].positive
    assert result.level == "low"


@given(profile=profiles, dimension=st.sampled_from(list(DIMENSIONS)), n=st.integers(1, 3))
def test_single_strong_alone_never_positive(profile: str, dimension: str, n: int) -> None:
    result = score(TINY, profile, [f"{dimension}.s{n}"])
    assert not result.dimensions[dimension].positive
    assert result.level == "medium"  # a strong indicator is a risk sign, not a positive


@settings(max_examples=300)
@given(profile=profiles, present=id_sets, extra=st.sampled_from(ALL_IDS), unknown=id_sets)
def test_adding_a_present_indicator_never_lowers_the_level(
    profile: str, present: set[str], extra: str, unknown: set[str]
) -> None:
    before = score(TINY, profile, present, unknown)
    after = score(TINY, profile, present | {extra}, unknown - {extra})
    assert LEVEL_ORDER[after.level] >= LEVEL_ORDER[before.level]
    for dim in before.dimensions:
        assert after.dimensions[dim].positive >= before.dimensions[dim].positive


@settings(max_examples=300)
@given(profile=profiles, present=id_sets, unknown=id_sets.filter(bool), data=st.data())
def test_turning_an_unknown_into_a_no_never_raises_the_level(
    profile: str, present: set[str], unknown: set[str], data: st.DataObject
) -> None:
    unknown = unknown - present
    if not unknown:
        return
    answered = data.draw(st.sampled_from(sorted(unknown)))
    before = score(TINY, profile, present, unknown)
    after = score(TINY, profile, present, unknown - {answered})
    assert LEVEL_ORDER[after.level] <= LEVEL_ORDER[before.level]
    assert after.coverage > before.coverage


@settings(max_examples=300)
@given(profile=profiles, present=id_sets, unknown=id_sets)
def test_an_unknown_never_counts_as_present(profile: str, present: set[str],
                                            unknown: set[str]) -> None:
    with_unknown = score(TINY, profile, present, unknown - present)
    without = score(TINY, profile, present, set())
    assert with_unknown.level == without.level
    assert with_unknown.trafficking_indicated == without.trafficking_indicated
    for dim, result in with_unknown.dimensions.items():
        other = without.dimensions[dim]
        assert (result.strong, result.medium, result.weak, result.positive) == (
            other.strong, other.medium, other.weak, other.positive)
        assert not {f.id for f in result.present} & (unknown - present)


def test_only_unknowns_is_low_with_a_coverage_warning() -> None:
    unknown = set(ALL_IDS[: len(ALL_IDS) // 2 + 5])
    result = score(TINY, "adult-labour", set(), unknown)
    assert result.level == "low"
    assert result.coverage < 0.6
    assert result.coverage_warning is not None
    assert "could not be assessed" in result.coverage_warning.lower()
    assert f"{len(unknown)} answered" in result.coverage_warning
    assert result.unknown == sorted(unknown)


def test_no_warning_when_coverage_is_good_or_level_not_low() -> None:
    assert score(TINY, "adult-labour", set(), {ALL_IDS[0]}).coverage_warning is None
    many = set(ALL_IDS) - {"exploitation.s1"}
    medium = score(TINY, "adult-labour", {"exploitation.s1"}, many)
    assert medium.level == "medium"
    assert medium.coverage_warning is None


# --- profiles -------------------------------------------------------------------------------

RECRUITMENT_AND_EXPLOITATION = [*ids("deceptive_recruitment", 2), *ids("exploitation", 1, 1)]


def test_child_needs_no_means_adult_does() -> None:
    child = score(TINY, "child-labour", RECRUITMENT_AND_EXPLOITATION)
    adult = score(TINY, "adult-labour", RECRUITMENT_AND_EXPLOITATION)
    assert child.level == "high" and child.trafficking_indicated
    assert adult.level == "medium" and not adult.trafficking_indicated
    adult_full = score(TINY, "adult-labour",
                       [*RECRUITMENT_AND_EXPLOITATION, *ids("coercion_destination", 2)])
    assert adult_full.level == "high"


def test_elements_actions_and_referrals_follow_the_level_and_profile() -> None:
    child = score(TINY, "child-labour", RECRUITMENT_AND_EXPLOITATION)
    assert child.elements == {"act": True, "means": True, "purpose": True}
    assert [a["en"] for a in child.actions] == ["Refer now", "Call the child service"]
    assert [r["id"] for r in child.referrals] == ["police", "child_service"]
    adult = score(TINY, "adult-labour",
                  [*RECRUITMENT_AND_EXPLOITATION, *ids("coercion_destination", 2)])
    assert [a["en"] for a in adult.actions] == ["Refer now"]
    assert [r["id"] for r in adult.referrals] == ["police"]
    assert adult.non_punishment == {"en": "Not punished", "id": "Tidak dihukum"}
    nothing = score(TINY, "adult-labour", [])
    assert nothing.non_punishment is None
    assert nothing.elements == {"act": False, "means": False, "purpose": False}


def test_indicator_off_the_profile_list_is_not_counted() -> None:
    labour = score(TINY, "adult-labour", ["exploitation.sex_only", "exploitation.m1"])
    sexual = score(TINY, "adult-sexual", ["exploitation.sex_only", "exploitation.m1"])
    assert labour.dimensions["exploitation"].positive is False
    assert sexual.dimensions["exploitation"].clause == "1 strong + 1 medium or weak"


def test_contract_shape() -> None:
    result = score(TINY, "adult-labour", ids("exploitation", 1, 1), ["coercion_destination.s1"])
    doc = result.contract()
    assert {"profile", "level", "trafficking_indicated", "dimensions", "coverage"} <= set(doc)
    assert doc["dimensions"]["exploitation"]["positive"] is True
    assert {"positive", "strong", "medium", "weak"} <= set(doc["dimensions"]["exploitation"])
    assert doc["coverage"] == pytest.approx(1 - 1 / len(ALL_IDS), abs=1e-4)


# --- assess: profile resolution from the answers ------------------------------------------

QUESTIONNAIRE = """\
kind: questionnaire
id: tiny-script
version: "0.1"
languages: [en, id]
title: {en: Tiny, id: Kecil}
indicator_set: tiny
sections:
  - id: start
    title: {en: Start, id: Mulai}
    questions:
      - id: consent
        type: yes_no
        role: consent
        text: {en: "May we talk?", id: "Boleh?"}
      - id: age
        type: number
        role: age
        required: false
        text: {en: "Age?", id: "Umur?"}
      - id: work
        type: choice
        role: exploitation_type
        required: false
        text: {en: "What work?", id: "Kerja apa?"}
        options:
          - {key: factory, exploitation: labour, label: {en: Factory, id: Pabrik}}
          - {key: bar, exploitation: sexual, label: {en: Bar, id: Bar}}
          - {key: not_told, exploitation: unknown, label: {en: Not told, id: Tidak tahu}}
      - id: lied_job
        type: yes_no
        text: {en: "Lied about the job?", id: "Dibohongi?"}
        indicators: {yes: [deceptive_recruitment.s1, deceptive_recruitment.s2]}
      - id: long_hours
        type: yes_no
        text: {en: "Long hours?", id: "Jam panjang?"}
        indicators: {yes: [exploitation.s1, exploitation.m1]}
      - id: clients
        type: yes_no
        text: {en: "Forced to see clients?", id: "Dipaksa?"}
        indicators: {yes: [exploitation.sex_only]}
      - id: debt
        type: yes_no
        text: {en: "A debt?", id: "Utang?"}
        indicators: {yes: [coercion_destination.s1, coercion_destination.s2]}
"""


def tiny_questionnaire() -> Questionnaire:
    source = load_text(QUESTIONNAIRE, "tiny-script.yaml")
    assert not source.diagnostics, source.diagnostics
    return Questionnaire.model_validate(source.data)


Q = tiny_questionnaire()
RECRUITED_AND_EXPLOITED = {"consent": "yes", "lied_job": "yes", "long_hours": "yes",
                           "clients": "no", "debt": "no"}


def test_age_16_selects_the_child_list_first() -> None:
    result = assess(TINY, Q, {**RECRUITED_AND_EXPLOITED, "age": 16, "work": "factory"})
    assert result is not None
    assert result.profile == "child-labour"
    assert result.level == "high"
    assert "under 18" in result.chosen_because
    adult = assess(TINY, Q, {**RECRUITED_AND_EXPLOITED, "age": 30, "work": "factory"})
    assert adult is not None and adult.profile == "adult-labour" and adult.level == "medium"


def test_unknown_age_scores_the_child_lists_too_and_says_so() -> None:
    """Presumption of minority: an unknown age is scored on the child and adult lists and the
    higher is reported (here the child list: no means needed)."""
    result = assess(TINY, Q, {**RECRUITED_AND_EXPLOITED, "age": "unknown", "work": "factory"})
    assert result is not None
    assert result.profiles_scored == ["child-labour", "adult-labour"]
    assert result.profile == "child-labour"
    assert result.level == "high"
    assert result.chosen_because.startswith("age unknown: presumption of minority")
    assert "child-labour gives the higher level" in result.chosen_because


def test_unknown_exploitation_scores_both_and_reports_the_higher() -> None:
    answers = {"consent": "yes", "age": 30, "work": "not_told", "lied_job": "no",
               "long_hours": "no", "clients": "yes", "debt": "no"}
    result = assess(TINY, Q, answers)
    assert result is not None
    assert result.profiles_scored == ["adult-labour", "adult-sexual"]
    assert result.profile == "adult-sexual"
    assert result.level == "medium"
    assert result.chosen_because.endswith(
        "type of exploitation unknown: scored under adult-labour and adult-sexual; "
        "adult-sexual gives the higher level")


def test_unknown_exploitation_tie_reports_labour() -> None:
    answers = {**RECRUITED_AND_EXPLOITED, "age": 30, "work": "not_told"}
    result = assess(TINY, Q, answers)
    assert result is not None
    assert result.profiles_scored == ["adult-labour", "adult-sexual"]
    assert result.profile == "adult-labour"
    assert "both give medium" in result.chosen_because


def test_declined_consent_gives_no_assessment() -> None:
    assert assess(TINY, Q, {"consent": "no", "lied_job": "yes"}) is None
    assert assess(TINY, Q, {"consent": "declined"}) is None


def test_declined_and_unknown_answers_only_lower_coverage() -> None:
    base = {**RECRUITED_AND_EXPLOITED, "age": 30, "work": "factory"}
    answered = assess(TINY, Q, base)
    dodged = assess(TINY, Q, {**base, "debt": "declined", "clients": "unknown"})
    assert answered is not None and dodged is not None
    assert dodged.level == answered.level
    assert dodged.coverage < answered.coverage
    assert "coercion_destination.s1" in dodged.unknown
    finding = dodged.dimensions["deceptive_recruitment"].present[0]
    assert [(a.question, a.answer) for a in finding.answers] == [("lied_job", "yes")]
