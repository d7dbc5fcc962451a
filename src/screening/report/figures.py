"""The report's figures: aggregate rows from the records database, shaped into tables.

Every count comes from an aggregate query (:mod:`screening.records.aggregates`); Python only
places a few dozen grouped rows into tables. Answers are counted only for the non-identifying
choice questions of :data:`JOURNEY`, and only as option keys of the active content: a value
that is not an option (an old script's free text) is counted as ``(other)``, never shown.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from screening.records import aggregates as sqlite_queries
from screening.records.aggregates import REFERRAL_STATUSES, Scope
from screening.report.period import Period
from screening.report.tables import Table, suppress

if TYPE_CHECKING:
    from screening.content.catalogue import Catalogue
    from screening.records.aggregates import Aggregates

OUTCOMES = ["completed", "consent_declined", "draft"]
LEVELS = ["high", "medium", "low"]
RISKS = ["high", "medium", "low", "not_assessed"]
CONCERN = ["high", "medium"]  #: the results whose journeys and indicators are shown
AGE_GROUPS = ["child", "adult"]
COVERAGE = ["warning", "no_warning"]
QUALITY = ["answered", "unknown", "declined", "changed"]
#: The steps of a referral's life counted as reached (from its status trail).
MILESTONES = ("sent", "received", "accepted", "closed")
TOP_INDICATORS = 15
#: An answer that is not an option of the active content (an older script's): counted, never
#: shown as given.
NOT_AN_OPTION = "(other)"
REPORT_VERSION = 1

#: Questions about the journey of medium and high results, by theme. Only choice questions
#: that are not identifying are counted; the others are listed as left out, with why.
JOURNEY: dict[str, tuple[str, ...]] = {
    "destination": ("destination_country", "country"),
    "route": ("departure_route", "travelling_with", "how_returned"),
    "purpose": ("purpose", "visa_type", "job_type", "work_type"),
    "recruitment": ("who_arranged", "recruiter", "who_paid"),
}

#: Report sections in order, each with its tables (journey tables are added per question).
SECTIONS = ["summary", "screenings", "results", "indicators", "journeys", "referrals",
            "quality", "officers"]


@dataclass
class Report:
    period: Period
    previous: Period
    scope: Scope
    share: bool
    generated_at: str
    tables: dict[str, Table] = field(default_factory=dict)
    sections: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    #: Parts with nothing stored yet: {"part", "why"}.
    not_recorded: list[dict[str, str]] = field(default_factory=list)
    left_out: list[dict[str, str]] = field(default_factory=list)
    #: Median days from a referral made to received, per service ("service": None for all).
    medians: list[dict[str, Any]] = field(default_factory=list)

    def add(self, section: str, table: Table) -> Table:
        self.tables[table.id] = table
        self.sections[section].append(table.id)
        return table

    @property
    def empty(self) -> bool:
        return self.tables["screenings_by_period"].total() == 0

    def summary(self) -> list[dict[str, Any]]:
        """The headline figures, this period against the previous one."""
        t = self.tables
        now, before = t["screenings_by_period"], t["previous_screenings"]
        res, res_before = t["results_by_period"], t["previous_results"]
        age, cov = t["results_by_age"], t["results_by_coverage"]
        items: list[tuple[str, Table, Any, Table | None, Any]] = [
            ("screenings", now, now.key(), before, before.key()),
        ]
        items += [(o, now, now.key(column=o), before, before.key(column=o)) for o in OUTCOMES]
        items += [(lv, res, res.key(column=lv), res_before, res_before.key(column=lv))
                  for lv in LEVELS]
        items.append(("children", age, age.key("child"), res_before,
                      res_before.key("child")))
        items.append(("low_coverage_warning", cov, cov.key("warning", "low"), None, None))
        out = []
        for name, table, key, ptable, pkey in items:
            current = table.shown(key, table.values()[key])
            previous = None if ptable is None else ptable.shown(pkey, ptable.values()[pkey])
            change = (current - previous if isinstance(current, int)
                      and isinstance(previous, int) else None)
            out.append({"id": name, "current": current, "previous": previous, "change": change})
        return out

    def shown_medians(self) -> list[dict[str, Any]]:
        """The medians; when sharing, one of fewer than 5 referrals is hidden (None)."""
        if not self.share:
            return [dict(m) for m in self.medians]
        return [{**m, "median_days": None if m["referrals"] < 5 else m["median_days"],
                 "referrals": "<5" if m["referrals"] < 5 else m["referrals"]}
                for m in self.medians]

    def as_json(self) -> dict[str, Any]:
        suppressed = [cell for table in self.tables.values() for cell in table.hidden_cells()]
        return {
            "report": "screening",
            "version": REPORT_VERSION,
            "generated_at": self.generated_at,
            "period": _period_json(self.period),
            "previous_period": _period_json(self.previous),
            "filters": {"questionnaire": self.scope.questionnaire, "office": self.scope.office},
            "share": self.share,
            "empty": self.empty,
            "summary": self.summary(),
            "sections": {k: list(v) for k, v in self.sections.items()},
            "tables": {k: t.as_json() for k, t in self.tables.items()},
            "not_recorded": list(self.not_recorded),
            "left_out": list(self.left_out),
            "referral_days_to_received": self.shown_medians(),
            "suppressed": suppressed,
        }


def _period_json(period: Period) -> dict[str, Any]:
    return {"since": period.since.isoformat(), "until": period.until.isoformat(),
            "days": period.days, "bucket": period.bucket}


def build_report(
    store: Aggregates,
    period: Period,
    *,
    catalogue: Catalogue | None = None,
    questionnaire: str | None = None,
    office: str | None = None,
    share: bool = False,
    now: datetime | None = None,
) -> Report:
    """Count everything the report shows, in one consistent read of the database."""
    previous = period.previous()
    scope = Scope(period.since.isoformat(), period.until.isoformat(), questionnaire, office)
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = Report(period, previous, scope, share, stamp)
    journey = _journey_questions(catalogue, questionnaire)
    sql = store.report_sql  # the same queries in the store's dialect (SQLite, PostgreSQL)
    plan = report_plan(period, catalogue, questionnaire, office, sql=sql)
    with store.consistent_read():
        got = {name: store.aggregate(text, params) for name, (text, params) in plan.items()}
        got["levels"] = [_facts(row) for row in got["levels"]]
        with_risk = any(risk for *_, risk, _ in got["levels"])
        got["flags"] = store.aggregate(*sql.flags_query(scope)) if with_risk else []
        got["alerts"] = store.aggregate(*sql.alerts_query(scope)) if with_risk else []
        referrals = None
        if store.has_table("referrals"):
            referrals = {name: store.aggregate(text, params) for name, (text, params)
                         in sql.referral_queries(scope, stamp).items()}
    rows = {k: v for k, v in got.items() if not k.startswith("previous_")}
    prev = {"outcomes": got["previous_outcomes"],
            "levels": [_facts(row) for row in got["previous_levels"]]}
    answers = got.get("answers", [])
    buckets = period.buckets()
    _screenings(report, rows, prev, buckets)
    _results(report, rows, prev, buckets, catalogue)
    for table in report.tables.values():
        if table.row_dim == "period":
            table.rows = period.bucket_names()
    _indicators(report, rows, catalogue)
    _journeys(report, answers, journey, catalogue, questionnaire)
    if referrals is None:
        report.not_recorded.append({"part": "referrals", "why": "this database keeps no "
                                    "referral records"})
    else:
        _referrals(report, referrals)
    _quality(report, rows, catalogue)
    if share:
        # Staff names stay in the office: a shared report has no officer table.
        report.left_out.append({"part": "officers", "why": "staff names stay in the office"})
    else:
        _officers(report, rows)
    if share:
        suppress(report.tables.values())
    return report


def report_plan(period: Period, catalogue: Catalogue | None = None,
                questionnaire: str | None = None, office: str | None = None,
                *, sql: Any = sqlite_queries) -> dict[str, tuple[str, list[object]]]:
    """Every aggregate query a report runs, by name, as (SQL, parameters); the flags query
    is added only when results carry a departure risk. ``sql`` is the module of the
    store's dialect (``screening.records.aggregates`` for SQLite). The benchmarks run this
    same SQL in the ``sqlite3`` and ``psql`` programs."""
    previous = period.previous()
    scope = Scope(period.since.isoformat(), period.until.isoformat(), questionnaire, office)
    before = Scope(previous.since.isoformat(), previous.until.isoformat(), questionnaire, office)
    plan = dict(sql.report_queries(scope, period.bucket))
    earlier = sql.report_queries(before, period.bucket)
    plan["previous_outcomes"], plan["previous_levels"] = earlier["outcomes"], earlier["levels"]
    journey = _journey_questions(catalogue, questionnaire)
    if journey:
        plan["answers"] = sql.answer_query(scope, sorted({q for _, _, q in journey}))
    return plan


def _facts(row: Sequence[Any]) -> tuple[Any, ...]:
    """(bucket, level, facts JSON, n) -> (bucket, level, child, warned, risk, n)."""
    bucket, level, facts, n = row
    profile, warning, risk = json.loads(facts) if facts else (None, None, None)
    return bucket, level, str(profile or "").startswith("child-"), warning is not None, risk, n


# -- the sections ------------------------------------------------------------------------------


def _pivot(rows: Iterable[Sequence[Any]], row_keys: list[str], col_keys: list[str]
           ) -> list[list[int]]:
    """Grouped (row, column, n) into a grid; rows and columns not listed are dropped."""
    r_at = {k: i for i, k in enumerate(row_keys)}
    c_at = {k: i for i, k in enumerate(col_keys)}
    grid = [[0] * len(col_keys) for _ in row_keys]
    for r, c, n in rows:
        if r in r_at and c in c_at:
            grid[r_at[r]][c_at[c]] += int(n)
    return grid


def _screenings(report: Report, rows: dict[str, list], prev: dict[str, list],
                buckets: list[str]) -> None:
    outcomes = rows["outcomes"]
    report.add("screenings", Table(
        "screenings_by_period", "screenings", "period", "outcome", buckets, OUTCOMES,
        _pivot(((b, o, n) for b, _, o, n in outcomes), buckets, OUTCOMES)))
    names = sorted({q for _, q, _, _ in outcomes} | {q for _, q, _, _ in prev["outcomes"]})
    report.add("screenings", Table(
        "screenings_by_period_and_script", "screenings", "period", "questionnaire", buckets,
        names, _pivot(((b, q, n) for b, q, _, n in outcomes), buckets, names)))
    report.add("screenings", Table(
        "screenings_by_questionnaire", "screenings", "questionnaire", "outcome", names,
        OUTCOMES, _pivot(((q, o, n) for _, q, o, n in outcomes), names, OUTCOMES)))
    report.add("summary", Table(
        "previous_screenings", "previous_screenings", "questionnaire", "outcome", names,
        OUTCOMES, _pivot(((q, o, n) for _, q, o, n in prev["outcomes"]), names, OUTCOMES)))


def _results(report: Report, rows: dict[str, list], prev: dict[str, list],
             buckets: list[str], catalogue: Catalogue | None) -> None:
    levels = rows["levels"]  # (bucket, level, child, warned, risk, n)
    report.add("results", Table(
        "results_by_period", "results", "period", "level", buckets, LEVELS,
        _pivot(((b, lv, n) for b, lv, _, _, _, n in levels), buckets, LEVELS)))
    report.add("results", Table(
        "results_by_age", "results", "age_group", "level", AGE_GROUPS, LEVELS,
        _pivot((("child" if c else "adult", lv, n) for _, lv, c, _, _, n in levels),
               AGE_GROUPS, LEVELS)))
    report.add("results", Table(
        "results_by_coverage", "results", "coverage", "level", COVERAGE, LEVELS,
        _pivot((("warning" if w else "no_warning", lv, n) for _, lv, _, w, _, n in levels),
               COVERAGE, LEVELS)))
    report.add("summary", Table(
        "previous_results", "previous_results", "age_group", "level", AGE_GROUPS, LEVELS,
        _pivot((("child" if c else "adult", lv, n) for _, lv, c, _, _, n in prev["levels"]),
               AGE_GROUPS, LEVELS)))
    if any(risk for _, _, _, _, risk, _ in levels):
        report.add("results", Table(
            "departure_risk_by_period", "results", "period", "departure_risk", buckets, RISKS,
            _pivot(((b, risk or "not_assessed", n) for b, _, _, _, risk, n in levels),
                   buckets, RISKS)))
        flags = rows["flags"]
        flag_labels, alert_labels = _risk_labels(catalogue)
        report.add("results", Table(
            "red_flags", "results", "flag", "", [f for f, _ in flags], ["records"],
            [[int(n)] for _, n in flags], additive=False,
            row_labels={f: flag_labels[f] for f, _ in flags if f in flag_labels}))
        alerts = sorted({a for a, _, _ in rows["alerts"]})
        report.add("journeys", Table(
            "destination_alerts", "results", "destination_alert", "level", alerts, LEVELS,
            _pivot(rows["alerts"], alerts, LEVELS), additive=False,
            row_labels={a: alert_labels[a] for a in alerts if a in alert_labels}))
    else:
        report.not_recorded.append({"part": "departure_risk", "why": "no result in the "
                                    "period carries a departure-risk judgement"})


def _risk_labels(catalogue: Catalogue | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Labels of the departure-risk flags, and names of the destination alerts, from the
    scripts' departure-risk rules (content: the same for every person)."""
    flags: dict[str, Any] = {}
    alerts: dict[str, Any] = {}
    for qn in (catalogue.questionnaires.values() if catalogue else ()):
        rules = getattr(qn, "departure_risk", None)
        for flag in getattr(rules, "flags", None) or ():
            flags.setdefault(flag.id, dict(flag.label))
        for alert in getattr(rules, "destinations", None) or ():
            names = ", ".join(alert.names[:3]) + (", …" if len(alert.names) > 3 else "")
            alerts.setdefault(alert.id, {"en": names, "id": names})
    return flags, alerts


