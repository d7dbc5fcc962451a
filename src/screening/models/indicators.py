"""An indicator set: dimensions, indicators with tiers per profile, the decision rule, levels."""

# No `from __future__ import annotations`: pydantic would compile each string annotation
# back into a type when the class is made, ~3 ms of every start for the models.

from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, StringConstraints, model_validator

from screening.models.base import Identifier, LocalizedText, Strict, Version

Profile = Literal["adult-labour", "adult-sexual", "child-labour", "child-sexual"]
PROFILES: tuple[str, ...] = ("adult-labour", "adult-sexual", "child-labour", "child-sexual")
Tier = Literal["strong", "medium", "weak"]
TIERS: tuple[str, ...] = ("strong", "medium", "weak")
Element = Literal["act", "means", "purpose"]
LevelId = Literal["high", "medium", "low"]
Trigger = Literal["trafficking_combination", "positive_dimension", "strong_indicator", "always"]

IndicatorId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]


class Dimension(Strict):
    id: Identifier
    title: LocalizedText
    #: The Palermo elements this dimension evidences (act, means, purpose).
    elements: list[Element] = Field(min_length=1)
    stage: Literal["recruitment", "destination"]
    #: A vulnerability dimension explains why a person is targeted: alone it never raises
    #: the level (it would profile the poor), it still counts inside the combination.
    vulnerability: bool = False


class Indicator(Strict):
    id: IndicatorId
    label: LocalizedText
    description: LocalizedText | None = None
    #: The tier in each profile's list; a profile absent here does not list the indicator.
    tiers: dict[Profile, Tier] = Field(min_length=1)
    #: Where the item or a tier comes from when it is not the checked adult-labour list.
    note: str | None = None
    #: A fact about the person (poverty, schooling, family, health, past), never about the
    #: trip: a departure-risk flag may not rest on such answers alone.
    background: bool = False
    #: "project": an item the project added itself (not an ILO item); says so wherever shown.
    origin: Literal["ilo", "project"] = "ilo"

    @property
    def dimension(self) -> str:
        return self.id.split(".", 1)[0]


class Clause(Strict):
    """One way a dimension becomes positive: at least these many present indicators."""

    label: str
    strong: int = Field(default=0, ge=0)
    medium: int = Field(default=0, ge=0)
    weak: int = Field(default=0, ge=0)
    #: Indicators of medium or weak tier counted together.
    medium_or_weak: int = Field(default=0, ge=0)

    def met(self, strong: int, medium: int, weak: int) -> bool:
        return (
            strong >= self.strong
            and medium >= self.medium
            and weak >= self.weak
            and medium + weak >= self.medium_or_weak
        )


class ActEvidence(Strict):
    """A fact showing the Palermo *act* (someone else recruited, arranged, paid, escorted,
    housed or received the person). Questions map answers to these ids like indicators."""

    id: Annotated[str, StringConstraints(pattern=r"^act\.[a-z][a-z0-9_]*$")]
    label: LocalizedText


class ChildRule(Strict):
    """Under 18 (or age in doubt): which form of the child rule decides "trafficking
    indicated". ``law`` (Palermo art. 3(c), UU 21/2007): the act and the purpose, no means.
    ``ilo``: the ILO form in ``combination`` (a recruitment dimension + exploitation)."""

    follows: Literal["law", "ilo"] = "law"
    #: The purpose: every group must hold at least one positive dimension...
    purpose: list[list[Identifier]] = Field(min_length=1)
    #: ...or any of these indicators is present (exploitation in itself for a child).
    purpose_indicators: list[IndicatorId] = Field(default_factory=list)
    #: A positive (non-vulnerability) dimension among these also shows the act.
    act_dimensions: list[Identifier] = Field(default_factory=list)


class Provenance(Strict):
    """Where a profile's list comes from and whether it was checked item by item."""

    source: str
    status: Literal["checked", "derived"]
    #: What "derived" means for this list, shown with every result scored on it.
    note: str | None = None


class DecisionRule(Strict):
    #: A dimension is positive when any clause is met.
    dimension_positive: list[Clause] = Field(min_length=1)
    #: Per profile: every group must hold at least one positive dimension.
    combination: dict[Profile, list[list[Identifier]]]
    #: Below this coverage, a low level carries a "could not be assessed" warning.
    coverage_warning_below: float = Field(default=0.6, ge=0, le=1)
    #: The child rule of the law; absent: the ILO form in ``combination`` alone.
    child_rule: ChildRule | None = None


class Referral(Strict):
    id: Identifier
    name: LocalizedText
    contact: str
    description: LocalizedText
    #: Only for these profiles (all when absent).
    profiles: list[Profile] | None = None


class Action(Strict):
    text: LocalizedText
    #: Only for these profiles (all when absent).
    profiles: list[Profile] | None = None
    #: Only for interviews on these scripts (all when absent): a return is not a departure.
    scripts: list[str] | None = None


class Level(Strict):
    id: LevelId
    title: LocalizedText
    #: Shown instead of the title when only vulnerability dimensions are positive.
    vulnerability_title: LocalizedText | None = None
    #: Information and advice for a result whose only positive dimensions are vulnerability.
    vulnerability_actions: list[Action] = Field(default_factory=list)
    #: The level applies when any trigger holds; levels are tried high, medium, low.
    when: list[Trigger] = Field(min_length=1)
    actions: list[Action] = Field(default_factory=list)
    referrals: list[Identifier] = Field(default_factory=list)


class SlipSection(Strict):
    heading: LocalizedText
    lines: list[LocalizedText] = Field(min_length=1)


class InformationSlip(Strict):
    """What every person screened leaves with, whatever the result."""

    title: LocalizedText
    sections: list[SlipSection] = Field(min_length=1)


class IndicatorSet(Strict):
    kind: Literal["indicator_set"] = "indicator_set"
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    version: Version
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = Field(
        min_length=1
    )
    title: LocalizedText
    source: str | None = None
    #: Per profile list: its source and whether it was checked against the ILO tables.
    provenance: dict[Profile, Provenance] = Field(default_factory=dict)
    dimensions: list[Dimension] = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)
    #: Evidence of the act (for the child rule of the law); not scored in any dimension.
    acts: list[ActEvidence] = Field(default_factory=list)
    rule: DecisionRule
    levels: list[Level] = Field(min_length=1)
    referrals: list[Referral] = Field(default_factory=list)
    non_punishment: LocalizedText | None = None
    information_slip: InformationSlip | None = None

    _index: dict[str, Indicator] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _levels_complete(self) -> "IndicatorSet":
        ids = [level.id for level in self.levels]
        if sorted(ids) != sorted(set(ids)) or set(ids) != {"high", "medium", "low"}:
            raise ValueError("levels must define each of high, medium and low exactly once")
        return self

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._by_id().get(indicator_id)

    def _by_id(self) -> dict[str, Indicator]:
        if self._index is None:
            self._index = {i.id: i for i in self.indicators}
        return self._index

    def act(self, act_id: str) -> ActEvidence | None:
        return next((a for a in self.acts if a.id == act_id), None)

    def vulnerability_dimensions(self) -> set[str]:
        return {d.id for d in self.dimensions if d.vulnerability}

    def for_profile(self, profile: str) -> list[Indicator]:
        return [i for i in self.indicators if profile in i.tiers]

    def level(self, level_id: str) -> Level:
        return next(level for level in self.levels if level.id == level_id)
