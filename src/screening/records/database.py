"""The records database: opening the SQLite file (the only code that touches SQLite,
through sqlite-utils, with the other store modules), running its migrations (``schema``),
errors and transactions.

Durability first. Every write is its own ``BEGIN IMMEDIATE`` transaction, committed before the
method returns, on a WAL journal with ``synchronous=FULL``: an answer the officer has seen
accepted survives Ctrl-C, a closed terminal or a power cut. ``BEGIN IMMEDIATE`` takes the write
lock up front, so a second officer's process on the same file waits (busy timeout) instead of
failing when a read transaction would have to be upgraded.

Every SQLite failure leaves the store as one :class:`StoreError` whose message says what went
wrong and what to do; callers never see a raw ``sqlite3`` exception.

The store's other concerns (``trail``, ``sealing``, ``writes``, ``queries``) are mixins on
:class:`Database`; ``screening.records.store.Store`` joins them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from screening.errors import NotFound, StoreError, suggest
from screening.files import create_private, private_folder, wider_than_owner
from screening.records.listing import _STAMP as _STAMP  # writes.py reads it here
from screening.records.listing import CENTRAL_SCHEMES
from screening.records.schema import _EVENTS_APPEND_ONLY as _EVENTS_APPEND_ONLY
from screening.records.schema import APPLICATION, MIGRATIONS, SCHEMA_VERSION
from screening.records.schema import ERASED as ERASED  # the store's modules read these here
from screening.records.schema import MARKERS as MARKERS
from screening.records.schema import SEALED as SEALED
from screening.records.schema import STATUSES as STATUSES

TYPE_CHECKING = False  # typing itself takes ~3 ms to import: names for the checker only
if TYPE_CHECKING:
    from typing import Any, Self

DEFAULT_DB_ENV = "SCREENING_DB"


_ELSEWHERE = "or choose another database with --db or the SCREENING_DB environment variable"


def default_db_path() -> Path:
    """``$SCREENING_DB`` when set, else ``screening.db`` in the user's application folder."""
    env = os.environ.get(DEFAULT_DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return _app_db_path()


def _on_windows() -> bool:
    return os.name == "nt"


def app_folder() -> Path:
    """The tool's own folder for data: the default database, the register of partial files."""
    return _app_db_path().parent


def _app_db_path() -> Path:
    if _on_windows():
        appdata = os.environ.get("APPDATA")
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        # The XDG spec says to ignore a relative value.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "screening" / "screening.db"


_ID_SHAPE = re.compile(r"(\d{8})-([0-9A-Z]{6})(-[0-9A-Z]{4})?")
_CROCKFORD_READ = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _create_owner_only(path: Path) -> None:
    """Create a missing database file as 0600 before SQLite does (SQLite gives its -wal and
    -shm the database file's permissions), whatever the umask."""
    try:
        os.close(create_private(path))
    except FileExistsError:
        pass  # there already, or another process made it this instant
    except OSError:
        pass  # SQLite words the problem when it opens the file


def _warn_if_shared(path: Path) -> None:
    """A database (or its -wal/-shm) that other accounts may read gets a warning with the fix."""
    shared = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if wider_than_owner(p)]
    if shared and str(path) not in _warned:
        import shlex

        _warned.add(str(path))
        from screening.records.outputs import notice

        notice(
            f"the records database {path} can be read by other accounts on this computer. "
            "Make it owner-only: chmod 600 " + " ".join(shlex.quote(str(p)) for p in shared)
        )


_warned: set[str] = set()


def _normalize_id(record_id: str) -> str:
    """What an officer meant: case and the look-alikes Crockford base32 forgives (O/0, I/L/1)."""
    text = record_id.strip().upper()
    match = _ID_SHAPE.fullmatch(text)
    if match:
        tail = (match[3] or "").translate(_CROCKFORD_READ)
        return f"{match[1]}-{match[2].translate(_CROCKFORD_READ)}{tail}"
    return text


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Undecodable(str):
    """Text read from a cell whose bytes are not UTF-8 (shown with replacement characters)."""


