"""Cari: full-text search for Indonesian news (Sastrawi analysis, Whoosh index).

The library API, the one front door (the CLI and the web app use nothing else)::

    from search import Index

    with Index("news-index") as index:
        index.rebuild(["seeds/"])
        for hit in index.search("pengusiran", limit=5).hits:
            print(hit.id, hit.title, hit.score, hit.snippet.text)

:class:`Index` builds, changes, searches and exports one index folder. What
it takes and gives are exported here too: the options (``Filters``,
``ReadOptions``, ``SizeLimits``, the limits), the results (``SearchResults``,
``Hit``, ``ArticlePage``, ``Highlighted``: plain data, text and the spans of
the matches), the reports of writes, and the errors (all ``CariError``).

The pipeline behind it, one sub-package a stage: ``ingest`` (pages, feeds,
exports -> articles) -> ``analysis`` (the one Indonesian token pass) ->
``index`` (schema, build, generations) -> ``query`` (text -> ParsedQuery) ->
``ranking`` (BM25F, re-rank, facets) -> ``highlight`` (text + spans) ->
``cli`` | ``web``. ``_whoosh`` alone touches Whoosh's internals.

Names are imported when first used (a lazy export: start-up time), so
``cari --help`` starts at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> "module" that defines it under that name, or "module:name" where it is named otherwise
_EXPORTS = {
    # the index
    "Index": "search.library",
    # options
    "Filters": "search.query.filters",
    "ReadOptions": "search.ingest.formats",
    "SizeLimits": "search.ingest.formats",
    "CSV_FIELDS": "search.ingest.formats",
    "SIZE_KINDS": "search.ingest.formats",
    "MB": "search.ingest.formats",
    "MAX_LIMIT": "search.options",
    "SORTS": "search.options",
    "DEFAULT_BUDGET_SECONDS": "search.options",
    "default_budget_seconds": "search.options",
    "checked_sort": "search.options",
    "MAX_QUERY_CHARS": "search.query.syntax",
    "default_jobs": "search.index.workers:default_procs",
    # results
    "SearchResults": "search.results",
    "Hit": "search.results",
    "ArticlePage": "search.results",
    "Highlighted": "search.highlight.spans",
    "Completion": "search.completions:Completion",
    "shown_time": "search.ingest.dates",
    "utc_moment": "search.ingest.dates",
    "results_json": "search.json_shape",
    "hit_json": "search.json_shape",
    "marked_html": "search.json_shape",
    # articles and the reports of writes
    "Article": "search.ingest.article",
    "Problem": "search.ingest.article",
    "given_article": "search.ingest.jsonl",
    "json_problem": "search.ingest.jsonl",
    "Phase": "search.index.build",
    "BuildReport": "search.index.build",
    "RemoveReport": "search.index.changes",
    "WriteResult": "search.index.documents",
    "Published": "search.index.replicas",
    "export_format": "search.index.export:format_for",
    "output_file": "search.index.export",
    # relevance judgements (cari evaluate, batch-search)
    "read_queries": "search.evaluation",
    "read_qrels": "search.evaluation",
    "read_run": "search.evaluation",
    "run_lines": "search.evaluation",
    "evaluate_run": "search.evaluation:evaluate",
    "compare_runs": "search.evaluation:compare",
    "Comparison": "search.evaluation",
    # errors
    "CariError": "search.errors",
    "QueryError": "search.errors",
    "QueryTooSlow": "search.errors",
    "SearchBusy": "search.errors",
    "IndexMissing": "search.errors",
    "IndexDamaged": "search.errors",
    "IndexOutdated": "search.errors",
    "IndexBusy": "search.errors",
    "BuildFailed": "search.errors",
    "ArticleError": "search.ingest.article",
    "PublishFailed": "search.index.replicas",
    "AllMatches": "search.tables",
    "result_lines": "search.tables",
}
__all__ = [  # noqa: RUF022 - grouped as _EXPORTS is
    "__version__", "Index", "Filters", "ReadOptions", "SizeLimits", "CSV_FIELDS", "SIZE_KINDS", "MB", "MAX_LIMIT",
    "SORTS", "DEFAULT_BUDGET_SECONDS", "default_budget_seconds", "checked_sort", "MAX_QUERY_CHARS", "default_jobs",
    "SearchResults", "Hit",
    "ArticlePage", "Highlighted", "Completion", "shown_time", "utc_moment", "results_json", "hit_json", "marked_html",
    "Article", "Problem", "given_article", "json_problem", "Phase",
    "BuildReport", "RemoveReport", "WriteResult", "Published", "export_format", "output_file", "read_queries",
    "read_qrels", "read_run", "run_lines", "evaluate_run", "compare_runs", "CariError", "QueryError", "QueryTooSlow",
    "SearchBusy", "IndexMissing", "IndexDamaged", "IndexOutdated", "IndexBusy", "BuildFailed", "ArticleError",
    "PublishFailed", "AllMatches", "result_lines", "Comparison",
]

if TYPE_CHECKING:
    from search.completions import Completion
    from search.errors import (
        BuildFailed,
        CariError,
        IndexBusy,
        IndexDamaged,
        IndexMissing,
        IndexOutdated,
        QueryError,
        QueryTooSlow,
        SearchBusy,
    )
    from search.evaluation import Comparison, read_qrels, read_queries, read_run, run_lines
    from search.evaluation import compare as compare_runs
    from search.evaluation import evaluate as evaluate_run
    from search.highlight.spans import Highlighted
    from search.index.batch import BuildReport, Phase
    from search.index.changes import RemoveReport
    from search.index.documents import WriteResult
    from search.index.export import format_for as export_format
    from search.index.export import output_file
    from search.index.replicas import Published, PublishFailed
    from search.index.workers import default_procs as default_jobs
    from search.ingest.article import Article, ArticleError, Problem
    from search.ingest.dates import shown_time, utc_moment
    from search.ingest.formats import CSV_FIELDS, MB, SIZE_KINDS, ReadOptions, SizeLimits
    from search.ingest.jsonl import given_article, json_problem
    from search.json_shape import hit_json, marked_html, results_json
    from search.library import Index
    from search.options import DEFAULT_BUDGET_SECONDS, MAX_LIMIT, SORTS, checked_sort, default_budget_seconds
    from search.query.filters import Filters
    from search.query.syntax import MAX_QUERY_CHARS
    from search.results import ArticlePage, Hit, SearchResults
    from search.tables import AllMatches, result_lines


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    return getattr(importlib.import_module(module), attribute or name)