def _indicators(report: Report, rows: dict[str, list], catalogue: Catalogue | None) -> None:
    labels = _indicator_labels(catalogue)
    dims = sorted({d for d, _, _ in rows["dimensions"]})
    report.add("indicators", Table(
        "dimensions", "results", "dimension", "level", dims, CONCERN,
        _pivot(rows["dimensions"], dims, CONCERN), additive=False,
        row_labels={d: labels[d] for d in dims if d in labels}))
    totals: dict[str, int] = defaultdict(int)
    for ind, _, n in rows["indicators"]:
        totals[ind] += int(n)
    top = sorted(totals, key=lambda i: (-totals[i], i))[:TOP_INDICATORS]
    report.add("indicators", Table(
        "indicators", "results", "indicator", "level", top, CONCERN,
        _pivot(rows["indicators"], top, CONCERN), additive=False,
        row_labels={i: labels[i] for i in top if i in labels}))


def _indicator_labels(catalogue: Catalogue | None) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    if catalogue is None:
        return labels
    for indicator_set in catalogue.indicator_sets.values():
        for dim in indicator_set.dimensions:
            labels.setdefault(dim.id, dict(dim.title))
        for ind in indicator_set.indicators:
            labels.setdefault(ind.id, dict(ind.label))
    return labels


