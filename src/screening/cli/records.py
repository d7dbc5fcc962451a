"""`screening records`: list, show, rescore, export, verify, erase, purge, seal."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from screening.cli._common import (
    ContentOption,
    DbOption,
    FormatOption,
    TextFormatOption,
    UiOption,
)
from screening.cli._output import Format, TextFormat
from screening.cli.export import ExportFormat
from screening.cli.keys import KeyOption

app = typer.Typer(
    help="Screening records: list, show, rescore, export, verify, erase, purge, seal.",
    no_args_is_help=True,
)

LIST_COLUMNS = [
    "id",
    "status",
    "questionnaire",
    "level",
    "officer",
    "location",
    "started_at",
    "completed_at",
    "answered",
]


def _when(value: str | None, name: str) -> str | None:
    """Check a --since/--until value early, so a typo is a usage error, not an empty list."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a date (YYYY-MM-DD) or an ISO date-time", param_hint=f"'--{name}'"
        ) from None
    return value


@app.command("list")
def list_records(
    status: Annotated[
        str | None,
        typer.Option("--status", help="draft or completed."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Started on or after this date (YYYY-MM-DD)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Started on or before this date (YYYY-MM-DD)."),
    ] = None,
    questionnaire: Annotated[
        str | None,
        typer.Option("--questionnaire", "-q", help="Only this questionnaire."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help="high, medium or low."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="At most this many (newest first)."),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    ui: UiOption = None,
) -> None:
    """List records, newest first.

    Examples:

      screening records list --status draft

      screening records list --level high --since 2026-11-01 --format json
    """
    from screening.cli._output import emit_json, err, write_csv
    from screening.store import Store

    status = status.lower() if status else None
    level = level.lower() if level else None
    if status not in (None, "draft", "completed"):
        raise typer.BadParameter("choose draft or completed", param_hint="'--status'")
    if level not in (None, "high", "medium", "low"):
        raise typer.BadParameter("choose high, medium or low", param_hint="'--level'")
    filters = dict(
        status=status,
        since=_when(since, "since"),
        until=_when(until, "until"),
        questionnaire=questionnaire,
        level=level,
        limit=limit,
    )
    with Store.open(db) as store:
        rows = store.list_records(**filters)
        if fmt is Format.json:
            emit_json([_contract_row(row) for row in rows])
        elif fmt is Format.csv:
            write_csv(rows, LIST_COLUMNS)
        else:
            from screening.cli._messages import t
            from screening.cli._output import emit_rows

            listed = [_table_row(row, ui) for row in rows]
            if not listed:
                err().print(t("no_records", ui))
                return
            emit_rows(listed, LIST_COLUMNS, fmt, title=t("records_title", ui),
                      headers=column_heads(LIST_COLUMNS, ui),
                      no_wrap=("started_at", "completed_at"))
            err().print(t("n_records", ui, n=len(listed)))


def column_heads(columns: list[str], ui: str) -> dict[str, str]:
    """Table column heads in the officer's language (JSON and CSV keep the keys)."""
    from screening.cli._messages import MESSAGES, t

    return {c: t(f"col.{c}", ui) for c in columns if f"col.{c}" in MESSAGES}


def _table_row(row: dict[str, Any], ui: str) -> dict[str, Any]:
    """A listing row as the officer reads it: words, local times to the minute."""
    from screening.cli._messages import MESSAGES, t

    shown = dict(row)
    for key in ("status", "level"):
        value = row.get(key)
        if value and f"{key}.{value}" in MESSAGES:
            shown[key] = t(f"{key}.{value}", ui)
    for key in ("started_at", "completed_at", "updated_at"):
        if row.get(key):
            shown[key] = local_time(row[key])
    return shown


def local_time(stamp: str) -> str:
    """A stored UTC stamp as the laptop's local time, to the minute."""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return when.strftime("%Y-%m-%d %H:%M")


def _contract_row(row: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "status",
        "outcome",
        "questionnaire",
        "level",
        "officer",
        "location",
        "language",
        "started_at",
        "completed_at",
        "answered",
    )
    return {k: row.get(k) for k in keys}


OfficerOption = Annotated[
    str | None,
    typer.Option("--officer", help="Who does this, for the audit trail [default: your saved "
                 "officer name, else your login name]."),
]


def _actor(officer: str | None = None) -> str:
    """Who the audit trail names: --officer, the saved officer, else the login name."""
    if officer:
        return officer
    from screening import settings

    saved = settings.load().get("officer")
    if saved:
        return saved
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


@app.command("show")
def show(
    record_id: Annotated[str, typer.Argument(help="The record id.")],
    db: DbOption = None,
    fmt: TextFormatOption = TextFormat.text,
    ui: UiOption = None,
    key: KeyOption = None,
) -> None:
    """Show one record: who, when, the answers, notes, changes and the assessment.

    Sealed answers and notes show as [sealed]; --key opens them (the opening is logged).

    Examples:

      screening records show 20261127-K7M2QX

      screening records show 20261127-K7M2QX --format json

      screening records show 20261127-K7M2QX --key /media/usb/office-private-key.pem
    """
    from screening.cli._output import emit_json, out
    from screening.content import from_snapshot
    from screening.store import Store

    private = None
    if key is not None:
        from screening.cli.keys import load_private

        private = load_private(key)
    with Store.open(db) as store:
        record = store.record(record_id)
        snapshot = store.snapshot(record["content_hash"])
        if private is not None and record.get("sealed"):
            record = _open(record, private, key)
            store.log_event(
                record["id"], "decrypt", officer=_actor(), at=_now(),
                detail={"via": "records show"},
            )
        store.log_event(record["id"], "view", officer=_actor(), at=_now(), detail=None)
    questionnaire, indicator_set = from_snapshot(snapshot)
    assessment = _assessment(record)
    if fmt is TextFormat.json:
        emit_json(
            {
                **{k: v for k, v in record.items() if k not in ("assessment", "sealed")},
                "sealed": bool(record.get("sealed")),
                "assessment": assessment.contract() if assessment else None,
            }
        )
        return
    _render_record(out(), record, questionnaire, assessment, ui, indicator_set)


def _open(record: dict[str, Any], private: Any, key: Any) -> dict[str, Any]:
    from screening.crypto import SealedDataError, WrongKey
    from screening.errors import ScreeningError
    from screening.protection import open_record

    try:
        return open_record(record, private)
    except WrongKey as exc:
        raise ScreeningError(
            f"The private key {key} does not open record {record['id']}: {exc.message}."
        ) from None
    except SealedDataError as exc:
        raise ScreeningError(
            f"Record {record['id']} cannot be opened: {exc.message}. Run 'screening records "
            "verify' to see what was changed."
        ) from None


def _plain(value: Any) -> str:
    from screening.protection import is_marker, marker_text

    return marker_text(value) if is_marker(value) else str(value)


def _assessment(record: dict[str, Any]) -> Any:
    if not record.get("assessment"):
        return None
    from screening.models.assessment import Assessment

    return Assessment.model_validate(record["assessment"])


def _scoreable(answers: dict[str, Any], questionnaire: Any) -> dict[str, Any]:
    """Answers for scoring: a sealed or erased free-text answer stays 'answered' (its words
    never drive an indicator); any other sealed value counts as not known."""
    from screening.answers import UNKNOWN
    from screening.protection import is_marker

    out: dict[str, Any] = {}
    for qid, value in answers.items():
        if is_marker(value):
            question = questionnaire.question(qid)
            value = "[protected]" if question is not None and question.type == "text" else UNKNOWN
        out[qid] = value
    return out


def _now() -> str:
    from screening.clock import Clock

    return Clock().stamp()


def _marker(value: Any, ui: str) -> str:
    """A sealed, erased or withheld value, named in the officer's language."""
    from screening.cli._messages import MESSAGES, t
    from screening.protection import marker_text

    word = marker_text(value).strip("[]").partition(":")[0].replace(" ", "_")
    return f"[{t('marker.' + word, ui)}]" if f"marker.{word}" in MESSAGES else marker_text(value)


def _render_record(
    console: Any,
    record: dict[str, Any],
    questionnaire: Any,
    assessment: Any,
    ui: str,
    indicator_set: Any = None,
) -> None:
    from rich.markup import escape
    from rich.table import Table

    from screening.cli._messages import MESSAGES, t
    from screening.cli._walk import display_value
    from screening.models.base import localized
    from screening.protection import is_marker

    head = Table.grid(padding=(0, 2))
    from screening.cli.export import RECORD_FIELDS

    for key in RECORD_FIELDS:
        value = record.get(key)
        if key in ("status", "level", "outcome") and f"{key}.{value}" in MESSAGES:
            value = t(f"{key}.{value}", ui)
        elif key.endswith("_at") and value:
            value = local_time(str(value))
        label = t(f"col.{key}", ui) if f"col.{key}" in MESSAGES else key
        head.add_row(f"[bold]{escape(label)}[/]", escape(str(value or "—")))
    console.print(head)
    table = Table(title=t("summary", ui))
    table.add_column(t("col.question_id", ui))
    table.add_column(t("question", ui))
    table.add_column(t("answer", ui))
    for qid, value in record["answers"].items():
        question = questionnaire.question(qid)
        text = localized(question.text, ui) if question else ""
        if is_marker(value):
            shown = _marker(value, ui)
        else:
            shown = display_value(question, value, ui) if question else str(value)
        table.add_row(qid, escape(text), escape(shown))
    console.print(table)
    if record.get("sealed"):
        console.print(f"[dim]{escape(t('sealed_note', ui))}[/]", soft_wrap=True)
    for note in record.get("notes") or []:
        text = note.get("text")
        console.print(
            "[dim]"
            + escape(t("note_line", ui, question=note.get("question_id"),
                       officer=note.get("officer"), at=local_time(str(note.get("created_at")))))
            + ":[/] "
            + escape(_marker(text, ui) if is_marker(text) else str(text))
        )
    for change in record.get("history") or []:
        old, new = change.get("old_value"), change.get("new_value")
        console.print(
            "[dim]"
            + escape(
                t(
                    "change_line",
                    ui,
                    question=change.get("question_id"),
                    old=_marker(old, ui) if is_marker(old) else _plain(old),
                    new=_marker(new, ui) if is_marker(new) else _plain(new),
                    officer=change.get("officer"),
                    at=local_time(str(change.get("changed_at"))),
                )
            )
            + "[/]"
        )
    if assessment is not None:
        from screening.cli._report import render_assessment

        console.print(
            render_assessment(assessment, ui=ui, questionnaire=questionnaire,
                              indicator_set=indicator_set),
            soft_wrap=True,
        )


@app.command("rescore")
def rescore(
    record_id: Annotated[str, typer.Argument(help="The record id.")],
    content: ContentOption = None,
    db: DbOption = None,
    fmt: TextFormatOption = TextFormat.text,
    ui: UiOption = None,
) -> None:
    """Score an old record under the current (or another) content and show what changes.

    Nothing is stored: a supervisor sees the effect of editing a tier or a rule before
    rolling it out.

    Examples:

      screening records rescore 20261127-K7M2QX

      screening records rescore 20261127-K7M2QX --content ./draft-content --format json
    """
    from screening.cli._common import catalogue
    from screening.cli._output import emit_json, out
    from screening.content import from_snapshot
    from screening.errors import ScreeningError
    from screening.rescore import differences
    from screening.scoring import assess
    from screening.store import Store

    with Store.open(db) as store:
        record = store.record(record_id)
        snapshot = store.snapshot(record["content_hash"])
        store.log_event(record["id"], "rescore", officer=_actor(), at=_now(), detail=None)
    before = _assessment(record)
    if before is None:
        raise ScreeningError(
            f"record {record_id} has no assessment to compare "
            f"({record.get('outcome') or record['status']})"
        )
    _, before_set = from_snapshot(snapshot)
    cat = catalogue(content)
    questionnaire = cat.questionnaire(record["questionnaire"])
    after_set = cat.indicator_set(questionnaire.indicator_set)
    after = assess(
        after_set,
        questionnaire,
        _scoreable(record["answers"], questionnaire),
        content_hash=cat.content_hash(questionnaire.id),
    )
    if after is None:
        raise ScreeningError(
            f"record {record_id}: the current script reads its answers as "
            "consent declined; nothing to compare"
        )
    known = {q.id for q in questionnaire.questions()}
    gone = [qid for qid in record["answers"] if qid not in known]
    changes = differences(before, after, before_set, after_set)
    if gone:
        changes.append(f"answers to questions no longer in the script, ignored: {', '.join(gone)}")
    if fmt is TextFormat.json:
        emit_json(
            {
                "id": record_id,
                "before": before.contract(),
                "after": after.contract(),
                "changes": changes,
            }
        )
        return
    console = out()
    console.print(
        f"[bold]{record_id}[/]: {before.level} → [bold]{after.level}[/] "
        f"under {after_set.id} {after_set.version}"
    )
    if not changes:
        console.print("No change: the current content scores this record the same way.")
    for change in changes:
        console.print(f"  • {change}", soft_wrap=True)


# -- protecting records ----------------------------------------------------------------------


@app.command("export")
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="csv, json, jsonl or htcds (IOM HTCDS, JSON)."),
    ] = ExportFormat.json,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (owner-only) instead of stdout.",
                     dir_okay=False),
    ] = None,
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
    db: DbOption = None,
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
        output=output,
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
def verify(db: DbOption = None, fmt: TextFormatOption = TextFormat.text) -> None:
    """Check the audit trail and every stored record against it.

    Names every record or event edited, deleted, inserted or reordered behind the tool's
    back; exit 1 when anything is wrong. Keep the printed head hash somewhere else (a
    notebook, an e-mail): a trail rewritten from scratch no longer ends with it.

    Example: screening records verify --format json
    """
    from screening.cli._output import emit_json, out
    from screening.store import Store

    with Store.open(db) as store:
        result = store.verify()
    if fmt is TextFormat.json:
        emit_json(result)
    else:
        console = out()
        for problem in result["problems"]:
            console.print(f"[red]✗[/] {problem['problem']}", soft_wrap=True)
        verdict = (
            "[green]OK:[/] the audit trail is intact and every record matches it"
            if result["ok"]
            else f"[red]{len(result['problems'])} problem(s)[/]"
        )
        console.print(
            f"{verdict} ({result['events']} events, {result['records']} records; head "
            f"{result['head'][:16]})",
            soft_wrap=True,
        )
    if not result["ok"]:
        raise typer.Exit(1)


