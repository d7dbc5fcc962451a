"""Cross-checks that a single model cannot make: references, order, roles, answers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from datetime import date, timedelta

from screening.content.conditions import ConditionSyntaxError, parse
from screening.content.yaml_source import SourceFile, YamlPath
from screening.errors import Diagnostic, suggest
from screening.models import IndicatorSet, Questionnaire
from screening.models.questionnaire import Question
from screening.models.services import NUMBER_KINDS, ServiceDirectory

ROLE_TYPES = {
    "consent": "yes_no",
    "consent_share": "yes_no",
    "age": "number",
    "age_doubt": "yes_no",
    "address": "choice",
    "birth_date": "date",
    "exploitation_type": "choice",
}
CHOICE_TYPES = ("choice", "multi_choice")


def check_indicator_set(
    indicator_set: IndicatorSet, source: SourceFile, services: Collection[str] = ()
) -> list[Diagnostic]:
    """``services``: the ids of the directory's services, which levels may name too."""
    out: list[Diagnostic] = []
    dimensions = [d.id for d in indicator_set.dimensions]
    out += _duplicates(source, dimensions, "dimensions", "dimension")
    out += _duplicates(source, [i.id for i in indicator_set.indicators], "indicators", "indicator")
    out += _duplicates(source, [r.id for r in indicator_set.referrals], "referrals", "referral")
    for n, indicator in enumerate(indicator_set.indicators):
        if indicator.dimension not in dimensions:
            out.append(
                source.error(
                    ("indicators", n, "id"),
                    f"indicator '{indicator.id}': unknown dimension '{indicator.dimension}'"
                    + suggest(indicator.dimension, dimensions),
                    "unknown-dimension",
                )
            )
    for profile, groups in indicator_set.rule.combination.items():
        for g, group in enumerate(groups):
            for d, dim in enumerate(group):
                if dim not in dimensions:
                    out.append(
                        source.error(
                            ("rule", "combination", profile, g, d),
                            f"rule.combination.{profile}: unknown dimension '{dim}'"
                            + suggest(dim, dimensions),
                            "unknown-dimension",
                        )
                    )
    profiles_listed = {p for i in indicator_set.indicators for p in i.tiers}
    for profile in sorted(profiles_listed - set(indicator_set.rule.combination)):
        out.append(
            source.error(
                ("rule", "combination"),
                f"rule.combination: no combination for profile '{profile}'",
                "missing-combination",
            )
        )
    referrals = [r.id for r in indicator_set.referrals] + sorted(services)
    for n, level in enumerate(indicator_set.levels):
        for r, ref in enumerate(level.referrals):
            if ref not in referrals:
                out.append(
                    source.error(
                        ("levels", n, "referrals", r),
                        f"level '{level.id}': unknown referral '{ref}'" + suggest(ref, referrals),
                        "unknown-referral",
                    )
                )
    out += _duplicates(source, [a.id for a in indicator_set.acts], "acts", "act")
    out += _child_rule(indicator_set, source, dimensions)
    out += _provenance(indicator_set, source)
    return out


def _child_rule(indicator_set: IndicatorSet, source: SourceFile,
                dimensions: list[str]) -> list[Diagnostic]:
    rule = indicator_set.rule.child_rule
    out: list[Diagnostic] = []
    if rule is None:
        return out
    named: list[tuple[YamlPath, str]] = [
        (("rule", "child_rule", "purpose", g, d), dim)
             for g, group in enumerate(rule.purpose) for d, dim in enumerate(group)]
    named += [(("rule", "child_rule", "act_dimensions", d), dim)
              for d, dim in enumerate(rule.act_dimensions)]
    for loc, dim in named:
        if dim not in dimensions:
            out.append(source.error(loc, f"rule.child_rule: unknown dimension '{dim}'"
                                    + suggest(dim, dimensions), "unknown-dimension"))
    known = [i.id for i in indicator_set.indicators]
    for n, item in enumerate(rule.purpose_indicators):
        if item not in known:
            out.append(source.error(("rule", "child_rule", "purpose_indicators", n),
                                    f"rule.child_rule: unknown indicator '{item}'"
                                    + suggest(item, known), "unknown-indicator"))
    return out


