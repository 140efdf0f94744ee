"""A search over an open generation: the query parsed once, ranked, grouped into stories, highlighted.

The work behind ``Index.search``, ``Index.search_all`` and
``Index.ranked_ids`` (``search.library``, which documents what each takes and
gives, and calls these under its lock). The stages in order: the filters
taken out of the text (``search.query.filters``), the text parsed into one
:class:`ParsedQuery` (``search.query``), ranked (``search.ranking.policy``),
a page of stories taken (``search.ranking.stories``), each hit's snippet made
(``search.highlight``), and all of it returned as data (``search.results``).
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any

from search.errors import QueryError, UnbalancedQuery
from search.highlight.spans import snippet, whole
from search.index import generations
from search.index.records import stored_reader
from search.options import MAX_LIMIT, check_window, checked_sort
from search.query.alternatives import NO_COMPLETIONS, Table
from search.query.budget import NO_DEADLINE, Deadline
from search.query.did_you_mean import did_you_mean
from search.query.filters import Filters, take_name_filters
from search.query.parsed import ParsedQuery, TermMatcher
from search.query.syntax import is_blank
from search.query.wildcards import lists_everything
from search.ranking.fallback import read_errors_as_damage
from search.ranking.stories import NO_STORIES, GroupedPage, grouped_page
from search.results import ArticleInfo, Hit, SearchResults
from search.serving import OpenGeneration
from search.tables import AllMatches

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


def search_page(
    opened: OpenGeneration, budget_seconds: float | None, text: str, page: int = 1, limit: int = 10,
    filters: Filters | None = None, sort: str = "relevance", words_only: bool = False, facets: bool = False,
    corrections: bool = True, explain: bool = False, prefix: bool = False, group: bool = True,
) -> SearchResults:
    """A page of ranked results for the user's query text (``Index.search`` says what each option does)."""
    started = time.perf_counter()
    limit = max(1, min(limit, MAX_LIMIT))
    check_window(page, limit)
    sort = checked_sort(sort)
    asked = text
    if facets:  # who names what: read once per index, not in a search's time
        _ = opened.policy.name_facets
    text, filter_query = _filtered(opened, text, filters)
    deadline = Deadline(budget_seconds)  # from here: opening an index is not the query's time
    completing = _completing(opened, text) if prefix and not words_only else None
    if completing is not None and is_blank(completing[0]) and filter_query is None:
        # one letter typed: nothing to count, but asked-for facets and timeline are there, empty
        return SearchResults(asked, 0, page, limit, (time.perf_counter() - started) * 1000,
                             facets={name: {} for name in FACET_NAMES} if facets else None,
                             timeline=[] if facets else None)
    try:
        if completing is not None:
            opened.alternatives.completions = completing[1]
        parsed = _query_of(opened, completing[0] if completing else text, words_only, filter_query, corrections,
                           deadline)
    finally:
        opened.alternatives.completions = NO_COMPLETIONS
    results = _ranked_page(opened, parsed, asked, page, limit, filter_query, sort, facets, explain, group, deadline)
    if parsed is not None and results.total < SUGGEST_BELOW and not (words_only or prefix or results.corrections):
        # The text as checked (title: banjir is title:banjir): the words searched, not a field name to respell
        results.suggestion = did_you_mean(opened.searcher, parsed.text, deadline=deadline)
    results.took_ms = (time.perf_counter() - started) * 1000
    return results


def _ranked_page(
    opened: OpenGeneration, parsed: ParsedQuery | None, asked: str, page: int, limit: int, filter_query: Any,
    sort: str, facets: bool, explain: bool, group: bool, deadline: Deadline,
) -> SearchResults:
    """The page of ``parsed``'s results (stories when ``group``), highlighted, with the counts asked for."""
    with read_errors_as_damage(opened.index_dir):
        deepest: list = [None, None]  # the deepest ranking asked for: (Found, Matches)

        def rank(depth: int) -> tuple[list, int]:
            deepest[:] = _ranked(opened, parsed, depth, filter_query, sort, facets, deadline)
            deadline.check()
            return deepest[0][0], deepest[0][1]

        stories = opened.story_map() if group else NO_STORIES
        grouped: GroupedPage = grouped_page(rank, page, limit, stories, lambda: deepest[1](),
                                            opened.searcher.stored_fields)
        found, total, counts, matched = deepest[0]
        deadline.check()
        matcher = parsed.matcher() if parsed else TermMatcher.from_terms(())
        page_found = grouped.found
        hits = [hit_of(fields, score, matcher) for fields, score in page_found]
        for hit, same in zip(hits, grouped.same_story, strict=True):
            hit.same_story = same
        explained = opened.policy.explain(parsed, sort, found, page_found, deadline) if explain else []
        for hit, explanation in zip(hits, explained, strict=False):
            hit.explanation = explanation
    timeline = counts.pop("timeline", None) if counts else None
    return SearchResults(asked, total, page, limit, 0.0, hits, facets=counts, browsed=parsed is None,
                         corrections=parsed.corrections if parsed else [], matched=matched,
                         as_words=bool(parsed and parsed.as_words), stories=grouped.stories if group else None,
                         timeline=timeline)


