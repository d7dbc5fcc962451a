"""The report's counting queries on the central database: the same figures as
:mod:`screening.records.aggregates` asks a laptop's SQLite file, asked of PostgreSQL.

Each function here answers its namesake there with the same rows (same columns, same order,
same values), so :func:`screening.report.figures.build_report` shapes them unchanged. A central
record keeps the laptop's rows inside its ``body`` (``row``, ``answers``, ``history``,
``referrals``, ``referral_steps``); the typed columns (level, status, started_at ...) are used
where they exist. Text is ordered byte-wise (``COLLATE "C"``, NULLs first) as SQLite orders it,
whatever the server's locale. Nothing here returns an identifying answer or free text.
"""

from __future__ import annotations

from collections.abc import Sequence

from screening.central.connection import SCHEMA
from screening.records.aggregates import (
    FINALIZE_REASON,
    NOT_RECEIVED,
    Scope,
)
from screening.records.queries import _bound

RECORDS = f"{SCHEMA}.records r"
#: The stored assessment (a JSON text in the laptop's row), parsed.
ASSESSMENT = "((r.body->'row'->>'assessment_json')::jsonb)"
OUTCOME_SQL = "CASE WHEN r.status = 'draft' THEN 'draft' ELSE r.outcome END"
OFFICE_SQL = "trim(split_part(r.location, ',', 1))"
BUCKET_SQL = {
    "week": "to_char(date_trunc('week', substr(r.started_at, 1, 10)::date), 'YYYY-MM-DD')",
    "month": "substr(r.started_at, 1, 7)",
}
#: The answers of a record, one row each: ``a->>0`` the question, ``a->>1`` its value_json.
ANSWERS = "jsonb_array_elements(r.body->'answers') a"
C = 'COLLATE "C"'
# JSON paths used inside the queries (named: an f-string's braces take no backslash)
POSITIVE = "d.value->'positive'"
PRESENT = "d.value->'present'"
P_ID = "p.value->>'id'"
QUESTION = "a->>0"
H_QUESTION = "h->>1"
VERSION = "r.body->'row'->>'questionnaire_version'"
F_ID = "f.value->>'id'"
D_ID = "d.value->>'id'"
FLAGS = ASSESSMENT + "#>'{departure_risk,flags}'"
ALERTS = ASSESSMENT + "#>'{departure_risk,alerts}'"
REFERRALS = "r.body->'referrals'"
STEPS = "r.body->'referral_steps'"
F_STATUS = "f->>'status'"
S_STATUS = "s->>'status'"
V_TEXT = "v.value #>> '{}'"


def _text(expr: str) -> str:
    """A grouped text column that sorts as SQLite sorts it."""
    return f"({expr}) {C}"


def _order(n: int) -> str:
    return "ORDER BY " + ", ".join(f"{i} NULLS FIRST" for i in range(1, n + 1))


def where(scope: Scope, *, dates: bool = True) -> tuple[str, list[object]]:
    """``Scope.where`` for PostgreSQL."""
    clauses: list[str] = ["true"]
    params: list[object] = []
    for bound, end in ((scope.since, False), (scope.until, True)):
        if not dates:
            break
        op, stamp = _bound(bound, end=end)
        clauses.append(f"r.started_at {op} %s")
        params.append(stamp)
    if scope.questionnaire is not None:
        clauses.append("r.questionnaire = %s")
        params.append(scope.questionnaire)
    if scope.office is not None:
        clauses.append(f"{OFFICE_SQL} = %s")
        params.append(scope.office)
    return " AND ".join(clauses), params


