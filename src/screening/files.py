"""Files the tool creates are owner-only (0600 files, 0700 folders) whatever the umask, and
files it reads are read up to a cap from any kind of file (a pipe or /dev/zero included).

Used by every layer, so it imports nothing of the project but the error type.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from screening.errors import ScreeningError

FILE_MODE = 0o600
FOLDER_MODE = 0o700


class TooLarge(ScreeningError):
    """A file is over the size the tool reads."""


def read_capped(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of ``path``, or TooLarge: never reads more than ``limit + 1``,
    so a device or pipe without end cannot exhaust memory. OSError passes through."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{path} is larger than {limit} bytes; refused")
    return data


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) as owner-only folders; an existing folder the
    tool made is tightened to 0700. OSError passes through."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    # mkdir's mode is filtered by the umask; make it exact for the folders made here.
    for folder in missing:
        with contextlib.suppress(OSError):
            os.chmod(folder, FOLDER_MODE)
    return path


def create_private(path: Path, *, exclusive: bool = True) -> int:
    """Open a new owner-only file for writing (never following a symlink); returns the fd."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    if exclusive:
        flags |= os.O_EXCL
    fd = os.open(path, flags, FILE_MODE)
    with contextlib.suppress(OSError):
        os.fchmod(fd, FILE_MODE)  # the umask cannot widen it, but a reused file may be wider
    return fd


def write_private(path: Path, data: bytes | str) -> None:
    """Write ``path`` atomically and owner-only: a partial file beside it, renamed at the end,
    removed on any failure. OSError passes through."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = create_private(tmp, exclusive=False)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def wider_than_owner(path: Path) -> bool:
    """True when ``path`` exists and group or others may read or write it."""
    try:
        return bool(os.stat(path).st_mode & 0o077)
    except OSError:
        return False
