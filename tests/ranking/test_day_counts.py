"""The month facet and the timeline counted from each document's Jakarta day, worked out once per index
(``DateOrder.days``, ``months.day_counts``), give what converting each match's date gave (issue 24: at
1,000,000 articles that conversion cost a pasted sentence ~60 of its ~150 CPU-ms over HTTP)."""

from datetime import date, datetime, timedelta, timezone

import numpy as np
from whoosh.util.times import datetime_to_long

from search.ranking.dates import DateOrder
from search.ranking.months import day_counts, month_counts
from search.ranking.timeline import MAX_DAYS, MAX_MONTHS, MAX_WEEKS, timeline

_UNIX_EPOCH_USECS = 62_135_596_800_000_000
_WIB_USECS = 7 * 3600 * 1_000_000


def _months_converted(dates: DateOrder, matched: np.ndarray) -> dict[str, int]:
    """The month facet as it was counted before: each match's date converted to its month."""
    flagged = matched & dates.dated
    if not flagged.any():
        return {}
    usecs = (dates.values[flagged] - np.uint64(_UNIX_EPOCH_USECS)).astype("int64") + _WIB_USECS
    months = usecs.astype("datetime64[us]").astype("datetime64[M]")
    values, counts = np.unique(months, return_counts=True)
    return dict(sorted({str(m): int(n) for m, n in zip(values, counts, strict=True)}.items(), reverse=True))


def _periods_converted(dates: DateOrder, matched: np.ndarray) -> list[tuple[str, int]]:
    """The timeline's (period, count) as counted before: each match's day found among the periods' starts."""
    flagged = matched & dates.dated
    days = ((dates.values[flagged] - np.uint64(_UNIX_EPOCH_USECS)).astype("int64") + _WIB_USECS) // 86_400_000_000
    periods = timeline(dates, matched)
    if not len(days):
        return []
    epoch = date(1970, 1, 1).toordinal()
    bounds = np.array([p.start.toordinal() - epoch for p in periods])
    counts = np.bincount(np.searchsorted(bounds, days, side="right") - 1, minlength=len(periods))
    return [(p.period, int(n)) for p, n in zip(periods, counts, strict=True)]


def _archive(seed: int, span_days: int, count: int = 3000) -> DateOrder:
    """``count`` documents over ``span_days`` from 1969-12-20 (dates before 1970 too), many near midnight in
    Jakarta (17:00 UTC), a tenth undated."""
    rng = np.random.default_rng(seed)
    start = datetime(1969, 12, 20, tzinfo=timezone.utc)
    moments = [start + timedelta(days=int(d), hours=int(h), minutes=int(m)) for d, h, m in zip(
        rng.integers(0, span_days, count), rng.choice([16, 17, 3, 23], count), rng.choice([0, 59], count),
        strict=True)]
    values = np.array([datetime_to_long(moment.replace(tzinfo=None)) for moment in moments], dtype=np.uint64)
    dated = rng.random(count) > 0.1
    return DateOrder.of_values(values, dated)


def test_months_and_periods_are_those_of_each_match_s_date_converted():
    for seed, span in enumerate((20, MAX_DAYS * 2, MAX_WEEKS * 7 * 2, MAX_MONTHS * 31 * 2)):
        dates = _archive(seed, span)
        rng = np.random.default_rng(100 + seed)
        for share in (1.0, 0.3, 0.01):
            matched = rng.random(len(dates.values)) < share
            assert month_counts(dates, matched) == _months_converted(dates, matched)
            assert [(p.period, p.count) for p in timeline(dates, matched)] == _periods_converted(dates, matched)
            days = day_counts(dates, matched)
            assert month_counts(dates, matched, days) == month_counts(dates, matched)
            assert timeline(dates, matched, days) == timeline(dates, matched)
            assert int(days.counts.sum()) == int((matched & dates.dated).sum())


def test_no_dated_match_counts_nothing():
    dates = _archive(9, 100)
    undated = ~dates.dated
    assert month_counts(dates, undated) == {} and timeline(dates, undated) == []
    assert month_counts(dates, np.zeros(len(dates.values), dtype=bool)) == {}


def test_the_days_are_jakarta_s_and_those_before_1970_too():
    moments = ["1969-12-31T16:59", "1969-12-31T17:00", "2023-05-01T16:59", "2023-05-01T17:00"]
    values = np.array([datetime_to_long(datetime.fromisoformat(m)) for m in moments], dtype=np.uint64)
    dates = DateOrder.of_values(values, np.ones(4, dtype=bool))
    epoch = date(1970, 1, 1).toordinal()
    assert [date.fromordinal(int(d) + epoch).isoformat() for d in dates.days] == [
        "1969-12-31", "1970-01-01", "2023-05-01", "2023-05-02"]
    assert month_counts(dates, np.array([True, True, False, False])) == {"1970-01": 1, "1969-12": 1}
