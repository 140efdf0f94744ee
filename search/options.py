"""The options of a search that the library checks and the front ends offer: page sizes, orders, time budget."""

from __future__ import annotations

from search.errors import QueryError

MAX_LIMIT = 100  # results a page at most
# How results may be ordered; "date" is the older name of "newest".
SORTS = ("relevance", "newest", "oldest")
SORT_ALIASES = {"date": "newest"}
# Seconds a search may take before it is stopped with QueryTooSlow (and may wait for the one before it).
DEFAULT_BUDGET_SECONDS = 2.0


def checked_sort(sort: str) -> str:
    """``sort`` as one of SORTS (``date`` is ``newest``); QueryError for anything else."""
    sort = SORT_ALIASES.get(sort, sort)
    if sort not in SORTS:
        raise QueryError(f"Invalid sort {sort[:20]!r}: use relevance, newest or oldest.", "bad_sort")
    return sort
