"""The search API: one function the CLI and the web app both call.

``Searcher(index_dir).search("mengusir")`` returns plain data (a
:class:`SearchResults` of :class:`Hit` s with HTML snippets); neither front
end touches Whoosh. A searcher notices when a rebuild swapped in a new index
and reopens it, so a long-running server never serves a stale one.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import time
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search.index import generations as store
from search.errors import IndexDamaged, QueryError
from search.ranking.fallback import rank_in_whoosh, reading
from search.ranking.facets import count_facets
from search.index.build import learn_roots, parse_iso
from search.query.builder import QueryBuilder, positive_terms
from search.ranking.prune import drop_common_stopwords
from search.ranking.rerank import answers_first, search_limit
from search.index.schema import BM25_PARAMS, DEFAULT_FIELDS
from search.highlight.spans import TermMatcher, highlight_all, highlight_snippet
from search.query.spelling import suggest

# A query finding fewer articles than this gets a "did you mean" if one exists.
SUGGEST_BELOW = 3

MAX_LIMIT = 100


@dataclass
class ArticleInfo:
    """What every view of an article shows about it."""

    id: str
    title: str
    source: str | None
    date: str | None
    author: str | None
    url: str | None


@dataclass
class Hit(ArticleInfo):
    """One ranked result."""

    score: float | None  # None when sorted by date
    snippet: str  # HTML: escaped text, matches in <mark>
    title_html: str = ""  # the title, escaped, matches in <mark>

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("title_html")
        return d


@dataclass
class SearchResults:
    """A page of results and what it took to find them."""

    query: str
    total: int
    page: int
    limit: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean" for a query that found little
    facets: dict | None = None  # counts by source and year, when asked for

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit))

    def to_dict(self) -> dict:
        """The JSON shape shared by ``cari search --json`` and ``/api/search``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "took_ms": round(self.took_ms, 2),
            "results": [hit.to_dict() for hit in self.hits],
            "suggestion": self.suggestion,
            **({"facets": self.facets} if self.facets is not None else {}),
        }


@dataclass
class ArticlePage(ArticleInfo):
    """One article to read in full; the ``*_html`` parts are escaped, matches in <mark>."""

    title_html: str
    paragraphs_html: list[str]


def _shown_fields(stored: dict) -> dict:
    """The :class:`ArticleInfo` fields of an article's stored fields."""
    return {
        "id": stored["id"],
        "title": stored.get("title", ""),
        **{name: stored.get(name) for name in ("source", "date", "author", "url")},
    }


