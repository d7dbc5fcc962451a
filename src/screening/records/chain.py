"""The audit trail's chain and signatures, as pure functions over event rows.

No SQLite here: the local store feeds its rows to :class:`ChainCheck` a page at a time, and a
central copy (PostgreSQL) can feed the same rows to check a pushed trail on arrival.

Each event's hash covers the previous event's hash and every column, so the hash of one event
pins every event before it. From schema 5 on, every event is also signed with the Ed25519 key
of the device that wrote it (see :mod:`screening.records.device`); the key lives outside the
database, so whoever holds only the file cannot add, change or re-chain a signed event. Events
written before signing began stay unsigned: the first signed event, which follows them in the
chain, vouches that they have not changed since. An unsigned event after it is a forgery.

Adding an event kind is one step: a kind that changes what a record holds (and so carries the
record's new ``state`` digest) goes into :data:`STATE_KINDS`; a kind that removes a record
goes into :data:`REMOVING_KINDS` too; a kind that only says something happened (``view``,
``export``, a referral's status) needs nothing here and may never carry a state.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64  #: the previous hash of the first event
_SIGNED = b"screening event v1\0"  # domain separation: an event signature signs nothing else

#: Event kinds that may change what a record holds (they carry its new state digest).
STATE_KINDS = frozenset(
    {"create", "baseline", "answer", "change", "note", "language", "finalize", "seal", "erase",
     "purge"}
)
#: Event kinds that may remove a record (a draft erased or purged whole).
REMOVING_KINDS = frozenset({"erase", "purge"})

Report = Callable[[str, object, str], None]


def canonical(value: object) -> bytes:
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
    return hashlib.sha256(canonical(fields)).hexdigest()


def signed_message(hash_hex: str) -> bytes:
    """What a device signs for an event: its hash (which pins every event before it)."""
    return _SIGNED + hash_hex.encode("ascii")


def fingerprint(raw_public: bytes) -> str:
    """A short, stable name for a device key: SHA-256 of the raw public key, 80 bits shown."""
    digest = hashlib.sha256(raw_public).hexdigest()[:20]
    return "-".join(digest[i : i + 4] for i in range(0, 20, 4))


def signature_holds(raw_public: bytes, message: bytes, signature_b64: str | None) -> bool:
    """Whether ``signature_b64`` is the Ed25519 signature of ``message`` by ``raw_public``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        signature = base64.b64decode(signature_b64 or "", validate=True)
        Ed25519PublicKey.from_public_bytes(raw_public).verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Event:
    """One row of the ``events`` table, as stored."""

    id: int
    record_id: str | None
    kind: str
    officer: str
    at: str
    detail_json: str | None
    digest_json: str | None
    prev_hash: str | None
    hash: str | None
    signer: str | None = None
    signature: str | None = None

    @property
    def content(self) -> tuple[Any, ...]:
        """The columns the hash covers after the id and before the links."""
        return (self.record_id, self.kind, self.officer, self.at, self.detail_json,
                self.digest_json)

    def computed_hash(self, prev_hash: str | None = None, at_id: int | None = None) -> str:
        return event_hash(
            self.prev_hash if prev_hash is None else prev_hash,
            self.id if at_id is None else at_id,
            *self.content,
        )


def digest_of(digest_json: str | None) -> dict[str, Any]:
    try:
        digest = json.loads(digest_json) if digest_json else {}
    except ValueError:
        return {}
    return digest if isinstance(digest, dict) else {}


