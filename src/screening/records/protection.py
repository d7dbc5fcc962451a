"""What a record protects, and how a protected record is sealed, opened or withheld.

Protected: answers to questions marked ``identifying: true``, every free-text answer (type
``text``), and every officer note. The assessment and the other answers stay readable, so
statistics need no key. In a stored record a protected value is a value, or a marker:
``{"sealed": true}`` (the value is in the record's sealed envelope) or ``{"erased": true}``.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from screening.errors import ScreeningError

if TYPE_CHECKING:
    from screening.models import Questionnaire

SEALED = {"sealed": True}
ERASED = {"erased": True}
UNREADABLE = {"unreadable": True}
_MARKER_KEYS = {"sealed", "erased", "withheld", "unreadable"}


class SealFailed(ScreeningError):
    """Sealing a record failed: the record is NOT finalized in plaintext instead."""


def protected_questions(questionnaire: Questionnaire) -> set[str]:
    return {q.id for q in questionnaire.questions() if q.identifying or q.type == "text"}


def is_marker(value: object) -> bool:
    """Whether a stored or exported value stands in for a protected value."""
    return isinstance(value, dict) and bool(_MARKER_KEYS & set(value))


def marker_text(value: dict[str, Any]) -> str:
    if value == SEALED:
        return "[sealed]"
    if value == ERASED:
        return "[erased]"
    if "unreadable" in value:
        return "[cannot be opened]"
    return f"[withheld: {value.get('withheld')}]"


def sealer_for(public_key: Any) -> Any:
    """A store ``Sealer`` for the office public key; any failure becomes SealFailed."""
    from screening.records.crypto import seal

    def sealer(payload: bytes, aad: bytes) -> dict:
        try:
            return seal(payload, public_key, aad)
        except Exception as exc:  # never fall back to plaintext: the transaction rolls back
            raise SealFailed(f"sealing failed ({type(exc).__name__}: {exc})") from exc

    return sealer


def open_record(record: dict[str, Any], private_key: Any) -> dict[str, Any]:
    """A copy of ``record`` with its sealed values opened; WrongKey or SealedDataError."""
    from screening.records.crypto import SealedDataError, open_sealed
    from screening.records.device import unwrap_payload

    envelope = record.get("sealed")
    if not envelope:
        return record
    aad = record["id"].encode("utf-8")
    data, signer = unwrap_payload(open_sealed(envelope, private_key, aad), aad)
    _check_sealer(record, signer)
    try:
        payload = json.loads(data)
        answers = payload["answers"]
        history = payload["history"]
        notes = payload["notes"]
    except (ValueError, KeyError, TypeError):
        raise SealedDataError("the sealed data is damaged (its contents)") from None
    opened = copy.deepcopy(record)
    for qid, value in answers.items():
        if opened["answers"].get(qid) == SEALED:
            opened["answers"][qid] = value
    for change in opened.get("history") or []:
        values = history.get(str(change.get("id")))
        if values is None:
            continue
        for side, key in (("old_value", "old"), ("new_value", "new")):
            if change.get(side) == SEALED:
                change[side] = values.get(key)
    for note in opened.get("notes") or []:
        if note.get("text") == SEALED and str(note.get("id")) in notes:
            note["text"] = notes[str(note["id"])]
    _restore_assessment(opened)
    opened["sealed"] = None
    opened["sealed_by"] = signer
    return opened


def _check_sealer(record: dict[str, Any], signer: str | None) -> None:
    """The envelope must be signed by the device that signed the event that sealed the
    record: anyone holding the office public key can seal, only that device can sign."""
    from screening.records.crypto import SealedDataError

    sealing = [
        e for e in record.get("events") or []
        if e.get("kind") in ("finalize", "seal") and "sealed" in (e.get("detail") or {})
    ]
    if not sealing or "signer" not in sealing[-1]:
        # Not from a trail that names its signers (a record shaped elsewhere, or the central
        # copy, which does not carry signatures yet): the envelope's own signature is all.
        return
    expected = sealing[-1]["signer"]
    if signer == expected:
        return
    if signer is None:
        raise SealedDataError(
            f"the sealed data is not signed, yet the record was sealed on device {expected}: "
            "it was forged by someone holding the office public key"
        )
    raise SealedDataError(
        f"the sealed data is signed by device {signer}, but the record was sealed "
        + (f"on device {expected}" if expected else "before signing began")
        + ": it was forged"
    )


def _restore_assessment(record: dict[str, Any]) -> None:
    assessment = record.get("assessment")
    if not isinstance(assessment, dict):
        return
    for dimension in (assessment.get("dimensions") or {}).values():
        for finding in dimension.get("present") or []:
            for ref in finding.get("answers") or []:
                if ref.get("answer") == SEALED and ref.get("question") in record["answers"]:
                    ref["answer"] = record["answers"][ref["question"]]


def withhold(record: dict[str, Any], protect: set[str], marker: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with every protected value (answers, history, notes, the answers
    behind findings) replaced by ``marker``, and no sealed envelope.

    Only what changes is copied (an export calls this for every record): the caller's record
    is never modified."""
    out = dict(record)
    out["answers"] = {
        qid: dict(marker) if qid in protect and value != ERASED else value
        for qid, value in record["answers"].items()
    }
    history = []
    for change in record.get("history") or []:
        if change.get("question_id") in protect:
            change = dict(change)
            for side in ("old_value", "new_value"):
                if change.get(side) is not None and change.get(side) != ERASED:
                    change[side] = dict(marker)
        history.append(change)
    out["history"] = history
    out["notes"] = [{**note, "text": dict(marker)} for note in record.get("notes") or []]
    assessment = record.get("assessment")
    if isinstance(assessment, dict) and _cites(assessment, protect):
        assessment = copy.deepcopy(assessment)
        for dimension in (assessment.get("dimensions") or {}).values():
            for finding in dimension.get("present") or []:
                for ref in finding.get("answers") or []:
                    if ref.get("question") in protect:
                        ref["answer"] = dict(marker)
        out["assessment"] = assessment
    out["sealed"] = None
    return out


def _cites(assessment: dict[str, Any], protect: set[str]) -> bool:
    """Whether a finding of the assessment names the answer of a protected question."""
    return any(
        ref.get("question") in protect
        for dimension in (assessment.get("dimensions") or {}).values()
        for finding in dimension.get("present") or []
        for ref in finding.get("answers") or []
    )


def payload(record: dict[str, Any], protect: set[str]) -> dict[str, Any]:
    """The protected values of a plaintext record, shaped as a sealed envelope's payload."""
    return {
        "v": 1,
        "answers": {
            q: v for q, v in record["answers"].items() if q in protect and not is_marker(v)
        },
        "history": {
            str(h["id"]): {"old": h.get("old_value"), "new": h.get("new_value")}
            for h in record.get("history") or []
            if h.get("question_id") in protect
        },
        "notes": {
            str(n["id"]): n["text"] for n in record.get("notes") or [] if isinstance(n["text"], str)
        },
    }


def has_plaintext(record: dict[str, Any], protect: set[str]) -> bool:
    """Whether the record still holds a protected value in clear."""
    answers = record["answers"]
    if any(q in answers and not is_marker(answers[q]) for q in protect):  # a few, not ~55
        return True
    if any(isinstance(n.get("text"), str) for n in record.get("notes") or []):
        return True
    return any(
        h.get("question_id") in protect
        and any(
            h.get(s) is not None and not is_marker(h.get(s)) for s in ("old_value", "new_value")
        )
        for h in record.get("history") or []
    )
