"""An interview script: sections of questions, skip logic, indicator mappings, alerts."""

# No `from __future__ import annotations`: pydantic would compile each string annotation
# back into a type when the class is made, ~3 ms of every start for the models.

from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, StringConstraints

from screening.models.base import Identifier, LocalizedText, Strict, Version
from screening.models.risk import DepartureRiskRules

QuestionType = Literal["yes_no", "choice", "multi_choice", "text", "number", "date"]
QUESTION_TYPES: tuple[str, ...] = ("yes_no", "choice", "multi_choice", "text", "number", "date")
#: ask: read aloud to the person; check: the officer's setting checklist;
#: observe: what the officer notices without asking.
Mode = Literal["ask", "check", "observe"]
#: Questions with a role feed the engine and the scoring (consent ends the interview when
#: declined; age or birth_date selects the child lists; exploitation_type picks the lists).
#: age_doubt: the officer doubts the stated age (presumption of minority).
#: address: how the officer addresses the person aloud (Bapak, Ibu; kamu for a child).
Role = Literal["consent", "consent_share", "age", "age_doubt", "birth_date", "exploitation_type",
               "address"]
#: A condition in the small language of ``screening.content.conditions`` (checked by the loader).
Condition = Annotated[str, StringConstraints(min_length=1)]
OptionKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class Option(Strict):
    key: OptionKey
    label: LocalizedText
    #: For the exploitation_type role: which lists this answer selects.
    exploitation: Literal["labour", "sexual", "unknown"] | None = None
    #: "Nobody", "none", "don't know": cannot be chosen together with another option.
    exclusive: bool = False


class Constraint(Strict):
    #: A condition on ``value`` (and earlier answers) that a valid answer meets.
    rule: Condition
    message: LocalizedText


class Alert(Strict):
    """An answer that interrupts the interview with an urgent safety panel."""

    #: The answers (yes/no or option keys) that raise the alert.
    on: list[str] = Field(min_length=1)
    title: LocalizedText
    message: LocalizedText


class Question(Strict):
    id: Identifier
    type: QuestionType
    mode: Mode = "ask"
    #: What the officer reads aloud (for check and observe: the item the officer ticks).
    text: LocalizedText
    #: Shown to the officer under the question, never read aloud.
    guidance: LocalizedText | None = None
    required: bool = True
    show_when: Condition | None = None
    constraint: Constraint | None = None
    #: For a number: whole numbers only (ages in whole years).
    integer: bool = False
    options: list[Option] = Field(default_factory=list)
    #: Answer (yes, no or an option key) -> the indicators that answer reveals.
    indicators: dict[str, list[str]] = Field(default_factory=dict)
    #: Names, document numbers, contacts: sealed at rest, left out of default exports.
    identifying: bool = False
    #: Asked later in the script; the officer is reminded of the right to decline.
    sensitive: bool = False
    alert: Alert | None = None
    role: Role | None = None

    @property
    def officer_only(self) -> bool:
        return self.mode != "ask"

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def indicator_ids(self) -> set[str]:
        return {i for ids in self.indicators.values() for i in ids}


class Section(Strict):
    id: Identifier
    title: LocalizedText
    #: Read aloud when the section begins (introduction, consent wording, closing).
    intro: LocalizedText | None = None
    #: Shown to the officer only, when the section begins.
    guidance: LocalizedText | None = None
    show_when: Condition | None = None
    #: A deeper module: when its show_when keeps it closed, what it would reveal counts as not
    #: assessed (the officer did not go on), never as absent.
    module: bool = False
    questions: list[Question] = Field(default_factory=list)


class Questionnaire(Strict):
    kind: Literal["questionnaire"] = "questionnaire"
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
    version: Version
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = Field(
        min_length=1
    )
    title: LocalizedText
    description: LocalizedText | None = None
    #: The indicator set whose ids the questions map to.
    indicator_set: str
    #: False for a script that is not a screening (the follow-up after a referral): it gives
    #: no level, and its questions map to no indicator.
    scored: bool = True
    sections: list[Section] = Field(min_length=1)
    #: Departure risk rules (facts about this trip), judged apart from identification.
    departure_risk: DepartureRiskRules | None = None

    _order: list[Question] | None = PrivateAttr(default=None)
    _index: dict[str, Question] | None = PrivateAttr(default=None)

    def questions(self) -> list[Question]:
        """Every question in the order asked."""
        order = self._order
        if order is None:
            order = self._order = [q for s in self.sections for q in s.questions]
        return order

    def question(self, question_id: str) -> Question | None:
        index = self._index
        if index is None:
            # setdefault: a duplicate id (refused by the loader) keeps its first question
            index = {}
            for q in self.questions():
                index.setdefault(q.id, q)
            self._index = index
        return index.get(question_id)

    def section_of(self, question_id: str) -> Section:
        return next(s for s in self.sections if any(q.id == question_id for q in s.questions))

    def with_role(self, role: str) -> Question | None:
        return next((q for q in self.questions() if q.role == role), None)
