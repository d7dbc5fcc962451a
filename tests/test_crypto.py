"""Office keys and sealing: round trip, wrong key, wrong passphrase, damage, moved blobs."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from _protect import PASSPHRASE, cli_env, invoke, make_keys
from screening.records import crypto
from screening.records.crypto import (
    KeyProblem,
    SealedDataError,
    WrongKey,
    WrongPassphrase,
    fingerprint,
    load_private_key,
    load_public_key,
    open_sealed,
    seal,
)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    return make_keys(tmp_path / "office")


def test_seal_and_open_round_trip(keys: tuple[Path, Path]) -> None:
    private_path, public_path = keys
    public = load_public_key(public_path)
    private = load_private_key(private_path, PASSPHRASE)
    payload = "Siti Ñoño, paspor C1234567 ✓".encode()
    envelope = seal(payload, public, b"20261127-K7M2QX")
    assert payload not in repr(envelope).encode()
    assert envelope["alg"] == "X25519-HKDF-SHA256-A256GCM"
    assert envelope["key"] == fingerprint(public) == fingerprint(private)
    assert open_sealed(envelope, private, b"20261127-K7M2QX") == payload
    # A fresh data key and ephemeral key every time: the same payload never seals the same.
    again = seal(payload, public, b"20261127-K7M2QX")
    assert again["ciphertext"] != envelope["ciphertext"] and again["epk"] != envelope["epk"]


def test_a_wrong_key_is_told_apart(keys: tuple[Path, Path], tmp_path: Path) -> None:
    other_private, _ = make_keys(tmp_path / "other")
    envelope = seal(b"secret", load_public_key(keys[1]), b"R1")
    other = load_private_key(other_private, PASSPHRASE)
    with pytest.raises(WrongKey) as caught:
        open_sealed(envelope, other, b"R1")
    assert caught.value.message == (
        f"it was sealed for office key {fingerprint(load_public_key(keys[1]))}, and this "
        f"private key is {fingerprint(other)}"
    )


def test_a_moved_blob_does_not_open(keys: tuple[Path, Path]) -> None:
    envelope = seal(b"secret", load_public_key(keys[1]), b"20261127-AAAAAA")
    private = load_private_key(keys[0], PASSPHRASE)
    with pytest.raises(SealedDataError) as caught:
        open_sealed(envelope, private, b"20261127-BBBBBB")
    assert caught.value.message == (
        "the sealed data is damaged, or it was moved here from another record"
    )


@pytest.mark.parametrize("field", ["ciphertext", "wrapped_key", "nonce", "wrap_nonce", "epk"])
def test_corrupted_ciphertext_is_refused(keys: tuple[Path, Path], field: str) -> None:
    envelope = seal(b"secret payload", load_public_key(keys[1]), b"R1")
    data = bytearray(base64.b64decode(envelope[field]))
    data[len(data) // 2] ^= 0x01
    envelope[field] = base64.b64encode(bytes(data)).decode()
    with pytest.raises(SealedDataError, match="the sealed data is damaged"):
        open_sealed(envelope, load_private_key(keys[0], PASSPHRASE), b"R1")


def test_a_damaged_envelope_is_refused(keys: tuple[Path, Path]) -> None:
    private = load_private_key(keys[0], PASSPHRASE)
    envelope = seal(b"x", load_public_key(keys[1]), b"R1")
    with pytest.raises(SealedDataError, match=r"damaged \(field 'ciphertext'\)"):
        open_sealed({**envelope, "ciphertext": "***"}, private, b"R1")
    with pytest.raises(SealedDataError, match="unknown kind"):
        open_sealed({**envelope, "v": 9}, private, b"R1")
    with pytest.raises(SealedDataError, match="not an envelope"):
        open_sealed("nope", private, b"R1")  # type: ignore[arg-type]


def test_wrong_passphrase(keys: tuple[Path, Path]) -> None:
    with pytest.raises(WrongPassphrase) as caught:
        load_private_key(keys[0], "not the passphrase")
    assert caught.value.message == (
        f"The passphrase does not open the private key {keys[0]}. Check it and try again."
    )


def test_key_files(keys: tuple[Path, Path], tmp_path: Path) -> None:
    private_path, public_path = keys
    assert private_path.name == "office-private-key.pem"
    assert b"ENCRYPTED PRIVATE KEY" in private_path.read_bytes()
    if os.name == "posix":
        assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    # never overwritten
    with pytest.raises(KeyProblem, match="already exists; a key file is never overwritten"):
        make_keys(tmp_path / "office")
    # a missing file, the private key given as the public one, and the other way round
    missing = tmp_path / "nope.pem"
    with pytest.raises(KeyProblem) as caught:
        load_public_key(missing)
    assert caught.value.message == (
        f"The office public key file {missing} does not exist. Check the path."
    )
    with pytest.raises(KeyProblem, match="is a private key. The laptop needs the office PUBLIC"):
        load_public_key(private_path)
    with pytest.raises(KeyProblem, match="is not an office private key"):
        load_private_key(public_path, PASSPHRASE)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello\n")
    with pytest.raises(KeyProblem, match="is not an office public key"):
        load_public_key(garbage)
    damaged = tmp_path / "damaged.pem"
    text = private_path.read_text().splitlines()
    text[2] = "!" * len(text[2])
    damaged.write_text("\n".join(text) + "\n")
    with pytest.raises(KeyProblem) as caught:
        load_private_key(damaged, PASSPHRASE)
    assert caught.value.message == (
        f"The private key file {damaged} is damaged: it cannot be read. Use the office's "
        "backup copy of the key."
    )


def test_a_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyProblem, match=r"too short \(5 characters\): use at least 12"):
        crypto.write_key_pair(tmp_path, "short")
    assert not (tmp_path / "office-private-key.pem").exists()


def test_keys_commands(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    made = invoke(env, "keys", "init", "--out", str(tmp_path / "k"))
    assert made.exit_code == 0, made.output
    public = tmp_path / "k" / "office-public-key.pem"
    expected = fingerprint(load_public_key(public))
    assert f"Fingerprint: {expected}" in made.stderr
    none = invoke(env, "keys", "show", "--format", "json")
    assert none.exit_code == 0 and '"configured": false' in none.stdout
    used = invoke(env, "keys", "use", str(public))
    assert used.exit_code == 0, used.output
    shown = invoke(env, "keys", "show")
    assert expected in shown.stdout and "screening keys use" in shown.stdout
    refused = invoke(env, "keys", "use", str(tmp_path / "k" / "office-private-key.pem"))
    assert refused.exit_code == 1
    assert "is a private key. The laptop needs the office PUBLIC key only" in refused.stderr
    assert "Traceback" not in refused.output
    again = invoke(env, "keys", "init", "--out", str(tmp_path / "k"))
    assert again.exit_code == 1 and "already exists" in again.stderr
    # without a passphrase and without a terminal: one clear error
    bare = invoke({"SCREENING_DB": env["SCREENING_DB"]}, "keys", "init", "--out",
                  str(tmp_path / "k2"))
    assert bare.exit_code == 1
    assert "set SCREENING_KEY_PASSPHRASE, or run this command in a terminal" in bare.stderr


def test_help_does_not_import_cryptography() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from screening.cli.main import app\n"
        "from typer.testing import CliRunner\n"
        "CliRunner().invoke(app, ['--help'])\n"
        "CliRunner().invoke(app, ['records', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('cryptography', 'sqlite_utils'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
