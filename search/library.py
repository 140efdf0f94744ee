"""The library API: one index folder to build, change and search, the one front door of Cari.

    from search import Index

    with Index("news-index") as index:
        report = index.rebuild(["seeds/"])
        results = index.search("pengusiran", limit=5)

The CLI (``search.cli``) and the web app (``web``) call nothing else.
``Index(path).search("mengusir")`` follows one query through the stages:
the text is parsed once (``search.query``: a :class:`ParsedQuery`), ranked
(``search.ranking``: BM25F over posting arrays, the Whoosh fallback, the
question re-rank) and highlighted (``search.highlight``), and comes back as
plain data (``search.results``). An index notices when a rebuild swapped in a
new generation and reopens it, so a long-running server never serves a stale
one.

This module is the API and its documentation; the work is done in
``search.serving`` (the generation open for searching), ``search.reopening``
(which generation is open: reopened after a write, one search at a time), ``search.searching``
(a search, its stages in order) and ``search.lookups`` (one article, related
articles, the index's outline and counts). Every write (:meth:`Index.rebuild`, :meth:`Index.add`,
:meth:`Index.remove`, and the write API's :meth:`Index.upsert` and
:meth:`Index.delete`) makes a new generation and swaps it in whole (``search.index``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import IO, Any, Literal

from search._whoosh.postings import cache_bytes
from search.analysis.stemmer import shared_stemmer
from search.completions import Completion
from search.errors import CariError, IndexMissing
from search.index import generations
from search.index.batch import ADD, BuildReport, ProgressCallback
from search.index.build import build_index
from search.index.changes import RemoveReport, remove_articles
from search.index.documents import BatchedWrites, WriteResult
from search.index.export import backup, export_articles
from search.index.format import check_everything
from search.index.replicas import Published, PublishFailed, publish
from search.index.writer import ForwardedWrites
from search.ingest.article import Article
from search.ingest.formats import ReadOptions
from search.lookups import article_page, health_of, outline, publishers, related_hits, statistics
from search.options import default_budget_seconds
from search.query.filters import Filters
from search.query.parsed import ParsedQuery
from search.ranking.policy import RankingPolicy
from search.ranking.scoring import ArrayScorer
from search.reopening import ReopeningIndex, one_at_a_time
from search.results import ArticlePage, Hit, SearchResults
from search.searching import all_matches, search_page, top_ids
from search.tables import AllMatches

__all__ = ["Index"]

# One search of each kind a reader sends (a question, keywords), run when a server's worker starts.
WARM_UP_QUERIES = ("Siapa presiden Indonesia?", "banjir jakarta")


class Index(ReopeningIndex):
    """One index folder: built by the first :meth:`rebuild` or :meth:`add`, searched by the rest.

    Safe to share between threads (one search at a time); a context manager
    that closes its files. ``budget_seconds`` bounds each search (None: no
    bound): past it, the search stops with :class:`~search.errors.QueryTooSlow`;
    ``"default"`` is 2 s or ``$CARI_SEARCH_BUDGET`` (:func:`~search.options.default_budget_seconds`).
    ``write_wait_seconds``: how long :meth:`upsert` and :meth:`delete` wait
    for a rebuild holding the index before they give up with IndexBusy;
    ``writer``: a socket where one writer process applies them for every
    worker of a server (``search.index.writer``, started when missing).
    """

    def __init__(self, path: str | os.PathLike = "index", budget_seconds: float | None | Literal["default"] = "default",
                 write_wait_seconds: float = 10.0, writer: str | os.PathLike | None = None, writer_owner: int | None = None):
        super().__init__(Path(path), default_budget_seconds() if budget_seconds == "default" else budget_seconds)
        cache_bytes()  # a wrong $CARI_CACHE_MB is said now, not at the first search
        # ``writer``: the socket of the writer process that applies the writes of every worker of a server (the
        # process ``writer_owner``'s; search.index.writer), else this process writes, keeping the records between writes.
        self._writes: BatchedWrites | ForwardedWrites = BatchedWrites(self.index_dir, wait_seconds=write_wait_seconds) \
            if writer is None else ForwardedWrites(self.index_dir, writer, writer_owner, write_wait_seconds)

    @property
    def path(self) -> Path:
        """The index folder."""
        return self.index_dir

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exists(self) -> bool:
        """Whether the folder holds an index (False before the first build); IndexDamaged if it cannot be read."""
        try:
            generations.live_generation(self.index_dir)
        except IndexMissing:
            return False
        return True

    # -- writing: every change is a new generation swapped in whole (search.index.build) --------------

    def rebuild(
        self,
        sources: Iterable[str | os.PathLike] = (),
        full: bool = False,
        jobs: int | None = None,
        strict: bool = False,
        on_item: ProgressCallback | None = None,
        csv_columns: dict[str, str] | None = None,
        *,
        read_options: ReadOptions | None = None,
        allow_removals: bool = False,
        dry_run: bool = False,
        wait_seconds: float = 0.0,
    ) -> BuildReport:
        """Make the index exactly ``sources`` (files and folders of pages, feeds, exports; ``-``: JSON Lines on stdin).

        An update of what changed unless ``full``; ``full`` without sources
        rebuilds the index from its own articles. ``csv_columns`` maps Cari's
        fields to a CSV's column names (``{"text": "body"}``), ``read_options``
        says all of how to read the sources. ``on_item`` hears of each article,
        problem and phase as the build goes. See ``search.index.build.build_index``
        for the rest (removal guard, dry runs, the lock's ``wait_seconds``).
        """
        paths = [Path(s) for s in sources]
        return build_index(paths, self.index_dir, on_item=on_item, full=full, procs=jobs, strict=strict,
                           allow_removals=allow_removals, dry_run=dry_run, wait_seconds=wait_seconds,
                           options=read_options or ReadOptions(csv_columns or {}), own_articles=full and not paths)

    def add(
        self,
        sources: Iterable[str | os.PathLike],
        jobs: int | None = None,
        strict: bool = False,
        on_item: ProgressCallback | None = None,
        *,
        read_options: ReadOptions | None = None,
        dry_run: bool = False,
        wait_seconds: float = 0.0,
    ) -> BuildReport:
        """Add the articles of ``sources`` or update them (by id); remove nothing. Creates the index if need be."""
        return build_index([Path(s) for s in sources], self.index_dir, on_item=on_item, procs=jobs, strict=strict,
                           mode=ADD, dry_run=dry_run, wait_seconds=wait_seconds, options=read_options or ReadOptions())

    def remove(self, ids: Iterable[str], dry_run: bool = False) -> RemoveReport:
        """Remove the articles with ``ids`` now; the report names those removed and the unknown ones."""
        return remove_articles(self.index_dir, ids, dry_run=dry_run)

    def upsert(self, articles: list[Article]) -> WriteResult:
        """Add or replace (by id) ``articles``, batched with other writes arriving together; returns once live.

        The write API's call: IndexBusy when a rebuild held the index past ``write_wait_seconds``.
        """
        return self._writes.upsert(articles)

    def delete(self, ids: list[str]) -> WriteResult:
        """Remove the articles with ``ids``, batched as :meth:`upsert` is; returns once they are gone."""
        return self._writes.delete(ids)

    # -- the archive: out of the index, as articles or as a copy ---------------------------------------

    def export(self, out: IO[str], fmt: str = "jsonl") -> int:
        """Write every article as it was given (``jsonl`` or ``csv``) to ``out``; how many were written."""
        return export_articles(self.index_dir, out, fmt)

    def backup(self, dest: str | os.PathLike) -> tuple[Path, int]:
        """Copy the live generation into the new folder ``dest``, checked: (the generation copied, files)."""
        return backup(self.index_dir, Path(dest))

    def check(self) -> tuple[Path, int, int]:
        """Read every file of the live generation against its checksums: (the generation, files, bytes);
        IndexDamaged names the first that differs. A search checks the large files after it opens."""
        return check_everything(self.index_dir)

    def publish(self, destinations: list[str]) -> Iterator[Published | PublishFailed]:
        """Ship the live generation to each read replica in turn (``search.index.replicas``), one result each."""
        return publish(self.index_dir, destinations)

    @property
    def scorer(self) -> ArrayScorer:
        """The live generation's array scorer (the index is opened, or reopened after a write, if need be)."""
        return self._current().scorer

    @property
    def policy(self) -> RankingPolicy:
        """How the live generation ranks (the index is opened, or reopened after a write, if need be)."""
        return self._current().policy

    @property
    def schema(self) -> Any:
        return self._current().searcher.schema

    @one_at_a_time
    def parse(self, text: str, words_only: bool = False) -> ParsedQuery:
        """The parsed query for ``text`` against this index (QueryError if it makes no sense)."""
        return self._current().parse(text, words_only)

    # -- searching (search.searching) ----------------------------------------
    @one_at_a_time
    def search(
        self,
        text: str,
        page: int = 1,
        limit: int = 10,
        filters: Filters | None = None,
        sort: str = "relevance",
        words_only: bool = False,
        facets: bool = False,
        corrections: bool = True,
        explain: bool = False,
        prefix: bool = False,
        group: bool = True,
    ) -> SearchResults:
        """A page of ranked results for the user's query text.

        No words but a filter, or ``*`` alone, lists the articles newest
        first (``sort="oldest"``: oldest first). ``sort`` is ``relevance``,
        ``newest`` (or ``date``) or ``oldest``. ``facets=True`` also counts
        all matches by source, year and month.
        A word the index does not know (or knows far less often than a close
        spelling) also searches that spelling, unless ``corrections=False``;
        ``results.corrections`` says which.
        ``explain=True`` gives each hit the parts of its score (``hit.explanation``,
        ``search.ranking.explain``).
        ``prefix=True`` (results as the reader types) also searches the last
        word's most frequent completions (``gempa ac``: ``aceh``, ...), as if
        each were the word typed; a last word of one or two letters is left out.
        ``group`` (the default) makes each result a story: the other articles
        of its story that matched are listed with it (``hit.same_story``), not
        as results of their own; ``results.total`` still counts articles,
        ``results.stories`` the stories, and pages are pages of stories
        (``search.ranking.stories``). ``group=False`` lists every article.
        Raises QueryError for a query that makes no sense, QueryTooSlow past
        the budget, IndexMissing or IndexDamaged when there is nothing sound
        to search.
        """
        return search_page(self._current(), self.budget_seconds, text, page, limit, filters, sort, words_only,
                           facets, corrections, explain, prefix, group)

    @one_at_a_time
    def search_all(
        self, text: str, filters: Filters | None = None, sort: str = "relevance", words_only: bool = False,
        corrections: bool = True,
    ) -> AllMatches:
        """Every match of a search, as ``search`` finds them, to read as rows (``search.tables``) one at a time.

        ``.total`` and ``.stories`` are the search's counts; ``.rows()``
        streams one row per article (each with its story and the others of it
        that matched), in the search's order (``RankingPolicy.ordered``), from
        the generation ranked, held and read through a reader of its own: a
        write swapping in a new generation meanwhile changes nothing of it,
        and the index's lock is not held while the rows are read. Memory: a
        number per match, and one article at a time. Call ``.close()`` if the
        rows are not read to the end.
        """
        return all_matches(self._current(), self.budget_seconds, text, filters, sort, words_only, corrections)

    # -- one article, and what the index holds (search.lookups) ----------------

    @one_at_a_time
    def related(self, doc_id: str, limit: int = 10) -> list[Hit]:
        """Articles like ``doc_id``, best first: more like this over its most telling words
        (``ranking.related``: title and lead above the body, names whole), re-ranked by the article's
        subject, nearer in time first among equals.

        Raises QueryError when there is no article with that id.
        """
        return related_hits(self._current(), doc_id, limit)

    @one_at_a_time
    def completions(self, typed: str, limit: int = 8) -> list[Completion]:
        """Completions of ``typed`` from the index: words, publishers and authors, titles."""
        return self._current().completion_table().complete(typed, max(1, min(limit, 20)))

    @one_at_a_time
    def ranked_ids(self, text: str, limit: int = 100) -> list[tuple[str, float]]:
        """(id, score) of the top results, without snippets (for batch runs)."""
        return top_ids(self._current(), text, limit)

    @one_at_a_time
    def document(self, doc_id: str) -> dict | None:
        """The stored fields of one article, or None."""
        return self._current().searcher.document(id=doc_id)

    @one_at_a_time
    def article(self, doc_id: str, query_text: str = "") -> ArticlePage | None:
        """One whole article for reading, with the words of ``query_text`` marked.

        A query that does not parse only loses its highlighting: the reader
        asked for the article, not for the query.
        """
        return article_page(self._current(), doc_id, query_text)

    @one_at_a_time
    def sources(self) -> list[tuple[str, int]]:
        """Every publisher in the index with its number of articles, by name."""
        return publishers(self._current())

    def warm_up(self, searches: bool = True) -> None:
        """Open the index and load what a first search would: the stemmer's dictionary, the modules a search uses,
        and (``searches``) what a search with facets reads once (the names' facets: ~0.9 CPU-s at 1,000,000 articles).

        A server's worker calls it before it takes requests without ``searches``
        (a write sent as the server starts waits for no facets), then with them
        once it has answered its first request, so its first readers do not
        wait for that. Raises IndexMissing or IndexDamaged as any search would.
        """
        shared_stemmer().load()
        self.doc_count()
        if not searches:
            return
        with suppress(CariError):  # e.g. a search past its budget on a slow machine: only a warm-up
            for text in WARM_UP_QUERIES:
                self.search(text, facets=True)

    @one_at_a_time
    def archive_outline(self) -> dict:
        """What the search page shows of this index: its first and last day, and words for tips.

        ``{"first": "2016-08-01", "last": "2018-02-27", "words": ["jokowi", "novanto"]}``:
        the dates of the oldest and the newest dated article (as stored), and the two words of the
        most titles that are no stopwords (at least 4 letters), the second one found with the first.
        """
        return outline(self._current())

    @one_at_a_time
    def doc_count(self) -> int:
        """How many articles the index holds."""
        return self._current().searcher.doc_count()

    @one_at_a_time
    def stats(self) -> dict:
        """What is in the index: counts, size, when and from what it was built."""
        return statistics(self._current())

    @one_at_a_time
    def health(self) -> dict:
        """The live generation's name and document count (IndexMissing or IndexDamaged if none opens)."""
        return health_of(self._current())
