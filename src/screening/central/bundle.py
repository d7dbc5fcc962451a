"""What a push sends, from a laptop's database or from an offline bundle.

A bundle (``sync bundle -o FILE``) is the content of a push in one gzip file of JSON lines: a
header (device, office, when), the content snapshots, every audit event, every finished
record, and a trailer with the number of lines and the SHA-256 of all of them, signed with
the device's key (format 2; trust.py). ``central import`` checks the trailer and its signature
before touching the database, so an edited or cut bundle is refused whole, and so is one
rewritten whole and re-checksummed unless it is signed by a key the centre trusts for that
device (the one pinned at its first push); then it is pushed by the same rules (a bundle
imported twice changes nothing). The events inside are hash-chained, signed and checked as
they arrive, like a push.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from screening.central.trust import bundle_signer, sign_bundle
from screening.errors import ScreeningError
from screening.records import outbox
from screening.records.store import Store

FORMAT = "screening-bundle"
FORMAT_VERSION = 2  #: 2: the trailer is signed by the device


class LaptopSource:
    """A laptop's records database as a push source."""

    def __init__(self, store: Store, office: str | None) -> None:
        self.store = store
        self.device_id = store.device_id()
        self.office = office
        self.columns = outbox.event_columns(store)
        self.signed_by: dict[str, str] | None = None  # a push is the laptop itself

    def device_keys(self) -> list[dict[str, Any]]:
        return outbox.device_keys(store=self.store)

    def event(self, event_id: int) -> tuple | None:
        return outbox.event(self.store, event_id)

    def events_after(self, after: int) -> Iterator[tuple]:
        return outbox.events_after(self.store, after)

    def event_count(self) -> int:
        return outbox.event_count(self.store)

    def records(self) -> Iterator[dict[str, Any]]:
        return outbox.finished(self.store)

    def record_count(self) -> int:
        return outbox.finished_count(self.store)

    def content(self) -> list[dict[str, Any]]:
        return outbox.content(self.store)


def _line(kind: str, value: Any) -> bytes:
    return (json.dumps({kind: value}, ensure_ascii=False, sort_keys=True) + "\n").encode()


