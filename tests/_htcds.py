"""The HTCDS 2.0 field table (tests/htcds/fields-2.0.csv, IOM, CC BY 4.0) and a check of an
exported case against it: every field a field of the table or the project's own (``x_``), no
deprecated field, every picklist value one of the field's value names, every value of the
field's type. Problems name the record and the field."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STANDARD = HERE / "htcds" / "fields-2.0.csv"
#: The developers' copy, beside the repository (in CI too); the shipped copy must match it.
SHARED = HERE.parent.parent / "shared" / "htcds" / "fields-2.0.csv"

_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Field:
    name: str
    status: str
    type: str
    #: the picklist's value names; None when the cell is an instruction (ISO codes) or empty
    values: tuple[str, ...] | None


def load_standard(path: Path = STANDARD) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names = [v.strip() for v in row["Value Names (if picklist)"].splitlines()]
            names = [v for v in names if v]
            enumerated = bool(names) and all(_NAME.match(v) for v in names)
            name = row["Field Name including Prefix"].strip()
            fields[name] = Field(
                name=name,
                status=row["Status"].strip(),
                type=row["Field Type"].strip(),
                values=tuple(names) if enumerated else None,
            )
    return fields


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _value_problem(field: Field, value: Any) -> str | None:
    kind = field.type
    if value is None:
        return "null (leave a field without a value out)"
    if kind == "Multiselect Picklist":
        if not isinstance(value, list) or not value:
            return f"{value!r} is not a non-empty list of value names"
        if len(set(value)) != len(value):
            return f"{value!r} repeats a value"
        for item in value:
            if not isinstance(item, str):
                return f"{item!r} is not a value name"
            if field.values is not None and item not in field.values:
                return f"{item!r} is not one of its value names {list(field.values)}"
        return None
    if kind == "Picklist":
        if not isinstance(value, str):
            return f"{value!r} is not a single value name"
        if field.values is not None and value not in field.values:
            return f"{value!r} is not one of its value names {list(field.values)}"
        return None
    if kind == "Checkbox":
        return None if isinstance(value, bool) else f"{value!r} is not true or false"
    if kind == "Date":
        return None if _is_date(value) else f"{value!r} is not a date (YYYY-MM-DD)"
    if kind in ("Number", "Geolocation"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"{value!r} is not a number"
    if kind in ("Text", "Long Text", "Picklist or Text") or kind.startswith("Lookup"):
        return None if isinstance(value, str) and value else f"{value!r} is not text"
    return f"has type {kind!r}, which this check does not know"


def problems(case: dict[str, Any], standard: dict[str, Field]) -> list[str]:
    """Every way ``case`` departs from the standard, each naming the record and the field."""
    record = case.get("x_RecordId", "(no x_RecordId)")
    found = []
    for name, value in case.items():
        where = f"record {record}, field {name}"
        if name.startswith("x_"):
            continue
        field = standard.get(name)
        if field is None:
            found.append(f"{where}: not a field of HTCDS 2.0 (the project's own start with x_)")
            continue
        if field.status.upper() == "DEPRECATED":
            found.append(f"{where}: deprecated in HTCDS 2.0")
            continue
        problem = _value_problem(field, value)
        if problem:
            found.append(f"{where}: {problem}")
    return found