def _protect_for(store: Any, cache: dict[str, set[str]], content_hash: str) -> set[str]:
    if content_hash not in cache:
        from screening.content import from_snapshot
        from screening.protection import protected_questions

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
    from screening.store import Store

    if not reason.strip():
        raise typer.BadParameter("give a reason", param_hint="'--reason'")
    with Store.open(db) as store:
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
        typer.Option("--older-than", min=1,
                     help="Erase the identifying data of records completed more than DAYS "
                     "days ago.", metavar="DAYS"),
    ],
    drafts_older_than: Annotated[
        int,
        typer.Option("--drafts-older-than", min=1, metavar="HOURS",
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
    from screening.store import Store

    now = datetime.now(UTC)
    stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
    completed_before = (now - timedelta(days=older_than)).strftime(stamp)
    drafts_before = (now - timedelta(hours=drafts_older_than)).strftime(stamp)
    console = err()
    with Store.open(db) as store:
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
        actor, cache = _actor(officer), {}
        for c in candidates:
            reason = (
                f"retention: untouched draft older than {drafts_older_than} h"
                if c["status"] == "draft"
                else f"retention: completed more than {older_than} days ago"
            )
            store.erase(
                c["id"], protect=_protect_for(store, cache, c["content_hash"]), officer=actor,
                at=_now(), reason=reason, kind="purge", checkpoint=False,
            )
        store.checkpoint()
        clean = store.wal_clean
    console.print(
        f"Purged: {len(completed)} record(s) erased, {len(drafts)} draft(s) removed.",
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
    from screening.protection import sealer_for
    from screening.store import Store

    public = _office_key()
    if public is None:
        raise ScreeningError(
            "No office public key is configured: nothing can be sealed.",
            hint="screening keys use PUBLIC_KEY",
        )
    sealer = sealer_for(public)
    sealed, cache = 0, {}
    with Store.open(db) as store:
        for rid, content_hash in store.unsealed():
            if store.seal(rid, protect=_protect_for(store, cache, content_hash), sealer=sealer,
                          officer=_actor(officer), at=_now()):
                sealed += 1
        clean = store.wal_clean
    console = err()
    console.print(f"Sealed {sealed} record(s).")
    _warn_wal(console, clean)
