"""CSV rows: a record's cells in the header's order (:class:`CsvRows`), and for a CSV without
the key the whole row as text from answers as stored (:class:`CsvText`), byte for byte what
``csv.writer`` writes of :class:`CsvRows`'s lists. The export (``records.exports``) reads the
pages and writes the rows; this module only turns a record into its row."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from itertools import chain, compress, count, repeat
from operator import is_
from typing import Any


def _referral_cell(referral: dict[str, Any]) -> str:
    """'R-7KQ2ZD uptd_ppa closed/assisted': one referral in a CSV cell."""
    status = referral["status"] + (f"/{referral['outcome']}" if referral.get("outcome") else "")
    return f"{referral['id']} {referral['service']} {status}"


def _cell(value: Any) -> str:
    kind = value.__class__
    if kind is str:  # most cells
        return value
    if value is None:
        return ""
    if kind is bool or kind is float or kind is int:  # as below, without the import
        return str(value)
    if kind is list:  # never a marker (a dict)
        return ";".join([str(v) for v in value])
    from screening.records.protection import is_marker, marker_text

    if is_marker(value):
        return marker_text(value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


#: Answer types whose equal values print alike (not float: -0.0 == 0.0), kept by value.
_KEPT = frozenset({str, int, bool, type(None)})


class CsvRows:
    """CSV rows as lists in the header's order.

    An answer's cells (its value, its label, a yes/no per option) depend only on the script,
    the question and the value, and the ~55 answers of a record are mostly the same few values
    across a million records: each distinct value's cells are worked out once and reused, so
    a row costs a lookup per answer, not a label and a cell each."""

    #: distinct (script, question, value) kept; free text (opened with --key) is not
    #: repeated, so past this many new ones are worked out each time and memory stays flat.
    KEEP = 20_000

    def __init__(self, columns: list[str], lang: str, opened: bool,
                 label: Callable[[Any, Any, str], str]) -> None:
        self.columns = columns
        self.index = {c: i for i, c in enumerate(columns)}
        self.lang = lang
        self.opened = opened
        self.label = label
        self.known: dict[tuple[Any, ...], tuple[tuple[int, str], ...]] = {}
        self.notes = self.index.get("notes") if opened else None

    def row(self, record: dict[str, Any], questionnaire: Any, protect: set[str],
            status: str) -> list[str]:
        cells = self.head(record, status)
        cells += [""] * (len(self.columns) - len(cells))  # BASE_COLUMNS come first
        script = record.get("content_hash")
        known = self.known
        opened = self.opened
        for qid, value in record["answers"].items():
            if qid in protect and not opened:
                continue
            kind = value.__class__
            if kind in _KEPT:
                key: tuple[Any, ...] | None = (script, qid, kind, value)
            elif kind is list and all(v.__class__ is str for v in value):
                key = (script, qid, kind, tuple(value))
            else:  # markers, floats (-0.0 == 0.0), odd lists: worked out each time
                key = None
            found = None if key is None else known.get(key)
            if found is None:
                found = self._answer(questionnaire, qid, value)
                if key is not None and len(known) < self.KEEP:
                    known[key] = found
            for i, text in found:
                cells[i] = text
        if self.notes is not None:
            cells[self.notes] = " | ".join(
                f"{n.get('question_id') or '-'}: {_cell(n.get('text'))}"
                for n in record.get("notes") or []
            )
        return cells

    @staticmethod
    def head(record: dict[str, Any], status: str) -> list[str]:
        """The cells of BASE_COLUMNS: who, where, when, the assessment, the trail."""
        assessment = record.get("assessment") or {}
        dimensions = assessment.get("dimensions") or {}
        return [v if v.__class__ is str else _cell(v) for v in (
            record["id"],
            record["status"],
            record.get("outcome"),
            record["questionnaire"],
            record["questionnaire_version"],
            record["officer"],
            record["location"],
            record["language"],
            record["started_at"],
            record.get("completed_at"),
            record.get("level"),
            assessment.get("trafficking_indicated"),
            [d for d, r in dimensions.items() if r.get("positive")],
            assessment.get("coverage"),
            record.get("consent_share"),
            status,
            len(record.get("history") or []),
            [_referral_cell(r) for r in record.get("referrals") or []],
        )]

    def _answer(self, questionnaire: Any, qid: str, value: Any) -> tuple[tuple[int, str], ...]:
        """The cells of one answer: (column, text) of the columns this export has."""
        from screening.models.answers import SPECIAL
        from screening.records.protection import is_marker

        question = questionnaire.question(qid)
        out = {qid: _cell(value)}
        if question is not None and not is_marker(value) and value is not None:
            if question.type in ("choice", "multi_choice"):
                out[f"{qid}.label"] = self.label(question, value, self.lang)
            if question.type == "multi_choice":
                for option in question.options:
                    out[f"{qid}.{option.key}"] = (
                        "" if value in SPECIAL or not isinstance(value, list)
                        else ("yes" if option.key in value else "no")
                    )
        index = self.index
        return tuple((index[c], text) for c, text in out.items() if c in index)


def _brief_status(record: dict[str, Any], protect: set[str], override_consent: bool,
                  has_plaintext: Callable[[dict[str, Any], set[str]], bool]) -> str:
    """What :func:`_prepare` says of a record's identifying data in a CSV without the key
    (its branches for that case, without its imports: it runs once a record), the record's
    answers being its plaintext protected ones."""
    if not record.get("sealed") and not (record["answers"] or has_plaintext(record, protect)):
        return "erased" if record.get("erased_at") else "none"
    if record.get("consent_share") is not True and not override_consent:
        return "withheld"
    return "left out"


#: A JSON string json.loads reads as its inner text: no quote, backslash or control character.
_PLAIN_STRING = re.compile(r'"[^"\\\x00-\x1f]*"').fullmatch
_QUOTE = re.compile('[,"\r\n]').search


def _field(text: str) -> str:
    """A cell as ``csv.writer`` writes it in a row (quoted when it must be)."""
    if _QUOTE(text) is None:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([text, ""])
    return out.getvalue()[:-2]  # less the empty second cell's "," and the line's end


class CsvText:
    """The rows of a CSV without the key as text, from answers as stored (``qid\x1fvalue_json``,
    :meth:`Queries.csv_records`), byte for byte what :class:`CsvRows` and ``csv.writer`` write.

    An answer's cells depend only on the script, the question and the value's text: each
    distinct one is decoded and worked out once (:meth:`CsvRows._answer`) and kept as
    (column, quoted text) pairs, so a row is a lookup per answer and a few C calls: a dict
    of every column's cell, updated with the head's cells and then every answer's (in that
    order, as :meth:`CsvRows.row` writes them), joined. A protected answer has no cell here:
    a marker is kept (it says nothing to the consent rules), plaintext is decoded for them
    each time (free text is not repeated)."""

    def __init__(self, rows: CsvRows) -> None:
        from screening.records.protection import has_plaintext

        self.has_plaintext = has_plaintext
        self.rows = rows
        self.blank = dict.fromkeys(range(len(rows.columns)), "")
        self.scripts: dict[str, dict[str, tuple[tuple[int, str], ...]]] = {}
        self.kept = 0

    def line(self, record: dict[str, Any], questionnaire: Any, protect: set[str],
             override_consent: bool) -> tuple[str, str]:
        """(the row, the record's identifying status); ValueError when a value is not JSON
        (the page is then read the old way, which names the damage)."""
        known = self.scripts.get(record["content_hash"])
        if known is None:
            known = self.scripts[record["content_hash"]] = {}
        parts = record["answers"]
        found: list[Any] = list(map(known.get, parts))
        plaintext: dict[str, Any] = {}
        if None in found:  # new values, and protected plaintext (~7 a record): each time
            for n in compress(count(), map(is_, found, repeat(None))):
                qid, _, value = parts[n].partition("\x1f")
                if qid in protect and _PLAIN_STRING(value):  # no escapes to decode
                    plaintext[qid] = value[1:-1]
                    found[n] = ()
                else:
                    found[n] = self._worked_out(known, parts[n], questionnaire, protect,
                                                plaintext)
        record["answers"] = plaintext
        said = _brief_status(record, protect, override_consent, self.has_plaintext)
        row = self.blank.copy()
        quote = _QUOTE
        row.update(enumerate([cell if quote(cell) is None else _field(cell)
                              for cell in self.rows.head(record, said)]))
        row.update(chain.from_iterable(found))
        return ",".join(row.values()), said

    def _worked_out(self, known: dict[str, Any], part: str, questionnaire: Any,
                    protect: set[str], plaintext: dict[str, Any]) -> tuple[tuple[int, str], ...]:
        from screening.records.protection import is_marker

        qid, _, text = part.partition("\x1f")
        cells: tuple[tuple[int, str], ...] = ()
        value = json.loads(text)
        if qid in protect:  # no column without the key
            if not is_marker(value):
                plaintext[qid] = value
                return cells
        else:
            cells = tuple((i, _field(cell))
                          for i, cell in self.rows._answer(questionnaire, qid, value))
        if self.kept < CsvRows.KEEP:  # distinct free text would grow it: capped
            known[part] = cells
            self.kept += 1
        return cells