def _lenient_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Undecodable(data.decode("utf-8", "replace"))


#: The JSON columns of each table, and how a message names what a record holds there.
JSON_COLUMNS = {
    "records": ("assessment_json", "sealed_json"),
    "answers": ("value_json",),
    "history": ("old_value_json", "new_value_json"),
    "events": ("detail_json", "digest_json"),
}
_NOUNS = {
    ("records", "assessment_json"): ("its assessment", False),
    ("records", "sealed_json"): ("its sealed envelope", False),
    ("records", None): ("its details", True),
    ("answers", None): ("its answers", True),
    ("history", None): ("its change history", False),
    ("notes", None): ("its notes", True),
    ("events", None): ("its audit events", True),
}
_DAMAGE_CHECKS = (
    ("records", "id", ("id", "questionnaire", "questionnaire_version", "content_hash", "status",
                       "outcome", "officer", "location", "language", "started_at", "updated_at",
                       "completed_at", "level", "assessment_json", "sealed_json", "erased_at")),
    ("answers", "record_id", ("question_id", "value_json", "officer", "answered_at")),
    ("history", "record_id", ("question_id", "old_value_json", "new_value_json", "officer",
                              "changed_at", "reason")),
    ("notes", "record_id", ("question_id", "text", "officer", "created_at")),
    ("events", "record_id", ("kind", "officer", "at", "detail_json")),
)


def cell_problem(table: str, column: str, value: object) -> str | None:
    """What is wrong with one stored cell, worded for the record it belongs to; or None."""
    noun, plural = _NOUNS.get((table, column)) or _NOUNS[(table, None)]
    if isinstance(value, Undecodable):
        return (f"{noun} ({column}) {'hold' if plural else 'holds'} bytes that are not text "
                "(flipped bytes?)")
    if column in JSON_COLUMNS.get(table, ()) and value is not None:
        try:
            json.loads(value)  # type: ignore[arg-type]  # TEXT: str, or bytes if stored so
        except (ValueError, TypeError):
            return f"{noun} ({column}) {'are' if plural else 'is'} not valid JSON"
    return None


def damaged_message(path: Path, found: str, *, action: str | None = None) -> str:
    """What to do about a damaged database file."""
    could = f"Could not {action}: " if action else ""
    return (
        f"{could}the records database {path} is damaged (SQLite reports: {found}). Nothing "
        "was written to it. Stop using it: copy the file (with the -wal and -shm files beside "
        f"it) somewhere safe, run 'screening records verify --db COPY' to see which records "
        "are affected, then restore the database from your latest backup (or start a new one "
        "with --db)."
    )


