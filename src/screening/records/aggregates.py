"""Counting records for the supervisor's report: every figure is one aggregate query, grouped in
SQLite, so a national year of records is never read row by row into Python.

All queries of one report run inside :meth:`Aggregates.consistent_read`, one read transaction:
on the WAL journal it sees one consistent state of the file while an interview keeps writing.
Nothing here returns an identifying answer or free text: answers are only counted, and only
for the question ids the caller names (the report names non-identifying choice questions).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from screening.records.database import Database
from screening.records.queries import _bound

#: What a screening ended as: a finished outcome, or ``draft`` for one not finished.
OUTCOME_SQL = "CASE WHEN r.status = 'draft' THEN 'draft' ELSE r.outcome END"
#: The office is what the officer typed as location up to the first comma.
OFFICE_SQL = (
    "TRIM(CASE WHEN instr(r.location, ',') > 0 "
    "THEN substr(r.location, 1, instr(r.location, ',') - 1) ELSE r.location END)"
)
#: A period's buckets: the Monday of the week, or the month.
BUCKET_SQL = {
    "week": "date(substr(r.started_at, 1, 10), 'weekday 0', '-6 days')",
    "month": "substr(r.started_at, 1, 7)",
}
#: The history rows the tool writes itself when an interview is finished; not the officer's.
FINALIZE_REASON = "changed at finalize"


@dataclass(frozen=True)
class Scope:
    """Which records a report counts: started in [since, until] (dates, UTC), optionally one
    questionnaire and one office."""

    since: str
    until: str
    questionnaire: str | None = None
    office: str | None = None

    def where(self, *, dates: bool = True) -> tuple[str, list[object]]:
        """The SQL condition on records ``r`` (``dates=False``: script and office only)."""
        clauses: list[str] = ["1"]
        params: list[object] = []
        for bound, end in ((self.since, False), (self.until, True)):
            if not dates:
                break
            op, stamp = _bound(bound, end=end)
            clauses.append(f"r.started_at {op} ?")
            params.append(stamp)
        if self.questionnaire is not None:
            clauses.append("r.questionnaire = ?")
            params.append(self.questionnaire)
        if self.office is not None:
            clauses.append(f"{OFFICE_SQL} = ?")
            params.append(self.office)
        return " AND ".join(clauses), params


def report_queries(scope: Scope, bucket: str) -> dict[str, tuple[str, list[object]]]:
    """Every aggregate query of a report as (SQL, parameters), by name.

    Kept as data so the benchmark can run exactly the same SQL in the ``sqlite3`` program.
    """
    where, params = scope.where()
    b = BUCKET_SQL[bucket]
    completed = f"{where} AND r.status = 'completed' AND r.level IS NOT NULL"
    return {
        "outcomes": (
            f"SELECT {b} AS bucket, r.questionnaire, {OUTCOME_SQL} AS outcome, COUNT(*) AS n "
            f"FROM records r WHERE {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            params,
        ),
        # One json_extract with three paths parses each assessment once, not three times.
        "levels": (
            f"SELECT {b} AS bucket, r.level, json_extract(r.assessment_json, '$.profile', "
            "'$.coverage_warning', '$.departure_risk.level') AS facts, COUNT(*) AS n "
            f"FROM records r WHERE {completed} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            params,
        ),
        "dimensions": (
            "SELECT d.key AS dimension, r.level, COUNT(*) AS n "
            "FROM records r, json_each(r.assessment_json, '$.dimensions') d "
            # A positive dimension makes a result medium or high: low ones need no parsing.
            f"WHERE {completed} AND r.level IN ('medium', 'high') "
            "AND json_extract(d.value, '$.positive') GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        ),
        "indicators": (
            "SELECT json_extract(p.value, '$.id') AS indicator, r.level, COUNT(*) AS n "
            "FROM records r, json_each(r.assessment_json, '$.dimensions') d, "
            "json_each(d.value, '$.present') p "
            f"WHERE {completed} AND r.level IN ('medium', 'high') GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        ),
        "quality": (
            "SELECT r.questionnaire, a.question_id, COUNT(*) AS answered, "
            "SUM(a.value_json = '\"unknown\"') AS unknown, "
            "SUM(a.value_json = '\"declined\"') AS declined "
            f"FROM records r JOIN answers a ON a.record_id = r.id WHERE {where} "
            "GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        ),
        "changes": (
            "SELECT r.questionnaire, h.question_id, COUNT(*) AS n "
            f"FROM records r JOIN history h ON h.record_id = r.id WHERE {where} "
            f"AND h.reason IS NOT '{FINALIZE_REASON}' GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        ),
        "versions": (
            "SELECT r.questionnaire, r.questionnaire_version, r.content_hash, COUNT(*) AS n "
            f"FROM records r WHERE {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            params,
        ),
        "officers": (
            f"SELECT r.officer, {OUTCOME_SQL} AS outcome, COUNT(*) AS n "
            f"FROM records r WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        ),
    }


def flags_query(scope: Scope) -> tuple[str, list[object]]:
    """How many results raised each departure-risk red flag (run only when some result
    carries a departure risk)."""
    where, params = scope.where()
    return (
        "SELECT json_extract(f.value, '$.id') AS flag, COUNT(*) AS n "
        "FROM records r, json_each(r.assessment_json, '$.departure_risk.flags') f "
        f"WHERE {where} AND r.status = 'completed' AND r.level IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        params,
    )


def alerts_query(scope: Scope) -> tuple[str, list[object]]:
    """How many results matched each destination alert of the content (a closed list of
    regions matched in the destination answer: the answer itself is never read here), by
    identification level."""
    where, params = scope.where()
    return (
        "SELECT json_extract(d.value, '$.id') AS alert, r.level, COUNT(*) AS n "
        "FROM records r, json_each(r.assessment_json, '$.departure_risk.alerts') d "
        f"WHERE {where} AND r.status = 'completed' AND r.level IS NOT NULL "
        "GROUP BY 1, 2 ORDER BY 1, 2",
        params,
    )


#: A referral's statuses in the order of its life (screening.referrals.lifecycle), and the
#: ones that mean the service has not taken it in yet.
REFERRAL_STATUSES = ("proposed", "sent", "received", "accepted", "declined",
                     "services_started", "closed")
NOT_RECEIVED = ("proposed", "sent")


def referral_queries(scope: Scope, now: str, due_days: int = 7
                     ) -> dict[str, tuple[str, list[object]]]:
    """The referrals made in the period (for records the scope selects): by service and
    status now, the milestones each reached, how many are overdue at ``now`` (not received
    within ``due_days`` of being made, or not moved on within ``due_days``; help under way
    is never overdue), and the median days from made to received."""
    where, params = scope.where(dates=False)  # made in the period, whenever the record began
    made = (f"FROM referrals f JOIN records r ON r.id = f.record_id WHERE {where} "
            "AND f.created_at >= ? AND f.created_at < ?")
    _, since = _bound(scope.since, end=False)
    _, until = _bound(scope.until, end=True)  # the day after, excluded
    within = [*params, since, until]
    limit = f"strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-{int(due_days)} days')"
    not_received = ", ".join(f"'{s}'" for s in NOT_RECEIVED)
    return {
        "referrals": (
            "SELECT f.service_id, f.status, COUNT(*) AS n, MIN(json_extract(f.service_json, "
            f"'$.name')) AS name {made} GROUP BY 1, 2 ORDER BY 1, 2",
            within,
        ),
        "milestones": (
            "SELECT f.service_id, s.status, COUNT(DISTINCT f.id) AS n "
            f"FROM referral_steps s JOIN referrals f ON f.id = s.referral_id "
            f"JOIN records r ON r.id = f.record_id WHERE {where} "
            "AND f.created_at >= ? AND f.created_at < ? GROUP BY 1, 2 ORDER BY 1, 2",
            within,
        ),
        "overdue": (
            f"SELECT f.service_id, COUNT(*) AS n {made} AND f.status NOT IN "
            "('closed', 'services_started') AND ("
            f"(f.status IN ({not_received}) AND f.created_at < {limit}) "
            f"OR f.updated_at < {limit}) GROUP BY 1 ORDER BY 1",
            [*within, now, now],
        ),
        "received_days": (
            "WITH d AS (SELECT f.service_id AS service, julianday(MIN(s.at)) - "
            "julianday(f.created_at) AS days FROM referral_steps s "
            "JOIN referrals f ON f.id = s.referral_id JOIN records r ON r.id = f.record_id "
            f"WHERE {where} AND f.created_at >= ? AND f.created_at < ? "
            "AND s.status = 'received' GROUP BY f.id), "
            "o AS (SELECT service, days, ROW_NUMBER() OVER (PARTITION BY service ORDER BY days) "
            "AS k, COUNT(*) OVER (PARTITION BY service) AS n FROM d "
            "UNION ALL SELECT '', days, ROW_NUMBER() OVER (ORDER BY days), COUNT(*) OVER () "
            "FROM d) "
            "SELECT service, AVG(days) AS median, MAX(n) AS n FROM o "
            "WHERE k IN ((n + 1) / 2, (n + 2) / 2) GROUP BY 1 ORDER BY 1",
            within,
        ),
    }


def answer_query(scope: Scope, question_ids: Sequence[str]) -> tuple[str, list[object]]:
    """How often each answer value was given to ``question_ids`` in medium and high results;
    a list (several options chosen) counts each option once."""
    where, params = scope.where()
    marks = ",".join("?" * len(question_ids)) or "NULL"
    return (
        "SELECT r.questionnaire, a.question_id, r.level, v.value AS value, COUNT(*) AS n "
        "FROM records r JOIN answers a ON a.record_id = r.id, json_each(a.value_json) v "
        f"WHERE {where} AND r.status = 'completed' AND r.level IN ('medium', 'high') "
        f"AND a.question_id IN ({marks}) AND v.type = 'text' "
        "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        [*params, *question_ids],
    )


class Aggregates(Database):
    """The report's counting queries over the records."""

    @property
    def report_sql(self) -> Any:
        """The module that writes the report's queries for this store: this one (SQLite)."""
        import sys

        return sys.modules[__name__]

    @contextlib.contextmanager
    def consistent_read(self) -> Iterator[None]:
        """One read transaction: every query inside sees the same state of the database."""
        conn = self._connection()
        with self._guard("read the records for the report"):
            conn.execute("BEGIN")
            try:
                # A deferred transaction takes its snapshot at the first read: read now.
                conn.execute("SELECT COUNT(*) FROM meta").fetchone()
                yield
            finally:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("COMMIT")

    def aggregate(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """The rows of one aggregate query (a few dozen grouped rows, never one per record)."""
        with self._guard("count the records for the report"):
            return self._connection().execute(sql, list(params)).fetchall()

    def questionnaires_seen(self) -> list[str]:
        """Every questionnaire any record was started with (to check --questionnaire)."""
        return [q for (q,) in self.aggregate(
            "SELECT DISTINCT questionnaire FROM records ORDER BY 1", []
        )]

    def has_table(self, name: str) -> bool:
        """Whether this database has ``name`` (referrals exist from schema 4 on)."""
        return bool(self.aggregate(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]))

    def offices_seen(self) -> list[str]:
        """Every office any record was taken at (to check --office)."""
        return [o for (o,) in self.aggregate(
            f"SELECT DISTINCT {OFFICE_SQL} FROM records r ORDER BY 1", []
        ) if o]
