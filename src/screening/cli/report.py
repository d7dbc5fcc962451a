"""`screening report`: the supervisor's summary of a period, in the terminal, as JSON or as a
printable HTML file. Figures come from ``screening.report``; this module parses, renders and
writes. The HTML (and its charts) is ``screening.cli.report_html``, imported only for it."""

from __future__ import annotations

import enum
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from screening.cli._common import ContentOption, ReadDbOption, UiOption


class ReportFormat(enum.StrEnum):
    table = "table"
    json = "json"
    html = "html"


ARROWS = {1: "▲", -1: "▼", 0: "="}


def _day(value: str | None, name: str) -> date | None:
    """A --since/--until date, checked early: a typo is a usage error, not an empty report."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value.strip())
        if len(value.strip()) != 10:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date: use YYYY-MM-DD",
                                 param_hint=f"'--{name}'") from None
    if not 1900 <= day.year <= 2999:
        raise typer.BadParameter(f"'{value}' is outside the years 1900 to 2999",
                                 param_hint=f"'--{name}'")
    return day


def report(
    since: Annotated[str | None, typer.Option(
        "--since", help="First day of the period (YYYY-MM-DD) [default: the first day of last "
        "month].", show_default=False)] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Last day of the period, included (YYYY-MM-DD) [default: the last day "
        "of last month].", show_default=False)] = None,
    questionnaire: Annotated[str | None, typer.Option(
        "--questionnaire", "-q", help="Only this script (departure, returnee, ...).")] = None,
    office: Annotated[str | None, typer.Option(
        "--office", help="Only this office: the location typed at the interview, up to its "
        "first comma.")] = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="table (a summary in the terminal), json (every figure) or html "
        "(the full printable report).", case_sensitive=False)] = ReportFormat.table,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout ('-': stdout).",
        dir_okay=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an output file that already exists.")] = False,
    share: Annotated[bool, typer.Option(
        "--share", help="For a report that leaves the office: counts under 5 shown as <5, "
        "and any count that would give one back hidden too.")] = False,
    ui: UiOption = None,
    db: ReadDbOption = None,
    content: ContentOption = None,
) -> None:
    """A report for a supervisor: screenings, results, indicators, journeys, data quality.

    The period is the last full month unless --since/--until say otherwise; it is compared
    with the period of the same length just before. Days are UTC dates.

    Examples:

      screening report

      screening report --since 2026-01-01 --until 2026-03-31 --format html -o q1.html

      screening report --share --format json -o for-the-region.json
    """
    from screening.cli._common import output_path
    from screening.cli._messages import t
    from screening.cli._output import err
    from screening.errors import NotFound, suggest
    from screening.report.figures import build_report, today_utc
    from screening.report.period import resolve_period

    lang = ui or "en"
    first, last = _day(since, "since"), _day(until, "until")
    period = resolve_period(first, last, today_utc())
    if fmt is ReportFormat.html:
        _require_matplotlib(lang)
    target = output_path(output, db=_db_path(db), force=force, what="the report")
    catalogue = _catalogue(content)
    with _open(db) as store:
        if questionnaire is not None:
            known = sorted(set(store.questionnaires_seen())
                           | set(catalogue.questionnaires if catalogue else ()))
            if questionnaire not in known:
                raise NotFound(f"There is no script '{questionnaire}' in the records or the "
                               f"content{suggest(questionnaire, known)}.",
                               hint="known scripts: " + (", ".join(known) or "none"))
        if office is not None:
            offices = store.offices_seen()
            if office not in offices:
                raise NotFound(f"No record was taken at an office '{office}'"
                               f"{suggest(office, offices)}.",
                               hint="the office is the location typed at the interview, up "
                               "to its first comma")
        built = build_report(store, period, catalogue=catalogue, questionnaire=questionnaire,
                             office=office, share=share)
    data = built.as_json()
    if data["empty"]:
        err().print(t("report.empty", lang, since=period.since.isoformat(),
                      until=period.until.isoformat()), soft_wrap=True)
    if fmt is ReportFormat.json:
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif fmt is ReportFormat.html:
        from screening.cli.report_html import render_html

        text = render_html(data, lang)
    else:
        import sys

        colour = target is None and sys.stdout.isatty()
        text = "" if data["empty"] and target is None else render_table(data, lang,
                                                                         color=colour)
    _write(text, target)
    if target is not None:
        err().print(t("report.written", lang, path=str(target)), soft_wrap=True)


# -- checks before any work --------------------------------------------------------------------


def _central(db: str | Path | None) -> bool:
    from screening.records.listing import CENTRAL_SCHEMES

    return db is not None and str(db).startswith(CENTRAL_SCHEMES)


def _db_path(db: str | Path | None) -> str | Path:
    from screening.records.database import default_db_path

    if _central(db):
        return str(db)
    return Path(db).expanduser() if db else default_db_path()


def _open(db: str | Path | None) -> Any:
    """The laptop's file, or the central database for a postgresql:// URL: both answer the
    report's aggregate queries (each in its own SQL)."""
    if _central(db):
        from screening.central.reader import CentralStore

        return CentralStore(str(db))
    from screening.records.store import Store

    return Store(Path(_db_path(db)), create=False)


