"""`screening records export|verify|erase|purge|seal`: the commands that protect records, on
the ``records`` group of :mod:`screening.cli.records` (importing this module registers them)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from screening.cli._common import DbOption, ForceOption, ReadDbOption, TextFormatOption, output_path
from screening.cli._output import TextFormat
from screening.cli.export import ExportFormat
from screening.cli.keys import KeyOption
from screening.cli.records import OfficerOption, _actor, _now, _when, app


@app.command("export")
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="csv, json, jsonl or htcds (IOM HTCDS, JSON)."),
    ] = ExportFormat.json,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (owner-only) instead of stdout "
                     "('-' is stdout); never the database or a key file.", dir_okay=False),
    ] = None,
    force: ForceOption = False,
    key: KeyOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Started on or after this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Started on or before this date.")
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="draft or completed.")] = None,
    level: Annotated[str | None, typer.Option("--level", help="high, medium or low.")] = None,
    questionnaire: Annotated[
        str | None, typer.Option("--questionnaire", "-q", help="Only this questionnaire.")
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of option labels (CSV, HTCDS): en or id.")
    ] = "en",
    override_consent: Annotated[
        bool,
        typer.Option("--override-consent",
                     help="Also export identifying data of records WITHOUT consent to share "
                     "(needs --reason; logged)."),
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why consent is overridden (a legal basis, a case "
                     "number); kept in the audit trail, so never a name."),
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress", help="Show a progress bar even when not on a terminal.")
    ] = False,
    officer: OfficerOption = None,
    db: ReadDbOption = None,
) -> None:
    """Export records, streamed: one row (CSV) or object (JSON) per record.

    By default identifying answers, free text and notes are left out (CSV, HTCDS) or carried
    sealed for the office key (JSON, JSONL). --key opens them (logged); a record without
    consent to share keeps them withheld unless --override-consent --reason. A record that
    cannot be opened is exported without them and named on stderr (exit 1).

    Examples:

      screening records export -f csv -o records.csv --since 2026-11-01

      screening records export -f json --key /media/usb/office-private-key.pem -o full.json

      screening records export -f htcds --status completed -o htcds.json
    """
    from screening.cli import export as exporter

    status = status.lower() if status else None
    level = level.lower() if level else None
    if status not in (None, "draft", "completed"):
        raise typer.BadParameter("choose draft or completed", param_hint="'--status'")
    if level not in (None, "high", "medium", "low"):
        raise typer.BadParameter("choose high, medium or low", param_hint="'--level'")
    if override_consent and not (reason or "").strip():
        raise typer.BadParameter(
            "--override-consent needs --reason TEXT (why; it is logged)",
            param_hint="'--reason'",
        )
    if reason and not override_consent:
        raise typer.BadParameter("--reason goes with --override-consent", param_hint="'--reason'")
    options = exporter.Options(
        fmt=fmt,
        output=output_path(output, db=db, force=force, what="the export"),
        key=key,
        filters=dict(
            status=status,
            since=_when(since, "since"),
            until=_when(until, "until"),
            questionnaire=questionnaire,
            level=level,
        ),
        lang=lang,
        override_consent=override_consent,
        reason=reason.strip() if reason else None,
        progress=progress,
        officer=_actor(officer),
    )
    code = exporter.run(db, options)
    if code:
        raise typer.Exit(code)


@app.command("verify")
def verify(
    devices: Annotated[
        list[str] | None,
        typer.Option("--device", help="Also accept events signed by this device (its "
                     "fingerprint, from 'screening keys device' on it); repeatable."),
    ] = None,
    db: ReadDbOption = None,
    fmt: TextFormatOption = TextFormat.text,
) -> None:
    """Check the audit trail and every stored record against it.

    Checks each event's hash, its link to the one before and its signature by the device
    that wrote it (the key lives outside the database, so an edited file cannot re-sign),
    the content snapshots, and every record against the trail's last word on it. Names
    every record or event edited, deleted, inserted, reordered or forged behind the tool's
    back; exit 1 when anything is wrong. Keep the printed head hash somewhere else (a
    notebook, an e-mail): a trail cut short no longer ends with it.

    With --db postgresql://..., checks the central copy: each device's chain and its
    signatures by the key the centre trusts for that device, every record against its
    device's trail, and the central access trail.

    Example: screening records verify --format json
    """
    from rich.markup import escape

    from screening.cli._common import open_records
    from screening.cli._output import emit_json, out

    with open_records(db) as store:
        # at the centre, --device adds a key it has seen to those it trusts for its device
        result = store.verify(devices=devices or ())
    if fmt is TextFormat.json:
        emit_json(result)
    else:
        console = out()
        for problem in result["problems"]:
            console.print(f"[red]✗[/] {escape(problem['problem'])}", soft_wrap=True)
        for note in result.get("notes", []):
            console.print(f"note: {note}", soft_wrap=True, markup=False)
        verdict = (
            "[green]OK:[/] the audit trail is intact and every record matches it"
            if result["ok"]
            else f"[red]{len(result['problems'])} problem(s)[/]"
        )
        signed = result.get("signers", {})
        signers = "; signed by " + (", ".join(f"{fp} ({n})" for fp, n in signed.items())
                                    or "none") if "signers" in result else ""
        console.print(
            f"{verdict} ({result['events']} events, {result['records']} records; head "
            f"{result['head'][:16]}{signers})",
            soft_wrap=True,
        )
    if not result["ok"]:
        raise typer.Exit(1)


def _protect_for(store: Any, cache: dict[str, set[str]], content_hash: str) -> set[str]:
    if content_hash not in cache:
        from screening.content.catalogue import from_snapshot
        from screening.records.protection import protected_questions

        questionnaire, _ = from_snapshot(store.snapshot(content_hash))
        cache[content_hash] = protected_questions(questionnaire)
    return cache[content_hash]


@app.command("erase")
def erase(
    record_id: Annotated[str, typer.Argument(help="The record id.")],
    reason: Annotated[
        str,
        typer.Option("--reason", help="Why (e.g. 'consent withdrawn'); kept in the audit "
                     "trail, so never a name."),
    ],
    officer: OfficerOption = None,
    db: DbOption = None,
) -> None:
    """Remove the identifying data of one record; keep its anonymous assessment.

    Identifying answers, free text, notes and the sealed copy are removed for good (when
    the person withdraws consent). A draft, having no assessment, is removed whole.

    Example: screening records erase 20261127-K7M2QX --reason "consent withdrawn"
    """
    from screening.cli._output import err
    from screening.errors import ScreeningError
    from screening.records.store import Store

    if not reason.strip():
        raise typer.BadParameter("give a reason", param_hint="'--reason'")
    with Store.open(db, create=False) as store:
        store.check_integrity()  # a damaged file is never written to
        record = store.record(record_id)
        if record.get("erased_at"):
            raise ScreeningError(
                f"Record {record['id']} was already erased on {record['erased_at']}."
            )
        protect = _protect_for(store, {}, record["content_hash"])
        result = store.erase(
            record["id"], protect=protect, officer=_actor(officer), at=_now(),
            reason=reason.strip(),
        )
        clean = store.wal_clean
    console = err()
    if result["removed"]:
        console.print(f"Draft {result['id']} removed.")
    else:
        console.print(
            f"Record {result['id']}: identifying data erased ({len(result['questions'])} "
            f"answer(s), {result['notes']} note(s)); the assessment is kept.",
            soft_wrap=True,
        )
    _warn_wal(console, clean)


def _warn_wal(console: Any, clean: bool) -> None:
    if not clean:
        console.print(
            "[yellow]Another screening window is reading the database: older pages stay in "
            "its write-ahead log until that window closes. Close it, then run "
            "'screening records verify' (any command that writes empties the log).[/]",
            soft_wrap=True,
        )


@app.command("purge")
def purge(
    older_than: Annotated[
        int,
        typer.Option("--older-than", min=1, max=36_500,
                     help="Erase the identifying data of records completed more than DAYS "
                     "days ago.", metavar="DAYS"),
    ],
    drafts_older_than: Annotated[
        int,
        typer.Option("--drafts-older-than", min=1, max=876_000, metavar="HOURS",
                     help="Remove drafts untouched for more than HOURS hours."),
    ] = 24,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be purged.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    officer: OfficerOption = None,
    db: DbOption = None,
) -> None:
    """Retention: erase identifying data of old records, remove stale drafts.

    Completed records keep their anonymous assessment; stale drafts (unencrypted) are
    removed whole. Every record purged is logged.

    Example: screening records purge --older-than 365 --yes
    """
    from datetime import UTC, datetime, timedelta

    from screening.cli._output import err
    from screening.errors import NotFound
    from screening.records.store import Store

    now = datetime.now(UTC)
    stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
    completed_before = (now - timedelta(days=older_than)).strftime(stamp)
    drafts_before = (now - timedelta(hours=drafts_older_than)).strftime(stamp)
    console = err()
    if not dry_run:
        from screening.records.outputs import sweep_partials

        for path in sweep_partials():
            console.print(f"[yellow]Removed a partial export left by an interrupted run: "
                          f"{path}[/]", soft_wrap=True)
    with Store.open(db, create=False) as store:
        store.check_integrity()  # a damaged file is never written to
        candidates = store.purge_candidates(
            completed_before=completed_before, drafts_before=drafts_before
        )
        drafts = [c for c in candidates if c["status"] == "draft"]
        completed = [c for c in candidates if c["status"] != "draft"]
        console.print(
            f"{len(completed)} record(s) completed more than {older_than} day(s) ago: "
            f"identifying data to erase; {len(drafts)} draft(s) untouched for more than "
            f"{drafts_older_than} h: to remove.",
            soft_wrap=True,
        )
        if dry_run or not candidates:
            for c in candidates:
                console.print(f"  {c['id']} ({c['status']})")
            return
        if not yes:
            import sys

            from screening.errors import ScreeningError

            if not sys.stdin.isatty():
                raise ScreeningError("Purging cannot be undone: add --yes to confirm.")
            typer.confirm("Purge them now? This cannot be undone", abort=True, err=True)
        actor = _actor(officer)
        cache: dict[str, set[str]] = {}
        gone = 0
        for c in candidates:
            reason = (
                f"retention: untouched draft older than {drafts_older_than} h"
                if c["status"] == "draft"
                else f"retention: completed more than {older_than} days ago"
            )
            if not store.purge_candidates(completed_before=completed_before,
                                          drafts_before=drafts_before, record_id=c["id"]):
                gone += 1  # another purge (or an erase) got there first
                continue
            try:
                store.erase(
                    c["id"], protect=_protect_for(store, cache, c["content_hash"]),
                    officer=actor, at=_now(), reason=reason, kind="purge", checkpoint=False,
                )
            except NotFound:
                gone += 1
        store.checkpoint()
        clean = store.wal_clean
    console.print(
        f"Purged: {len(completed)} record(s) erased, {len(drafts)} draft(s) removed"
        + (f"; {gone} of them had already been purged meanwhile and were skipped." if gone
           else "."),
        soft_wrap=True,
    )
    _warn_wal(console, clean)


@app.command("seal")
def seal(
    officer: OfficerOption = None,
    db: DbOption = None,
) -> None:
    """Seal completed records stored before this laptop had an office public key.

    Example: screening keys use office-public-key.pem && screening records seal
    """
    from screening.cli._output import err
    from screening.cli.interview import _office_key
    from screening.errors import ScreeningError
    from screening.records.protection import sealer_for
    from screening.records.store import Store

    public = _office_key()
    if public is None:
        raise ScreeningError(
            "No office public key is configured: nothing can be sealed.",
            hint="screening keys use PUBLIC_KEY",
        )
    sealer = sealer_for(public)
    sealed = 0
    cache: dict[str, set[str]] = {}
    with Store.open(db, create=False) as store:
        store.check_integrity()  # a damaged file is never written to
        for rid, content_hash in store.unsealed():
            if store.seal(rid, protect=_protect_for(store, cache, content_hash), sealer=sealer,
                          officer=_actor(officer), at=_now()):
                sealed += 1
        clean = store.wal_clean
    console = err()
    console.print(f"Sealed {sealed} record(s).")
    _warn_wal(console, clean)
