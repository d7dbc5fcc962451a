"""Scoring: present and unknown indicators + a profile -> an explainable Assessment.

Pure: no I/O. Unknown ("don't know", declined, not asked) never counts as present and never
changes the level; it only lowers coverage. Consent given never lowers anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from screening.interview.engine import Interview, evidence
from screening.models.assessment import (
    LEVEL_ORDER,
    AnswerRef,
    Assessment,
    DimensionResult,
    IndicatorFinding,
)
from screening.models.indicators import Clause, IndicatorSet, Level
from screening.models.questionnaire import Questionnaire

ELEMENTS: tuple[str, ...] = ("act", "means", "purpose")
#: Levels are tried in this order; the first whose trigger holds applies.
LEVELS_TRIED: tuple[str, ...] = ("high", "medium", "low")

#: indicator id -> the (question id, answer) pairs that revealed it
Present = Mapping[str, Iterable[tuple[str, Any]]] | Iterable[str]


def first_clause(clauses: Iterable[Clause], strong: int, medium: int, weak: int) -> Clause | None:
    """The first clause (in YAML order) these counts meet, or None."""
    return next((c for c in clauses if c.met(strong, medium, weak)), None)


def score(
    indicator_set: IndicatorSet,
    profile: str,
    present: Present,
    unknown: Iterable[str] = (),
    reachable: Iterable[str] | None = None,
    *,
    chosen_because: str | None = None,
    content_hash: str | None = None,
) -> Assessment:
    """Score one profile's list.

    ``present``: ids answered yes (a mapping adds the answers behind each). ``unknown``: ids
    that could not be assessed. Every other indicator counts as absent. ``reachable``: the
    ids the script can reveal (None: the whole list), for coverage only.
    """
    behind = _as_mapping(present)
    unknown_ids = set(unknown) - set(behind)
    listed = indicator_set.for_profile(profile)
    rule = indicator_set.rule

    dimensions: dict[str, DimensionResult] = {}
    strong_present = False
    for dimension in indicator_set.dimensions:
        items = [i for i in listed if i.dimension == dimension.id]
        counts = {"strong": 0, "medium": 0, "weak": 0}
        findings = []
        for indicator in items:
            if indicator.id not in behind:
                continue
            tier = indicator.tiers[profile]  # type: ignore[index]  # listed: for_profile()
            counts[tier] += 1
            strong_present = strong_present or tier == "strong"
            findings.append(IndicatorFinding(
                id=indicator.id, tier=tier, label=indicator.label,
                answers=[AnswerRef(question=q, answer=a) for q, a in behind[indicator.id]],
            ))
        clause = first_clause(rule.dimension_positive, **counts)
        dimensions[dimension.id] = DimensionResult(
            id=dimension.id,
            elements=list(dimension.elements),
            positive=clause is not None,
            clause=clause.label if clause else None,
            present=findings,
            unknown_count=sum(1 for i in items if i.id in unknown_ids),
            **counts,
        )

    positive = {d.id for d in dimensions.values() if d.positive}
    groups = rule.combination.get(profile, [])  # type: ignore[call-overload]  # str, not Profile
    trafficking = bool(groups) and all(any(dim in positive for dim in g) for g in groups)
    triggers = {
        "trafficking_combination": trafficking,
        "positive_dimension": bool(positive),
        "strong_indicator": strong_present,
        "always": True,
    }
    level = _level(indicator_set, triggers)

    listed_ids = [i.id for i in listed]
    reach = set(listed_ids) if reachable is None else set(reachable) & set(listed_ids)
    not_assessed = sorted(i for i in listed_ids if i in unknown_ids)
    assessed = [i for i in listed_ids if i in reach and i not in unknown_ids]
    coverage = len(assessed) / len(listed_ids) if listed_ids else 0.0
    warning = None
    if level.id == "low" and coverage < rule.coverage_warning_below:
        warning = _coverage_warning(profile, coverage, len(listed_ids), len(not_assessed),
                                    len(set(listed_ids) - reach))

    return Assessment(
        set_id=indicator_set.id,
        set_version=indicator_set.version,
        profile=profile,
        profiles_scored=[profile],
        chosen_because=chosen_because or f"profile {profile} chosen by the officer",
        level=level.id,
        level_title=level.title,
        trafficking_indicated=trafficking,
        elements={e: any(e in dimensions[d].elements for d in positive) for e in ELEMENTS},
        dimensions=dimensions,
        coverage=coverage,
        coverage_warning=warning,
        unknown=not_assessed,
        reachable_count=len(reach),
        indicator_count=len(listed_ids),
        actions=[a.text for a in level.actions if _for(a.profiles, profile)],
        referrals=_referrals(indicator_set, level, profile),
        non_punishment=indicator_set.non_punishment if any(
            d.present for d in dimensions.values()) else None,
        content_hash=content_hash,
    )


def assess(
    indicator_set: IndicatorSet,
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    today: date | None = None,
    *,
    content_hash: str | None = None,
) -> Assessment | None:
    """Score the answers of an interview; None when the person declined consent.

    Age is decided first: under 18 selects the child lists (no means needed). Then the type
    of exploitation picks labour or sexual lists; when it is unknown both are scored and the
    higher level is reported (labour on a tie).
    """
    if Interview(questionnaire, dict(answers), today).consent_declined:
        return None
    found = evidence(questionnaire, answers, today)
    if found.age is not None and found.age < 18:
        group = "child"
        why_age = f"age {found.age:g}: under 18, so the child lists (no means needed)"
    elif found.age is not None:
        group = "adult"
        why_age = f"age {found.age:g}: adult lists"
    else:
        group = "adult"
        why_age = ("age unknown: adult lists (a person under 18 would be scored on the child "
                   "lists, where no means is needed; establish the age if you can)")

    kinds = ("labour", "sexual") if found.exploitation not in ("labour", "sexual") else (
        found.exploitation,)
    results = [
        score(indicator_set, f"{group}-{kind}", found.present, found.unknown, found.reachable,
              content_hash=content_hash)
        for kind in kinds
    ]
    best = results[0]
    for result in results[1:]:
        if LEVEL_ORDER[result.level] > LEVEL_ORDER[best.level]:
            best = result
    profiles = [r.profile for r in results]
    if len(results) == 1:
        why_kind = f"type of exploitation {found.exploitation}: {best.profile}"
    elif best is results[0] and results[0].level == results[1].level:
        why_kind = (f"type of exploitation unknown: scored under {profiles[0]} and "
                    f"{profiles[1]}; both give {best.level}, reported under {best.profile}")
    else:
        why_kind = (f"type of exploitation unknown: scored under {profiles[0]} and "
                    f"{profiles[1]}; {best.profile} gives the higher level")
    return best.model_copy(update={"profiles_scored": profiles, "age": found.age,
                                   "chosen_because": f"{why_age}; {why_kind}"})


def unknown_ids(indicator_set: IndicatorSet, ids: Iterable[str]) -> list[str]:
    """The ids that are not indicators of the set, each with a "did you mean" suffix."""
    from screening.errors import suggest

    known = [i.id for i in indicator_set.indicators]
    return [f"'{i}'" + suggest(i, known) for i in ids if indicator_set.indicator(i) is None]


# --- helpers ------------------------------------------------------------------------------


def _as_mapping(present: Present) -> dict[str, list[tuple[str, Any]]]:
    if isinstance(present, Mapping):
        return {k: [tuple(p) for p in v] for k, v in present.items()}
    return {k: [] for k in present}


def _level(indicator_set: IndicatorSet, triggers: dict[str, bool]) -> Level:
    by_id: dict[str, Level] = {level.id: level for level in indicator_set.levels}
    for level_id in LEVELS_TRIED:
        if any(triggers[t] for t in by_id[level_id].when):
            return by_id[level_id]
    return by_id["low"]


def _for(profiles: Sequence[str] | None, profile: str) -> bool:
    return profiles is None or profile in profiles


def _referrals(indicator_set: IndicatorSet, level: Level, profile: str) -> list[dict[str, Any]]:
    by_id = {r.id: r for r in indicator_set.referrals}
    return [
        {"id": r.id, "name": r.name, "contact": r.contact, "description": r.description}
        for ref in level.referrals
        if (r := by_id.get(ref)) is not None and _for(r.profiles, profile)
    ]


def _coverage_warning(profile: str, coverage: float, total: int, unknown: int,
                      unreached: int) -> str:
    parts = [f"{unknown} answered \"don't know\", declined or not asked"]
    if unreached:
        parts.append(f"{unreached} not covered by this script")
    return (f"Could not be assessed: only {coverage:.0%} of the {total} {profile} indicators "
            f"were answered ({'; '.join(parts)}). A low level here does not mean low risk: "
            "interview further before deciding.")


__all__ = ["ELEMENTS", "assess", "first_clause", "score", "unknown_ids"]
