"""One output sink: data to stdout (table, JSON or CSV), talk to stderr."""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Iterable, Sequence

TYPE_CHECKING = False  # typing itself takes ~3 ms to import: names for the checker only
if TYPE_CHECKING:
    from typing import Any

    from rich.console import Console


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TextFormat(enum.StrEnum):
    text = "text"
    json = "json"


_consoles: dict[str, Console] = {}


def out() -> Console:
    """The console for data (stdout)."""
    return _console("out", stderr=False)


def err() -> Console:
    """The console for talk: progress, warnings, errors (stderr)."""
    return _console("err", stderr=True)


def _console(name: str, *, stderr: bool) -> Console:
    # Rebuilt when the stream changes (CliRunner swaps sys.stdout per invocation).
    stream = sys.stderr if stderr else sys.stdout
    console = _consoles.get(name)
    if console is None or console.file is not stream:
        from rich.console import Console

        console = Console(file=stream, highlight=False, soft_wrap=False)
        _consoles[name] = console
    return console


def emit_json(data: Any) -> None:
    """JSON on stdout: an object indented for reading, a listing one element per line."""
    if isinstance(data, list):
        emit_json_rows(data)
        return
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def emit_json_rows(rows: Iterable[Any]) -> None:
    """A JSON array written as it is read, one element per line.

    Python's C JSON encoder only runs without ``indent``: a listing of thousands of records
    indented took most of the command's time. Lines are written a chunk at a time, so a
    generator of rows is never held in memory whole.
    """
    encode = _row_encoder()
    _write_array(encode(row) for row in rows)


def emit_json_texts(rows: Iterable[str | Any]) -> None:
    """:func:`emit_json_rows` for rows some of which are already JSON text (a ``str``, as the
    records database writes a listing's rows): those are written as they are."""
    encode = _row_encoder()
    _write_array(row if isinstance(row, str) else encode(row) for row in rows)


def _write_array(texts: Iterable[str]) -> None:
    write = sys.stdout.write
    chunk: list[str] = []
    opened = False
    for text in texts:
        chunk.append(("[\n  " if not opened else ",\n  ") + text)
        opened = True
        if len(chunk) >= 512:
            write("".join(chunk))
            chunk.clear()
    chunk.append("\n]\n" if opened else "[]\n")
    write("".join(chunk))


def _row_encoder() -> Any:
    """``JSONEncoder(ensure_ascii=False, default=str).encode``, with the C encoder made once:
    ``encode`` makes a new one for every row, a third of a long listing's time."""
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return json.JSONEncoder(ensure_ascii=False, default=str).encode
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys,
    # allow_nan): JSONEncoder's defaults; no circular check (a row is flat).
    chunks = make(None, str, encoder.encode_basestring, None, ": ", ", ", False, False, True)

    def encode(row: Any) -> str:
        if isinstance(row, str):
            return encoder.encode_basestring(row)
        return "".join(chunks(row, 0))

    return encode


def emit_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: Format,
    *,
    title: str | None = None,
    json_rows: Any = None,
    headers: dict[str, str] | None = None,
    no_wrap: Iterable[str] = (),
) -> None:
    """A listing in the chosen format; ``json_rows`` overrides the JSON shape when given.

    ``headers`` words the table's column heads (the officer's language); JSON and CSV keep
    the stable English keys."""
    if fmt is Format.json:
        emit_json(rows if json_rows is None else json_rows)
    elif fmt is Format.csv:
        write_csv(rows, columns)
    else:
        from rich.table import Table
        from rich.text import Text

        from screening.text import printable

        table = Table(title=title, show_lines=False)
        keep_whole = set(no_wrap)
        for n, column in enumerate(columns):
            # The first column names the row (an id): never wrap it.
            table.add_column(
                (headers or {}).get(column, column), no_wrap=n == 0 or column in keep_whole
            )
        for row in rows:
            # Stored text is shown, never interpreted: no markup, no escape sequences.
            table.add_row(*(Text(printable(_cell(row.get(c)))) for c in columns))
        out().print(table)


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    import csv

    writer = csv.DictWriter(
        sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    from screening.text import printable

    writer.writeheader()
    for row in rows:
        writer.writerow({c: printable(_cell(row.get(c))) for c in columns})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
