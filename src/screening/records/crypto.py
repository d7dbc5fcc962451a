"""Office keys and sealed records, built only from ``cryptography`` primitives.

The office holds an X25519 key pair. The private key lives in a PEM file encrypted under a
passphrase and is meant to leave the counter laptop; the laptop keeps the public key only.

Sealing (``seal``): a fresh AES-256-GCM data key encrypts the payload; an ephemeral X25519 key
agrees a secret with the office public key, HKDF-SHA256 turns it into a key-wrapping key, and
AES-256-GCM wraps the data key. Both encryptions take the same associated data (the record id),
so a sealed blob moved to another record no longer opens. The envelope names the office key it
was sealed for (its fingerprint), so a wrong key is told apart from damaged data.

``cryptography`` is imported inside the functions: ``screening --help`` stays light.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import ScreeningError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )

ALGORITHM = "X25519-HKDF-SHA256-A256GCM"
ENVELOPE_VERSION = 1
PUBLIC_KEY_ENV = "SCREENING_PUBLIC_KEY"
PASSPHRASE_ENV = "SCREENING_KEY_PASSPHRASE"
PUBLIC_FILE = "office-public-key.pem"
PRIVATE_FILE = "office-private-key.pem"
MIN_PASSPHRASE = 12
_INFO = b"screening record key wrap v1"


class KeyProblem(ScreeningError):
    """A key file is missing, unreadable, of the wrong kind, or its passphrase is wrong."""


class WrongPassphrase(KeyProblem):
    """The passphrase does not open the private key file."""


class WrongKey(ScreeningError):
    """The private key is not the office key the data was sealed for."""


class SealedDataError(ScreeningError):
    """Sealed data is damaged, or was moved from another record."""


# -- keys ------------------------------------------------------------------------------------


def generate_key_pair(passphrase: str) -> tuple[bytes, bytes]:
    """(private PEM encrypted under ``passphrase``, public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    check_passphrase(passphrase)
    private = X25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyProblem(
            f"The passphrase is too short ({len(passphrase)} characters): use at least "
            f"{MIN_PASSPHRASE}, for example four unrelated words."
        )


def write_key_pair(folder: Path, passphrase: str) -> tuple[Path, Path]:
    """Create ``folder``/office-private-key.pem (owner-only) and office-public-key.pem."""
    private_path, public_path = folder / PRIVATE_FILE, folder / PUBLIC_FILE
    for path in (private_path, public_path):
        if path.exists():
            raise KeyProblem(
                f"{path} already exists; a key file is never overwritten. Choose another "
                "folder with --out, or move the old key pair away first."
            )
    private_pem, public_pem = generate_key_pair(passphrase)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_new(private_path, private_pem, 0o600)
        _write_new(public_path, public_pem, 0o644)
    except OSError as exc:
        raise KeyProblem(
            f"Cannot write the key pair into {folder}: {exc.strerror or exc}. Choose a folder "
            "you may write to with --out."
        ) from None
    return private_path, public_path


MAX_KEY_BYTES = 64 * 1024


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _read(path: Path, what: str) -> bytes:
    from screening.files import TooLarge, read_capped

    try:
        return read_capped(Path(path), MAX_KEY_BYTES)  # a key is a few hundred bytes
    except TooLarge:
        raise KeyProblem(f"{path} is over {MAX_KEY_BYTES} bytes: it cannot be the {what} "
                         "file.") from None
    except FileNotFoundError:
        raise KeyProblem(f"The {what} file {path} does not exist. Check the path.") from None
    except IsADirectoryError:
        raise KeyProblem(f"{path} is a folder, not a {what} file.") from None
    except OSError as exc:
        raise KeyProblem(f"Cannot read the {what} file {path}: {exc.strerror or exc}.") from None


def load_public_key(path: Path) -> X25519PublicKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    data = _read(path, "office public key")
    if b"PRIVATE KEY" in data:
        raise KeyProblem(
            f"{path} is a private key. The laptop needs the office PUBLIC key only "
            f"({PUBLIC_FILE}); keep the private key away from the counter laptop."
        )
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise KeyProblem(
            f"{path} is not an office public key (expected a PEM file made by "
            "'screening keys init')."
        ) from None
    if not isinstance(key, X25519PublicKey):
        raise KeyProblem(
            f"{path} holds a public key of another kind; screening uses X25519 office keys "
            "made by 'screening keys init'."
        )
    return key


def load_private_key(path: Path, passphrase: str) -> X25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    data = _read(path, "office private key")
    if b"PRIVATE KEY" not in data:
        raise KeyProblem(
            f"{path} is not an office private key (expected the {PRIVATE_FILE} file made by "
            "'screening keys init')."
        )
    if b"ENCRYPTED PRIVATE KEY" not in data:
        raise KeyProblem(
            f"{path} is a private key without a passphrase; screening only uses office keys "
            "protected by a passphrase ('screening keys init')."
        )
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        if "password" in str(exc).lower():
            raise WrongPassphrase(
                f"The passphrase does not open the private key {path}. Check it and try again."
            ) from None
        raise KeyProblem(
            f"The private key file {path} is damaged: it cannot be read. Use the office's "
            "backup copy of the key."
        ) from None
    if not isinstance(key, X25519PrivateKey):
        raise KeyProblem(
            f"{path} holds a private key of another kind; screening uses X25519 office keys."
        )
    return key


def _raw_public(key: X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: X25519PublicKey | X25519PrivateKey) -> str:
    """A short, stable name for an office key: SHA-256 of the raw public key, 80 bits shown."""
    # hasattr, not isinstance: the key classes are imported lazily (only for type checking here)
    public = key.public_key() if hasattr(key, "private_bytes") else key  # type: ignore[union-attr]
    digest = hashlib.sha256(_raw_public(public)).hexdigest()[:20]
    return "-".join(digest[i : i + 4] for i in range(0, 20, 4))


# -- where the laptop's public key comes from ------------------------------------------------


def installed_public_key_path() -> Path:
    """Where 'screening keys use' puts the office public key: next to the settings."""
    from screening.records.settings import settings_path

    return settings_path().parent / PUBLIC_FILE


def configured_public_key_path() -> tuple[Path, str] | None:
    """(path, source) of the configured office public key, or None when there is none.

    ``$SCREENING_PUBLIC_KEY`` wins over the key installed by 'screening keys use'. A path that
    is configured but missing is still returned: using it fails with a clear message, never
    silently falls back to storing records unencrypted.
    """
    env = os.environ.get(PUBLIC_KEY_ENV, "").strip()
    if env:
        return Path(env).expanduser(), PUBLIC_KEY_ENV
    installed = installed_public_key_path()
    if installed.exists():
        return installed, "screening keys use"
    return None


def configured_public_key() -> X25519PublicKey | None:
    found = configured_public_key_path()
    return None if found is None else load_public_key(found[0])


# -- sealing -----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(envelope: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(str(envelope[name]), validate=True)
    except (KeyError, ValueError, TypeError):
        raise SealedDataError(f"the sealed data is damaged (field '{name}')") from None


def _wrapping_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_INFO
    ).derive(shared)