def report_queries(scope: Scope, bucket: str) -> dict[str, tuple[str, list[object]]]:
    w, params = where(scope)
    b = BUCKET_SQL[bucket]
    completed = f"{w} AND r.status = 'completed' AND r.level IS NOT NULL"
    q = _text("r.questionnaire")
    return {
        "outcomes": (
            f"SELECT {_text(b)} AS bucket, {q} AS questionnaire, {_text(OUTCOME_SQL)} AS "
            f"outcome, count(*) AS n FROM {RECORDS} WHERE {w} GROUP BY 1, 2, 3 {_order(3)}",
            params,
        ),
        "levels": (
            f"SELECT {_text(b)} AS bucket, {_text('r.level')} AS level, "
            f"jsonb_build_array({ASSESSMENT}->'profile', {ASSESSMENT}->'coverage_warning', "
            f"{ASSESSMENT}#>'{{departure_risk,level}}')::text {C} AS facts, count(*) AS n "
            f"FROM {RECORDS} WHERE {completed} GROUP BY 1, 2, 3 {_order(3)}",
            params,
        ),
        "dimensions": (
            f"SELECT {_text('d.key')} AS dimension, {_text('r.level')} AS level, count(*) AS n "
            f"FROM {RECORDS} CROSS JOIN LATERAL jsonb_each({ASSESSMENT}->'dimensions') d "
            f"WHERE {completed} AND r.level IN ('medium', 'high') "
            f"AND {_truthy(POSITIVE)} GROUP BY 1, 2 {_order(2)}",
            params,
        ),
        "indicators": (
            f"SELECT {_text(P_ID)} AS indicator, {_text('r.level')} AS level, "
            f"count(*) AS n FROM {RECORDS} "
            f"CROSS JOIN LATERAL jsonb_each({ASSESSMENT}->'dimensions') d "
            f"CROSS JOIN LATERAL jsonb_array_elements({_array(PRESENT)}) p "
            f"WHERE {completed} AND r.level IN ('medium', 'high') GROUP BY 1, 2 {_order(2)}",
            params,
        ),
        "quality": (
            f"SELECT {q} AS questionnaire, {_text(QUESTION)} AS question_id, "
            "count(*) AS answered, "
            "sum((a->>1 = '\"unknown\"')::int) AS unknown, "
            "sum((a->>1 = '\"declined\"')::int) AS declined "
            f"FROM {RECORDS} CROSS JOIN LATERAL {ANSWERS} WHERE {w} GROUP BY 1, 2 {_order(2)}",
            params,
        ),
        "changes": (
            f"SELECT {q} AS questionnaire, {_text(H_QUESTION)} AS question_id, count(*) AS n "
            f"FROM {RECORDS} CROSS JOIN LATERAL jsonb_array_elements(r.body->'history') h "
            f"WHERE {w} AND (h->>6) IS DISTINCT FROM '{FINALIZE_REASON}' "
            f"GROUP BY 1, 2 {_order(2)}",
            params,
        ),
        "versions": (
            f"SELECT {q} AS questionnaire, "
            f"{_text(VERSION)} AS questionnaire_version, "
            f"{_text('r.content_hash')} AS content_hash, count(*) AS n "
            f"FROM {RECORDS} WHERE {w} GROUP BY 1, 2, 3 {_order(3)}",
            params,
        ),
        "officers": (
            f"SELECT {_text('r.officer')} AS officer, {_text(OUTCOME_SQL)} AS outcome, "
            f"count(*) AS n FROM {RECORDS} WHERE {w} GROUP BY 1, 2 {_order(2)}",
            params,
        ),
    }


def _truthy(expr: str) -> str:
    """What SQLite's ``json_extract(...)`` counts as true in a WHERE: a true, a non-zero
    number, a string that starts with a non-zero number."""
    return (f"(CASE jsonb_typeof({expr}) WHEN 'boolean' THEN ({expr})::boolean "
            f"WHEN 'number' THEN ({expr})::numeric <> 0 ELSE false END)")


def _array(expr: str) -> str:
    """``expr`` when it is an array, else an empty one (``json_each`` of a missing path)."""
    return f"(CASE jsonb_typeof({expr}) WHEN 'array' THEN {expr} ELSE '[]'::jsonb END)"


def flags_query(scope: Scope) -> tuple[str, list[object]]:
    w, params = where(scope)
    return (
        f"SELECT {_text(F_ID)} AS flag, count(*) AS n FROM {RECORDS} "
        "CROSS JOIN LATERAL jsonb_array_elements("
        f"{_array(FLAGS)}) f(value) "
        f"WHERE {w} AND r.status = 'completed' AND r.level IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1 NULLS FIRST",
        params,
    )


def alerts_query(scope: Scope) -> tuple[str, list[object]]:
    w, params = where(scope)
    return (
        f"SELECT {_text(D_ID)} AS alert, {_text('r.level')} AS level, "
        f"count(*) AS n FROM {RECORDS} CROSS JOIN LATERAL jsonb_array_elements("
        f"{_array(ALERTS)}) d(value) "
        f"WHERE {w} AND r.status = 'completed' AND r.level IS NOT NULL "
        f"GROUP BY 1, 2 {_order(2)}",
        params,
    )


