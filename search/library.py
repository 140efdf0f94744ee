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
one. Every write (:meth:`Index.rebuild`, :meth:`Index.add`,
:meth:`Index.remove`, and the write API's :meth:`Index.upsert` and
:meth:`Index.delete`) makes a new generation and swaps it in whole (``search.index``).
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, Concatenate, ParamSpec, TypeVar

from search._whoosh.live import LiveBM25F, count_live_only
from search.analysis.stemmer import shared_stemmer
from search.completions import Completion, CompletionTable
from search.errors import CariError, IndexMissing, QueryError, SearchBusy, UnbalancedQuery, damaged
from search.highlight.spans import snippet, whole
from search.index import generations
from search.index.build import ADD, BuildReport, ProgressCallback, build_index
from search.index.changes import RemoveReport, remove_articles
from search.index.documents import BatchedWrites, WriteResult
from search.index.export import backup, export_articles
from search.index.format import open_index
from search.index.names import NAMES, Name, names_of_record
from search.index.records import stored_reader
from search.index.replicas import Published, PublishFailed, publish
from search.ingest.article import Article
from search.ingest.formats import ReadOptions
from search.options import DEFAULT_BUDGET_SECONDS, MAX_LIMIT, checked_sort
from search.query.alternatives import NO_COMPLETIONS, Alternatives, Table
from search.query.budget import NO_DEADLINE, Deadline
from search.query.builder import QueryBuilder
from search.query.filters import Filters, take_name_filters
from search.query.parsed import ParsedQuery, TermMatcher
from search.query.synonyms import SynonymsFile
from search.query.syntax import is_blank
from search.query.typos import IndexLexicon, did_you_mean
from search.query.weights import BM25_PARAMS, DEFAULT_FIELDS
from search.query.wildcards import lists_everything
from search.ranking import related as like
from search.ranking.expansion import WildcardExpander
from search.ranking.fallback import read_errors_as_damage
from search.ranking.months import oldest
from search.ranking.policy import RankingPolicy
from search.ranking.scoring import ArrayScorer
from search.ranking.stories import NO_STORIES, StoryMap, grouped_page
from search.results import ArticleInfo, ArticlePage, Hit, SearchResults
from search.tables import AllMatches

__all__ = ["Index"]

# Completions of the last word searched with it as the reader types (prefix=True), at most; a last word of
# fewer letters than PREFIX_FROM is left out (two letters begin too many words: "ge" cost 1.3 s on IndoSum).
PREFIX_COMPLETIONS = 10
PREFIX_FROM = 3
# A completion searched must be in this share of the articles the most frequent one is in: results
# while typing "gem" are about gempa, not about every rarer word starting with gem.
PREFIX_SHARE = 0.25
# A query finding fewer articles than this gets a "did you mean" if one exists.
SUGGEST_BELOW = 3
# The facets every search asked for them counts (the JSON API's SearchResults.facets requires each)
FACET_NAMES = ("source", "year", "month", "people", "organisations")

# One search of each kind a reader sends (a question, keywords), run when a server's worker starts.
WARM_UP_QUERIES = ("Siapa presiden Indonesia?", "banjir jakarta")


P = ParamSpec("P")
R = TypeVar("R")


def _one_at_a_time(method: Callable[Concatenate[Index, P], R]) -> Callable[Concatenate[Index, P], R]:
    """Run an Index method under the index's lock, waiting for it no longer than the budget.

    Whoosh 2.7's readers share file handles: two threads searching through
    one reader corrupt each other's reads (4 threads x 300 indosum searches
    gave 13 UnpicklingError/zlib errors and wrong results). Searching is
    CPU-bound Python under the GIL, so serialising costs next to nothing, and
    it also keeps a search from using a reader that a reopen is closing.
    Every search stops at its budget, so the one holding the lock lets go
    within it; a call that still cannot start by then (several slow
    searches queued ahead) is refused with SearchBusy rather than left waiting.
    """

    @functools.wraps(method)
    def locked(self: Index, *args: P.args, **kwargs: P.kwargs) -> R:
        if not self._lock.acquire(timeout=-1 if self.budget_seconds is None else self.budget_seconds):
            raise SearchBusy("Cari is busy with other searches and could not start this one; try again in a moment.")
        try:
            return method(self, *args, **kwargs)
        finally:
            self._lock.release()

    return locked


