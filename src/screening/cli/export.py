"""`screening records export`: loads the keys, shows progress and reports; the export itself
(rows, consent rules, formats) is ``screening.records.exports``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from screening.records.exports import ExportFormat, Options, Tally

__all__ = ["ExportFormat", "Options", "run"]


def run(db: str | Path | None, options: Options) -> int:
    """Export; returns the exit code (1 when a record could not be opened)."""
    from screening.cli._common import open_records
    from screening.cli._output import err
    from screening.cli._walk import display_value
    from screening.records.exports import check_key, export

    private = None
    if options.key is not None:
        from screening.cli.keys import load_private

        private = load_private(options.key)
    from screening.cli._walk import Interrupted, interruptible

    try:
        # SIGTERM and SIGHUP end the export like Ctrl-C: the partial file is removed.
        with interruptible(), open_records(db) as store:
            if private is not None:
                check_key(store, private, options.key)
            public = None
            if private is None and options.fmt in (ExportFormat.json, ExportFormat.jsonl):
                from screening.cli.interview import _office_key

                public = _office_key()
            tally = export(store, options, private, public,
                           lambda total: _progress(options.progress, total), display_value)
            damaged = getattr(store, "damaged", [])  # the central copy reads whole rows
    except Interrupted:
        err().print("\nInterrupted: the export was stopped and its partial file removed; "
                    "nothing was exported.", soft_wrap=True)
        return 130
    _swept(err(), tally.swept)
    _summary(err(), options, tally)
    if damaged:
        from screening.cli.records import report_damaged

        report_damaged(damaged, "exported")
    return 1 if tally.unreadable or damaged else 0


# -- talk ------------------------------------------------------------------------------------


class _progress:  # noqa: N801 - a context manager used like a function
    def __init__(self, wanted: bool, total: int) -> None:
        self.show = wanted or sys.stderr.isatty()
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not self.show:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        from screening.cli._output import err

        self.bar = Progress(
            "Exporting", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=err(), transient=False,
        )
        self.bar.start()
        task = self.bar.add_task("export", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _swept(console: Any, swept: list[Path]) -> None:
    for path in swept:
        console.print(f"[yellow]Removed a partial export left by an interrupted run: {path}[/]",
                      soft_wrap=True)


def _summary(console: Any, options: Options, tally: Tally) -> None:
    where = str(options.output) if options.output else "stdout"
    parts = [f"{n} {status}" for status, n in sorted(tally.identifying.items())]
    console.print(
        f"Exported {tally.written} record(s) to {where}; identifying data: "
        + (", ".join(parts) if parts else "none"),
        soft_wrap=True,
    )
    for why, n in sorted(tally.skipped.items()):
        console.print(f"Skipped {n} record(s): {why} (HTCDS holds cases).", soft_wrap=True)
    if tally.unreadable:
        console.print(
            f"[red]Error:[/] {len(tally.unreadable)} record(s) could not be opened; they were "
            "exported without their identifying data:",
            soft_wrap=True,
        )
        for rid, problem in tally.unreadable:
            console.print(f"  {rid}: {problem}", soft_wrap=True)