def _provenance(indicator_set: IndicatorSet, source: SourceFile) -> list[Diagnostic]:
    """Each list says where it comes from; an item off the checked lists says why it is there."""
    out: list[Diagnostic] = []
    if not indicator_set.provenance:
        return out
    listed = sorted({p for i in indicator_set.indicators for p in i.tiers})
    for profile in listed:
        if profile not in indicator_set.provenance:
            out.append(source.warning(("provenance",), f"provenance: no source or status for "
                                      f"the {profile} list", "provenance"))
    checked = {p for p, v in indicator_set.provenance.items() if v.status == "checked"}
    for n, indicator in enumerate(indicator_set.indicators):
        if indicator.note:
            continue
        if indicator.origin == "project":
            out.append(source.error(("indicators", n), f"indicator '{indicator.id}' is the "
                                    "project's own: add a 'note' saying why it is there",
                                    "provenance"))
        elif checked and not (set(indicator.tiers) & checked):
            out.append(source.warning(("indicators", n), f"indicator '{indicator.id}' is on no "
                                      "checked list: add a 'note' with its source",
                                      "provenance"))
    return out


_CONTACT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 /]*?)\s*(?:\([^)]*\))?\s*:\s*(.+)$")
_NUMBER = re.compile(r"(?<![\w-])\d[\d-]*\d(?![\w-])")


def contacts_with_two_numbers(
    texts: list[tuple[SourceFile, YamlPath, str]],
) -> list[Diagnostic]:
    """Texts shaped 'NAME: numbers' (a contact, a slip line, a guidance line): the same
    contact written with two different sets of numbers, anywhere in the content."""
    first: dict[str, tuple[frozenset[str], SourceFile, YamlPath]] = {}
    out: list[Diagnostic] = []
    for source, loc, text in texts:
        for sentence in re.split(r"(?<=\.)\s+", text):
            match = _CONTACT.match(sentence)
            if not match:
                continue
            name = match.group(1).strip().casefold()
            numbers = frozenset(n for n in _NUMBER.findall(match.group(2)) if len(n) >= 3)
            if not numbers:
                continue
            if name not in first:
                first[name] = (numbers, source, loc)
            elif first[name][0] != numbers:
                where = f"{first[name][1].path}:{first[name][1].where(first[name][2])[0]}"
                out.append(source.warning(
                    loc, f"contact '{match.group(1).strip()}' is written with "
                    f"{', '.join(sorted(numbers))} here and "
                    f"{', '.join(sorted(first[name][0]))} at {where}: one number everywhere",
                    "contact"))
    return out