def _require_matplotlib(lang: str) -> None:
    from screening.cli._messages import t
    from screening.errors import ScreeningError

    try:
        import matplotlib  # noqa: F401  (the optional extra: checked before any work)
    except ImportError:
        raise ScreeningError(t("report.install", lang)) from None


def _catalogue(content: Path | None) -> Any:
    """The active content, for labels and the journey questions; a report still works
    without it (ids instead of labels), with a warning."""
    from screening.cli._common import catalogue
    from screening.cli._output import err
    from screening.errors import ContentError

    try:
        return catalogue(content)
    except ContentError as exc:
        err().print(f"[yellow]The content has {len(exc.diagnostics)} problem(s) ('screening "
                    "validate' lists them); the report shows ids instead of labels.[/]",
                    soft_wrap=True)
        return None


def _write(text: str, target: Path | None) -> None:
    import sys

    from screening.records.exports import Sink

    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    sink = Sink(target)
    try:
        sink.write(text)
        sink.commit()
    except BaseException:
        sink.abort()
        raise


# -- words -------------------------------------------------------------------------------------


def label(kind: str, key: str, lang: str, labels: dict[str, Any] | None = None) -> str:
    """A row or column name in the officer's language: content labels, then the catalogue
    (``kind`` is what the rows or columns are: a referral ``status``, a ``milestone`` ...),
    then the id itself (ids such as dates, officers and scripts are shown as they are)."""
    from screening.cli._messages import MESSAGES, t

    if labels and key in labels:
        found = labels[key]
        return str(found.get(lang) or found.get("en") or key) if isinstance(found, dict) \
            else str(found)
    for candidate in (f"report.{kind}.{key}", f"level.{key}", f"outcome.{key}",
                      f"report.col.{key}", f"report.row.{key}"):
        if candidate in MESSAGES:
            return t(candidate, lang)
    if key in ("unknown", "declined"):  # an answer: don't know, declined to answer
        return t(f"value_{key}", lang)
    if f"report.status.{key}" in MESSAGES:  # a referral's step
        return t(f"report.status.{key}", lang)
    return key


def table_title(table_id: str, data: dict[str, Any], lang: str) -> str:
    from screening.cli._messages import MESSAGES, t

    bucket = t(f"report.bucket.{data['period']['bucket']}", lang)
    if table_id.startswith("journey."):
        _, script, question = table_id.split(".", 2)
        return t("report.table.journey", lang, question=question, script=script)
    key = f"report.table.{table_id}"
    return t(key, lang, bucket=bucket) if key in MESSAGES else table_id


def shown(value: Any) -> str:
    """A count as printed: the number, "<5", or "x" for one hidden to protect another."""
    if value is None:
        return "x"
    return f"{value:,}" if isinstance(value, int) else str(value)


def change(item: dict[str, Any]) -> str:
    diff = item["change"]
    if diff is None:
        return "" if item["previous"] is None else "x"
    arrow = ARROWS[(diff > 0) - (diff < 0)]
    return f"{arrow} {diff:+,}" if diff else f"{arrow} 0"


# -- the terminal summary ------------------------------------------------------------------------


def render_table(data: dict[str, Any], lang: str, *, color: bool = True, width: int = 100
                 ) -> str:
    """The one-screen summary: headline figures against the previous period, small bar
    charts of outcomes and levels, the indicators and questions to look at."""
    import io

    from rich.console import Console
    from rich.table import Table

    from screening.cli._messages import t

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, highlight=False, soft_wrap=False,
                      force_terminal=color, no_color=not color, color_system="standard"
                      if color else None)
    p, pp = data["period"], data["previous_period"]
    console.print(f"[bold]{t('report.title', lang)}[/] · "
                  f"{t('report.period', lang, since=p['since'], until=p['until'])} "
                  f"({t('report.compared', lang, since=pp['since'], until=pp['until'])})")
    f = data["filters"]
    console.print(f"{t('report.filters', lang)}: {label('dim', 'questionnaire', lang)} "
                  f"{f['questionnaire'] or t('report.all', lang)} · "
                  f"{label('dim', 'office', lang)} {f['office'] or t('report.all', lang)}")
    console.print(t("report.shared" if data["share"] else "report.internal", lang),
                  style="dim", soft_wrap=True)
    if data["empty"]:
        console.print(t("report.empty", lang, since=p["since"], until=p["until"]))
        return buffer.getvalue()

    head = Table(box=None, pad_edge=False, show_edge=False)
    head.add_column("")
    head.add_column(t("report.this_period", lang), justify="right")
    head.add_column(t("report.previous", lang), justify="right")
    head.add_column(t("report.change", lang), justify="right")
    for item in data["summary"]:
        name = t(f"report.sum.{item['id']}", lang)
        indent = "" if item["id"] in ("screenings", "children") else "  "
        head.add_row(indent + name, shown(item["current"]),
                     "" if item["previous"] is None and item["id"] == "low_coverage_warning"
                     else shown(item["previous"]), change(item))
    console.print(head)

    tables = data["tables"]
    console.print()
    _bars(console, table_title("screenings_by_period", data, lang),
          tables["screenings_by_period"], lang)
    _bars(console, table_title("results_by_period", data, lang),
          tables["results_by_period"], lang)
    risk = tables.get("departure_risk_by_period")
    if risk:
        counts = " · ".join(f"{label('departure_risk', c, lang)} {shown(v)}"
                            for c, v in zip(risk["columns"], risk["column_totals"], strict=True))
        console.print(f"[bold]{t('report.risk_line', lang)}[/]: {counts}", soft_wrap=True)
        _top(console, table_title("red_flags", data, lang), tables["red_flags"], lang, 3)
    _top(console, table_title("indicators", data, lang), tables["indicators"], lang, 5)
    _top_questions(console, data, lang)
    _referral_line(console, data, lang)
    for part in data["not_recorded"]:
        console.print(f"{t('report.not_recorded', lang)}: "
                      f"{t('report.part.' + part['part'], lang)}", style="dim", soft_wrap=True)
    return buffer.getvalue()


