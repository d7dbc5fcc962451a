"""The records database: the only module that touches SQLite (through sqlite-utils).

Durability first. Every write is its own ``BEGIN IMMEDIATE`` transaction, committed before the
method returns, on a WAL journal with ``synchronous=FULL``: an answer the officer has seen
accepted survives Ctrl-C, a closed terminal or a power cut. ``BEGIN IMMEDIATE`` takes the write
lock up front, so a second officer's process on the same file waits (busy timeout) instead of
failing when a read transaction would have to be upgraded.

Every SQLite failure leaves this module as one :class:`StoreError` whose message says what went
wrong and what to do; callers never see a raw ``sqlite3`` exception.

The audit trail (``events``) is append-only and hash-chained: each event's hash covers the
previous event's hash and everything in the event. Every write appends its event in the same
transaction as the change, and events that change a record carry keyed digests (HMAC under a
per-record ``trail_key``) of what the record holds afterwards, so :meth:`Store.verify` can check
the stored records against the trail. The trail never holds an answer's value, only digests; the
per-record key is replaced when a record is finalized or erased, so earlier digests can no
longer be tested against guessed values (a name, a phone number).

Protected values (identifying answers, free text, notes) are replaced by a marker when a record
is sealed (``{"sealed": true}``, the sealed envelope kept on the record) or erased
(``{"erased": true}``). ``secure_delete`` zeroes freed space and a ``TRUNCATE`` checkpoint
empties the write-ahead log afterwards, so no plaintext survives in the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
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
_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # as screening.interview.clock.Clock.stamp()
_PAGE = 200  # rows per query when streaming a listing

#: A protected value once sealed or erased (answers, history); notes are flagged instead.
SEALED = json.dumps({"sealed": True})
ERASED = json.dumps({"erased": True})
MARKERS = (SEALED, ERASED)
GENESIS = "0" * 64  #: the previous hash of the first event
_DIGEST_CHARS = 32  #: 128 bits of HMAC-SHA256
_EVENTS_APPEND_ONLY = """CREATE TRIGGER events_append_only BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"""

#: Seals a payload for a record: (payload, associated data = the record id) -> envelope.
Sealer = Callable[[bytes, bytes], dict]

#: Forward migrations: step N (1-based) takes the schema from version N-1 to N. Append only;
#: never edit a step that has shipped. A step is SQL statements, or a function given the store
#: (run inside the same transaction).
MIGRATIONS: list[tuple[Any, ...]] = [
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
    (
        # 2: the hash-chained trail, sealed records, erasure.
        "ALTER TABLE events ADD COLUMN digest_json TEXT",
        "ALTER TABLE events ADD COLUMN prev_hash TEXT",
        "ALTER TABLE events ADD COLUMN hash TEXT",
        "ALTER TABLE records ADD COLUMN sealed_json TEXT",
        "ALTER TABLE records ADD COLUMN erased_at TEXT",
        "ALTER TABLE records ADD COLUMN trail_key TEXT",
        "ALTER TABLE notes ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0",
        "DROP TRIGGER history_append_only",
        # Only sealing or erasing may touch a history row, and only to put a marker in place.
        f"""CREATE TRIGGER history_append_only BEFORE UPDATE ON history
            WHEN NEW.id IS NOT OLD.id OR NEW.record_id IS NOT OLD.record_id
              OR NEW.question_id IS NOT OLD.question_id OR NEW.officer IS NOT OLD.officer
              OR NEW.changed_at IS NOT OLD.changed_at OR NEW.reason IS NOT OLD.reason
              OR (NEW.old_value_json IS NOT OLD.old_value_json
                  AND COALESCE(NEW.old_value_json, '') NOT IN ('{SEALED}', '{ERASED}'))
              OR (NEW.new_value_json IS NOT OLD.new_value_json
                  AND COALESCE(NEW.new_value_json, '') NOT IN ('{SEALED}', '{ERASED}'))
            BEGIN SELECT RAISE(ABORT,
                'history is append-only: only sealing or erasing may replace a value'); END""",
        """CREATE TRIGGER events_never_deleted BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the audit trail is never deleted'); END""",
        lambda store: store._chain_existing(),
    ),
    (
        # Listings page by (started_at, id) under a filter: an index that ends in both lets
        # each page start where the last one stopped instead of sorting every match again.
        "CREATE INDEX records_level_page ON records (level, started_at, id)",
        "CREATE INDEX records_status_page ON records (status, started_at, id)",
        "CREATE INDEX records_questionnaire_page ON records (questionnaire, started_at, id)",
        "DROP INDEX records_level_started",
        "DROP INDEX records_status_started",
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


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(
    prev_hash: str | None,
    event_id: int,
    record_id: str | None,
    kind: str,
    officer: str,
    at: str,
    detail_json: str | None,
    digest_json: str | None,
) -> str:
    """The hash of one event: it covers the previous event's hash and every column."""
    fields = [prev_hash, event_id, record_id, kind, officer, at, detail_json, digest_json]
    return hashlib.sha256(_canonical(fields)).hexdigest()


def _mac(key: str | None, value: object) -> str:
    digest = hmac.new(bytes.fromhex(key or ""), _canonical(value), hashlib.sha256)
    return digest.hexdigest()[:_DIGEST_CHARS]


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
        #: False when the last checkpoint could not empty the write-ahead log.
        self.wal_clean = True
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
            # Freed space is zeroed: an erased or sealed value leaves no copy in free pages.
            self._db.execute("PRAGMA secure_delete = ON")
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
                    if callable(statement):
                        statement(self)
                    else:
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
        detail: dict | None = None,
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
                    "trail_key": secrets.token_hex(32),
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
            detail: dict[str, Any] = {"question": question_id}
            if old is not None and reason:
                detail["reason"] = reason
            kind = "answer" if old is None else "change"
            self._record_event(rid, kind, officer, at, detail, answer=question_id)

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

    # -- the audit trail -------------------------------------------------------------------

    def _event(
        self,
        record_id: str | None,
        kind: str,
        officer: str,
        at: str,
        detail: dict | None,
        digest: dict | None = None,
    ) -> None:
        """Append one event to the chain; call inside a write transaction (the lock orders it)."""
        last = self._db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        counter = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
        ).fetchone()
        event_id = max(last[0] if last else 0, counter[0] if counter else 0) + 1
        prev_hash = (last[1] if last else None) or GENESIS
        detail_json = None if detail is None else json.dumps(detail, ensure_ascii=False)
        digest_json = None if digest is None else json.dumps(digest, sort_keys=True)
        self._db["events"].insert(
            {
                "id": event_id,
                "record_id": record_id,
                "kind": kind,
                "officer": officer,
                "at": at,
                "detail_json": detail_json,
                "digest_json": digest_json,
                "prev_hash": prev_hash,
                "hash": event_hash(
                    prev_hash, event_id, record_id, kind, officer, at, detail_json, digest_json
                ),
            }
        )

    def _digests(self, rid: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """(state, fields, answers): keyed digests of what the record holds now.

        ``state`` covers the record row, its answers, history and notes; ``fields`` each column
        of the row; ``answers`` each stored answer value. All under the record's trail key.
        """
        row = next(self._db.query("SELECT * FROM records WHERE id = ?", [rid]))
        key = row.pop("trail_key", None)
        answers = self._db.execute(
            "SELECT question_id, value_json, officer, answered_at, seq FROM answers "
            "WHERE record_id = ? ORDER BY question_id",
            [rid],
        ).fetchall()
        history = self._db.execute(
            "SELECT id, question_id, old_value_json, new_value_json, officer, changed_at, reason "
            "FROM history WHERE record_id = ? ORDER BY id",
            [rid],
        ).fetchall()
        notes = self._db.execute(
            "SELECT id, question_id, text, officer, created_at, sealed FROM notes "
            "WHERE record_id = ? ORDER BY id",
            [rid],
        ).fetchall()
        state = {
            "row": _mac(key, row),
            "answers": _mac(key, [list(a) for a in answers]),
            "history": _mac(key, [list(h) for h in history]),
            "notes": _mac(key, [list(n) for n in notes]),
        }
        fields = {column: _mac(key, value) for column, value in row.items()}
        values = {a[0]: _mac(key, a[1]) for a in answers}
        return state, fields, values

    def _record_event(
        self,
        rid: str,
        kind: str,
        officer: str,
        at: str,
        detail: dict | None,
        *,
        answer: str | None = None,
        full: bool = False,
    ) -> None:
        """An event that changed record ``rid``, with digests of what the record now holds."""
        state, fields, values = self._digests(rid)
        digest: dict[str, Any] = {"state": state}
        if answer is not None:
            digest["question"] = answer
            if answer in values:
                digest["value"] = values[answer]
            else:
                digest["deleted"] = True
        if full:
            digest["fields"] = fields
            digest["answers"] = values
        self._event(rid, kind, officer, at, detail, digest)

    def _chain_existing(self) -> None:
        """Migration 2: chain the events written before the chain existed, give every record a
        trail key and a ``baseline`` event: the trail vouches for them from here on."""
        self._db.execute("DROP TRIGGER events_append_only")
        prev = GENESIS
        rows = self._db.execute(
            "SELECT id, record_id, kind, officer, at, detail_json FROM events ORDER BY id"
        ).fetchall()
        for event_id, record_id, kind, officer, at, detail_json in rows:
            digest = event_hash(prev, event_id, record_id, kind, officer, at, detail_json, None)
            self._db.execute(
                "UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, event_id]
            )
            prev = digest
        self._db.execute(_EVENTS_APPEND_ONLY)
        now = datetime.now(UTC).strftime(_STAMP)
        for (rid,) in self._db.execute("SELECT id FROM records ORDER BY id").fetchall():
            self._db.execute(
                "UPDATE records SET trail_key = ? WHERE id = ?", [secrets.token_hex(32), rid]
            )
            self._record_event(
                rid, "baseline", "", now, {"reason": "schema 2: the trail starts here"}, full=True
            )

    def add_note(
        self, record_id: str, question_id: str | None, text: str, *, officer: str, at: str
    ) -> None:
        with self._write("save the note"):
            row = self._require(record_id)
            rid = row["id"]
            if row["status"] != "draft" and row["sealed_json"]:
                raise StoreError(f"Record {rid} is sealed; a note cannot be added to it any more.")
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
            self._record_event(rid, "note", officer, at, {"question": question_id})

    def log_event(
        self,
        record_id: str | None,
        kind: str,
        *,
        officer: str,
        at: str,
        detail: dict | None = None,
    ) -> None:
        """Append to the audit trail (``record_id`` may be None or a purged record's id).

        ``detail`` must never hold an answer's value: the trail outlives erasure.
        """
        with self._write("write the audit trail"):
            if record_id is not None:
                record_id = self._canonical_id(record_id)
            self._event(record_id, kind, officer, at, detail)

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
        envelope = sealer(_canonical(payload), rid.encode("utf-8"))
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
                self._db.execute(
                    "UPDATE records SET sealed_json = NULL, assessment_json = ?, erased_at = ? "
                    "WHERE id = ?",
                    [_scrub_assessment(row["assessment_json"], protect, {"erased": True}), at, rid],
                )
                self._new_trail_key(rid)
                detail = {"reason": reason, "questions": erased, "notes": notes}
                self._record_event(rid, kind, officer, at, detail, full=True)
                result = {"id": rid, "removed": False, "questions": erased, "notes": notes}
        if checkpoint:
            self.checkpoint()
        return result

    def purge_candidates(
        self, *, completed_before: str | None, drafts_before: str | None
    ) -> list[dict[str, Any]]:
        """Completed records finished before ``completed_before`` and not erased yet, and drafts
        untouched since before ``drafts_before``: id, status, content hash."""
        clauses, params = [], []
        if completed_before is not None:
            clauses.append("(status = 'completed' AND erased_at IS NULL AND completed_at < ?)")
            params.append(completed_before)
        if drafts_before is not None:
            clauses.append("(status = 'draft' AND updated_at < ?)")
            params.append(drafts_before)
        if not clauses:
            return []
        with self._guard("find the records to purge"):
            return list(
                self._db.query(
                    "SELECT id, status, content_hash, started_at, updated_at, completed_at "
                    f"FROM records WHERE {' OR '.join(clauses)} ORDER BY started_at, id",
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

    def checkpoint(self) -> bool:
        """Copy the write-ahead log into the file and empty it, so no older page (an answer
        before it was sealed or erased) survives in it. False when another process's open
        read kept it from finishing (the log is emptied at the next checkpoint)."""
        conn = self._connection()
        try:
            conn.execute("PRAGMA busy_timeout = 2000")
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error:
            busy = 1
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        self.wal_clean = not busy
        return not busy

    # -- reading ---------------------------------------------------------------------------

    def record(self, record_id: str) -> dict[str, Any]:
        """Everything about one record; raises NotFound (with a "did you mean")."""
        with self._guard("read the record"):
            return self._assemble([self._require(record_id)])[0]

    def records(self, record_ids: list[str]) -> list[dict[str, Any]]:
        """Several records as :meth:`record` gives them, in the order asked, in one query per
        table (an export reads a page of ids at a time). Unknown ids are left out."""
        if not record_ids:
            return []
        with self._guard("read the records"):
            marks = ",".join("?" * len(record_ids))
            rows = {
                row["id"]: row
                for row in self._db.query(
                    f"SELECT * FROM records WHERE id IN ({marks})", record_ids
                )
            }
            return self._assemble([rows[rid] for rid in record_ids if rid in rows])

    def _assemble(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        notes: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        for n in self._db.query(
            "SELECT record_id, id, question_id, text, officer, created_at, sealed FROM notes "
            f"WHERE record_id IN ({marks}) ORDER BY id",
            ids,
        ):
            notes[n["record_id"]].append(
                {
                    "id": n["id"],
                    "question_id": n["question_id"],
                    "text": {"sealed": True} if n["sealed"] else n["text"],
                    "officer": n["officer"],
                    "created_at": n["created_at"],
                }
            )
        history: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        for h in self._db.query(
            f"SELECT * FROM history WHERE record_id IN ({marks}) ORDER BY id", ids
        ):
            history[h["record_id"]].append(
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
            )
        events: dict[str, list[dict[str, Any]]] = {rid: [] for rid in ids}
        for e in self._db.query(
            "SELECT record_id, id, kind, officer, at, detail_json FROM events "
            f"WHERE record_id IN ({marks}) ORDER BY id",
            ids,
        ):
            events[e["record_id"]].append(
                {
                    "id": e["id"],
                    "kind": e["kind"],
                    "officer": e["officer"],
                    "at": e["at"],
                    "detail": _load(e["detail_json"]),
                }
            )
        answers: dict[str, dict[str, object]] = {rid: {} for rid in ids}
        for rid, qid, value_json in self._db.execute(
            "SELECT record_id, question_id, value_json FROM answers "
            f"WHERE record_id IN ({marks}) ORDER BY record_id, seq",
            ids,
        ):
            answers[rid][qid] = json.loads(value_json)
        return [
            {
                "id": row["id"],
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
                "consent_share": None
                if row["consent_share"] is None
                else bool(row["consent_share"]),
                "sealed": _load(row["sealed_json"]),
                "erased_at": row["erased_at"],
                "answers": answers[row["id"]],
                "notes": notes[row["id"]],
                "history": history[row["id"]],
                "events": events[row["id"]],
            }
            for row in rows
        ]

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
        where, params = self._filters(status, since, until, questionnaire, level)
        return self._stream(where, params, limit)

    def count_records(
        self,
        *,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        questionnaire: str | None = None,
        level: str | None = None,
    ) -> int:
        """How many records :meth:`list_records` would stream (for a progress bar)."""
        where, params = self._filters(status, since, until, questionnaire, level)
        sql = "SELECT COUNT(*) FROM records r" + (" WHERE " + " AND ".join(where) if where else "")
        with self._guard("count the records"):
            return int(self._db.execute(sql, params).fetchone()[0])

    def content_hashes(self, **filters: Any) -> list[str]:
        """The content snapshots the matching records began with (a handful, not one each)."""
        where, params = self._filters(**filters)
        sql = "SELECT DISTINCT r.content_hash FROM records r" + (
            " WHERE " + " AND ".join(where) if where else ""
        )
        with self._guard("list the content of the records"):
            return sorted(h for (h,) in self._db.execute(sql, params))

    def sealing_keys(self) -> set[str]:
        """Fingerprints of the office keys the sealed records were sealed for."""
        with self._guard("read the sealed records"):
            return {
                k
                for (k,) in self._db.execute(
                    "SELECT DISTINCT json_extract(sealed_json, '$.key') FROM records "
                    "WHERE sealed_json IS NOT NULL"
                )
                if k
            }

    def _filters(
        self,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        questionnaire: str | None = None,
        level: str | None = None,
    ) -> tuple[list[str], list[object]]:
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
        return where, params

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
                clauses.append("(r.started_at, r.id) < (?, ?)")
                args += [after[0], after[1]]
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

    # -- verification ----------------------------------------------------------------------

    def verify(self) -> dict[str, Any]:
        """Check the hash chain of the trail, then every stored record against the trail.

        Returns ``{"ok", "events", "records", "head", "problems"}``; each problem is
        ``{"what": "event" | "record", "id", "problem"}`` naming what was edited, deleted,
        inserted or reordered behind the tool's back. Read in one snapshot.
        """
        problems: list[dict[str, Any]] = []

        def report(what: str, ident: object, text: str) -> None:
            problems.append({"what": what, "id": ident, "problem": text})

        conn = self._connection()
        with self._guard("verify the audit trail"):
            conn.execute("BEGIN")
            try:
                count, head, trail = self._verify_chain(report)
                records = self._verify_records(trail, report)
            finally:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("COMMIT")
        return {
            "ok": not problems,
            "events": count,
            "records": records,
            "head": head,
            "problems": problems,
        }

    def _verify_chain(
        self, report: Callable[[str, object, str], None]
    ) -> tuple[int, str, dict[str, dict[str, Any]]]:
        """Walk the events in order: hashes, links, gaps. Returns (count, head hash, what the
        trail says of each record: created, removed, last state digest)."""
        trail: dict[str, dict[str, Any]] = {}
        broken: dict[int, tuple] = {}
        last_id, last_hash, count = 0, GENESIS, 0
        while True:
            rows = self._db.execute(
                "SELECT id, record_id, kind, officer, at, detail_json, digest_json, prev_hash, "
                "hash FROM events WHERE id > ? ORDER BY id LIMIT 1000",
                [last_id],
            ).fetchall()
            if not rows:
                break
            for row in rows:
                event_id, record_id, kind, _, _, _, digest_json, prev_hash, stored = row
                count += 1
                intact = event_hash(prev_hash, *row[:7]) == stored
                if not intact:
                    broken[event_id] = row
                if event_id != last_id + 1:
                    report("event", last_id + 1, _deleted(last_id, event_id))
                elif intact and prev_hash != last_hash:
                    report(
                        "event",
                        event_id,
                        f"event {event_id} does not follow event {last_id} in the chain: an "
                        "event was inserted or the order was changed",
                    )
                last_id, last_hash = event_id, stored or ""
                if record_id is not None:
                    _replay(trail.setdefault(record_id, {}), kind, digest_json)
        counter = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
        ).fetchone()
        if counter and counter[0] > last_id:
            first, end = last_id + 1, counter[0]
            span = f"{first}" if first == end else f"{first} to {end}"
            report("event", first, f"event(s) {span} were deleted (the newest events)")
        swapped: set[int] = set()
        ids = sorted(broken)[:200]
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                if a in swapped or b in swapped:
                    continue
                if _belongs_at(broken[a], broken[b]) and _belongs_at(broken[b], broken[a]):
                    swapped |= {a, b}
                    report(
                        "event",
                        a,
                        f"events {a} and {b} were swapped (reordered): each holds what belongs "
                        "at the other's place",
                    )
        for event_id, row in sorted(broken.items()):
            if event_id not in swapped:
                about = f", record {row[1]}" if row[1] else ""
                report(
                    "event",
                    event_id,
                    f"event {event_id} ({row[2]}{about}) was edited, or inserted behind the "
                    "tool's back: it does not match its hash",
                )
        return count, last_hash, trail

    def _verify_records(
        self, trail: dict[str, dict[str, Any]], report: Callable[[str, object, str], None]
    ) -> int:
        seen: set[str] = set()
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
        values: dict[str, str] = {}
        for (digest_json,) in self._db.execute(
            "SELECT digest_json FROM events WHERE record_id = ? ORDER BY id", [rid]
        ):
            digest = _digest(digest_json)
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


def _digest(digest_json: str | None) -> dict[str, Any]:
    try:
        digest = json.loads(digest_json) if digest_json else {}
    except ValueError:
        return {}
    return digest if isinstance(digest, dict) else {}


def _replay(said: dict[str, Any], kind: str, digest_json: str | None) -> None:
    digest = _digest(digest_json)
    if kind in ("create", "baseline"):
        said["created"] = True
        said["removed"] = False
    if digest.get("removed"):
        said["removed"] = True
    if "state" in digest:
        said["state"] = digest["state"]


def _deleted(last_id: int, event_id: int) -> str:
    first, end = last_id + 1, event_id - 1
    if end < first:
        return f"event {event_id} is out of order: it comes after event {last_id}"
    span = f"{first}" if first == end else f"{first} to {end}"
    return f"event(s) {span} were deleted (the trail jumps from event {last_id} to {event_id})"


def _belongs_at(row: tuple, place: tuple) -> bool:
    """Whether the contents of ``row`` are the event that was written at ``place``: either the
    contents moved (id, links and hash stayed) or the whole row moved (only the id stayed)."""
    content = row[1:7]
    return event_hash(place[7], place[0], *content) == place[8] or (
        event_hash(row[7], place[0], *content) == row[8]
    )
