"""The period a report covers, the one it is compared with, and how it is cut into buckets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from screening.errors import ScreeningError

#: Periods up to this many days are counted per week, longer ones per month.
WEEKLY_UP_TO_DAYS = 92


@dataclass(frozen=True)
class Period:
    """From ``since`` to ``until``, both days included (UTC dates, as records are stamped)."""

    since: date
    until: date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def whole_months(self) -> bool:
        return self.since.day == 1 and (self.until + timedelta(1)).day == 1

    @property
    def bucket(self) -> str:
        return "week" if self.days <= WEEKLY_UP_TO_DAYS else "month"

    def previous(self) -> Period:
        """The period just before, as long as this one (whole months: as many months)."""
        if self.whole_months:
            months = (self.until.year - self.since.year) * 12 + self.until.month - self.since.month
            start = _add_months(self.since, -(months + 1))
            return Period(start, self.since - timedelta(1))
        return Period(self.since - timedelta(self.days), self.since - timedelta(1))

    def buckets(self) -> list[str]:
        """Every bucket of the period, empty ones too, as the database names them."""
        keys: list[str] = []
        if self.bucket == "week":
            day = self.since - timedelta(self.since.weekday())
            while day <= self.until:
                keys.append(day.isoformat())
                day += timedelta(7)
        else:
            day = self.since.replace(day=1)
            while day <= self.until:
                keys.append(day.isoformat()[:7])
                day = _add_months(day, 1)
        return keys


    def bucket_names(self) -> list[str]:
        """The buckets as a reader sees them: a week that began before the period is named
        by the period's first day."""
        if self.bucket != "week":
            return self.buckets()
        first = self.since.isoformat()
        return [max(key, first) for key in self.buckets()]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def resolve_period(since: date | None, until: date | None, today: date) -> Period:
    """The period asked for; by default the last full month before ``today``.

    Only ``since``: up to today. Only ``until``: from the first day of that month.
    """
    if since is None and until is None:
        first = today.replace(day=1)
        return Period(_add_months(first, -1), first - timedelta(1))
    if since is None:
        assert until is not None
        since = until.replace(day=1)
    if until is None:
        until = max(today, since)
    if since > until:
        raise ScreeningError(
            f"--since {since.isoformat()} is after --until {until.isoformat()}: "
            "give the start of the period first."
        )
    return Period(since, until)
