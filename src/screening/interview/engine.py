"""The interview as a pure state machine: which question comes next, what an answer means.

No I/O: the CLI asks, the store saves, this module decides. The same engine serves the guided
interview and paper-form entry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from screening.content.conditions import parse
from screening.errors import InvalidAnswer
from screening.models import Question, Questionnaire
from screening.models.answers import DECLINED, SPECIAL, UNKNOWN, AnswerValue, is_special
from screening.models.base import localized
from screening.models.questionnaire import Alert
from screening.text import unicode_problem

MAX_TEXT = 2000
_MAX_WHOLE = 10**15  # beyond this a whole number cannot be an age, a count or an amount here
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_YES = {"y", "yes", "ya", "iya", "1"}
_NO = {"n", "no", "t", "tidak", "tdk", "0"}


def visible(
    questionnaire: Questionnaire,
    question: Question,
    answers: Mapping[str, Any],
    today: date | None = None,
) -> bool | None:
    """Whether ``question`` is asked given earlier ``answers``; None when that is unknown.

    Unknown arises when a condition rests on a "don't know" or "declined" answer: the
    question is then not asked, and what it could reveal stays unknown (never read as no).
    """
    section = questionnaire.section_of(question.id)
    results = []
    for text in (section.show_when, question.show_when):
        if text:
            results.append(parse(text).evaluate(answers, today=today))
    if any(r is False for r in results):
        return False
    if any(r is None for r in results):
        return None
    return True


def normalize(
    question: Question,
    raw: Any,
    *,
    lang: str = "en",
    answers: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> AnswerValue | None:
    """Turn typed or file input into the stored answer, or raise InvalidAnswer with a reason.

    ``None`` means "left blank" (only for a question that is not required).
    """
    if isinstance(raw, str):
        problem = unicode_problem(raw)
        if problem:  # a lone surrogate (a broken paste, a file) cannot be stored
            raise InvalidAnswer(problem, question_id=question.id, code="not_unicode")
        raw = _CONTROL.sub("", raw).strip()
        if raw in ("?", UNKNOWN):
            return UNKNOWN
        if raw in ("-", DECLINED):
            return DECLINED
    if raw is None or raw == "" or raw == []:
        if question.required:
            raise InvalidAnswer(
                "an answer is needed (or ? for don't know, - for declines)",
                question_id=question.id,
                code="needed",
            )
        return None
    value = _typed(question, raw)
    if question.constraint is not None:
        context = dict(answers or {})
        ok = parse(question.constraint.rule).evaluate(context, value=value, today=today)
        if ok is False:
            raise InvalidAnswer(
                localized(question.constraint.message, lang), question_id=question.id
            )
    return value


def _typed(question: Question, raw: Any) -> AnswerValue:
    kind = question.type
    qid = question.id
    if kind == "yes_no":
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        word = str(raw).strip().lower()
        if word in _YES:
            return "yes"
        if word in _NO:
            return "no"
        raise InvalidAnswer(
            f"'{_short(raw)}' is not yes or no (type y or n)",
            question_id=qid,
            code="not_yes_no",
            values={"value": _short(raw)},
        )
    if kind == "choice":
        if isinstance(raw, list):
            raise InvalidAnswer("choose one option, not a list", question_id=qid, code="one_option")
        return _option_key(question, raw)
    if kind == "multi_choice":
        items = raw if isinstance(raw, list) else [p for p in re.split(r"[,\s]+", str(raw)) if p]
        keys: list[str] = []
        for item in items:
            key = _option_key(question, item)
            if key not in keys:
                keys.append(key)
        if not keys:
            raise InvalidAnswer("choose at least one option", question_id=qid, code="no_option")
        alone = [o for o in question.options if o.exclusive and o.key in keys]
        if alone and len(keys) > 1:
            option = alone[0]
            raise InvalidAnswer(
                f"'{localized(option.label, 'en')}' cannot be combined with other options",
                question_id=qid,
                code="exclusive",
                values={"option": option.label},
            )
        return keys
    if kind == "number":
        value = _number(raw, qid)
        if question.integer and not float(value).is_integer():
            raise InvalidAnswer(
                f"'{_short(raw)}' is not a whole number",
                question_id=qid,
                code="not_whole",
                values={"value": _short(raw)},
            )
        return int(value) if question.integer else value
    if kind == "date":
        return _date(raw, qid)
    text = str(raw)
    if len(text) > MAX_TEXT:
        raise InvalidAnswer(
            f"the answer is {len(text)} characters; at most {MAX_TEXT}",
            question_id=qid,
            code="too_long",
            values={"n": len(text), "max": MAX_TEXT},
        )
    return text


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _date(raw: Any, qid: str) -> str:
    """ISO ``YYYY-MM-DD``, or the day first as Indonesian forms write it (31/12/1995,
    31-12-1995); stored as ISO."""
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    try:
        day_first = _DAY_FIRST.match(text)
        if day_first:
            d, m, y = (int(g) for g in day_first.groups())
            return date(y, m, d).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidAnswer(
            f"'{_short(text)}' is not a date; write it as YYYY-MM-DD or DD/MM/YYYY",
            question_id=qid,
            code="not_date",
            values={"value": _short(text)},
        ) from None


def _number(raw: Any, qid: str) -> int | float:
    if isinstance(raw, bool):
        raise InvalidAnswer("expected a number", question_id=qid, code="not_number",
                            values={"value": raw})
    if isinstance(raw, int) and abs(raw) >= _MAX_WHOLE:
        raise InvalidAnswer("the number is too large", question_id=qid, code="too_large")
    if isinstance(raw, int | float):
        value: float = raw
    else:
        text = str(raw).strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise InvalidAnswer(
                f"'{_short(text)}' is not a number",
                question_id=qid,
                code="not_number",
                values={"value": _short(text)},
            ) from None
    if not math.isfinite(value):
        raise InvalidAnswer("expected a finite number", question_id=qid, code="not_number",
                            values={"value": _short(raw)})
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _option_key(question: Question, raw: Any) -> str:
    """An option by its number, its key or its label (any language, any case), or by the
    start of one when only one option starts so (``n`` for "none")."""
    text = str(raw).strip()
    if text.isascii() and text.isdigit() and len(text) < 6 and not question.option(text):
        index = int(text)
        if 1 <= index <= len(question.options):
            return question.options[index - 1].key
    wanted = text.casefold()
    if question.option(wanted):
        return wanted
    for option in question.options:
        if any(label.casefold() == wanted for label in option.label.values()):
            return option.key
    if wanted:
        starting = [
            option.key
            for option in question.options
            if option.key.startswith(wanted)
            or any(label.casefold().startswith(wanted) for label in option.label.values())
        ]
        if len(starting) == 1:
            return starting[0]
    keys = [o.key for o in question.options]
    from screening.errors import suggest

    raise InvalidAnswer(
        f"'{_short(text)}' is not an option; choose 1-{len(keys)} or one of: {', '.join(keys)}"
        + suggest(text, keys),
        question_id=question.id,
        code="not_option",
        values={
            "value": _short(text),
            "n": len(keys),
            "keys": ", ".join(keys),
            "close": suggest(text, keys).partition("'")[2].rpartition("'")[0],
        },
    )


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def matches(question: Question, value: Any, key: str) -> bool:
    """Whether ``value`` (a stored answer) is the answer ``key`` (yes, no or an option key)."""
    if isinstance(value, list):
        return key in value
    return value == key


def alert_for(question: Question, value: Any) -> Alert | None:
    if question.alert and any(matches(question, value, key) for key in question.alert.on):
        return question.alert
    return None


@dataclass
class Interview:
    """An interview in progress: the script and the answers so far (question id -> value)."""

    questionnaire: Questionnaire
    answers: dict[str, AnswerValue | None] = field(default_factory=dict)
    today: date | None = None

    def visible(self, question: Question) -> bool | None:
        return visible(self.questionnaire, question, self._definite(), self.today)

    def _definite(self) -> dict[str, Any]:
        return {k: v for k, v in self.answers.items() if v is not None}

    @property
    def consent_declined(self) -> bool:
        consent = self.questionnaire.with_role("consent")
        return consent is not None and self.answers.get(consent.id) in ("no", *SPECIAL)

    def next_question(self) -> Question | None:
        """The first question still to ask, or None when the interview is over."""
        if self.consent_declined:
            return None
        for question in self.questionnaire.questions():
            if question.id not in self.answers and self.visible(question):
                return question
        return None

    @property
    def finished(self) -> bool:
        return self.next_question() is None

    def answer(self, question: Question, raw: Any, *, lang: str = "en") -> AnswerValue | None:
        """Validate and record an answer; raises InvalidAnswer and records nothing if bad."""
        value = normalize(question, raw, lang=lang, answers=self._definite(), today=self.today)
        self.answers[question.id] = value
        return value

    def previous(self, question: Question | None) -> Question | None:
        """The answered question shown before ``question`` (for :back)."""
        order = self.questionnaire.questions()
        end = order.index(question) if question is not None else len(order)
        for candidate in reversed(order[:end]):
            if candidate.id in self.answers and self.visible(candidate):
                return candidate
        return None

    def find_asked(self, ref: str) -> Question:
        """An answered question by id or by its number in ``asked()`` (for :goto)."""
        from screening.errors import suggest

        asked = self.asked()
        ref = ref.strip()
        if not ref:
            raise InvalidAnswer(
                "name the question: its id or its number in :review", code="goto_empty"
            )
        if ref.isdigit():
            n = int(ref)
            if 1 <= n <= len(asked):
                return asked[n - 1]
            raise InvalidAnswer(
                f"there is no answered question number {n} (1-{len(asked)})",
                code="goto_number",
                values={"n": n, "last": len(asked)},
            )
        for question in asked:
            if question.id == ref.lower():
                return question
        if self.questionnaire.question(ref.lower()) is not None:
            raise InvalidAnswer(
                f"'{ref}' has not been asked yet", code="goto_not_yet", values={"ref": ref}
            )
        hint = suggest(ref, [q.id for q in asked])
        raise InvalidAnswer(
            f"no answered question '{ref}'" + hint,
            code="goto_unknown",
            values={"ref": ref, "close": hint.partition("'")[2].rpartition("'")[0]},
        )

    def asked(self) -> list[Question]:
        """Questions answered and still shown, in script order."""
        return [
            q for q in self.questionnaire.questions() if q.id in self.answers and self.visible(q)
        ]

    def progress(self, current: Question | None) -> tuple[int, int]:
        """(position of ``current``, about how many questions this person will be asked)."""
        shown = [q for q in self.questionnaire.questions() if self.visible(q)]
        position = len([q for q in shown if q.id in self.answers]) + 1
        if current is not None and current.id in self.answers:
            position = shown.index(current) + 1 if current in shown else position
        return position, max(len(shown), position)

    def missing(self) -> list[Question]:
        """Required questions still to ask (for :review)."""
        if self.consent_declined:
            return []
        return [
            q
            for q in self.questionnaire.questions()
            if q.required and q.id not in self.answers and self.visible(q)
        ]

    def pruned(self) -> dict[str, AnswerValue | None]:
        """The answers of questions still shown (a changed answer can hide later ones)."""
        return {q.id: self.answers[q.id] for q in self.asked()}


# --- what the answers reveal ---------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Indicators revealed by the answers, with the answers behind each."""

    #: indicator id -> [(question id, answer)] for answers that reveal it
    present: dict[str, list[tuple[str, Any]]]
    #: indicator id -> [(question id, why unknown)] where it could not be assessed
    unknown: dict[str, list[tuple[str, str]]]
    #: indicators answered definitely (present or absent) by at least one question
    assessed: frozenset[str]
    #: indicators some question of the script can reveal
    reachable: frozenset[str]
    age: float | None = None
    exploitation: str = "unknown"  # labour | sexual | unknown
    #: The officer doubts the stated age (an "age_doubt" observation answered yes).
    age_in_doubt: bool = False