def write_bundle(source: LaptopSource, path: Path) -> dict[str, Any]:
    """Write the bundle (owner-only, written aside then renamed); returns its counts."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ScreeningError(f"{path} is a folder: give the bundle a file name.")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    counts = {"events": 0, "records": 0, "content": 0, "keys": 0}
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:

            def put(kind: str, value: Any) -> None:
                line = _line(kind, value)
                digest.update(line)
                out.write(line)

            put(
                "bundle",
                {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "device_id": source.device_id,
                    "office": source.office,
                    "created_at": datetime.now(UTC).isoformat(),
                    "event_columns": list(source.columns),
                },
            )
            for row in source.device_keys():
                put("key", row)
                counts["keys"] += 1
            for row in source.content():
                put("content", row)
                counts["content"] += 1
            for event in source.events_after(0):
                put("event", list(event))
                counts["events"] += 1
            for body in source.records():
                put("record", body)
                counts["records"] += 1
            lines = 1 + sum(counts.values())
            end = {"lines": lines, "sha256": digest.hexdigest()}
            signed = sign_bundle(source.device_id, lines, digest.hexdigest())
            out.write(_line("end", {**end, **signed}))
            out.flush()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ScreeningError(
            f"Could not write the bundle {path}: {exc.strerror or exc}. Nothing was written."
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return {**counts, "device_id": source.device_id, "path": str(path)}


class BundleSource:
    """A bundle file as a push source; :meth:`check` must pass before it is used."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self.header: dict[str, Any] = {}
        self.counts = {"event": 0, "record": 0, "content": 0, "key": 0}
        self.signed_by: dict[str, str] | None = None
        self.check()
        self.device_id = str(self.header["device_id"])
        office = self.header.get("office")
        self.office = None if office is None else str(office)
        self.columns = tuple(self.header.get("event_columns") or outbox.EVENT_COLUMNS)
        if self.columns[: len(outbox.EVENT_COLUMNS)] != outbox.EVENT_COLUMNS or not set(
            self.columns[len(outbox.EVENT_COLUMNS):]
        ) <= set(outbox.SIGNED_COLUMNS):
            raise self._bad("its events have columns this version does not know")

    def _bad(self, why: str) -> ScreeningError:
        return ScreeningError(
            f"The bundle {self.path} is refused: {why}. It was edited, cut short or damaged "
            "on the way; nothing was imported. Make a new one on the laptop with 'screening "
            "sync bundle'."
        )

    def _lines(self) -> Iterator[bytes]:
        try:
            with gzip.open(self.path, "rb") as stream:
                yield from stream
        except FileNotFoundError:
            raise ScreeningError(f"There is no bundle at {self.path}.") from None
        except IsADirectoryError:
            raise ScreeningError(f"{self.path} is a folder, not a bundle.") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise self._bad(f"it cannot be read as a bundle ({exc})") from None

    def check(self) -> None:
        """Read the whole file once: the trailer's digest and line count must match."""
        digest = hashlib.sha256()
        lines = 0
        end: dict[str, Any] | None = None
        for line in self._lines():
            if end is not None:
                raise self._bad("there is more after its end")
            try:
                item = json.loads(line)
            except ValueError:
                raise self._bad(f"line {lines + 1} is not JSON") from None
            if not isinstance(item, dict) or len(item) != 1:
                raise self._bad(f"line {lines + 1} is not a bundle line")
            kind, value = next(iter(item.items()))
            if kind == "end":
                end = value
                continue
            digest.update(line)
            lines += 1
            if lines == 1:
                if kind != "bundle" or not isinstance(value, dict):
                    raise self._bad("it does not start like a screening bundle")
                if value.get("format") != FORMAT:
                    raise self._bad("it is not a screening bundle")
                if int(value.get("version", 0)) > FORMAT_VERSION:
                    raise ScreeningError(
                        f"The bundle {self.path} was made by a newer version of screening: "
                        "upgrade screening here before importing it."
                    )
                self.header = value
            elif kind in self.counts:
                self.counts[kind] += 1
            else:
                raise self._bad(f"line {lines} is of an unknown kind '{kind}'")
        if end is None:
            raise self._bad("its end is missing")
        if not isinstance(end, dict) or end.get("lines") != lines:
            raise self._bad("its number of lines does not match its end")
        if end.get("sha256") != digest.hexdigest():
            raise self._bad("its content does not match its checksum")
        if not self.header.get("device_id"):
            raise self._bad("it names no device")
        if int(self.header.get("version", 0)) < 2 or "signature" not in end:
            raise self._bad("it is not signed by its device (made by an older version of "
                            "screening, or its signature was removed)")
        self.signed_by = bundle_signer(end, str(self.header["device_id"]))
        if self.signed_by is None:
            raise self._bad("its signature does not hold")

    def _items(self, wanted: str) -> Iterator[Any]:
        for line in self._lines():
            item = json.loads(line)
            kind, value = next(iter(item.items()))
            if kind == wanted:
                yield value

    def event(self, event_id: int) -> tuple | None:
        for value in self._items("event"):
            if value[0] == event_id:
                return tuple(value)
        return None

    def events_after(self, after: int) -> Iterator[tuple]:
        for value in self._items("event"):
            if value[0] > after:
                yield tuple(value)

    def event_count(self) -> int:
        return self.counts["event"]

    def records(self) -> Iterator[dict[str, Any]]:
        return self._items("record")

    def record_count(self) -> int:
        return self.counts["record"]

    def content(self) -> list[dict[str, Any]]:
        return list(self._items("content"))

    def device_keys(self) -> list[dict[str, Any]]:
        return list(self._items("key"))
