"""The shared vocabulary: Pydantic models of indicator sets, questionnaires and assessments, and
the answer values ("don't know", "declines") every layer speaks of.

May import pydantic and ``screening.errors`` only: no CLI, records, typer, rich or sqlite-utils.
"""

from screening.models.indicators import (
    PROFILES,
    TIERS,
    Dimension,
    Indicator,
    IndicatorSet,
    Level,
    Referral,
)
from screening.models.questionnaire import Option, Question, Questionnaire, Section

__all__ = [
    "PROFILES",
    "TIERS",
    "Dimension",
    "Indicator",
    "IndicatorSet",
    "Level",
    "Option",
    "Question",
    "Questionnaire",
    "Referral",
    "Section",
]
