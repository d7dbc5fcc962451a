"""Re-scoring stored records from their own content snapshot: ``verify`` checks that each
finished record's stored assessment is what its answers score under the content it began with,
parsed afresh (never through the parse cache), by the same scoring version.

A record scored by another version of the scoring code (see
``screening.assessment.scoring.SCORING_VERSION``) is not compared: it is listed as "not
re-checked", since new scoring semantics would tell it apart without any tampering.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from screening.records.protection import is_marker

Report = Callable[[str, object, str], None]


def scoreable(answers: dict[str, Any], questionnaire: Any) -> dict[str, Any]:
    """Answers for scoring: a sealed or erased free-text answer stays 'answered' (its words
    never drive an indicator); any other sealed value counts as not known."""
    from screening.models.answers import UNKNOWN

    out: dict[str, Any] = {}
    for qid, value in answers.items():
        if is_marker(value):
            question = questionnaire.question(qid)
            value = "[protected]" if question is not None and question.type == "text" else UNKNOWN
        out[qid] = value
    return out


def check_scores(db: Any, report: Report) -> list[str]:
    """Re-score every finished record of the current scoring version; report the ones whose
    stored assessment differs, or that were scored from a parse that is not their snapshot's.
    Returns notes on what was not re-checked. ``db``: a sqlite-utils database, read inside the
    caller's snapshot."""
    from screening.assessment.rescore import differences
    from screening.assessment.scoring import SCORING_VERSION, assess
    from screening.content.catalogue import parse_snapshot
    from screening.errors import ContentError
    from screening.models.assessment import Assessment

    contents: dict[str, Any] = {}
    older: dict[object, int] = {}
    partial: list[str] = []
    after_id = ""
    while True:
        rows = db.execute(
            "SELECT id, content_hash, parsed_hash, scoring_version, scored_on, completed_at, "
            "level, assessment_json FROM records WHERE status = 'completed' "
            "AND outcome = 'completed' AND assessment_json IS NOT NULL AND id > ? "
            "ORDER BY id LIMIT 500",
            [after_id],
        ).fetchall()
        if not rows:
            break
        after_id = rows[-1][0]
        for rid, content_hash, parsed, version, scored_on, completed_at, level, text in rows:
            if content_hash not in contents:
                contents[content_hash] = _fresh(db, content_hash, parse_snapshot, ContentError)
            fresh = contents[content_hash]
            if fresh is None:
                continue  # no readable snapshot: the content check names it
            questionnaire, indicator_set, fresh_hash = fresh
            if parsed is not None and parsed != fresh_hash:
                report(
                    "record",
                    rid,
                    f"record {rid} was scored from a parse of its content that is not the parse "
                    "of its content snapshot (the parsed-content cache was altered or damaged)",
                )
            if version != SCORING_VERSION:
                older[version] = older.get(version, 0) + 1
                continue
            answers = _answers(db, rid)
            try:
                before = Assessment.model_validate(json.loads(text))
                today = date.fromisoformat(scored_on or str(completed_at)[:10])
            except ValueError:
                continue  # an unreadable cell: named by the damage checks
            after = assess(indicator_set, questionnaire, scoreable(answers, questionnaire),
                           today, content_hash=content_hash)
            changes = (
                ["it now reads as consent declined"]
                if after is None
                else differences(before, after, indicator_set, indicator_set)
            )
            if after is not None:
                changes += _risk_changes(before.departure_risk, after.departure_risk)
            if level != before.level:
                changes.insert(0, f"its level column says {level}, its assessment {before.level}")
            if not changes:
                continue
            if any(is_marker(v) for v in answers.values()):
                partial.append(rid)  # sealed answers cannot be re-scored here
                continue
            report(
                "record",
                rid,
                f"record {rid}: its stored assessment is not what its answers score under its "
                f"own content (scoring version {version}): " + "; ".join(changes),
            )
    notes = []
    for version, n in sorted(older.items(), key=lambda item: str(item[0])):
        by = "a version of screening from before scoring versions" if version is None else (
            f"scoring version {version}")
        notes.append(f"{n} finished record(s) not re-checked: scored by {by} (this is "
                     f"scoring version {SCORING_VERSION})")
    if partial:
        notes.append(
            f"{len(partial)} record(s) re-scored differently with their sealed answers unknown; "
            "open them with the office key to re-check: " + ", ".join(partial[:20])
        )
    return notes


def _risk_changes(before: Any, after: Any) -> list[str]:
    """The departure-risk judgement, compared by its level and the flags it raised."""
    if before is None and after is None:
        return []
    if before is None or after is None:
        return ["departure risk: " + ("added" if before is None else "gone")]
    out = []
    if before.level != after.level:
        out.append(f"departure risk: {before.level} → {after.level}")
    flags_before = sorted(f.id for f in before.flags)
    flags_after = sorted(f.id for f in after.flags)
    if flags_before != flags_after:
        out.append(f"departure-risk flags: {', '.join(flags_before) or 'none'} → "
                   f"{', '.join(flags_after) or 'none'}")
    return out


def _fresh(db: Any, content_hash: str, parse_snapshot: Any, content_error: Any) -> Any:
    row = db.execute(
        "SELECT questionnaire_yaml, indicator_set_yaml, extra_json FROM content WHERE hash = ?",
        [content_hash],
    ).fetchone()
    from screening.records.trail import content_hash as hash_of

    if row is None or hash_of(row[0], row[1], row[2]) != content_hash:
        return None  # no snapshot, or an edited one: the content check names it
    try:
        extra = json.loads(row[2]) if row[2] else {}
        snapshot = {"questionnaire": row[0], "indicator_set": row[1], **extra}
        return parse_snapshot(snapshot, cache=False)
    except (content_error, ValueError, TypeError):
        return None


def _answers(db: Any, rid: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for qid, value_json in db.execute(
        "SELECT question_id, value_json FROM answers WHERE record_id = ? ORDER BY seq", [rid]
    ):
        try:
            out[qid] = json.loads(value_json)
        except (ValueError, TypeError):
            continue
    return out
