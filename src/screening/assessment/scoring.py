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
from screening.models.indicators import ChildRule, Clause, IndicatorSet, Level
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
    script: str | None = None,
) -> Assessment:
    """Score one profile's list.

    ``present``: ids answered yes (a mapping adds the answers behind each). ``unknown``: ids
    that could not be assessed. Every other indicator counts as absent. ``reachable``: the
    ids the script can reveal (None: the whole list), for coverage only.
    """
    behind = _as_mapping(present)
    acts = {k: v for k, v in behind.items() if indicator_set.act(k) is not None}
    unknown_ids = set(unknown) - set(behind)
    listed = indicator_set.for_profile(profile)
    rule = indicator_set.rule

    dimensions: dict[str, DimensionResult] = {}
    for dimension in indicator_set.dimensions:
        items = [i for i in listed if i.dimension == dimension.id]
        counts = {"strong": 0, "medium": 0, "weak": 0}
        findings = []
        for indicator in items:
            if indicator.id not in behind:
                continue
            tier = indicator.tiers[profile]  # type: ignore[index]  # listed: for_profile()
            counts[tier] += 1
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
    vulnerable = indicator_set.vulnerability_dimensions()
    # Vulnerability explains why people are targeted; alone it never raises the level.
    counted = positive - vulnerable
    groups = rule.combination.get(profile, [])  # type: ignore[call-overload]  # str, not Profile
    ilo_form = bool(groups) and all(any(dim in positive for dim in g) for g in groups)
    child_rule = None
    trafficking = ilo_form
    if profile.startswith("child-") and rule.child_rule is not None:
        child_rule = _child_rule(rule.child_rule, positive, vulnerable, acts, behind, ilo_form)
        trafficking = child_rule["law"] if rule.child_rule.follows == "law" else ilo_form
    strong_counted = any(
        f.tier == "strong" for d in dimensions.values() if d.id not in vulnerable
        for f in d.present)
    triggers = {
        "trafficking_combination": trafficking,
        "positive_dimension": bool(counted),
        "strong_indicator": strong_counted,
        "always": True,
    }
    level = _level(indicator_set, triggers)
    noted = sorted(positive & vulnerable) if level.id == "low" else []

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
        level_title=(level.vulnerability_title or level.title) if noted else level.title,
        trafficking_indicated=trafficking,
        elements=_elements(dimensions, positive if counted or trafficking else counted, acts,
                           child_rule),
        dimensions=dimensions,
        coverage=coverage,
        coverage_warning=warning,
        unknown=not_assessed,
        reachable_count=len(reach),
        indicator_count=len(listed_ids),
        actions=[a.text for a in level.actions
                 if _for(a.profiles, profile) and _for(a.scripts, script)]
        + ([a.text for a in level.vulnerability_actions
            if _for(a.profiles, profile) and _for(a.scripts, script)] if noted else []),
        referrals=_referrals(indicator_set, level, profile),
        non_punishment=indicator_set.non_punishment if any(
            d.present for d in dimensions.values()) else None,
        content_hash=content_hash,
        vulnerabilities_noted=noted,
        child_rule=child_rule,
        provenance=_provenance(indicator_set, profile),
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

    Age is decided first: under 18 selects the child lists (no means needed). When the age
    is unknown or in doubt, the child lists are scored too and the higher level is reported
    (the child list on a tie: presumption of minority). Then the type of exploitation picks
    labour or sexual lists; when it is unknown both are scored and the higher is reported
    (labour on a tie). Where the script has departure-risk rules, that judgement is added.
    """
    if Interview(questionnaire, dict(answers), today).consent_declined:
        return None
    found = evidence(questionnaire, answers, today)
    groups, why_age = _age_groups(found)
    kinds = ("labour", "sexual") if found.exploitation not in ("labour", "sexual") else (
        found.exploitation,)
    results = [
        score(indicator_set, f"{group}-{kind}", found.present, found.unknown, found.reachable,
              content_hash=content_hash, script=questionnaire.id)
        for group in groups for kind in kinds
    ]
    best = results[0]
    for result in results[1:]:
        if LEVEL_ORDER[result.level] > LEVEL_ORDER[best.level]:
            best = result
    profiles = [r.profile for r in results]
    named = " and ".join([", ".join(profiles[:-1]), profiles[-1]]) if len(profiles) > 1 else ""
    if len(results) == 1:
        why_kind = f"type of exploitation {found.exploitation}: {best.profile}"
    elif all(r.level == best.level for r in results):
        why_kind = (f"scored under {named}; "
                    + ("both give" if len(profiles) == 2 else "all give")
                    + f" {best.level}, reported under {best.profile}")
    else:
        why_kind = f"scored under {named}; {best.profile} gives the higher level"
    if len(kinds) > 1:
        why_kind = "type of exploitation unknown: " + why_kind
    update: dict[str, Any] = {"profiles_scored": profiles, "age": found.age,
                              "age_in_doubt": found.age_in_doubt,
                              "chosen_because": f"{why_age}; {why_kind}"}
    if questionnaire.departure_risk is not None:
        from screening.assessment.departure_risk import judge_departure

        risk = judge_departure(questionnaire.departure_risk, answers, today)
        update["departure_risk"] = risk
        update.update(_floor(indicator_set, questionnaire, best, risk, update["chosen_because"]))
    return best.model_copy(update=update)


def _floor(indicator_set: IndicatorSet, questionnaire: Questionnaire, best: Assessment,
           risk: Any, because: str) -> dict[str, Any]:
    """A departure-risk flag that sets a floor (a child leaving to work abroad) raises the
    identification level to it, with that level's actions for the profile, saying why."""
    flags = {f.id: f for f in questionnaire.departure_risk.flags}  # type: ignore[union-attr]
    floors = [(flags[f.id].identification_floor, f.id) for f in risk.flags
              if f.id in flags and flags[f.id].identification_floor]
    if not floors:
        return {}
    floor, flag_id = max(floors, key=lambda pair: LEVEL_ORDER[pair[0] or "low"])
    if floor is None or LEVEL_ORDER[floor] <= LEVEL_ORDER[best.level]:
        return {}
    level = indicator_set.level(floor)
    return {
        "level": floor,
        "level_title": level.title,
        "raised_by": flag_id,
        "vulnerabilities_noted": [],
        "chosen_because": f"{because}; level raised to {floor} by the departure-risk flag "
                          f"{flag_id}",
        "actions": [a.text for a in level.actions
                    if _for(a.profiles, best.profile) and _for(a.scripts, questionnaire.id)],
        "referrals": _referrals(indicator_set, level, best.profile),
    }


