"""Months and oldest-first order from the date column that ``dates.DateOrder`` already reads.

Kept beside ``dates`` and apart from it: the month facet and the oldest-first
order of browsing need nothing but that column's values (microseconds since
``datetime.min``, UTC) and a bool mask of the matches, so neither touches
Whoosh or the scorer.
"""

from __future__ import annotations

import numpy as np

from search.index.schema import WIB
from search.ranking.dates import DateOrder

# Whoosh's datetime_to_long(1970-01-01): its column counts microseconds from year 1.
_UNIX_EPOCH_USECS = 62_135_596_800_000_000
_WIB_USECS = int(WIB.total_seconds()) * 1_000_000


def jakarta_days(dates: DateOrder, matched: np.ndarray) -> np.ndarray:
    """The Jakarta day (days since 1970-01-01) of each dated document flagged in ``matched``."""
    flagged = matched & dates.dated
    usecs = (dates.values[flagged] - np.uint64(_UNIX_EPOCH_USECS)).astype("int64") + _WIB_USECS
    return usecs // (86_400 * 1_000_000)


def month_counts(dates: DateOrder, matched: np.ndarray) -> dict[str, int]:
    """``{"2022-10": n, ...}`` of the dated documents flagged in ``matched``, newest month first."""
    flagged = matched & dates.dated
    if not flagged.any():
        return {}
    usecs = (dates.values[flagged] - np.uint64(_UNIX_EPOCH_USECS)).astype("int64") + _WIB_USECS  # Jakarta's months
    months = usecs.astype("datetime64[us]").astype("datetime64[M]")
    values, counts = np.unique(months, return_counts=True)
    found = {str(month): int(n) for month, n in zip(values, counts, strict=True)}
    return dict(sorted(found.items(), reverse=True))


def oldest(dates: DateOrder, matched: np.ndarray, limit: int | None, ties: bool = False) -> np.ndarray:
    """The first ``limit`` (all if None) documents flagged in ``matched``, oldest first, undated last
    (``ties``: as ``DateOrder.newest``)."""
    in_order = dates.newest_first[matched[dates.newest_first]]
    dated = dates.dated[in_order]
    ordered = np.concatenate([in_order[dated][::-1], in_order[~dated]])
    return ordered if limit is None else dates.cut(ordered, limit, ties)