def _referral_line(console: Any, data: dict[str, Any], lang: str) -> None:
    """Referrals in one line: made, received, overdue, median days to received."""
    from screening.cli._messages import t

    table = data["tables"].get("referrals_by_status")
    steps = data["tables"].get("referral_milestones")
    if not table or not steps:
        return
    reached = dict(zip(steps["columns"], zip(*steps["cells"], strict=True), strict=True)) \
        if steps["rows"] else {}

    def total(column: str) -> str:
        values = reached.get(column, ())
        if any(not isinstance(v, int) for v in values):
            return "x"
        return f"{sum(values):,}"

    every = next((m for m in data.get("referral_days_to_received", []) if not m["service"]),
                 None)
    median = "" if every is None or every["median_days"] is None else \
        f" · {t('report.col.median_days', lang)} {every['median_days']:g}"
    console.print(f"[bold]{t('report.section.referrals', lang)}[/]: {shown(table['total'])} · "
                  f"{label('milestone', 'received', lang)} {total('received')} · "
                  f"{label('milestone', 'overdue', lang)} {total('overdue')}{median}",
                  soft_wrap=True)


def _bars(console: Any, title: str, table: dict[str, Any], lang: str) -> None:
    """One line per row: a bar of the row's total split by column (letters in black and
    white), the count after it."""
    console.print(f"[bold]{title}[/]")
    totals = [v for v in table["row_totals"] if isinstance(v, int)]
    top = max(totals, default=0) or 1
    marks = "█▓░▒"
    legend = "  ".join(f"{marks[i % 4]} {label(table['columns_are'], c, lang)}"
                       for i, c in enumerate(table["columns"]))
    for row, cells, total in zip(table["rows"], table["cells"], table["row_totals"],
                                 strict=True):
        bar = ""
        for i, value in enumerate(cells):
            if isinstance(value, int):
                bar += marks[i % 4] * round(40 * value / top)
        console.print(f"  {row:<12} {bar:<40} {shown(total):>7}")
    console.print(f"  [dim]{legend}[/]")


def _top(console: Any, title: str, table: dict[str, Any], lang: str, n: int) -> None:
    if not table["rows"]:
        return
    console.print(f"[bold]{title}[/] ({t_top(lang, n)})")
    labels = table.get("row_labels", {})
    for row, cells in list(zip(table["rows"], table["cells"], strict=True))[:n]:
        counts = " · ".join(f"{label(table['columns_are'], c, lang)} {shown(v)}"
                            for c, v in zip(table["columns"], cells, strict=True))
        if not table["columns_are"]:  # one column of counts: the number alone
            counts = shown(cells[0])
        console.print(f"  {label(table['rows_are'], row, lang, labels)}: {counts}",
                      soft_wrap=True)


def t_top(lang: str, n: int) -> str:
    from screening.cli._messages import t

    return t("report.top", lang, n=n)


def _top_questions(console: Any, data: dict[str, Any], lang: str) -> None:
    """The questions most often answered "don't know" or declined, for the content editors."""
    table = data["tables"]["questions"]
    ranked = []
    for row, (answered, unknown, declined, _) in zip(table["rows"], table["cells"],
                                                      strict=True):
        if all(isinstance(v, int) for v in (answered, unknown, declined)) and answered:
            ranked.append(((unknown + declined) / answered, row, unknown, declined, answered))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    if not ranked:
        return
    from screening.cli._messages import t

    console.print(f"[bold]{t('report.table.questions', lang)}[/] ({t_top(lang, 3)})")
    for share_, row, unknown, declined, answered in ranked[:3]:
        console.print(f"  {row}: {share_:.0%} · {t('value_unknown', lang)} {unknown:,} · "
                      f"{t('value_declined', lang)} {declined:,} · "
                      f"{label('col', 'answered', lang)} {answered:,}", soft_wrap=True)