@dataclass
class Filters:
    """Restrictions on the results: publisher and date range (ISO dates)."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def to_query(self):
        from whoosh import query as q

        parts = []
        if self.source:
            parts.append(q.Term("source_id", self.source))
        if self.date_from or self.date_to:
            start = _parse_filter_date(self.date_from, "from")
            end = _parse_filter_date(self.date_to, "to", end_of_day=True)
            parts.append(q.DateRange("published", start, end))
        return q.And(parts) if parts else None


def _parse_filter_date(value, which, end_of_day=False):
    if not value:
        return None
    moment = parse_iso(value)
    if moment is None:
        raise QueryError(f"Invalid {which} date {value!r}: use YYYY-MM-DD.")
    if end_of_day and len(value) <= 10:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment


def _one_at_a_time(method):
    """Run a Searcher method under the searcher's lock.

    Whoosh 2.7's readers share file handles: two threads searching through
    one reader corrupt each other's reads (4 threads x 300 indosum searches
    gave 13 UnpicklingError/zlib errors and wrong results). Searching is
    CPU-bound Python under the GIL, so serialising costs next to nothing, and
    it also keeps a search from using a reader that a reopen is closing.
    """

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class Searcher:
    """Searches one index folder; safe to share between threads (one search at a time)."""

    def __init__(self, index_dir: str | Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.RLock()
        self._stamp = None
        self._searcher = None
        self._builder = None
        self._scorer = None

    # -- opening -------------------------------------------------------------

    def _current(self):
        """The open Whoosh searcher, reopened if a rebuild swapped the index."""
        stamp = store.pointer_stamp(self.index_dir)
        with self._lock:
            if self._searcher is None or stamp != self._stamp:
                self._open(stamp)
            return self._searcher

    def _open(self, stamp) -> None:
        from whoosh.index import open_dir

        from search.ranking.scoring import ArrayScorer, CachedLengthBM25F

        generation = store.live_generation(self.index_dir)
        learn_roots(generation)
        try:
            index = open_dir(str(generation))
            searcher = index.searcher(weighting=CachedLengthBM25F(**BM25_PARAMS))
            scorer = ArrayScorer(searcher)  # reads which documents are deleted
            scorer.load_lengths(DEFAULT_FIELDS)
            _open_stored_fields(searcher)
        except Exception as e:  # Whoosh raises many kinds on a damaged index
            raise IndexDamaged(
                f"The index at {self.index_dir} is damaged ({type(e).__name__}: {e}). "
                "Run `cari rebuild-index` to rebuild it."
            ) from None
        old = self._searcher
        self._searcher, self._stamp, self._scorer = searcher, stamp, scorer
        self._builder = QueryBuilder(index.schema)
        if old is not None:
            old.close()

    @_one_at_a_time
    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None

    @property
    def schema(self):
        return self._current().schema

    # -- searching -----------------------------------------------------------

    @_one_at_a_time
    def search(
        self,
        text: str,
        page: int = 1,
        limit: int = 10,
        filters: Filters | None = None,
        sort: str = "relevance",
        words_only: bool = False,
        facets: bool = False,
    ) -> SearchResults:
        """A page of ranked results for the user's query text.

        ``facets=True`` also counts all matches by source and year. Raises
        QueryError for a query that makes no sense, IndexMissing or
        IndexDamaged when there is nothing sound to search.
        """
        started = time.perf_counter()
        if page < 1:
            raise QueryError("Page numbers start at 1.")
        limit = max(1, min(limit, MAX_LIMIT))
        searcher = self._current()
        builder = self._builder
        parsed = builder.parse_words(text) if words_only else builder.parse(text)
        query = drop_common_stopwords(parsed, self._scorer.postings)
        filter_query = filters.to_query() if filters else None
        with reading(self.index_dir):
            found, total, counts = self._rank(searcher, text, query, page * limit, filter_query, sort, facets)
            matcher = self.matcher(query)
            analyzer = searcher.schema["body"].analyzer
            page_found = found[(page - 1) * limit : page * limit]
            hits = [self._hit(fields, score, matcher, analyzer) for fields, score in page_found]
        results = SearchResults(text, total, page, limit, 0.0, hits, facets=counts)
        if total < SUGGEST_BELOW and not words_only:
            results.suggestion = suggest(searcher, text)
        results.took_ms = (time.perf_counter() - started) * 1000
        return results

    def _rank(self, searcher, text, query, limit, filter_query=None, sort="relevance", facets=False):
        """((stored fields, score) best first, total, facets or None) of at least ``limit`` results.

        The array scorer ranks what it can, Whoosh the rest (NOT queries, date
        order); by relevance, a question's top passages are then re-ranked.
        """
        fetch = search_limit(text, limit)
        ranking = self._scorer.rank(query, fetch, filter_query) if sort == "relevance" else None
        if ranking is None:
            found, total, counts = rank_in_whoosh(searcher, query, fetch, filter_query, sort, facets)
        else:
            found = [(searcher.stored_fields(d), s) for d, s in ranking.results]
            total = ranking.total
            counts = count_facets(searcher.reader(), self._scorer.postings, ranking.matched) if facets else None
        if sort == "relevance":
            found = answers_first(text, query, found, self._scorer.postings)
        return found, total, counts

    @staticmethod
    def _hit(fields: dict, score, matcher: TermMatcher, analyzer) -> Hit:
        """A result with its snippet and title highlighted for ``matcher``.

        ``fields`` and ``analyzer`` come from the searcher that found the
        result: calling ``_current()`` here could swap in a rebuilt index and
        close the reader they belong to (ReaderClosed, seen under load during a
        rebuild).
        """
        return Hit(
            **_shown_fields(fields),
            # Sorted by date, Whoosh puts the sort key where the score goes.
            score=round(float(score), 4) if isinstance(score, (int, float)) else None,
            snippet=highlight_snippet(fields.get("body", ""), matcher, analyzer),
            title_html=highlight_all(fields.get("title", ""), matcher, analyzer),
        )

    @_one_at_a_time
    def related(self, doc_id: str, limit: int = 10) -> list[Hit]:
        """Articles like ``doc_id`` (more like this: its most telling words), best first.

        Raises QueryError when there is no article with that id.
        """
        searcher = self._current()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            raise QueryError(f"No article with id {doc_id!r}.")
        body = searcher.stored_fields(docnum).get("body", "")
        similar = searcher.more_like(docnum, "body", text=body, top=max(1, min(limit, MAX_LIMIT)))
        analyzer, nothing = searcher.schema["body"].analyzer, TermMatcher.from_terms([])
        return [self._hit(hit.fields(), hit.score, nothing, analyzer) for hit in similar]

    @_one_at_a_time
    def ranked_ids(self, text: str, limit: int = 100) -> list[tuple[str, float]]:
        """(id, score) of the top results, without snippets (for batch runs)."""
        searcher = self._current()
        try:
            query = self._builder.parse(text)
        except QueryError:
            query = self._builder.parse_words(text)
        query = drop_common_stopwords(query, self._scorer.postings)
        with reading(self.index_dir):
            found, _, _ = self._rank(searcher, text, query, limit)
        return [(fields["id"], score) for fields, score in found[:limit]]

    @staticmethod
    def matcher(query) -> TermMatcher:
        """What to highlight for a query: its wanted terms in the text fields."""
        return TermMatcher.from_terms(
            text for fieldname, text in positive_terms(query) if fieldname in ("title", "body")
        )

    @_one_at_a_time
    def document(self, doc_id: str) -> dict | None:
        """The stored fields of one article, or None."""
        return self._current().document(id=doc_id)

    @_one_at_a_time
    def article(self, doc_id: str, query_text: str = "") -> ArticlePage | None:
        """One whole article for reading, with the words of ``query_text`` marked.

        A query that does not parse only loses its highlighting: the reader
        asked for the article, not for the query.
        """
        searcher = self._current()
        fields = searcher.document(id=doc_id)
        if fields is None:
            return None
        matcher = TermMatcher.from_terms(())
        if query_text.strip():
            with suppress(QueryError):  # a bad query still shows the article, unmarked
                matcher = self.matcher(self._builder.parse(query_text))
        analyzer = searcher.schema["body"].analyzer
        paragraphs = [p.strip() for p in re.split(r"\n+", fields.get("body", "")) if p.strip()]
        return ArticlePage(
            **_shown_fields(fields),
            title_html=highlight_all(fields.get("title", ""), matcher, analyzer),
            paragraphs_html=[highlight_all(p, matcher, analyzer) for p in paragraphs],
        )

    @_one_at_a_time
    def sources(self) -> list[tuple[str, int]]:
        """Every publisher in the index with its number of articles, by name."""
        reader = self._current().reader()
        return [
            (term.decode("utf-8"), reader.doc_frequency("source_id", term))
            for term in reader.lexicon("source_id")
        ]

    @_one_at_a_time
    def doc_count(self) -> int:
        """How many articles the index holds."""
        return self._current().doc_count()

    @_one_at_a_time
    def stats(self) -> dict:
        """What is in the index: counts, size, when and from what it was built."""
        searcher = self._current()
        generation = store.live_generation(self.index_dir)
        manifest = store.read_manifest(generation)
        size = sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
        reader = searcher.reader()
        return {
            "index": str(self.index_dir),
            "documents": searcher.doc_count(),
            "terms": sum(1 for _ in reader.lexicon("body")) + sum(1 for _ in reader.lexicon("title")),
            "size_bytes": size,
            "built_at": manifest.get("built_at"),
            "sources": manifest.get("sources", []),
            "skipped": manifest.get("skipped"),
        }


def _open_stored_fields(searcher) -> None:
    """Open each segment's stored-fields column now rather than at the first query.

    Whoosh copies the column out of the compound segment file into memory
    when it is first read: ~0.2 s a segment of 50,000 articles.
    """
    for reader, _ in searcher.reader().leaf_readers():
        if reader.doc_count_all():
            reader.stored_fields(0)
