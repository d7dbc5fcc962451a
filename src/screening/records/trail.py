"""The audit trail: the append-only, hash-chained events (read back by :mod:`verification`).

The audit trail (``events``) is append-only and hash-chained: each event's hash covers the
previous event's hash and everything in the event. Every write appends its event in the same
transaction as the change, and events that change a record carry keyed digests (HMAC under a
per-record ``trail_key``) of what the record holds afterwards, so :meth:`Store.verify` can check
the stored records against the trail. The trail never holds an answer's value, only digests; the
per-record key is replaced when a record is finalized or erased, so earlier digests can no
longer be tested against guessed values (a name, a phone number).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from screening.records.chain import (
    GENESIS,
    event_hash,
    signed_message,
)
from screening.records.chain import _replay as _replay  # the central reader replays too
from screening.records.chain import canonical as _canonical
from screening.records.database import (
    _EVENTS_APPEND_ONLY,
    _STAMP,
    Database,
    Undecodable,
    cell_problem,
)
from screening.records.device import DeviceKey, device_key

_DIGEST_CHARS = 32  #: 128 bits of HMAC-SHA256
#: Record columns added after the trail began (schema 6): left out of a digest while NULL.
_ADDED_LATER = ("parsed_hash", "scoring_version", "scored_on")


def content_hash(questionnaire_yaml: str, indicator_set_yaml: str, extra_json: str | None) -> str:
    """The hash a content snapshot is stored under (as ``Catalogue.content_hash``): its texts
    in snapshot order, the service directories (``extra_json``) after the two."""
    from screening.content.catalogue import hash_texts

    try:
        extra = json.loads(extra_json) if extra_json else {}
    except ValueError:
        extra = {}
    texts = [str(v) for v in extra.values()] if isinstance(extra, dict) else []
    return hash_texts(questionnaire_yaml, indicator_set_yaml, *texts)


def _mac(key: str | None, value: object) -> str:
    digest = hmac.new(bytes.fromhex(key or ""), _canonical(value), hashlib.sha256)
    return digest.hexdigest()[:_DIGEST_CHARS]


def _digestible(row: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The record row as its digests cover it, and its trail key (not itself digested)."""
    row = dict(row)
    key = row.pop("trail_key", None)
    for column in _ADDED_LATER:  # unset, they leave an older record's digests as they were
        if row.get(column) is None:
            row.pop(column, None)
    return row, key


def _state(key: str | None, row: dict[str, Any], answers: list, history: list,
           notes: list) -> dict[str, str]:
    return {
        "row": _mac(key, row),
        "answers": _mac(key, [list(a) for a in answers]),
        "history": _mac(key, [list(h) for h in history]),
        "notes": _mac(key, [list(n) for n in notes]),
    }


