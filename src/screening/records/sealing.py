"""Sealing and erasure: protected values out of the file, for the office key or for good.

Protected values (identifying answers, free text, notes) are replaced by a marker when a record
is sealed (``{"sealed": true}``, the sealed envelope kept on the record) or erased
(``{"erased": true}``). ``secure_delete`` zeroes freed space and a ``TRUNCATE`` checkpoint
empties the write-ahead log afterwards, so no plaintext survives in the file.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Collection
from typing import Any

from screening.errors import StoreError
from screening.records.chain import canonical as _canonical
from screening.records.database import ERASED, MARKERS, SEALED, _load
from screening.records.device import sign_payload
from screening.records.trail import Trail

#: Seals a payload for a record: (payload, associated data = the record id) -> envelope.
Sealer = Callable[[bytes, bytes], dict]


def _scrub_assessment(text: str | None, protect: Collection[str], marker: dict) -> str | None:
    """The assessment with the answers behind its findings hidden for protected questions."""
    if not text or not protect:
        return text
    assessment = json.loads(text)
    dimensions = assessment.get("dimensions") if isinstance(assessment, dict) else None
    for dimension in (dimensions or {}).values():
        for finding in dimension.get("present") or []:
            for ref in finding.get("answers") or []:
                if ref.get("question") in protect:
                    ref["answer"] = dict(marker)
    return json.dumps(assessment, ensure_ascii=False)


def _in(values: Collection[str]) -> str:
    return "(" + ", ".join("?" * len(values)) + ")"


class Sealing(Trail):
    """Sealing a record's protected values, erasing them, finding what to purge."""

    # -- sealing, erasure, purge -----------------------------------------------------------

    def _new_trail_key(self, rid: str) -> None:
        """Forget the record's old trail key: earlier digests can no longer be tested."""
        self._db.execute(
            "UPDATE records SET trail_key = ? WHERE id = ?", [secrets.token_hex(32), rid]
        )

    def _seal(self, rid: str, protect: Collection[str], sealer: Sealer) -> list[str]:
        """Seal the protected values and notes of ``rid``; returns the sealed question ids."""
        protect = sorted(set(protect))
        answers: dict[str, Any] = {}
        history: dict[str, dict[str, Any]] = {}
        if protect:
            for qid, value_json in self._db.execute(
                "SELECT question_id, value_json FROM answers WHERE record_id = ? "
                f"AND question_id IN {_in(protect)} ORDER BY seq",
                [rid, *protect],
            ):
                if value_json not in MARKERS:
                    answers[qid] = json.loads(value_json)
            for hid, old, new in self._db.execute(
                "SELECT id, old_value_json, new_value_json FROM history WHERE record_id = ? "
                f"AND question_id IN {_in(protect)} ORDER BY id",
                [rid, *protect],
            ):
                history[str(hid)] = {
                    "old": None if old in MARKERS else _load(old),
                    "new": None if new in MARKERS else _load(new),
                }
        notes = {
            str(nid): text
            for nid, text in self._db.execute(
                "SELECT id, text FROM notes WHERE record_id = ? AND sealed = 0 ORDER BY id", [rid]
            )
        }
        if not (answers or history or notes):
            return []  # nothing to protect: no envelope
        payload = {"v": 1, "answers": answers, "history": history, "notes": notes}
        aad = rid.encode("utf-8")
        envelope = sealer(sign_payload(_canonical(payload), aad, self._signer()), aad)
        if not isinstance(envelope, dict):
            raise TypeError("a sealer returns an envelope (a dict)")
        if protect:
            self._db.execute(
                f"UPDATE answers SET value_json = ? WHERE record_id = ? "
                f"AND question_id IN {_in(protect)}",
                [SEALED, rid, *protect],
            )
            self._mark_history(rid, protect, SEALED)
        self._db.execute(
            "UPDATE notes SET text = '', sealed = 1 WHERE record_id = ? AND sealed = 0", [rid]
        )
        assessment = self._db.execute(
            "SELECT assessment_json FROM records WHERE id = ?", [rid]
        ).fetchone()[0]
        self._db.execute(
            "UPDATE records SET sealed_json = ?, assessment_json = ? WHERE id = ?",
            [
                json.dumps(envelope, sort_keys=True),
                _scrub_assessment(assessment, protect, {"sealed": True}),
                rid,
            ],
        )
        return list(answers)

    def _mark_history(self, rid: str, protect: list[str], marker: str) -> None:
        self._db.execute(
            "UPDATE history SET "
            "old_value_json = CASE WHEN old_value_json IS NULL THEN NULL ELSE ? END, "
            "new_value_json = CASE WHEN new_value_json IS NULL THEN NULL ELSE ? END "
            f"WHERE record_id = ? AND question_id IN {_in(protect)}",
            [marker, marker, rid, *protect],
        )

    def seal(
        self, record_id: str, *, protect: Collection[str], sealer: Sealer, officer: str, at: str
    ) -> bool:
        """Seal a completed record stored before a key was configured; False if already sealed
        or erased."""
        with self._write("seal the record"):
            row = self._require(record_id)
            rid = row["id"]
            if row["status"] != "completed":
                raise StoreError(
                    f"Record {rid} is a draft; it is sealed when the interview is finished."
                )
            if row["sealed_json"] or row["erased_at"]:
                return False
            sealed = self._seal(rid, protect, sealer)
            if self._db.execute(
                "SELECT sealed_json IS NULL FROM records WHERE id = ?", [rid]
            ).fetchone()[0]:
                return False  # nothing to protect in it
            self._new_trail_key(rid)
            self._record_event(rid, "seal", officer, at, {"sealed": sealed}, full=True)
        self.checkpoint()
        return True

    def erase(
        self,
        record_id: str,
        *,
        protect: Collection[str],
        officer: str,
        at: str,
        reason: str,
        kind: str = "erase",
        checkpoint: bool = True,
    ) -> dict[str, Any]:
        """Remove the identifying data of one record, keep its anonymous assessment.

        The values of the ``protect`` questions (answers and history) become
        ``{"erased": true}``, notes and the sealed envelope are deleted, the assessment's
        references to those answers are blanked. A draft has no assessment to keep: it is
        removed whole. ``reason`` goes into the audit trail: it must not name the person.
        """
        protect = sorted(set(protect))
        with self._write("erase the record's identifying data"):
            row = self._require(record_id)
            rid = row["id"]
            if row["status"] == "draft":
                self._db.execute("DELETE FROM records WHERE id = ?", [rid])
                self._event(
                    rid, kind, officer, at, {"reason": reason, "removed": True}, {"removed": True}
                )
                result: dict[str, Any] = {"id": rid, "removed": True}
            else:
                erased: list[str] = []
                if protect:
                    erased = [
                        qid
                        for (qid,) in self._db.execute(
                            "SELECT question_id FROM answers WHERE record_id = ? "
                            f"AND question_id IN {_in(protect)} AND value_json != ? ORDER BY seq",
                            [rid, *protect, ERASED],
                        )
                    ]
                    self._db.execute(
                        "UPDATE answers SET value_json = ? WHERE record_id = ? "
                        f"AND question_id IN {_in(protect)}",
                        [ERASED, rid, *protect],
                    )
                    self._mark_history(rid, protect, ERASED)
                notes = self._db.execute("DELETE FROM notes WHERE record_id = ?", [rid]).rowcount
                referrals = self._erase_referrals(rid, officer, at)
                self._db.execute(
                    "UPDATE records SET sealed_json = NULL, assessment_json = ?, erased_at = ? "
                    "WHERE id = ?",
                    [_scrub_assessment(row["assessment_json"], protect, {"erased": True}), at, rid],
                )
                self._new_trail_key(rid)
                detail = {"reason": reason, "questions": erased, "notes": notes}
                if referrals:
                    detail["referrals"] = referrals
                self._record_event(rid, kind, officer, at, detail, full=True)
                result = {"id": rid, "removed": False, "questions": erased, "notes": notes,
                          "referrals": referrals}
        if checkpoint:
            self.checkpoint()
        return result

    def _erase_referrals(self, rid: str, officer: str, at: str) -> int:
        """Blank the words of the record's referrals (reason, notes) under a new key; their
        anonymous status trail stays. One ``referral_erased`` event each; returns how many."""
        from screening.records.referrals import referral_digest

        ids = [r for (r,) in self._db.execute(
            "SELECT id FROM referrals WHERE record_id = ? AND erased_at IS NULL", [rid])]
        for ref in ids:
            self._db.execute(
                "UPDATE referrals SET reason = NULL, erased_at = ?, trail_key = ? WHERE id = ?",
                [at, secrets.token_hex(32), ref],
            )
            self._db.execute("UPDATE referral_steps SET note = NULL WHERE referral_id = ?", [ref])
            self._event(rid, "referral_erased", officer, at, {"referral": ref},
                        {"referral": ref, "digest": referral_digest(self._db, ref)})
        return len(ids)

    def purge_candidates(
        self, *, completed_before: str | None, drafts_before: str | None,
        record_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Completed records finished before ``completed_before`` and not erased yet, and drafts
        untouched since before ``drafts_before``: id, status, content hash. With
        ``record_id``, only that record if it still is one (a purge running alongside may
        have taken it)."""
        clauses, params = [], []
        if completed_before is not None:
            clauses.append("(status = 'completed' AND erased_at IS NULL AND completed_at < ?)")
            params.append(completed_before)
        if drafts_before is not None:
            clauses.append("(status = 'draft' AND updated_at < ?)")
            params.append(drafts_before)
        if not clauses:
            return []
        where = f"({' OR '.join(clauses)})"
        if record_id is not None:
            where += " AND id = ?"
            params.append(record_id)
        with self._guard("find the records to purge"):
            return list(
                self._db.query(
                    "SELECT id, status, content_hash, started_at, updated_at, completed_at "
                    f"FROM records WHERE {where} ORDER BY started_at, id",
                    params,
                )
            )

    def unsealed(self) -> list[tuple[str, str]]:
        """(id, content hash) of completed records neither sealed nor erased."""
        with self._guard("find the unsealed records"):
            return [
                (rid, content_hash)
                for rid, content_hash in self._db.execute(
                    "SELECT id, content_hash FROM records WHERE status = 'completed' "
                    "AND sealed_json IS NULL AND erased_at IS NULL ORDER BY started_at, id"
                )
            ]