def check_questionnaire(
    questionnaire: Questionnaire, indicator_sets: dict[str, IndicatorSet], source: SourceFile
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not questionnaire.scored:
        for s, section in enumerate(questionnaire.sections):
            for n, question in enumerate(section.questions):
                if question.indicators:
                    out.append(source.error(
                        ("sections", s, "questions", n, "indicators"),
                        f"question '{question.id}': a script with 'scored: false' gives no "
                        "level, so its answers map to no indicator",
                        "unscored-indicators",
                    ))
    indicator_set = indicator_sets.get(questionnaire.indicator_set)
    if indicator_set is None:
        out.append(
            source.error(
                ("indicator_set",),
                f"unknown indicator set '{questionnaire.indicator_set}'"
                + suggest(questionnaire.indicator_set, indicator_sets),
                "unknown-indicator-set",
            )
        )
    known_indicators = ({i.id for i in indicator_set.indicators}
                        | {a.id for a in indicator_set.acts}) if indicator_set else None

    out += _duplicates(source, [s.id for s in questionnaire.sections], "sections", "section")
    seen: list[str] = []  # question ids asked so far, in order
    all_ids = [q.id for q in questionnaire.questions()]
    roles: Counter[str] = Counter()
    consent_seen = False
    for s, section in enumerate(questionnaire.sections):
        if section.show_when:
            out += _condition(
                source,
                ("sections", s, "show_when"),
                section.show_when,
                seen,
                all_ids,
                allow_value=False,
            )
        for n, question in enumerate(section.questions):
            loc: YamlPath = ("sections", s, "questions", n)
            if question.id in seen:
                out.append(
                    source.error(
                        (*loc, "id"), f"question id '{question.id}' is used twice", "duplicate-id"
                    )
                )
            out += _question(source, loc, question, known_indicators)
            if indicator_set is not None:
                out += _mapping_policy(source, loc, question, indicator_set)
            if question.show_when:
                out += _condition(
                    source,
                    (*loc, "show_when"),
                    question.show_when,
                    seen,
                    all_ids,
                    allow_value=False,
                )
            if question.constraint:
                out += _condition(
                    source,
                    (*loc, "constraint", "rule"),
                    question.constraint.rule,
                    seen,
                    all_ids,
                    allow_value=True,
                )
            if question.role:
                roles[question.role] += 1
                if roles[question.role] == 2:
                    out.append(
                        source.error(
                            (*loc, "role"),
                            f"role '{question.role}' is given to two questions",
                            "role",
                        )
                    )
            if question.role == "consent":
                consent_seen = True
            elif (
                not consent_seen
                and question.mode == "ask"
                and (question.sensitive or question.identifying)
            ):
                what = "sensitive" if question.sensitive else "identifying"
                out.append(
                    source.warning(
                        loc,
                        f"question '{question.id}' is {what} but comes before the consent question",
                        "order",
                    )
                )
            seen.append(question.id)
    if "consent" not in roles:
        out.append(source.warning((), "no question has 'role: consent'", "no-consent"))
    if questionnaire.departure_risk is not None:
        from screening.content.risk_checks import check_departure_risk

        out += check_departure_risk(questionnaire, indicator_set, source)
    return out


def _mapping_policy(source: SourceFile, loc: YamlPath, question: Question,
                    indicator_set: IndicatorSet) -> list[Diagnostic]:
    """What the mapping policy can enforce: one answer, at most one indicator per dimension;
    an observation alone never fires a strong indicator."""
    out: list[Diagnostic] = []
    for key, ids in question.indicators.items():
        per_dimension = Counter(i.split(".", 1)[0] for i in ids if not i.startswith("act."))
        for dimension, n in sorted(per_dimension.items()):
            if n > 1:
                out.append(source.warning(
                    (*loc, "indicators", key),
                    f"question '{question.id}': option '{key}' fires {n} indicators of "
                    f"{dimension}; one answer counts once per dimension unless it states two "
                    "distinct facts", "mapping-policy", key=True))
        if question.mode == "observe":
            for indicator_id in ids:
                indicator = indicator_set.indicator(indicator_id)
                if indicator is not None and "strong" in indicator.tiers.values():
                    strong_on = sorted(p for p, t in indicator.tiers.items() if t == "strong")
                    out.append(source.warning(
                        (*loc, "indicators", key),
                        f"question '{question.id}': an observation ('{key}') fires "
                        f"'{indicator_id}', strong on {', '.join(strong_on)}; an observation "
                        "alone never fires a strong indicator: ask about it instead",
                        "mapping-policy", key=True))
    return out


def check_shared_ids(
    questionnaires: list[Questionnaire], sources: dict[str, SourceFile]
) -> list[Diagnostic]:
    """One question id, one meaning: exports put a question id of every script in one
    column, so the same id with different types mixes two kinds of answer."""
    out: list[Diagnostic] = []
    first: dict[str, tuple[Questionnaire, Question]] = {}
    for questionnaire in questionnaires:
        source = sources[questionnaire.id]
        for s, section in enumerate(questionnaire.sections):
            for n, question in enumerate(section.questions):
                seen = first.setdefault(question.id, (questionnaire, question))
                other_q, other = seen
                if other_q is questionnaire:
                    continue
                if other.type == question.type:
                    continue
                differs = f"type {question.type} here, {other.type} in '{other_q.id}'"
                out.append(
                    source.warning(
                        ("sections", s, "questions", n, "id"),
                        f"question id '{question.id}' has {differs}; exports put both in one "
                        "column: give one of them another id",
                        "shared-id",
                    )
                )
    return out


def _question(
    source: SourceFile, loc: YamlPath, question: Question, known_indicators: set[str] | None
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    qid = question.id
    keys = [o.key for o in question.options]
    out += _duplicates(source, keys, (*loc, "options"), "option key", attr="key")
    if question.type in CHOICE_TYPES and not question.options:
        out.append(
            source.error(
                loc, f"question '{qid}': a {question.type} question needs options", "options"
            )
        )
    if question.type not in CHOICE_TYPES and question.options:
        out.append(
            source.error(
                (*loc, "options"),
                f"question '{qid}': a {question.type} question takes no options",
                "options",
            )
        )
    if question.integer and question.type != "number":
        out.append(
            source.error(
                (*loc, "integer"),
                f"question '{qid}': 'integer' applies to a number question, not {question.type}",
                "integer",
            )
        )
    if question.type == "multi_choice" and keys and all(o.exclusive for o in question.options):
        out.append(
            source.warning(
                (*loc, "options"),
                f"question '{qid}': every option is exclusive; use type choice",
                "exclusive",
            )
        )
    valid = ["yes", "no"] if question.type == "yes_no" else keys
    for key, ids in question.indicators.items():
        if question.type not in CHOICE_TYPES and question.type != "yes_no":
            out.append(
                source.error(
                    (*loc, "indicators"),
                    f"question '{qid}': a {question.type} answer cannot map "
                    "to indicators; use a yes_no or choice question",
                    "indicators",
                )
            )
            break
        if key not in valid:
            out.append(
                source.error(
                    (*loc, "indicators", key),
                    f"question '{qid}': '{key}' is not an answer of this question"
                    + suggest(key, valid),
                    "indicators",
                    key=True,
                )
            )
        for n, indicator_id in enumerate(ids):
            if known_indicators is not None and indicator_id not in known_indicators:
                out.append(
                    source.error(
                        (*loc, "indicators", key, n),
                        f"unknown indicator '{indicator_id}'"
                        + suggest(indicator_id, known_indicators),
                        "unknown-indicator",
                    )
                )
    if question.alert:
        for n, answer in enumerate(question.alert.on):
            if answer not in valid:
                out.append(
                    source.error(
                        (*loc, "alert", "on", n),
                        f"question '{qid}': alert on '{answer}', which is not an "
                        "answer of this question" + suggest(answer, valid),
                        "alert",
                    )
                )
    if question.role:
        wanted = ROLE_TYPES[question.role]
        if question.type != wanted:
            out.append(
                source.error(
                    (*loc, "type"),
                    f"question '{qid}': role '{question.role}' "
                    f"needs type {wanted}, not {question.type}",
                    "role",
                )
            )
        if question.role == "exploitation_type":
            for n, option in enumerate(question.options):
                if option.exploitation is None:
                    out.append(
                        source.error(
                            (*loc, "options", n),
                            f"question '{qid}': option "
                            f"'{option.key}' needs 'exploitation: labour, sexual "
                            "or unknown'",
                            "role",
                        )
                    )
    return out


def _condition(
    source: SourceFile,
    loc: YamlPath,
    text: str,
    earlier: list[str],
    all_ids: list[str],
    *,
    allow_value: bool,
) -> list[Diagnostic]:
    try:
        condition = parse(text)
    except ConditionSyntaxError as exc:
        line, col = source.where(loc)
        return [
            Diagnostic(
                source.path,
                line,
                col + _quote_shift(source, line, col) + exc.offset,
                f"in condition '{text}': {exc.message}",
                "condition",
            )
        ]
    out: list[Diagnostic] = []
    for ref in sorted(condition.references()):
        if ref in earlier:
            continue
        if ref in all_ids:
            message = (
                f"condition refers to '{ref}', which is asked later; only earlier answers "
                "are known here"
            )
        else:
            message = f"condition refers to unknown question '{ref}'" + suggest(ref, earlier)
        out.append(source.error(loc, message, "condition-reference"))
    if condition.uses_value() and not allow_value:
        out.append(source.error(loc, "'value' only has a meaning in a constraint", "condition"))
    return out


def _quote_shift(source: SourceFile, line: int, col: int) -> int:
    """A quoted scalar starts one column before its text."""
    lines = source.text.splitlines()
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return 1 if lines[line - 1][col - 1] in "'\"" else 0
    return 0


def _duplicates(
    source: SourceFile, ids: list[str], where: YamlPath | str, what: str, attr: str = "id"
) -> list[Diagnostic]:
    base: YamlPath = (where,) if isinstance(where, str) else where
    out = []
    first: dict[str, int] = {}
    for n, value in enumerate(ids):
        if value in first:
            line = source.where((*base, first[value], attr))[0]
            out.append(
                source.error(
                    (*base, n, attr),
                    f"{what} '{value}' is used twice (first at line {line})",
                    "duplicate-id",
                )
            )
        else:
            first[value] = n
    return out


#: An entry nobody has checked for longer than this gets a warning.
CHECK_AGAIN_AFTER = timedelta(days=365)


def check_directory(
    directory: ServiceDirectory, source: SourceFile, today: date | None = None
) -> list[Diagnostic]:
    """Duplicate ids, entries unchecked for more than a year."""
    today = today or date.today()
    out = _duplicates(source, [s.id for s in directory.services], "services", "service")
    for n, service in enumerate(directory.services):
        if service.checked_on > today:
            out.append(source.error(
                ("services", n, "checked_on"),
                f"service '{service.id}': checked_on {service.checked_on} is in the future",
                "checked-on-future",
            ))
        elif today - service.checked_on > CHECK_AGAIN_AFTER:
            out.append(source.warning(
                ("services", n, "checked_on"),
                f"service '{service.id}' was last checked on {service.checked_on}, more than a "
                "year ago: call or visit it, then update checked_on",
                "unchecked",
            ))
    return out


def check_directories(
    directories: dict[str, ServiceDirectory], located: dict[tuple[str, str], SourceFile]
) -> list[Diagnostic]:
    """Across every directory: a service id used twice; one line with two different numbers
    (the same ``line`` and kind: a hotline written two ways in two places)."""
    out: list[Diagnostic] = []
    first_id: dict[str, str] = {}
    numbers: dict[tuple[str, str], tuple[str, str]] = {}  # (line, kind) -> (value, where)
    for directory_id, directory in directories.items():
        source = located[("service_directory", directory_id)]
        for n, service in enumerate(directory.services):
            if service.id in first_id and first_id[service.id] != directory_id:
                out.append(source.error(
                    ("services", n, "id"),
                    f"service id '{service.id}' is also used in directory "
                    f"'{first_id[service.id]}'",
                    "duplicate-id",
                ))
            first_id.setdefault(service.id, directory_id)
            for c, contact in enumerate(service.contacts):
                if contact.line is None or contact.kind not in NUMBER_KINDS:
                    continue
                key = (contact.line.casefold(), contact.kind)
                here = f"service '{service.id}'"
                if key not in numbers:
                    numbers[key] = (contact.value, here)
                elif _digits(numbers[key][0]) != _digits(contact.value):
                    value, where = numbers[key]
                    out.append(source.warning(
                        ("services", n, "contacts", c, "value"),
                        f"{here}: the {contact.kind} of '{contact.line}' is {contact.value} "
                        f"here but {value} in {where}: keep one number",
                        "two-numbers",
                    ))
    return out


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())

