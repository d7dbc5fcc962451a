"""The parsed-YAML cache.

Reading the YAML is most of a start-up: PyYAML's located parse of the bundled content takes
about a second on a counter laptop, and the files rarely change. The plain data a file
parses to is kept in a cache folder, keyed by a hash of the exact text and of the parser's
own code; a hit skips only the parse. Validation, the cross-checks and the content hash
still run on every load that ``validated_cache`` does not answer, and positions are
recomputed from the text the moment a message needs one. Only a text that parsed without
any problem is cached. The cache is advisory: an unreadable, damaged or missing entry is
parsed again, and so is one in a folder or file another account could have written; a
folder that cannot be written is ignored. ``SCREENING_CACHE_DIR`` moves it;
``SCREENING_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from screening.content.yaml_source import (
    MAX_FILE_BYTES,
    SourceFile,
    YamlPath,
    load_file,
    load_text,
)


def data_hash(data: Any) -> str:
    """Hash of parsed YAML data (canonical JSON): what a document was built from."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


CACHE_ENV = "SCREENING_CACHE_DIR"
_CACHE_KEEP = 64  # entries; the oldest go first
_fingerprint: list[bytes] = []


def cache_dir() -> Path | None:
    """Where parsed content is cached, or None when caching is off."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        env = env.strip()
        if env.lower() in ("", "0", "off", "no", "none"):
            return None
        return Path(env).expanduser()
    if os.name == "nt":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "screening" / "content"


def _code_fingerprint() -> bytes:
    """What the parsed data depends on besides the text: the parser's code and versions."""
    if not _fingerprint:
        import sys

        import yaml

        from screening import __version__
        from screening.content import yaml_source

        digest = hashlib.sha256(b"screening parsed-yaml cache 2\0")
        digest.update(f"{__version__}\0{yaml.__version__}\0{sys.version}\0".encode())
        digest.update(Path(yaml_source.__file__).read_bytes())
        _fingerprint.append(digest.digest())
    return _fingerprint[0]


def private(st: os.stat_result) -> bool:
    """Owned by this account and writable by no other (POSIX; elsewhere the folder's ACL)."""
    if os.name == "nt":
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def read_private(entry: Path) -> bytes:
    """An entry's bytes, only from a folder and a file no other account could have written
    (OSError otherwise: the entry is not believed)."""
    if not private(os.stat(entry.parent)):
        raise PermissionError(f"{entry.parent} is not this account's alone")
    fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        if not private(os.fstat(handle.fileno())):
            raise PermissionError(f"{entry} is not this account's alone")
        return handle.read()


def write_private(entry: Path, content: bytes) -> None:
    """Write an entry whole, owner-only, in an owner-only folder; OSError when the disk
    refuses, and then nothing is left behind (a half entry would only take space)."""
    folder = entry.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:  # owner-only: no other account may plant an entry
        folder.chmod(0o700)
    partial = entry.with_name(f"{entry.stem}.{os.getpid()}.tmp")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(partial, entry)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class _CachedSource(SourceFile):
    """A source whose data came from the cache: positions are parsed only when asked for."""

    _positioned = False

    def where(self, loc: YamlPath, *, key: bool = False) -> tuple[int, int]:
        if not self._positioned:
            full = load_text(self.text, self.path)
            self.positions, self.key_positions = full.positions, full.key_positions
            self._positioned = True
        return super().where(loc, key=key)


def parsed_file(path: Path, shown: str) -> SourceFile:
    """``load_file``, through the cache; anything unusual takes the uncached path."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return load_file(path, shown)
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return load_file(path, shown)  # it words the problem
    return parsed_text(text, shown)


def parsed_text(text: str, shown: str) -> SourceFile:
    """``load_text``, through the cache."""
    try:
        folder = cache_dir()
        entry = None
        if folder is not None:
            key = hashlib.sha256(_code_fingerprint() + text.encode("utf-8")).hexdigest()
            entry = folder / f"{key}.json"
    except Exception:  # the cache must never stop a load
        entry = None
    text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if entry is not None:
        try:
            stored = json.loads(read_private(entry))
            data = stored["data"]
            # Used only when it provably is the parse of this text: it names the text's hash,
            # and its data still hashes to what was stored (a damaged or edited entry does
            # not). A record keeps the parsed hash, and 'records verify' compares it with a
            # fresh parse of the record's snapshot.
            sound = stored["text"] == text_hash and stored["parsed"] == data_hash(data)
        except Exception:  # missing or damaged: parse again
            sound = False
        if sound:
            return _CachedSource(path=shown, data=data, text=text)
    source = load_text(text, shown)
    if entry is not None and source.data is not None and not source.diagnostics:
        _store(entry, source.data, text_hash)
    return source


def _store(entry: Path, data: Any, text_hash: str) -> None:
    try:
        dumped = json.dumps(
            {"text": text_hash, "parsed": data_hash(data), "data": data}, ensure_ascii=False
        )
        if json.loads(dumped)["data"] != data:  # e.g. NaN: not worth caching
            return
        write_private(entry, dumped.encode("utf-8"))
        entries = sorted(entry.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-_CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except Exception:  # a read-only or full disk: no cache, no harm
        return
