"""The library API: an index folder to build and search from a script.

    from search import Index

    with Index("news-index") as index:
        report = index.rebuild(["seeds/"])
        results = index.search("pengusiran", limit=5)

Everything the CLI and the web app do goes through these same calls
(``build_index`` and :class:`~search.searcher.Searcher`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from search.index.build import BuildReport, ProgressCallback, build_index
from search.ingest.formats import ReadOptions
from search.query.filters import Filters
from search.results import ArticlePage, Hit, SearchResults
from search.searcher import Searcher


class Index:
    """One index folder (created by the first :meth:`rebuild`); a context manager that closes it."""

    def __init__(self, path: str | os.PathLike = "index"):
        self.path = Path(path)
        self.searcher = Searcher(self.path)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the open index files (the next call opens them again)."""
        self.searcher.close()

    def rebuild(
        self,
        sources: Iterable[str | os.PathLike],
        full: bool = False,
        jobs: int | None = None,
        strict: bool = False,
        on_item: ProgressCallback | None = None,
        csv_columns: dict[str, str] | None = None,
    ) -> BuildReport:
        """Index ``sources`` (files and folders of pages, feeds, exports): an update unless ``full``; see ``build_index``.

        ``csv_columns`` maps Cari's fields to a CSV's column names (``{"text": "body"}``).
        """
        return build_index([Path(s) for s in sources], self.path, on_item=on_item, full=full, procs=jobs, strict=strict,
                           options=ReadOptions(csv_columns or {}))

    def search(
        self,
        text: str,
        page: int = 1,
        limit: int = 10,
        filters: Filters | None = None,
        sort: str = "relevance",
        facets: bool = False,
    ) -> SearchResults:
        """A page of ranked results with highlighted snippets (QueryError for a query that makes no sense)."""
        return self.searcher.search(text, page=page, limit=limit, filters=filters, sort=sort, facets=facets)

    def article(self, doc_id: str, query: str = "") -> ArticlePage | None:
        """One whole article with the words of ``query`` marked, or None."""
        return self.searcher.article(doc_id, query)

    def related(self, doc_id: str, limit: int = 10) -> list[Hit]:
        """The articles most like one article."""
        return self.searcher.related(doc_id, limit)

    def stats(self) -> dict:
        """Documents, terms, size, and when and from what the index was built (``cari stats --json``)."""
        return self.searcher.stats()
