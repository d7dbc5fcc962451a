"""Text that comes from outside (answers files, options, the terminal) and text that goes to a
terminal: valid Unicode, no control characters where a line is meant, bounded length."""

from __future__ import annotations

import re

from screening.errors import ScreeningError

#: officer names, locations and the like: a line, not a document
MAX_LABEL = 200

# C0 and C1 controls and DEL; the direction overrides that can disguise a line on screen.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unicode_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as UTF-8 (a lone surrogate), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"character {exc.start + 1} is not valid Unicode (U+{ord(text[exc.start]):04X}, "
                "half of a pair); retype it")
    return None


class InvalidText(ScreeningError):
    """Text refused by :func:`check_label`; ``code`` and ``values`` let the CLI word it in the
    officer's language."""

    def __init__(self, message: str, *, code: str, values: dict[str, object]) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


def check_label(value: str, what: str, *, limit: int = MAX_LABEL) -> str:
    """``value`` stripped, or InvalidText: valid Unicode, one line without control
    characters, at most ``limit`` characters. ``what`` names it in the message."""
    text = value.strip()
    problem = unicode_problem(text)
    if problem:
        raise InvalidText(f"the {what} is not usable: {problem}", code="not_unicode", values={})
    found = _CONTROL.search(text)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise InvalidText(
            f"the {what} contains a control character ({code}) at position {found.start() + 1}; "
            "write it on one line, as plain text",
            code="control", values={"char": code},
        )
    if len(text) > limit:
        raise InvalidText(f"the {what} is {len(text)} characters long; at most {limit}",
                          code="too_long", values={"n": len(text), "max": limit})
    return text


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters and lone surrogates shown as
    escapes (``\\x1b``), so stored text can never move the cursor or clear the screen."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, text)


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
