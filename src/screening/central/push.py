"""Pushing to the central database, from a laptop (``sync push``) or a bundle
(``central import``), by the same rules.

Idempotent and resumable by construction: nothing is marked on the laptop; each push asks the
centre what it holds for this device (the head of its event chain, the version of each record)
and sends only the rest, one transaction per batch. A push killed at any moment loses at most
its open batch, which the next push sends again; a record or event already there is never
sent twice. Events go first (the chain and each signature are checked as they arrive, against
the keys the centre trusts for the device: trust.py), then the finished records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from screening.central.connection import SCHEMA, connect, describe, driver, guard, require_schema
from screening.central.schema import SCHEMA_VERSION
from screening.central.trust import (
    TrustRefused,
    key_refused,
    keys_from,
    login_refused,
    segment_problem,
    untrusted_signer,
)
from screening.errors import ScreeningError
from screening.records.outbox import version
from screening.records.trail import GENESIS

#: (phase, done, total): phase is "events" or "records".
Progress = Callable[[str, int, int], None]

EVENT_BATCH = 2000
RECORD_BATCH = 200


class Source(Protocol):
    """What is pushed: a laptop's database or a bundle, the same content."""

    device_id: str
    office: str | None
    columns: tuple[str, ...]  #: the event columns, ``EVENT_COLUMNS`` and maybe the signature
    #: the key that signed the source as a whole (a bundle's trailer), checked by ``check``
    signed_by: dict[str, str] | None

    def device_keys(self) -> list[dict[str, Any]]: ...

    def event(self, event_id: int) -> tuple | None: ...

    def events_after(self, after: int) -> Iterator[tuple]: ...

    def event_count(self) -> int: ...

    def records(self) -> Iterator[dict[str, Any]]: ...

    def record_count(self) -> int: ...

    def content(self) -> list[dict[str, Any]]: ...


class ChainRefused(ScreeningError):
    """The device's trail does not continue what the centre holds, or is broken."""


@dataclass
class Summary:
    events: int = 0
    added: int = 0
    updated: int = 0
    same: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "added": self.added,
            "updated": self.updated,
            "already_there": self.same,
            "refused": self.refused,
        }


def push(
    source: Source, url: str, *, via: str, progress: Progress | None = None,
    record_batch: int = RECORD_BATCH, event_batch: int = EVENT_BATCH,
) -> Summary:
    """Send what the centre lacks; returns the summary. Raises ChainRefused (nothing more is
    sent) when the device's trail does not continue what the centre holds, TrustRefused when
    this login may not push the device or its events or bundle are signed by a key the
    centre does not trust for it (trust.py)."""
    psycopg = driver()
    conn = connect(url, action="push to the central database")
    summary = Summary()
    login = "?"
    try:
        with guard(url, "push to the central database"):
            try:
                require_schema(conn, url, SCHEMA_VERSION)
                login = str(conn.execute("SELECT session_user").fetchone()[0])
                conn.commit()
                keys = _admit(conn, source)
                _push_content(conn, source)
                _push_events(conn, source, summary, progress, event_batch, keys)
                _push_records(conn, source, summary, progress, record_batch)
                with conn.transaction():
                    conn.execute(
                        f"INSERT INTO {SCHEMA}.pushes (device_id, office, via, events, added, "
                        "updated, same, refused, detail) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        [
                            source.device_id, source.office, via, summary.events, summary.added,
                            summary.updated, summary.same, len(summary.refused),
                            json.dumps({"refused": summary.refused[:100]}),
                        ],
                    )
            except psycopg.errors.RaiseException as exc:
                # The centre's own checks (schema.py): what slipped past ours, another login.
                raise _refusal(exc, source, url, login) from None
    finally:
        conn.close()
    return summary


def _refusal(exc: Any, source: Source, url: str, login: str) -> ScreeningError:
    hint = getattr(exc.diag, "message_hint", None)
    if hint == "login":
        return TrustRefused(login_refused(source.device_id, login))
    if hint == "key":  # the key changed at the centre between our check and the insert
        return TrustRefused(
            f"The central database refused this push: {exc.diag.message_primary}. Nothing more "
            "was sent. If this laptop's key was replaced, check 'screening keys device' on it, "
            f"then the administrator approves it: screening central trust URL "
            f"{source.device_id} --key FINGERPRINT."
        )
    return ChainRefused(_refused_chain(source, describe(exc, url, "push").message))


def _refused_chain(source: Source, why: str) -> str:
    return (
        f"The audit trail of device {source.device_id} does not continue what the central "
        f"database holds for it ({why}): its log was rewritten or damaged. Nothing more was "
        "sent. Run 'screening records verify' on this laptop and tell the supervisor."
    )


def _push_content(conn: Any, source: Source) -> None:
    rows = source.content()
    if not rows:
        return
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {SCHEMA}.content (hash, questionnaire_id, questionnaire_yaml, "
            "indicator_set_yaml, extra_json, created_at) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (hash) DO NOTHING",
            [
                [r["hash"], r["questionnaire_id"], r["questionnaire_yaml"],
                 r["indicator_set_yaml"], r["extra_json"], r["created_at"]]
                for r in rows
            ],
        )


