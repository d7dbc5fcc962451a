"""`screening interview`: start, resume, drafts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli._common import ContentOption, DbOption, ForceOption, FormatOption, check_ui
from screening.cli._output import Format

if TYPE_CHECKING:
    from rich.console import Console

    from screening.cli._walk import Session
    from screening.interview.answers_file import AnswersFile
    from screening.models.assessment import Assessment
    from screening.records.store import Store

app = typer.Typer(help="Guided interviews: start, resume, list drafts.", no_args_is_help=True)

AnswersOption = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        help="Enter a filled paper form from a YAML/JSON file "
        "{answers: {QUESTION_ID: VALUE}} instead of asking.",
        dir_okay=False,
    ),
]
OfficerOption = Annotated[str | None, typer.Option("--officer", help="Officer name or ID.")]
LocationOption = Annotated[
    str | None, typer.Option("--location", help="Office, counter or checkpoint.")
]
LangOption = Annotated[str | None, typer.Option("--lang", help="Interview language (id or en).")]
UiOption = Annotated[
    str | None,
    typer.Option(
        "--ui",
        help="The officer's language for the tool's own words (id or en); remembered.",
        callback=check_ui,
    ),
]
SlipOption = Annotated[
    Path | None,
    typer.Option(
        "--slip",
        help="Also write the information slip for the person to this file "
        "(.html prints on A4; anything else is plain text; '-' is stdout).",
        dir_okay=False,
    ),
]


@app.command("start")
def start(
    questionnaire_id: Annotated[
        str | None,
        typer.Argument(help="Questionnaire id [default: the answers file's, else departure].",
                       show_default=False),
    ] = None,
    answers: AnswersOption = None,
    officer: OfficerOption = None,
    location: LocationOption = None,
    lang: LangOption = None,
    ui: UiOption = None,
    slip: SlipOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    content: ContentOption = None,
    follows: Annotated[
        str | None,
        typer.Option("--follows", help="The record this interview follows up (the follow-up "
                     "script after a referral): linked in the audit trail."),
    ] = None,
) -> None:
    """Start a guided interview (default: the departure script).

    Every answer is saved at once; Ctrl-C, a closed terminal or :pause leave a draft that
    'screening interview resume' continues. The record id is the last line of stdout.

    Examples:

      screening interview start

      screening interview start returnee --lang id --ui id

      screening interview start departure --answers form-0412.yaml

      screening interview start followup --follows 20261127-K7M2QX
    """
    ui = check_ui(ui)  # a given language, else the remembered one
    from screening.cli import pause, settled

    pause()  # start-up goes on until the first question: content, database, record
    from screening.cli._common import catalogue as load
    from screening.cli._output import err
    from screening.errors import ScreeningError, suggest
    from screening.interview.answers_file import read_answers_file
    from screening.interview.clock import Clock
    from screening.interview.engine import Interview
    from screening.records import settings
    from screening.records.store import Store

    slip_path = _slip_path(slip, db, force)  # before anything is stored
    officer, location = _who(officer, location)
    form = read_answers_file(answers) if answers else None
    questionnaire_id = _form_matches(form, questionnaire_id) or "departure"
    cat = load(content)
    questionnaire = cat.questionnaire(questionnaire_id)
    indicator_set = cat.indicator_set(questionnaire.indicator_set)
    console = err()
    saved = settings.load()
    ui = ui or saved.get("ui") or "en"
    if form is not None:
        officer = officer or form.officer or _saved(saved, "officer") or "unknown"
        location = location or form.location or _saved(saved, "location") or ""
        lang = lang or form.language or questionnaire.languages[0]
    else:
        from screening.cli._walk import Interrupted

        try:
            officer, location, lang = _ask_who(
                console, questionnaire.languages, officer, location, lang, saved, ui
            )
        except Interrupted:
            from screening.cli._messages import t

            console.print("\n" + t("interrupted_early", ui))
            raise typer.Exit(130) from None
    lang = lang.lower()
    if lang not in questionnaire.languages:
        raise ScreeningError(
            f"'{questionnaire.id}' is not written in '{lang}'; it has "
            f"{', '.join(questionnaire.languages)}" + suggest(lang, questionnaire.languages)
        )
    interview = Interview(questionnaire)
    if form is not None:
        from screening.interview.answers_file import checked_answers

        checked_answers(questionnaire, form, ui=ui)
    office_key = _office_key()  # a configured key that cannot be used stops us here
    clock = Clock()
    store = Store.open(db)
    try:
        store.check_integrity()  # a damaged file is never written to
        parsed_hash = cat.parsed_hash(questionnaire.id)
        content_hash = cat.content_hash(questionnaire.id)  # once: it hashes every text
        known = store.content_parsed_hash(content_hash)
        if known is not None and known != parsed_hash:
            # The parse differs from the one this file first used for the same texts: the
            # parse cache changed. Use a fresh parse of the texts, never the cached one.
            from screening.content.catalogue import parse_snapshot

            questionnaire, indicator_set, parsed_hash = parse_snapshot(
                cat.snapshot(questionnaire.id), cache=False
            )
            interview = Interview(questionnaire)
        detail: dict[str, object] = {"mode": "paper" if form else "guided"}
        if follows is not None:
            detail.update(_follows(store, follows))
        record_id = store.create_record(
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            content_hash=content_hash,
            snapshot=cat.snapshot(questionnaire.id),
            officer=officer,
            location=location,
            language=lang,
            started_at=clock.stamp(),
            detail=detail,
            parsed_hash=parsed_hash,
        )
        if form is None:
            settings.save({"officer": officer, "location": location, "ui": ui})
        from screening.cli._walk import Session

        session = Session(
            store=store,
            record_id=record_id,
            interview=interview,
            indicator_set=indicator_set,
            content_hash=content_hash,
            officer=officer,
            clock=clock,
            language=lang,
            ui=ui,
            office_key=office_key,
        )
        settled()
        with _draft_kept(store, record_id, console, ui, db):
            _run(session, form.answers if form else None, console, slip_path, db,
                 resumed=False)
    finally:
        store.close()


def _follows(store: Store, record_id: str) -> dict[str, object]:
    """The link a follow-up keeps: the record followed and its referrals (ids only)."""
    from screening.errors import ScreeningError

    record = store.record(record_id)
    if record["status"] != "completed":
        raise ScreeningError(f"Record {record['id']} is still a draft: a follow-up follows a "
                             "finished interview.")
    return {"follows": record["id"],
            "referrals": [r["id"] for r in record.get("referrals") or []]}


@app.command("resume")
def resume(
    record_id: Annotated[str, typer.Argument(help="The draft's record id.")],
    answers: AnswersOption = None,
    officer: OfficerOption = None,
    ui: UiOption = None,
    slip: SlipOption = None,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Continue a draft at the first unanswered question, with the content it began with.

    Examples:

      screening interview resume 20261127-K7M2QX

      screening interview resume 20261127-K7M2QX --answers rest-of-form.yaml
    """
    ui = check_ui(ui)  # a given language, else the remembered one
    from screening.cli import pause, settled

    pause()  # start-up goes on until the first question: database, the record's content
    from screening.cli._messages import t
    from screening.cli._output import err
    from screening.cli._walk import Session
    from screening.content.catalogue import parse_snapshot
    from screening.errors import ScreeningError
    from screening.interview.answers_file import checked_answers, read_answers_file
    from screening.interview.clock import Clock
    from screening.interview.engine import Interview
    from screening.records import settings
    from screening.records.store import Store

    console = err()
    slip_path = _slip_path(slip, db, force)  # before anything is stored
    officer, _ = _who(officer, None)
    saved = settings.load()
    ui = ui or saved.get("ui") or "en"
    form = read_answers_file(answers) if answers else None
    office_key = _office_key()
    store = Store.open(db, create=False)
    try:
        store.check_integrity()  # a damaged file is never written to
        record = store.record(record_id)
        if record["status"] != "draft":
            raise ScreeningError(
                f"record {record_id} is already {record['status']}; only a draft can be resumed",
                hint=f"screening records show {record_id}",
                code="not_a_draft",
                values={"id": record_id},
            )
        _form_matches(form, record["questionnaire"])
        snapshot = store.snapshot(record["content_hash"])
        questionnaire, indicator_set, parsed_hash = parse_snapshot(snapshot)
        expected = store.provenance(record["id"])["parsed_hash"]
        if expected is not None and parsed_hash != expected:  # the parse cache changed
            questionnaire, indicator_set, _ = parse_snapshot(snapshot, cache=False)
        interview = Interview(questionnaire, answers=dict(record["answers"]))
        lang = record["language"]
        if form is not None:
            checked_answers(questionnaire, form, ui=ui)
        officer = (
            officer or (form.officer if form else None) or _saved(saved, "officer")
            or record["officer"]
        )
        n, m = len(interview.asked()), interview.progress(None)[1]
        console.print(
            t(
                "recovered",
                ui,
                time=_local(record["started_at"]),
                officer=record["officer"],
                n=n,
                m=m,
            )
        )
        session = Session(
            store=store,
            record_id=record_id,
            interview=interview,
            indicator_set=indicator_set,
            content_hash=record["content_hash"],
            officer=officer,
            clock=Clock(),
            language=lang,
            ui=ui,
            office_key=office_key,
        )
        settled()
        with _draft_kept(store, record["id"], console, ui, db):
            session.log("resume", {"answered": n})
            _run(session, form.answers if form else None, console, slip_path, db,
                 resumed=True)
    finally:
        store.close()


