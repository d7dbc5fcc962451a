"""Tables of counts, and protecting them before a report leaves the office.

Every figure of a report is a :class:`Table`: rows by columns of counts. An *additive* table
counts each record once (one outcome, one level), so its rows and columns add up to totals;
the others (indicators fired, several options chosen) only list counts.

Sharing (:func:`suppress`): a count from 1 to 4 is hidden as "<5" (primary suppression; zero
is shown: an empty cell tells nothing about a person). A hidden count that a total would give
back (the total minus the cells still shown) makes a second count hidden too (complementary
suppression), repeated until no row, column or total line has exactly one hidden member.
Cells mean the same thing in every table of a report when they count the same records (the
same *scope* and the same dimension values, e.g. all consent-declined screenings): they are
hidden together, so one table cannot give back what another hid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SMALL = 5  #: counts from 1 to SMALL - 1 are hidden when sharing
SHOWN_SMALL = "<5"

#: What a cell counts: its scope and its dimension values, sorted.
Key = tuple[str, tuple[tuple[str, str], ...]]


@dataclass
class Table:
    id: str
    #: The records counted (all screenings, results, ...); cells of one scope are comparable.
    scope: str
    row_dim: str
    col_dim: str
    rows: list[str]
    columns: list[str]
    cells: list[list[int]]
    #: Each record counted once: rows and columns add up to the totals.
    additive: bool = True
    #: Content labels ({en, id}) for rows, when the rows are content ids.
    row_labels: dict[str, Any] = field(default_factory=dict)
    #: Hidden cells after :func:`suppress`: key -> "small" | "complementary".
    hidden: dict[Key, str] = field(default_factory=dict)

    # -- totals and keys ---------------------------------------------------------------------

    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.cells]

    def column_totals(self) -> list[int]:
        return [sum(row[c] for row in self.cells) for c in range(len(self.columns))]

    def total(self) -> int:
        return sum(self.row_totals())

    def key(self, row: str | None = None, column: str | None = None) -> Key:
        dims: dict[str, str] = {}
        if row is not None:
            dims[self.row_dim] = row
        if column is not None and self.col_dim:  # one column: its cells are the row totals
            dims[self.col_dim] = column
        scope = self.scope if self.additive else f"{self.scope}/{self.id}"
        return scope, tuple(sorted(dims.items()))

    def values(self) -> dict[Key, int]:
        """Every count of the table (cells, and totals when additive) by what it counts."""
        out: dict[Key, int] = {}
        for r, row in enumerate(self.rows):
            for c, column in enumerate(self.columns):
                out[self.key(row, column)] = self.cells[r][c]
        if self.additive:
            for r, row in enumerate(self.rows):
                out[self.key(row)] = self.row_totals()[r]
            for c, column in enumerate(self.columns):
                out[self.key(column=column)] = self.column_totals()[c]
            out[self.key()] = self.total()
        return out

    def lines(self) -> list[list[Key]]:
        """Each set of counts tied by a sum: a row with its total, a column with its total,
        the totals with the grand total. Empty for a table that is not additive."""
        if not self.additive:
            return []
        lines = [
            [self.key(row, c) for c in self.columns] + [self.key(row)] for row in self.rows
        ]
        lines += [[self.key(r, column) for r in self.rows] + [self.key(column=column)]
                  for column in self.columns]
        lines.append([self.key(row) for row in self.rows] + [self.key()])
        lines.append([self.key(column=c) for c in self.columns] + [self.key()])
        return lines

    # -- output --------------------------------------------------------------------------

    def shown(self, key: Key, value: int) -> int | str | None:
        """A count as a shared report shows it: the number, "<5", or None (hidden)."""
        reason = self.hidden.get(key)
        if reason is None:
            return value
        return SHOWN_SMALL if reason == "small" else None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "scope": self.scope,
            "rows_are": self.row_dim,
            "columns_are": self.col_dim,
            "additive": self.additive,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "cells": [
                [self.shown(self.key(row, col), self.cells[r][c])
                 for c, col in enumerate(self.columns)]
                for r, row in enumerate(self.rows)
            ],
        }
        if self.additive:
            data["row_totals"] = [
                self.shown(self.key(row), v) for row, v in zip(self.rows, self.row_totals(),
                                                                strict=True)
            ]
            data["column_totals"] = [
                self.shown(self.key(column=col), v)
                for col, v in zip(self.columns, self.column_totals(), strict=True)
            ]
            data["total"] = self.shown(self.key(), self.total())
        if self.row_labels:
            data["row_labels"] = dict(self.row_labels)
        return data

    def hidden_cells(self) -> list[dict[str, Any]]:
        """Where this table hides counts: {"table", "row", "column", "reason"}; a None row or
        column is a total."""
        found = []
        cells: list[tuple[str | None, str | None]] = [
            (row, col) for row in self.rows for col in self.columns
        ]
        if self.additive:
            cells += [(row, None) for row in self.rows]
            cells += [(None, col) for col in self.columns]
            cells.append((None, None))
        for row, col in cells:
            reason = self.hidden.get(self.key(row, col))
            if reason:
                found.append({"table": self.id, "row": row, "column": col, "reason": reason})
        return found


def suppress(tables: Iterable[Table]) -> None:
    """Hide small counts and every count that would give one back, in all ``tables`` at once."""
    tables = list(tables)
    values: dict[Key, int] = {}
    lines: list[list[Key]] = []
    for table in tables:
        values.update(table.values())
        lines.extend(table.lines())
    hidden: dict[Key, str] = {k: "small" for k, v in values.items() if 0 < v < SMALL}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for k in line if k in hidden) != 1:
                continue
            total = line[-1]
            # Hide the smallest count still shown: a non-zero cell first, then the total,
            # then a zero (hiding a zero protects nothing the total does not already say).
            candidates = [k for k in line if k not in hidden]
            choice = min(
                candidates,
                key=lambda k: (values[k] == 0, k == total, values[k], k),
            )
            hidden[choice] = "complementary"
            changed = True
    for table in tables:
        table.hidden = {k: r for k, r in hidden.items() if k in table.values()}
