"""The options of a search that the library checks and the front ends offer: page sizes, orders, time budget."""

from __future__ import annotations

import math
import os

from search.errors import CariError, QueryError

MAX_LIMIT = 100  # results a page at most
# Results a search lists at most, page after page (Elasticsearch's max_result_window): a page past it read the
# stored fields of every result before it (page 10,000 of 100 at 1,000,000 articles: 25-38 CPU-s and 7.6 GB before
# the budget could stop it). Every match is in an export (--all, /api/export.csv), streamed.
MAX_RESULTS = 10_000


def check_window(page: int, limit: int) -> None:
    """QueryError for a page that starts past the ``MAX_RESULTS``-th result (or before the first page)."""
    if page < 1:
        raise QueryError("Page numbers start at 1.")
    if (page - 1) * limit >= MAX_RESULTS:
        last = MAX_RESULTS // limit
        raise QueryError(f"Page {page} is past the {MAX_RESULTS:,}th result, the last a search lists (page {last:,} "
                         f"at {limit} a page): narrow the search with a source or dates, or export every match.",
                         "past_results", page=page, last=last, results=MAX_RESULTS)
# How results may be ordered; "date" is the older name of "newest".
SORTS = ("relevance", "newest", "oldest")
SORT_ALIASES = {"date": "newest"}
# Seconds a search may take before it is stopped with QueryTooSlow (and may wait for the one before it).
DEFAULT_BUDGET_SECONDS = 2.0
# The environment variable that changes it for every search given no budget of its own.
BUDGET_VARIABLE = "CARI_SEARCH_BUDGET"


def default_budget_seconds() -> float | None:
    """The budget of a search given none (``Index(path)``, the CLI's searches, ``cari serve`` without --budget):
    ``$CARI_SEARCH_BUDGET`` -- seconds, or ``none`` for no limit -- else :data:`DEFAULT_BUDGET_SECONDS`.

    Read when an Index is made, so one setting reaches the library, the commands and the servers they start.
    """
    value = os.environ.get(BUDGET_VARIABLE, "").strip()
    if not value:
        return DEFAULT_BUDGET_SECONDS
    if value.lower() == "none":
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise CariError(f"${BUDGET_VARIABLE} is {value[:20]!r}: give the seconds a search may take "
                        "(e.g. 2 or 0.5) or none for no limit.")
    return seconds


def checked_sort(sort: str) -> str:
    """``sort`` as one of SORTS (``date`` is ``newest``); QueryError for anything else."""
    sort = SORT_ALIASES.get(sort, sort)
    if sort not in SORTS:
        raise QueryError(f"Invalid sort {sort[:20]!r}: use relevance, newest or oldest.", "bad_sort")
    return sort
