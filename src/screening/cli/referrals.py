"""`screening referrals`: refer a screened person to a service, follow the referral until it is
closed, print the handover letter."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli._common import (
    ContentOption,
    DbOption,
    FormatOption,
    TextFormatOption,
    UiOption,
)
from screening.cli._output import Format, TextFormat
from screening.cli.keys import KeyOption
from screening.cli.records import OfficerOption, _actor, _now, _when

if TYPE_CHECKING:
    from screening.content.catalogue import Catalogue
    from screening.records.store import Store

app = typer.Typer(
    help="Referrals: refer a person to a service, follow it until closed, print the letter.",
    no_args_is_help=True,
)

#: The contract's keys first (design.md section 3), then what a supervisor needs to see.
LIST_KEYS = ("id", "record_id", "service", "status", "created_at", "updated_at", "outcome",
             "consent", "information_only", "officer", "closed_at")
TABLE_COLUMNS = ["id", "record_id", "service", "status", "outcome", "updated_at"]


def _status(status: str, ui: str) -> str:
    """A status in the officer's language on screen (JSON and CSV keep the key)."""
    from screening.cli._messages import MESSAGES, t

    key = f"report.status.{status}"
    return t(key, ui) if key in MESSAGES else status


def _row(referral: dict[str, Any]) -> dict[str, Any]:
    return {k: referral[k] for k in LIST_KEYS}


@app.command("add")
def add(
    record_id: Annotated[str, typer.Argument(help="The record of the person referred.")],
    to: Annotated[str, typer.Option("--to", help="The service id (screening services list).")],
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why, in plain words, for the letter (never a name)."),
    ] = None,
    consent: Annotated[
        bool | None,
        typer.Option("--consent/--no-consent", help="Whether the person (for a child: a parent, "
                     "guardian or social worker) agrees that their details go to this service. "
                     "Asked when omitted at a terminal; otherwise the interview's answer on "
                     "sharing is used."),
    ] = None,
    consent_by: Annotated[
        str, typer.Option("--consent-by", help="Who agreed: person, guardian or social_worker.")
    ] = "person",
    override_consent: Annotated[
        bool,
        typer.Option("--override-consent", help="Share without consent (needs a reason; "
                     "logged). For a child referred to child protection."),
    ] = False,
    override_reason: Annotated[
        str | None,
        typer.Option("--override-reason", help="Why consent is overridden (a legal basis); kept "
                     "in the audit trail, so never a name. Defaults to --reason."),
    ] = None,
    officer: OfficerOption = None,
    content: ContentOption = None,
    db: DbOption = None,
    fmt: TextFormatOption = TextFormat.text,
    ui: UiOption = None,
) -> None:
    """Refer the person of a completed record to a service of the directory.

    Consent is asked for each referral. Without it the referral is recorded as information
    given only (the person has the service's contacts, nothing about them is shared), unless
    --override-consent with a reason. The referral id is the last line of stdout.

    Examples:

      screening referrals add 20261127-K7M2QX --to uptd_ppa_bengkulu --consent --reason "wants a safe place to stay"

      screening referrals add 20261127-K7M2QX --to uptd_ppa --no-consent --override-consent --override-reason "unaccompanied child, UU 35/2014"
    """  # noqa: E501
    from screening.cli._common import catalogue
    from screening.cli._messages import t
    from screening.cli._output import emit_json, err
    from screening.records.store import Store

    cat = catalogue(content)
    service = cat.service(to)
    who = _actor(officer)
    with Store.open(db) as store:
        record = store.record(record_id)
        agreed = consent
        if agreed is None:
            agreed = _ask_consent(cat, to, record, ui or "en")
        referral = store.add_referral(
            record["id"],
            service=_service_facts(service),
            decision=_decide(service, record, agreed, consent_by, override_consent,
                             override_reason or reason),
            reason=reason,
            officer=who,
            at=_now(),
        )
    if fmt is TextFormat.json:
        emit_json(referral)
    else:
        key = "referral_information_only" if referral["information_only"] else "referral_added"
        err().print(t(key, ui or "en", id=referral["id"], service=service.id,
                      status=_status(referral["status"], ui or "en")), soft_wrap=True)
    if fmt is TextFormat.text:
        from screening.cli._walk import write_stdout_last_line

        write_stdout_last_line(referral["id"])