def state_digests(
    row: dict[str, Any], answers: list, history: list, notes: list
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(state, fields, answers): keyed digests of what a record holds.

    ``state`` covers the record row, its answers, history and notes; ``fields`` each column
    of the row; ``answers`` each stored answer value. All under the record's trail key (the
    row's ``trail_key``, not itself digested). Pure, so the central database checks its copies
    the way a laptop checks its own.
    """
    row, key = _digestible(row)
    state = _state(key, row, answers, history, notes)
    fields = {column: _mac(key, value) for column, value in row.items()}
    values = {a[0]: _mac(key, a[1]) for a in answers}
    return state, fields, values


def state_and_answer_digest(
    row: dict[str, Any], answers: list, history: list, notes: list, question: str
) -> tuple[dict[str, str], str | None]:
    """The ``state`` of :func:`state_digests` and the one answer's digest (None when the
    record has no answer to ``question``): what an answer's event stores, without the digest
    of every column and answer that only a full event keeps."""
    row, key = _digestible(row)
    value = next((a[1] for a in answers if a[0] == question), _ABSENT)
    return (
        _state(key, row, answers, history, notes),
        None if value is _ABSENT else _mac(key, value),
    )


_ABSENT = object()


@dataclass
class Hot:
    """What the transaction of the last answer saved left behind: the draft's rows as its
    digests cover them, and the head of the chain.

    Saving an answer otherwise re-reads the whole record (every answer, its history and notes)
    and the chain's head to digest them, while the person waits. This is used only when
    nothing else has written to the file since: the same ``PRAGMA data_version`` (which
    changes when another connection commits) and the same ``total_changes`` of this
    connection (which changes with any other write through it), both read under the write
    lock. Anything else (another record, a changed answer, a note) takes the full path.
    """

    rid: str
    version: int
    changes: int
    row: dict[str, Any]  # the records row, trail key included
    answers: dict[str, list]  # question id -> [question_id, value_json, officer, at, seq]
    encoded: dict[str, bytes]  # question id -> canonical(that list)
    history: str  # the state digests of the history and the notes (unchanged by an answer)
    notes: str
    head: tuple[int, str]  # the last event's (id, hash)
    seq: int  # the highest seq of its answers


def _mac_bytes(key: str | None, data: bytes) -> str:
    return hmac.new(bytes.fromhex(key or ""), data, hashlib.sha256).hexdigest()[:_DIGEST_CHARS]


class Trail(Database):
    """Appending to the audit trail and checking the records against it."""

    _hot: Hot | None = None

    _undecodable: str | None = None  # set by _digests: a cell of the record that is not text

    # -- the audit trail -------------------------------------------------------------------

    def _event(
        self,
        record_id: str | None,
        kind: str,
        officer: str,
        at: str,
        detail: dict | None,
        digest: dict | None = None,
        head: tuple[int, str] | None = None,
    ) -> tuple[int, str]:
        """Append one event to the chain; call inside a write transaction (the lock orders it).

        ``head``: the (id, hash) this event follows, when the caller knows it for certain
        (see :class:`Hot`). Returns this event's (id, hash): the new head."""
        if head is not None:
            event_id, prev_hash = head[0] + 1, head[1]
        else:
            last = self._db.execute(
                "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"
            ).fetchone()
            counter = self._db.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
            ).fetchone()
            event_id = max(last[0] if last else 0, counter[0] if counter else 0) + 1
            prev_hash = (last[1] if last else None) or GENESIS
        detail_json = None if detail is None else json.dumps(detail, ensure_ascii=False)
        digest_json = None if digest is None else json.dumps(digest, sort_keys=True)
        digest_hash = event_hash(
            prev_hash, event_id, record_id, kind, officer, at, detail_json, digest_json
        )
        row = {
            "id": event_id,
            "record_id": record_id,
            "kind": kind,
            "officer": officer,
            "at": at,
            "detail_json": detail_json,
            "digest_json": digest_json,
            "prev_hash": prev_hash,
            "hash": digest_hash,
        }
        if self._signs():
            signer = self._signer()
            row["signer"] = signer.fingerprint
            row["signature"] = signer.sign(signed_message(digest_hash))
        # A plain INSERT: sqlite-utils' insert() reads the table's shape and opens a savepoint
        # for every row, and this runs once per answer while the person waits.
        self._db.execute(
            f"INSERT INTO events ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        return event_id, digest_hash

    def _signs(self) -> bool:
        """Whether events are signed here (schema 5 on; a migration before it writes unsigned
        events, as the version it stands for did)."""
        if not getattr(self, "_signing", False):
            columns = {c[1] for c in self._db.execute("PRAGMA table_info(events)")}
            self._signing = "signature" in columns
        return self._signing

    def _signer(self) -> DeviceKey:
        """This device's key, its public half recorded in the file (once per open store)."""
        key = self.__dict__.get("_device_key") or device_key()  # found once per open store
        assert key is not None  # made at first use
        self._device_key = key
        if getattr(self, "_recorded", None) != key.fingerprint:
            self._db.execute(
                "INSERT OR IGNORE INTO devices (fingerprint, public_key, first_seen) "
                "VALUES (?, ?, ?)",
                [key.fingerprint, key.public_b64, datetime.now(UTC).strftime(_STAMP)],
            )
            self._recorded = key.fingerprint
        return key

    def _start_signing(self) -> None:
        """Migration 5: from here on every event is signed. The first signed event follows
        every earlier one in the chain, so it vouches that they have not changed since."""
        self._signing = True
        now = datetime.now(UTC).strftime(_STAMP)
        self._event(
            None,
            "signing",
            "",
            now,
            {"reason": "schema 5: every event is signed from here on",
             "device": self._signer().fingerprint},
        )

    def _digests(self, rid: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """(state, fields, answers): keyed digests of what record ``rid`` holds now (see
        :func:`state_digests`). Notes in ``_undecodable`` a cell that is not text (read
        leniently by ``verify``)."""
        row, answers, history, notes = self._state_rows(rid)
        self._undecodable = next(
            (
                problem
                for table, cells in (
                    ("records", row.items()),
                    ("answers", (("value_json", a[1]) for a in answers)),
                    ("history", (("old_value_json", h[2]) for h in history)),
                    ("history", (("new_value_json", h[3]) for h in history)),
                    ("notes", (("text", n[2]) for n in notes)),
                )
                for column, value in cells
                if isinstance(value, Undecodable)
                and (problem := cell_problem(table, column, value))
            ),
            None,
        )
        return state_digests(row, answers, history, notes)

    def _state_rows(self, rid: str) -> tuple[dict[str, Any], list, list, list]:
        """The record's row (with its trail key), answers, history and notes, as the digests
        cover them (also what a push carries to the central database)."""
        row = self._row("SELECT * FROM records WHERE id = ?", [rid])
        assert row is not None
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
        if full:
            state, fields, values = self._digests(rid)
            value = values.get(answer) if answer is not None else None
        else:  # the state and the one answer: most events, one per answer saved
            state, value = state_and_answer_digest(*self._state_rows(rid), answer or "")
        digest: dict[str, Any] = {"state": state}
        if answer is not None:
            digest["question"] = answer
            if value is not None:
                digest["value"] = value
            else:
                digest["deleted"] = True
        if full:
            digest["fields"] = fields
            digest["answers"] = values
        self._event(rid, kind, officer, at, detail, digest)

    # -- answers saved back to back -------------------------------------------------------

    def _write_state(self) -> tuple[int, int]:
        """(data_version, total_changes): whether anything but this store's last answer wrote
        to the file since; read under the write lock."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        return version, self._connection().total_changes

    def _hot_for(self, rid: str, state: tuple[int, int]) -> Hot | None:
        """The cached draft ``rid`` when it is still exactly what the file holds."""
        hot, self._hot = self._hot, None
        if hot is None or hot.rid != rid or (hot.version, hot.changes) != state:
            return None
        return hot

    def _load_hot(self, rid: str, version: int) -> Hot:
        """Read draft ``rid`` and the chain's head as the digests cover them (after a write)."""
        row, answers, history, notes = self._state_rows(rid)
        last = self._db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        counter = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
        ).fetchone()
        if last is None or counter is None or counter[0] != last[0] or last[1] is None:
            raise LookupError("the chain's head is not this store's own last event")
        key = row.get("trail_key")
        return Hot(
            rid=rid,
            version=version,
            changes=self._connection().total_changes,
            row=row,
            answers={a[0]: a for a in answers},
            encoded={a[0]: _canonical(a) for a in answers},
            history=_mac(key, history),
            notes=_mac(key, notes),
            head=(last[0], last[1]),
            seq=max((a[4] for a in answers), default=0),
        )

    def _answer_on_hot(
        self, hot: Hot, question_id: str, value_json: str, officer: str, at: str
    ) -> None:
        """Save a new answer to the cached draft: the same rows, digests and event as the full
        path (``Writes._insert_answer``, ``Writes._touch``, ``_record_event``), without reading
        them back."""
        rid = hot.rid
        seq = hot.seq = hot.seq + 1  # as COALESCE(MAX(seq), 0) + 1
        self._db.execute(
            "INSERT INTO answers (record_id, question_id, value_json, officer, answered_at, seq) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [rid, question_id, value_json, officer, at, seq],
        )
        self._db.execute("UPDATE records SET updated_at = ? WHERE id = ?", [at, rid])  # _touch
        answer = [question_id, value_json, officer, at, seq]
        hot.answers[question_id] = answer
        hot.encoded[question_id] = _canonical(answer)
        hot.row["updated_at"] = at
        row, key = _digestible(hot.row)
        # canonical() of a list of lists is its items' encodings joined: each encoded once.
        joined = b"[" + b",".join(hot.encoded[q] for q in sorted(hot.encoded)) + b"]"
        state = {
            "row": _mac(key, row),
            "answers": _mac_bytes(key, joined),
            "history": hot.history,
            "notes": hot.notes,
        }
        digest = {"state": state, "question": question_id, "value": _mac(key, value_json)}
        hot.head = self._event(
            rid, "answer", officer, at, {"question": question_id}, digest, head=hot.head
        )

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