class Sql:
    """The store's statements on its connection, as sqlite-utils runs them (``execute``,
    ``query`` as dicts, ``tracer``), on the plain connection: sqlite-utils (and numpy, which it
    imports when installed) takes ~150 ms to import, longer than ``records list`` takes to
    read a million records. Its table helpers (``table``, ``db[name]``) load it at first use."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._tracer: Any = None
        self._library: Any = None
        self.conn.execute("PRAGMA recursive_triggers = on")  # as sqlite-utils sets it

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        if self._tracer:
            self._tracer(sql, parameters)
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        """Run ``sql`` now; its rows as dicts, fetched as they are iterated."""
        cursor = self.execute(sql, params)
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows")
        keys = [d[0] for d in cursor.description]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    @contextlib.contextmanager
    def tracer(self, tracer: Any = None) -> Iterator[Sql]:
        """Every statement run meanwhile is passed to ``tracer(sql, parameters)`` (tests)."""
        previous = self._tracer
        self._tracer = tracer or print
        try:
            yield self
        finally:
            self._tracer = previous

    def _utils(self) -> Any:
        if self._library is None:
            import sqlite_utils

            self._library = sqlite_utils.Database(
                self.conn, execute_plugins=False, recursive_triggers=False,
                tracer=lambda sql, params: self._tracer and self._tracer(sql, params),
            )
        return self._library

    def table(self, name: str) -> Any:
        return self._utils().table(name)

    def __getitem__(self, name: str) -> Any:
        return self._utils()[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._utils(), name)


class Database:
    """One open records database: the connection, the schema, errors and transactions."""

    _schema_known = False  # True once the file is known to be ours: damage is then damage

    def __init__(self, path: Path, *, create: bool = True, timeout: float = 10.0) -> None:
        if str(path).startswith(CENTRAL_SCHEMES):
            raise StoreError(
                "This command works on a laptop's records database, not on the central "
                "database: give the path of a file with --db, or unset SCREENING_DB. At the "
                "centre, 'records list', 'records show', 'records export' and 'records verify' "
                "take a postgresql:// URL."
            )
        self.path = Path(path).expanduser()
        self.timeout = timeout
        #: (record id, what is wrong) of each record a read had to leave out because its
        #: stored data cannot be decoded; the command names them and exits 1.
        self.damaged: list[tuple[str, str]] = []
        self.create = create
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
                f"There is no records database at {self.path}. Check the path, {_ELSEWHERE}.",
                code="no_database", values={"path": self.path},
            )
        if not create and self.path.is_file() and self.path.stat().st_size == 0:
            raise StoreError(
                f"There is no records database at {self.path}: the file is empty (0 bytes). "
                f"Restore it from a backup, {_ELSEWHERE}.",
                code="empty_database", values={"path": self.path},
            )
        if create:
            _create_owner_only(self.path)
        _warn_if_shared(self.path)
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, path: Path | None = None, *, create: bool = True) -> Self:
        """Open ``path``, or the default database; the default folder is created (owner-only)
        when missing. ``create=False`` (commands that read records) never creates a file:
        a missing or empty one is "no records database at PATH"."""
        target = Path(path).expanduser() if path is not None else default_db_path()
        if create and target.absolute() == _app_db_path().absolute():
            try:
                private_folder(target.parent)
            except OSError as exc:
                raise StoreError(
                    f"Cannot create the folder {target.parent} for the records database "
                    f"({exc.strerror}). Check the permissions of your home folder, {_ELSEWHERE}."
                ) from None
        return cls(target, create=create)

    # -- opening ---------------------------------------------------------------------------

    def _uri_mode(self) -> str:
        # 'rwc' creates a missing file; the folder check above keeps that to intended places.
        return "rwc" if self.create else "rw"

    def _open(self) -> None:
        uri = f"{self.path.absolute().as_uri()}?mode={self._uri_mode()}"
        with self._guard("open the records database"):
            self._conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
            self._db = Sql(self._conn)
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
        self._schema_known = True
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
            # The database's identity at the central database: its trail is one device's chain.
            if self._db.execute("SELECT 1 FROM meta WHERE key = 'device_id'").fetchone() is None:
                import uuid  # once per database: not worth its import at every start

                self._db.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?)",
                                 [str(uuid.uuid4())])
            # A write that changes nothing: SQLite refuses it on a read-only file.
            self._db.execute("UPDATE meta SET value = value WHERE 0")
        self._schema_known = True

    def device_id(self) -> str:
        """This database's device id: made at first use, kept in the file with the trail it
        names (a database copied to another laptop keeps its chain and its id)."""
        with self._guard("read the device id"):
            row = self._db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
        return str(row[0])

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
        elif code == sqlite3.SQLITE_CORRUPT and self._schema_known:
            message = damaged_message(self.path, str(exc), action=action)
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
        except UnicodeEncodeError:
            # A lone surrogate (a broken paste) cannot be stored; the transaction rolled back.
            raise StoreError(
                f"Could not {action}: the text holds a broken character (not valid Unicode). "
                "Nothing was written; retype it."
            ) from None

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

    # -- damage ----------------------------------------------------------------------------

    def integrity_problems(self, limit: int = 20) -> list[str]:
        """What SQLite's ``quick_check`` finds wrong with the file's structure ([] when sound).

        It reads every page once: cheap on a counter laptop's database (milliseconds for
        thousands of records), so writing commands run it at open and ``verify`` always."""
        with self._guard("check the records database"):
            try:
                found = [row[0] for row in self._db.execute(f"PRAGMA quick_check({int(limit)})")]
            except sqlite3.DatabaseError as exc:  # too damaged to walk at all
                if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF != sqlite3.SQLITE_CORRUPT:
                    raise
                return [str(exc)]
        return [] if found == ["ok"] else [str(f) for f in found]

    def check_integrity(self) -> None:
        """Refuse to write to a damaged file: StoreError saying what to do."""
        problems = self.integrity_problems(limit=3)
        if problems:
            raise StoreError(damaged_message(self.path, "; ".join(problems)))

    @contextlib.contextmanager
    def _lenient(self) -> Iterator[None]:
        """Read text that is not UTF-8 (flipped bytes) as :class:`Undecodable` instead of
        failing the whole query: the caller names the damaged record and goes on."""
        conn = self._connection()
        saved = conn.text_factory
        conn.text_factory = _lenient_text
        try:
            yield
        finally:
            conn.text_factory = saved

    def _damage(self, rid: str) -> str | None:
        """What is wrong with the stored data of record ``rid``, or None: cells that are not
        text, JSON columns that do not parse. Read leniently, one table at a time."""
        with self._lenient():
            for table, key, columns in _DAMAGE_CHECKS:
                for row in self._db.execute(
                    f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ?", [rid]
                ):
                    for column, value in zip(columns, row, strict=True):
                        problem = cell_problem(table, column, value)
                        if problem:
                            return problem
        return None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"The records database {self.path} is closed.")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- finding a record ------------------------------------------------------------------

    def _canonical_id(self, record_id: str) -> str:
        """The stored spelling of an id typed loosely; unknown ids are returned as given."""
        normal = _normalize_id(record_id)
        if normal != record_id:
            found = self._db.execute("SELECT 1 FROM records WHERE id = ?", [normal]).fetchone()
            exact = self._db.execute("SELECT 1 FROM records WHERE id = ?", [record_id]).fetchone()
            if found and not exact:
                return normal
        return record_id

    def _row(self, sql: str, params: list[object]) -> dict[str, Any] | None:
        """One row as a dict, straight from the connection (sqlite-utils' query() wraps even a
        read in a savepoint)."""
        cursor = self._connection().execute(sql, params)
        found = cursor.fetchone()
        if found is None:
            return None
        return dict(zip([d[0] for d in cursor.description], found, strict=True))

    def _require(self, record_id: str, *, draft: bool = False) -> dict[str, Any]:
        """The record's row, or NotFound with a suggestion; ``draft`` refuses a completed one."""
        row = None
        for candidate in dict.fromkeys((record_id, _normalize_id(record_id))):
            row = self._row("SELECT * FROM records WHERE id = ?", [candidate])
            if row is not None:
                break
        if row is None:
            ids = [r[0] for r in self._db.execute("SELECT id FROM records")]
            hint = suggest(_normalize_id(record_id), ids)
            raise NotFound(
                f"There is no record '{record_id}' in {self.path}{hint}.",
                hint="'screening records list' shows the records.",
                code="no_record",
                values={"id": record_id, "path": str(self.path),
                        "close": hint.partition("'")[2].rpartition("'")[0]},
            )
        if draft and row["status"] != "draft":
            raise StoreError(
                f"Record {row['id']} was completed on {row['completed_at']}; a completed "
                "record cannot be changed. Start a new interview instead."
            )
        return row

    def _checkpoint_quietly(self) -> None:
        """Copy what the write-ahead log holds into the file, as far as open reads allow
        (SQLite's PASSIVE checkpoint: it waits for no one); a failure only leaves it for later."""
        with contextlib.suppress(sqlite3.Error):
            self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

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
