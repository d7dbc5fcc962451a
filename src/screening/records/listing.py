"""Where the records are and which of them a listing wants: the central database's URL
schemes and the listing filters as SQL. Light on purpose (no SQLite library, no driver): the
central reader and the command line import it before they know which database they read.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from screening.errors import ScreeningError

#: What a central (PostgreSQL) database's URL starts with; a Path keeps one slash of '//'.
CENTRAL_SCHEMES = ("postgresql:", "postgres:")
_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # as screening.interview.clock.Clock.stamp()
#: Text that shows how a database's JSON functions escape (a listing's JSON is written by the
#: database when they escape as Python's ``json`` does): every ASCII character (control
#: characters are where SQLite's versions differed) and some that are not.
PROBE = "".join(map(chr, range(128))) + "é€\u2028\u2029\ufeff😀"


def is_central(value: object) -> bool:
    """Whether ``value`` names a central (PostgreSQL) database rather than a laptop's file."""
    return value is not None and str(value).startswith(CENTRAL_SCHEMES)


def _bound(value: str | date, *, end: bool) -> tuple[str, str]:
    """A ``since``/``until`` filter as (operator, stamp) against ``started_at``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        day = value
        # The end of the day as a stamp, not the next day: 9999-12-31 has none.
        return (">=", day.isoformat()) if not end else ("<=", f"{day.isoformat()}T23:59:59.999999Z")
    else:
        text = str(value).strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return _bound(date.fromisoformat(text), end=end)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ScreeningError(
                f"'{value}' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM "
                "(a time without a zone is taken as UTC)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        stamp = moment.astimezone(UTC).strftime(_STAMP)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before the first representable moment
        stamp = "0001-01-01T00:00:00.000000Z" if moment.year == 1 else "9999-12-31T23:59:59.999999Z"
    return (">=", stamp) if not end else ("<=", stamp)


def filters(
    status: str | None = None,
    since: str | None = None,
    until: str | None = None,
    questionnaire: str | None = None,
    level: str | None = None,
    *,
    mark: str = "?",
) -> tuple[list[str], list[object]]:
    """The listing filters as SQL conditions on ``r`` and their parameters (``mark`` is the
    driver's placeholder: ``?`` for SQLite, ``%s`` for PostgreSQL)."""
    where: list[str] = []
    params: list[object] = []
    for column, wanted in (
        ("status", status),
        ("questionnaire", questionnaire),
        ("level", level),
    ):
        if wanted is not None:
            where.append(f"r.{column} = {mark}")
            params.append(wanted)
    for bound, end in ((since, False), (until, True)):
        if bound is not None:
            op, stamp = _bound(bound, end=end)
            where.append(f"r.started_at {op} {mark}")
            params.append(stamp)
    return where, params
