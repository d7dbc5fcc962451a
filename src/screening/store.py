"""The records database: the only module that touches SQLite (through sqlite-utils).

Durability first. Every write is its own ``BEGIN IMMEDIATE`` transaction, committed before the
method returns, on a WAL journal with ``synchronous=FULL``: an answer the officer has seen
accepted survives Ctrl-C, a closed terminal or a power cut. ``BEGIN IMMEDIATE`` takes the write
lock up front, so a second officer's process on the same file waits (busy timeout) instead of
failing when a read transaction would have to be upgraded.

Every SQLite failure leaves this module as one :class:`StoreError` whose message says what went
wrong and what to do; callers never see a raw ``sqlite3`` exception.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from screening.errors import NotFound, ScreeningError, StoreError, suggest

DEFAULT_DB_ENV = "SCREENING_DB"
APPLICATION = "screening"
STATUSES = ("draft", "completed")
OUTCOMES = ("completed", "consent_declined")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # as screening.clock.Clock.stamp()
_PAGE = 200  # rows per query when streaming a listing

#: Forward migrations: step N (1-based) takes the schema from version N-1 to N. Append only;
#: never edit a step that has shipped.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"INSERT INTO meta (key, value) VALUES ('application', '{APPLICATION}')",
        """CREATE TABLE content (
            hash TEXT PRIMARY KEY,
            questionnaire_id TEXT NOT NULL,
            questionnaire_yaml TEXT NOT NULL,
            indicator_set_yaml TEXT NOT NULL,
            extra_json TEXT,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE records (
            id TEXT PRIMARY KEY,
            questionnaire TEXT NOT NULL,
            questionnaire_version TEXT NOT NULL,
            content_hash TEXT NOT NULL REFERENCES content(hash),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
            outcome TEXT CHECK (outcome IN ('completed', 'consent_declined')),
            officer TEXT NOT NULL,
            location TEXT NOT NULL,
            language TEXT NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_at TEXT,
            level TEXT,
            assessment_json TEXT,
            consent_share INTEGER CHECK (consent_share IN (0, 1))
        )""",
        """CREATE TABLE answers (
            record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            value_json TEXT NOT NULL,
            officer TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (record_id, question_id)
        )""",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            old_value_json TEXT,
            new_value_json TEXT,
            officer TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            reason TEXT
        )""",
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
            question_id TEXT,
            text TEXT NOT NULL,
            officer TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        # No foreign key: the audit trail outlives a purged record.
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id TEXT,
            kind TEXT NOT NULL,
            officer TEXT NOT NULL,
            at TEXT NOT NULL,
            detail_json TEXT
        )""",
        "CREATE INDEX records_status_started ON records (status, started_at)",
        "CREATE INDEX records_level_started ON records (level, started_at)",
        "CREATE INDEX records_questionnaire ON records (questionnaire)",
        "CREATE INDEX records_completed ON records (completed_at)",
        "CREATE INDEX records_started ON records (started_at, id)",
        "CREATE INDEX history_record ON history (record_id, id)",
        "CREATE INDEX notes_record ON notes (record_id, id)",
        "CREATE INDEX events_record ON events (record_id, id)",
        # The audit tables are append-only: rows are added, never rewritten.
        """CREATE TRIGGER history_append_only BEFORE UPDATE ON history
            BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
        """CREATE TRIGGER events_append_only BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)

_ELSEWHERE = "or choose another database with --db or the SCREENING_DB environment variable"


def default_db_path() -> Path:
    """``$SCREENING_DB`` when set, else ``screening.db`` in the user's application folder."""
    env = os.environ.get(DEFAULT_DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return _app_db_path()


def _on_windows() -> bool:
    return os.name == "nt"


def _app_db_path() -> Path:
    if _on_windows():
        appdata = os.environ.get("APPDATA")
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        # The XDG spec says to ignore a relative value.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "screening" / "screening.db"


def new_record_id(now: datetime) -> str:
    """``YYYYMMDD-XXXXXX``: the UTC date and six random Crockford base32 characters.

    30 random bits a day; :meth:`Store.create_record` retries on the rare collision.
    """
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return now.strftime("%Y%m%d") + "-" + "".join(secrets.choice(CROCKFORD) for _ in range(6))


_ID_SHAPE = re.compile(r"(\d{8})-([0-9A-Z]{6})")
_CROCKFORD_READ = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _normalize_id(record_id: str) -> str:
    """What an officer meant: case and the look-alikes Crockford base32 forgives (O/0, I/L/1)."""
    text = record_id.strip().upper()
    match = _ID_SHAPE.fullmatch(text)
    if match:
        return f"{match[1]}-{match[2].translate(_CROCKFORD_READ)}"
    return text


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


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _bound(value: str | date, *, end: bool) -> tuple[str, str]:
    """A ``since``/``until`` filter as (operator, stamp) against ``started_at``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        day = value
        return (">=", day.isoformat()) if not end else ("<", (day + timedelta(1)).isoformat())
    else:
        text = str(value).strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return _bound(date.fromisoformat(text), end=end)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ScreeningError(
                f"'{value}' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM "
                "(a time without a zone is taken as UTC)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = moment.astimezone(UTC).strftime(_STAMP)
    return (">=", stamp) if not end else ("<=", stamp)


class Store:
    """One open records database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, *, create: bool = True, timeout: float = 10.0) -> None:
        self.path = Path(path).expanduser()
        self.timeout = timeout
        self._conn: sqlite3.Connection | None = None
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a folder, not a records database file. "
                f"Give the path of a file, {_ELSEWHERE}."
            )
        if not self.path.parent.is_dir():
            raise StoreError(
                f"Cannot open the records database {self.path}: the folder {self.path.parent} "
                f"does not exist. Create the folder first, {_ELSEWHERE}."
            )
        if not create and not self.path.exists():
            raise StoreError(
                f"There is no records database at {self.path}. Check the path, {_ELSEWHERE}."
            )
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open ``path``, or the default database; the default folder is created when missing."""
        target = Path(path).expanduser() if path is not None else default_db_path()
        if target.absolute() == _app_db_path().absolute():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"Cannot create the folder {target.parent} for the records database "
                    f"({exc.strerror}). Check the permissions of your home folder, {_ELSEWHERE}."
                ) from None
        return cls(target)

    # -- opening ---------------------------------------------------------------------------

    def _uri_mode(self) -> str:
        # 'rwc' creates a missing file; the folder check above keeps that to intended places.
        return "rwc"

    def _open(self) -> None:
        uri = f"{self.path.absolute().as_uri()}?mode={self._uri_mode()}"
        with self._guard("open the records database"):
            self._conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
            self._db = sqlite_utils.Database(self._conn, execute_plugins=False)
            self._db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            self._db.execute("PRAGMA foreign_keys = ON")
            # Identify before touching anything, so a foreign file is left exactly as it was.
            self._schema_version()
            self._enable_wal()
            self._db.execute("PRAGMA synchronous = FULL")
        self._migrate()

    def _enable_wal(self) -> None:
        # Switching the journal mode does not wait on the busy handler: retry by hand, for
        # when two processes open a brand-new file at the same moment.
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if (exc.sqlite_errorcode & 0xFF) != sqlite3.SQLITE_BUSY:
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def _schema_version(self) -> int:
        """0 for an empty file; raises StoreError for a file that is not ours or too new."""
        tables = {
            row[0]
            for row in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if not tables:
            return 0
        not_ours = StoreError(
            f"{self.path} is an SQLite database, but not a screening records database "
            f"(it holds other tables). Leave it untouched and {_ELSEWHERE.removeprefix('or ')}."
        )
        if "meta" not in tables:
            raise not_ours
        try:
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            version = int(meta.get("schema_version", 0))
        except (sqlite3.Error, ValueError, TypeError):
            raise not_ours from None
        if meta.get("application") != APPLICATION:
            raise not_ours
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The records database {self.path} was written by a newer version of screening "
                f"(schema {version}; this version knows {SCHEMA_VERSION}). Upgrade screening "
                "before using this file."
            )
        return version

    def _migrate(self) -> None:
        # Always take the write lock once: it runs pending migrations (re-checked under the
        # lock, another process may just have run them) and proves the file is writable, so a
        # read-only or jammed database fails now, not at the first answer.
        with self._write("open the records database"):
            version = self._schema_version()
            for step, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [str(step)],
                )
            # A write that changes nothing: SQLite refuses it on a read-only file.
            self._db.execute("UPDATE meta SET value = value WHERE 0")

    # -- errors and transactions -----------------------------------------------------------

    def _error(self, exc: sqlite3.Error, action: str) -> StoreError:
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        where = f"the records database {self.path}"
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            message = (
                f"Could not {action}: {where} is locked by another screening process that has "
                f"been writing for more than {self.timeout:g} s. Nothing was written. Wait a "
                "moment and try again; if it keeps happening, close the other screening "
                "windows that use this file."
            )
        elif code == sqlite3.SQLITE_READONLY:
            message = (
                f"Could not {action}: {where} is read-only. Make the file and its folder "
                f"writable, {_ELSEWHERE}."
            )
        elif code == sqlite3.SQLITE_CANTOPEN:
            message = (
                f"Could not {action}: {where} cannot be opened. Check that its folder exists "
                f"and that you may read and write the file and the folder, {_ELSEWHERE}."
            )
        elif code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            message = (
                f"{self.path} is not a screening records database (not an SQLite file, or a "
                f"damaged one). Leave it untouched and {_ELSEWHERE.removeprefix('or ')}."
            )
        elif code == sqlite3.SQLITE_FULL:
            message = (
                f"Could not {action}: the disk holding {where} is full. Nothing was written. "
                "Free some space and try again."
            )
        elif code == sqlite3.SQLITE_IOERR:
            message = (
                f"Could not {action}: the disk reported an error while using {where}. Nothing "
                "was written. Check the disk (or USB stick) and try again."
            )
        else:
            message = f"Could not {action}: {where} reported an error ({exc})."
        return StoreError(message)

    @contextlib.contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(exc, action) from exc

    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[None]:
        """One transaction holding the write lock; committed on exit, rolled back on any error."""
        conn = self._connection()
        with self._guard(action):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                raise

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"The records database {self.path} is closed.")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- records ---------------------------------------------------------------------------

    def _canonical_id(self, record_id: str) -> str:
        """The stored spelling of an id typed loosely; unknown ids are returned as given."""
        normal = _normalize_id(record_id)
        if normal != record_id:
            found = self._db.execute("SELECT 1 FROM records WHERE id = ?", [normal]).fetchone()
            exact = self._db.execute("SELECT 1 FROM records WHERE id = ?", [record_id]).fetchone()
            if found and not exact:
                return normal
        return record_id

    def _require(self, record_id: str, *, draft: bool = False) -> dict[str, Any]:
        """The record's row, or NotFound with a suggestion; ``draft`` refuses a completed one."""
        row = None
        for candidate in dict.fromkeys((record_id, _normalize_id(record_id))):
            row = next(self._db.query("SELECT * FROM records WHERE id = ?", [candidate]), None)
            if row is not None:
                break
        if row is None:
            ids = [r[0] for r in self._db.execute("SELECT id FROM records")]
            raise NotFound(
                f"There is no record '{record_id}' in {self.path}"
                f"{suggest(_normalize_id(record_id), ids)}.",
                hint="'screening records list' shows the records.",
            )
        if draft and row["status"] != "draft":
            raise StoreError(
                f"Record {row['id']} was completed on {row['completed_at']}; a completed "
                "record cannot be changed. Start a new interview instead."
            )
        return row

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
    ) -> str:
        """Start a draft bound to the exact content (hash + snapshot) it began with."""
        extra = {k: v for k, v in snapshot.items() if k not in ("questionnaire", "indicator_set")}
        content = {
            "hash": content_hash,
            "questionnaire_id": questionnaire_id,
            "questionnaire_yaml": snapshot["questionnaire"],
            "indicator_set_yaml": snapshot["indicator_set"],
            "extra_json": json.dumps(extra, ensure_ascii=False) if extra else None,
            "created_at": started_at,
        }
        started = datetime.fromisoformat(started_at)
        with self._write("start a new record"):
            self._db["content"].insert(content, ignore=True)
            while True:
                record_id = new_record_id(started)
                taken = self._db.execute("SELECT 1 FROM records WHERE id = ?", [record_id])
                if taken.fetchone() is None:
                    break
            self._db["records"].insert(
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
                }
            )
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
        with self._write("save the answer"):
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
                return  # the same answer again: nothing changes
            self._touch(rid, at)

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

    def _insert_answer(self, rid: str, qid: str, value_json: str, officer: str, at: str) -> None:
        seq = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM answers WHERE record_id = ?", [rid]
        ).fetchone()[0]
        self._db["answers"].insert(
            {
                "record_id": rid,
                "question_id": qid,
                "value_json": value_json,
                "officer": officer,
                "answered_at": at,
                "seq": seq,
            }
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
        self._db["history"].insert(
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

    def _event(
        self, record_id: str | None, kind: str, officer: str, at: str, detail: dict | None
    ) -> None:
        self._db["events"].insert(
            {
                "record_id": record_id,
                "kind": kind,
                "officer": officer,
                "at": at,
                "detail_json": None if detail is None else json.dumps(detail, ensure_ascii=False),
            }
        )

    def add_note(
        self, record_id: str, question_id: str | None, text: str, *, officer: str, at: str
    ) -> None:
        with self._write("save the note"):
            rid = self._require(record_id)["id"]
            self._db["notes"].insert(
                {
                    "record_id": rid,
                    "question_id": question_id,
                    "text": text,
                    "officer": officer,
                    "created_at": at,
                }
            )
            self._touch(rid, at)

    def log_event(
        self,
        record_id: str | None,
        kind: str,
        *,
        officer: str,
        at: str,
        detail: dict | None = None,
    ) -> None:
        """Append to the audit trail (``record_id`` may be None or a purged record's id)."""
        with self._write("write the audit trail"):
            if record_id is not None:
                record_id = self._canonical_id(record_id)
            self._event(record_id, kind, officer, at, detail)

    def set_language(self, record_id: str, language: str) -> None:
        with self._write("change the interview language"):
            rid = self._require(record_id, draft=True)["id"]
            self._db.execute("UPDATE records SET language = ? WHERE id = ?", [language, rid])

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
    ) -> None:
        """Complete a draft in ONE transaction: keep exactly ``answers``, store the assessment.

        Answers not in ``answers`` (questions hidden later) are dropped. For
        ``consent_declined`` nothing the person said is kept: no answers, no answer history.
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
                "assessment_json = ?, consent_share = ?, completed_at = ?, updated_at = ? "
                "WHERE id = ?",
                [
                    outcome,
                    level,
                    None if assessment is None else json.dumps(assessment, ensure_ascii=False),
                    None if consent_share is None else int(consent_share),
                    completed_at,
                    completed_at,
                    rid,
                ],
            )
            self._event(
                rid,
                "finalize",
                officer,
                completed_at,
                {"outcome": outcome, "level": level, "answers": len(wanted), "dropped": dropped},
            )

    # -- reading ---------------------------------------------------------------------------

    def record(self, record_id: str) -> dict[str, Any]:
        """Everything about one record; raises NotFound (with a "did you mean")."""
        with self._guard("read the record"):
            row = self._require(record_id)
            rid = row["id"]
            notes = list(
                self._db.query(
                    "SELECT id, question_id, text, officer, created_at FROM notes "
                    "WHERE record_id = ? ORDER BY id",
                    [rid],
                )
            )
            history = [
                {
                    "id": h["id"],
                    "question_id": h["question_id"],
                    "old_value": _load(h["old_value_json"]),
                    "new_value": _load(h["new_value_json"]),
                    "deleted": h["new_value_json"] is None,
                    "officer": h["officer"],
                    "changed_at": h["changed_at"],
                    "reason": h["reason"],
                }
                for h in self._db.query(
                    "SELECT * FROM history WHERE record_id = ? ORDER BY id", [rid]
                )
            ]
            events = [
                {
                    "id": e["id"],
                    "kind": e["kind"],
                    "officer": e["officer"],
                    "at": e["at"],
                    "detail": _load(e["detail_json"]),
                }
                for e in self._db.query(
                    "SELECT * FROM events WHERE record_id = ? ORDER BY id", [rid]
                )
            ]
            answers = self._answers(rid)
        return {
            "id": rid,
            "status": row["status"],
            "outcome": row["outcome"],
            "questionnaire": row["questionnaire"],
            "questionnaire_version": row["questionnaire_version"],
            "content_hash": row["content_hash"],
            "officer": row["officer"],
            "location": row["location"],
            "language": row["language"],
            "started_at": row["started_at"],
            "updated_at": row["updated_at"],
            "completed_at": row["completed_at"],
            "level": row["level"],
            "assessment": _load(row["assessment_json"]),
            "consent_share": None if row["consent_share"] is None else bool(row["consent_share"]),
            "answers": answers,
            "notes": notes,
            "history": history,
            "events": events,
        }

    def answers(self, record_id: str) -> dict[str, object]:
        """The record's answers, question id -> value, in the order they were first given."""
        with self._guard("read the answers"):
            return self._answers(self._require(record_id)["id"])

    def _answers(self, rid: str) -> dict[str, object]:
        rows = self._db.execute(
            "SELECT question_id, value_json FROM answers WHERE record_id = ? ORDER BY seq", [rid]
        )
        return {qid: json.loads(value_json) for qid, value_json in rows}

    def snapshot(self, content_hash: str) -> dict[str, str]:
        """The content a record was started with: ``{"questionnaire", "indicator_set"}`` YAML."""
        with self._guard("read the content snapshot"):
            row = next(self._db.query("SELECT * FROM content WHERE hash = ?", [content_hash]), None)
        if row is None:
            raise NotFound(f"No content snapshot with hash '{content_hash}' in {self.path}.")
        result = {
            "questionnaire": row["questionnaire_yaml"],
            "indicator_set": row["indicator_set_yaml"],
        }
        result.update(_load(row["extra_json"]) or {})
        return result

    def list_records(
        self,
        *,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        questionnaire: str | None = None,
        level: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict]:
        """Stream records, newest first (by ``started_at``), a page of rows per query.

        ``since``/``until`` are ISO dates or date-times compared with ``started_at``; a date as
        ``until`` includes that whole day.
        """
        where: list[str] = []
        params: list[object] = []
        for column, wanted in (
            ("status", status),
            ("questionnaire", questionnaire),
            ("level", level),
        ):
            if wanted is not None:
                where.append(f"r.{column} = ?")
                params.append(wanted)
        for bound, end in ((since, False), (until, True)):
            if bound is not None:
                op, stamp = _bound(bound, end=end)
                where.append(f"r.started_at {op} ?")
                params.append(stamp)
        return self._stream(where, params, limit)

    def _stream(self, where: list[str], params: list[object], limit: int | None) -> Iterator[dict]:
        left = limit
        after: tuple[str, str] | None = None
        while left is None or left > 0:
            page = _PAGE if left is None else min(_PAGE, left)
            # Keyset paging: no cursor stays open between pages, so a caller may write while
            # iterating.
            clauses = list(where)
            args = list(params)
            if after is not None:
                clauses.append("(r.started_at < ? OR (r.started_at = ? AND r.id < ?))")
                args += [after[0], after[0], after[1]]
            sql = (
                "SELECT r.id, r.status, r.outcome, r.questionnaire, r.level, r.officer, "
                "r.location, r.language, r.started_at, r.completed_at, "
                "(SELECT COUNT(*) FROM answers a WHERE a.record_id = r.id) AS answered "
                "FROM records r"
                + (" WHERE " + " AND ".join(clauses) if clauses else "")
                + " ORDER BY r.started_at DESC, r.id DESC LIMIT ?"
            )
            with self._guard("list the records"):
                rows = list(self._db.query(sql, [*args, page]))
            yield from rows
            if len(rows) < page:
                return
            after = (rows[-1]["started_at"], rows[-1]["id"])
            if left is not None:
                left -= len(rows)

    def drafts(self) -> list[dict]:
        """Open drafts, most recently touched first, with how many answers each holds."""
        with self._guard("list the drafts"):
            return list(
                self._db.query(
                    "SELECT r.id, r.questionnaire, r.questionnaire_version, r.officer, "
                    "r.location, r.language, r.started_at, r.updated_at, "
                    "(SELECT COUNT(*) FROM answers a WHERE a.record_id = r.id) AS answered "
                    "FROM records r WHERE r.status = 'draft' "
                    "ORDER BY r.updated_at DESC, r.id DESC"
                )
            )
