"""Writing records: start a draft, save and change answers, notes, the language, finalize.

Every write is its own ``BEGIN IMMEDIATE`` transaction, committed before the method returns,
and appends its audit event in the same transaction (see :mod:`trail`).
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from screening.errors import StoreError
from screening.records.database import _STAMP
from screening.records.sealing import Sealer, Sealing
from screening.records.trail import Hot

OUTCOMES = ("completed", "consent_declined")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_record_id(now: datetime) -> str:
    """``YYYYMMDD-XXXXXX-XXXX``: the UTC date and ten random Crockford base32 characters.

    50 random bits a day, so ids stay unique across every laptop of the country (a few
    thousand records a day nationally collide about once in 10^8 days); the central database
    refuses a collision rather than merging. :meth:`Store.create_record` retries on a local
    one. Ids of the older shape ``YYYYMMDD-XXXXXX`` (30 bits) stay valid.
    """
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(10))
    return f"{now.strftime('%Y%m%d')}-{chars[:6]}-{chars[6:]}"


def _dump(value: object) -> str:
    """An answer as JSON text; refuses anything that is not an answer (a bug, not user input)."""
    ok = (
        value is None
        or (isinstance(value, str))
        or (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, float) and math.isfinite(value))
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    )
    if not ok:
        raise TypeError(f"not an answer value: {value!r}")
    return json.dumps(value, ensure_ascii=False)


class Writes(Sealing):
    """Creating records and changing drafts; finalizing (and sealing) them."""

    def create_record(
        self,
        *,
        questionnaire_id: str,
        questionnaire_version: str,
        content_hash: str,
        snapshot: dict[str, str],
        officer: str,
        location: str,
        language: str,
        started_at: str,
        detail: dict | None = None,
        parsed_hash: str | None = None,
    ) -> str:
        """Start a draft bound to the exact content (hash + snapshot) it began with.

        The ``create`` event (with ``detail`` added) is written in the same transaction.
        """
        extra = {k: v for k, v in snapshot.items() if k not in ("questionnaire", "indicator_set")}
        content = {
            "hash": content_hash,
            "questionnaire_id": questionnaire_id,
            "questionnaire_yaml": snapshot["questionnaire"],
            "indicator_set_yaml": snapshot["indicator_set"],
            "extra_json": json.dumps(extra, ensure_ascii=False) if extra else None,
            "created_at": started_at,
        }
        provenance = {} if parsed_hash is None else {"parsed_hash": parsed_hash}
        content.update(provenance)
        started = datetime.fromisoformat(started_at)
        # The write-ahead log goes into the file now, before the interview's answers, not
        # inside whichever answer's commit crosses SQLite's 1,000-page mark (an interview
        # writes ~400): no answer waits for a checkpoint.
        self._checkpoint_quietly()
        hot = None
        with self._write("start a new record"):
            version = self._write_state()[0]
            self._db.table("content").insert(content, ignore=True)
            while True:
                record_id = new_record_id(started)
                taken = self._db.execute("SELECT 1 FROM records WHERE id = ?", [record_id])
                if taken.fetchone() is None:
                    break
            self._db.table("records").insert(
                {
                    "id": record_id,
                    "questionnaire": questionnaire_id,
                    "questionnaire_version": questionnaire_version,
                    "content_hash": content_hash,
                    "status": "draft",
                    "officer": officer,
                    "location": location,
                    "language": language,
                    "started_at": started_at,
                    "updated_at": started_at,
                    "trail_key": secrets.token_hex(32),
                    **provenance,
                }
            )
            self._record_event(
                record_id,
                "create",
                officer,
                started_at,
                {"questionnaire": questionnaire_id, **(detail or {})},
                full=True,
            )
            with contextlib.suppress(LookupError):
                hot = self._load_hot(record_id, version)
        self._hot = hot  # committed: its first answer may start from here
        return record_id

    def save_answer(
        self,
        record_id: str,
        question_id: str,
        value: object,
        *,
        officer: str,
        at: str,
        reason: str | None = None,
    ) -> None:
        """Save one answer, committed before returning; a changed value goes to the history."""
        value_json = _dump(value)
        hot = None
        with self._write("save the answer"):
            state = self._write_state()
            hot = self._hot_for(record_id, state)
            if hot is not None and question_id not in hot.answers:
                self._answer_on_hot(hot, question_id, value_json, officer, at)
                hot.changes = self._connection().total_changes
            else:
                hot = self._save_answer(
                    record_id, question_id, value_json, officer=officer, at=at, reason=reason,
                    version=state[0],
                )
        self._hot = hot  # committed: the next answer to this draft may start from here

    def _save_answer(
        self,
        record_id: str,
        question_id: str,
        value_json: str,
        *,
        officer: str,
        at: str,
        reason: str | None,
        version: int,
    ) -> Hot | None:
        """The full path of :meth:`save_answer` (inside its transaction); the draft as it now
        stands, for the next answer."""
        rid = self._require(record_id, draft=True)["id"]
        old = self._db.execute(
            "SELECT value_json FROM answers WHERE record_id = ? AND question_id = ?",
            [rid, question_id],
        ).fetchone()
        if old is None:
            self._insert_answer(rid, question_id, value_json, officer, at)
        elif old[0] != value_json:
            self._replace_answer(rid, question_id, old[0], value_json, officer, at, reason)
        else:
            return None  # the same answer again: nothing changes
        self._touch(rid, at)
        detail: dict[str, Any] = {"question": question_id}
        if old is not None and reason:
            detail["reason"] = reason
        kind = "answer" if old is None else "change"
        self._record_event(rid, kind, officer, at, detail, answer=question_id)
        with contextlib.suppress(LookupError):
            return self._load_hot(rid, version)
        return None

    def delete_answer(
        self, record_id: str, question_id: str, *, officer: str, at: str, reason: str | None
    ) -> None:
        """Remove an answer; the old value stays in the history (new value: none)."""
        with self._write("delete the answer"):
            rid = self._require(record_id, draft=True)["id"]
            old = self._db.execute(
                "SELECT value_json FROM answers WHERE record_id = ? AND question_id = ?",
                [rid, question_id],
            ).fetchone()
            if old is None:
                return
            self._db.execute(
                "DELETE FROM answers WHERE record_id = ? AND question_id = ?", [rid, question_id]
            )
            self._history(rid, question_id, old[0], None, officer, at, reason)
            self._touch(rid, at)
            detail: dict[str, Any] = {"question": question_id, "deleted": True}
            if reason:
                detail["reason"] = reason
            self._record_event(rid, "change", officer, at, detail, answer=question_id)

    def _insert_answer(self, rid: str, qid: str, value_json: str, officer: str, at: str) -> None:
        # One statement, no table introspection (sqlite-utils' insert() reads sqlite_master
        # and opens a savepoint per row): this runs while the person waits.
        self._db.execute(
            "INSERT INTO answers (record_id, question_id, value_json, officer, answered_at, seq) "
            "SELECT ?, ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1 FROM answers WHERE record_id = ?",
            [rid, qid, value_json, officer, at, rid],
        )

    def _replace_answer(
        self, rid: str, qid: str, old: str, new: str, officer: str, at: str, reason: str | None
    ) -> None:
        # The answer keeps its place (seq) in the order of the interview.
        self._db.execute(
            "UPDATE answers SET value_json = ?, officer = ?, answered_at = ? "
            "WHERE record_id = ? AND question_id = ?",
            [new, officer, at, rid, qid],
        )
        self._history(rid, qid, old, new, officer, at, reason)

    def _history(
        self,
        rid: str,
        qid: str,
        old: str | None,
        new: str | None,
        officer: str,
        at: str,
        reason: str | None,
    ) -> None:
        self._db.table("history").insert(
            {
                "record_id": rid,
                "question_id": qid,
                "old_value_json": old,
                "new_value_json": new,
                "officer": officer,
                "changed_at": at,
                "reason": reason,
            }
        )

    def _touch(self, rid: str, at: str) -> None:
        self._db.execute("UPDATE records SET updated_at = ? WHERE id = ?", [at, rid])

    def add_note(
        self, record_id: str, question_id: str | None, text: str, *, officer: str, at: str
    ) -> None:
        with self._write("save the note"):
            row = self._require(record_id)
            rid = row["id"]
            if row["status"] != "draft" and row["sealed_json"]:
                raise StoreError(f"Record {rid} is sealed; a note cannot be added to it any more.")
            self._db.table("notes").insert(
                {
                    "record_id": rid,
                    "question_id": question_id,
                    "text": text,
                    "officer": officer,
                    "created_at": at,
                }
            )
            self._touch(rid, at)
            self._record_event(rid, "note", officer, at, {"question": question_id})

    def set_language(
        self, record_id: str, language: str, *, officer: str = "", at: str = ""
    ) -> None:
        with self._write("change the interview language"):
            rid = self._require(record_id, draft=True)["id"]
            self._db.execute("UPDATE records SET language = ? WHERE id = ?", [language, rid])
            at = at or datetime.now(UTC).strftime(_STAMP)
            self._record_event(rid, "language", officer, at, {"language": language}, full=True)

    def finalize(
        self,
        record_id: str,
        *,
        answers: dict[str, object],
        assessment: dict | None,
        level: str | None,
        outcome: str,
        completed_at: str,
        officer: str,
        consent_share: bool | None,
        protect: Collection[str] = (),
        sealer: Sealer | None = None,
        scoring_version: int | None = None,
        scored_on: str | None = None,
    ) -> None:
        """Complete a draft in ONE transaction: keep exactly ``answers``, store the assessment.

        Answers not in ``answers`` (questions hidden later) are dropped. For
        ``consent_declined`` nothing the person said is kept: no answers, no answer history.

        With a ``sealer``, the values of the ``protect`` questions (answers and their history)
        and every note are sealed in the same transaction: replaced by ``{"sealed": true}``,
        the envelope kept on the record. A sealer that fails rolls everything back: the record
        stays a draft, never completed in plaintext.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        if outcome == "consent_declined" and answers:
            raise ValueError("a record whose consent was declined keeps no answers")
        wanted = {qid: _dump(value) for qid, value in answers.items()}
        with self._write("finalize the record"):
            row = self._require(record_id)
            rid = row["id"]
            if row["status"] == "completed":
                raise StoreError(
                    f"Record {rid} is already completed (on {row['completed_at']}); it cannot "
                    "be finalized again."
                )
            current = {
                qid: value_json
                for qid, value_json in self._db.execute(
                    "SELECT question_id, value_json FROM answers WHERE record_id = ? ORDER BY seq",
                    [rid],
                )
            }
            dropped = [qid for qid in current if qid not in wanted]
            for qid in dropped:
                self._db.execute(
                    "DELETE FROM answers WHERE record_id = ? AND question_id = ?", [rid, qid]
                )
            for qid, value_json in wanted.items():
                if qid not in current:
                    self._insert_answer(rid, qid, value_json, officer, completed_at)
                elif current[qid] != value_json:
                    self._replace_answer(
                        rid,
                        qid,
                        current[qid],
                        value_json,
                        officer,
                        completed_at,
                        "changed at finalize",
                    )
            if outcome == "consent_declined":
                self._db.execute("DELETE FROM history WHERE record_id = ?", [rid])
            self._db.execute(
                "UPDATE records SET status = 'completed', outcome = ?, level = ?, "
                "assessment_json = ?, consent_share = ?, completed_at = ?, updated_at = ?, "
                "scoring_version = ?, scored_on = ? WHERE id = ?",
                [
                    outcome,
                    level,
                    None if assessment is None else json.dumps(assessment, ensure_ascii=False),
                    None if consent_share is None else int(consent_share),
                    completed_at,
                    completed_at,
                    scoring_version if assessment is not None else None,
                    scored_on if assessment is not None else None,
                    rid,
                ],
            )
            detail: dict[str, Any] = {
                "outcome": outcome,
                "level": level,
                "answers": len(wanted),
                "dropped": dropped,
            }
            if sealer is not None:
                detail["sealed"] = self._seal(rid, protect, sealer)
            self._new_trail_key(rid)
            self._record_event(rid, "finalize", officer, completed_at, detail, full=True)
        if sealer is not None:
            self.checkpoint()
