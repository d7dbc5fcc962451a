"""The officer's remembered defaults (officer, location, languages), the office code and the
central database's URL (never its password: that belongs in ~/.pgpass): a small JSON file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from screening.files import private_folder, write_private

KEYS = ("officer", "location", "language", "ui", "office", "central_url")


def settings_path() -> Path:
    explicit = os.environ.get("SCREENING_SETTINGS")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    if os.name == "nt" and os.environ.get("APPDATA"):
        base = os.environ["APPDATA"]
    return Path(base) / "screening" / "settings.json"


def load() -> dict[str, str]:
    """The saved defaults; a missing or damaged file just means no defaults."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if k in KEYS and isinstance(v, str)}


def save(values: dict[str, str]) -> bool:
    """Remember defaults for next time; failing to is never fatal (returns False)."""
    path = settings_path()
    merged = {**load(), **{k: v for k, v in values.items() if k in KEYS and v}}
    try:
        private_folder(path.parent)
        write_private(path, json.dumps(merged, ensure_ascii=False, indent=2))
    except (OSError, UnicodeEncodeError):
        return False
    return True