def _ranked(opened: OpenGeneration, parsed: ParsedQuery | None, depth: int, filter_query: Any, sort: str,
            facets: bool, deadline: Deadline) -> tuple:
    """At least ``depth`` results (a search's ``Found``) and which documents matched (``Matches``)."""
    if parsed is None:
        return opened.policy.browse_matching(depth, filter_query, facets, sort, deadline)
    return opened.policy.rank_matching(parsed, depth, filter_query, sort, facets, deadline)


def all_matches(
    opened: OpenGeneration, budget_seconds: float | None, text: str, filters: Filters | None = None,
    sort: str = "relevance", words_only: bool = False, corrections: bool = True,
) -> AllMatches:
    """Every match of a search, in its order, read from the generation ranked (``Index.search_all``)."""
    sort = checked_sort(sort)
    text, filter_query = _filtered(opened, text, filters)
    deadline = Deadline(budget_seconds)
    parsed = _query_of(opened, text, words_only, filter_query, corrections, deadline)
    with read_errors_as_damage(opened.index_dir):
        ranking = opened.policy.ordered(parsed, filter_query, sort, deadline)
        stories = opened.story_map()
        count = stories.count(ranking.matched)
    held = generations.hold(opened.generation)
    try:
        reader = stored_reader(held.path)
    except BaseException:
        held.release()
        raise
    matcher = parsed.matcher() if parsed else TermMatcher.from_terms(())
    return AllMatches(ranking.total, count, ranking.results, ranking.matched, matcher, stories, reader, held)


def top_ids(opened: OpenGeneration, text: str, limit: int = 100) -> list[tuple[str, float]]:
    """(id, score) of the top results, without snippets; a query that does not parse is read as words."""
    try:
        parsed = opened.parse(text)
    except QueryError:
        parsed = opened.parse(text, words_only=True)
    with read_errors_as_damage(opened.index_dir):
        found, _, _, _ = opened.policy.rank(opened.policy.pruned(parsed), limit)
    return [(fields["id"], score) for fields, score in found[:limit]]


def _filtered(opened: OpenGeneration, text: str, filters: Filters | None) -> tuple:
    """(``text`` without its ``person:"..."``/``org:"..."`` filters, the Whoosh query of every filter or None)."""
    text, people, organisations = take_name_filters(text)
    if people or organisations:
        filters = (filters or Filters()).with_names(people, organisations)
    if not filters:
        return text, None
    by_name = filters.people or filters.organisations
    return text, filters.to_query(opened.source_names() if filters.sources else None,
                                  opened.policy.name_book if by_name else None)


def _completing(opened: OpenGeneration, text: str) -> tuple[str, Table] | None:
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
    table = opened.completion_table()
    completions = table.frequent_completions(word.lower(), PREFIX_COMPLETIONS, PREFIX_SHARE)
    return text, Table.of_groups([[word, *completions]], "completion")


def _query_of(
    opened: OpenGeneration, text: str, words_only: bool, filter_query: Any, corrections: bool = True,
    deadline: Deadline = NO_DEADLINE,
) -> ParsedQuery | None:
    """The parsed, pruned query of ``text``, or None to browse: no words but a filter, or ``*`` alone.

    No words and no filter stays the parser's "Empty query" QueryError.
    """
    if filter_query is not None and is_blank(text):
        return None
    try:
        parsed = opened.parse(text, words_only, corrections, deadline)
    except UnbalancedQuery:  # a pasted sentence with a stray " or ): its words, as batch-search reads them
        parsed = replace(opened.parse(text, True, corrections, deadline), as_words=True)
    return None if lists_everything(parsed.query) else opened.policy.pruned(parsed)


def hit_of(fields: dict, score: object, matcher: TermMatcher) -> Hit:
    """A result with its snippet and title highlighted for ``matcher``.

    ``fields`` come from the searcher that found the result: reopening the
    index here could swap in a rebuilt generation and close the reader they
    belong to (ReaderClosed, seen under load during a rebuild).
    """
    return Hit(
        **ArticleInfo.fields_of(fields),
        # Sorted by date, Whoosh puts the sort key where the score goes.
        score=round(float(score), 4) if isinstance(score, (int, float)) else None,
        snippet=snippet(fields.get("body", ""), matcher),
        marked_title=whole(fields.get("title", ""), matcher),
    )
