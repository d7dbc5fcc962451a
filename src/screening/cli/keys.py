"""`screening keys`: the office key pair (init), the laptop's public key (use, show)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from screening.cli._common import TextFormatOption
from screening.cli._output import TextFormat

app = typer.Typer(
    help="Office keys: create the key pair, configure this laptop's public key.",
    no_args_is_help=True,
)


def passphrase(
    *, confirm: bool, what: str = "the office private key", check: Any = None
) -> str:
    """From $SCREENING_KEY_PASSPHRASE, or asked for (hidden; twice when ``confirm``).

    ``check`` judges a new passphrase as soon as it is typed the first time: a refused one
    is asked for again, never after it was typed twice."""
    import os
    import sys

    from screening.errors import ScreeningError
    from screening.records.crypto import PASSPHRASE_ENV

    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise ScreeningError(
            f"A passphrase for {what} is needed: set {PASSPHRASE_ENV}, or run this command in "
            "a terminal to type it."
        )
    if not confirm:
        return typer.prompt(f"Passphrase for {what}", hide_input=True, err=True)
    from screening.cli._output import err

    while True:
        secret = typer.prompt(f"Passphrase for {what}", hide_input=True, err=True)
        if check is not None:
            try:
                check(secret)
            except ScreeningError as exc:
                err().print(f"[red]{exc.message}[/]", soft_wrap=True)
                continue
        again = typer.prompt("Type it again", hide_input=True, err=True)
        if again == secret:
            return secret
        err().print("[red]The two do not match; start again.[/]")


def load_private(path: Path) -> Any:
    """The office private key at ``path``, its passphrase asked for or from the environment."""
    from screening.records.crypto import load_private_key

    if not Path(path).exists():
        from screening.records.crypto import KeyProblem

        raise KeyProblem(f"The office private key file {path} does not exist. Check the path.")
    return load_private_key(path, passphrase(confirm=False))


KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="The office PRIVATE key file, to open sealed answers (passphrase from "
        "SCREENING_KEY_PASSPHRASE or asked for). The opening is logged.",
        dir_okay=False,
    ),
]


@app.command("init")
def init(
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the new key pair (created when missing).",
                     file_okay=False),
    ],
) -> None:
    """Create the office key pair: a private key under a passphrase, and a public key.

    The private key opens every sealed record: keep it off the counter laptops (a USB stick
    in the office safe, and a second copy elsewhere). Give each laptop the public key with
    'screening keys use'.

    Example: screening keys init --out /media/usb/office-keys
    """
    from screening.cli._output import err
    from screening.records.crypto import (
        check_passphrase,
        fingerprint,
        load_public_key,
        write_key_pair,
    )

    secret = passphrase(confirm=True, check=check_passphrase)
    check_passphrase(secret)  # also when it came from the environment
    private_path, public_path = write_key_pair(out, secret)
    console = err()
    console.print(f"Private key (passphrase-protected): {private_path}", soft_wrap=True)
    console.print(f"Public key: {public_path}", soft_wrap=True)
    console.print(f"Fingerprint: {fingerprint(load_public_key(public_path))}")
    console.print(
        "Next: on each counter laptop run 'screening keys use "
        f"{public_path.name}'. Keep the private key and its passphrase OFF the laptops.",
        soft_wrap=True,
    )


@app.command("use")
def use(
    public_key: Annotated[Path, typer.Argument(help="The office PUBLIC key file (.pem).")],
) -> None:
    """Configure this laptop with the office public key: finished records get sealed.

    The key is copied next to your settings. SCREENING_PUBLIC_KEY=PATH overrides it.

    Example: screening keys use office-public-key.pem
    """
    import os

    from screening.cli._output import err
    from screening.records.crypto import (
        KeyProblem,
        fingerprint,
        installed_public_key_path,
        load_public_key,
    )

    key = load_public_key(public_key)
    target = installed_public_key_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(Path(public_key).read_bytes())
        os.replace(tmp, target)
    except OSError as exc:
        raise KeyProblem(
            f"Cannot install the public key into {target.parent}: {exc.strerror or exc}."
        ) from None
    err().print(
        f"This laptop now seals finished records for office key {fingerprint(key)} "
        f"({target}).",
        soft_wrap=True,
    )


@app.command("show")
def show(fmt: TextFormatOption = TextFormat.text) -> None:
    """Show the office public key this laptop seals records for (its fingerprint).

    Example: screening keys show --format json
    """
    from screening.cli._output import emit_json, out
    from screening.records.crypto import configured_public_key_path, fingerprint, load_public_key

    found = configured_public_key_path()
    if found is None:
        info: dict[str, Any] = {"configured": False, "path": None, "source": None,
                                "fingerprint": None}
    else:
        path, source = found
        info = {"configured": True, "path": str(path), "source": source,
                "fingerprint": fingerprint(load_public_key(path))}
    if fmt is TextFormat.json:
        emit_json(info)
        return
    if not info["configured"]:
        out().print(
            "No office public key is configured: finished records are stored UNENCRYPTED. "
            "Run 'screening keys use PUBLIC_KEY'.",
            soft_wrap=True,
        )
        return
    out().print(f"Office key {info['fingerprint']} ({info['path']}, from {info['source']})",
                soft_wrap=True)
