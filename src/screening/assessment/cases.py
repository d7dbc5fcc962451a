"""The validation set: filled answers files with the result the law says they should get.

A case file is an ordinary answers file (``answers``, ``language``, ``officer``,
``location``, ``questionnaire``) plus ``description``, ``reasoning`` (why, citing the rule or
the law) and ``expect``::

    expect:
      level: high              # identification (ILO/Palermo); null: consent declined
      departure_risk: high     # where the script has departure-risk rules
      profile: child-labour
      positive: [exploitation]
      flags: [child_leaving_to_work]        # optional: departure-risk flags that must fire
      vulnerabilities_noted: [...]          # optional
      coverage_warning: true                # optional

Pure: reads files, scores, compares. The agreement table gives, per judgement, the
sensitivity (cases expected above low that the content puts above low) and the specificity
(cases expected low that the content puts low), and names every disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.errors import Diagnostic, ScreeningError, suggest

LEVELS = ("high", "medium", "low")
EXPECT_KEYS = ("level", "departure_risk", "profile", "positive", "flags",
               "vulnerabilities_noted", "coverage_warning", "consent_declined",
               "profiles_scored")
JUDGEMENTS = ("identification", "departure_risk")


@dataclass
class CaseResult:
    path: str
    questionnaire: str
    description: str
    expected: dict[str, Any]
    actual: dict[str, Any]
    #: "field: expected X, got Y" for each field that differs
    disagreements: list[str] = field(default_factory=list)


@dataclass
class CaseReport:
    results: list[CaseResult] = field(default_factory=list)
    #: Problems of the case files themselves, located at file:line.
    errors: list[Diagnostic] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        return not self.errors and all(not r.disagreements for r in self.results)

    def table(self) -> list[dict[str, Any]]:
        """One row per judgement: cases, agreement, sensitivity, specificity."""
        rows = []
        for judgement in JUDGEMENTS:
            key = "level" if judgement == "identification" else "departure_risk"
            pairs = [(r.expected.get(key), r.actual.get(key)) for r in self.results
                     if r.expected.get(key) is not None]
            positive = [(e, a) for e, a in pairs if e != "low"]
            negative = [(e, a) for e, a in pairs if e == "low"]
            rows.append({
                "judgement": judgement,
                "cases": len(pairs),
                "agree": sum(1 for e, a in pairs if e == a),
                "expected_positive": len(positive),
                "expected_low": len(negative),
                "sensitivity": _share(sum(1 for _, a in positive if a not in (None, "low")),
                                      len(positive)),
                "specificity": _share(sum(1 for _, a in negative if a == "low"), len(negative)),
            })
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "agreed": self.agreed,
            "table": self.table(),
            "cases": [{"path": r.path, "questionnaire": r.questionnaire,
                       "expected": r.expected, "actual": r.actual,
                       "disagreements": r.disagreements} for r in self.results],
            "errors": [d.as_dict() for d in self.errors],
        }


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def case_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ScreeningError(f"{folder}: not a folder of case files")
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise ScreeningError(f"{folder}: no case files (*.yaml) in it")
    return files


def run_cases(paths: list[Path], catalogue: Any) -> CaseReport:
    """Score every case with ``catalogue`` and compare with what it expects."""
    report = CaseReport()
    for path in paths:
        problems, case = _read(path, catalogue)
        report.errors += problems
        if case is not None:
            report.results.append(_compare(case, catalogue))
    report.errors.sort()
    return report


# --- reading ---------------------------------------------------------------------------------


@dataclass
class _Case:
    path: str
    filled: Any
    expect: dict[str, Any]
    description: str


def _read(path: Path, catalogue: Any) -> tuple[list[Diagnostic], _Case | None]:
    from screening.content.yaml_source import load_file
    from screening.interview.answers_file import checked_answers, read_answers_file

    source = load_file(path)
    if source.diagnostics:
        return list(source.diagnostics), None
    data = source.data
    shown = str(path)

    def at(loc: tuple, message: str, *, key: bool = False) -> Diagnostic:
        line, col = source.where(loc, key=key)
        return Diagnostic(shown, line, col, message, "case")

    if not isinstance(data, dict):
        return [at((), "a case file is a mapping with 'answers' and 'expect'")], None
    problems: list[Diagnostic] = []
    for key in ("questionnaire", "description", "reasoning", "expect"):
        if key not in data:
            problems.append(at((), f"missing '{key}'"))
    reasoning = data.get("reasoning")
    if "reasoning" in data and (not isinstance(reasoning, str) or reasoning.count(".") < 2):
        problems.append(at(("reasoning",), "'reasoning' needs two sentences citing the rule or "
                                           "the law"))
    try:
        filled = read_answers_file(path)
    except ScreeningError as exc:
        return [*problems, Diagnostic(shown, 0, 0, exc.message, "case")], None
    questionnaire = None
    if filled.questionnaire:
        try:
            questionnaire = catalogue.questionnaire(filled.questionnaire)
        except ScreeningError as exc:
            problems.append(at(("questionnaire",), exc.message))
    expect = data.get("expect")
    if "expect" in data and not isinstance(expect, dict):
        problems.append(at(("expect",), "'expect' must be a mapping"))
        expect = None
    if isinstance(expect, dict) and questionnaire is not None:
        problems += _check_expect(expect, questionnaire, catalogue, at)
    if questionnaire is not None:
        try:
            filled.answers = checked_answers(questionnaire, filled)
        except ScreeningError as exc:
            problems.append(Diagnostic(shown, 0, 0, exc.message, "case"))
    if problems or not isinstance(expect, dict) or questionnaire is None:
        return problems, None
    return [], _Case(shown, filled, expect, str(data.get("description")))


def _check_expect(expect: dict[str, Any], questionnaire: Any, catalogue: Any,
                  at: Any) -> list[Diagnostic]:
    out = []
    indicator_set = catalogue.indicator_set(questionnaire.indicator_set)
    dimensions = [d.id for d in indicator_set.dimensions]
    profiles = sorted({p for i in indicator_set.indicators for p in i.tiers})
    for key in expect:
        if key not in EXPECT_KEYS:
            out.append(at(("expect", key), f"expect: unknown field '{key}'"
                          + suggest(str(key), EXPECT_KEYS), key=True))
    declined = expect.get("level", "") is None
    required = ["level"] if declined else ["level", "profile", "positive"]
    if questionnaire.departure_risk is not None and not declined:
        required.append("departure_risk")
    for key in required:
        if key not in expect:
            out.append(at(("expect",), f"expect: missing '{key}'"))
    for key in ("level", "departure_risk"):
        value = expect.get(key)
        if key in expect and value not in LEVELS and not (key == "level" and value is None):
            out.append(at(("expect", key), f"expect.{key}: unknown level '{value}' (high, "
                          "medium or low)" + suggest(str(value), LEVELS)))
    if "departure_risk" in expect and questionnaire.departure_risk is None:
        out.append(at(("expect", "departure_risk"), f"expect.departure_risk: the script "
                      f"'{questionnaire.id}' has no departure-risk rules"))
    if "profile" in expect and expect["profile"] not in profiles:
        out.append(at(("expect", "profile"), f"expect.profile: unknown profile "
                      f"'{expect['profile']}'" + suggest(str(expect["profile"]), profiles)))
    for key in ("positive", "vulnerabilities_noted"):
        value = expect.get(key)
        if key not in expect:
            continue
        if not isinstance(value, list):
            out.append(at(("expect", key), f"expect.{key}: a list of dimension ids"))
            continue
        for n, dim in enumerate(value):
            if dim not in dimensions:
                out.append(at(("expect", key, n), f"expect.{key}: unknown dimension '{dim}'"
                              + suggest(str(dim), dimensions)))
    if "flags" in expect:
        rules = questionnaire.departure_risk
        known = _flag_ids(rules) if rules is not None else []
        value = expect["flags"]
        if not isinstance(value, list):
            out.append(at(("expect", "flags"), "expect.flags: a list of flag ids"))
        else:
            for n, flag in enumerate(value):
                if flag not in known:
                    out.append(at(("expect", "flags", n), f"expect.flags: unknown flag '{flag}'"
                                  + suggest(str(flag), known)))
    return out


def _flag_ids(rules: Any) -> list[str]:
    return ([f.id for f in rules.flags] + [f"no_document_{p.purpose}" for p in rules.purposes]
            + [f"destination_{d.id}" for d in rules.destinations if d.level])


# --- comparing -------------------------------------------------------------------------------


def _compare(case: _Case, catalogue: Any) -> CaseResult:
    from screening.assessment.scoring import assess

    questionnaire = catalogue.questionnaire(case.filled.questionnaire)
    indicator_set = catalogue.indicator_set(questionnaire.indicator_set)
    result = assess(indicator_set, questionnaire, case.filled.answers)
    if result is None:
        actual: dict[str, Any] = {"level": None, "consent_declined": True}
    else:
        actual = {
            "level": result.level,
            "profile": result.profile,
            "positive": sorted(result.positive_dimensions),
            "vulnerabilities_noted": sorted(result.vulnerabilities_noted),
            "coverage_warning": result.coverage_warning is not None,
            "profiles_scored": list(result.profiles_scored),
            "consent_declined": False,
        }
        if result.departure_risk is not None:
            actual["departure_risk"] = result.departure_risk.level
            actual["flags"] = sorted(f.id for f in result.departure_risk.flags)
    expected = dict(case.expect)
    out = []
    for key, want in expected.items():
        got = actual.get(key)
        if key == "flags":
            missing = sorted(set(want) - set(got or []))
            if missing:
                out.append(f"flags: expected {', '.join(missing)} to fire; fired: "
                           f"{', '.join(got or []) or 'none'}")
            continue
        if key in ("positive", "vulnerabilities_noted"):
            want = sorted(want)
        if want != got:
            out.append(f"{key}: expected {want}, got {got}")
    return CaseResult(case.path, questionnaire.id, case.description, expected, actual, out)


__all__ = ["CaseReport", "CaseResult", "case_files", "run_cases"]
