"""The audit trail: the append-only, hash-chained events and their verification.

The audit trail (``events``) is append-only and hash-chained: each event's hash covers the
previous event's hash and everything in the event. Every write appends its event in the same
transaction as the change, and events that change a record carry keyed digests (HMAC under a
per-record ``trail_key``) of what the record holds afterwards, so :meth:`Store.verify` can check
the stored records against the trail. The trail never holds an answer's value, only digests; the
per-record key is replaced when a record is finalized or erased, so earlier digests can no
longer be tested against guessed values (a name, a phone number).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from screening.records.database import _EVENTS_APPEND_ONLY, _STAMP, Database

GENESIS = "0" * 64  #: the previous hash of the first event
_DIGEST_CHARS = 32  #: 128 bits of HMAC-SHA256


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(
    prev_hash: str | None,
    event_id: int,
    record_id: str | None,
    kind: str,
    officer: str,
    at: str,
    detail_json: str | None,
    digest_json: str | None,
) -> str:
    """The hash of one event: it covers the previous event's hash and every column."""
    fields = [prev_hash, event_id, record_id, kind, officer, at, detail_json, digest_json]
    return hashlib.sha256(_canonical(fields)).hexdigest()


def _mac(key: str | None, value: object) -> str:
    digest = hmac.new(bytes.fromhex(key or ""), _canonical(value), hashlib.sha256)
    return digest.hexdigest()[:_DIGEST_CHARS]


