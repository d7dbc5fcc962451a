"""`screening central` (init, status, import) and `screening sync` (push, bundle): many laptops,
one office. The work is ``screening.central``; here: options, progress and the summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from screening.cli._common import DbOption, ForceOption, TextFormatOption, output_path
from screening.cli._output import TextFormat

central_app = typer.Typer(
    help="The central database (PostgreSQL): set it up, see what it holds, import bundles, "
    "approve devices' keys and logins.",
    no_args_is_help=True,
)
sync_app = typer.Typer(
    help="Send this laptop's finished records to the central database, or into a bundle.",
    no_args_is_help=True,
)

UrlArgument = Annotated[
    str,
    typer.Argument(help="The central database: postgresql://USER@HOST[:PORT]/DB (keep the "
                   "password in ~/.pgpass, not in the URL)."),
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", help="The central database URL [default: SCREENING_CENTRAL_URL, "
                 "else the saved central_url setting]."),
]
OfficeOption = Annotated[
    str | None,
    typer.Option("--office", help="This laptop's office code, sent with its records "
                 "[default: the saved office setting]; remembered."),
]


def _check_url(url: str) -> str:
    from screening.central.connection import resolve

    return resolve(url)


@central_app.command("init")
def init(
    url: UrlArgument,
    print_sql: Annotated[
        bool,
        typer.Option("--print-sql", help="Print the SQL (schema, roles, grants) for a database "
                     "administrator to run, and change nothing."),
    ] = False,
) -> None:
    """Create or migrate the central schema, its push and read roles and their grants.

    Run it as the database's owner. Then the administrator gives each office a login in the
    push role and each analyst a login in the read role (the last lines say how).

    Examples:

      screening central init postgresql://postgres@pusat.example/screening

      screening central init postgresql://postgres@pusat.example/screening --print-sql
    """
    from screening.central import schema
    from screening.cli._output import err

    if print_sql:
        typer.echo(schema.init_sql(), nl=False)
        return
    result = schema.init(_check_url(url))
    console = err()
    if result["from"] == result["to"]:
        console.print(f"The central schema is up to date (version {result['to']}).")
    else:
        console.print(
            f"Central schema {result['from']} → {result['to']}; roles "
            f"{schema.PUSH_ROLE} (add only) and {schema.READ_ROLE} (read, logged).",
            soft_wrap=True,
        )
    console.print("Grants (also printed by --print-sql):", soft_wrap=True)
    for statement in schema.grants_sql():
        typer.echo(f"{statement};")
    typer.echo(
        f"-- logins: CREATE ROLE kanim_x LOGIN PASSWORD '...' IN ROLE {schema.PUSH_ROLE};\n"
        f"--         CREATE ROLE analyst_x LOGIN PASSWORD '...' IN ROLE {schema.READ_ROLE};"
    )


@central_app.command("status")
def status(url: UrlArgument, fmt: TextFormatOption = TextFormat.text) -> None:
    """Schema version, devices, records, and the last push of each device.

    Example: screening central status postgresql://analyst@pusat.example/screening
    """
    from screening.central.schema import status as central_status
    from screening.cli._output import emit_json, emit_rows, out

    result = central_status(_check_url(url))
    if fmt is TextFormat.json:
        emit_json(result)
        return
    out().print(
        f"schema {result['schema_version']}: {result['records']} record(s), "
        f"{result['events']} event(s) from {result['device_count']} device(s)"
    )
    if result["devices"]:
        from screening.cli._output import Format

        emit_rows(result["devices"], ["device_id", "office", "records", "events", "last_push"],
                  Format.table, title="Devices")
        # whole, never cut by the table: the administrator compares them with the laptops'
        for device in result["devices"]:
            out().print(
                f"{device['device_id']}: signs with {device['keys'] or 'no key yet'}; pushed "
                f"by {device['logins'] or 'no login yet'}",
                soft_wrap=True, markup=False,
            )


@central_app.command("trust")
def trust(
    url: UrlArgument,
    device: Annotated[str, typer.Argument(help="The device id (from 'central status', or "
                                          "the refusal message).")],
    key: Annotated[
        str | None,
        typer.Option("--key", help="Trust this signing key for the device: its fingerprint, "
                     "from 'screening keys device' on the laptop."),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", help="The key itself (public_key from 'screening keys "
                     "device --format json'), for a key the centre has not seen yet."),
    ] = None,
    login: Annotated[
        str | None,
        typer.Option("--login", help="Let this database login push the device too (a laptop "
                     "moved to another office, bundles imported elsewhere)."),
    ] = None,
) -> None:
    """Approve a signing key or a login for a device (run as the database's owner).

    The centre trusts a device's key from its first push, and only the login that pushed
    it first; anything else is refused until approved here. Check the fingerprint on the
    laptop itself ('screening keys device') before approving it. A key approved before the
    device's first push is the only one that push is believed with.

    Examples:

      screening central trust postgresql://postgres@pusat/screening DEVICE-ID --key 1a2b-...

      screening central trust postgresql://postgres@pusat/screening DEVICE-ID --login kanim_x
    """
    from screening.central.trust import approve
    from screening.cli._output import err

    if key is None and public_key is None and login is None:
        raise typer.BadParameter("say what to trust: --key (with --public-key for a key not "
                                 "seen yet) and/or --login", param_hint="'--key'")
    done = approve(_check_url(url), device, key=key, public_key=public_key, login=login)
    if done["key"]:
        err().print(f"Device {device}: key {done['key']} is trusted.", soft_wrap=True)
    if done["login"]:
        err().print(f"Device {device}: login {done['login']} may push it.", soft_wrap=True)


@central_app.command("import")
def import_bundle(
    bundle: Annotated[Path, typer.Argument(help="A bundle made by 'screening sync bundle'.",
                                           dir_okay=False)],
    to: ToOption = None,
    fmt: TextFormatOption = TextFormat.text,
) -> None:
    """Load an offline bundle into the central database, by the same rules as a push.

    An edited or damaged bundle is refused whole; importing one twice changes nothing.

    Example: screening central import kanim-bengkulu.bundle --to postgresql://pusat/screening
    """
    from screening.central.bundle import BundleSource
    from screening.central.connection import redact

    url = _resolve(to)
    source = BundleSource(bundle)
    summary = _push(source, url, via=f"bundle {bundle.name}", batch=200)
    _report(summary, fmt, redact(url), source.device_id)


def _resolve(to: str | None) -> str:
    from screening.central.connection import resolve
    from screening.records import settings

    return resolve(to, settings.load().get("central_url"))


def _office(office: str | None) -> str | None:
    from screening.records import settings

    if office:
        settings.save({"office": office})
        return office
    return settings.load().get("office")


def _push(source: Any, url: str, *, via: str, batch: int) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from screening.central.push import push
    from screening.cli._output import err

    console = err()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        return push(source, url, via=via, progress=progress, record_batch=batch,
                    event_batch=batch * 10)


def _report(summary: Any, fmt: TextFormat, where: str, device: str) -> None:
    from screening.cli._output import emit_json, err

    result = {**summary.as_dict(), "device_id": device, "to": where}
    if fmt is TextFormat.json:
        emit_json(result)
    else:
        console = err()
        console.print(
            f"Pushed to {where}: {summary.added} record(s) sent, {summary.updated} updated, "
            f"{summary.same} already there, {len(summary.refused)} refused; "
            f"{summary.events} audit event(s) sent.",
            soft_wrap=True,
        )
        for refusal in summary.refused:
            console.print(f"[red]refused[/] {refusal['id']}: {refusal['reason']}", soft_wrap=True)
    if summary.refused:
        raise typer.Exit(1)


@sync_app.command("push")
def push_command(
    to: ToOption = None,
    office: OfficeOption = None,
    batch: Annotated[
        int, typer.Option("--batch", min=1, help="Records per transaction (audit events: ten "
                          "times as many); smaller on a poor line.")
    ] = 200,
    db: DbOption = None,
    fmt: TextFormatOption = TextFormat.text,
) -> None:
    """Send every finished record not yet at the central database, with its audit trail.

    Sealed values travel sealed. Drafts stay on the laptop. Safe to run again at any time,
    and after a cut: what arrived is not sent twice, what did not is sent now. Exit 1 when a
    record is refused (the summary says why) or the trail does not continue.

    Examples:

      screening sync push --to postgresql://kanim_bengkulu@pusat.example/screening

      SCREENING_CENTRAL_URL=postgresql://kanim_bengkulu@pusat.example/screening screening sync push
    """
    from screening.central.bundle import LaptopSource
    from screening.central.connection import redact
    from screening.records.store import Store

    url = _resolve(to)
    with Store.open(db, create=False) as store:
        source = LaptopSource(store, _office(office))
        summary = _push(source, url, via="push", batch=batch)
    _report(summary, fmt, redact(url), source.device_id)


@sync_app.command("bundle")
def bundle_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The bundle file to write "
                                         "(owner-only).", dir_okay=False)],
    office: OfficeOption = None,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Write what a push would send into one file, for a post without a network.

    Carry it to a computer that reaches the central database and run 'screening central
    import FILE'. The file holds sealed values sealed, and is checked whole on import.

    Example: screening sync bundle -o /media/usb/kanim-bengkulu.bundle
    """
    from screening.central.bundle import LaptopSource, write_bundle
    from screening.cli._output import err
    from screening.records.store import Store

    target = output_path(output, db=db, force=force, what="the bundle")
    if target is None:
        raise typer.BadParameter("a bundle is a file: give its name", param_hint="'--output'")
    with Store.open(db, create=False) as store:
        result = write_bundle(LaptopSource(store, _office(office)), target)
    err().print(
        f"Bundle {result['path']}: {result['records']} finished record(s), {result['events']} "
        f"audit event(s) of device {result['device_id']}.",
        soft_wrap=True,
    )