@dataclass
class ChainCheck:
    """Walk the events in id order and report what is wrong with the chain.

    ``keys``: fingerprint -> raw Ed25519 public key of every device whose signatures can be
    checked. ``trusted``: the fingerprints whose signatures count as proof (this device's,
    and any the person verifying names); a signature by any other key, even a valid one, is
    reported, since whoever edited the file could have recorded a key of their own.

    Feed rows with :meth:`add`, then call :meth:`finish` once. ``trail`` then holds what the
    events say of each record (created, removed, its last state digest).
    """

    report: Report
    keys: Mapping[str, bytes] = field(default_factory=dict)
    trusted: Collection[str] = ()
    last_id: int = 0
    head: str = GENESIS
    count: int = 0
    #: events before the first signed one (written before signing began)
    unsigned_before_signing: int = 0
    first_signed: int | None = None
    signers: dict[str, int] = field(default_factory=dict)
    trail: dict[str, dict[str, Any]] = field(default_factory=dict)
    _broken: dict[int, Event] = field(default_factory=dict)
    _untrusted: dict[str, list[int]] = field(default_factory=dict)

    def add(self, event: Event) -> None:
        self.count += 1
        intact = event.computed_hash() == event.hash
        if not intact:
            self._broken[event.id] = event
        if event.id != self.last_id + 1:
            self.report("event", self.last_id + 1, _deleted(self.last_id, event.id))
        elif intact and event.prev_hash != self.head:
            self.report(
                "event",
                event.id,
                f"event {event.id} does not follow event {self.last_id} in the chain: an "
                "event was inserted or the order was changed",
            )
        if intact:
            self._signature(event)
        self._kind(event)
        self.last_id, self.head = event.id, event.hash or ""
        if event.record_id is not None:
            _replay(self.trail.setdefault(event.record_id, {}), event.kind, event.digest_json)

    def _signature(self, event: Event) -> None:
        about = _about(event)
        if event.signer is None:
            if self.first_signed is None:
                self.unsigned_before_signing += 1
            else:
                self.report(
                    "event",
                    event.id,
                    f"event {event.id} ({about}) is not signed, yet every event since event "
                    f"{self.first_signed} is: it was added behind the tool's back",
                )
            return
        if self.first_signed is None:
            self.first_signed = event.id
        self.signers[event.signer] = self.signers.get(event.signer, 0) + 1
        key = self.keys.get(event.signer)
        if key is None:
            self.report(
                "event",
                event.id,
                f"event {event.id} ({about}) names device {event.signer}, whose public key is "
                "not recorded: it was forged",
            )
            return
        if not signature_holds(key, signed_message(event.hash or ""), event.signature):
            self.report(
                "event",
                event.id,
                f"event {event.id} ({about}) does not carry a valid signature of device "
                f"{event.signer}: it was edited or forged behind the tool's back",
            )
            return
        if event.signer not in self.trusted:
            self._untrusted.setdefault(event.signer, []).append(event.id)

    def _kind(self, event: Event) -> None:
        digest = digest_of(event.digest_json)
        if "state" in digest and event.kind not in STATE_KINDS:
            self.report(
                "event",
                event.id,
                f"event {event.id} ({_about(event)}) carries a new state for the record, but a "
                f"'{event.kind}' never changes a record: it was forged",
            )
        if digest.get("removed") and event.kind not in REMOVING_KINDS:
            self.report(
                "event",
                event.id,
                f"event {event.id} ({_about(event)}) says the record was removed, but a "
                f"'{event.kind}' never removes one: it was forged",
            )

    def finish(self, counter: int | None = None) -> None:
        """Report what only the whole walk shows. ``counter``: the highest event id ever
        handed out (SQLite's ``sqlite_sequence``), when known."""
        if counter is not None and counter > self.last_id:
            first, end = self.last_id + 1, counter
            span = f"{first}" if first == end else f"{first} to {end}"
            self.report("event", first, f"event(s) {span} were deleted (the newest events)")
        for signer, ids in sorted(self._untrusted.items()):
            span = (
                f"event {ids[0]} is"
                if len(ids) == 1
                else f"{len(ids)} events ({ids[0]} to {ids[-1]}) are"
            )
            self.report(
                "event",
                ids[0],
                f"{span} signed by device {signer}, which is not this device and not one "
                "named with --device: a key recorded only in the file proves nothing. If "
                f"{signer} is the laptop that wrote them (see 'screening keys device' on it), "
                f"verify again with --device {signer}",
            )
        swapped: set[int] = set()
        ids = sorted(self._broken)[:200]
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                if a in swapped or b in swapped:
                    continue
                if _belongs_at(self._broken[a], self._broken[b]) and _belongs_at(
                    self._broken[b], self._broken[a]
                ):
                    swapped |= {a, b}
                    self.report(
                        "event",
                        a,
                        f"events {a} and {b} were swapped (reordered): each holds what belongs "
                        "at the other's place",
                    )
        for event_id, event in sorted(self._broken.items()):
            if event_id not in swapped:
                self.report(
                    "event",
                    event_id,
                    f"event {event_id} ({_about(event)}) was edited, or inserted behind the "
                    "tool's back: it does not match its hash",
                )


def _about(event: Event) -> str:
    return event.kind + (f", record {event.record_id}" if event.record_id else "")


def _replay(said: dict[str, Any], kind: str, digest_json: str | None) -> None:
    digest = digest_of(digest_json)
    if kind in ("create", "baseline"):
        said["created"] = True
        said["removed"] = False
    if digest.get("removed") and kind in REMOVING_KINDS:
        said["removed"] = True
    if "state" in digest and kind in STATE_KINDS:
        said["state"] = digest["state"]
        said["kind"] = kind


def _deleted(last_id: int, event_id: int) -> str:
    first, end = last_id + 1, event_id - 1
    if end < first:
        return f"event {event_id} is out of order: it comes after event {last_id}"
    span = f"{first}" if first == end else f"{first} to {end}"
    return f"event(s) {span} were deleted (the trail jumps from event {last_id} to {event_id})"


def _belongs_at(row: Event, place: Event) -> bool:
    """Whether the contents of ``row`` are the event that was written at ``place``: either the
    contents moved (id, links and hash stayed) or the whole row moved (only the id stayed)."""
    return row.computed_hash(place.prev_hash, place.id) == place.hash or (
        row.computed_hash(row.prev_hash, place.id) == row.hash
    )