def seal(payload: bytes, public_key: X25519PublicKey, aad: bytes) -> dict[str, Any]:
    """Encrypt ``payload`` for the holder of the office private key; bound to ``aad``."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, payload, aad)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw_public(ephemeral.public_key())
    recipient_raw = _raw_public(public_key)
    wrapping = _wrapping_key(ephemeral.exchange(public_key), ephemeral_raw, recipient_raw)
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(wrapping).encrypt(wrap_nonce, data_key, aad)
    return {
        "v": ENVELOPE_VERSION,
        "alg": ALGORITHM,
        "key": fingerprint(public_key),
        "epk": _b64(ephemeral_raw),
        "wrap_nonce": _b64(wrap_nonce),
        "wrapped_key": _b64(wrapped),
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
    }


def open_sealed(envelope: dict[str, Any], private_key: X25519PrivateKey, aad: bytes) -> bytes:
    """The payload of ``envelope``; WrongKey or SealedDataError when it cannot be opened."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(envelope, dict):
        raise SealedDataError("the sealed data is damaged (not an envelope)")
    if envelope.get("v") != ENVELOPE_VERSION or envelope.get("alg") != ALGORITHM:
        raise SealedDataError(
            f"the sealed data is damaged or of an unknown kind (version {envelope.get('v')!r}, "
            f"algorithm {envelope.get('alg')!r})"
        )
    mine = fingerprint(private_key)
    if envelope.get("key") != mine:
        raise WrongKey(
            f"it was sealed for office key {envelope.get('key')}, and this private key is "
            f"{mine}"
        )
    ephemeral_raw = _unb64(envelope, "epk")
    try:
        ephemeral = X25519PublicKey.from_public_bytes(ephemeral_raw)
        shared = private_key.exchange(ephemeral)
    except ValueError:
        raise SealedDataError("the sealed data is damaged (ephemeral key)") from None
    wrapping = _wrapping_key(shared, ephemeral_raw, _raw_public(private_key.public_key()))
    try:
        data_key = AESGCM(wrapping).decrypt(
            _unb64(envelope, "wrap_nonce"), _unb64(envelope, "wrapped_key"), aad
        )
        return AESGCM(data_key).decrypt(
            _unb64(envelope, "nonce"), _unb64(envelope, "ciphertext"), aad
        )
    except (InvalidTag, ValueError):
        raise SealedDataError(
            "the sealed data is damaged, or it was moved here from another record"
        ) from None