def _service_facts(service: Any) -> dict[str, Any]:
    """What the referral keeps of the service: the directory may change later."""
    from screening.models.services import contact_text

    return {
        "id": service.id,
        "name": dict(service.name),
        "kind": service.kind,
        "area": service.area,
        "contact": contact_text(service),
    }


def _decide(service: Any, record: dict[str, Any], agreed: bool, consent_by: str,
            override: bool, override_reason: str | None) -> Any:
    from screening.models.services import CHILD_PROTECTION_KINDS
    from screening.referrals.lifecycle import decide_consent

    profile = (record.get("assessment") or {}).get("profile") or ""
    return decide_consent(
        service_id=service.id,
        child=profile.startswith("child-"),
        child_protection=service.kind in CHILD_PROTECTION_KINDS and "children" in service.serves,
        agreed=agreed,
        given_by=consent_by,
        override=override,
        override_reason=override_reason,
    )


def _ask_consent(cat: Catalogue, service_id: str, record: dict[str, Any], ui: str) -> bool:
    """At a terminal, ask; otherwise the answer the person gave on sharing in the interview."""
    if sys.stdin.isatty():
        from rich.prompt import Confirm

        from screening.cli._messages import t
        from screening.cli._output import err
        from screening.models.base import localized

        name = localized(cat.service(service_id).name, ui)
        return Confirm.ask(t("ask_referral_consent", ui, service=name), console=err())
    return bool(record.get("consent_share"))


@app.command("update")
def update(
    referral_id: Annotated[str, typer.Argument(help="The referral id (R-XXXXXX).")],
    status: Annotated[
        str, typer.Option("--status", help="sent, received, accepted, declined, "
                          "services_started or closed.")
    ],
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", help="With --status closed: assisted, "
                     "returned_home_with_support, police_case_opened, person_declined, "
                     "lost_contact or other (with --note)."),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="What happened, in a few words (never a name).")
    ] = None,
    officer: OfficerOption = None,
    db: DbOption = None,
    fmt: TextFormatOption = TextFormat.text,
    ui: UiOption = None,
) -> None:
    """Move a referral on. A change the lifecycle does not allow is refused, naming the
    statuses it can move to.

    Examples:

      screening referrals update R-7KQ2ZD --status received --note "taken in by the duty officer"

      screening referrals update R-7KQ2ZD --status closed --outcome assisted
    """
    from screening.cli._messages import t
    from screening.cli._output import emit_json, err
    from screening.records.store import Store

    with Store.open(db) as store:
        referral = store.update_referral(
            referral_id, status=status.strip(), outcome=outcome, note=note,
            officer=_actor(officer), at=_now(),
        )
    if fmt is TextFormat.json:
        emit_json(referral)
        return
    err().print(t("referral_updated", ui or "en", id=referral["id"],
                  status=_status(referral["status"], ui or "en")))


def _check(value: str | None, choices: tuple[str, ...], option: str) -> None:
    if value is not None and value not in choices:
        from screening.errors import suggest

        raise typer.BadParameter(
            f"'{value}' is not one of: {', '.join(choices)}" + suggest(value, choices),
            param_hint=f"'{option}'",
        )


DaysOption = Annotated[
    int, typer.Option("--days", min=1, help="Overdue after this many days without moving on.")
]


@app.command("list")
def list_referrals(
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
    record: Annotated[str | None, typer.Option("--record", help="Only this record's.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Made on or after.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Made on or before.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only those due (see 'referrals due').")
    ] = False,
    days: DaysOption = 7,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    ui: UiOption = None,
) -> None:
    """List referrals, oldest first.

    Examples:

      screening referrals list --status sent

      screening referrals list --service uptd_ppa_bengkulu --since 2026-11-01 --format json
    """
    from screening.records.store import Store
    from screening.referrals.lifecycle import STATUSES

    _check(status, STATUSES, "--status")
    with Store.open(db) as store:
        if overdue:
            from datetime import UTC, datetime

            rows = store.due_referrals(days=days, now=datetime.now(UTC))
            rows = [r for r in rows if (status is None or r["status"] == status)
                    and (service is None or r["service"] == service)]
        else:
            rows = store.list_referrals(status=status, service=service, record_id=record,
                                        since=_when(since, "since"), until=_when(until, "until"))
    from screening.cli._messages import t

    _emit(rows, fmt, t("referrals_title", ui or "en"), ui or "en")


