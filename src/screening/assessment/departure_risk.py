"""Departure risk: the red flags of *this trip*, judged apart from identification. Pure.

At a departure or passport interview nothing has happened at destination yet, so the ILO
combination can almost never be met; what the officer judges is the risk of this trip
(domain.md 2b). A flag is a fact about the trip; a level says what the officer may do.
Unknown answers never fire a flag: they are listed as "could not be assessed".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from screening.content.conditions import parse
from screening.models.answers import is_special
from screening.models.assessment import AnswerRef, DepartureRisk, RiskFinding
from screening.models.risk import DepartureRiskRules, DestinationAlert


def matched_destinations(rules: DepartureRiskRules, answer: Any) -> list[DestinationAlert]:
    """The alerts whose names appear, as whole words, in the destination answer."""
    if not isinstance(answer, str) or is_special(answer):
        return []
    text = answer.casefold()
    return [d for d in rules.destinations
            if any(re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", text) for n in d.names)]


def judge_departure(rules: DepartureRiskRules, answers: Mapping[str, Any],
                    today: date | None = None) -> DepartureRisk:
    definite = {k: v for k, v in answers.items() if v is not None}
    fired: list[RiskFinding] = []
    unknown: list[str] = []

    def refs(*qids: str) -> list[AnswerRef]:
        return [AnswerRef(question=q, answer=definite[q]) for q in qids if q in definite]

    destination = definite.get(rules.destination_question)
    destination_known = isinstance(destination, str) and not is_special(destination)
    alerts = matched_destinations(rules, destination)
    for alert in alerts:
        if alert.level:
            fired.append(RiskFinding(
                id=f"destination_{alert.id}", level=alert.level, label=alert.alert,
                why={"en": f"source: {alert.source}; reviewed {alert.reviewed.isoformat()}",
                     "id": f"sumber: {alert.source}; ditinjau {alert.reviewed.isoformat()}"},
                answers=refs(rules.destination_question)))

    purpose = definite.get(rules.purpose_question)
    document = None
    for entry in rules.purposes:
        if purpose != entry.purpose:
            continue
        document = entry.document
        has = definite.get(entry.question)
        flag_id = f"no_document_{entry.purpose}"
        if has == "no":
            fired.append(RiskFinding(
                id=flag_id, level=entry.level,
                label={lang: (f"Tujuan perjalanan tanpa dokumen pendukungnya: {text}"
                              if lang == "id" else
                              f"The stated purpose without its supporting document: {text}")
                       for lang, text in entry.document.items()},
                why={"en": "Surat Dirjen Imigrasi IMI-GR.01.01-1029 (2017): each purpose needs "
                           "its supporting document at passport issuance",
                     "id": "Surat Dirjen Imigrasi IMI-GR.01.01-1029 (2017): tiap tujuan "
                           "perjalanan memerlukan dokumen pendukungnya"},
                answers=refs(rules.purpose_question, entry.question)))
        elif has is None or is_special(has):
            unknown.append(flag_id)

    matched_ids = {a.id for a in alerts}
    for flag in rules.flags:
        if flag.destinations and not (matched_ids & set(flag.destinations)):
            if not destination_known:
                unknown.append(flag.id)
            continue
        truth: bool | None = True
        referenced: list[str] = []
        if flag.when:
            condition = parse(flag.when)
            truth = condition.evaluate(definite, today=today)
            referenced = sorted(condition.references())
        if truth is None:
            unknown.append(flag.id)
        elif truth:
            qids = [rules.destination_question] if flag.destinations else []
            fired.append(RiskFinding(id=flag.id, level=flag.level, label=flag.label,
                                     why=flag.why, answers=refs(*qids, *referenced)))

    missing = [q for q in rules.required_questions
               if q not in definite or is_special(definite[q])]
    high = [f.id for f in fired if f.level == "high"]
    medium = [f.id for f in fired if f.level == "medium"]
    level: Literal["high", "medium", "low"]
    if high:
        level, because = "high", f"high flag(s): {', '.join(high)}"
    elif len(medium) >= rules.medium_for_high:
        level, because = "high", (f"{len(medium)} medium flags together (from "
                                  f"{rules.medium_for_high}): {', '.join(medium)}")
    elif medium:
        level, because = "medium", f"medium flag(s): {', '.join(medium)}"
    elif len(missing) >= rules.unknown_for_medium:
        level, because = "medium", (
            f"key facts of this trip not known ({', '.join(missing)}): a secondary interview "
            "finds them out; unknown is never read as no")
    else:
        level, because = "low", "no flag of this trip" + (
            f" (not known: {', '.join(missing)})" if missing else "")
    actions = list(rules.level(level).actions)
    for finding in fired:
        source = next((f for f in rules.flags if f.id == finding.id), None)
        for action in source.actions if source else []:
            if action not in actions:
                actions.insert(0, action)
    return DepartureRisk(
        level=level,
        title=rules.level(level).title,
        because=because,
        flags=sorted(fired, key=lambda f: (f.level != "high", f.id)),
        unknown=sorted(set(unknown)),
        alerts=[{"id": a.id, "alert": a.alert, "source": a.source,
                 "reviewed": a.reviewed.isoformat()} for a in alerts],
        document=document,
        actions=actions,
        missing=missing,
    )


__all__ = ["judge_departure", "matched_destinations"]
