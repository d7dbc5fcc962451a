"""Pydantic models of the domain. No CLI or storage imports here."""

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
