"""`screening records`: list, show, rescore, export, verify, erase, purge, seal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from screening.cli._common import (
    ContentOption,
    DbOption,
    FormatOption,
    ReadDbOption,
    TextFormatOption,
    UiOption,
    check_ui,
)
from screening.cli._output import Format, TextFormat
from screening.cli.keys import KeyOption
from screening.cli.listing import LIST_COLUMNS, is_when, json_listing

app = typer.Typer(
    help="Screening records: list, show, rescore, export, verify, erase, purge, seal.",
    no_args_is_help=True,
)

def _when(value: str | None, name: str) -> str | None:
    """Check a --since/--until value early, so a typo is a usage error, not an empty list."""
    if value is None:
        return None
    if not is_when(value):
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
    db: ReadDbOption = None,
    fmt: FormatOption = Format.table,
    ui: UiOption = None,
) -> None:
    """List records, newest first.

    Examples:

      screening records list --status draft

      screening records list --level high --since 2026-11-01 --format json

      screening records list --db postgresql://analyst@pusat.example/screening
    """
    ui = check_ui(ui)  # a given language, else the remembered one
    from screening.cli._common import open_records
    from screening.cli._output import emit_json_texts, err, write_csv

    status = status.lower() if status else None
    level = level.lower() if level else None
    if status not in (None, "draft", "completed"):
        raise typer.BadParameter("choose draft or completed", param_hint="'--status'")
    if level not in (None, "high", "medium", "low"):
        raise typer.BadParameter("choose high, medium or low", param_hint="'--level'")
    filters: dict[str, Any] = dict(
        status=status,
        since=_when(since, "since"),
        until=_when(until, "until"),
        questionnaire=questionnaire,
        level=level,
        limit=limit,
    )
    with open_records(db) as store:
        if fmt is Format.json:  # streamed: memory stays flat however many are listed
            emit_json_texts(json_listing(store, **filters))
        elif fmt is Format.csv:
            write_csv(store.list_records(**filters), LIST_COLUMNS)
        else:
            from screening.cli._messages import t
            from screening.cli._output import emit_rows

            listed = [_table_row(row, ui) for row in store.list_records(**filters)]
            if not listed:
                err().print(t("no_records", ui))
            else:
                emit_rows(listed, LIST_COLUMNS, fmt, title=t("records_title", ui),
                          headers=column_heads(LIST_COLUMNS, ui),
                          no_wrap=("started_at", "completed_at"))
                err().print(t("n_records", ui, n=len(listed)))
        damaged = getattr(store, "damaged", [])  # the central copy reads whole rows
    if damaged:
        report_damaged(damaged, "listed")
        raise typer.Exit(1)


def report_damaged(damaged: list[tuple[str, str]], done: str) -> None:
    """Name each record left out because its stored data cannot be decoded."""
    from rich.markup import escape

    from screening.cli._output import err

    console = err()
    console.print(
        f"[red]Error:[/] {len(damaged)} record(s) could not be read and were not {done}; the "
        "others were. Run 'screening records verify' and restore these from a backup:",
        soft_wrap=True,
    )
    for rid, problem in damaged:
        console.print(f"  {escape(rid)}: {escape(problem)}", soft_wrap=True)


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


OfficerOption = Annotated[
    str | None,
    typer.Option("--officer", help="Who does this, for the audit trail [default: your saved "
                 "officer name, else your login name]."),
]


def _actor(officer: str | None = None) -> str:
    """Who the audit trail names: --officer, the saved officer, else the login name."""
    if officer:
        from screening.text import check_label

        return check_label(officer, "officer name")
    from screening.records import settings

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
    db: ReadDbOption = None,
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
    ui = check_ui(ui)  # a given language, else the remembered one
    from screening.cli._common import open_records
    from screening.cli._output import emit_json, out
    from screening.content.catalogue import from_snapshot

    private = None
    if key is not None:
        from screening.cli.keys import load_private

        private = load_private(key)
    with open_records(db) as store:
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
    from screening.errors import ScreeningError
    from screening.records.crypto import SealedDataError, WrongKey
    from screening.records.protection import open_record

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
    from screening.records.protection import is_marker, marker_text

    return marker_text(value) if is_marker(value) else str(value)


def _assessment(record: dict[str, Any]) -> Any:
    if not record.get("assessment"):
        return None
    from screening.models.assessment import Assessment

    return Assessment.model_validate(record["assessment"])


def _scoreable(answers: dict[str, Any], questionnaire: Any) -> dict[str, Any]:
    from screening.records.rescoring import scoreable

    return scoreable(answers, questionnaire)


def _now() -> str:
    from screening.interview.clock import Clock

    return Clock().stamp()


def _marker(value: Any, ui: str) -> str:
    """A sealed, erased or withheld value, named in the officer's language."""
    from screening.cli._messages import MESSAGES, t
    from screening.records.protection import marker_text

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
    from screening.records.protection import is_marker

    head = Table.grid(padding=(0, 2))
    from screening.records.exports import RECORD_FIELDS
    from screening.text import printable

    def shown(value: Any) -> str:  # stored text is shown, never interpreted
        return escape(printable(str(value)))

    for key in RECORD_FIELDS:
        value = record.get(key)
        if key in ("status", "level", "outcome") and f"{key}.{value}" in MESSAGES:
            value = t(f"{key}.{value}", ui)
        elif key.endswith("_at") and value:
            value = local_time(str(value))
        label = t(f"col.{key}", ui) if f"col.{key}" in MESSAGES else key
        head.add_row(f"[bold]{escape(label)}[/]", shown(value or "—"))
    console.print(head)
    table = Table(title=t("summary", ui))
    table.add_column(t("col.question_id", ui))
    table.add_column(t("question", ui))
    table.add_column(t("answer", ui))
    for qid, value in record["answers"].items():
        question = questionnaire.question(qid)
        text = localized(question.text, ui) if question else ""
        if is_marker(value):
            answer = _marker(value, ui)
        else:
            answer = display_value(question, value, ui) if question else str(value)
        table.add_row(qid, escape(text), shown(answer))
    console.print(table)
    if record.get("sealed"):
        console.print(f"[dim]{escape(t('sealed_note', ui))}[/]", soft_wrap=True)
    for note in record.get("notes") or []:
        text = note.get("text")
        console.print(
            "[dim]"
            + shown(t("note_line", ui, question=note.get("question_id"),
                       officer=note.get("officer"), at=local_time(str(note.get("created_at")))))
            + ":[/] "
            + shown(_marker(text, ui) if is_marker(text) else str(text))
        )
    for change in record.get("history") or []:
        old, new = change.get("old_value"), change.get("new_value")
        console.print(
            "[dim]"
            + shown(
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
    ui = check_ui(ui)  # a given language, else the remembered one
    from screening.assessment.rescore import differences
    from screening.assessment.scoring import assess
    from screening.cli._common import catalogue
    from screening.cli._output import emit_json, out
    from screening.content.catalogue import from_snapshot
    from screening.errors import ScreeningError
    from screening.records.store import Store

    with Store.open(db, create=False) as store:
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
# export, verify, erase, purge and seal live in records_protect; importing it registers them on
# this group, after the commands above (the order --help shows).
from screening.cli import records_protect  # noqa: E402, F401