STALE_HOURS = 24


@app.command("drafts")
def drafts(db: DbOption = None, fmt: FormatOption = Format.table, ui: UiOption = None) -> None:
    """List open drafts, most recently touched first, with how far each got.

    Drafts hold their answers UNENCRYPTED until the interview is finished. A draft untouched
    for more than 24 hours is flagged stale: finish it ('screening interview resume ID') or
    remove it ('screening records purge').

    Example: screening interview drafts --format json
    """
    ui = check_ui(ui)  # a given language, else the remembered one
    from datetime import UTC, datetime, timedelta

    from screening.cli._output import emit_rows, err
    from screening.records.store import Store

    with Store.open(db, create=False) as store:
        rows = store.drafts()
    cutoff = (datetime.now(UTC) - timedelta(hours=STALE_HOURS)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for row in rows:
        row["stale"] = row["updated_at"] < cutoff
    from screening.cli._messages import t
    from screening.cli.records import _table_row, column_heads

    columns = ["id", "questionnaire", "officer", "location", "started_at", "updated_at",
               "answered", "stale"]
    if fmt is Format.table:
        if not rows:
            err().print(t("no_drafts", ui))
            return
        emit_rows(
            [{**_table_row(row, ui), "stale": t("stale_mark", ui) if row["stale"] else ""}
             for row in rows],
            columns,
            fmt,
            title=t("drafts_title", ui),
            headers=column_heads(columns, ui),
            no_wrap=("started_at", "updated_at"),
        )
    else:
        emit_rows(
            [{**row, "stale": "STALE" if row["stale"] else ""} for row in rows]
            if fmt is not Format.json
            else rows,
            columns,
            fmt,
        )
    stale = sum(1 for row in rows if row["stale"])
    if stale:
        err().print(
            f"[yellow]{t('stale_drafts', ui, n=stale, hours=STALE_HOURS)}[/]", soft_wrap=True
        )


def _ask_who(
    console: Console,
    languages: list[str],
    officer: str | None,
    location: str | None,
    lang: str | None,
    saved: dict[str, str],
    ui: str,
) -> tuple[str, str, str]:
    """Who interviews and where (remembered: they belong to the officer), and the language
    of this person's interview (asked every time: it belongs to the person)."""
    from screening.cli._keyboard import Keyboard
    from screening.cli._messages import t
    from screening.cli._walk import interruptible, read_terminal
    from screening.text import InvalidText, check_label

    def ask(label: str, default: str | None) -> str:
        shown = f" [bold]\\[{escape(default)}][/]" if default else ""
        while True:
            typed = read_terminal(keyboard.read, f"{label}{shown}: ").strip()
            if "\n" in typed:
                console.print(f"[red]{t('one_line', ui)}[/]")
                continue
            return typed or (default or "")

    def checked(typed: str, what: str) -> str | None:
        """One line of valid text, at most 200 characters; else say why and ask again."""
        try:
            return check_label(typed, what)
        except InvalidText as exc:
            why = t(f"label.{exc.code}", ui, what=t(f"label.{what}", ui), **exc.values)
            console.print(f"[red]{escape(why)}[/]", soft_wrap=True)
            return None

    from rich.markup import escape

    with interruptible(), Keyboard(console) as keyboard:
        while not officer:
            officer = checked(ask(t("ask_officer", ui), _saved(saved, "officer")), "officer")
        while location is None:
            location = checked(ask(t("ask_location", ui), _saved(saved, "location")),
                               "location")
        while lang is None:
            # the script's first language, never the previous person's choice
            chosen = ask(t("ask_language", ui, langs="/".join(languages)), languages[0])
            if chosen.lower() in languages:
                lang = chosen.lower()
            else:
                console.print(f"[red]{t('bad_lang', ui, langs=', '.join(languages))}[/]")
    return officer, location, lang


def _run(
    session: Session,
    answers: dict | None,
    console: Console,
    slip: Path | None,
    db: Path | None,
    *,
    resumed: bool,
) -> None:
    """Walk the script (or the paper form) to its end, then finalize; or leave a draft."""
    from screening.cli._messages import t
    from screening.cli._walk import (
        Interrupted,
        Paused,
        interruptible,
        run_guided,
        run_paper_form,
        write_stdout_last_line,
    )
    from screening.errors import AnswersExhausted

    ui = session.ui
    if answers is None and not resumed:
        console.print(f"[bold]{t('started', ui, id=session.record_id)}[/]")
    if session.office_key is None:
        console.print(f"[yellow]{t('unencrypted', ui)}[/]")
    resume_cmd = f"screening interview resume {session.record_id}" + (f" --db {db}" if db else "")
    try:
        with interruptible():
            if answers is None:
                run_guided(session, console)
            else:
                run_paper_form(session, answers, console)
    except (Interrupted, Paused) as exc:
        paused = isinstance(exc, Paused)
        if not paused:
            session.log("interrupted", {"signal": str(exc)})
        n = len(session.interview.answers)
        key = "paused" if paused else "interrupted"
        counted = t("one_answer", ui) if n == 1 else t("n_answers", ui, n=n)
        _safe_print(console, f"\n[yellow]{t(key, ui, id=session.record_id, answers=counted)}[/]")
        _safe_print(console, t("resume_with", ui, cmd=resume_cmd))
        write_stdout_last_line(session.record_id)
        raise typer.Exit(0 if paused else 130) from None
    except AnswersExhausted as exc:
        from screening.cli._errors import report

        report(exc)
        console.print(t("resume_with", ui, cmd=resume_cmd + " --answers FILE"))
        write_stdout_last_line(session.record_id)
        raise typer.Exit(exc.exit_code) from None
    assessment = _finish(session, console, slip)
    if answers is None and assessment is not None:
        from screening.cli.referrals import offer_at_end

        offer_at_end(session, assessment, console)
    write_stdout_last_line(session.record_id)


def _finish(session: Session, console: Console, slip: Path | None) -> Assessment | None:
    """Finalize in one transaction, then show the outcome, actions and the slip."""
    from datetime import date

    from screening.assessment.scoring import SCORING_VERSION
    from screening.cli._messages import t
    from screening.cli._report import render_outcome, write_slip

    today = date.today()  # kept with the record: a re-score uses the same day (ages)
    interview = session.interview
    consent_share_q = session.questionnaire.with_role("consent_share")
    share = interview.answers.get(consent_share_q.id) if consent_share_q else None
    if interview.consent_declined:
        assessment = None
        answers: dict = {}
        outcome = "consent_declined"
    elif not session.questionnaire.scored:  # a follow-up: answers, no level
        assessment = None
        answers = interview.pruned()
        outcome = "completed"
    else:
        from screening.assessment.scoring import assess

        answers = interview.pruned()
        assessment = assess(
            session.indicator_set,
            session.questionnaire,
            answers,
            today,
            content_hash=session.content_hash,
        )
        outcome = "completed"
    from screening.records.protection import SealFailed, protected_questions, sealer_for

    try:
        session.store.finalize(
            session.record_id,
            answers=answers,
            assessment=assessment.model_dump(mode="json") if assessment else None,
            level=assessment.level if assessment else None,
            outcome=outcome,
            completed_at=session.clock.stamp(),
            officer=session.officer,
            consent_share=(share == "yes") if share is not None else None,
            protect=protected_questions(session.questionnaire),
            sealer=sealer_for(session.office_key) if session.office_key is not None else None,
            scoring_version=SCORING_VERSION,
            scored_on=today.isoformat(),
        )
    except SealFailed as exc:
        raise SealFailed(
            f"Could not seal record {session.record_id} with the office public key: "
            f"{exc.message}. The record was NOT finalized and nothing was stored unencrypted: "
            "it stays a draft.",
            hint="check the key with 'screening keys show', then finish with "
            f"'screening interview resume {session.record_id}'",
        ) from None
    if not session.store.wal_clean:
        console.print(
            "[yellow]Another screening window is reading the database: older pages of this "
            "record stay in its write-ahead log until that window closes.[/]",
            soft_wrap=True,
        )
    if outcome == "consent_declined":
        console.print(f"[yellow]{t('consent_declined', session.ui)}[/]")
    render_outcome(console, session, assessment)
    console.print(f"[bold green]{t('completed', session.ui, id=session.record_id)}[/]")
    if session.office_key is not None:
        from screening.records.crypto import fingerprint

        console.print(
            f"[green]{t('sealed_for', session.ui, fingerprint=fingerprint(session.office_key))}[/]",
            soft_wrap=True,
        )
    else:
        console.print(f"[bold yellow]{t('stored_unsealed', session.ui)}[/]", soft_wrap=True)
    if slip is not None:
        write_slip(session.indicator_set, session.language, slip)
        if slip != STDOUT:
            console.print(t("slip_written", session.ui, path=slip))
    return assessment


#: ``--slip -``: the slip goes to stdout, before the record id
STDOUT = Path("-")


def _slip_path(slip: Path | None, db: Path | None, force: bool) -> Path | None:
    """The checked slip path (never the database or a key; an existing file only with
    --force), found out before any record is created or finalized."""
    from screening.cli._common import output_path
    from screening.records.outputs import is_stdout

    if slip is None:
        return None
    if is_stdout(slip):
        return STDOUT
    return output_path(slip, db=db, force=force, what="the slip")


def _who(officer: str | None, location: str | None) -> tuple[str | None, str | None]:
    """--officer and --location checked: one line of valid text, at most 200 characters."""
    from screening.text import check_label

    return (
        check_label(officer, "officer name") if officer is not None else None,
        check_label(location, "location") if location is not None else None,
    )


def _saved(saved: dict[str, str], key: str) -> str | None:
    """A remembered officer or location, unless it would not pass today's checks."""
    from screening.errors import ScreeningError
    from screening.text import check_label

    value = saved.get(key)
    if not value:
        return None
    try:
        return check_label(value, key)
    except ScreeningError:
        return None


def _form_matches(form: AnswersFile | None, questionnaire_id: str | None) -> str | None:
    """The questionnaire to use; an answers file filled for another one is an error."""
    from screening.errors import ScreeningError

    if form is None or not form.questionnaire:
        return questionnaire_id
    if questionnaire_id and form.questionnaire != questionnaire_id:
        where = form.key_places.get("questionnaire", form.path)
        raise ScreeningError(
            f"{where}: the answers file is filled for questionnaire '{form.questionnaire}', "
            f"not '{questionnaire_id}'. Nothing was stored.",
            hint=f"enter it with 'screening interview start {form.questionnaire} --answers "
            f"{form.path}', or correct its 'questionnaire:' line",
        )
    return form.questionnaire


@contextmanager
def _draft_kept(
    store: Any, record_id: str, console: Console, ui: str, db: Path | None
) -> Iterator[None]:
    """An error once the record exists says what was kept: the draft, its id and the resume
    command (and the id stays the last line of stdout, as on success)."""
    from screening.cli._messages import t
    from screening.cli._walk import write_stdout_last_line
    from screening.errors import ScreeningError

    try:
        yield
    except typer.Exit:
        raise
    except Exception as exc:
        if isinstance(exc, ScreeningError):
            from screening.cli._errors import report

            report(exc)
        status = "draft"
        with suppress(Exception):
            status = store.record(record_id)["status"]
        if status == "draft":
            cmd = f"screening interview resume {record_id}" + (f" --db {db}" if db else "")
            _safe_print(console, f"[yellow]{t('draft_kept', ui, id=record_id)}[/]")
            _safe_print(console, t("resume_with", ui, cmd=cmd))
        else:
            _safe_print(console, f"[yellow]{t('finalized_kept', ui, id=record_id)}[/]")
        write_stdout_last_line(record_id)
        if isinstance(exc, ScreeningError):
            raise typer.Exit(exc.exit_code) from None
        raise


def _encryption_configured() -> bool:
    from screening.records.crypto import configured_public_key_path

    return configured_public_key_path() is not None


def _office_key() -> object | None:
    """The configured office public key, None when there is none; a configured key that
    cannot be loaded is an error (never a silent fall back to plaintext)."""
    if not _encryption_configured():
        return None
    from screening.records.crypto import (
        KeyProblem,
        configured_public_key,
        configured_public_key_path,
    )

    try:
        return configured_public_key()
    except KeyProblem as exc:
        found = configured_public_key_path()
        source = found[1] if found else ""
        raise KeyProblem(
            f"{exc.message} The office public key is configured (by {source}) but cannot be "
            "used, so no interview is started: records would not be sealed.",
            hint="fix the key with 'screening keys use PUBLIC_KEY', or unset "
            "SCREENING_PUBLIC_KEY",
        ) from None


def _safe_print(console: Console, text: str) -> None:
    from contextlib import suppress

    """The terminal may be gone (SIGHUP): the draft is saved either way."""
    with suppress(OSError):
        console.print(text)


def _local(stamp: str) -> str:
    from datetime import datetime

    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return when.strftime("%Y-%m-%d %H:%M")
