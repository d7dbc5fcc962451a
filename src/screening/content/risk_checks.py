"""Cross-checks of a script's departure-risk rules: every name they use exists, every path
asks what they need, and no rule can fire on vulnerability (background) answers alone."""

from __future__ import annotations

from datetime import date, timedelta

from screening.content.conditions import ConditionSyntaxError, parse
from screening.content.yaml_source import SourceFile, YamlPath
from screening.errors import Diagnostic, suggest
from screening.models import IndicatorSet, Question, Questionnaire

STALE_AFTER = timedelta(days=365)


def background_questions(questionnaire: Questionnaire,
                         indicator_set: IndicatorSet | None) -> set[str]:
    """Questions whose every mapped indicator is a background vulnerability indicator: facts
    about the person (poverty, schooling, family, health, past), never about the trip."""
    if indicator_set is None:
        return set()
    background = {i.id for i in indicator_set.indicators if i.background}
    return {q.id for q in questionnaire.questions()
            if q.indicator_ids() and q.indicator_ids() <= background}


def check_departure_risk(questionnaire: Questionnaire, indicator_set: IndicatorSet | None,
                         source: SourceFile, today: date | None = None) -> list[Diagnostic]:
    rules = questionnaire.departure_risk
    assert rules is not None
    base: YamlPath = ("departure_risk",)
    out: list[Diagnostic] = []
    ids = [q.id for q in questionnaire.questions()]

    def question(loc: YamlPath, qid: str, what: str) -> Question | None:
        found = questionnaire.question(qid)
        if found is None:
            out.append(source.error(loc, f"departure_risk: {what} names unknown question "
                                    f"'{qid}'" + suggest(qid, ids), "unknown-question"))
        return found

    question((*base, "destination_question"), rules.destination_question, "destination_question")
    purpose_q = question((*base, "purpose_question"), rules.purpose_question, "purpose_question")
    for n, qid in enumerate(rules.required_questions):
        loc = (*base, "required_questions", n)
        found = question(loc, qid, "required_questions")
        if found is not None and (found.show_when or questionnaire.section_of(qid).show_when):
            out.append(source.error(loc, f"departure_risk: '{qid}' is needed on every path, but "
                                    "it (or its section) has a show_when: ask it of everyone",
                                    "risk-path"))
    purpose_keys = [o.key for o in purpose_q.options] if purpose_q else []
    for n, entry in enumerate(rules.purposes):
        loc = (*base, "purposes", n)
        if purpose_q is not None and entry.purpose not in purpose_keys:
            out.append(source.error((*loc, "purpose"), f"departure_risk: unknown purpose "
                                    f"'{entry.purpose}'" + suggest(entry.purpose, purpose_keys),
                                    "unknown-option"))
        found = question((*loc, "question"), entry.question, "a purpose document")
        if found is not None and found.type != "yes_no":
            out.append(source.error((*loc, "question"), f"departure_risk: '{entry.question}' "
                                    "must be a yes_no question (do you have ...?)", "risk-type"))
    now = today or date.today()
    alert_ids = [d.id for d in rules.destinations]
    for n, alert in enumerate(rules.destinations):
        if now - alert.reviewed > STALE_AFTER:
            out.append(source.warning((*base, "destinations", n, "reviewed"),
                                      f"departure_risk: the alert '{alert.id}' was last reviewed "
                                      f"on {alert.reviewed.isoformat()}, more than a year ago: "
                                      "check it still holds and update the date", "stale-alert"))
    level_ids = sorted(level.id for level in rules.levels)
    if level_ids != ["high", "low", "medium"]:
        out.append(source.error((*base, "levels"), "departure_risk: levels must define each of "
                                "high, medium and low exactly once", "levels"))
    background = background_questions(questionnaire, indicator_set)
    flag_ids: list[str] = []
    for n, flag in enumerate(rules.flags):
        loc = (*base, "flags", n)
        if flag.id in flag_ids:
            out.append(source.error((*loc, "id"), f"departure_risk: flag '{flag.id}' is used "
                                    "twice", "duplicate-id"))
        flag_ids.append(flag.id)
        for d, dest in enumerate(flag.destinations):
            if dest not in alert_ids:
                out.append(source.error((*loc, "destinations", d), f"departure_risk: flag "
                                        f"'{flag.id}' names unknown destination '{dest}'"
                                        + suggest(dest, alert_ids), "unknown-destination"))
        if not flag.when:
            if not flag.destinations:
                out.append(source.error(loc, f"departure_risk: flag '{flag.id}' has neither "
                                        "'when' nor 'destinations': it would fire for everyone",
                                        "risk-rule"))
            continue
        try:
            condition = parse(flag.when)
        except ConditionSyntaxError as exc:
            out.append(source.error((*loc, "when"), f"departure_risk: flag '{flag.id}': in "
                                    f"condition '{flag.when}': {exc.message}", "condition"))
            continue
        for ref in sorted(condition.references()):
            if ref not in ids:
                out.append(source.error((*loc, "when"), f"departure_risk: flag '{flag.id}' "
                                        f"refers to unknown question '{ref}'"
                                        + suggest(ref, ids), "unknown-question"))
        for qid, key in condition.compared_keys():
            q = questionnaire.question(qid)
            if q is None or q.type not in ("yes_no", "choice", "multi_choice"):
                continue
            valid = ["yes", "no"] if q.type == "yes_no" else [o.key for o in q.options]
            if key not in valid:
                out.append(source.error((*loc, "when"), f"departure_risk: flag '{flag.id}': "
                                        f"'{key}' is not an answer of '{qid}'"
                                        + suggest(key, valid), "unknown-option"))
        if not flag.destinations and condition.could_hold_on(background):
            out.append(source.error((*loc, "when"), f"departure_risk: flag '{flag.id}' could "
                                    "fire on vulnerability answers alone ("
                                    f"{', '.join(sorted(condition.references() & background))}"
                                    "): a flag needs a fact about this trip; poverty, schooling "
                                    "or family never flag a trip alone", "vulnerability-only"))
    return out


__all__ = ["background_questions", "check_departure_risk"]
