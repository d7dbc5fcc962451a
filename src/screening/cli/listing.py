"""`screening records list` as JSON, without the command-line library.

On a million records the listing's query takes ~0.1 s; importing typer (and the pydantic it
reads options with) takes longer than that, and `records list --format json` is what scripts
and the centre's dashboards call. So a plain use is answered here, before typer is imported:
known options, each given once, with values the full command accepts, on a laptop's
database or the central one. Anything else (help, a mistake, a table or CSV, a problem
opening the file) returns None before a byte is written, and the full command runs and words
it. The central database's listing is streamed as the full command streams it, and a problem
with it is worded here by the full command's report (trying the server again would wait as
long again). The output is the full command's own: the same rows, written by the same
function.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime

TYPE_CHECKING = False  # typing itself takes ~3 ms to import: names for the checker only
if TYPE_CHECKING:
    from typing import Any

    from screening.errors import ScreeningError

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
#: What `records list --format json` gives of each record (the CLI contract).
CONTRACT_KEYS = (
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

_OPTIONS = {
    "--status": "status",
    "--since": "since",
    "--until": "until",
    "--questionnaire": "questionnaire",
    "-q": "questionnaire",
    "--level": "level",
    "--limit": "limit",
    "--db": "db",
    "--format": "fmt",
    "-f": "fmt",
}


def is_when(value: str) -> bool:
    """Whether ``value`` is a date (YYYY-MM-DD) or an ISO date-time, as --since/--until take."""
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def contract_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in CONTRACT_KEYS}


def json_listing(store: Any, **filters: Any) -> Iterator[str | dict[str, Any]]:
    """The elements of ``records list --format json`` (for ``emit_json_texts``): a laptop's
    database writes each record's JSON itself; a row it cannot, and the central database's,
    come as contract rows."""
    list_json = getattr(store, "list_json", None)
    if list_json is None:
        return (contract_row(row) for row in store.list_records(**filters))
    return (row if isinstance(row, str) else contract_row(row)
            for row in list_json(CONTRACT_KEYS, **filters))


def _given(args: list[str]) -> dict[str, str] | None:
    """The options of a plain use, by name; None for anything else."""
    given: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        key = _OPTIONS.get(name)
        if key is None or key in given:
            return None
        if not eq:
            value = next(rest, None)  # type: ignore[assignment]
            if value is None or value.startswith("-"):
                return None
        given[key] = value
    return given


def quick_list(args: list[str]) -> int | None:
    """Run ``records list ARGS`` when it is a plain JSON listing; its exit code, else None."""
    import os

    given = _given(args)
    if given is None or given.get("fmt", "").lower() != "json":
        return None
    status = given.get("status", "").lower() or None
    level = given.get("level", "").lower() or None
    if status not in (None, "draft", "completed") or level not in (None, "high", "medium",
                                                                   "low"):
        return None
    for bound in ("since", "until"):
        if bound in given and not is_when(given[bound]):
            return None
    limit = given.get("limit")
    if limit is not None and not (limit.isdigit() and int(limit) >= 1):
        return None
    db = given["db"] if "db" in given else os.environ.get("SCREENING_DB") or None
    from screening.errors import ScreeningError
    from screening.records.listing import is_central

    central = db if db and is_central(db) else None
    try:
        with _central(central) if central else _laptop(db) as store:
            rows = json_listing(
                store, status=status, since=given.get("since"), until=given.get("until"),
                questionnaire=given.get("questionnaire"), level=level,
                limit=None if limit is None else int(limit))
            if central:  # streamed, as the full command does: memory stays flat
                return _emit(rows)
            read = list(rows)
            damaged = store.damaged
    except ScreeningError as exc:
        if central:  # worded here: the full command would try the server (and wait) again
            return _report(exc)
        return None  # nothing written yet: the full command says what is wrong
    code = _emit(read)
    if damaged and not code:
        from screening.cli.records import report_damaged

        report_damaged(damaged, "listed")
        return 1
    return code


def _emit(rows: Iterable[str | dict[str, Any]]) -> int:
    from screening.cli._output import emit_json_texts

    try:
        emit_json_texts(rows)
        sys.stdout.flush()
    except BrokenPipeError:  # as click ends on a closed pipe (`| head`)
        sys.stdout = None  # nothing more to flush at exit
        return 1
    return 0


def _laptop(db: str | None) -> Any:
    from pathlib import Path

    from screening.records.outputs import listen

    listen(_warn)
    return _reader().open(Path(db) if db else None, create=False)


def _central(url: str) -> Any:
    from screening.central.reader import CentralStore

    return CentralStore(url)


def _report(exc: ScreeningError) -> int:
    """The full command's error report, in the officer's remembered language; its exit code."""
    from screening.cli._common import check_ui
    from screening.cli._errors import report

    check_ui(None)
    report(exc)
    return exc.exit_code


def _reader() -> Any:
    """A store that only reads: the listing needs none of the trail, sealing or referrals
    (a third of the start-up). A database whose schema is behind is left to the full store,
    which migrates it."""
    from screening.errors import StoreError
    from screening.records.database import SCHEMA_VERSION
    from screening.records.queries import Queries

    class Reader(Queries):
        def _migrate(self) -> None:
            if self._schema_version() != SCHEMA_VERSION:
                raise StoreError("the schema is behind: opened by the full store")
            super()._migrate()

    return Reader


def _warn(text: str) -> None:
    from screening.cli.main import _warn as warn

    warn(text)
