"""Restrictions on the results: publisher and date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from search.errors import QueryError
from search.index.schema import published_value


@dataclass
class Filters:
    """Restrictions on the results: publisher and date range (ISO dates)."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def to_query(self):
        """The Whoosh query that allows only the matching articles, or None for no restriction."""
        from whoosh import query as q

        parts = []
        if self.source:
            parts.append(q.Term("source_id", self.source))
        if self.date_from or self.date_to:
            start = _filter_date(self.date_from, "from")
            end = _filter_date(self.date_to, "to", end_of_day=True)
            parts.append(q.DateRange("published", start, end))
        return q.And(parts) if parts else None


def _filter_date(value: str | None, which: str, end_of_day: bool = False) -> datetime | None:
    if not value:
        return None
    moment = published_value(value)
    if moment is None:
        raise QueryError(f"Invalid {which} date {value!r}: use YYYY-MM-DD.",
                         f"Tanggal {value!r} tidak dikenali: tulis TTTT-BB-HH (misalnya 2022-10-06).")
    if end_of_day and len(value) <= 10:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment
