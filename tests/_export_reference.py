"""The CSV export as it was written before it was made fast (commit 0e436d0): kept verbatim, to
check that the fast export writes the same bytes. It reads each record whole and decodes each
answer on its own, and builds each row as a dict of cells for ``csv.DictWriter``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from screening.cli._walk import display_value
from screening.records.exports import BASE_COLUMNS, Content, ExportFormat, Options, _prepare
from screening.records.store import Store


def reference_csv(db: Path, *, lang: str = "en", private: Any = None,
                  filters: dict[str, Any] | None = None, override_consent: bool = False) -> str:
    """The CSV the old export wrote for ``db`` (every record, newest first)."""
    options = Options(fmt=ExportFormat.csv, output=None, key=None, filters=filters or {},
                      lang=lang, override_consent=override_consent, reason=None,
                      progress=False, officer="uji")
    out = io.StringIO()
    with Store.open(db, create=False) as store:
        content = Content(store)
        columns = _csv_columns(store, content, options, private is not None)
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for listed in list(store.list_records(**options.filters)):
            record = store.record(listed["id"])
            record["answers"] = answers_one_by_one(store, listed["id"])
            questionnaire, protect = content.get(record["content_hash"])
            row, status, _ = _prepare(record, protect, options, private, None)
            writer.writerow(_csv_row(row, questionnaire, protect, status, lang,
                                     private is not None, display_value))
    return out.getvalue()


def answers_one_by_one(store: Store, rid: str) -> dict[str, object]:
    """A record's answers as the store decoded them before: each value on its own."""
    rows = store._db.execute(
        "SELECT question_id, value_json FROM answers WHERE record_id = ? ORDER BY seq", [rid]
    )
    return {qid: json.loads(value_json) for qid, value_json in rows}


def _question_columns(question: Any) -> list[str]:
    qid = question.id
    if question.type == "choice":
        return [qid, f"{qid}.label"]
    if question.type == "multi_choice":
        return [qid, f"{qid}.label", *(f"{qid}.{o.key}" for o in question.options)]
    return [qid]


def _csv_columns(store: Any, content: Content, options: Options, opened: bool) -> list[str]:
    columns = dict.fromkeys(BASE_COLUMNS)
    for content_hash in store.content_hashes(**options.filters):
        questionnaire, protect = content.get(content_hash)
        for question in questionnaire.questions():
            if question.id in protect and not opened:
                continue
            columns.update(dict.fromkeys(_question_columns(question)))
    if opened:
        columns["notes"] = None
    return list(columns)


def _referral_cell(referral: dict[str, Any]) -> str:
    status = referral["status"] + (f"/{referral['outcome']}" if referral.get("outcome") else "")
    return f"{referral['id']} {referral['service']} {status}"


def _cell(value: Any) -> str:
    from screening.records.protection import is_marker, marker_text

    if value is None:
        return ""
    if is_marker(value):
        return marker_text(value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _csv_row(
    record: dict[str, Any],
    questionnaire: Any,
    protect: set[str],
    status: str,
    lang: str,
    opened: bool,
    display_value: Callable[[Any, Any, str], str],
) -> dict[str, str]:
    from screening.models.answers import SPECIAL
    from screening.records.protection import is_marker

    assessment = record.get("assessment") or {}
    dimensions = assessment.get("dimensions") or {}
    row = {
        "id": record["id"],
        "status": record["status"],
        "outcome": record.get("outcome"),
        "questionnaire": record["questionnaire"],
        "questionnaire_version": record["questionnaire_version"],
        "officer": record["officer"],
        "location": record["location"],
        "language": record["language"],
        "started_at": record["started_at"],
        "completed_at": record.get("completed_at"),
        "level": record.get("level"),
        "trafficking_indicated": assessment.get("trafficking_indicated"),
        "positive_dimensions": [d for d, r in dimensions.items() if r.get("positive")],
        "coverage": assessment.get("coverage"),
        "consent_share": record.get("consent_share"),
        "identifying": status,
        "changes": len(record.get("history") or []),
        "referrals": [_referral_cell(r) for r in record.get("referrals") or []],
    }
    out = {k: _cell(v) for k, v in row.items()}
    for qid, value in record["answers"].items():
        if qid in protect and not opened:
            continue
        question = questionnaire.question(qid)
        out[qid] = _cell(value)
        if question is None or is_marker(value) or value is None:
            continue
        if question.type in ("choice", "multi_choice"):
            out[f"{qid}.label"] = display_value(question, value, lang)
        if question.type == "multi_choice":
            for option in question.options:
                out[f"{qid}.{option.key}"] = (
                    "" if value in SPECIAL or not isinstance(value, list)
                    else ("yes" if option.key in value else "no")
                )
    if opened:
        out["notes"] = " | ".join(
            f"{n.get('question_id') or '-'}: {_cell(n.get('text'))}"
            for n in record.get("notes") or []
        )
    return out
