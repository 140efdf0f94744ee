"""The news over time (issue 26, point 3): matches counted by day, week, month or year as their span asks,
every period between the first and the last listed, in Jakarta's days, over every match."""

from datetime import datetime

import numpy as np
from whoosh.util.times import datetime_to_long

from search import Index
from search.ranking.dates import DateOrder
from search.ranking.timeline import timeline
from tests.conftest import make_index


def _dates(*moments: str) -> DateOrder:
    values = [datetime_to_long(datetime.fromisoformat(m)) for m in moments]
    return DateOrder.of_values(np.array(values, dtype=np.uint64), np.ones(len(values), dtype=bool))


def _periods(*moments: str) -> list[tuple[str, int]]:
    found = timeline(_dates(*moments), np.ones(len(moments), dtype=bool))
    return [(p.period, p.count) for p in found]


def test_a_few_days_are_counted_by_day_with_the_empty_ones():
    assert _periods("2023-05-01T03:00", "2023-05-01T05:00", "2023-05-04T03:00") == [
        ("2023-05-01", 2), ("2023-05-02", 0), ("2023-05-03", 0), ("2023-05-04", 1)]


def test_the_days_are_jakarta_s():
    assert _periods("2023-05-01T16:59", "2023-05-01T17:00") == [("2023-05-01", 1), ("2023-05-02", 1)]  # 00:00 WIB


def test_longer_spans_are_counted_by_week_month_and_year():
    weeks = timeline(_dates("2023-05-03T03:00", "2023-07-20T03:00"), np.ones(2, dtype=bool))
    assert weeks[0].period == "2023-W18" and weeks[0].start.isoformat() == "2023-05-01"  # its Monday
    assert weeks[-1].period == "2023-W29" and weeks[-1].end.isoformat() == "2023-07-23"
    assert len(weeks) == 12 and sum(p.count for p in weeks) == 2
    months = _periods("2021-12-31T03:00", "2023-02-01T03:00", "2023-02-28T03:00")
    assert months[0] == ("2021-12", 1) and months[-1] == ("2023-02", 2) and len(months) == 15
    years = timeline(_dates("2010-06-01T03:00", "2023-02-01T03:00"), np.ones(2, dtype=bool))
    assert [p.period for p in years] == [str(y) for y in range(2010, 2024)]
    assert years[0].start.isoformat() == "2010-01-01" and years[-1].end.isoformat() == "2023-12-31"


def test_only_matches_with_a_date_count():
    dates = _dates("2023-05-01T03:00", "2023-05-02T03:00", "2023-05-03T03:00")
    dates.dated[2] = False
    assert [(p.period, p.count) for p in timeline(dates, np.array([True, False, True]))] == [("2023-05-01", 1)]
    assert timeline(dates, np.zeros(3, dtype=bool)) == []


def test_a_search_s_timeline_counts_every_match_not_only_the_page(tmp_path):
    docs = [{"id": f"d{i}", "title": f"banjir {i}", "text": f"Banjir melanda kota nomor {i}.",
             "date": f"2023-05-{1 + i % 3:02d}T08:00:00+07:00"} for i in range(30)]
    docs.append({"id": "other", "title": "gempa", "text": "Gempa melanda.", "date": "2023-04-01T08:00:00+07:00"})
    results = Index(make_index(tmp_path, docs)).search("banjir", limit=5, facets=True)
    assert results.timeline == [
        {"period": "2023-05-01", "count": 10, "from": "2023-05-01", "to": "2023-05-01"},
        {"period": "2023-05-02", "count": 10, "from": "2023-05-02", "to": "2023-05-02"},
        {"period": "2023-05-03", "count": 10, "from": "2023-05-03", "to": "2023-05-03"},
    ]
    assert results.to_dict()["timeline"] == results.timeline and "timeline" not in results.facets
