"""How answers are represented, everywhere (engine, scoring, store, answers files).

yes_no -> "yes" | "no"; choice -> an option key; multi_choice -> a list of option keys;
text -> str; number -> int | float; date -> an ISO date string "YYYY-MM-DD".
Every type also accepts the two special answers below, kept apart from "no".
"""

from __future__ import annotations

UNKNOWN = "unknown"  #: the person does not know ("?" at the prompt)
DECLINED = "declined"  #: the person declines to answer ("-" at the prompt)
SPECIAL = (UNKNOWN, DECLINED)

AnswerValue = str | int | float | list[str]


def is_special(value: object) -> bool:
    return isinstance(value, str) and value in SPECIAL
