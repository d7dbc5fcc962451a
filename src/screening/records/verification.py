"""Checking the records database against its audit trail: ``Store.verify``.

The trail itself (appending signed, hash-chained events with the digests of what a record
holds) is :mod:`screening.records.trail`; this module reads it back. It checks the chain
(hashes, links, signatures, event kinds) through the pure :class:`ChainCheck` the central
database uses too, every content snapshot against its hash, and every stored record against
the trail's last word on it, re-scoring finished records from their snapshot.
"""

from __future__ import annotations

import base64
import contextlib
import sqlite3
from collections.abc import Collection
from typing import Any

from screening.errors import StoreError
from screening.records.chain import ChainCheck, Event, Report, digest_of, fingerprint
from screening.records.database import JSON_COLUMNS, cell_problem
from screening.records.device import DeviceKey, device_key
from screening.records.rescoring import check_scores
from screening.records.trail import Trail, content_hash


class Verification(Trail):
    """``verify``: the trail, the content snapshots and the records, checked."""

    def verify(self, devices: Collection[str] = ()) -> dict[str, Any]:
        """Check the trail (hashes, links, signatures, event kinds), the content snapshots,
        then every stored record against the trail's last word on it.

        ``devices``: fingerprints of other devices whose signatures count as proof (this
        device's always do). Returns ``{"ok", "events", "records", "head", "problems",
        "notes", "signers", "device"}``; each problem is ``{"what": "event" | "record" |
        "content", "id", "problem"}`` naming what was edited, deleted, inserted, reordered or
        forged behind the tool's back. ``notes`` say what the check could not vouch for
        without it being wrong (events from before signing). Read in one snapshot.
        """
        problems: list[dict[str, Any]] = []

        def report(what: str, ident: object, text: str) -> None:
            problems.append({"what": what, "id": ident, "problem": text})

        local = device_key(create=False)
        trusted = {*devices, *([local.fingerprint] if local else [])}
        conn = self._connection()
        for found in self.integrity_problems():
            report("database", str(self.path), f"the database file {self.path} is damaged: "
                   f"{found}")
        walk, records, scoring = ChainCheck(report), 0, []
        try:
            with self._guard("verify the audit trail"), self._lenient():
                conn.execute("BEGIN")
                try:
                    walk = self._verify_chain(report, trusted, local)
                    self._verify_content(report)
                    records = self._verify_records(walk.trail, report)
                    scoring = check_scores(self._db, report)
                finally:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("COMMIT")
        except StoreError as exc:
            if not problems:  # not a damaged file: a real failure (locked, unreadable)
                raise
            report("database", str(self.path), f"the check stopped part way: {exc.message}")
        notes = []
        if walk.unsigned_before_signing:
            notes.append(
                f"{walk.unsigned_before_signing} event(s) were written before signing began "
                "(unsigned, from an older version of screening); "
                + (
                    f"signed event {walk.first_signed} follows them in the chain and vouches "
                    "that they have not changed since"
                    if walk.first_signed
                    else "no signed event follows them yet"
                )
            )
        notes += scoring
        return {
            "ok": not problems,
            "events": walk.count,
            "records": records,
            "head": walk.head,
            "problems": problems,
            "notes": notes,
            "signers": dict(sorted(walk.signers.items())),
            "device": local.fingerprint if local else None,
        }

    def _device_keys(self) -> dict[str, bytes]:
        keys = {}
        for fp, public in self._db.execute("SELECT fingerprint, public_key FROM devices"):
            with contextlib.suppress(ValueError, TypeError):
                raw = base64.b64decode(public, validate=True)
                if fingerprint(raw) == fp:  # a key filed under another's name proves nothing
                    keys[fp] = raw
        return keys

    def _verify_chain(
        self, report: Report, trusted: Collection[str], local: DeviceKey | None
    ) -> ChainCheck:
        """Walk the events in order, a page at a time, through :class:`ChainCheck`."""
        keys = self._device_keys()
        if local is not None:  # this device's key comes from outside the file
            keys[local.fingerprint] = local.raw_public
        walk = ChainCheck(report, keys=keys, trusted=trusted)
        while True:
            rows = self._db.execute(
                "SELECT id, record_id, kind, officer, at, detail_json, digest_json, prev_hash, "
                "hash, signer, signature FROM events WHERE id > ? ORDER BY id LIMIT 1000",
                [walk.last_id],
            ).fetchall()
            if not rows:
                break
            for row in rows:
                walk.add(Event(*row))
        counter = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
        ).fetchone()
        walk.finish(counter[0] if counter else None)
        return walk

    def _verify_content(self, report: Report) -> None:
        """Every content snapshot against its hash: scoring replays from these texts."""
        for stored, questionnaire_yaml, indicator_set_yaml, extra_json in self._db.execute(
            "SELECT hash, questionnaire_yaml, indicator_set_yaml, extra_json FROM content "
            "ORDER BY hash"
        ):
            if content_hash(questionnaire_yaml, indicator_set_yaml, extra_json) != stored:
                report(
                    "content",
                    stored,
                    f"the content snapshot {str(stored)[:16]} was edited behind the tool's "
                    "back: its texts no longer match its hash",
                )

    def _unparsable(self) -> dict[str, str]:
        """Record id -> the first JSON cell of it that does not parse, found in SQL."""
        found: dict[str, str] = {}
        for table, columns in JSON_COLUMNS.items():
            if table == "events":
                continue  # the chain check names an edited event
            key = "id" if table == "records" else "record_id"
            for column in columns:
                for (rid,) in self._db.execute(
                    f"SELECT {key} FROM {table} WHERE {column} IS NOT NULL "
                    f"AND NOT json_valid({column})"
                ):
                    found.setdefault(str(rid), cell_problem(table, column, "{") or column)
        return found

    def _verify_records(self, trail: dict[str, dict[str, Any]], report: Report) -> int:
        seen: set[str] = set()
        unparsable = self._unparsable()
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
                damage = unparsable.get(rid) or self._undecodable
                if damage:
                    report("record", rid, f"record {rid} cannot be read: {damage}")
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
            digest = digest_of(digest_json)
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


