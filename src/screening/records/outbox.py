"""What a laptop sends to the central database, read from its records database: finished
records as the trail digests them (the sealed envelope as it is), the audit events in order,
and the content snapshots the records began with. Nothing here writes: a push leaves no mark
on the laptop, so a push killed at any moment has nothing to undo.

A record's ``body`` is ``{"row", "answers", "history", "notes", "event"}``: the record row
(trail key included, so the centre can check its copy against the trail), the rows the
record's state digests cover, and the id of the last event that changed it (a newer state
never loses to an older one). Tables added later (referrals) join as one more key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from screening.records.store import Store
from screening.records.trail import _canonical

_PAGE = 200
EVENT_COLUMNS = (
    "id",
    "record_id",
    "kind",
    "officer",
    "at",
    "detail_json",
    "digest_json",
    "prev_hash",
    "hash",
)


#: Tables that belong to a record, sent inside its body when this database has them: the key in
#: the body -> a query with the record id as its one parameter. Adding a table is one line.
RELATED = {
    "referrals": "SELECT * FROM referrals WHERE record_id = ? ORDER BY created_at, id",
    "referral_steps": "SELECT s.* FROM referral_steps s JOIN referrals r "
    "ON r.id = s.referral_id WHERE r.record_id = ? ORDER BY s.id",
}


def _related(store: Store) -> dict[str, str]:
    tables = {
        name
        for (name,) in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    return {key: sql for key, sql in RELATED.items() if key in tables}


#: Event columns a laptop may have beyond ``EVENT_COLUMNS`` (issue 11: each event signed by the
#: device's key); sent when present, after the others.
SIGNED_COLUMNS = ("signer", "signature")


def event_columns(store: Store) -> tuple[str, ...]:
    """The event columns this database has, in the order they are sent."""
    with store._guard("read the audit trail"):
        have = {row[1] for row in store._db.execute("PRAGMA table_info(events)")}
    return EVENT_COLUMNS + tuple(c for c in SIGNED_COLUMNS if c in have)


def device_keys(store: Store) -> list[dict[str, Any]]:
    """The public keys of the devices that signed this database's events (issue 11), if any."""
    with store._guard("read the device keys"):
        tables = {n for (n,) in store._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "devices" not in tables:
            return []
        return list(store._db.query(
            "SELECT fingerprint, public_key, first_seen FROM devices ORDER BY fingerprint"))


def version(body: dict[str, Any]) -> str:
    """The hash that tells whether the centre already holds this state of a record."""
    return hashlib.sha256(_canonical(body)).hexdigest()


def finished_count(store: Store) -> int:
    with store._guard("count the finished records"):
        return int(
            store._db.execute("SELECT count(*) FROM records WHERE status = 'completed'").fetchone()[
                0
            ]
        )


def finished(store: Store, page: int = _PAGE) -> Iterator[dict[str, Any]]:
    """Every finished record's body, oldest first; drafts are never sent."""
    after = ("", "")
    with store._guard("read the finished records"):
        related = _related(store)
    while True:
        with store._guard("read the finished records"):
            ids = store._db.execute(
                "SELECT started_at, id FROM records WHERE status = 'completed' "
                "AND (started_at, id) > (?, ?) ORDER BY started_at, id LIMIT ?",
                [after[0], after[1], page],
            ).fetchall()
            if not ids:
                return
            bodies = []
            for _, rid in ids:
                row, answers, history, notes = store._state_rows(rid)
                last = store._db.execute(
                    "SELECT max(id) FROM events WHERE record_id = ? AND digest_json IS NOT NULL",
                    [rid],
                ).fetchone()[0]
                body = {
                    "row": row,
                    "answers": answers,
                    "history": history,
                    "notes": notes,
                    "event": last or 0,
                }
                for key, sql in related.items():
                    body[key] = list(store._db.query(sql, [rid]))
                bodies.append(body)
        yield from bodies
        after = (ids[-1][0], ids[-1][1])


def events_after(store: Store, after: int, page: int = 2000) -> Iterator[tuple]:
    """The audit events after event ``after``, in order, as tuples of :func:`event_columns`."""
    columns = ", ".join(event_columns(store))
    while True:
        with store._guard("read the audit trail"):
            rows = store._db.execute(
                f"SELECT {columns} FROM events WHERE id > ? ORDER BY id LIMIT ?", [after, page]
            ).fetchall()
        if not rows:
            return
        yield from (tuple(r) for r in rows)
        after = rows[-1][0]


def event(store: Store, event_id: int) -> tuple | None:
    with store._guard("read the audit trail"):
        row = store._db.execute(
            f"SELECT {', '.join(event_columns(store))} FROM events WHERE id = ?", [event_id]
        ).fetchone()
    return None if row is None else tuple(row)


def event_count(store: Store) -> int:
    with store._guard("read the audit trail"):
        return int(store._db.execute("SELECT count(*) FROM events").fetchone()[0])


def content(store: Store) -> list[dict[str, Any]]:
    """The content snapshots of the finished records (a handful)."""
    with store._guard("read the content snapshots"):
        return list(
            store._db.query(
                "SELECT hash, questionnaire_id, questionnaire_yaml, indicator_set_yaml, "
                "extra_json, created_at FROM content WHERE hash IN "
                "(SELECT DISTINCT content_hash FROM records WHERE status = 'completed') "
                "ORDER BY hash"
            )
        )
