"""Which devices the centre believes, and the checks that use what it believes.

Since schema 5 every laptop event is signed with the device's Ed25519 key (records/device.py).
The centre binds each device, on first contact, to two things (``admit_device`` in
schema.py):

- the keys that may sign its events: those the device brings to its first push (trust on
  first use), or keys an administrator approved (``central trust``). A later push or bundle
  signed by any other key is refused, and that key is recorded as seen, untrusted, for the
  administrator to approve if the laptop's key really was replaced;
- the logins that may push it: the one that pushed it first, or logins an administrator
  approved. The database itself refuses another login's events and records for the device.

PostgreSQL cannot check an Ed25519 signature, so the signatures are checked here, by the
pushing tool as the events arrive (:func:`segment_problem`, one signature per key and batch,
which vouches for the events before it) and by ``records verify --db URL`` over everything
the centre holds, every signature. Events written before signing began on a laptop are
accepted the way the laptop's own verify accepts them: the first signed event after them
vouches for them; an unsigned event after a signed one is a forgery.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from screening.errors import ScreeningError
from screening.records.chain import (
    ChainCheck,
    Event,
    canonical,
    fingerprint,
    signature_holds,
    signed_message,
)

_BUNDLE = b"screening bundle v1\0"  # domain separation: a bundle signature signs nothing else


class TrustRefused(ScreeningError):
    """A push or bundle the centre does not believe: another login, or another key."""


def keys_from(rows: Iterable[Mapping[str, Any]]) -> dict[str, bytes]:
    """fingerprint -> raw public key, for the rows whose fingerprint is their key's."""
    keys = {}
    for row in rows:
        with contextlib.suppress(ValueError, TypeError):
            raw = base64.b64decode(str(row["public_key"]), validate=True)
            if fingerprint(raw) == row["fingerprint"]:
                keys[str(row["fingerprint"])] = raw
    return keys


def as_event(row: tuple) -> Event:
    """An event row as sent (``EVENT_COLUMNS``, then maybe signer and signature)."""
    return Event(*row[:11])


def untrusted_signer(rows: Iterable[tuple], keys: Collection[str]) -> tuple[int, str] | None:
    """(event id, signer) of the first event signed by a key not in ``keys``, if any."""
    for row in rows:
        signer = row[9] if len(row) > 9 else None
        if signer is not None and signer not in keys:
            return int(row[0]), str(signer)
    return None


@dataclass
class SegmentCheck(ChainCheck):
    """The laptop's chain check for a pushed segment, one signature checked per key: each
    event's hash pins every event before it, so a valid signature on the last event a key
    signed in the segment vouches for everything up to it (an Ed25519 check costs a hundred
    times a hash). Every event must still be whole, linked, signed once signing began, and
    name a trusted key; ``records verify --db`` checks every signature."""

    _last: dict[str, Event] = field(default_factory=dict)

    def _signature(self, event: Event) -> None:
        if event.signer is None or event.signer not in self.keys:
            super()._signature(event)  # the rules for unsigned events and unknown keys
            return
        if self.first_signed is None:
            self.first_signed = event.id
        self.signers[event.signer] = self.signers.get(event.signer, 0) + 1
        self._last[event.signer] = event

    def finish(self, counter: int | None = None) -> None:
        for signer, event in sorted(self._last.items()):
            if not signature_holds(self.keys[signer], signed_message(event.hash or ""),
                                   event.signature):
                self.report(
                    "event", event.id,
                    f"event {event.id} ({event.kind}) does not carry a valid signature of "
                    f"device {signer}: it, or an event before it, was edited or forged behind "
                    "the tool's back",
                )
        super().finish(counter)


def segment_problem(
    rows: list[tuple], after_id: int, after_hash: str, keys: Mapping[str, bytes],
    *, signed_before: bool,
) -> str | None:
    """What is wrong with ``rows`` as the events after event ``after_id`` (hash
    ``after_hash``): each whole, linked, and signed by one of ``keys`` once signing began
    (``signed_before``: the centre already holds a signed event of this device). None when
    nothing is."""
    problems: list[str] = []
    walk = SegmentCheck(
        lambda _what, _id, text: problems.append(text), keys=keys, trusted=set(keys),
        last_id=after_id, head=after_hash, first_signed=after_id if signed_before else None,
    )
    for row in rows:
        walk.add(as_event(row))
    walk.finish()
    return problems[0] if problems else None


