"""How a query runs in Whoosh when it does (NOT queries): matcher choices, exact totals, date
order, its time limit; and read errors, whoever reads.

Kept apart from ``searcher`` (what a search returns) because each piece here
works around a property of Whoosh 2.7 and says which one.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import query as q
from whoosh import sorting
from whoosh.collectors import FilterCollector, TimeLimitCollector
from whoosh.searching import TimeLimit

from search.errors import damaged
from search.query.budget import NO_DEADLINE, Deadline
from search.ranking.prune import exact_search_options

# What Whoosh raises when the bytes of a segment are not what it wrote.
READ_ERRORS = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, IndexError)


@contextmanager
def read_errors_as_damage(index_dir: Path) -> Iterator[None]:
    """Report a read failure inside Whoosh as a damaged index, not a traceback."""
    try:
        yield
    except READ_ERRORS as e:
        raise damaged(index_dir, f"{type(e).__name__}: {e}") from None


def newest_first() -> sorting.MultiFacet:
    """Sort key: newest articles first, then the ones without a date; equal dates by id (as the array
    scorer's date order: document numbers change between generations)."""
    dated_first = sorting.QueryFacet({0: q.Every("published")}, other=1)
    return sorting.MultiFacet([dated_first, sorting.FieldFacet("published", reverse=True), sorting.FieldFacet("id")])


def preload_or(query: q.Query) -> q.Query:
    """Score a top-level OR by Whoosh's array matcher, whatever the index size.

    Whoosh picks a binary tree of union matchers for segments of more than
    5,000 documents, which walks every posting through several Python calls;
    its array matcher adds the same per-term scores into an array a block at
    a time: 3.6x faster for sentence queries on 20,000 articles (and what
    Whoosh already uses below 5,000). The scores are the same sums; only the
    order of equal-score results may differ. An OR with a coordination
    ``scale`` keeps Whoosh's choice, since the array matcher would drop it.
    A question's OR under the answer-kind boost is left alone: there the
    array matcher loses documents (see ``ranking.exact_search_options``).
    """
    if type(query) is q.Or and not query.scale:
        query.matcher_type = q.Or.ARRAY_MATCHER
    return query


def count_plain_or(searcher: Any, query: q.Query, deadline: Deadline = NO_DEADLINE) -> int | None:
    """How many documents match ``query`` if it is a plain OR of terms (or a question's
    ``OR ANDMAYBE answer-kind``), else None.

    Whoosh skips blocks that cannot reach the top results, so it cannot count
    the matches while ranking, and ``len(results)`` runs the whole query a
    second time, scoring nothing but still walking every matcher. For the
    usual query (words, each in title or body) the count is the size of the
    union of the terms' posting lists, which is several times cheaper to read.
    Deleted documents are not in the readers' postings.
    """
    if type(query) is q.AndMaybe:  # "a ANDMAYBE b" matches exactly what a matches
        query = query.a
    terms = [query] if type(query) is q.Term else getattr(query, "subqueries", None) if type(query) is q.Or else None
    if terms is None or not all(type(t) is q.Term for t in terms):
        return None
    reader = searcher.reader()
    matched: set[int] = set()
    for term in deadline.checked(terms, every=1):
        if (term.fieldname, term.text) in reader:
            matched.update(reader.postings(term.fieldname, term.text).all_ids())
    return len(matched)


def rank_in_whoosh(
    searcher: Any, query: q.Query, limit: int | None, filter_query: q.Query | None, sort: str,
    deadline: Deadline = NO_DEADLINE, count: Callable[[], int] | None = None,
) -> tuple[list, int]:
    """What ``scoring.ArrayScorer`` does not rank (queries with a NOT), ranked by Whoosh.

    Returns ((stored fields, score) of the top ``limit``, total); the facets are counted over its matches
    as the array scorer's are (``ranking.policy``). ``count``: the number of matches, where the caller
    asks Whoosh for them anyway (the facets'), instead of asking again here.
    """
    query = preload_or(query)
    options = exact_search_options(query)
    if sort == "date":
        options.update(sortedby=newest_first())
    collector = searcher.collector(limit=limit, terms=False, **options)
    ranked = _search_within(searcher, query, collector, filter_query, deadline)
    total = count() if count is not None else None
    if total is None and filter_query is None:
        total = count_plain_or(searcher, query, deadline)
    if total is None:
        total = _count(ranked, deadline)
    found = [(hit.fields(), hit.score) for hit in ranked]
    return found, total


class _TimedMatches(TimeLimitCollector):
    """Whoosh's ``TimeLimitCollector``, its timer also checked between the matches it hands to a filter around it.

    Whoosh 2.7.4's checks its timer in its own ``collect_matches``, which
    calls its child's ``collect`` for every match: around a
    ``FilterCollector``, which filters in its ``collect_matches``, that
    skipped the filter (``-toyota`` in one source's articles listed every
    source's, with every search's time budget). So the filter goes around
    this one, which checks the timer in the matches the filter walks.
    """

    def matches(self) -> Iterator[int]:
        for docnum in self.child.matches():
            if self.timedout:
                raise TimeLimit
            yield docnum

    def computes_count(self) -> bool:
        return self.child.computes_count()


def _search_within(searcher: Any, query: q.Query, collector: Any, filter_query: q.Query | None,
                   deadline: Deadline) -> Any:
    """Whoosh's results of ``collector`` within ``filter_query``, stopped by Whoosh's timer at the deadline.

    Without SIGALRM, which only the main thread may use (waitress serves
    from others): the collector then checks its timer between documents.
    """
    deadline.check()
    if deadline.bounded:
        collector = _TimedMatches(collector, timelimit=deadline.remaining(), use_alarm=False)
    if filter_query is not None:
        collector = FilterCollector(collector, allow=filter_query)
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        raise deadline.error() from None
    deadline.check()
    return collector.results()


def _count(ranked: Any, deadline: Deadline) -> int:
    """``len(ranked)``, checking the deadline: Whoosh runs the query again to count its matches."""
    collector = ranked.collector
    if collector.computes_count():
        return len(ranked)
    return sum(1 for _ in deadline.checked(collector.all_ids(), every=4096))
