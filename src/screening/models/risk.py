"""Departure risk rules: facts about *this trip*, judged apart from identification.

Written in a departure script's ``departure_risk`` block, beside its questions, because every
rule names the script's questions and options (and is validated and snapshotted with them).
"""

# No `from __future__ import annotations`: pydantic would compile each string annotation
# back into a type when the class is made, ~3 ms of every start for the models.

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from screening.models.base import Identifier, LocalizedText, Strict

RiskLevelId = Literal["high", "medium", "low"]
Condition = Annotated[str, StringConstraints(min_length=1)]


class DestinationAlert(Strict):
    """A country, region or route with a current alert, matched in the destination answer."""

    id: Identifier
    #: Names matched as whole words, case-insensitively, in the destination answer.
    names: list[Annotated[str, StringConstraints(min_length=2)]] = Field(min_length=1)
    alert: LocalizedText
    #: Where the alert comes from (a report, an instruction, a news item).
    source: str
    #: When someone last checked the alert still holds; older than a year: validate warns.
    reviewed: date
    #: The destination alone raises a flag of this level; absent: the alert is only shown.
    level: Literal["high", "medium"] | None = None


class PurposeDocument(Strict):
    """The supporting document a purpose needs at passport issuance (Dirjen Imigrasi
    IMI-GR.01.01-1029, 2017); "no" to ``question`` is a flag."""

    purpose: Identifier
    document: LocalizedText
    #: The yes/no question "do you have ...?" shown for this purpose.
    question: Identifier
    level: Literal["high", "medium"] = "medium"


class RiskFlag(Strict):
    id: Identifier
    level: Literal["high", "medium"]
    label: LocalizedText
    #: Why this is a red flag of the trip (the rule or the law).
    why: LocalizedText | None = None
    #: A condition on the answers (the language of show_when).
    when: Condition | None = None
    #: The destination answer must match one of these alerts too.
    destinations: list[Identifier] = Field(default_factory=list)
    #: Extra actions when this flag fires (for a child: child protection first).
    actions: list[LocalizedText] = Field(default_factory=list)
    #: The identification level is at least this when the flag fires: a child leaving to
    #: work abroad is never shown "low" (UU 18/2017: no legal route under 18).
    identification_floor: Literal["high", "medium"] | None = None


class RiskLevel(Strict):
    id: RiskLevelId
    title: LocalizedText
    #: What the officer may do at this level; never says "victim".
    actions: list[LocalizedText] = Field(default_factory=list)


class DepartureRiskRules(Strict):
    #: The question whose answer names the destination (text).
    destination_question: Identifier
    #: The question whose option is the purpose of the trip.
    purpose_question: Identifier
    #: Asked on every path through the script, whatever the stated purpose.
    required_questions: list[Identifier] = Field(default_factory=list)
    #: This many required questions unknown or declined make the level at least medium.
    unknown_for_medium: int = Field(default=2, ge=1)
    #: This many medium flags together make the level high.
    medium_for_high: int = Field(default=3, ge=1)
    purposes: list[PurposeDocument] = Field(default_factory=list)
    destinations: list[DestinationAlert] = Field(default_factory=list)
    flags: list[RiskFlag] = Field(default_factory=list)
    levels: list[RiskLevel] = Field(min_length=3, max_length=3)

    def level(self, level_id: str) -> RiskLevel:
        return next(level for level in self.levels if level.id == level_id)


__all__ = ["DepartureRiskRules", "DestinationAlert", "PurposeDocument", "RiskFlag", "RiskLevel"]
