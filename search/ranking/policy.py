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

from typing import TYPE_CHECKING, Any

from search.query.parsed import ParsedQuery
from search.ranking.budget import NO_DEADLINE, Deadline
from search.ranking.coverage import for_keywords
from search.ranking.facets import count_facets
from search.ranking.fallback import rank_in_whoosh
from search.ranking.months import month_counts, oldest
from search.ranking.prune import drop_common_stopwords
from search.ranking.rerank import answers_first

if TYPE_CHECKING:
    from search.ranking.expansion import WildcardExpander
    from search.ranking.scoring import ArrayScorer, Ranking

# (stored fields, score) best first, how many matched in all, facet counts (None unless asked for)
Found = tuple[list[tuple[dict, Any]], int, dict | None]


class RankingPolicy:
    """Ranks parsed queries against one open Whoosh searcher, its array scorer and its wildcard expander."""

    def __init__(self, searcher, scorer: ArrayScorer, expander: WildcardExpander):
        self.searcher = searcher
        self.scorer = scorer
        self.expander = expander

    def pruned(self, parsed: ParsedQuery) -> ParsedQuery:
        """``parsed`` without the stopwords most articles hold (their frequencies are the index's)."""
        return parsed.with_query(drop_common_stopwords(parsed.query, self.scorer.postings))

    def browse(self, limit: int, filter_query, facets: bool, sort: str = "newest") -> Found:
        """The newest (or oldest) ``limit`` articles the filter allows, with no score, the total and facets."""
        ranking = self.scorer.browse(limit, filter_query)
        if sort == "oldest":
            ranking = self._oldest(ranking.matched, limit)
        return self._found(ranking, facets)

    def rank(
        self, parsed: ParsedQuery, limit: int, filter_query=None, sort: str = "relevance", facets: bool = False,
        deadline: Deadline = NO_DEADLINE,
    ) -> Found:
        """At least ``limit`` results of ``parsed`` in the order ``sort`` asks, the total and facets.

        Wildcards become their most frequent words; the array scorer ranks
        what it can (by score or by date), Whoosh the rest (NOT queries); by
        relevance, a question's top passages are then re-ranked.
        """
        fetch = parsed.fetch_depth(limit)
        query = self.expander.expand(parsed.query, deadline)
        query, concepts = for_keywords(query, parsed, self.searcher.schema, by_relevance=sort == "relevance")
        ranking = self.scorer.rank(query, fetch, filter_query, deadline, by_date=sort != "relevance",
                                   concepts=concepts)
        if sort == "oldest":
            matched = ranking.matched if ranking is not None else self._whoosh_matches(query, filter_query)
            ranking = self._oldest(matched, fetch)
        if ranking is None:
            whoosh_sort = "date" if sort == "newest" else sort
            found, total, counts = rank_in_whoosh(self.searcher, query, fetch, filter_query, whoosh_sort, facets,
                                                  deadline)
            if counts is not None:
                counts["month"] = month_counts(self.scorer.dates, self._whoosh_matches(query, filter_query))
        else:
            found, total, counts = self._found(ranking, facets)
        if sort == "relevance":
            found = answers_first(parsed, parsed.query, found, self.scorer.postings)
        return found, total, counts

    def _oldest(self, matched, limit: int | None) -> Ranking:
        """The documents flagged in ``matched``, oldest first, undated last."""
        from search.ranking.scoring import Ranking

        return Ranking([(docnum, None) for docnum in oldest(self.scorer.dates, matched, limit).tolist()], matched)

    def _found(self, ranking: Ranking, facets: bool) -> Found:
        """A ranking of the array scorer as (stored fields, score) pairs, the total and facets."""
        found = [(self.searcher.stored_fields(d), s) for d, s in ranking.results]
        counts = self._facets(ranking.matched) if facets else None
        return found, ranking.total, counts

    def _facets(self, matched) -> dict:
        """Counts by source and year (``ranking.facets``) and by month, of the documents in ``matched``."""
        counts = count_facets(self.searcher.reader(), self.scorer.postings, matched)
        return {**counts, "month": month_counts(self.scorer.dates, matched)}

    def _whoosh_matches(self, query, filter_query):
        """Which live documents match ``query`` and the filter, asked of Whoosh (a query with a NOT)."""
        matched = self.scorer.mask(query) & self.scorer.postings.live
        if filter_query is not None:
            matched &= self.scorer.mask(filter_query)
        return matched
