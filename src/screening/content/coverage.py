"""Which indicators the questionnaires can reach. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from screening.models import IndicatorSet, Questionnaire


@dataclass(frozen=True)
class IndicatorReach:
    indicator_id: str
    dimension: str
    tier: str
    #: questionnaire id -> the question ids that can reveal this indicator
    reached_by: dict[str, list[str]]


def reach(
    indicator_set: IndicatorSet, questionnaires: list[Questionnaire], profile: str
) -> list[IndicatorReach]:
    out = []
    for indicator in indicator_set.for_profile(profile):
        reached: dict[str, list[str]] = {}
        for q in questionnaires:
            if q.indicator_set != indicator_set.id:
                continue
            ids = [
                question.id
                for question in q.questions()
                if indicator.id in question.indicator_ids()
            ]
            if ids:
                reached[q.id] = ids
        out.append(
            IndicatorReach(
                indicator.id, indicator.dimension,
                indicator.tiers[profile],  # type: ignore[index]  # for_profile() lists only indicators with a tier for this profile
                reached,
            )
        )
    return out