def key_refused(device: str, signer: str, trusted: Collection[str], what: str) -> str:
    known = ", ".join(sorted(trusted)) or "no key yet"
    return (
        f"{what} is signed by key {signer}, but the central database knows device {device} "
        f"by key {known}. Nothing was sent. If this laptop's key was replaced, check "
        f"'screening keys device' on it, then the administrator approves the new key: "
        f"screening central trust URL {device} --key {signer}. Otherwise it is another laptop "
        "or a copied database posing as this device: tell the supervisor."
    )


def login_refused(device: str, login: str) -> str:
    return (
        f"The login '{login}' may not push device {device}: the central database takes a "
        "device's records only from the login that pushed it first, or one the administrator "
        f"approved. Nothing was sent. If this laptop is {device} and now pushes from another "
        f"office, the administrator approves: screening central trust URL {device} --login "
        f"{login}. Otherwise another laptop or a copied database names this device: tell the "
        "supervisor."
    )


# -- bundles ---------------------------------------------------------------------------------


def bundle_message(device_id: str, lines: int, sha256: str) -> bytes:
    """What a device signs for a bundle: its device, its number of lines and their digest."""
    return _BUNDLE + canonical({"device_id": device_id, "lines": lines, "sha256": sha256})


def sign_bundle(device_id: str, lines: int, sha256: str) -> dict[str, str]:
    """This device's signature of a bundle's trailer (the key is made at first use)."""
    from screening.records.device import device_key

    key = device_key()
    assert key is not None  # made at first use
    return {
        "signer": key.fingerprint,
        "public_key": key.public_b64,
        "signature": key.sign(bundle_message(device_id, lines, sha256)),
    }


def bundle_signer(end: Mapping[str, Any], device_id: str) -> dict[str, str] | None:
    """The key that signed a bundle's trailer (``fingerprint``, ``public_key``), or None when
    the signature is missing or does not hold."""
    keys = keys_from([{"fingerprint": end.get("signer"), "public_key": end.get("public_key")}])
    raw = keys.get(str(end.get("signer")))
    if raw is None or not signature_holds(
        raw, bundle_message(device_id, int(end.get("lines", -1)), str(end.get("sha256"))),
        end.get("signature"),
    ):
        return None
    return {"fingerprint": str(end["signer"]), "public_key": str(end["public_key"])}


# -- the administrator's approvals -----------------------------------------------------------


def approve(url: str, device: str, *, key: str | None = None, public_key: str | None = None,
            login: str | None = None) -> dict[str, Any]:
    """Trust ``key`` (a fingerprint already seen for the device, or given with its
    ``public_key``) and/or ``login`` for ``device``. Run by the database's owner."""
    from screening.central.connection import SCHEMA, connect, guard, redact, require_schema
    from screening.central.schema import SCHEMA_VERSION

    if public_key is not None:
        found = keys_from([{"fingerprint": key or _fingerprint_of(public_key),
                            "public_key": public_key}])
        if not found:
            raise ScreeningError(
                "That public key does not match the fingerprint given (or is not a key): copy "
                "both from 'screening keys device --format json' on the laptop."
            )
        key = next(iter(found))
    conn = connect(url, action="change what the central database trusts")
    done: dict[str, Any] = {"device_id": device, "key": None, "login": None}
    try:
        with guard(url, "change what the central database trusts"), conn.transaction():
            require_schema(conn, url, SCHEMA_VERSION)
            who = conn.execute("SELECT session_user").fetchone()[0]
            how = f"approved by {who}"
            if key is not None:
                updated = conn.execute(
                    f"UPDATE {SCHEMA}.device_keys SET trusted_by = %s, trusted_at = now() "
                    "WHERE device_id = %s AND fingerprint = %s RETURNING fingerprint",
                    [how, device, key],
                ).fetchone()
                if updated is None:
                    if public_key is None:
                        raise ScreeningError(
                            f"The central database {redact(url)} has not seen key {key} for "
                            f"device {device}: give its public key too (--public-key, from "
                            "'screening keys device --format json' on the laptop)."
                        )
                    conn.execute(
                        f"INSERT INTO {SCHEMA}.device_keys (device_id, fingerprint, public_key, "
                        "first_seen, trusted_by, trusted_at) VALUES (%s, %s, %s, '', %s, now())",
                        [device, key, public_key, how],
                    )
                done["key"] = key
            if login is not None:
                conn.execute(
                    f"INSERT INTO {SCHEMA}.device_logins (device_id, login, how) "
                    "VALUES (%s, %s, %s) ON CONFLICT (device_id, login) DO NOTHING",
                    [device, login, how],
                )
                done["login"] = login
    finally:
        conn.close()
    return done


def _fingerprint_of(public_key: str) -> str:
    try:
        return fingerprint(base64.b64decode(public_key, validate=True))
    except ValueError:
        return ""
