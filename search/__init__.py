"""Cari: full-text search for Indonesian news (Sastrawi analysis, Whoosh index).

The library API::

    from search import Index

    with Index("news-index") as index:
        index.rebuild(["seeds/"])
        for hit in index.search("pengusiran", limit=5).hits:
            print(hit.id, hit.title, hit.score, hit.snippet.text)

The pipeline, one sub-package a stage: ``ingest`` (pages, feeds, exports ->
articles) -> ``analysis`` (the one Indonesian token pass) -> ``index``
(schema, build, generations) -> ``query`` (text -> ParsedQuery) ->
``ranking`` (BM25F, re-rank, facets) -> ``highlight`` (text + spans) ->
``cli`` | ``web``. ``_whoosh`` alone touches Whoosh's internals.

Names are imported when first used, so ``cari --help`` starts at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "Index": "search.library",
    "Searcher": "search.searcher",
    "Filters": "search.query.filters",
    "SearchResults": "search.results",
    "Hit": "search.results",
    "ArticlePage": "search.results",
    "Highlighted": "search.highlight.spans",
    "BuildReport": "search.index.build",
    "build_index": "search.index.build",
    "CariError": "search.errors",
    "QueryError": "search.errors",
    "IndexMissing": "search.errors",
    "IndexDamaged": "search.errors",
    "IndexOutdated": "search.errors",
    "IndexBusy": "search.errors",
    "BuildFailed": "search.errors",
}
__all__ = [  # noqa: RUF022 - grouped as _EXPORTS is
    "__version__", "Index", "Searcher", "Filters", "SearchResults", "Hit", "ArticlePage", "Highlighted",
    "BuildReport", "build_index", "CariError", "QueryError", "IndexMissing", "IndexDamaged", "IndexOutdated",
    "IndexBusy", "BuildFailed",
]

if TYPE_CHECKING:
    from search.errors import (
        BuildFailed,
        CariError,
        IndexBusy,
        IndexDamaged,
        IndexMissing,
        IndexOutdated,
        QueryError,
    )
    from search.highlight.spans import Highlighted
    from search.index.build import BuildReport, build_index
    from search.library import Index
    from search.query.filters import Filters
    from search.results import ArticlePage, Hit, SearchResults
    from search.searcher import Searcher


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