def _journey_questions(catalogue: Catalogue | None, questionnaire: str | None
                       ) -> list[tuple[str, str, str]]:
    """(theme, questionnaire, question) for every journey question the report may count."""
    if catalogue is None:
        return []
    found = []
    for qn_id, qn in sorted(catalogue.questionnaires.items()):
        if questionnaire is not None and qn_id != questionnaire:
            continue
        for theme, ids in JOURNEY.items():
            for qid in ids:
                q = qn.question(qid)
                if q is not None:
                    found.append((theme, qn_id, qid))
    return found


def _journeys(report: Report, answers: list, journey: list[tuple[str, str, str]],
              catalogue: Catalogue | None, questionnaire: str | None) -> None:
    counts: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    for qn, qid, level, value, n in answers:
        counts[(qn, qid)].append((value, level, int(n)))
    for theme, qn_id, qid in journey:
        assert catalogue is not None
        q = catalogue.questionnaires[qn_id].question(qid)
        assert q is not None
        if q.identifying or q.type not in ("choice", "multi_choice"):
            why = "identifying" if q.identifying else "free text" if q.type == "text" else q.type
            report.left_out.append({"questionnaire": qn_id, "question": qid, "theme": theme,
                                    "why": why})
            continue
        keys = [o.key for o in q.options]
        known = set(keys) | {"unknown", "declined"}
        rows = [(v if v in known else NOT_AN_OPTION, lv, n)
                for v, lv, n in counts[(qn_id, qid)]]
        row_keys = keys + ["unknown", "declined"] + (
            [NOT_AN_OPTION] if any(v == NOT_AN_OPTION for v, _, _ in rows) else [])
        report.add("journeys", Table(
            f"journey.{qn_id}.{qid}", f"journey/{qn_id}/{qid}", qid, "level", row_keys,
            CONCERN, _pivot(rows, row_keys, CONCERN), additive=q.type == "choice",
            row_labels={o.key: dict(o.label) for o in q.options}))