def _age_groups(found: Any) -> tuple[tuple[str, ...], str]:
    if found.age is not None and found.age < 18:
        return ("child",), f"age {found.age:g}: under 18, so the child lists (no means needed)"
    if found.age is None:
        return ("child", "adult"), (
            "age unknown: presumption of minority, so the child lists are scored too and the "
            "higher level is reported (the child list on a tie)")
    if found.age_in_doubt:
        return ("child", "adult"), (
            f"age {found.age:g} given but in doubt: presumption of minority, so the child "
            "lists are scored too and the higher level is reported (the child list on a tie)")
    return ("adult",), f"age {found.age:g}: adult lists"


def unknown_ids(indicator_set: IndicatorSet, ids: Iterable[str]) -> list[str]:
    """The ids that are not indicators of the set, each with a "did you mean" suffix."""
    from screening.errors import suggest

    known = [i.id for i in indicator_set.indicators] + [a.id for a in indicator_set.acts]
    return [f"'{i}'" + suggest(i, known) for i in ids
            if indicator_set.indicator(i) is None and indicator_set.act(i) is None]


# --- helpers ------------------------------------------------------------------------------


def _child_rule(rule: ChildRule, positive: set[str], vulnerable: set[str],
                acts: Mapping[str, Any], present: Mapping[str, Any],
                ilo_form: bool) -> dict[str, Any]:
    """The child rule both ways: the law (act + purpose, no means) and the ILO form."""
    act_dims = sorted(d for d in rule.act_dimensions if d in positive - vulnerable)
    act = bool(acts) or bool(act_dims)
    purpose_dims = all(any(d in positive for d in group) for group in rule.purpose)
    purpose_items = sorted(i for i in rule.purpose_indicators if i in present)
    purpose = purpose_dims or bool(purpose_items)
    return {
        "follows": rule.follows,
        "law": act and purpose,
        "ilo": ilo_form,
        "act": sorted(acts) + act_dims,
        "purpose": purpose,
        "purpose_indicators": purpose_items,
    }


def _elements(dimensions: Mapping[str, DimensionResult], counted: set[str],
              acts: Mapping[str, Any], child_rule: dict[str, Any] | None) -> dict[str, bool]:
    found = {e: any(e in dimensions[d].elements for d in counted) for e in ELEMENTS}
    if acts:
        found["act"] = True
    if child_rule and child_rule["purpose"]:
        found["purpose"] = True
    return found


def _provenance(indicator_set: IndicatorSet, profile: str) -> dict[str, Any] | None:
    known = indicator_set.provenance.get(profile)  # type: ignore[call-overload]
    return known.model_dump() if known is not None else None


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


def _for(allowed: Sequence[str] | None, value: str | None) -> bool:
    """No list: for everyone; no value (scored without a script): every action."""
    return allowed is None or value is None or value in allowed


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
