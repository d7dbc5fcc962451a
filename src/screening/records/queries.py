"""Reading records: one record whole, a page of them, filtered listings streamed a page at a
time (keyset paging, no cursor held open), drafts, content snapshots.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence

from screening.errors import NotFound, StoreError
from screening.records.database import Database, _load, cell_problem
from screening.records.listing import PROBE
from screening.records.listing import _bound as _bound  # noqa: F401  (its home was here)
from screening.records.listing import filters as filters  # noqa: F401

TYPE_CHECKING = False  # typing itself takes ~3 ms to import: names for the checker only
if TYPE_CHECKING:
    from typing import Any

_PAGE = 200  # rows per query when streaming a listing


class DamagedRecord(StoreError):
    """A record whose stored data cannot be decoded (bad JSON, bytes that are not text)."""

    def __init__(self, record_id: str, problem: str) -> None:
        super().__init__(
            f"Record {record_id} cannot be read: {problem}. The other records are not "
            "affected. Run 'screening records verify' to see what else is damaged, and "
            "restore this record from a backup."
        )
        self.record_id = record_id
        self.problem = problem


def _decoding(exc: BaseException) -> bool:
    """Whether reading failed on the stored data itself (not text, not JSON)."""
    if isinstance(exc, sqlite3.OperationalError):
        return "decode" in str(exc).lower()
    return isinstance(exc, ValueError)


#: What a listing shows of each record: its columns, and how many answers it holds.
_LISTED_COLUMNS = ("id", "status", "outcome", "questionnaire", "level", "officer", "location",
                   "language", "started_at", "completed_at")
_LISTED_SQL = {
    **{name: f"r.{name}" for name in _LISTED_COLUMNS},
    "answered": "(SELECT COUNT(*) FROM answers a WHERE a.record_id = r.id)",
}
_LISTED = ", ".join(f"{sql} AS {name}" for name, sql in _LISTED_SQL.items())

def _json_sql(keys: Sequence[str]) -> str:
    """SQL writing a listed record's ``keys`` as the object ``json.dumps(row,
    ensure_ascii=False)`` writes; NULL for a row with a cell Python writes otherwise: a BLOB
    (its repr) or a REAL (rounded otherwise), which only damage puts in these TEXT columns."""
    values = [_LISTED_SQL[key] for key in keys]
    kinds = ", ".join(f"typeof(r.{key})" for key in keys if key in _LISTED_COLUMNS)
    shape = ", ".join(f'"{key}": %s' for key in keys)
    quoted = ", ".join(f"json_quote({value})" for value in values)
    return (f"CASE WHEN 'blob' IN ({kinds}) OR 'real' IN ({kinds}) THEN NULL "
            f"ELSE printf('{{{shape}}}', {quoted}) END")


#: The columns of a brief record (:meth:`Queries.brief_records`): the assessment as the CSV
#: shows it. ``->`` keeps each value's JSON text (true stays true, 0.10 stays 0.10).
_BRIEF = (
    "id, status, outcome, questionnaire, questionnaire_version, content_hash, officer, "
    "location, language, started_at, updated_at, completed_at, level, consent_share, "
    "sealed_json, erased_at, CASE WHEN assessment_json IS NULL THEN NULL ELSE json_object("
    "'trafficking_indicated', assessment_json -> '$.trafficking_indicated', "
    "'coverage', assessment_json -> '$.coverage', "
    "'dimensions', (SELECT json_group_object(d.key, json_object('positive', "
    "d.value -> '$.positive')) FROM json_each(assessment_json, '$.dimensions') d)) "
    "END AS assessment_json"
)


#: The columns of :meth:`Queries.csv_records`: the assessment as bytes, for msgspec.
_CSV = (
    "id, status, outcome, questionnaire, questionnaire_version, content_hash, officer, "
    "location, language, started_at, updated_at, completed_at, level, consent_share, "
    "sealed_json, erased_at, CAST(assessment_json AS BLOB) AS assessment_json"
)


def _brief_decoder() -> Any:
    """A msgspec decoder of the assessment's CSV fields, typed strictly: a value of another
    type (or JSON msgspec reads otherwise than Python) fails, and the page is read the old
    way."""
    global _BRIEF_DECODER
    if _BRIEF_DECODER is None:
        import msgspec

        dimension = msgspec.defstruct("Dimension", [("positive", bool | None, None)])
        brief = msgspec.defstruct("Brief", [
            ("trafficking_indicated", bool | None, None),
            ("coverage", int | float | None, None),
            ("dimensions", dict[str, dimension] | None, None),  # type: ignore[valid-type]
        ])
        _BRIEF_DECODER = msgspec.json.Decoder(brief)
    return _BRIEF_DECODER


_BRIEF_DECODER: Any = None


def _brief_assessment(data: bytes | None) -> dict[str, Any] | None:
    """The assessment as :data:`_BRIEF` gives it; ValueError when msgspec cannot read it."""
    if data is None:
        return None
    brief = _brief_decoder().decode(data)
    dimensions = brief.dimensions
    return {
        "trafficking_indicated": brief.trafficking_indicated,
        "coverage": brief.coverage,
        "dimensions": None if dimensions is None else {
            key: {"positive": d.positive} for key, d in dimensions.items()},
    }


def _answer_parts(text: str) -> list[str] | None:
    """The parts of ``count \x1d qid \x1f value (\x1e qid \x1f value)*``, or None when a
    separator also appears inside a value (the counts disagree)."""
    count, _, body = text.partition("\x1d")
    if count == "0":
        return [] if body == "" else None
    parts = body.split("\x1e")
    if len(parts) != int(count) or body.count("\x1f") != len(parts):
        return None
    return parts


class Queries(Database):
    """Reading records and listing them."""

    # -- reading ---------------------------------------------------------------------------

    def _left_out(self, rid: str, problem: str) -> None:
        if all(seen != rid for seen, _ in self.damaged):
            self.damaged.append((rid, problem))

    def record(self, record_id: str) -> dict[str, Any]:
        """Everything about one record; raises NotFound (with a "did you mean"), or
        DamagedRecord when its stored data cannot be decoded."""
        with self._guard("read the record"):
            try:
                return self._assemble([self._require(record_id)])[0]
            except (sqlite3.OperationalError, ValueError) as exc:
                if not _decoding(exc):
                    raise
                rid = self._canonical_id(record_id)
                problem = self._damage(rid) or f"its data cannot be decoded ({exc})"
        raise DamagedRecord(rid, problem)

    def records(self, record_ids: list[str]) -> list[dict[str, Any]]:
        """Several records as :meth:`record` gives them, in the order asked, in one query per
        table (an export reads a page of ids at a time). Unknown ids are left out, and so is a
        record whose stored data cannot be decoded (named in :attr:`damaged`)."""
        if not record_ids:
            return []
        with self._guard("read the records"):
            try:
                return self._assemble(self._rows(record_ids))
            except (sqlite3.OperationalError, ValueError) as exc:
                if not _decoding(exc):
                    raise
            # One page failed: read it again a record at a time, leaving out the damaged ones.
            kept = []
            for rid in record_ids:
                problem = self._damage(rid)
                if problem is None:
                    try:
                        kept += self._assemble(self._rows([rid]))
                        continue
                    except (sqlite3.OperationalError, ValueError) as exc:
                        if not _decoding(exc):
                            raise
                        problem = f"its data cannot be decoded ({exc})"
                self._left_out(rid, problem)
            return kept

    def brief_records(self, record_ids: list[str]) -> list[dict[str, Any]]:
        """:meth:`records` for a CSV export without the key: no audit events, and the
        assessment cut in SQL to what a CSV row shows (``trafficking_indicated``, ``coverage``,
        each dimension's ``positive``); decoding the whole assessment (~8 KB) of every record
        was a large part of an export. Identical otherwise; a page SQLite cannot cut is read
        whole."""
        if not record_ids:
            return []
        with self._guard("read the records"):
            try:
                return self._assemble(self._rows(record_ids, brief=True), brief=True)
            except (sqlite3.OperationalError, ValueError) as exc:
                if "malformed JSON" not in str(exc) and not _decoding(exc):
                    raise
        return self.records(record_ids)  # damage is found and named there

    def csv_records(self, record_ids: list[str]) -> list[dict[str, Any]] | None:
        """:meth:`brief_records`, read faster: each record's answers as stored, not decoded (a
        list of ``question_id + "\x1f" + value_json``: a CSV row's cells depend on the value's
        text, worked out once per distinct one by the export), joined into one string by
        SQLite with a count that proves no value held a separator; the assessment's three
        CSV fields decoded by msgspec (~5 us, where SQLite's JSON functions took ~20). None
        when the page cannot be read so (then :meth:`brief_records` reads it, and names any
        damage)."""
        if not record_ids:
            return []
        marks = ",".join("?" * len(record_ids))
        with self._guard("read the records"):
            try:
                rows = {
                    row["id"]: row
                    for row in self._db.query(
                        # the separators as literals: char() per answer cost ~10%
                        f"SELECT {_CSV}, (SELECT count(*) || '\x1d' || ifnull(group_concat("
                        "a.question_id || '\x1f' || a.value_json, '\x1e'), '') FROM answers a "
                        "WHERE a.record_id = records.id) AS answers_text "
                        f"FROM records WHERE id IN ({marks})",
                        record_ids,
                    )
                }
                answers, assessments = {}, {}
                for rid, row in rows.items():
                    answers[rid] = _answer_parts(row.pop("answers_text"))
                    assessments[rid] = _brief_assessment(row["assessment_json"])
                    row["assessment_json"] = None
                if None in answers.values():
                    return None
                records = self._assemble([rows[rid] for rid in record_ids if rid in rows],
                                         brief=True, answers=answers)
            except (sqlite3.OperationalError, ValueError) as exc:  # msgspec's too
                if "malformed JSON" not in str(exc) and not _decoding(exc):
                    raise
                return None
        for record in records:
            record["assessment"] = assessments[record["id"]]
        return records

    def _rows(self, record_ids: list[str], *, brief: bool = False) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(record_ids))
        columns = _BRIEF if brief else "*"
        rows = {
            row["id"]: row
            for row in self._db.query(
                f"SELECT {columns} FROM records WHERE id IN ({marks})", record_ids
            )
        }
        return [rows[rid] for rid in record_ids if rid in rows]

    def _assemble(self, rows: list[dict[str, Any]], *, brief: bool = False,
                  answers: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        notes: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        for n in self._db.query(
            "SELECT record_id, id, question_id, text, officer, created_at, sealed FROM notes "
            f"WHERE record_id IN ({marks}) ORDER BY id",
            ids,
        ):
            notes[n["record_id"]].append(
                {
                    "id": n["id"],
                    "question_id": n["question_id"],
                    "text": {"sealed": True} if n["sealed"] else n["text"],
                    "officer": n["officer"],
                    "created_at": n["created_at"],
                }
            )
        history: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        for h in self._db.query(
            f"SELECT * FROM history WHERE record_id IN ({marks}) ORDER BY id", ids
        ):
            history[h["record_id"]].append(
                {
                    "id": h["id"],
                    "question_id": h["question_id"],
                    "old_value": _load(h["old_value_json"]),
                    "new_value": _load(h["new_value_json"]),
                    "deleted": h["new_value_json"] is None,
                    "officer": h["officer"],
                    "changed_at": h["changed_at"],
                    "reason": h["reason"],
                }
            )
        events: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        for e in () if brief else self._db.query(
            "SELECT record_id, id, kind, officer, at, detail_json, signer FROM events "
            f"WHERE record_id IN ({marks}) ORDER BY id",
            ids,
        ):
            events[e["record_id"]].append(
                {
                    "id": e["id"],
                    "kind": e["kind"],
                    "officer": e["officer"],
                    "at": e["at"],
                    "detail": _load(e["detail_json"]),
                    "signer": e["signer"],
                }
            )
        referrals: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        for r in self._db.query(
            "SELECT record_id, id, service_id, service_json, status, outcome, consent, "
            "information_only, created_at, updated_at, closed_at FROM referrals "
            f"WHERE record_id IN ({marks}) ORDER BY created_at, id",
            ids,
        ):
            service = _load(r["service_json"]) or {}
            referrals[r["record_id"]].append(
                {
                    "id": r["id"],
                    "service": r["service_id"],
                    "service_name": service.get("name"),
                    "status": r["status"],
                    "outcome": r["outcome"],
                    "consent": r["consent"],
                    "information_only": bool(r["information_only"]),
                    "created_at": r["created_at"],
                    "updated_at": r["updated_at"],
                    "closed_at": r["closed_at"],
                }
            )
        if answers is None:
            answers = self._answers_of(ids, marks, ordered=not brief)
        return [
            {
                "id": row["id"],
                "status": row["status"],
                "outcome": row["outcome"],
                "questionnaire": row["questionnaire"],
                "questionnaire_version": row["questionnaire_version"],
                "content_hash": row["content_hash"],
                "officer": row["officer"],
                "location": row["location"],
                "language": row["language"],
                "started_at": row["started_at"],
                "updated_at": row["updated_at"],
                "completed_at": row["completed_at"],
                "level": row["level"],
                "assessment": _load(row["assessment_json"]),
                "consent_share": None
                if row["consent_share"] is None
                else bool(row["consent_share"]),
                "sealed": _load(row["sealed_json"]),
                "erased_at": row["erased_at"],
                "answers": answers[row["id"]],
                "notes": notes[row["id"]],
                "history": history[row["id"]],
                "events": events[row["id"]],
                # whom the person was referred to, and how it stands (no words: see referrals)
                "referrals": referrals[row["id"]],
            }
            for row in rows
        ]

    def _answers_of(self, ids: list[str], marks: str, *,
                    ordered: bool = True) -> dict[str, dict[str, object]]:
        """The answers of each record, in the order first given (else by question id).
        SQLite gathers each record's answers into one JSON object, decoded once: decoding
        each answer on its own was most of an export's time (~55 a record)."""
        source = (
            "(SELECT question_id, value_json FROM answers WHERE record_id = r.id ORDER BY seq) a"
            if ordered else "answers a WHERE a.record_id = r.id"
        )
        try:
            return {
                rid: json.loads(doc)
                for rid, doc in self._db.execute(
                    "SELECT r.id, (SELECT json_group_object(a.question_id, json(a.value_json)) "
                    f"FROM {source}) FROM records r WHERE r.id IN ({marks})",
                    ids,
                )
            }
        except sqlite3.OperationalError as exc:
            if "malformed JSON" not in str(exc):
                raise
        # A value SQLite does not take for JSON: decoded one by one, as Python reads it.
        answers: dict[str, dict[str, object]] = {rid: {} for rid in ids}
        for rid, qid, value_json in self._db.execute(
            "SELECT record_id, question_id, value_json FROM answers "
            f"WHERE record_id IN ({marks}) ORDER BY record_id, seq",
            ids,
        ):
            answers[rid][qid] = json.loads(value_json)
        return answers

    def answers(self, record_id: str) -> dict[str, object]:
        """The record's answers, question id -> value, in the order they were first given."""
        with self._guard("read the answers"):
            return self._answers(self._require(record_id)["id"])

    def _answers(self, rid: str) -> dict[str, object]:
        rows = self._db.execute(
            "SELECT question_id, value_json FROM answers WHERE record_id = ? ORDER BY seq", [rid]
        )
        return {qid: json.loads(value_json) for qid, value_json in rows}

    def provenance(self, record_id: str) -> dict[str, Any]:
        """What produced the record's assessment: ``parsed_hash`` (the parsed content used),
        ``scoring_version`` and ``scored_on``; None where unknown (older records)."""
        with self._guard("read the record"):
            rid = self._canonical_id(record_id)
            row = self._db.execute(
                "SELECT parsed_hash, scoring_version, scored_on FROM records WHERE id = ?", [rid]
            ).fetchone()
        keys = ("parsed_hash", "scoring_version", "scored_on")
        return dict(zip(keys, row or (None, None, None), strict=True))

    def content_parsed_hash(self, content_hash: str) -> str | None:
        """The parsed hash a content snapshot was first used with in this file, if any."""
        with self._guard("read the content snapshot"):
            row = self._db.execute(
                "SELECT parsed_hash FROM content WHERE hash = ?", [content_hash]
            ).fetchone()
        return row[0] if row else None

    def snapshot(self, content_hash: str) -> dict[str, str]:
        """The content a record was started with: ``{"questionnaire", "indicator_set"}`` YAML."""
        with self._guard("read the content snapshot"):
            row = next(self._db.query("SELECT * FROM content WHERE hash = ?", [content_hash]), None)
        if row is None:
            raise NotFound(f"No content snapshot with hash '{content_hash}' in {self.path}.")
        result = {
            "questionnaire": row["questionnaire_yaml"],
            "indicator_set": row["indicator_set_yaml"],
        }
        result.update(_load(row["extra_json"]) or {})
        return result

    def list_records(
        self,
        *,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        questionnaire: str | None = None,
        level: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict]:
        """Stream records, newest first (by ``started_at``), a page of rows per query.

        ``since``/``until`` are ISO dates or date-times compared with ``started_at``; a date as
        ``until`` includes that whole day.
        """
        where, params = self._filters(status, since, until, questionnaire, level)
        return self._stream(where, params, limit)

    def count_records(
        self,
        *,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        questionnaire: str | None = None,
        level: str | None = None,
    ) -> int:
        """How many records :meth:`list_records` would stream (for a progress bar)."""
        where, params = self._filters(status, since, until, questionnaire, level)
        sql = "SELECT COUNT(*) FROM records r" + (" WHERE " + " AND ".join(where) if where else "")
        with self._guard("count the records"):
            return int(self._db.execute(sql, params).fetchone()[0])

    def content_hashes(self, **filters: Any) -> list[str]:
        """The content snapshots the matching records began with (a handful, not one each)."""
        where, params = self._filters(**filters)
        sql = "SELECT DISTINCT r.content_hash FROM records r" + (
            " WHERE " + " AND ".join(where) if where else ""
        )
        with self._guard("list the content of the records"):
            return sorted(h for (h,) in self._db.execute(sql, params))

    def sealing_keys(self) -> set[str]:
        """Fingerprints of the office keys the sealed records were sealed for."""
        with self._guard("read the sealed records"):
            return {
                k
                for (k,) in self._db.execute(
                    "SELECT DISTINCT json_extract(sealed_json, '$.key') FROM records "
                    "WHERE sealed_json IS NOT NULL"
                )
                if k
            }

    def _filters(
        self,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        questionnaire: str | None = None,
        level: str | None = None,
    ) -> tuple[list[str], list[object]]:
        return filters(status, since, until, questionnaire, level)

    def record_ids(self, **filters: Any) -> Iterator[str]:
        """The ids :meth:`list_records` would list, in its order, without counting answers
        (an export reads each record anyway)."""
        where, params = self._filters(**filters)
        return (row["id"] for row in self._stream(where, params, None, "r.id, r.started_at"))

    def list_json(self, keys: Sequence[str], **filters: Any) -> Iterator[str | dict]:
        """:meth:`list_records` for a JSON listing: each record's ``keys`` as the JSON object
        ``json.dumps(row, ensure_ascii=False)`` writes, made by SQLite (making and encoding a
        dict a record was most of a long listing's time). A record SQLite cannot write so
        comes as :meth:`list_records` gives it, a dict, for the caller to encode: a cell that
        is not text, bytes that are not UTF-8 (damage, named in :attr:`damaged`), an SQLite
        without JSON or whose escapes differ."""
        limit = filters.pop("limit", None)
        where, params = self._filters(**filters)
        return self._stream(where, params, limit,
                            as_json=_json_sql(keys) if self._quotes_as_python() else None)

    def _quotes_as_python(self) -> bool:
        """Whether this SQLite's json_quote writes text as Python's ``json`` does, byte for
        byte, and leaves bytes that are not UTF-8 as they are (they still fail to decode)."""
        try:
            quoted, verbatim = self._db.execute(
                "SELECT json_quote(?), json_quote(CAST(X'C328' AS TEXT)) "
                "= '\"' || CAST(X'C328' AS TEXT) || '\"'", [PROBE]
            ).fetchone()
        except sqlite3.Error:
            return False
        return quoted == json.dumps(PROBE, ensure_ascii=False) and verbatim == 1

    def _stream(self, where: list[str], params: list[object], limit: int | None,
                columns: str = _LISTED, as_json: str | None = None) -> Iterator[Any]:
        left = limit
        after: tuple[str, str] | None = None
        while left is None or left > 0:
            page = _PAGE if left is None else min(_PAGE, left)
            # Keyset paging: no cursor stays open between pages, so a caller may write while
            # iterating.
            clauses = list(where)
            args = list(params)
            if after is not None:
                clauses.append("(r.started_at, r.id) < (?, ?)")
                args += [after[0], after[1]]
            tail = (
                " FROM records r"
                + (" WHERE " + " AND ".join(clauses) if clauses else "")
                + " ORDER BY r.started_at DESC, r.id DESC LIMIT ?"
            )
            texts = None if as_json is None else self._json_page(as_json, tail, [*args, page])
            if texts is not None:
                yield from (text for _, _, text in texts)
                got, last = len(texts), texts[-1][:2] if texts else None
            else:
                sql = f"SELECT {columns}{tail}"
                with self._guard("list the records"):
                    try:
                        rows = list(self._db.query(sql, [*args, page]))
                    except sqlite3.OperationalError as exc:
                        if not _decoding(exc):
                            raise
                        rows = self._listable(sql, [*args, page])
                yield from (row for row in rows if not row.get("_damaged"))
                got, last = len(rows), (rows[-1]["started_at"], rows[-1]["id"]) if rows else None
            if got < page:
                return
            after = last
            if left is not None:
                left -= got

    def _json_page(self, as_json: str, tail: str, args: list[object]) -> list[tuple] | None:
        """A page as (started_at, id, JSON text); None when SQLite cannot write one of its
        records (the page is then read as dicts, which finds and names the damage)."""
        with self._guard("list the records"):
            try:
                rows = self._db.execute(f"SELECT r.started_at, r.id, {as_json}{tail}", args
                                        ).fetchall()
            except sqlite3.OperationalError:
                return None  # bytes that are not text; a real failure recurs as dicts
        return None if any(text is None for _, _, text in rows) else rows

    def _listable(self, sql: str, args: list[object]) -> list[dict[str, Any]]:
        """A page read leniently: a row with bytes that are not text is left out and named
        (kept in the page, marked, so paging goes on from the right place)."""
        with self._lenient():
            rows = list(self._db.query(sql, args))
        for row in rows:
            for column, value in row.items():
                problem = cell_problem("records", column, value)
                if problem:
                    self._left_out(str(row["id"]), problem)
                    row["_damaged"] = True
                    break
        return rows

    def drafts(self) -> list[dict]:
        """Open drafts, most recently touched first, with how many answers each holds."""
        with self._guard("list the drafts"):
            return list(
                self._db.query(
                    "SELECT r.id, r.questionnaire, r.questionnaire_version, r.officer, "
                    "r.location, r.language, r.started_at, r.updated_at, "
                    "(SELECT COUNT(*) FROM answers a WHERE a.record_id = r.id) AS answered "
                    "FROM records r WHERE r.status = 'draft' "
                    "ORDER BY r.updated_at DESC, r.id DESC"
                )
            )