def state_digests(
    row: dict[str, Any], answers: list, history: list, notes: list
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(state, fields, answers): keyed digests of what a record holds.

    ``state`` covers the record row, its answers, history and notes; ``fields`` each column
    of the row; ``answers`` each stored answer value. All under the record's trail key (the
    row's ``trail_key``, not itself digested). Pure, so the central database checks its copies
    the way a laptop checks its own.
    """
    row = dict(row)
    key = row.pop("trail_key", None)
    state = {
        "row": _mac(key, row),
        "answers": _mac(key, [list(a) for a in answers]),
        "history": _mac(key, [list(h) for h in history]),
        "notes": _mac(key, [list(n) for n in notes]),
    }
    fields = {column: _mac(key, value) for column, value in row.items()}
    values = {a[0]: _mac(key, a[1]) for a in answers}
    return state, fields, values


class Trail(Database):
    """Appending to the audit trail and checking the records against it."""

    # -- the audit trail -------------------------------------------------------------------

    def _event(
        self,
        record_id: str | None,
        kind: str,
        officer: str,
        at: str,
        detail: dict | None,
        digest: dict | None = None,
    ) -> None:
        """Append one event to the chain; call inside a write transaction (the lock orders it)."""
        last = self._db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        counter = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
        ).fetchone()
        event_id = max(last[0] if last else 0, counter[0] if counter else 0) + 1
        prev_hash = (last[1] if last else None) or GENESIS
        detail_json = None if detail is None else json.dumps(detail, ensure_ascii=False)
        digest_json = None if digest is None else json.dumps(digest, sort_keys=True)
        self._db.table("events").insert(
            {
                "id": event_id,
                "record_id": record_id,
                "kind": kind,
                "officer": officer,
                "at": at,
                "detail_json": detail_json,
                "digest_json": digest_json,
                "prev_hash": prev_hash,
                "hash": event_hash(
                    prev_hash, event_id, record_id, kind, officer, at, detail_json, digest_json
                ),
            }
        )

    def _digests(self, rid: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """(state, fields, answers): keyed digests of what record ``rid`` holds now (see
        :func:`state_digests`)."""
        return state_digests(*self._state_rows(rid))

    def _state_rows(self, rid: str) -> tuple[dict[str, Any], list, list, list]:
        """The record's row (with its trail key), answers, history and notes, as the digests
        cover them (also what a push carries to the central database)."""
        row = next(self._db.query("SELECT * FROM records WHERE id = ?", [rid]))
        answers = self._db.execute(
            "SELECT question_id, value_json, officer, answered_at, seq FROM answers "
            "WHERE record_id = ? ORDER BY question_id",
            [rid],
        ).fetchall()
        history = self._db.execute(
            "SELECT id, question_id, old_value_json, new_value_json, officer, changed_at, reason "
            "FROM history WHERE record_id = ? ORDER BY id",
            [rid],
        ).fetchall()
        notes = self._db.execute(
            "SELECT id, question_id, text, officer, created_at, sealed FROM notes "
            "WHERE record_id = ? ORDER BY id",
            [rid],
        ).fetchall()
        return row, [list(a) for a in answers], [list(h) for h in history], [list(n) for n in notes]

    def _record_event(
        self,
        rid: str,
        kind: str,
        officer: str,
        at: str,
        detail: dict | None,
        *,
        answer: str | None = None,
        full: bool = False,
    ) -> None:
        """An event that changed record ``rid``, with digests of what the record now holds."""
        state, fields, values = self._digests(rid)
        digest: dict[str, Any] = {"state": state}
        if answer is not None:
            digest["question"] = answer
            if answer in values:
                digest["value"] = values[answer]
            else:
                digest["deleted"] = True
        if full:
            digest["fields"] = fields
            digest["answers"] = values
        self._event(rid, kind, officer, at, detail, digest)

    def _chain_existing(self) -> None:
        """Migration 2: chain the events written before the chain existed, give every record a
        trail key and a ``baseline`` event: the trail vouches for them from here on."""
        self._db.execute("DROP TRIGGER events_append_only")
        prev = GENESIS
        rows = self._db.execute(
            "SELECT id, record_id, kind, officer, at, detail_json FROM events ORDER BY id"
        ).fetchall()
        for event_id, record_id, kind, officer, at, detail_json in rows:
            digest = event_hash(prev, event_id, record_id, kind, officer, at, detail_json, None)
            self._db.execute(
                "UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, event_id]
            )
            prev = digest
        self._db.execute(_EVENTS_APPEND_ONLY)
        now = datetime.now(UTC).strftime(_STAMP)
        for (rid,) in self._db.execute("SELECT id FROM records ORDER BY id").fetchall():
            self._db.execute(
                "UPDATE records SET trail_key = ? WHERE id = ?", [secrets.token_hex(32), rid]
            )
            self._record_event(
                rid, "baseline", "", now, {"reason": "schema 2: the trail starts here"}, full=True
            )

    def log_event(
        self,
        record_id: str | None,
        kind: str,
        *,
        officer: str,
        at: str,
        detail: dict | None = None,
    ) -> None:
        """Append to the audit trail (``record_id`` may be None or a purged record's id).

        ``detail`` must never hold an answer's value: the trail outlives erasure.
        """
        with self._write("write the audit trail"):
            if record_id is not None:
                record_id = self._canonical_id(record_id)
            self._event(record_id, kind, officer, at, detail)

    # -- verification ----------------------------------------------------------------------

    def verify(self) -> dict[str, Any]:
        """Check the hash chain of the trail, then every stored record against the trail.

        Returns ``{"ok", "events", "records", "head", "problems"}``; each problem is
        ``{"what": "event" | "record", "id", "problem"}`` naming what was edited, deleted,
        inserted or reordered behind the tool's back. Read in one snapshot.
        """
        problems: list[dict[str, Any]] = []

        def report(what: str, ident: object, text: str) -> None:
            problems.append({"what": what, "id": ident, "problem": text})

        conn = self._connection()
        with self._guard("verify the audit trail"):
            conn.execute("BEGIN")
            try:
                count, head, trail = self._verify_chain(report)
                records = self._verify_records(trail, report)
            finally:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("COMMIT")
        return {
            "ok": not problems,
            "events": count,
            "records": records,
            "head": head,
            "problems": problems,
        }

    def _verify_chain(
        self, report: Callable[[str, object, str], None]
    ) -> tuple[int, str, dict[str, dict[str, Any]]]:
        """Walk the events in order: hashes, links, gaps. Returns (count, head hash, what the
        trail says of each record: created, removed, last state digest)."""
        trail: dict[str, dict[str, Any]] = {}
        broken: dict[int, tuple] = {}
        last_id, last_hash, count = 0, GENESIS, 0
        while True:
            rows = self._db.execute(
                "SELECT id, record_id, kind, officer, at, detail_json, digest_json, prev_hash, "
                "hash FROM events WHERE id > ? ORDER BY id LIMIT 1000",
                [last_id],
            ).fetchall()
            if not rows:
                break
            for row in rows:
                event_id, record_id, kind, _, _, _, digest_json, prev_hash, stored = row
                count += 1
                intact = event_hash(prev_hash, *row[:7]) == stored
                if not intact:
                    broken[event_id] = row
                if event_id != last_id + 1:
                    report("event", last_id + 1, _deleted(last_id, event_id))
                elif intact and prev_hash != last_hash:
                    report(
                        "event",
                        event_id,
                        f"event {event_id} does not follow event {last_id} in the chain: an "
                        "event was inserted or the order was changed",
                    )
                last_id, last_hash = event_id, stored or ""
                if record_id is not None:
                    _replay(trail.setdefault(record_id, {}), kind, digest_json)
        counter = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
        ).fetchone()
        if counter and counter[0] > last_id:
            first, end = last_id + 1, counter[0]
            span = f"{first}" if first == end else f"{first} to {end}"
            report("event", first, f"event(s) {span} were deleted (the newest events)")
        swapped: set[int] = set()
        ids = sorted(broken)[:200]
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                if a in swapped or b in swapped:
                    continue
                if _belongs_at(broken[a], broken[b]) and _belongs_at(broken[b], broken[a]):
                    swapped |= {a, b}
                    report(
                        "event",
                        a,
                        f"events {a} and {b} were swapped (reordered): each holds what belongs "
                        "at the other's place",
                    )
        for event_id, row in sorted(broken.items()):
            if event_id not in swapped:
                about = f", record {row[1]}" if row[1] else ""
                report(
                    "event",
                    event_id,
                    f"event {event_id} ({row[2]}{about}) was edited, or inserted behind the "
                    "tool's back: it does not match its hash",
                )
        return count, last_hash, trail

    def _verify_records(
        self, trail: dict[str, dict[str, Any]], report: Callable[[str, object, str], None]
    ) -> int:
        seen: set[str] = set()
        after = ""
        while True:
            ids = [
                rid
                for (rid,) in self._db.execute(
                    "SELECT id FROM records WHERE id > ? ORDER BY id LIMIT 500", [after]
                )
            ]
            if not ids:
                break
            after = ids[-1]
            for rid in ids:
                seen.add(rid)
                said = trail.get(rid, {})
                if not said.get("created"):
                    report(
                        "record",
                        rid,
                        f"record {rid} is not in the audit trail: it was inserted behind the "
                        "tool's back",
                    )
                    continue
                if said.get("removed"):
                    report(
                        "record",
                        rid,
                        f"record {rid} was removed according to the audit trail, yet it is "
                        "in the database: it was put back behind the tool's back",
                    )
                    continue
                changes = self._record_changes(rid, said.get("state") or {})
                if changes:
                    report(
                        "record",
                        rid,
                        f"record {rid} was changed behind the tool's back: " + "; ".join(changes),
                    )
        for rid, said in sorted(trail.items()):
            if said.get("created") and not said.get("removed") and rid not in seen:
                report(
                    "record",
                    rid,
                    f"record {rid} was deleted behind the tool's back: the audit trail has it, "
                    "the database does not",
                )
        return len(seen)

    def _record_changes(self, rid: str, expected: dict[str, str]) -> list[str]:
        """What differs between record ``rid`` and the trail's last word on it, named."""
        state, fields, values = self._digests(rid)
        if state == expected:
            return []
        known_fields, known_values = self._trail_details(rid)
        changes: list[str] = []
        if state.get("row") != expected.get("row"):
            edited = [
                f for f, d in fields.items() if f != "updated_at" and known_fields.get(f) != d
            ]
            changes.append(f"its details were edited ({', '.join(edited or ['updated_at'])})")
        if state.get("answers") != expected.get("answers"):
            named = []
            for qid in sorted(set(values) | set(known_values)):
                if qid not in values:
                    named.append(f"the answer to '{qid}' was deleted")
                elif qid not in known_values:
                    named.append(f"an answer to '{qid}' was added")
                elif values[qid] != known_values[qid]:
                    named.append(f"the answer to '{qid}' was edited")
            changes += named or ["its answers were edited (their order, officer or time)"]
        if state.get("history") != expected.get("history"):
            changes.append("its change history was edited")
        if state.get("notes") != expected.get("notes"):
            changes.append("its notes were edited")
        return changes

    def _trail_details(self, rid: str) -> tuple[dict[str, str], dict[str, str]]:
        """Replay the record's events: the last digests of its columns and of each answer."""
        fields: dict[str, str] = {}
        values: dict[str, Any] = {}
        for (digest_json,) in self._db.execute(
            "SELECT digest_json FROM events WHERE record_id = ? ORDER BY id", [rid]
        ):
            digest = _digest(digest_json)
            if "fields" in digest:
                fields = dict(digest["fields"])
            if "answers" in digest:
                values = dict(digest["answers"])
            elif "question" in digest:
                if digest.get("deleted"):
                    values.pop(digest["question"], None)
                else:
                    values[digest["question"]] = digest.get("value")
        return fields, values


def _digest(digest_json: str | None) -> dict[str, Any]:
    try:
        digest = json.loads(digest_json) if digest_json else {}
    except ValueError:
        return {}
    return digest if isinstance(digest, dict) else {}


def _replay(said: dict[str, Any], kind: str, digest_json: str | None) -> None:
    digest = _digest(digest_json)
    if kind in ("create", "baseline"):
        said["created"] = True
        said["removed"] = False
    if digest.get("removed"):
        said["removed"] = True
    if "state" in digest:
        said["state"] = digest["state"]


def _deleted(last_id: int, event_id: int) -> str:
    first, end = last_id + 1, event_id - 1
    if end < first:
        return f"event {event_id} is out of order: it comes after event {last_id}"
    span = f"{first}" if first == end else f"{first} to {end}"
    return f"event(s) {span} were deleted (the trail jumps from event {last_id} to {event_id})"


def _belongs_at(row: tuple, place: tuple) -> bool:
    """Whether the contents of ``row`` are the event that was written at ``place``: either the
    contents moved (id, links and hash stayed) or the whole row moved (only the id stayed)."""
    content = row[1:7]
    return event_hash(place[7], place[0], *content) == place[8] or (
        event_hash(row[7], place[0], *content) == row[8]
    )
