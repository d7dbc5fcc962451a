"""Reading the central database with the laptop's commands: ``records list|show|export|verify``
take a ``postgresql://`` URL as ``--db``. :class:`CentralStore` answers the read methods of
:class:`screening.records.store.Store` with the same shapes, so the commands, their output and
their ``--key`` rules are the laptop's own. Listings and exports stream through a server-side
cursor; every read of identifying data is logged in the central access trail (``access``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Self

from screening.central.connection import SCHEMA, connect, guard, redact, require_schema
from screening.central.schema import GENESIS, SCHEMA_VERSION
from screening.errors import NotFound, suggest
from screening.records.listing import PROBE, filters

if TYPE_CHECKING:
    from screening.records.chain import ChainCheck

# Only what a listing needs is imported here (a listing's time is mostly start-up): the
# laptop's store, trail and outbox are imported where show, export and verify use them.

_ITERSIZE = 2000  # rows a round trip of a listing's cursor
_LIST_COLUMNS = (
    "id, status, outcome, questionnaire, level, officer, location, language, started_at, "
    "completed_at, answered, device_id, office"
)


def access_hash(prev: str, at: str, who: str, officer: str, kind: str, record: str | None,
                detail: str | None) -> str:
    """The hash ``log_access`` gives an access event (schema.py): the same fields, joined."""
    text = "\x1f".join([prev, at, who, officer, kind, record or "", detail or ""])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CentralStore:
    """The central database, read like a laptop's records database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = redact(url)  # what messages name
        self._conn = connect(url, action="open the central database")
        self._log: Any = None
        try:
            with self._guard("open the central database"):
                require_schema(self._conn, url, SCHEMA_VERSION)
                self._conn.commit()
                self._conn.read_only = True
        except BaseException:
            self.close()
            raise
        self._cursors = 0

    def _guard(self, action: str) -> Any:
        return guard(self.url, action)

    def close(self) -> None:
        for conn in (self._conn, self._log):
            if conn is not None:
                conn.close()
        self._log = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- listing ---------------------------------------------------------------------------

    def _where(self, **wanted: Any) -> tuple[str, list[object]]:
        where, params = filters(**wanted, mark="%s")
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def list_records(self, *, limit: int | None = None, **wanted: Any) -> Iterator[dict]:
        """Newest first, streamed through a server-side cursor in one snapshot."""
        where, params = self._where(**wanted)
        sql = (
            f"SELECT {_LIST_COLUMNS} FROM {SCHEMA}.records r{where} "
            "ORDER BY r.started_at DESC, r.id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._stream(sql, params)

    def record_ids(self, **wanted: Any) -> Iterator[str]:
        """The ids :meth:`list_records` would list, in its order (what an export pages)."""
        where, params = self._where(**wanted)
        sql = f"SELECT r.id FROM {SCHEMA}.records r{where} ORDER BY r.started_at DESC, r.id DESC"
        return self._column(sql, params)

    def list_json(self, keys: Sequence[str], *, limit: int | None = None,
                  **wanted: Any) -> Iterator[str | dict]:
        """:meth:`list_records` for a JSON listing: each record's ``keys`` as the JSON object
        ``json.dumps(row, ensure_ascii=False)`` writes, made by PostgreSQL (``to_json``: a
        dict a row was most of a long listing's time); the rows as dicts when the server
        escapes otherwise."""
        if not self._quotes_as_python():
            return self.list_records(limit=limit, **wanted)
        unknown = set(keys) - set(_LIST_COLUMNS.split(", "))
        if unknown:
            raise ValueError(f"not listed: {sorted(unknown)}")
        fields = " || ', ' || ".join(
            f"'\"{key}\": ' || coalesce(to_json(r.{key})::text, 'null')" for key in keys
        )
        where, params = self._where(**wanted)
        sql = (
            f"SELECT '{{' || {fields} || '}}' FROM {SCHEMA}.records r{where} "
            "ORDER BY r.started_at DESC, r.id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._column(sql, params)

    def _quotes_as_python(self) -> bool:
        """Whether the server's ``to_json`` writes text as Python's ``json`` does, byte for
        byte (PostgreSQL text holds no NUL: the probe leaves it out)."""
        probe = PROBE.replace("\x00", "")
        with self._guard("list the records"):
            row = self._conn.execute("SELECT to_json(%s::text)::text", [probe]).fetchone()
        return bool(row) and row[0] == json.dumps(probe, ensure_ascii=False)

    def _column(self, sql: str, params: list[object]) -> Iterator[str]:
        """The first column of each row, streamed through a server-side cursor."""
        self._cursors += 1
        with self._guard("list the records"), self._conn.cursor(
            name=f"screening_ids_{self._cursors}"
        ) as cur:
            cur.itersize = _ITERSIZE
            cur.execute(sql, params)
            for (value,) in cur:
                yield value

    def _stream(self, sql: str, params: list[object]) -> Iterator[dict]:
        from psycopg.rows import dict_row

        self._cursors += 1
        with self._guard("list the records"), self._conn.cursor(
            name=f"screening_list_{self._cursors}", row_factory=dict_row
        ) as cur:
            cur.itersize = _ITERSIZE
            cur.execute(sql, params)
            yield from cur

    def count_records(self, **wanted: Any) -> int:
        where, params = self._where(**wanted)
        with self._guard("count the records"):
            row = self._conn.execute(
                f"SELECT count(*) FROM {SCHEMA}.records r{where}", params
            ).fetchone()
        return int(row[0])

    def content_hashes(self, **wanted: Any) -> list[str]:
        where, params = self._where(**wanted)
        with self._guard("list the content of the records"):
            return sorted(
                h
                for (h,) in self._conn.execute(
                    f"SELECT DISTINCT r.content_hash FROM {SCHEMA}.records r{where}", params
                )
            )

    def sealing_keys(self) -> set[str]:
        with self._guard("read the sealed records"):
            return {
                k
                for (k,) in self._conn.execute(
                    f"SELECT DISTINCT sealed_for FROM {SCHEMA}.records WHERE sealed_for IS NOT NULL"
                )
            }

    def snapshot(self, content_hash: str) -> dict[str, str]:
        with self._guard("read the content snapshot"):
            row = self._conn.execute(
                f"SELECT questionnaire_yaml, indicator_set_yaml, extra_json FROM {SCHEMA}.content "
                "WHERE hash = %s",
                [content_hash],
            ).fetchone()
        if row is None:
            raise NotFound(f"No content snapshot with hash '{content_hash}' in {self.path}.")
        result = {"questionnaire": row[0], "indicator_set": row[1]}
        result.update(json.loads(row[2]) if row[2] else {})
        return result

    # -- the report's aggregates (screening.report.figures) --------------------------------

    @property
    def report_sql(self) -> Any:
        """The report's queries in PostgreSQL's dialect."""
        from screening.central import aggregates

        return aggregates

    @contextlib.contextmanager
    def consistent_read(self) -> Iterator[None]:
        """One snapshot for every query of a report (pushes may arrive meanwhile)."""
        with self._guard("read the records for the report"):
            self._conn.commit()  # end the transaction the checks before it opened
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        try:
            yield
        finally:
            with self._guard("read the records for the report"):
                self._conn.commit()

    def aggregate(self, sql: str, params: list[object]) -> list[tuple[Any, ...]]:
        with self._guard("count the records for the report"):
            return [tuple(row) for row in self._conn.execute(sql, list(params)).fetchall()]

    def questionnaires_seen(self) -> list[str]:
        from screening.central.aggregates import questionnaires_seen

        return [q for (q,) in self.aggregate(questionnaires_seen(), [])]

    def offices_seen(self) -> list[str]:
        from screening.central.aggregates import offices_seen

        return [o for (o,) in self.aggregate(offices_seen(), []) if o]

    def has_table(self, name: str) -> bool:
        """Referrals travel inside each record's body: the centre keeps them whenever the
        laptops do (schema 4 and later)."""
        return name in ("referrals", "referral_steps")

    # -- one record ------------------------------------------------------------------------

    def record(self, record_id: str) -> dict[str, Any]:
        from screening.records.database import _normalize_id

        for candidate in dict.fromkeys((record_id, _normalize_id(record_id))):
            found = self.records([candidate])
            if found:
                return found[0]
        with self._guard("read the record"):
            close = [
                rid
                for (rid,) in self._conn.execute(
                    f"SELECT id FROM {SCHEMA}.records WHERE id LIKE %s LIMIT 1000",
                    [_normalize_id(record_id)[:8] + "%"],
                )
            ]
        raise NotFound(
            f"There is no record '{record_id}' in {self.path}"
            f"{suggest(_normalize_id(record_id), close)}.",
            hint="'screening records list --db URL' shows the records.",
        )

    def records(self, record_ids: list[str]) -> list[dict[str, Any]]:
        """Records as the laptop's ``Store.record`` gives them (plus device and office).

        One query a page: PostgreSQL gathers each record's answers (in the order given) and
        its events into one JSON document each, so Python decodes a few documents per record,
        not one per answer and per event."""
        if not record_ids:
            return []
        with self._guard("read the records"):
            rows = {
                rid: (device, office, body, json.loads(answers), _load(assessment),
                      events or [])
                for rid, device, office, body, answers, assessment, events in
                self._conn.execute(_RECORDS_SQL, [list(record_ids)])
            }
        return [_assemble(*rows[rid]) for rid in record_ids if rid in rows]

    def brief_records(self, record_ids: list[str]) -> list[dict[str, Any]]:
        """:meth:`records` for a CSV export without the key (the laptop store's
        ``brief_records``): no events, the answers in no particular order, and the assessment
        cut by PostgreSQL to what a CSV row shows (``trafficking_indicated``, ``coverage``,
        each dimension's ``positive``, in its order): decoding each whole assessment (~8 KB)
        and sorting each record's answers were most of the centre's share of an export."""
        if not record_ids:
            return []
        with self._guard("read the records"):
            rows: dict[str, tuple[Any, ...]] = {
                rid: (device, office, body, json.loads(answers), _load(assessment), [])
                for rid, device, office, body, answers, assessment in
                self._conn.execute(_BRIEF_SQL, [list(record_ids)])
            }
        return [_assemble(*rows[rid]) for rid in record_ids if rid in rows]

    def csv_records(self, record_ids: list[str]) -> list[dict[str, Any]] | None:
        """:meth:`brief_records` as the laptop store's ``csv_records`` gives them, for the
        export's row builder (``csv_rows.CsvText``): each record's answers as stored, not
        decoded (``question_id + "\x1f" + value_json``, joined by PostgreSQL with a count
        that proves no value held a separator), the assessment's CSV fields decoded by
        msgspec. None when the page cannot be read so: :meth:`brief_records` reads it."""
        from screening.records.queries import _answer_parts, _brief_assessment

        if not record_ids:
            return []
        with self._guard("read the records"):
            fetched = self._conn.execute(_CSV_SQL, [list(record_ids)]).fetchall()
        rows: dict[str, tuple[Any, ...]] = {}
        try:
            for rid, device, office, body, answers_text, assessment in fetched:
                parts = _answer_parts(answers_text)
                if parts is None:
                    return None
                # '' reads as no assessment, as _BRIEF_SQL's nullif has it
                rows[rid] = (device, office, body, parts,
                             _brief_assessment(assessment) if assessment else None, [])
            return [_assemble(*rows[rid]) for rid in record_ids if rid in rows]
        except (ValueError, TypeError, KeyError):  # msgspec's, a body read otherwise
            return None

    # -- the central trail -----------------------------------------------------------------

    def log_event(
        self, record_id: str | None, kind: str, *, officer: str, at: str,
        detail: dict | None = None,
    ) -> None:
        """Append to the central access trail (committed at once; ``at`` is the server's)."""
        if self._log is None:
            self._log = connect(self.url, action="write the central access trail",
                                autocommit=True)
        with self._guard("write the central access trail"):
            self._log.execute(
                f"SELECT {SCHEMA}.log_access(%s, %s, %s, %s)",
                [officer, kind, record_id,
                 None if detail is None else json.dumps(detail, ensure_ascii=False)],
            )

    # -- verify ----------------------------------------------------------------------------

    def verify(self, devices: Collection[str] = ()) -> dict[str, Any]:
        """Each device's chain (hashes, links, and signatures by the keys the centre trusts
        for the device; ``devices``: fingerprints also accepted), every record against its
        device's trail, and the central access trail. Same shape as the laptop's
        ``Store.verify``; ``head`` is the access trail's."""
        problems: list[dict[str, Any]] = []
        notes: list[str] = []
        signers: dict[str, int] = {}

        def report(what: str, ident: object, text: str) -> None:
            problems.append({"what": what, "id": ident, "problem": text})

        with self._guard("verify the central database"):
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            names = [d for (d,) in self._conn.execute(
                f"SELECT DISTINCT device_id FROM {SCHEMA}.events ORDER BY 1")]
            events = 0
            trails: dict[str, dict[str, dict[str, Any]]] = {}
            for device in names:
                walk = self._verify_device(device, report, devices)
                events += walk.count
                trails[device] = walk.trail
                for signer, n in walk.signers.items():
                    signers[signer] = signers.get(signer, 0) + n
                if walk.unsigned_before_signing:
                    notes.append(
                        f"device {device}: {walk.unsigned_before_signing} event(s) were written "
                        "before signing began; "
                        + (f"signed event {walk.first_signed} follows them in the chain and "
                           "vouches that they have not changed since" if walk.first_signed
                           else "no signed event follows them yet")
                    )
            records = self._verify_records(trails, report)
            head = self._verify_access(report)
            self._conn.commit()
        return {
            "ok": not problems,
            "events": events,
            "records": records,
            "head": head,
            "devices": len(names),
            "problems": problems,
            "notes": notes,
            "signers": dict(sorted(signers.items())),
        }

    def _verify_device(
        self, device: str, report: Callable[[str, object, str], None],
        also: Collection[str] = (),
    ) -> ChainCheck:
        """The device's chain through the laptop's own check, with the keys the centre trusts
        for it (and those of ``also`` it has seen) as the only proof of a signature."""
        from screening.central.trust import as_event, keys_from
        from screening.records.chain import ChainCheck

        rows = self._conn.execute(
            f"SELECT fingerprint, public_key, trusted_by IS NOT NULL FROM {SCHEMA}.device_keys "
            "WHERE device_id = %s",
            [device],
        ).fetchall()
        trusted = {fp for fp, _, ok in rows if ok or fp in also}
        keys = keys_from(
            {"fingerprint": fp, "public_key": pk} for fp, pk, _ in rows if fp in trusted
        )
        walk = ChainCheck(
            lambda what, ident, text: report(what, f"{device}:{ident}", f"device {device}: {text}"),
            keys=keys, trusted=trusted,
        )
        for row in self._stream_rows(
            "SELECT id, record_id, kind, officer, at, detail_json, digest_json, prev_hash, hash, "
            f"signer, signature FROM {SCHEMA}.events WHERE device_id = %s ORDER BY id",
            [device],
        ):
            walk.add(as_event(tuple(row)))
        walk.finish()
        return walk

    def _stream_rows(self, sql: str, params: list[object]) -> Iterator[tuple]:
        self._cursors += 1
        with self._conn.cursor(name=f"screening_verify_{self._cursors}") as cur:
            cur.itersize = 2000
            cur.execute(sql, params)
            yield from cur

    def _verify_records(
        self, trails: dict[str, dict[str, dict[str, Any]]],
        report: Callable[[str, object, str], None],
    ) -> int:
        from screening.records.trail import state_digests

        count = 0
        for rid, device, body in self._stream_rows(
            f"SELECT id, device_id, body FROM {SCHEMA}.records ORDER BY id", []
        ):
            count += 1
            said = trails.get(device, {}).get(rid, {})
            if not said.get("created"):
                report("record", rid, f"record {rid} is not in the audit trail of device "
                       f"{device}: it was inserted behind the tool's back")
                continue
            if said.get("removed"):
                report("record", rid, f"record {rid} was removed according to the trail of "
                       f"device {device}, yet the central database holds it")
                continue
            state, _, _ = state_digests(
                body["row"], body["answers"], body["history"], body["notes"]
            )
            if state != said.get("state"):
                changed = [k for k in state if state[k] != (said.get("state") or {}).get(k)]
                report("record", rid, f"record {rid} does not match the trail of device "
                       f"{device} ({', '.join(changed)} differ): it was changed behind the "
                       "tool's back, or its newest state has not been pushed yet")
        return count

    def _verify_access(self, report: Callable[[str, object, str], None]) -> str:
        prev = GENESIS
        for eid, at, who, officer, kind, record, detail, prev_hash, stored in self._stream_rows(
            "SELECT id, at, db_user, officer, kind, record_id, detail, prev_hash, hash "
            f"FROM {SCHEMA}.access ORDER BY id",
            [],
        ):
            if prev_hash != prev or access_hash(
                prev_hash, at, who, officer, kind, record, detail
            ) != stored:
                report("event", f"access:{eid}", f"central access event {eid} was edited, "
                       "inserted or deleted behind the tool's back")
            prev = stored
        return prev


#: A page of records, in the fewest documents Python has to decode: the body (read from disk
#: once: ``|| '{}'`` detoasts it for the expressions after it) without its answers and its
#: assessment; its answers as one JSON object (question -> value, in the order given, by
#: ``seq`` as the laptop orders them; ``json``, not ``jsonb``, keeps each stored value's text
#: and the keys' order); the assessment's own text (decoded once, not once as a string inside
#: the body and again); and its events as one JSON array in the laptop's shape.
_RECORDS_SQL = f"""
SELECT r.id, r.device_id, r.office, (x.b #- '{{row,assessment_json}}') - 'answers',
    (SELECT coalesce(json_object_agg(a.value->>0, (a.value->>1)::json
                                     ORDER BY (a.value->>4)::numeric, a.n), '{{}}')::text
     FROM jsonb_array_elements(x.b->'answers') WITH ORDINALITY a(value, n)),
    x.b #>> '{{row,assessment_json}}',
    (SELECT json_agg(json_build_object(
                'id', e.id, 'kind', e.kind, 'officer', e.officer, 'at', e.at,
                'detail', CASE WHEN e.detail_json <> '' THEN e.detail_json::json END)
            ORDER BY e.id)
     FROM {SCHEMA}.events e WHERE e.record_id = r.id AND e.device_id = r.device_id)
FROM {SCHEMA}.records r, LATERAL (SELECT r.body || '{{}}'::jsonb AS b OFFSET 0) x
WHERE r.id = ANY(%s)"""

_BRIEF_SQL = f"""
SELECT r.id, r.device_id, r.office, (x.b #- '{{row,assessment_json}}') - 'answers',
    (SELECT coalesce(json_object_agg(a->>0, (a->>1)::json), '{{}}')::text
     FROM jsonb_array_elements(x.b->'answers') a),
    (SELECT json_build_object(
        'trafficking_indicated', j->'trafficking_indicated', 'coverage', j->'coverage',
        'dimensions', (SELECT coalesce(json_object_agg(d.key, json_build_object(
                           'positive', d.value->'positive') ORDER BY d.n), '{{}}')
                       FROM json_each(j->'dimensions') WITH ORDINALITY d(key, value, n)))::text
     FROM (SELECT nullif(x.b #>> '{{row,assessment_json}}', '')::json AS j) s
     WHERE j IS NOT NULL)
FROM {SCHEMA}.records r, LATERAL (SELECT r.body || '{{}}'::jsonb AS b OFFSET 0) x
WHERE r.id = ANY(%s)"""


#: :data:`_BRIEF_SQL` for :meth:`CentralStore.csv_records`: the answers as the laptop's
#: ``csv_records`` reads them (``count \x1d qid \x1f value (\x1e qid \x1f value)*``; a NULL
#: value drops out of string_agg, so the count disagrees and the page is read the old way)
#: and the assessment's own text.
_CSV_SQL = f"""
SELECT r.id, r.device_id, r.office, (x.b #- '{{row,assessment_json}}') - 'answers',
    (SELECT count(*) || '\x1d' || coalesce(string_agg((a->>0) || '\x1f' || (a->>1), '\x1e'),
                                             '')
     FROM jsonb_array_elements(x.b->'answers') a),
    x.b #>> '{{row,assessment_json}}'
FROM {SCHEMA}.records r, LATERAL (SELECT r.body || '{{}}'::jsonb AS b OFFSET 0) x
WHERE r.id = ANY(%s)"""


def _load(text: str | None) -> Any:
    return json.loads(text) if text else None


def _assemble(
    device: str, office: str | None, body: dict[str, Any], answers: dict[str, Any] | list[str],
    assessment: dict[str, Any] | None, events: list[dict[str, Any]],
) -> dict[str, Any]:
    """A central body in the laptop's ``Store.record`` shape (the answers and the assessment
    decoded by the caller)."""
    from screening.records.outbox import RELATED

    row = body["row"]
    history = [
        {
            "id": hid,
            "question_id": qid,
            "old_value": None if old is None else json.loads(old),
            "new_value": None if new is None else json.loads(new),
            "deleted": new is None,
            "officer": officer,
            "changed_at": changed_at,
            "reason": reason,
        }
        for hid, qid, old, new, officer, changed_at, reason in body["history"]
    ]
    notes = [
        {
            "id": nid,
            "question_id": qid,
            "text": {"sealed": True} if sealed else text,
            "officer": officer,
            "created_at": created_at,
        }
        for nid, qid, text, officer, created_at, sealed in body["notes"]
    ]
    share = row.get("consent_share")
    return {
        "id": row["id"],
        "status": row["status"],
        "outcome": row.get("outcome"),
        "questionnaire": row["questionnaire"],
        "questionnaire_version": row["questionnaire_version"],
        "content_hash": row["content_hash"],
        "officer": row["officer"],
        "location": row["location"],
        "language": row["language"],
        "started_at": row["started_at"],
        "updated_at": row["updated_at"],
        "completed_at": row.get("completed_at"),
        "level": row.get("level"),
        "assessment": assessment,
        "consent_share": None if share is None else bool(share),
        "sealed": json.loads(row["sealed_json"]) if row.get("sealed_json") else None,
        "erased_at": row.get("erased_at"),
        "answers": answers,
        "notes": notes,
        "history": history,
        "events": events,
        "device_id": device,
        "office": office,
        **{key: body[key] for key in RELATED if key in body},
        **({"referrals": [_referral(r) for r in body["referrals"]]} if "referrals" in body
           else {}),
    }


def _referral(row: dict[str, Any]) -> dict[str, Any]:
    """A pushed referral row in the laptop's ``Store.record`` shape (what exports read)."""
    service = json.loads(row["service_json"]) if row.get("service_json") else {}
    return {
        "id": row["id"],
        "service": row["service_id"],
        "service_name": service.get("name"),
        "status": row["status"],
        "outcome": row.get("outcome"),
        "consent": row.get("consent"),
        "information_only": bool(row.get("information_only")),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "closed_at": row.get("closed_at"),
    }
