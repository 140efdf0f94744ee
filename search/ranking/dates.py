"""Date order worked out once per index: every article newest first, and date ranges as masks.

Whoosh sorts by date per search: its sorting collector reads the date of
every match and sorts them in Python (0.7 s for a common word on IndoSum,
against 8-27 ms by relevance). The order of all articles by date does not
depend on the query, so it is computed when the index is opened, from the
``published`` column, and a search takes its matches in that order:
newest first, undated last, equal dates by document number -- the order of
Whoosh's ``fallback.newest_first`` sort. The same column answers a date
filter with two comparisons instead of walking the range's postings.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from search._whoosh.columns import numeric_values, term_hashes
from search.index.schema import WIB

DATE_FIELD = "published"
# At most this many documents dated as the last one kept come with a date-ordered page (``DateOrder.cut``):
# each costs reading its stored fields. Past that (a page ending among thousands of undated articles) equal
# dates stay in document order.
MAX_TIES = 1000
# Whoosh's datetime_to_long(1970-01-01): its column counts microseconds from year 1.
UNIX_EPOCH_USECS = 62_135_596_800_000_000
WIB_USECS = int(WIB.total_seconds()) * 1_000_000
DAY_USECS = 86_400 * 1_000_000


class DateOrder:
    """The document numbers of one reader newest first, and their dates (Whoosh's column values)."""

    def __init__(self, reader: Any, fieldname: str = DATE_FIELD,
                 columns: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.fieldname = fieldname
        values, self.dated = _column_values(reader, fieldname) if columns is None else columns
        # Undated: the column's default, or 0 in a segment without the column; one value for all of them,
        # so that they are all equal when ties are ordered.
        self.values = np.where(self.dated, values, np.uint64(0))
        newest = np.iinfo(np.uint64).max - self.values  # ascending sort keys: the newest date is the smallest
        count = len(self.values)
        # lexsort's last key sorts first: dated before undated, then by date, then by document number.
        self.newest_first = np.lexsort((np.arange(count), newest, ~self.dated))
        self.rank = np.empty(count, dtype=np.int64)  # each document's place in that order
        self.rank[self.newest_first] = np.arange(count)

    @classmethod
    def of_values(cls, values: np.ndarray, dated: np.ndarray, fieldname: str = DATE_FIELD) -> DateOrder:
        """The order of documents whose column values (uint64) and datedness are given, as a reader's would be."""
        return cls(None, fieldname, (values, dated))

    @functools.cached_property
    def days(self) -> np.ndarray:
        """Each document's day in Jakarta (WIB), as days since 1970-01-01 (int32; meaningless where undated).

        Worked out once, when first asked for: the month facet and the timeline of every search then
        count a gather of these (``search.ranking.months.day_counts``) instead of converting each match's date.
        """
        usecs = (self.values - np.uint64(UNIX_EPOCH_USECS)).astype("int64") + WIB_USECS
        return (usecs // DAY_USECS).astype(np.int32)

    def newest(self, matched: np.ndarray, limit: int | None, ties: bool = False) -> np.ndarray:
        """The first ``limit`` (all if None) documents flagged in ``matched`` (bool per document), newest first.

        ``ties``: those dated as the last one kept come too, so that the caller can order equal dates by
        id (document numbers change between generations) before it cuts at ``limit``.
        """
        in_order = self.newest_first[matched[self.newest_first]]
        return in_order if limit is None else self.cut(in_order, limit, ties)

    def cut(self, ordered: np.ndarray, limit: int, ties: bool = False) -> np.ndarray:
        """``ordered[:limit]``; with ``ties``, and the documents after it dated as the last one kept (undated: all)."""
        if not ties or not 0 < limit < len(ordered):
            return ordered[:limit]
        last, rest = ordered[limit - 1], ordered[limit : limit + MAX_TIES]
        tied = (self.dated[rest] == self.dated[last]) & (self.values[rest] == self.values[last])
        return ordered[: limit + (int(np.argmin(tied)) if not tied.all() else len(rest))]

    def within(self, start: int | None, end: int | None, startexcl: bool = False, endexcl: bool = False) -> np.ndarray:
        """Which documents have a date in the range (Whoosh's ``DateRange`` bounds: column values, None for open)."""
        inside = self.dated.copy()
        if start is not None:
            inside &= (self.values > start) if startexcl else (self.values >= start)
        if end is not None:
            inside &= (self.values < end) if endexcl else (self.values <= end)
        return inside


class ArchiveOrder:
    """Every live and deleted document newest first, equal dates by id (a hash of it, ``term_hashes``): an order
    of the archive's content alone.

    Document numbers differ between an index and its rebuild (another order
    of sources, articles added in two writes, a rebuild of the export), so
    what picks a few articles of many (the completions' reading) takes them
    in this order, never by document number. Made in ~0.03 s for 100,000
    articles (the ids read from the term dictionaries as arrays).
    """

    def __init__(self, reader: Any, dates: DateOrder) -> None:
        ids = term_hashes(reader, "id")
        newest = np.iinfo(np.uint64).max - dates.values
        self.newest_first = np.lexsort((ids, newest, ~dates.dated))
        self.rank = np.empty(len(ids), dtype=np.int64)
        self.rank[self.newest_first] = np.arange(len(ids))

    def first(self, docnums: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` of ``docnums`` (distinct) first in this order, in it."""
        ranks = self.rank[docnums]
        if len(ranks) > count > 0:
            ranks = np.partition(ranks, count - 1)[:count]
        return self.newest_first[np.sort(ranks)[:count]]

    def spread(self, docnums: np.ndarray, places: np.ndarray) -> np.ndarray:
        """The documents at ``places`` (ascending, each below ``len(docnums)``) of ``docnums`` in this order."""
        if not len(places):
            return places
        return self.newest_first[np.partition(self.rank[docnums], places)[places]]

    def newest(self, matched: np.ndarray, limit: int) -> np.ndarray:
        """The first ``limit`` documents flagged in ``matched`` (bool per document) in this order."""
        return self.newest_first[matched[self.newest_first]][:limit]


def _column_values(reader: Any, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
    """(the column value of every document as uint64, whether it has a date).

    An article without a date holds the column's default (the largest
    value); a segment without the column has no dates at all.
    """
    parts, dated = [], []
    field = reader.schema[fieldname] if fieldname in reader.schema.names() else None
    for leaf, _ in reader.leaf_readers():
        count = leaf.doc_count_all()
        if field is None or field.column_type is None or not leaf.has_column(fieldname):
            parts.append(np.zeros(count, dtype=np.uint64))
            dated.append(np.zeros(count, dtype=bool))
            continue
        column = leaf.column_reader(fieldname, translate=False)
        values = numeric_values(column, count)
        parts.append(values)
        dated.append(values != np.uint64(field.column_type.default_value()))
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bool)
    return np.concatenate(parts), np.concatenate(dated)