def _admit(conn: Any, source: Source) -> dict[str, bytes]:
    """Bind the device on first contact (this login, the keys it brings); the keys the centre
    trusts for it. A bundle signed by another key than those is refused here, whole."""
    offered = [
        {"fingerprint": r["fingerprint"], "public_key": r["public_key"],
         "first_seen": r.get("first_seen")}
        for r in [*source.device_keys(), *([source.signed_by] if source.signed_by else [])]
    ]
    with conn.transaction():
        trusted = conn.execute(
            f"SELECT {SCHEMA}.admit_device(%s, %s::jsonb)",
            [source.device_id, json.dumps(offered)],
        ).fetchone()[0]
    keys = keys_from(trusted)
    signed_by = source.signed_by
    if signed_by is not None and signed_by["fingerprint"] not in keys:
        raise TrustRefused(
            key_refused(source.device_id, signed_by["fingerprint"], keys, "This bundle")
            .replace("Nothing was sent", "It was re-signed by another key or forged; nothing "
                     "was imported")
        )
    return keys


def _head(conn: Any, device: str) -> tuple[int, str, bool]:
    """The centre's last event of ``device``: (id, hash, whether it is signed)."""
    row = conn.execute(
        f"SELECT id, hash, signer IS NOT NULL FROM {SCHEMA}.events WHERE device_id = %s "
        "ORDER BY id DESC LIMIT 1",
        [device],
    ).fetchone()
    return (0, GENESIS, False) if row is None else (int(row[0]), str(row[1]), bool(row[2]))


def _push_events(
    conn: Any, source: Source, summary: Summary, progress: Progress | None, batch: int,
    keys: dict[str, bytes],
) -> None:
    device = source.device_id
    total = source.event_count()
    columns = ", ".join(("device_id", *source.columns))
    copy_sql = f"COPY {SCHEMA}.events ({columns}) FROM STDIN"
    expected: int | None = None  # the head after our last batch
    stream: Iterator[tuple] = iter(())
    while True:
        with conn.transaction():
            # One push per device at a time: a second waits, then starts from the new head.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"push:{device}"])
            head_id, head_hash, head_signed = _head(conn, device)
            if progress:
                progress("events", head_id, total)
            if head_id != expected:
                if head_id:
                    mine = source.event(head_id)
                    if mine is None or mine[8] != head_hash:
                        raise ChainRefused(
                            _refused_chain(
                                source,
                                f"the centre holds event {head_id} with another content than "
                                "this device's",
                            )
                        )
                stream = source.events_after(head_id)  # (re)start where the centre stands
            rows = []
            for row in stream:
                rows.append(row)
                if len(rows) >= batch:
                    break
            if not rows:
                return
            stranger = untrusted_signer(rows, keys)
            if stranger is not None:
                raise TrustRefused(
                    key_refused(device, stranger[1], keys, f"Event {stranger[0]} of this laptop")
                )
            problem = segment_problem(rows, head_id, head_hash, keys, signed_before=head_signed)
            if problem:
                raise ChainRefused(_refused_chain(source, problem))
            with conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row((device, *row))
        summary.events += len(rows)
        expected = rows[-1][0]


def _push_records(
    conn: Any, source: Source, summary: Summary, progress: Progress | None, batch: int
) -> None:
    device = source.device_id
    with conn.transaction():
        held = dict(
            conn.execute(
                f"SELECT id, version FROM {SCHEMA}.records WHERE device_id = %s", [device]
            ).fetchall()
        )
    total = source.record_count()
    pending: list[tuple[str, dict[str, Any]]] = []

    def flush() -> None:
        if not pending:
            return
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(
                f"SELECT x.ord, {SCHEMA}.put_record(%s, %s, x.version, x.body) "
                "FROM jsonb_to_recordset(%s::jsonb) AS x(ord int, version text, body jsonb) "
                "ORDER BY x.ord",
                [
                    device,
                    source.office,
                    json.dumps(
                        [{"ord": n, "version": v, "body": b} for n, (v, b) in enumerate(pending)],
                        ensure_ascii=False,
                    ),
                ],
            )
            outcomes = cur.fetchall()
        for (n, outcome) in outcomes:
            rid = pending[n][1]["row"]["id"]
            if outcome == "added":
                summary.added += 1
            elif outcome == "updated":
                summary.updated += 1
            elif outcome == "same":
                summary.same += 1
            elif outcome == "collision":
                summary.refused.append(
                    {"id": rid, "reason": "another device holds a record with this id"}
                )
            elif outcome == "unvouched":
                summary.refused.append(
                    {"id": rid, "reason": "this state of the record is not in the device's "
                     "audit trail at the centre: run 'screening records verify' on the laptop"}
                )
            else:
                summary.refused.append(
                    {"id": rid, "reason": "the centre holds a newer state of this record"}
                )
        pending.clear()

    for done, body in enumerate(source.records(), start=1):
        rid = body["row"]["id"]
        v = version(body)
        if held.get(rid) == v:
            summary.same += 1
        else:
            pending.append((v, body))
            if len(pending) >= batch:
                flush()
        if progress and (done % 50 == 0 or done == total):
            progress("records", done, total)
    flush()
    if progress:
        progress("records", total, total)