def evidence(
    questionnaire: Questionnaire, answers: Mapping[str, Any], today: date | None = None
) -> Evidence:
    definite = {k: v for k, v in answers.items() if v is not None}
    present: dict[str, list[tuple[str, Any]]] = {}
    unknown: dict[str, list[tuple[str, str]]] = {}
    assessed: set[str] = set()
    reachable: set[str] = set()
    for question in questionnaire.questions():
        if not question.indicators:
            continue
        ids = question.indicator_ids()
        reachable |= ids
        shown = visible(questionnaire, question, definite, today)
        value = answers.get(question.id)
        if shown is False and not questionnaire.section_of(question.id).module:
            assessed |= ids  # not applicable to this person: assessed as absent
            continue
        reason = None
        if shown is False:
            reason = "not asked: the deeper module was not opened"
        elif shown is None:
            reason = "not asked: an earlier answer was unknown or declined"
        elif question.id not in answers:
            reason = "not yet asked"
        elif value is None:
            reason = "left blank"
        elif is_special(value):
            reason = "don't know" if value == UNKNOWN else "declined"
        if reason:
            for indicator_id in ids:
                unknown.setdefault(indicator_id, []).append((question.id, reason))
            continue
        assessed |= ids
        for key, key_ids in question.indicators.items():
            if matches(question, value, key):
                for indicator_id in key_ids:
                    present.setdefault(indicator_id, []).append((question.id, value))
    return Evidence(
        present=present,
        unknown={k: v for k, v in unknown.items() if k not in present},
        assessed=frozenset(assessed | set(present)),
        reachable=frozenset(reachable),
        age=_age(questionnaire, definite, today),
        exploitation=_exploitation(questionnaire, definite),
        age_in_doubt=_age_doubted(questionnaire, definite),
    )


