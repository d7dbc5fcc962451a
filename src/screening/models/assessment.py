"""The result of scoring: level, dimensions with the clause met, coverage, what to do next."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from screening.models.base import LocalizedText, Strict

LEVEL_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2}


class AnswerRef(Strict):
    """One answer behind an indicator: the question and what was answered."""

    question: str
    answer: Any = None


class IndicatorFinding(Strict):
    """A present indicator, with its tier on the profile's list and the answers behind it."""

    id: str
    tier: Literal["strong", "medium", "weak"]
    label: LocalizedText
    answers: list[AnswerRef] = Field(default_factory=list)


class DimensionResult(Strict):
    id: str
    #: The Palermo elements the dimension evidences (act, means, purpose).
    elements: list[str]
    positive: bool
    strong: int = Field(ge=0)
    medium: int = Field(ge=0)
    weak: int = Field(ge=0)
    #: The label of the first rule clause met (YAML order), e.g. "1 strong + 1 medium or weak".
    clause: str | None = None
    present: list[IndicatorFinding] = Field(default_factory=list)
    #: The profile's indicators of this dimension answered "don't know", declined or not asked.
    unknown_count: int = Field(default=0, ge=0)


class RiskFinding(Strict):
    """A departure-risk flag that fired, with the answers behind it."""

    id: str
    level: Literal["high", "medium"]
    label: LocalizedText
    why: LocalizedText | None = None
    answers: list[AnswerRef] = Field(default_factory=list)


class DepartureRisk(Strict):
    """The departure-risk judgement: facts about this trip, apart from identification."""

    level: Literal["high", "medium", "low"]
    title: LocalizedText | None = None
    #: Why this level, in one sentence (which flags, how many unknown).
    because: str = ""
    flags: list[RiskFinding] = Field(default_factory=list)
    #: Flags that could not be assessed (an answer they need is unknown or declined).
    unknown: list[str] = Field(default_factory=list)
    #: Questions every path must answer that are unknown or declined.
    missing: list[str] = Field(default_factory=list)
    #: Destination alerts matched: {"id", "alert", "source", "reviewed"}.
    alerts: list[dict[str, Any]] = Field(default_factory=list)
    #: Supporting document the stated purpose needs (shown to the officer to check).
    document: LocalizedText | None = None
    actions: list[LocalizedText] = Field(default_factory=list)

    def contract(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "flags": [{"id": f.id, "label": f.label, "level": f.level,
                       "why": f.why, "answers": [a.model_dump() for a in f.answers]}
                      for f in self.flags],
            "title": self.title,
            "because": self.because,
            "unknown": list(self.unknown),
            "missing": list(self.missing),
            "alerts": [dict(a) for a in self.alerts],
            "document": self.document,
            "actions": [dict(a) for a in self.actions],
        }


class Assessment(Strict):
    set_id: str
    set_version: str
    profile: str
    #: Every profile scored; two when the type of exploitation is unknown.
    profiles_scored: list[str]
    #: Why this profile's result is the one reported (age, type of exploitation).
    chosen_because: str
    #: The age the profile was chosen by (None: unknown, or the profile was given).
    age: float | None = None
    #: The officer doubted the stated age: the child lists were scored too.
    age_in_doubt: bool = False
    level: Literal["high", "medium", "low"]
    level_title: LocalizedText | None = None
    trafficking_indicated: bool
    #: Palermo elements found: act, means, purpose -> whether a positive dimension shows it.
    elements: dict[str, bool]
    dimensions: dict[str, DimensionResult]
    #: Share of the profile's indicators that could be assessed (answered yes or no).
    coverage: float = Field(ge=0, le=1)
    coverage_warning: str | None = None
    #: Indicator ids of the profile that could not be assessed.
    unknown: list[str] = Field(default_factory=list)
    #: The profile's indicators the script could reach (all of them for --present/--unknown).
    reachable_count: int = Field(default=0, ge=0)
    indicator_count: int = Field(default=0, ge=0)
    actions: list[LocalizedText] = Field(default_factory=list)
    #: {"id", "name", "contact", "description"} for each referral of the level.
    referrals: list[dict[str, Any]] = Field(default_factory=list)
    #: Shown when any indicator is present: victims are not punished for forced offences.
    non_punishment: LocalizedText | None = None
    content_hash: str | None = None
    #: Positive vulnerability dimensions that did not raise the level (nothing else positive).
    vulnerabilities_noted: list[str] = Field(default_factory=list)
    #: The child rule for a child profile: {"follows", "law", "ilo", "act", "purpose"}.
    child_rule: dict[str, Any] | None = None
    #: Where the reported profile's list comes from: {"source", "status", "note"}.
    provenance: dict[str, Any] | None = None
    #: Departure risk, where the script has rules for it.
    departure_risk: DepartureRisk | None = None
    #: The departure-risk flag that raised the identification level to its floor, if any.
    raised_by: str | None = None

    @property
    def positive_dimensions(self) -> list[str]:
        return [d.id for d in self.dimensions.values() if d.positive]

    @property
    def any_present(self) -> bool:
        return any(d.present for d in self.dimensions.values())

    def contract(self) -> dict[str, Any]:
        """The JSON of design.md section 3 (``screening score``), plus explanatory keys."""
        return {
            "profile": self.profile,
            "level": self.level,
            "trafficking_indicated": self.trafficking_indicated,
            "dimensions": {
                d.id: {
                    "positive": d.positive,
                    "strong": d.strong,
                    "medium": d.medium,
                    "weak": d.weak,
                    "clause": d.clause,
                    "elements": list(d.elements),
                    "unknown": d.unknown_count,
                    "present": [
                        {"id": f.id, "tier": f.tier, "answers": [a.model_dump() for a in f.answers]}
                        for f in d.present
                    ],
                }
                for d in self.dimensions.values()
            },
            "coverage": round(self.coverage, 4),
            "coverage_warning": self.coverage_warning,
            "unknown": list(self.unknown),
            "elements": dict(self.elements),
            "positive": self.positive_dimensions,
            "set": self.set_id,
            "set_version": self.set_version,
            "profiles_scored": list(self.profiles_scored),
            "chosen_because": self.chosen_because,
            "level_title": self.level_title,
            "actions": [dict(a) for a in self.actions],
            "referrals": [dict(r) for r in self.referrals],
            "non_punishment": self.non_punishment,
            "content_hash": self.content_hash,
            "vulnerabilities_noted": list(self.vulnerabilities_noted),
            "child_rule": self.child_rule,
            "provenance": self.provenance,
            "raised_by": self.raised_by,
            **({"departure_risk": self.departure_risk.contract()}
               if self.departure_risk is not None else {}),
        }


__all__ = ["LEVEL_ORDER", "AnswerRef", "Assessment", "DepartureRisk", "DimensionResult",
           "IndicatorFinding", "RiskFinding"]