def _emit(rows: list[dict[str, Any]], fmt: Format, title: str, ui: str) -> None:
    from screening.cli._messages import t
    from screening.cli._output import emit_rows, err
    from screening.cli.records import column_heads

    listed = [_row(r) for r in rows]
    if fmt is Format.table:
        listed = [{**r, "status": _status(r["status"], ui)} for r in listed]
    emit_rows(listed, TABLE_COLUMNS if fmt is Format.table else list(LIST_KEYS), fmt,
              title=title, headers={**column_heads(TABLE_COLUMNS, ui),
                                    "id": t("col.referral", ui)})
    if fmt is Format.table:
        err().print(t("referrals_count", ui, n=len(listed)))


@app.command("due")
def due(
    days: DaysOption = 7,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    ui: UiOption = None,
) -> None:
    """Referrals forgotten: not received within N days of being made, or not moved on
    within N days of their last change (default 7). Help under way is not listed.

    Example: screening referrals due --days 3
    """
    from datetime import UTC, datetime

    from screening.cli._messages import t
    from screening.records.store import Store

    with Store.open(db) as store:
        rows = store.due_referrals(days=days, now=datetime.now(UTC))
    _emit(rows, fmt, t("referrals_due_title", ui or "en", days=days), ui or "en")


@app.command("export")
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, json or jsonl.")
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (owner-only) instead of stdout.",
                     dir_okay=False),
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Made on or after.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Made on or before.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    officer: OfficerOption = None,
    db: DbOption = None,
) -> None:
    """Export referrals with their status trail, for the office's monitoring.

    Whom, when, the status and outcome, the consent: never the person's identity, the reason
    or the notes, which stay in the office. Logged.

    Example: screening referrals export -f csv -o referrals.csv --since 2026-11-01
    """
    from screening.records.exports import Sink
    from screening.records.referrals import export_referrals
    from screening.records.store import Store
    from screening.referrals.lifecycle import STATUSES

    _check(fmt, ("csv", "json", "jsonl"), "--format")
    _check(status, STATUSES, "--status")
    with Store.open(db) as store:
        if output is not None:
            _check_output(output, store, force)
        rows = store.list_referrals(status=status, service=service,
                                    since=_when(since, "since"), until=_when(until, "until"))
        sink = Sink(output)
        try:
            count = export_referrals(rows, fmt, sink)
            sink.commit()
        except BaseException:
            sink.abort()
            raise
        store.log_event(None, "referrals_export", officer=_actor(officer), at=_now(),
                        detail={"format": fmt, "count": count})


@app.command("show")
def show(
    referral_id: Annotated[str, typer.Argument(help="The referral id.")],
    db: DbOption = None,
    fmt: TextFormatOption = TextFormat.text,
    ui: UiOption = None,
) -> None:
    """One referral: the service, the consent, every status with officer and time.

    Example: screening referrals show R-7KQ2ZD
    """
    from rich.markup import escape

    from screening.cli._output import emit_json, out
    from screening.records.store import Store

    with Store.open(db) as store:
        referral = store.referral(referral_id)
    if fmt is TextFormat.json:
        emit_json(referral)
        return
    from screening.cli._messages import t
    from screening.models.base import localized

    ui = ui or "en"
    console = out()
    service = referral["service_detail"] or {}
    name = localized(service.get("name") or {}, ui) or referral["service"]
    console.print(f"[bold]{referral['id']}[/]  {t('referral_record', ui)} "
                  f"{referral['record_id']}  ->  {escape(name)} ({referral['service']})",
                  soft_wrap=True)
    consent = referral["consent"] + (f" ({referral['consent_by']})"
                                     if referral["consent_by"] else "")
    if referral["override_reason"]:
        consent += f": {referral['override_reason']}"
    console.print(f"{t('referral_consent', ui)}: {escape(consent)}", soft_wrap=True)
    reason = referral["reason"]
    if reason:
        text = reason if isinstance(reason, str) else t("referral_erased", ui)
        console.print(f"{t('referral_reason', ui)}: {escape(text)}", soft_wrap=True)
    for step in referral["steps"]:
        outcome = f" ({step['outcome']})" if step["outcome"] else ""
        note = f": {escape(step['note'])}" if step["note"] else ""
        console.print(f"  {step['at'][:16].replace('T', ' ')}  {_status(step['status'], ui)}"
                      f"{outcome}  "
                      f"{escape(step['officer'])}{note}", soft_wrap=True)


