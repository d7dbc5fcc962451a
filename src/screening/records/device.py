"""This device's signing key: the Ed25519 key that signs every audit event and every sealed
envelope written on this laptop.

It lives outside the records database (next to the settings, owner-only), so whoever holds
only the database file cannot sign: they can neither add an event nor re-chain the trail, nor
seal an envelope that passes for one made here. The key is made at first use.
``SCREENING_DEVICE_KEY`` names another file (tests, a laptop with several officers' folders).

``cryptography`` is imported inside the functions: ``screening --help`` stays light.
"""

from __future__ import annotations

import base64
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import ScreeningError
from screening.records.chain import fingerprint

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEVICE_KEY_ENV = "SCREENING_DEVICE_KEY"
DEVICE_FILE = "device-signing-key.pem"
_ENVELOPE = b"screening envelope v1\0"  # domain separation from event signatures


class DeviceKeyProblem(ScreeningError):
    """This device's signing key cannot be read or made."""


@dataclass(frozen=True)
class DeviceKey:
    private: Ed25519PrivateKey
    raw_public: bytes
    fingerprint: str
    path: Path

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.raw_public).decode("ascii")

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode("ascii")


def device_key_path() -> Path:
    explicit = os.environ.get(DEVICE_KEY_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    from screening.records.settings import settings_path

    return settings_path().parent / DEVICE_FILE


_loaded: dict[Path, DeviceKey] = {}


def device_key(*, create: bool = True) -> DeviceKey | None:
    """This device's key, made (owner-only) at first use; None when missing and not ``create``."""
    path = device_key_path()
    if path in _loaded:
        return _loaded[path]
    if not path.exists():
        if not create:
            return None
        _make(path)
    key = _read(path)
    _loaded[path] = key
    return key


def _make(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)  # never replaces a key another process made meanwhile
    except OSError as exc:
        raise DeviceKeyProblem(
            f"Cannot make this device's signing key {path}: {exc.strerror or exc}. The audit "
            f"trail cannot be signed without it. Make its folder writable, or set "
            f"{DEVICE_KEY_ENV} to a file in a folder you may write to."
        ) from None
    finally:
        partial.unlink(missing_ok=True)


#: An unencrypted PKCS#8 Ed25519 private key (RFC 8410) is this DER prefix and the 32-byte seed.
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")
_PEM_HEAD, _PEM_TAIL = b"-----BEGIN PRIVATE KEY-----", b"-----END PRIVATE KEY-----"


def _seed(data: bytes) -> bytes | None:
    """The seed of a key file exactly as :func:`_make` writes it, else None (read the general
    way). Importing cryptography's serialization costs ~25 ms at every interview start; the
    Ed25519 module alone does not."""
    lines = data.strip().split(b"\n")
    if len(lines) < 3 or lines[0] != _PEM_HEAD or lines[-1] != _PEM_TAIL:
        return None
    try:
        der = base64.b64decode(b"".join(lines[1:-1]), validate=True)
    except ValueError:
        return None
    if len(der) != len(_PKCS8_ED25519) + 32 or not der.startswith(_PKCS8_ED25519):
        return None
    return der[len(_PKCS8_ED25519):]


def _read(path: Path) -> DeviceKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    problem = (
        f"This device's signing key {path} cannot be used"
        " ({why}). Restore it from your backup; a new key cannot sign for the events the old "
        "one signed (move the file away only if it is lost for good: 'records verify' will "
        "then name the old key's events until you verify with --device OLD-FINGERPRINT)."
    )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeviceKeyProblem(problem.format(why=exc.strerror or exc)) from None
    seed = _seed(data)
    key: Any
    if seed is not None:
        key = Ed25519PrivateKey.from_private_bytes(seed)
    else:
        from cryptography.hazmat.primitives import serialization

        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise DeviceKeyProblem(problem.format(why="damaged, or not a key")) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise DeviceKeyProblem(problem.format(why="not an Ed25519 key"))
    raw = key.public_key().public_bytes_raw()
    return DeviceKey(private=key, raw_public=raw, fingerprint=fingerprint(raw), path=path)


# -- signed envelopes --------------------------------------------------------------------------


def envelope_message(payload: bytes, aad: bytes) -> bytes:
    """What a device signs for a sealed envelope: the payload, bound to its record id."""
    return _ENVELOPE + len(aad).to_bytes(4, "big") + aad + payload


def sign_payload(payload: bytes, aad: bytes, key: DeviceKey) -> bytes:
    """``payload`` wrapped with this device's signature, ready to be sealed for the office:
    signed, then sealed, so only the office sees who signed and a holder of the office public
    key alone cannot make an envelope that passes for one made here."""
    from screening.records.chain import canonical

    return canonical(
        {
            "v": 2,
            "signed": base64.b64encode(payload).decode("ascii"),
            "signer": key.fingerprint,
            "public_key": key.public_b64,
            "signature": key.sign(envelope_message(payload, aad)),
        }
    )


def unwrap_payload(data: bytes, aad: bytes) -> tuple[bytes, str | None]:
    """(the payload, the fingerprint of the device that signed it); the signer is None for an
    envelope sealed before signing began. Raises SealedDataError for a signature that does
    not hold."""
    import json

    from screening.records.chain import signature_holds
    from screening.records.crypto import SealedDataError

    try:
        inner = json.loads(data)
    except ValueError:
        raise SealedDataError("the sealed data is damaged (its contents)") from None
    if not isinstance(inner, dict) or inner.get("v") != 2:
        return data, None  # sealed before signing: the payload itself
    try:
        payload = base64.b64decode(str(inner["signed"]), validate=True)
        public = base64.b64decode(str(inner["public_key"]), validate=True)
        signer = str(inner["signer"])
    except (KeyError, ValueError):
        raise SealedDataError("the sealed data is damaged (its signature)") from None
    if fingerprint(public) != signer or not signature_holds(
        public, envelope_message(payload, aad), inner.get("signature")
    ):
        raise SealedDataError(
            "the sealed data's signature does not hold: it was forged or altered"
        )
    return payload, signer
