"""The matches over time: counts by day, week, month or year, whichever the span of their dates suits.

Counted over every match, from the date column ``dates.DateOrder`` already
reads; periods are Jakarta's (WIB), as the date filters count them. Every
period between the first and the last is listed, the empty ones with 0, so
that a chart's bars stand at their places in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from search.ranking.dates import DateOrder
from search.ranking.months import DayCounts, day_counts

MAX_DAYS = 62  # a span up to two months: by day
MAX_WEEKS = 26  # up to half a year: by week
MAX_MONTHS = 72  # up to six years: by month; longer: by year


@dataclass
class Period:
    """One bar of the timeline: its name (``2017-08-05``, ``2017-W31``, ``2017-08``, ``2017``), its first and
    last day (what a date filter narrows to) and the matches in it."""

    period: str
    start: date
    end: date
    count: int

    def to_dict(self) -> dict:
        return {"period": self.period, "count": self.count, "from": self.start.isoformat(), "to": self.end.isoformat()}


def timeline(dates: DateOrder, matched: np.ndarray, days: DayCounts | None = None) -> list[Period]:
    """The dated documents flagged in ``matched``, counted by period, oldest first (``days``: their
    ``months.day_counts``, if counted already)."""
    days = day_counts(dates, matched) if days is None else days
    held = days.days()
    if not len(held):
        return []
    first, last = (date.fromordinal(int(d) + _EPOCH) for d in (held[0], held[-1]))
    span = (last - first).days + 1
    if span <= MAX_DAYS:
        starts = [first + timedelta(days=i) for i in range(span)]
    elif span <= MAX_WEEKS * 7:
        monday = first - timedelta(days=first.weekday())
        starts = [monday + timedelta(weeks=i) for i in range((last - monday).days // 7 + 1)]
    elif _months(first, last) <= MAX_MONTHS:
        starts = [_add_months(first.replace(day=1), i) for i in range(_months(first, last))]
    else:
        starts = [date(year, 1, 1) for year in range(first.year, last.year + 1)]
    bounds = np.array([d.toordinal() - _EPOCH for d in starts])
    # each day holding matches falls in the period starting last on or before it
    counts = np.bincount(np.searchsorted(bounds, held, side="right") - 1, weights=days.on_days(),
                         minlength=len(starts))
    kind = "day" if span <= MAX_DAYS else "week" if span <= MAX_WEEKS * 7 else \
        "month" if _months(first, last) <= MAX_MONTHS else "year"
    ends = [*(s - timedelta(days=1) for s in starts[1:]), _period_end(starts[-1], kind)]
    return [Period(_name(start, kind), start, end, int(n)) for start, end, n in zip(starts, ends, counts, strict=True)]


_EPOCH = date(1970, 1, 1).toordinal()


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1)


def _period_end(start: date, kind: str) -> date:
    if kind == "day":
        return start
    if kind == "week":
        return start + timedelta(days=6)
    if kind == "month":
        return _add_months(start, 1) - timedelta(days=1)
    return date(start.year, 12, 31)


def _name(start: date, kind: str) -> str:
    if kind == "day":
        return start.isoformat()
    if kind == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return start.strftime("%Y-%m")
    return str(start.year)