@app.command("letter")
def letter(
    referral_id: Annotated[str, typer.Argument(help="The referral id.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The letter's file (.html), for printing.",
                           dir_okay=False)
    ],
    lang: Annotated[str, typer.Option("--lang", help="Language of the letter: id or en.")] = "id",
    key: KeyOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    officer: OfficerOption = None,
    content: ContentOption = None,
    db: DbOption = None,
    ui: UiOption = None,
) -> None:
    """Write the printable A4 handover letter for the receiving service.

    The person's identity is printed only when it can be opened: a record stored without an
    office key, or --key with the office private key (the opening is logged). Otherwise the
    letter carries the record number and says the identity is handed over in person. No
    letter for a referral recorded as information only.

    Examples:

      screening referrals letter R-7KQ2ZD -o letter.html

      screening referrals letter R-7KQ2ZD -o letter.html --key /media/usb/office-private-key.pem
    """
    from screening.cli._messages import t
    from screening.cli._output import err
    from screening.records.store import Store

    if lang not in ("id", "en"):
        raise typer.BadParameter("choose id or en", param_hint="'--lang'")
    private = None
    if key is not None:
        from screening.cli.keys import load_private

        private = load_private(key)
    with Store.open(db) as store:
        _check_output(output, store, force)
        referral = store.referral(referral_id)
        html = _letter(store, referral, lang, private, key, _actor(officer), content)
        _write(output, html)
        store.log_event(referral["record_id"], "referral_letter", officer=_actor(officer),
                        at=_now(), detail={"referral": referral["id"], "lang": lang})
    err().print(t("letter_written", ui or "en", path=output), soft_wrap=True)


def _letter(store: Store, referral: dict[str, Any], lang: str, private: Any, key: Any,
            who: str, content: Path | None) -> str:
    from screening.content.catalogue import from_snapshot

    record = store.record(referral["record_id"])
    if private is not None and record.get("sealed"):
        from screening.cli.records import _open

        record = _open(record, private, key)
        store.log_event(record["id"], "decrypt", officer=who, at=_now(),
                        detail={"via": "referrals letter"})
    questionnaire, _ = from_snapshot(store.snapshot(record["content_hash"]))
    return _letter_html(store, referral, lang, record, questionnaire)


def _letter_html(store: Store, referral: dict[str, Any], lang: str, record: dict[str, Any],
                 questionnaire: Any) -> str:
    """The letter for ``record`` as it stands (identity only where its answers are open)."""
    from screening.interview.clock import Clock
    from screening.models.base import localized
    from screening.records.protection import is_marker
    from screening.referrals.letter import LetterFacts, letter_html
    from screening.referrals.lifecycle import ReferralRefused

    if referral["information_only"]:
        raise ReferralRefused(
            f"Referral {referral['id']} was recorded as information only: the person did not "
            "agree to share their details with this service, so there is no letter."
        )
    identity = []
    for question in questionnaire.questions():
        value = record["answers"].get(question.id)
        if question.identifying and value is not None and not is_marker(value):
            if isinstance(value, str) and value in ("unknown", "declined"):
                continue
            identity.append((localized(question.text, lang), str(value)))
    service = referral["service_detail"] or {}
    facts = LetterFacts(
        referral=referral,
        record=record,
        identity=identity or None,
        contact=service.get("contact") or "",
        office=record.get("location") or "",
        today=Clock().stamp()[:10],
    )
    return letter_html(facts, lang)


def _check_output(path: Path, store: Store, force: bool) -> None:
    """The shared output check (``screening.records.outputs``): never the database, its
    companions or a key; an existing file only with --force."""
    from screening.records.outputs import check_output

    check_output(path, db=store.path, force=force, what="the referral file")


def _write(path: Path, text: str) -> None:
    """Owner-only, written aside and renamed: the letter may carry a name."""
    import os

    from screening.errors import ScreeningError

    target = path.expanduser()
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ScreeningError(f"cannot write the letter to {path}: {exc.strerror or exc}") from None


# --- at the end of an interview ----------------------------------------------------------------


