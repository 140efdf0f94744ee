"""Months and oldest-first order from the date column that ``dates.DateOrder`` already reads.

Kept beside ``dates`` and apart from it: the month facet and the oldest-first
order of browsing need nothing but that column's values (microseconds since
``datetime.min``, UTC) and a bool mask of the matches, so neither touches
Whoosh or the scorer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search.ranking.dates import DateOrder


@dataclass(frozen=True)
class DayCounts:
    """How many of a search's dated matches fall on each Jakarta day from ``first`` (days since 1970-01-01) on:
    ``counts[i]`` on day ``first + i``; the last count is the last day's (empty: no dated match)."""

    first: int
    counts: np.ndarray

    def days(self) -> np.ndarray:
        """The days holding a match, ascending (days since 1970-01-01)."""
        return np.flatnonzero(self.counts) + self.first

    def on_days(self) -> np.ndarray:
        """The matches of each of :meth:`days`."""
        return self.counts[self.counts > 0]


def jakarta_days(dates: DateOrder, matched: np.ndarray) -> np.ndarray:
    """The Jakarta day (days since 1970-01-01) of each dated document flagged in ``matched``."""
    return dates.days[np.flatnonzero(matched & dates.dated)]  # by numbers: gathering by a random mask is slower


def day_counts(dates: DateOrder, matched: np.ndarray) -> DayCounts:
    """The dated documents flagged in ``matched``, counted by Jakarta day: what the month facet and the
    timeline are both made of, counted once per search from the days ``DateOrder`` worked out once."""
    days = jakarta_days(dates, matched)
    if not len(days):
        return DayCounts(0, np.zeros(0, dtype=np.int64))
    first = int(days.min())
    return DayCounts(first, np.bincount(days - first))


def month_counts(dates: DateOrder, matched: np.ndarray, days: DayCounts | None = None) -> dict[str, int]:
    """``{"2022-10": n, ...}`` of the dated documents flagged in ``matched``, newest month first
    (``days``: their :func:`day_counts`, if counted already)."""
    days = day_counts(dates, matched) if days is None else days
    held = days.days()
    if not len(held):
        return {}
    months = held.astype("datetime64[D]").astype("datetime64[M]")  # ascending, as the days are
    values, starts = np.unique(months, return_index=True)
    counts = np.add.reduceat(days.on_days(), starts)
    found = {str(month): int(n) for month, n in zip(values, counts, strict=True)}
    return dict(sorted(found.items(), reverse=True))


def oldest(dates: DateOrder, matched: np.ndarray, limit: int | None, ties: bool = False) -> np.ndarray:
    """The first ``limit`` (all if None) documents flagged in ``matched``, oldest first, undated last
    (``ties``: as ``DateOrder.newest``)."""
    in_order = dates.newest_first[matched[dates.newest_first]]
    dated = dates.dated[in_order]
    ordered = np.concatenate([in_order[dated][::-1], in_order[~dated]])
    return ordered if limit is None else dates.cut(ordered, limit, ties)