class Index:
    """One index folder: built by the first :meth:`rebuild` or :meth:`add`, searched by the rest.

    Safe to share between threads (one search at a time); a context manager
    that closes its files. ``budget_seconds`` bounds each search (None: no
    bound): past it, the search stops with :class:`~search.errors.QueryTooSlow`.
    ``write_wait_seconds``: how long :meth:`upsert` and :meth:`delete` wait
    for a rebuild holding the index before they give up with IndexBusy.
    """

    def __init__(self, path: str | os.PathLike = "index", budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
                 write_wait_seconds: float = 10.0):
        self.index_dir = Path(path)
        self.budget_seconds = budget_seconds
        self._lock = threading.RLock()
        self._stamp: tuple | None = None
        self._searcher = None
        self._held: generations.HeldGeneration | None = None  # the generation the open searcher reads
        self._builder: QueryBuilder | None = None
        self._scorer: ArrayScorer | None = None
        self._expander: WildcardExpander | None = None
        self._policy: RankingPolicy | None = None
        self._lexicon: IndexLexicon | None = None
        self.synonyms = SynonymsFile(self.index_dir)
        self._completions: CompletionTable | None = None
        self._stories: StoryMap | None = None
        self._writes = BatchedWrites(self.index_dir, wait_seconds=write_wait_seconds)

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

    def publish(self, destinations: list[str]) -> Iterator[Published | PublishFailed]:
        """Ship the live generation to each read replica in turn (``search.index.replicas``), one result each."""
        return publish(self.index_dir, destinations)

    # -- opening -------------------------------------------------------------

    def _current(self) -> Any:
        """The open Whoosh searcher, reopened if a rebuild swapped the index."""
        stamp = generations.pointer_stamp(self.index_dir)
        with self._lock:
            if self._searcher is None or stamp != self._stamp:
                self._open(stamp)
            return self._searcher

    def _open(self, stamp: tuple) -> None:

        # Held until the next reopen: no writer deletes the generation while this searcher reads it.
        held = generations.hold_live(self.index_dir)
        try:
            _, index = open_index(self.index_dir, held.path)
            searcher = index.searcher(weighting=LiveBM25F(**BM25_PARAMS))
            count_live_only(searcher.reader())  # corrected articles out of every statistic, as in a fresh build
            scorer = ArrayScorer(searcher)  # reads which documents are deleted, and their dates
            scorer.load_lengths(DEFAULT_FIELDS)
            _open_stored_fields(searcher)
        except CariError:
            held.release()
            raise
        except Exception as e:  # Whoosh raises many kinds on a damaged index
            held.release()
            raise damaged(self.index_dir, f"{type(e).__name__}: {e}") from None
        old, old_held = self._searcher, self._held
        self._searcher, self._stamp, self._scorer, self._held = searcher, stamp, scorer, held
        self._expander = WildcardExpander(searcher.reader())
        self._policy = RankingPolicy(searcher, scorer, self._expander, functools.partial(_learned_names, held.path))
        self._lexicon = IndexLexicon(searcher.reader(), shared_stemmer().is_name_like, counts=scorer.postings)
        # The searcher's schema, not index.schema: that reads the generation's TOC from disk again.
        self._builder = QueryBuilder(searcher.schema, Alternatives(lexicon=self._lexicon))
        self._completions = None  # made again from the new index when first asked for
        self._stories = None  # made from the new generation's record when first asked for
        if old is not None:
            old.close()
        if old_held is not None:
            old_held.release()

    def close(self) -> None:
        """Close the open index files (waiting for a search in progress; the next call opens them again)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            if self._held is not None:
                self._held.release()
            self._searcher, self._held = None, None

    @property
    def scorer(self) -> ArrayScorer:
        """The open index's array scorer (call after ``_current()``)."""
        assert self._scorer is not None, "no index open"
        return self._scorer

    @property
    def expander(self) -> WildcardExpander:
        """The open index's wildcard expander (call after ``_current()``)."""
        assert self._expander is not None, "no index open"
        return self._expander

    @property
    def policy(self) -> RankingPolicy:
        """How the open index ranks (call after ``_current()``)."""
        assert self._policy is not None, "no index open"
        return self._policy

    @property
    def schema(self) -> Any:
        return self._current().schema

    @_one_at_a_time
    def parse(self, text: str, words_only: bool = False) -> ParsedQuery:
        """The parsed query for ``text`` against this index (QueryError if it makes no sense)."""
        self._current()
        return self._parse(text, words_only)

    def _parse(
        self, text: str, words_only: bool = False, corrections: bool = True, deadline: Deadline = NO_DEADLINE
    ) -> ParsedQuery:
        # The builder of the searcher just opened: never reopen between the two.
        assert self._builder is not None and self._lexicon is not None
        self._builder.alternatives.synonyms = self.synonyms.table()  # edited at any time
        self._lexicon.deadline = deadline  # looking for variants and typos is part of the search's time
        if words_only:
            return self._builder.parse_words(text)
        return self._builder.parse(text, corrections=corrections)

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
        started = time.perf_counter()
        if page < 1:
            raise QueryError("Page numbers start at 1.")
        limit = max(1, min(limit, MAX_LIMIT))
        sort = checked_sort(sort)
        searcher = self._current()
        asked = text
        if facets:  # who names what: read once per index, not in a search's time
            _ = self.policy.name_facets
        text, filter_query = self._filtered(text, filters)
        deadline = Deadline(self.budget_seconds)  # from here: opening an index is not the query's time
        completing = self._completing(text) if prefix and not words_only else None
        if completing is not None and is_blank(completing[0]) and filter_query is None:
            # one letter typed: nothing to count, but asked-for facets and timeline are there, empty
            return SearchResults(asked, 0, page, limit, (time.perf_counter() - started) * 1000,
                                 facets={name: {} for name in FACET_NAMES} if facets else None,
                                 timeline=[] if facets else None)
        try:
            if completing is not None:
                self._alternatives.completions = completing[1]
            parsed = self._query_of(completing[0] if completing else text, words_only, filter_query, corrections,
                                    deadline)
        finally:
            self._alternatives.completions = NO_COMPLETIONS
        with read_errors_as_damage(self.index_dir):
            deepest: list = [None, None]  # the deepest ranking asked for: (Found, Matches)

            def rank(depth: int) -> tuple[list, int]:
                deepest[:] = self._ranked(parsed, depth, filter_query, sort, facets, deadline)
                deadline.check()
                return deepest[0][0], deepest[0][1]

            stories = self._story_map() if group else NO_STORIES
            grouped = grouped_page(rank, page, limit, stories, lambda: deepest[1](), searcher.stored_fields)
            found, total, counts, matched = deepest[0]
            deadline.check()
            matcher = parsed.matcher() if parsed else TermMatcher.from_terms(())
            page_found = grouped.found
            hits = [self._hit(fields, score, matcher) for fields, score in page_found]
            for hit, same in zip(hits, grouped.same_story, strict=True):
                hit.same_story = same
            explained = self.policy.explain(parsed, sort, found, page_found, deadline) if explain else []
            for hit, explanation in zip(hits, explained, strict=False):
                hit.explanation = explanation
        timeline = counts.pop("timeline", None) if counts else None
        results = SearchResults(asked, total, page, limit, 0.0, hits, facets=counts, browsed=parsed is None,
                                corrections=parsed.corrections if parsed else [], matched=matched,
                                as_words=bool(parsed and parsed.as_words), stories=grouped.stories if group else None,
                                timeline=timeline)
        if parsed is not None and total < SUGGEST_BELOW and not (words_only or prefix or results.corrections):
            results.suggestion = did_you_mean(searcher, text, deadline=deadline)
        results.took_ms = (time.perf_counter() - started) * 1000
        return results

    def _ranked(self, parsed: ParsedQuery | None, depth: int, filter_query: Any, sort: str, facets: bool,
                deadline: Deadline) -> tuple:
        """At least ``depth`` results (a search's ``Found``) and which documents matched (``Matches``)."""
        if parsed is None:
            return self.policy.browse_matching(depth, filter_query, facets, sort)
        return self.policy.rank_matching(parsed, depth, filter_query, sort, facets, deadline)

    @_one_at_a_time
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
        sort = checked_sort(sort)
        self._current()
        text, filter_query = self._filtered(text, filters)
        deadline = Deadline(self.budget_seconds)
        parsed = self._query_of(text, words_only, filter_query, corrections, deadline)
        with read_errors_as_damage(self.index_dir):
            ranking = self.policy.ordered(parsed, filter_query, sort, deadline)
            stories = self._story_map()
            count = stories.count(ranking.matched)
        held = generations.hold(self._generation())
        try:
            reader = stored_reader(held.path)
        except BaseException:
            held.release()
            raise
        matcher = parsed.matcher() if parsed else TermMatcher.from_terms(())
        return AllMatches(ranking.total, count, ranking.results, ranking.matched, matcher, stories, reader, held)

    def _story_map(self) -> StoryMap:
        """The open generation's stories, read when first asked for (call under the lock, after ``_current()``)."""
        if self._stories is None:
            self._stories = StoryMap.load(self._generation(), self.scorer.postings)
        return self._stories

    def _filtered(self, text: str, filters: Filters | None) -> tuple:
        """(``text`` without its ``person:"..."``/``org:"..."`` filters, the Whoosh query of every filter or None)."""
        text, people, organisations = take_name_filters(text)
        if people or organisations:
            filters = (filters or Filters()).with_names(people, organisations)
        if not filters:
            return text, None
        by_name = filters.people or filters.organisations
        return text, filters.to_query(self._source_names() if filters.sources else None,
                                      self.policy.name_book if by_name else None)

    @property
    def _alternatives(self) -> Alternatives:
        assert self._builder is not None, "no index open"
        return self._builder.alternatives

    def _completing(self, text: str) -> tuple[str, Table] | None:
        """(the text to search, the completions of its last word) for results as the reader types.

        None when the text does not end in a word being typed (a space after
        it, a quote, a field name); a last word shorter than ``PREFIX_FROM`` is left out.
        """
        last = re.search(r"(?:^|\s)(\w+)$", text)
        if last is None:
            return None
        head, word = text[: last.start(1)], last.group(1)
        if len(word) < PREFIX_FROM:
            return head.strip(), NO_COMPLETIONS
        # The word's own completions, as a wildcard's: the other words need not stand next to it.
        completions = self._completion_table().frequent_completions(word.lower(), PREFIX_COMPLETIONS, PREFIX_SHARE)
        return text, Table.of_groups([[word, *completions]], "completion")

    def _query_of(
        self, text: str, words_only: bool, filter_query: Any, corrections: bool = True,
        deadline: Deadline = NO_DEADLINE,
    ) -> ParsedQuery | None:
        """The parsed, pruned query of ``text``, or None to browse: no words but a filter, or ``*`` alone.

        No words and no filter stays the parser's "Empty query" QueryError.
        """
        if filter_query is not None and is_blank(text):
            return None
        try:
            parsed = self._parse(text, words_only, corrections, deadline)
        except UnbalancedQuery:  # a pasted sentence with a stray " or ): its words, as batch-search reads them
            parsed = replace(self._parse(text, True, corrections, deadline), as_words=True)
        return None if lists_everything(parsed.query) else self.policy.pruned(parsed)

    @staticmethod
    def _hit(fields: dict, score: object, matcher: TermMatcher) -> Hit:
        """A result with its snippet and title highlighted for ``matcher``.

        ``fields`` come from the searcher that found the result: calling
        ``_current()`` here could swap in a rebuilt index and close the
        reader they belong to (ReaderClosed, seen under load during a rebuild).
        """
        return Hit(
            **ArticleInfo.fields_of(fields),
            # Sorted by date, Whoosh puts the sort key where the score goes.
            score=round(float(score), 4) if isinstance(score, (int, float)) else None,
            snippet=snippet(fields.get("body", ""), matcher),
            marked_title=whole(fields.get("title", ""), matcher),
        )

    @_one_at_a_time
    def related(self, doc_id: str, limit: int = 10) -> list[Hit]:
        """Articles like ``doc_id``, best first: more like this over its most telling words
        (``ranking.related``: title and lead above the body, names whole), nearer in time first among equals.

        Raises QueryError when there is no article with that id.
        """

        searcher = self._current()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            raise QueryError(f"No article with id {doc_id!r}.")
        fields = searcher.stored_fields(docnum)
        reader = searcher.reader()
        with read_errors_as_damage(self.index_dir):
            ranked = like.more_like(docnum, fields, self.scorer, reader.doc_frequency, max(1, min(limit, MAX_LIMIT)))
            nothing = TermMatcher.from_terms([])
            return [self._hit(searcher.stored_fields(doc), score, nothing) for doc, score in ranked]

    @_one_at_a_time
    def completions(self, typed: str, limit: int = 8) -> list[Completion]:
        """Completions of ``typed`` from the index: words, publishers and authors, titles."""
        self._current()
        return self._completion_table().complete(typed, max(1, min(limit, 20)))

    def _completion_table(self) -> CompletionTable:
        """The open index's completions, made when first asked for."""

        searcher = self._current()
        if self._completions is None:
            with read_errors_as_damage(self.index_dir):
                self._completions = CompletionTable(searcher, self.scorer.postings, self.scorer.dates)
        return self._completions

    @_one_at_a_time
    def ranked_ids(self, text: str, limit: int = 100) -> list[tuple[str, float]]:
        """(id, score) of the top results, without snippets (for batch runs)."""
        self._current()
        try:
            parsed = self._parse(text)
        except QueryError:
            parsed = self._parse(text, words_only=True)
        with read_errors_as_damage(self.index_dir):
            found, _, _, _ = self.policy.rank(self.policy.pruned(parsed), limit)
        return [(fields["id"], score) for fields, score in found[:limit]]

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
                matcher = self._parse(query_text).matcher()
        paragraphs = [p.strip() for p in re.split(r"\n+", fields.get("body", "")) if p.strip()]
        return ArticlePage(
            **ArticleInfo.fields_of(fields),
            marked_title=whole(fields.get("title", ""), matcher),
            paragraphs=[whole(p, matcher) for p in paragraphs],
        )

    @_one_at_a_time
    def sources(self) -> list[tuple[str, int]]:
        """Every publisher in the index with its number of articles, by name."""
        reader = self._current().reader()
        return [(name, reader.doc_frequency("source_id", name)) for name in self._source_names()]

    def _source_names(self) -> list[str]:
        """The publishers of the searcher open now (call after ``_current()``: a reopen here would close it)."""
        assert self._searcher is not None, "no index open"
        return [term.decode("utf-8") for term in self._searcher.reader().lexicon("source_id")]

    def warm_up(self) -> None:
        """Open the index and load what a first search would: the stemmer's dictionary, the modules a search uses.

        A server's worker calls it before it takes requests, so its first
        readers do not wait for that (~0.1 s). Raises IndexMissing or
        IndexDamaged as any search would.
        """
        shared_stemmer().load()
        self.doc_count()
        with suppress(CariError):  # e.g. a search past its budget on a slow machine: only a warm-up
            for text in WARM_UP_QUERIES:
                self.search(text, facets=True)

    @_one_at_a_time
    def archive_outline(self) -> dict:
        """What the search page shows of this index: its first and last day, and words for tips.

        ``{"first": "2016-08-01", "last": "2018-02-27", "words": ["jokowi", "novanto"]}``:
        the dates of the oldest and the newest dated article (as stored), and the two words of the
        most titles that are no stopwords (at least 4 letters), the second one found with the first.
        """

        searcher = self._current()
        dates, live = self.scorer.dates, self.scorer.postings.live
        newest, first = dates.newest(live & dates.dated, 1).tolist(), oldest(dates, live & dates.dated, 1).tolist()

        def day(docnum: list[int]) -> str | None:
            stored = searcher.stored_fields(docnum[0]).get("date") if docnum else None
            return stored[:10] if stored else None

        return {"first": day(first), "last": day(newest), "words": self._completion_table().tip_words()}

    @_one_at_a_time
    def doc_count(self) -> int:
        """How many articles the index holds."""
        return self._current().doc_count()

    @_one_at_a_time
    def stats(self) -> dict:
        """What is in the index: counts, size, when and from what it was built."""
        searcher = self._current()
        generation = self._generation()
        manifest = generations.read_manifest(generation)
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

    def _generation(self) -> Path:
        """The generation the open searcher reads (held: it is not deleted while open)."""
        assert self._held is not None, "no index open"
        return self._held.path

    @_one_at_a_time
    def health(self) -> dict:
        """The live generation's name and document count (IndexMissing or IndexDamaged if none opens)."""
        searcher = self._current()
        generation = self._generation()
        return {"status": "ok", "generation": generation.name, "documents": searcher.doc_count(),
                "built_at": generations.read_manifest(generation).get("built_at")}


def _learned_names(generation: Path) -> list[Name] | None:
    """The people and organisations a generation's record holds (None: an index written before it)."""
    return names_of_record(generations.read_record(generation, NAMES))


def _open_stored_fields(searcher: Any) -> None:
    """Open each segment's stored-fields column now rather than at the first query.

    Whoosh copies the column out of the compound segment file into memory
    when it is first read: ~0.2 s a segment of 50,000 articles.
    """
    for reader, _ in searcher.reader().leaf_readers():
        if reader.doc_count_all():
            reader.stored_fields(0)