def offer_at_end(session: Any, assessment: Any, console: Any) -> None:
    """After a guided interview whose result suggests referrals: pick services, ask consent
    for each, record them, and write each letter while the answers are still open.

    Enter (or the end of input) skips; the record is already finalized, so nothing here can
    lose it.
    """
    from rich.markup import escape

    from screening.cli._keyboard import Keyboard
    from screening.cli._messages import t
    from screening.cli._walk import read_terminal
    from screening.models.base import localized
    from screening.referrals.lifecycle import ReferralRefused

    ui = session.ui
    services = _suggested(session, assessment)
    if not services:
        return
    console.print(f"\n[bold underline]{t('refer_now', ui)}[/]")
    for n, service in enumerate(services, start=1):
        console.print(f"  {n}. {escape(localized(service.name, ui))} ({service.id})")
    with Keyboard(console) as keyboard:
        def ask(prompt: str) -> str:
            try:
                return read_terminal(keyboard.read, prompt).strip()
            except EOFError:
                return ""

        picked = _pick(ask(t("refer_pick", ui) + " "), len(services))
        if picked is None:
            console.print(f"[yellow]{t('refer_bad_pick', ui, n=len(services))}[/]")
            picked = _pick(ask(t("refer_pick", ui) + " "), len(services)) or []
        record = session.store.record(session.record_id)
        child = (assessment.profile or "").startswith("child-")
        for index in picked:
            service = services[index - 1]
            name = localized(service.name, ui)
            question = "refer_consent_child" if child else "ask_referral_consent"
            agreed = ask(t(question, ui, service=name) + " (y/n) ").lower() in ("y", "ya", "yes")
            by = "guardian" if child and agreed else "person"
            override, reason = False, None
            try:
                decision = _decide(service, record, agreed, by, False, None)
            except ReferralRefused:  # a child's referral to child protection, without consent
                reason = ask(t("refer_override_reason", ui) + " ")
                while not reason:
                    reason = ask(t("refer_override_reason", ui) + " ")
                override = True
                decision = _decide(service, record, agreed, by, override, reason)
            referral = session.store.add_referral(
                session.record_id, service=_service_facts(service), decision=decision,
                reason=None, officer=session.officer, at=session.clock.stamp(),
            )
            key = "referral_information_only" if referral["information_only"] else "referral_added"
            console.print(t(key, ui, id=referral["id"], service=service.id,
                            status=_status(referral["status"], ui)), soft_wrap=True)
            if referral["information_only"]:
                continue
            default = f"letter-{referral['id']}.html"
            path = ask(t("refer_letter", ui, default=default) + " ") or default
            if path == "-":
                continue
            _end_letter(session, referral, Path(path), record, console)


def _suggested(session: Any, assessment: Any) -> list[Any]:
    """The services the result names (level and profile), from the directory the record
    began with."""
    from screening.content.catalogue import directories_from_snapshot

    if assessment is None or assessment.level == "low" or not assessment.referrals:
        return []
    snapshot = session.store.snapshot(session.content_hash)
    services = {s.id: s for d in directories_from_snapshot(snapshot) for s in d.services}
    return [services[r["id"]] for r in assessment.referrals if r["id"] in services]


def _pick(text: str, count: int) -> list[int] | None:
    """'1,3' -> [1, 3]; '' -> []; None when not numbers of the list."""
    if not text:
        return []
    try:
        numbers = [int(part) for part in text.replace(" ", ",").split(",") if part]
    except ValueError:
        return None
    if not all(1 <= n <= count for n in numbers):
        return None
    return list(dict.fromkeys(numbers))


def _end_letter(session: Any, referral: dict[str, Any], path: Path, record: dict[str, Any],
                console: Any) -> None:
    """The letter with the identity from the interview just finished (still open here)."""
    from screening.cli._messages import t
    from screening.errors import ScreeningError

    opened = {**record, "answers": dict(session.interview.pruned())}
    try:
        _check_output(path, session.store, force=False)
        html = _letter_html(session.store, referral, session.language if session.language in (
            "id", "en") else "id", opened, session.questionnaire)
        _write(path, html)
    except ScreeningError as exc:
        console.print(f"[red]{exc.message}[/]", soft_wrap=True)
        return
    session.store.log_event(session.record_id, "referral_letter", officer=session.officer,
                            at=session.clock.stamp(),
                            detail={"referral": referral["id"], "lang": session.language})
    console.print(t("letter_written", session.ui, path=path), soft_wrap=True)
