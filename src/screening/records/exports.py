"""Exports: records out as CSV, JSON, JSON Lines or HTCDS, streamed (a CSV row is made by
``records.csv_rows``).

What leaves, by default: everything but the protected values (identifying answers, free text,
notes). CSV leaves their columns out; JSON/JSONL carry them sealed for the office key (records
sealed at finalize as they are; plaintext records sealed on the fly when this laptop has an
office public key, else withheld). With ``--key`` they are opened, and every opening is
logged (``decrypt`` events, a page of records at a time, written before the page is).
Identifying data of a record without consent to share never leaves unless
``--override-consent --reason``. A record that cannot be opened is exported without its
protected values, named on stderr, and the export ends with exit 1.

Memory does not grow with the number of records: pages of ``store.list_records`` are read,
prepared and written one after the other. The command (``screening.cli.export``) only loads
the keys, shows progress and reports.
"""

from __future__ import annotations

import contextlib
import csv
import enum
import json
import os
import queue
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from screening.errors import ScreeningError, StoreError
from screening.records.csv_rows import CsvRows, CsvText

PAGE = 200


class ExportFormat(enum.StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    htcds = "htcds"


#: What says who, where and when of a record: the head of an export row and of `records show`.
RECORD_FIELDS = [
    "id",
    "status",
    "outcome",
    "questionnaire",
    "questionnaire_version",
    "officer",
    "location",
    "language",
    "started_at",
    "completed_at",
    "level",
]
BASE_COLUMNS = [
    *RECORD_FIELDS,
    "trafficking_indicated",
    "positive_dimensions",
    "coverage",
    "consent_share",
    "identifying",
    "changes",
    "referrals",
]

NO_CONSENT = {"withheld": "no consent to share"}
NOT_SEALED = {"withheld": "identifying: export with --key"}


@dataclass
class Options:
    fmt: ExportFormat
    output: Path | None
    key: Path | None
    filters: dict[str, Any]
    lang: str
    override_consent: bool
    reason: str | None
    progress: bool
    officer: str


@dataclass
class Tally:
    written: int = 0
    skipped: Counter = field(default_factory=Counter)
    identifying: Counter = field(default_factory=Counter)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: partial files of killed exports found and removed before this one
    swept: list[Path] = field(default_factory=list)


class Sink:
    """The export's destination: stdout, or a file written aside and renamed at the end (an
    interrupted export never leaves a half file under the chosen name). Owner-only; the
    partial file is registered so a killed export's is removed by the next one."""

    def __init__(self, path: Path | None) -> None:
        from screening.records.outputs import PartialFile

        self.path = None if path is None else Path(path).expanduser()
        self.partial: PartialFile | None = None
        if self.path is None:
            self.handle: IO[str] = sys.stdout
            return
        if self.path.is_dir():
            raise ScreeningError(
                f"Cannot write the export to {self.path}: it is a folder. Give a file name "
                "with -o. Nothing was exported."
            )
        try:
            self.partial = PartialFile(self.path)
            self.handle = os.fdopen(self.partial.fd, "w", encoding="utf-8", newline="")
        except OSError as exc:
            if self.partial is not None:
                self.partial.abort()
            raise ScreeningError(
                f"Cannot write the export to {self.path}: {exc.strerror or exc}. Choose a "
                "file in a folder you may write to with -o. Nothing was exported."
            ) from None

    def write(self, text: str) -> None:
        try:
            self.handle.write(text)
        except UnicodeEncodeError:
            # Only a damaged or edited file holds half of a surrogate pair: saving refuses it.
            raise ScreeningError(
                "A value in the records database is not valid Unicode (half of a character "
                "pair): the file was damaged or edited outside screening. Run `screening "
                "records verify` to find the record. The export is incomplete."
            ) from None
        except OSError as exc:
            raise ScreeningError(
                f"Could not write the export to {self.path or 'stdout'}: "
                f"{exc.strerror or exc}. The export is incomplete."
            ) from None

    def commit(self) -> None:
        if self.partial is None or self.path is None:
            self.handle.flush()
            return
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            self.partial.commit()
        except OSError as exc:
            self.abort()
            raise ScreeningError(
                f"Could not write the export to {self.path}: {exc.strerror or exc}. Nothing "
                "was exported."
            ) from None

    def abort(self) -> None:
        if self.partial is None:
            return
        with contextlib.suppress(OSError):
            self.handle.close()
        self.partial.abort()


class Content:
    """Questionnaires (and their protected questions) by content hash, read once each."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.cache: dict[str, tuple[Any, set[str]]] = {}

    def get(self, content_hash: str) -> tuple[Any, set[str]]:
        if content_hash not in self.cache:
            from screening.content.catalogue import from_snapshot
            from screening.records.protection import protected_questions

            questionnaire, _ = from_snapshot(self.store.snapshot(content_hash))
            self.cache[content_hash] = (questionnaire, protected_questions(questionnaire))
        return self.cache[content_hash]


def export(
    store: Any,
    options: Options,
    private: Any,
    public: Any,
    progress: Callable[[int], Any],
    label: Callable[[Any, Any, str], str],
) -> Tally:
    """Write the export of ``options`` from ``store``; ``private`` opens sealed values,
    ``public`` seals plaintext ones on the fly, ``progress(total)`` gives a context whose value
    is called once a record, ``label`` shows an answer in a language (CSV label columns)."""
    from screening.interview.clock import Clock
    from screening.records.outputs import sweep_partials

    swept = sweep_partials(options.output)
    content = Content(store)
    total = store.count_records(**options.filters)
    columns = _csv_columns(store, content, options, private is not None) if (
        options.fmt is ExportFormat.csv) else []
    sink = Sink(options.output)
    clock = Clock()
    detail: dict[str, Any] = {
        "format": options.fmt.value,
        "filters": {k: v for k, v in options.filters.items() if v is not None},
        "opened": private is not None,
        "to": str(options.output) if options.output else "stdout",
    }
    if options.override_consent:
        detail["override_consent"] = True
        detail["reason"] = options.reason
    tally = Tally(swept=swept)
    try:
        store.log_event(None, "export", officer=options.officer, at=clock.stamp(),
                        detail=detail)
        with progress(total) as advance:
            _write_all(store, content, options, private, public, columns, sink, tally,
                       advance, clock, label)
    except BaseException:
        sink.abort()
        raise
    sink.commit()
    return tally


def check_key(store: Any, private: Any, path: Path | None) -> None:
    from screening.records.crypto import fingerprint

    mine = fingerprint(private)
    sealed_for = store.sealing_keys()
    if sealed_for and mine not in sealed_for:
        raise ScreeningError(
            f"The private key {path} is not the office key these records were sealed for: it "
            f"is office key {mine}, the records were sealed for {', '.join(sorted(sealed_for))}. "
            "Nothing was exported."
        )


def _pages(store: Any, filters: dict[str, Any]) -> Any:
    page: list[str] = []
    listed = getattr(store, "record_ids", None)  # a laptop's: ids alone, no answer counts
    ids = listed(**filters) if listed else (row["id"] for row in store.list_records(**filters))
    for rid in ids:
        page.append(rid)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _write_all(
    store: Any,
    content: Content,
    options: Options,
    private: Any,
    public: Any,
    columns: list[str],
    sink: Sink,
    tally: Tally,
    advance: Any,
    clock: Any,
    label: Callable[[Any, Any, str], str],
) -> None:
    fmt = options.fmt
    if fmt is ExportFormat.csv:
        writer = csv.writer(_SinkFile(sink), lineterminator="\n")
        writer.writerow(columns)
        rows = CsvRows(columns, options.lang, private is not None, label)
    first = True
    if fmt in (ExportFormat.json, ExportFormat.htcds):
        sink.write("[")
    # A CSV without the key shows little of the assessment and none of the trail: a laptop's
    # store reads just that (the central one reads whole records).
    brief = fmt is ExportFormat.csv and private is None
    read = getattr(store, "brief_records", store.records) if brief else store.records
    # A laptop's store, and the central one, give such a CSV its answers as stored: rows are
    # built as text.
    text = CsvText(rows) if brief and getattr(store, "csv_records", None) else None
    # A laptop's store reads such a CSV's pages ahead, in a thread: (ids, records) come.
    ahead = _ReadAhead(store, options.filters) if text is not None and getattr(
        store, "csv_text", None) else None
    with ahead or contextlib.nullcontext():
        pages = ahead.pages(store) if ahead is not None else (
            (ids, None) for ids in _pages(store, options.filters))
        for ids, ready in pages:
            if text is not None:
                page = _csv_page(content, options, text,
                                 ready if ready is not None else store.csv_records(ids))
                if page is not None:
                    lines, statuses = page
                    if lines:
                        sink.write("\n".join(lines) + "\n")
                    tally.identifying.update(statuses)
                    tally.written += len(lines)
                    for _ in lines:
                        advance()
                    continue
            prepared = []
            opened, overridden = [], []
            for record in read(ids):
                rid = record["id"]
                questionnaire, protect = content.get(record["content_hash"])
                out, status, problem = _prepare(record, protect, options, private, public,
                                                shape=not brief)
                tally.identifying[status] += 1
                if problem:
                    tally.unreadable.append((rid, problem))
                if status == "opened":
                    opened.append(rid)
                    if options.override_consent and record.get("consent_share") is not True:
                        overridden.append(rid)
                prepared.append((out, questionnaire, protect, status))
            if opened:  # logged before a single opened value is written
                detail: dict[str, Any] = {"via": "export", "records": opened}
                if overridden:
                    detail["override_consent"] = overridden
                    detail["reason"] = options.reason
                store.log_event(None, "decrypt", officer=options.officer, at=clock.stamp(),
                                detail=detail)
            for out, questionnaire, protect, status in prepared:
                if fmt is ExportFormat.csv:
                    writer.writerow(rows.row(out, questionnaire, protect, status))
                elif fmt is ExportFormat.htcds:
                    from screening.records.htcds import skip_reason, to_case

                    why = skip_reason(out)
                    if why:
                        tally.skipped[why] += 1
                        advance()
                        continue
                    case = to_case(out, questionnaire, lang=options.lang)
                    sink.write(("\n" if first else ",\n") + _dumps(case))
                elif fmt is ExportFormat.json:
                    sink.write(("\n" if first else ",\n") + _dumps(_json_record(out, status)))
                else:
                    sink.write(json.dumps(_json_record(out, status), ensure_ascii=False) + "\n")
                first = False
                tally.written += 1
                advance()
    if fmt in (ExportFormat.json, ExportFormat.htcds):
        sink.write("]\n" if first else "\n]\n")


def _csv_page(content: Content, options: Options, text: CsvText,
              records: list[dict[str, Any]] | None) -> tuple[list[str], list[str]] | None:
    """(the lines, each record's identifying status) of a page of a CSV without the key, or
    None when the page must be read the old way (a value neither SQLite nor JSON reads)."""
    if records is None:
        return None
    lines, statuses = [], []
    try:
        for record in records:
            questionnaire, protect = content.get(record["content_hash"])
            line, status = text.line(record, questionnaire, protect, options.override_consent)
            lines.append(line)
            statuses.append(status)
    except ValueError:
        return None
    return lines, statuses


class _ReadAhead:
    """The pages of a CSV without the key, read a page or two ahead by a thread with a
    connection of its own: SQLite builds each page's text in one step (:meth:`csv_text`),
    without Python's lock, while the rows of the page before are made. Pages come in order
    as (ids, records); a page the text does not read exactly comes as its ids alone, to be
    read the old way, and so do all the rest when a page's keys cannot be read (a damaged
    row, named by the old way). An error in the thread is raised in the export's; leaving
    the ``with`` stops the thread."""

    PAGE = 200
    AHEAD = 2

    def __init__(self, store: Any, filters: dict[str, Any]) -> None:
        self.filters = filters
        self.queue: queue.Queue[Any] = queue.Queue(self.AHEAD)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(store,),
                                       name="export-read-ahead", daemon=True)

    def __enter__(self) -> _ReadAhead:
        # the thread waits for Python's lock after each page: not the 5 ms default
        self.interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self.interval, 0.001))
        try:
            self.thread.start()
        except BaseException:
            sys.setswitchinterval(self.interval)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.stop.set()
            with contextlib.suppress(queue.Empty):  # a thread waiting to put sees the stop
                while True:
                    self.queue.get_nowait()
            self.thread.join(timeout=60)
        finally:  # even when a second Ctrl-C ends the wait
            sys.setswitchinterval(self.interval)

    def pages(self, store: Any) -> Iterator[tuple[list[str], list[dict[str, Any]] | None]]:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            after, last, read = item
            records = None if read is None else store.csv_parse(*read)
            if records is not None:
                yield [record["id"] for record in records], records
                continue
            ids = store.csv_range_ids(self.filters, after, last)  # the old way from here
            page: list[str] = []
            for rid in ids:
                page.append(rid)
                if len(page) == PAGE:
                    yield page, None
                    page = []
            if page:
                yield page, None
            if last is None:  # the rest of the records: the thread has stopped
                return

    def _put(self, item: Any) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _read(self, store: Any) -> None:
        from screening.records.queries import _decoding

        try:
            # a connection is used by the thread that opened it
            with type(store).open(store.path, create=False) as reader:
                after = None
                while True:
                    try:
                        count, last = reader.csv_range(self.filters, after, self.PAGE)
                    except StoreError as exc:
                        if not _decoding(exc.__cause__ or exc):
                            raise
                        self._put((after, None, None))  # the rest, the old way
                        return
                    if count == 0:
                        break
                    try:
                        read: tuple[int, str] | None = reader.csv_text(self.filters, after, last)
                    except StoreError as exc:
                        if not _decoding(exc.__cause__ or exc):
                            raise
                        read = None
                    if not self._put((after, last, read)):
                        return
                    if count < self.PAGE:
                        break
                    after = last
        except BaseException as exc:  # raised in the export's thread
            self._put(exc)
            return
        self._put(None)


class _SinkFile:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def write(self, text: str) -> None:
        self.sink.write(text)


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return "\n".join("  " + line for line in text.splitlines())


def _prepare(
    record: dict[str, Any], protect: set[str], options: Options, private: Any, public: Any,
    *, shape: bool = True,
) -> tuple[dict[str, Any], str, str | None]:
    """(the record as it may leave, what happened to its identifying data, a problem).
    ``shape=False`` (a CSV without the key, which has no column for a protected value, the
    notes or the findings) leaves a record that is withheld as it is: only its status
    counts."""
    from screening.records.protection import (
        SEALED,
        UNREADABLE,
        has_plaintext,
        open_record,
        payload,
        withhold,
    )

    sealed = bool(record.get("sealed"))
    if not sealed and not has_plaintext(record, protect):
        return record, ("erased" if record.get("erased_at") else "none"), None
    if record.get("consent_share") is not True and not options.override_consent:
        return (withhold(record, protect, NO_CONSENT) if shape else record), "withheld", None
    if private is not None:
        if not sealed:
            return record, "opened", None
        from screening.records.crypto import SealedDataError, WrongKey

        try:
            return open_record(record, private), "opened", None
        except WrongKey as exc:
            return withhold(record, protect, UNREADABLE), "unreadable", (
                f"sealed for another office key: {exc.message}")
        except SealedDataError as exc:
            return withhold(record, protect, UNREADABLE), "unreadable", exc.message
    if options.fmt in (ExportFormat.csv, ExportFormat.htcds):
        return (withhold(record, protect, NOT_SEALED) if shape else record), "left out", None
    if sealed:
        return record, "sealed", None
    if public is not None:
        from screening.records.crypto import seal

        out = withhold(record, protect, SEALED)
        from screening.records.device import device_key, sign_payload

        plain = json.dumps(payload(record, protect), sort_keys=True, ensure_ascii=False)
        aad = record["id"].encode("utf-8")
        signer = device_key()
        assert signer is not None  # made at first use
        out["sealed"] = seal(sign_payload(plain.encode("utf-8"), aad, signer), public, aad)
        return out, "sealed", None
    return withhold(record, protect, NOT_SEALED), "left out", None


def _json_record(record: dict[str, Any], status: str) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k != "sealed"}
    out["identifying"] = status
    if record.get("sealed"):
        out["sealed"] = record["sealed"]
    return out


# -- CSV -------------------------------------------------------------------------------------


def _question_columns(question: Any) -> list[str]:
    qid = question.id
    if question.type == "choice":
        return [qid, f"{qid}.label"]
    if question.type == "multi_choice":
        return [qid, f"{qid}.label", *(f"{qid}.{o.key}" for o in question.options)]
    return [qid]


def _csv_columns(store: Any, content: Content, options: Options, opened: bool) -> list[str]:
    """One column per question of every script version among the records (a handful of
    content snapshots, whatever the number of records)."""
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
