"""How one open index orders a parsed query's articles: the ranking stage's single entry point.

A :class:`Ranking policy <RankingPolicy>` is made for each index a searcher
opens. It decides which ranker answers (the array scorer for what it can
score, Whoosh for the rest), in which order (relevance, newest, oldest), and
what else a ranking adds: a keyword query's all-words-first order, the
question re-rank, and the facets of everything that matched. The searcher
calls :meth:`RankingPolicy.rank` or :meth:`RankingPolicy.browse` and gets back
stored fields with scores, best first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query as q

from search.index.name_learning import learned_names
from search.index.names import Name, NameBook
from search.query.budget import NO_DEADLINE, Deadline
from search.query.parsed import ParsedQuery, concept_pieces
from search.ranking.coverage import BEST_BY_DATE, BEST_SHARE, counts_concepts, for_keywords, is_sentence
from search.ranking.dates import DateOrder
from search.ranking.explain import Explainer
from search.ranking.facets import FacetCodes
from search.ranking.fallback import rank_in_whoosh
from search.ranking.months import day_counts, month_counts, oldest
from search.ranking.people import NameFacets
from search.ranking.prune import drop_common_stopwords
from search.ranking.ranked import Ranking
from search.ranking.rerank import answers_first
from search.ranking.timeline import timeline

# The fields of roots: a concept with a branch there is a word of content, not a common word (di, yang).
STEMMED_FIELDS = ("title", "body")

if TYPE_CHECKING:
    from search.ranking.expansion import WildcardExpander
    from search.ranking.scoring import ArrayScorer

# (stored fields, score) best first, how many matched in all, facet counts (None unless asked for),
# and which articles matched: "all" the words asked for, or (widened, a question or a sentence) "most"
Found = tuple[list[tuple[dict, Any]], int, dict | None, str]
# Which documents matched (a bool per document number), worked out when called: stories count and list them.
Matches = Callable[[], Any]


class RankingPolicy:
    """Ranks parsed queries against one open Whoosh searcher, its array scorer and its wildcard expander."""

    def __init__(self, searcher: Any, scorer: ArrayScorer, expander: WildcardExpander,
                 names: Callable[[], list[Name] | None] | None = None) -> None:
        self.searcher = searcher
        self.scorer = scorer
        self.expander = expander
        self._names = names  # the generation's learned names (its record); learned from the index if None
        self._name_book: NameBook | None = None
        self._name_facets: NameFacets | None = None

    @property
    def name_book(self) -> NameBook:
        """The people and organisations of this index (for filters), read when first asked for."""
        if self._name_book is None:
            names = self._names() if self._names is not None else None
            self._name_book = NameBook(names if names is not None else learned_names(self.searcher.reader()))
        return self._name_book

    @property
    def name_facets(self) -> NameFacets:
        """Which articles name each person and organisation (for facets), read when first asked for."""
        if self._name_facets is None:
            self._name_facets = NameFacets(self.name_book.names, self.scorer.postings)
        return self._name_facets

    @functools.cached_property
    def facet_codes(self) -> FacetCodes:
        """Each document's publisher and year as a number (for facets), read when first asked for."""
        return FacetCodes(self.searcher.reader(), self.scorer.postings)

    def pruned(self, parsed: ParsedQuery) -> ParsedQuery:
        """``parsed`` without the stopwords most articles hold (their frequencies are the index's): in
        keywords whose every word is asked for, in every field (``banjir di jakarta`` asks no title for ``di``)."""
        every_field = counts_concepts(parsed)
        return parsed.with_query(drop_common_stopwords(parsed.query, self.scorer.postings, every_field=every_field))

    def browse(self, limit: int, filter_query: q.Query | None, facets: bool, sort: str = "newest") -> Found:
        """The newest (or oldest) ``limit`` articles the filter allows, with no score, the total and facets."""
        return self.browse_matching(limit, filter_query, facets, sort)[0]

    def browse_matching(
        self, limit: int, filter_query: q.Query | None, facets: bool, sort: str = "newest",
        deadline: Deadline = NO_DEADLINE,
    ) -> tuple[Found, Matches]:
        """:meth:`browse`, and which documents matched (``Matches``: asked for when needed)."""
        ranking = self.scorer.browse(limit, filter_query)
        if sort == "oldest":
            ranking = self._oldest(ranking.matched, limit)
        matched = ranking.matched
        return self._found(ranking, facets, deadline), lambda: matched

    def rank(
        self, parsed: ParsedQuery, limit: int, filter_query: q.Query | None = None, sort: str = "relevance", facets: bool = False,
        deadline: Deadline = NO_DEADLINE,
    ) -> Found:
        """At least ``limit`` results of ``parsed`` in the order ``sort`` asks, the total and facets.

        Wildcards become their most frequent words; the array scorer ranks
        what it can (by score or by date), Whoosh the rest (NOT queries); by
        relevance, a question's top passages are then re-ranked.
        """
        return self.rank_matching(parsed, limit, filter_query, sort, facets, deadline)[0]

    def rank_matching(
        self, parsed: ParsedQuery, limit: int, filter_query: q.Query | None = None, sort: str = "relevance", facets: bool = False,
        deadline: Deadline = NO_DEADLINE,
    ) -> tuple[Found, Matches]:
        """:meth:`rank`, and which documents matched (``Matches``: asked of Whoosh only when called, for a NOT)."""
        fetch = parsed.fetch_depth(limit)
        query = self.expander.expand(parsed.query, deadline)
        query, concepts = for_keywords(query, parsed, self.searcher.schema, by_relevance=sort == "relevance")
        best_only = sort != "relevance" and is_sentence(parsed)
        ranking = self.scorer.rank(query, BEST_BY_DATE if best_only else fetch, filter_query, deadline,
                                   by_date=sort != "relevance" and not best_only,
                                   prune=not is_sentence(parsed), **self._words_held(parsed, concepts, best_only))
        if best_only and ranking is not None:
            ranking = self._best_by_date(ranking, sort, fetch)
        elif sort == "oldest":
            matched = ranking.matched if ranking is not None else self._whoosh_matches(query, filter_query)
            ranking = self._oldest(matched, fetch, ranking.coverage if ranking is not None else "all")
        if ranking is None:
            # Asked of Whoosh once, when first needed: the facets' matches are the total's and the stories'.
            matches: Matches = functools.cache(functools.partial(self._whoosh_matches, query, filter_query))
            whoosh_sort = "date" if sort == "newest" else sort
            found, total = rank_in_whoosh(self.searcher, query, fetch, filter_query, whoosh_sort, deadline,
                                          count=(lambda: int(matches().sum())) if facets else None)
            # every facet the array scorer's ranking has, and the timeline, over the same matches
            counts = self._facets(matches()) if facets else None
            coverage = "all"
        else:
            found, total, counts, coverage = self._found(ranking, facets, deadline)
            matches = functools.partial(getattr, ranking, "matched")
        if sort == "relevance":
            found = answers_first(parsed, parsed.query, found, self.scorer.postings)
        if is_sentence(parsed):
            coverage = "most"  # ranked over partial matches, or by date only its best
        return (found, total, counts, coverage), matches

    def ordered(
        self, parsed: ParsedQuery | None, filter_query: q.Query | None = None, sort: str = "relevance",
        deadline: Deadline = NO_DEADLINE,
    ) -> Ranking:
        """Every match of ``parsed`` (None: what the filter allows) as document numbers, in the order ``sort`` asks.

        What an export of all results walks: no stored fields are read here, so
        memory is a number per match. The matches and their count are those of
        :meth:`rank`; the order is its order but for two things a page of
        results adds: a question's first passages re-ranked, and equal scores
        by id. A query the array scorer does not rank (a NOT) comes newest
        first (oldest first if asked) whatever the sort.
        """
        if parsed is None:
            ranking = self.scorer.browse(None, filter_query)
            return self._oldest(ranking.matched, None) if sort == "oldest" else ranking
        query = self.expander.expand(parsed.query, deadline)
        query, concepts = for_keywords(query, parsed, self.searcher.schema, by_relevance=sort == "relevance")
        best_only = sort != "relevance" and is_sentence(parsed)
        found = self.scorer.rank(query, BEST_BY_DATE if best_only else None, filter_query, deadline,
                                 by_date=sort != "relevance" and not best_only,
                                 **self._words_held(parsed, concepts, best_only))
        if found is None:
            matched = self._whoosh_matches(query, filter_query)
            return self._oldest(matched, None) if sort == "oldest" else Ranking.newest(self.scorer.dates, matched, None)
        if best_only:
            return self._best_by_date(found, sort, None)
        return self._oldest(found.matched, None, found.coverage) if sort == "oldest" else found

    @staticmethod
    def _words_held(parsed: ParsedQuery, concepts: tuple | None, best_only: bool) -> dict[str, Any]:
        """The scorer's ``concepts`` (and ``least``): a keyword query's, or for a question's or a sentence's
        date order its words that are no common word (a root in the stemmed fields), two of which each
        article listed must hold: a word alone is never a best match (issue 21)."""
        if not best_only:
            return {"concepts": concepts}
        content = tuple(concept for concept in parsed.concepts if any(
            any(type(key) is tuple and key[0] in STEMMED_FIELDS for key in piece) for piece in concept_pieces(concept)))
        return {"concepts": content, "least": 2} if len(content) >= 2 else {"concepts": None}

    def _best_by_date(self, ranking: Ranking, sort: str, limit: int | None) -> Ranking:
        """A question's or a sentence's best articles (``ranking``, best first) in date order.

        Ranked by date, every article holding one of its many words would
        come up; only those scoring at least ``BEST_SHARE`` of the best are
        listed (at most ``BEST_BY_DATE``).
        """
        scores = [(doc, score or 0.0) for doc, score in ranking.results]
        best = scores[0][1] if scores else 0.0
        matched = np.zeros_like(ranking.matched)
        matched[[doc for doc, score in scores if score >= BEST_SHARE * best]] = True
        if sort == "oldest":
            return self._oldest(matched, limit, "most")
        return Ranking.newest(self.scorer.dates, matched, limit, "most")

    def explain(
        self, parsed: ParsedQuery | None, sort: str, found: list, page: list, deadline: Deadline = NO_DEADLINE,
    ) -> list[dict]:
        """The parts of the score of each result of ``page`` (``found``: all ranked); ``parsed`` None: browsed."""
        if parsed is None:
            return [{"ranker": "date", "score": None, "note": "no words: newest first"} for _ in page]
        return self.explainer(parsed, sort).explain(found, page, deadline)

    def explainer(self, parsed: ParsedQuery, sort: str = "relevance") -> Explainer:
        """What explains the scores of ``parsed``'s results (``explain.Explainer``): the query as :meth:`rank` ranks it."""
        query = self.expander.expand(parsed.query)
        query, concepts = for_keywords(query, parsed, self.searcher.schema, by_relevance=sort == "relevance")
        return Explainer(parsed, query, concepts, self.scorer, self.searcher, self.searcher.schema, sort)

    def _oldest(self, matched: np.ndarray, limit: int | None, coverage: str = "all") -> Ranking:
        """The documents flagged in ``matched``, oldest first, undated last."""
        ranked = oldest(self.scorer.dates, matched, limit, ties=True).tolist()
        return Ranking([(docnum, None) for docnum in ranked], matched, coverage)

    def _found(self, ranking: Ranking, facets: bool, deadline: Deadline = NO_DEADLINE) -> Found:
        """A ranking of the array scorer as (stored fields, score) pairs, the total and facets; the stored fields
        read within the deadline (the 10,000 of page 100 of 100, browsing 1,000,000 articles: 2.5 CPU-s)."""
        found = [(self.searcher.stored_fields(d), s) for d, s in deadline.checked(ranking.results, every=256)]
        counts = self._facets(ranking.matched) if facets else None
        return (_ties_broken(found, [d for d, _ in ranking.results], self.scorer.dates), ranking.total, counts,
                ranking.coverage)

    def _facets(self, matched: np.ndarray) -> dict:
        """Counts by source and year (``ranking.facets``), by month, of people and organisations
        (``ranking.people``), and the timeline (``ranking.timeline``) of the documents in ``matched``."""
        counts = self.facet_codes.counts(self.searcher.reader(), self.scorer.postings, matched)
        live = matched & self.scorer.postings.live
        dates = self.scorer.dates
        days = day_counts(dates, matched)  # the months' counts and the timeline's, counted once
        return {**counts, "month": month_counts(dates, matched, days), **self.name_facets.counts(live),
                "timeline": [period.to_dict() for period in timeline(dates, matched, days)]}

    def _whoosh_matches(self, query: q.Query, filter_query: q.Query | None) -> np.ndarray:
        """Which live documents match ``query`` and the filter, asked of Whoosh (a query with a NOT)."""
        matched = self.scorer.mask(query) & self.scorer.postings.live
        if filter_query is not None:
            matched &= self.scorer.mask(filter_query)
        return matched


def _ties_broken(found: list[tuple[dict, Any]], docnums: list[int], dates: DateOrder) -> list[tuple[dict, Any]]:
    """``found`` with each run of equal scores ordered newest first, then by id (by date: each run of equal
    dates by id): the same in every generation.

    Document numbers, which Whoosh breaks ties by, change when a write adds a
    segment or a merge rewrites one; the articles and their scores do not.
    Only adjacent equal scores are reordered (a ranking's tiers stay as they are).
    """
    if not found:
        return found
    keyed = [(fields, score, not dates.dated[d], -int(dates.values[d])) for (fields, score), d in
             zip(found, docnums, strict=True)]
    out: list[tuple[dict, Any]] = []
    # By date (no scores): each run of equal dates by id.
    same = (lambda item: item[1]) if found[0][1] is not None else (lambda item: (item[2], item[3]))
    for _, run in groupby(keyed, key=same):
        out += [(fields, score) for fields, score, *_ in sorted(run, key=lambda item: (item[2], item[3],
                                                                                      item[0].get("id", "")))]
    return out
