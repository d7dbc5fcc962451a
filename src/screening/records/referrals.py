"""Referral records: whom a person was referred to, with what consent, and each status since.

A referral belongs to a completed record. Its creation and every status change are written in
one transaction with an audit event on that record carrying a keyed digest (HMAC under the
referral's own trail key, replaced when its words are erased) of the referral row and its
status trail, so ``verify`` names a referral edited, inserted or deleted behind the tool's
back. The record's own digests do not cover referrals, so a record's state (and the central
copy of it) is the same with or without them. The referral's own words (the reason, the
notes) are erased with the record; the anonymous status trail stays.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Collection
from datetime import datetime
from typing import Any

from screening.errors import NotFound, suggest
from screening.records.database import _load
from screening.records.queries import _bound
from screening.records.trail import _mac
from screening.records.verification import Verification
from screening.records.writes import CROCKFORD
from screening.referrals.lifecycle import (
    INFORMATION_GIVEN,
    ConsentDecision,
    ReferralRefused,
    check_transition,
    is_due,
)

_ID = re.compile(r"R-?([0-9A-Z]{6})")
_CROCKFORD_READ = str.maketrans({"I": "1", "L": "1", "O": "0"})

def normalize_referral_id(text: str) -> str:
    """What an officer meant: case, a missing dash, Crockford look-alikes (O/0, I/L/1)."""
    typed = text.strip().upper()
    match = _ID.fullmatch(typed)
    return f"R-{match[1].translate(_CROCKFORD_READ)}" if match else typed


#: The audit events that carry a referral's digest.
REFERRAL_EVENTS = ("referral", "referral_status", "referral_erased")


def referral_digest(db: Any, referral_id: str) -> str:
    """A keyed digest of one referral row (all but its key) and its status trail."""
    row = next(db.query("SELECT * FROM referrals WHERE id = ?", [referral_id]))
    key = row.pop("trail_key", None)
    steps = db.execute(
        "SELECT id, status, outcome, note, officer, at FROM referral_steps "
        "WHERE referral_id = ? ORDER BY id",
        [referral_id],
    ).fetchall()
    return _mac(key, [row, [list(step) for step in steps]])


class Referrals(Verification):
    """Adding referrals, moving them on, reading and listing them."""

    def add_referral(
        self,
        record_id: str,
        *,
        service: dict[str, Any],
        decision: ConsentDecision,
        reason: str | None,
        officer: str,
        at: str,
    ) -> dict[str, Any]:
        """Record a referral of a completed record to ``service`` (``{"id", "name", "kind",
        "contact"}`` as the directory had it), with the consent decided for it.

        Without consent it is recorded closed at once as information given only.
        """
        with self._write("record the referral"):
            row = self._require(record_id)
            rid = row["id"]
            if row["status"] == "draft":
                raise ReferralRefused(
                    f"Record {rid} is still a draft: finish the interview (screening interview "
                    f"resume {rid}) before referring the person."
                )
            if row["erased_at"]:
                raise ReferralRefused(
                    f"Record {rid} was erased on {row['erased_at'][:10]}: nothing about the "
                    "person is left to refer. Start a new interview if they come back."
                )
            while True:
                referral_id = "R-" + "".join(secrets.choice(CROCKFORD) for _ in range(6))
                taken = self._db.execute("SELECT 1 FROM referrals WHERE id = ?", [referral_id])
                if taken.fetchone() is None:
                    break
            status = "closed" if decision.information_only else "proposed"
            outcome = INFORMATION_GIVEN if decision.information_only else None
            self._db.table("referrals").insert(
                {
                    "id": referral_id,
                    "record_id": rid,
                    "service_id": service["id"],
                    "service_json": json.dumps(service, ensure_ascii=False),
                    "status": status,
                    "outcome": outcome,
                    "consent": decision.consent,
                    "consent_by": decision.given_by,
                    "override_reason": decision.override_reason,
                    "information_only": int(decision.information_only),
                    "reason": (reason or "").strip() or None,
                    "officer": officer,
                    "created_at": at,
                    "updated_at": at,
                    "closed_at": at if status == "closed" else None,
                    "trail_key": secrets.token_hex(32),
                }
            )
            self._step(referral_id, status, outcome, None, officer, at)
            detail: dict[str, Any] = {
                "referral": referral_id,
                "service": service["id"],
                "status": status,
                "consent": decision.consent,
                "consent_by": decision.given_by,
            }
            if decision.override_reason:
                detail["override_reason"] = decision.override_reason
            self._event(rid, "referral", officer, at, detail,
                        {"referral": referral_id, "digest": referral_digest(self._db, referral_id)})
            return self._referral(referral_id)

    def update_referral(
        self,
        referral_id: str,
        *,
        status: str,
        outcome: str | None,
        note: str | None,
        officer: str,
        at: str,
    ) -> dict[str, Any]:
        """Move a referral on; refused (naming the allowed states) when the lifecycle says no."""
        with self._write("update the referral"):
            current = self._require_referral(referral_id)
            ref_id = current["id"]
            check_transition(ref_id, current["status"], status, outcome=outcome, note=note)
            if current["erased_at"] and note:
                raise ReferralRefused(
                    f"Referral {ref_id} belongs to an erased record: its status may move on, "
                    "but no note can be added."
                )
            self._db.execute(
                "UPDATE referrals SET status = ?, outcome = ?, updated_at = ?, closed_at = ? "
                "WHERE id = ?",
                [status, outcome, at, at if status == "closed" else None, ref_id],
            )
            self._step(ref_id, status, outcome, (note or "").strip() or None, officer, at)
            detail = {"referral": ref_id, "from": current["status"], "to": status}
            if outcome:
                detail["outcome"] = outcome
            self._event(current["record_id"], "referral_status", officer, at, detail,
                        {"referral": ref_id, "digest": referral_digest(self._db, ref_id)})
            return self._referral(ref_id)

    def _step(
        self, referral_id: str, status: str, outcome: str | None, note: str | None,
        officer: str, at: str,
    ) -> None:
        self._db.table("referral_steps").insert(
            {"referral_id": referral_id, "status": status, "outcome": outcome, "note": note,
             "officer": officer, "at": at}
        )

    # -- verification ----------------------------------------------------------------------

    def verify(self, devices: Collection[str] = ()) -> dict[str, Any]:
        """The trail and the records (see ``Verification.verify``), then every referral against the
        last digest the trail holds for it."""
        result = super().verify(devices)  # Verification.verify, next in the MRO
        found = self._verify_referrals()
        if found:
            result["problems"] = [*result["problems"], *found]
            result["ok"] = False
        return result

    def _verify_referrals(self) -> list[dict[str, Any]]:
        problems: list[dict[str, Any]] = []

        def report(ref: str, text: str) -> None:
            problems.append({"what": "referral", "id": ref, "problem": text})

        with self._guard("verify the referrals"):
            said: dict[str, tuple[str | None, str]] = {}  # referral -> (record, last digest)
            marks = ",".join("?" * len(REFERRAL_EVENTS))
            for rid, digest_json in self._db.execute(
                f"SELECT record_id, digest_json FROM events WHERE kind IN ({marks}) ORDER BY id",
                list(REFERRAL_EVENTS),
            ):
                try:
                    digest = json.loads(digest_json or "{}")
                    said[str(digest["referral"])] = (rid, str(digest["digest"]))
                except (ValueError, KeyError, TypeError):
                    continue  # the chain check names an edited event
            stored = dict(self._db.execute("SELECT id, record_id FROM referrals ORDER BY id"))
            for ref, rid in stored.items():
                if ref not in said:
                    report(ref, f"referral {ref} (record {rid}) is not in the audit trail: it "
                           "was inserted behind the tool's back")
                elif referral_digest(self._db, ref) != said[ref][1]:
                    report(ref, f"referral {ref} (record {rid}) was changed behind the tool's "
                           "back: its status, consent, words or status trail were edited")
            for ref, (rid, _) in sorted(said.items()):
                if ref not in stored:
                    report(ref, f"referral {ref} (record {rid}) was deleted behind the tool's "
                           "back: the audit trail has it, the database does not")
        return problems

    # -- reading ---------------------------------------------------------------------------

    def referral(self, referral_id: str) -> dict[str, Any]:
        """One referral with its status trail; NotFound with a "did you mean"."""
        with self._guard("read the referral"):
            return self._referral(self._require_referral(referral_id)["id"])

    def _require_referral(self, referral_id: str) -> dict[str, Any]:
        for candidate in dict.fromkeys((referral_id, normalize_referral_id(referral_id))):
            row = next(self._db.query("SELECT * FROM referrals WHERE id = ?", [candidate]), None)
            if row is not None:
                return row
        ids = [r[0] for r in self._db.execute("SELECT id FROM referrals")]
        raise NotFound(
            f"There is no referral '{referral_id}' in {self.path}"
            f"{suggest(normalize_referral_id(referral_id), ids)}.",
            hint="'screening referrals list' shows the referrals.",
        )

    def _referral(self, referral_id: str) -> dict[str, Any]:
        return self._assemble_referrals(
            list(self._db.query("SELECT * FROM referrals WHERE id = ?", [referral_id]))
        )[0]

    def _assemble_referrals(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [row["id"] for row in rows]
        steps: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        if ids:
            marks = ",".join("?" * len(ids))
            for s in self._db.query(
                "SELECT referral_id, status, outcome, note, officer, at FROM referral_steps "
                f"WHERE referral_id IN ({marks}) ORDER BY id",
                ids,
            ):
                steps[s.pop("referral_id")].append(s)
        return [
            {
                "id": row["id"],
                "record_id": row["record_id"],
                "service": row["service_id"],
                "service_detail": _load(row["service_json"]),
                "status": row["status"],
                "outcome": row["outcome"],
                "consent": row["consent"],
                "consent_by": row["consent_by"],
                "override_reason": row["override_reason"],
                "information_only": bool(row["information_only"]),
                "reason": {"erased": True} if row["erased_at"] else row["reason"],
                "officer": row["officer"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
                "closed_at": row["closed_at"],
                "erased_at": row["erased_at"],
                "steps": steps[row["id"]],
            }
            for row in rows
        ]

    def list_referrals(
        self,
        *,
        status: str | None = None,
        service: str | None = None,
        record_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[dict[str, Any]]:
        """Referrals, oldest first, filtered; ``since``/``until`` bound when they were made."""
        where, params = [], []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if service is not None:
            where.append("service_id = ?")
            params.append(service)
        if record_id is not None:
            where.append("record_id = ?")
            params.append(self._canonical_id(record_id))
        for value, end in ((since, False), (until, True)):
            if value is not None:
                op, stamp = _bound(value, end=end)
                where.append(f"created_at {op} ?")
                params.append(stamp)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._guard("list the referrals"):
            rows = list(
                self._db.query(f"SELECT * FROM referrals {clause} ORDER BY created_at, id", params)
            )
            return self._assemble_referrals(rows)

    def due_referrals(self, *, days: int, now: datetime) -> list[dict[str, Any]]:
        """Open referrals not received, or not moved on, within ``days`` (see ``is_due``)."""
        with self._guard("find the referrals due"):
            rows = [
                row
                for row in self._db.query(
                    "SELECT * FROM referrals WHERE status != 'closed' ORDER BY updated_at, id"
                )
                if is_due(row["status"], row["created_at"], row["updated_at"], now=now, days=days)
            ]
            return self._assemble_referrals(rows)


#: A referral in an export: whom, when, how it stands, with what consent. Never its words
#: (the reason, the notes), which stay in the office.
EXPORT_COLUMNS = ("id", "record_id", "service", "status", "outcome", "consent", "consent_by",
                  "information_only", "officer", "created_at", "updated_at", "closed_at")


def export_referrals(rows: list[dict[str, Any]], fmt: str, sink: Any) -> int:
    """Write referrals to ``sink`` (an exports ``Sink``) as csv, json or jsonl; the count."""
    import csv
    import io

    def plain(referral: dict[str, Any]) -> dict[str, Any]:
        out = {k: referral[k] for k in EXPORT_COLUMNS}
        out["steps"] = [{k: s[k] for k in ("status", "outcome", "officer", "at")}
                        for s in referral["steps"]]
        return out

    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*EXPORT_COLUMNS, "steps"],
                                lineterminator="\n")
        writer.writeheader()
        for referral in rows:
            row = plain(referral)
            row["steps"] = ";".join(f"{s['at'][:16]} {s['status']}" for s in row["steps"])
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        sink.write(buffer.getvalue())
    elif fmt == "jsonl":
        for referral in rows:
            sink.write(json.dumps(plain(referral), ensure_ascii=False) + "\n")
    else:
        sink.write(json.dumps([plain(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
    return len(rows)