#: How the officer addresses the person aloud (glossary: never read "Bapak/Ibu" aloud).
ADDRESS_FORMS = {"bapak": "Bapak", "ibu": "Ibu", "anda": "Anda", "kamu": "kamu"}
_ADDRESS = re.compile(r"(?<![\w/])(?:Bapak/Ibu|bapak/ibu|Anda)(?![\w/])")


def address_for(questionnaire: Questionnaire, answers: Mapping[str, Any],
                today: date | None = None) -> str:
    """The form of address for the read-aloud text: ``kamu`` for a child (under 18 or age in
    doubt), else the officer's choice in the question with role ``address``, else Anda."""
    definite = {k: v for k, v in answers.items() if v is not None}
    age = _age(questionnaire, definite, today)
    if (age is not None and age < 18) or _age_doubted(questionnaire, definite):
        return "kamu"
    question = questionnaire.with_role("address")
    chosen = definite.get(question.id) if question is not None else None
    return ADDRESS_FORMS.get(str(chosen), "Anda")


def spoken(text: str, address: str) -> str:
    """Indonesian read-aloud text with "Bapak/Ibu" and "Anda" in the chosen form of address
    (capitalised at the start of a sentence)."""
    def replace(match: re.Match[str]) -> str:
        before = text[:match.start()].rstrip()
        start = not before or before[-1] in ".?!:\"“"
        return address[0].upper() + address[1:] if start else address

    return _ADDRESS.sub(replace, text)


def _age_doubted(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> bool:
    question = questionnaire.with_role("age_doubt")
    return question is not None and answers.get(question.id) == "yes"


def _age(
    questionnaire: Questionnaire, answers: Mapping[str, Any], today: date | None
) -> float | None:
    age_q = questionnaire.with_role("age")
    if age_q and isinstance(answers.get(age_q.id), int | float):
        return float(answers[age_q.id])
    birth_q = questionnaire.with_role("birth_date")
    if birth_q and isinstance(answers.get(birth_q.id), str) and not is_special(answers[birth_q.id]):
        try:
            born = date.fromisoformat(answers[birth_q.id])
        except ValueError:
            return None
        now = today or date.today()
        return float(now.year - born.year - ((now.month, now.day) < (born.month, born.day)))
    return None


def _exploitation(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> str:
    question = questionnaire.with_role("exploitation_type")
    if question is None:
        return "unknown"
    option = question.option(str(answers.get(question.id)))
    return option.exploitation if option and option.exploitation else "unknown"