def referral_queries(scope: Scope, now: str, due_days: int = 7
                     ) -> dict[str, tuple[str, list[object]]]:
    w, params = where(scope, dates=False)
    refs = f"{RECORDS} CROSS JOIN LATERAL jsonb_array_elements({_array(REFERRALS)}) f"
    steps = ("CROSS JOIN LATERAL jsonb_array_elements("
             f"{_array(STEPS)}) s")
    made = f"FROM {refs} WHERE {w} AND f->>'created_at' >= %s AND f->>'created_at' < %s"
    _, since = _bound(scope.since, end=False)
    _, until = _bound(scope.until, end=True)
    within = [*params, since, until]
    limit = (f"to_char((%s::timestamptz AT TIME ZONE 'UTC') - interval '{int(due_days)} days', "
             "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
    not_received = ", ".join(f"'{s}'" for s in NOT_RECEIVED)
    service = _text("f->>'service_id'")
    return {
        "referrals": (
            f"SELECT {service} AS service_id, {_text(F_STATUS)} AS status, "
            "count(*) AS n, "
            f"min(((f->>'service_json')::jsonb->'name')::text {C}) AS name {made} "
            f"GROUP BY 1, 2 {_order(2)}",
            within,
        ),
        "milestones": (
            f"SELECT {service} AS service_id, {_text(S_STATUS)} AS status, "
            f"count(DISTINCT f->>'id') AS n FROM {refs} {steps} "
            f"WHERE s->>'referral_id' = f->>'id' AND {w} "
            f"AND f->>'created_at' >= %s AND f->>'created_at' < %s GROUP BY 1, 2 {_order(2)}",
            within,
        ),
        "overdue": (
            f"SELECT {service} AS service_id, count(*) AS n {made} AND f->>'status' NOT IN "
            "('closed', 'services_started') AND ("
            f"(f->>'status' IN ({not_received}) AND f->>'created_at' < {limit}) "
            f"OR f->>'updated_at' < {limit}) GROUP BY 1 {_order(1)}",
            [*within, now, now],
        ),
        "received_days": (
            f"WITH d AS (SELECT {service} AS service, "
            "extract(epoch FROM min((s->>'at')::timestamptz) - "
            "(f->>'created_at')::timestamptz)::float8 / 86400 AS days "
            f"FROM {refs} {steps} WHERE s->>'referral_id' = f->>'id' AND {w} "
            "AND f->>'created_at' >= %s AND f->>'created_at' < %s "
            "AND s->>'status' = 'received' "
            "GROUP BY r.id, f->>'id', f->>'service_id', f->>'created_at'), "
            "o AS (SELECT service, days, row_number() OVER (PARTITION BY service ORDER BY days) "
            "AS k, count(*) OVER (PARTITION BY service) AS n FROM d "
            f"UNION ALL SELECT '' {C}, days, row_number() OVER (ORDER BY days), "
            "count(*) OVER () FROM d) "
            "SELECT service, avg(days) AS median, max(n) AS n FROM o "
            f"WHERE k IN ((n + 1) / 2, (n + 2) / 2) GROUP BY 1 {_order(1)}",
            within,
        ),
    }


def answer_query(scope: Scope, question_ids: Sequence[str]) -> tuple[str, list[object]]:
    """Each answer value given to ``question_ids`` in medium and high results: the values of
    a list (or an object) one by one, as SQLite's ``json_each`` walks them; text only."""
    w, params = where(scope)
    value = "(a->>1)::jsonb"
    each = (f"(CASE jsonb_typeof({value}) WHEN 'array' THEN {value} "
            f"WHEN 'object' THEN (SELECT coalesce(jsonb_agg(e.value), '[]'::jsonb) "
            f"FROM jsonb_each({value}) e) ELSE jsonb_build_array({value}) END)")
    return (
        f"SELECT {_text('r.questionnaire')} AS questionnaire, {_text(QUESTION)} AS "
        f"question_id, {_text('r.level')} AS level, {_text(V_TEXT)} AS value, "
        f"count(*) AS n FROM {RECORDS} CROSS JOIN LATERAL {ANSWERS} "
        f"CROSS JOIN LATERAL jsonb_array_elements({each}) v(value) "
        f"WHERE {w} AND r.status = 'completed' AND r.level IN ('medium', 'high') "
        "AND a->>0 = ANY(%s) AND jsonb_typeof(v.value) = 'string' "
        f"GROUP BY 1, 2, 3, 4 {_order(4)}",
        [*params, list(question_ids)],
    )


def questionnaires_seen() -> str:
    return f"SELECT DISTINCT r.questionnaire {C} FROM {RECORDS} ORDER BY 1"


def offices_seen() -> str:
    return f"SELECT DISTINCT {OFFICE_SQL} {C} FROM {RECORDS} ORDER BY 1"
