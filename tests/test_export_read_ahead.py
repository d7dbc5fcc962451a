"""The CSV export's read-ahead thread (issue 16) ends cleanly on every path: an error in the
thread reaches the officer as one message and exit code, an export stopped half-way leaves no
file, no thread and no changed switch interval behind."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from _protect import cli_env, invoke
from screening.cli._walk import display_value
from screening.errors import StoreError
from screening.records.exports import ExportFormat, Options, _ReadAhead, export
from screening.records.queries import Queries
from screening.records.store import Store

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 records: three pages of the read-ahead."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import seed
    finally:
        sys.path.remove(str(BENCHMARKS))
    db = tmp_path_factory.mktemp("seeded") / "seeded.db"
    seed.seed(db, 600, templates=24)
    return db


def readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-read-ahead"]


def test_an_error_in_the_reading_thread_is_one_message_and_leaves_no_file(
    seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages: list[int] = []
    real = Queries.csv_text

    def damaged_second_page(self, *args):  # type: ignore[no-untyped-def]
        pages.append(1)
        if len(pages) == 2:
            raise StoreError("Could not read the records: the records database is damaged.")
        return real(self, *args)

    monkeypatch.setattr(Queries, "csv_text", damaged_second_page)
    out = tmp_path / "out.csv"
    before = sys.getswitchinterval()
    result = invoke(cli_env(tmp_path, SCREENING_DB=str(seeded)),
                    "records", "export", "--format", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert "the records database is damaged" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(pages) == 2 and not out.exists() and not list(tmp_path.glob(".out.csv*"))
    assert sys.getswitchinterval() == before and not readers()


def test_an_export_stopped_half_way_leaves_no_file_thread_or_interval(
    seeded: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    options = Options(fmt=ExportFormat.csv, output=out, key=None, filters={}, lang="en",
                      override_consent=False, reason=None, progress=False, officer="uji")
    written: list[int] = []

    @contextlib.contextmanager
    def ctrl_c_at_300(total: int) -> Iterator[object]:
        def advance() -> None:
            written.append(1)
            if len(written) == 300:  # the second page, the third read ahead
                raise KeyboardInterrupt
        yield advance

    before = sys.getswitchinterval()
    with Store.open(seeded, create=False) as store, pytest.raises(KeyboardInterrupt):
        export(store, options, None, None, ctrl_c_at_300, display_value)
    assert len(written) == 300
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))
    assert sys.getswitchinterval() == before and not readers()


def test_the_switch_interval_comes_back_when_the_wait_for_the_reader_is_interrupted(
    seeded: Path
) -> None:
    before = sys.getswitchinterval()
    with Store.open(seeded, create=False) as store:
        ahead = _ReadAhead(store, {})
        join = ahead.thread.join

        def interrupted(timeout: float | None = None) -> None:
            join(timeout)
            raise KeyboardInterrupt  # a second Ctrl-C while the export waits for the reader

        ahead.thread.join = interrupted  # type: ignore[method-assign]  # what the test checks
        with pytest.raises(KeyboardInterrupt), ahead:
            next(ahead.pages(store))
    assert sys.getswitchinterval() == before and not readers()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_half_a_character_pair_in_a_damaged_file_is_one_message_and_no_file(
    seeded: Path, tmp_path: Path, fmt: str
) -> None:
    import shutil
    import sqlite3

    # Saving refuses a lone surrogate; only an edit outside screening can put one there.
    db = tmp_path / "damaged.db"
    shutil.copy(seeded, db)
    con = sqlite3.connect(db)
    with con:
        changed = con.execute(
            "UPDATE answers SET value_json = '\"broken \\ud800 text\"' WHERE rowid = "
            "(SELECT rowid FROM answers WHERE value_json LIKE '\"%' ORDER BY rowid LIMIT 1)"
        ).rowcount
    con.close()
    assert changed == 1
    out = tmp_path / f"out.{fmt}"
    result = invoke(cli_env(tmp_path, SCREENING_DB=str(db)),
                    "records", "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 1, result.stderr
    assert "not valid Unicode" in result.stderr
    assert "records verify" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()
    assert not list(tmp_path.glob("out.*"))
