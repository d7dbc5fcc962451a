"""Where the tool may write a file it is asked for (exports, slips, letters, reports, keys),
and how partial files are kept from leaking.

One rule for every output path, checked before any record is changed:
- ``-`` means stdout;
- never the records database, its ``-wal``/``-shm``/``-journal``, any other SQLite database or
  a key file, however the path is spelt (relative, through symlinks), even with ``--force``;
- never something that is not a regular file (a folder, a device, a pipe);
- an existing file only with ``force`` (the CLI may ask at a terminal instead).

A file written aside (``.NAME.PID.partial``) is owner-only and listed in a small register in
the application folder while it exists, so one left by a killed process is found and removed
by the next export or purge, wherever it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from screening.errors import ScreeningError
from screening.files import create_private, private_folder

STDOUT = "-"
_SQLITE_HEADER = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.partial$")


class OutputRefused(ScreeningError):
    """An output path that must never be written: the store, a key, a folder, a device."""


class OutputExists(ScreeningError):
    """An output file exists and ``--force`` was not given."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message, hint="add --force to replace it, or choose another name")
        self.path = path


# -- notices: warnings the records layer raises for the CLI to show ----------------------------

_listener: list[Callable[[str], None]] = []


def listen(callback: Callable[[str], None]) -> None:
    """Send notices (for example a database readable by others) to ``callback``."""
    _listener[:] = [callback]


def notice(text: str) -> None:
    for callback in _listener:
        with contextlib.suppress(Exception):  # a warning must never stop a command
            callback(text)


# -- the output rule ---------------------------------------------------------------------------


def is_stdout(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDOUT


def check_output(path: Path | str | None, *, db: str | Path | None = None, force: bool = False,
                 what: str = "the output") -> Path | None:
    """The file to write ``what`` to, or None for stdout (no path, or ``-``).

    Raises OutputRefused for a path that must never be written and OutputExists for an
    existing file without ``force``."""
    if path is None or is_stdout(path):
        return None
    given = Path(path).expanduser()
    target = Path(os.path.realpath(given))
    why = _protected(target, db)
    if why:
        raise OutputRefused(
            f"Refused to write {what} to {given}: it is {why}. Nothing was written or changed; "
            "choose another file name."
        )
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OutputRefused(
                f"Cannot write {what} to {given}: the folder {target.parent} does not exist. "
                "Nothing was written or changed."
            ) from None
        if not os.access(target.parent, os.W_OK):
            raise OutputRefused(
                f"Cannot write {what} to {given}: the folder {target.parent} is not writable. "
                "Nothing was written or changed."
            ) from None
        return given
    except OSError as exc:
        raise OutputRefused(
            f"Cannot write {what} to {given}: {exc.strerror or exc}. Nothing was written or "
            "changed."
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputRefused(
            f"Cannot write {what} to {given}: it is a folder. Give a file name. Nothing was "
            "written or changed."
        )
    if not stat.S_ISREG(info.st_mode):
        raise OutputRefused(
            f"Refused to write {what} to {given}: it is not a regular file (a device or a "
            f"pipe). Use '-' for stdout. Nothing was written or changed."
        )
    if not force:
        raise OutputExists(
            f"{given} already exists; {what} was not written and nothing was changed.",
            path=given,
        )
    return given


def protected_paths(db: str | Path | None) -> list[Path]:
    """The records database with its companions, and the configured key files."""
    from screening.records.crypto import configured_public_key_path, installed_public_key_path
    from screening.records.database import default_db_path

    paths: list[Path] = []
    local = db is not None and str(db) and "://" not in str(db)  # not a central URL
    base = Path(db).expanduser() if local and db is not None else default_db_path()
    base = Path(os.path.realpath(base))
    paths += [base, *(Path(f"{base}{suffix}") for suffix in _COMPANIONS)]
    with contextlib.suppress(Exception):
        paths.append(Path(os.path.realpath(installed_public_key_path())))
        found = configured_public_key_path()
        if found is not None:
            paths.append(Path(os.path.realpath(found[0])))
    return paths


def _protected(target: Path, db: str | Path | None) -> str | None:
    if target in protected_paths(db):
        return "the records database, one of its files, or the office key"
    kind = _kind(target)
    if kind:
        return kind
    for suffix in _COMPANIONS:
        if target.name.endswith(suffix):
            owner = target.with_name(target.name[: -len(suffix)])
            if _kind(owner) == "an SQLite database":
                return f"a companion file of the SQLite database {owner}"
    return None


def _kind(path: Path) -> str | None:
    """'an SQLite database' or 'a key file' for an existing regular file that is one."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            head = handle.read(256)
    except OSError:
        return None
    if head.startswith(_SQLITE_HEADER):
        return "an SQLite database"
    first = head.split(b"\n", 1)[0]
    if first.startswith(b"-----BEGIN") and b"KEY" in first:
        return "a key file"
    return None


# -- partial files and their register ----------------------------------------------------------


def register_folder() -> Path:
    """Where partial files in progress are listed: the application folder."""
    from screening.records.database import app_folder

    return app_folder() / "partials"


class PartialFile:
    """``.NAME.PID.partial`` beside ``path``, owner-only and registered while it exists;
    ``commit()`` renames it into place, ``abort()`` removes it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        self.entry: Path | None = None
        import secrets  # here: with hmac and hashlib, ~5 ms of every listing's start

        try:
            folder = private_folder(register_folder())
            self.entry = folder / f"{os.getpid()}-{secrets.token_hex(6)}"
            fd = create_private(self.entry, exclusive=False)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(str(self.tmp.absolute()))
        except OSError:
            self.entry = None  # no register: the sweep of this folder still finds it
        self.fd = create_private(self.tmp, exclusive=False)

    def commit(self) -> None:
        os.replace(self.tmp, self.path)
        self._unregister()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.tmp.unlink()
        self._unregister()

    def _unregister(self) -> None:
        if self.entry is not None:
            with contextlib.suppress(OSError):
                self.entry.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _stale(path: Path) -> bool:
    match = _PARTIAL.match(path.name)
    return match is not None and not _alive(int(match["pid"]))


def sweep_partials(*beside: Path | None) -> list[Path]:
    """Remove partial files left by processes that no longer run: those in the register, and
    those next to each of ``beside`` under its name. Returns the files removed."""
    removed: list[Path] = []

    def remove(path: Path) -> None:
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink() and _stale(path):
                path.unlink()
                removed.append(path)

    with contextlib.suppress(OSError):
        for entry in register_folder().iterdir():
            pid = entry.name.split("-", 1)[0]
            if pid.isdigit() and _alive(int(pid)):
                continue
            with contextlib.suppress(OSError, ValueError):
                remove(Path(entry.read_text("utf-8")[:4096].strip()))
            with contextlib.suppress(OSError):
                entry.unlink()
    for target in beside:
        if target is None:
            continue
        target = Path(target)
        with contextlib.suppress(OSError):
            for path in target.parent.glob(f".{glob_escape(target.name)}.*.partial"):
                remove(path)
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)