def _referrals(report: Report, rows: dict[str, list]) -> None:
    names: dict[str, Any] = {}
    for service, _, _, name in rows["referrals"]:
        if name:
            names.setdefault(service, json.loads(name))
    services = sorted({svc for svc, _, _, _ in rows["referrals"]})
    report.add("referrals", Table(
        "referrals_by_status", "referrals", "service", "status", services,
        list(REFERRAL_STATUSES),
        _pivot(((svc, st, n) for svc, st, n, _ in rows["referrals"]), services,
               list(REFERRAL_STATUSES)), row_labels=names))
    # Each referral counted once per milestone it ever reached (its status trail).
    reached = _pivot(rows["milestones"], services, list(MILESTONES))
    overdue = dict(rows["overdue"])
    grid = [[*reached[i], int(overdue.get(svc, 0))] for i, svc in enumerate(services)]
    report.add("referrals", Table(
        "referral_milestones", "referrals", "service", "milestone", services,
        [*MILESTONES, "overdue"], grid, additive=False, row_labels=names))
    report.medians = [
        {"service": svc or None, "median_days": round(float(median), 1), "referrals": int(n)}
        for svc, median, n in rows["received_days"]
    ]


def _quality(report: Report, rows: dict[str, list], catalogue: Catalogue | None) -> None:
    grid: dict[str, list[int]] = {}
    for qn, qid, answered, unknown, declined in rows["quality"]:
        grid[f"{qn}/{qid}"] = [int(answered), int(unknown or 0), int(declined or 0), 0]
    for qn, qid, n in rows["changes"]:
        grid.setdefault(f"{qn}/{qid}", [0, 0, 0, 0])[3] = int(n)
    names = sorted(grid)
    report.add("quality", Table(
        "questions", "quality", "question", "count", names, QUALITY,
        [grid[k] for k in names], additive=False))
    versions = [(f"{qn} {ver} ({h[:8]})", n) for qn, ver, h, n in rows["versions"]]
    report.add("quality", Table(
        "content_versions", "screenings", "content_version", "", [v for v, _ in versions],
        ["records"], [[int(n)] for _, n in versions]))


def _officers(report: Report, rows: dict[str, list]) -> None:
    # Counts of work done, listed by name: never ordered by count, never a ranking.
    names = sorted({o for o, _, _ in rows["officers"]})
    report.add("officers", Table(
        "officers", "screenings", "officer", "outcome", names, OUTCOMES,
        _pivot(rows["officers"], names, OUTCOMES)))


def today_utc() -> date:
    return datetime.now(UTC).date()
