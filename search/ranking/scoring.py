"""Scoring: BM25F over posting arrays, with Whoosh's scores.

``ArrayScorer`` ranks the queries most searches are (an OR of words) a term
at a time with numpy, several times faster than Whoosh's matchers and with
Whoosh's scores. Every other query runs in Whoosh (``fallback``) with
``search._whoosh.live.LiveBM25F``, the same BM25F. Both take their
statistics from the live documents alone (``search._whoosh.live``), so an
index that has had corrections scores as one built afresh from its articles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from whoosh import query as q

from search._whoosh.lengths import decoded_lengths, field_b
from search._whoosh.live import LiveBM25F, live_statistics
from search._whoosh.postings import PostingArrays
from search.query.budget import CHECK_EVERY, NO_DEADLINE, Deadline
from search.query.builder import concept_key
from search.query.parsed import Concept
from search.ranking.coverage import all_or_most, concept_counts
from search.ranking.dates import DateOrder
from search.ranking.flat import exclusions_only, flat_query
from search.ranking.nearness import add_nearness
from search.ranking.phrases import PhraseBranches
from search.ranking.ranked import Ranking
from search.ranking.topk import top_candidates

# (document numbers, scores) of one branch of a query: two arrays of one length
Scores = tuple[np.ndarray, np.ndarray]

# The best documents so far a keyword query's nearness bonus (a phrase) is checked on.
NEARNESS_CANDIDATES = 200


class ArrayScorer:
    """Ranks the usual query shapes by BM25F a term at a time over posting arrays.

    Most searches are an OR of words, each a term in the title and body fields
    (a question adds an answer-kind term under ANDMAYBE). For those, Whoosh's
    document-at-a-time matchers cost several Python calls per posting: 20 ms
    for an IndoSum sentence, hundreds on 100,000 articles. Here each term's
    posting list is one numpy array, its BM25F scores one vector operation
    (Whoosh's formula with its idf, average length, B and K1, so the
    numbers are Whoosh's), and a page of results a ``partition``. Branches
    of the OR that are not terms (a phrase, an AND) are scored by Whoosh's
    own matchers and added in. A query with a NOT returns None and is left to
    Whoosh, whose matchers skip what a NOT excludes.
    """

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher
        self.postings = PostingArrays(searcher.reader())
        self.dates = DateOrder(searcher.reader())  # the order of every document by date, for date sorts
        # ("scores", field, text) -> (document numbers, unboosted scores); in the postings' cache, beside the
        # lists decoded: one budget of bytes for both.
        self._scores = self.postings.cache
        self._lengths: dict[str, np.ndarray] = {}
        self._norms: dict[str, np.ndarray] = {}
        self._least_norms: dict[str, float] = {}
        self._all_live = bool(self.postings.live.all())
        self._phrases = PhraseBranches(searcher, self.postings, self._length_norms, self._scores)

    def rank(  # noqa: PLR0913
        self, query: q.Query, limit: int | None, filter_query: q.Query | None = None, deadline: Deadline = NO_DEADLINE,
        by_date: bool = False, concepts: tuple[Concept, ...] | None = None, prune: bool = False, least: int = 0,
    ) -> Ranking | None:
        """The top ``limit`` documents for ``query`` (all if None), or None if it is not a flat query.

        ``by_date`` takes the matches newest first (``dates.DateOrder``) instead of best first.
        ``concepts`` (``ParsedQuery.concepts``) ranks the documents holding more of them first
        (``coverage``), by score within the same number; with ``least``, it keeps only the documents
        holding at least that many of them, by score alone. ``prune``: score only the documents that
        can reach the page (``topk``), for keywords (a sentence's many words leave too little to prune).
        """
        if type(self._searcher.weighting) is not LiveBM25F:
            return None
        if (excluded := exclusions_only(query)) is not None:
            return self._without(excluded, limit, filter_query, deadline)
        parts = flat_query(query)
        if parts is None:
            return None
        wanted, bonus = parts
        if prune and limit is not None and not by_date and filter_query is None and self._all_live and (
                found := self._pruned(wanted, bonus, limit, concepts, deadline)) is not None:
            return found
        count = self.postings.doc_count
        branches = [self._scores_of(node, boost, deadline) for node, boost in deadline.checked(wanted, every=1)]
        scores, matched = summed(branches, count)
        if not self._all_live:
            matched &= self.postings.live
        if filter_query is not None:
            matched &= self.mask(filter_query)
        deadline.check()
        held, coverage = None, "all"
        if concepts:
            keys = [concept_key(node) for node, _ in wanted]
            counted = concept_counts(keys, [ids for ids, _ in branches], concepts, count)
            if counted is not None and least:
                matched &= counted[0] >= min(least, counted[1])
            elif counted is not None:
                held = counted[0]
                matched, coverage = all_or_most(held, counted[1], matched)
        if by_date:
            return Ranking.newest(self.dates, matched, limit, coverage)
        candidates = np.flatnonzero(matched)
        self._add_bonus(bonus, scores, (matched, candidates), limit, held, deadline)
        return Ranking.top(scores, matched, limit, tiers=held, coverage=coverage, dates=self.dates,
                           candidates=candidates)

    def _pruned(self, wanted: list, bonus: list, limit: int, concepts: tuple[Concept, ...] | None,
                deadline: Deadline) -> Ranking | None:
        """:meth:`rank` of a keyword query scoring only the documents that can reach the page (``topk``), or None.

        With a nearness bonus, those that can be among the ``NEARNESS_CANDIDATES`` it is checked on.
        """
        if any(type(node) is q.Term for node, _ in bonus):
            return None
        wide = max(NEARNESS_CANDIDATES, 2 * limit) if bonus else limit
        pruned = top_candidates(self, wanted, concepts, wide, deadline)
        if pruned is None:
            return None
        try:
            self._add_bonus(bonus, pruned.scores, (pruned.matched, pruned.candidates), limit, pruned.tiers, deadline)
            ranking = Ranking.top(pruned.scores, pruned.matched, limit, tiers=pruned.tiers, dates=self.dates,
                                  candidates=pruned.candidates)
        finally:
            pruned.release()
        ranking.counted = pruned.count
        return ranking

    def _add_bonus(self, bonus: list, scores: np.ndarray, matches: tuple[np.ndarray, np.ndarray], limit: int | None,
                   held: np.ndarray | None, deadline: Deadline) -> None:
        """Add the ANDMAYBE branches' scores to the documents that matched.

        A bonus Whoosh's matchers must score (a keyword query's phrase of the
        words typed close together) is checked only on the
        ``NEARNESS_CANDIDATES`` best so far: its span matchers walked every
        article holding the words, ~0.25 s a phrase on 100,000 articles. A
        term's bonus (a question's answer kind) is an array, scored everywhere.
        """
        matched, matching = matches  # the flags, and the documents flagged
        candidates = None
        nearness = limit is not None and all(type(node) is not q.Term for node, _ in bonus)
        for node, boost in deadline.checked(bonus, every=1):
            if type(node) is not q.Term and limit is not None:
                if candidates is None:
                    best = Ranking.top(scores, matched, max(NEARNESS_CANDIDATES, 2 * limit), tiers=held,
                                       dates=self.dates, candidates=matching)
                    candidates = np.array(sorted(doc for doc, _ in best.results), dtype=np.int64)
                if nearness:  # phrases alone: read only where they can change the page
                    add_nearness(bonus, scores, candidates, limit, held, self._phrases.bound,
                                 lambda node, only: self._score_branch(node, deadline, only=only), deadline)
                    return
                ids, values = self._score_branch(node, deadline, only=candidates)
                scores[ids] += boost * values
                continue
            ids, values = self._scores_of(node, boost, deadline)
            scores[ids] += np.where(matched[ids], values, 0.0)

    def browse(self, limit: int | None, filter_query: q.Query | None = None) -> Ranking:
        """Every live document the filter allows, newest first: a search without words."""
        matched = self.postings.live.copy()
        if filter_query is not None:
            matched &= self.mask(filter_query)
        return Ranking.newest(self.dates, matched, limit)

    def _without(self, excluded: list[q.Query], limit: int | None, filter_query: q.Query | None,
                 deadline: Deadline) -> Ranking:
        """The newest articles holding none of ``excluded`` (a query of exclusions alone), by arrays: Whoosh's
        matchers walked every article of the archive without looking at the clock (200 exclusions at 1,000,000
        articles: 94 CPU-s past a 2 s budget, and gunicorn killed the worker)."""
        matched = self.postings.live & ~self.mask(q.Or(excluded), deadline)
        if filter_query is not None:
            matched &= self.mask(filter_query, deadline)
        deadline.check()
        return Ranking.newest(self.dates, matched, limit)

    def mask(self, query: q.Query, deadline: Deadline = NO_DEADLINE) -> np.ndarray:
        """Which documents ``query`` (a filter: source, date range; what a NOT excludes) matches; callers mask
        out deleted ones.

        A term is its posting array, a date range two comparisons on the
        date column, AND, OR and NOT of them array operations (the deadline
        checked between their parts); anything else is asked of Whoosh.
        """
        kind = type(query)
        if kind is q.And or (kind is q.Or and not getattr(query, "minmatch", 0)):
            allowed = np.full(self.postings.doc_count, kind is q.And, dtype=bool)
            combine = np.logical_and if kind is q.And else np.logical_or
            for part in deadline.checked(query.subqueries, every=1):
                combine(allowed, self.mask(part, deadline), out=allowed)
            return allowed
        if kind is q.Not:
            return ~self.mask(query.query, deadline)
        if kind is q.AndNot:
            return self.mask(query.a, deadline) & ~self.mask(query.b, deadline)
        allowed = np.zeros(self.postings.doc_count, dtype=bool)
        if type(query) is q.Term:
            allowed[self.postings.get(query.fieldname, query.text)[0]] = True
        elif isinstance(query, q.NumericRange) and query.fieldname == self.dates.fieldname:
            return self.dates.within(query.start, query.end, query.startexcl, query.endexcl)
        else:
            allowed[np.fromiter(self._searcher.docs_for_query(query), dtype=np.int64)] = True
        return allowed

    def _scores_of(self, node: q.Query, boost: float, deadline: Deadline = NO_DEADLINE) -> Scores:
        """(document numbers, scores) of one branch of the OR, times ``boost``."""
        if type(node) is q.Term:
            ids, scores = self._scores.get(("scores", node.fieldname, node.text),
                                           lambda: self._score_term(node.fieldname, node.text))
            return ids, (boost * node.boost) * scores
        # Kept like a term's scores: an abbreviation's expansion ("amerika
        # serikat") recurs across queries, and checking its positions costs a
        # read of every document holding its words.
        ids, scores = self._scores.get(("branch", node), lambda: self._score_branch(node, deadline))
        return ids, boost * scores

    def score_of_document(self, node: q.Query, boost: float, docnum: int) -> float:
        """What one branch of a flat query (``flat_query``) adds to one document's score (0 if it does not match)."""
        if type(node) is q.Term:
            ids, scores = self._scores_of(node, boost)
            at = int(np.searchsorted(ids, docnum))  # a term's documents ascend (segment after segment)
            return float(scores[at]) if at < len(ids) and ids[at] == docnum else 0.0
        ids, scores = self._score_branch(node, only=np.array([docnum], dtype=np.int64))
        return float(boost * scores[0]) if len(ids) else 0.0

    def _score_branch(self, node: q.Query, deadline: Deadline = NO_DEADLINE, only: np.ndarray | None = None) -> Scores:
        """A branch that is not a term: a phrase over the posting arrays (``phrases``), anything else by Whoosh."""
        if type(node) is q.AndNot and only is None:
            return self._score_excluding(node, deadline)
        found = self._phrases.score(node, deadline, only)
        return found if found is not None else self._score_by_whoosh(node, deadline, only)

    def _score_excluding(self, node: q.AndNot, deadline: Deadline) -> Scores:
        """``a ANDNOT b`` (``yang -dan``): a's scores on the documents b does not match, by arrays. Whoosh's
        matcher stepped through every document of a that b excludes without looking at the clock (a common
        word less 59 others at 1,000,000 articles: 72 CPU-s past a 2 s budget)."""
        parts = flat_query(node.a)
        if parts is None or parts[1]:
            return self._score_by_whoosh(node, deadline)
        branches = [self._scores_of(part, boost, deadline) for part, boost in deadline.checked(parts[0], every=1)]
        scores, matched = summed(branches, self.postings.doc_count)
        matched &= ~self.mask(node.b, deadline)
        ids = np.flatnonzero(matched)
        return ids, node.boost * scores[ids]

    def _score_by_whoosh(
        self, node: q.Query, deadline: Deadline = NO_DEADLINE, only: np.ndarray | None = None
    ) -> Scores:
        """A branch that is not a term (a phrase, an abbreviation's expansion),
        scored by Whoosh's own matcher (the deadline checked as it walks);
        with ``only`` (document numbers, ascending), on those documents alone."""
        ids, scores = [], []
        context = self._searcher.context()
        for searcher, offset in self._searcher.leaf_searchers():
            deadline.check()
            wanted = None
            if only is not None:
                end = offset + searcher.reader().doc_count_all()
                wanted = (only[(only >= offset) & (only < end)] - offset).tolist()
                if not wanted:
                    continue
            matcher = node.matcher(searcher, context)
            for docnum in _matching(matcher, wanted):
                ids.append(docnum + offset)
                scores.append(matcher.score())
                if not len(ids) % CHECK_EVERY:
                    deadline.check()
        return np.array(ids, dtype=np.int64), np.array(scores, dtype=float)

    def _score_term(self, fieldname: str, text: str) -> Scores:
        """Whoosh's ``BM25F.scorer`` for every posting of a term at once.

        Same choices as Whoosh: a field without lengths scores the term's
        weight, any other BM25 with the field's B, the index's idf and the
        field's average length.
        """
        ids, weights = self.postings.get(fieldname, text)  # decoded once while the cache keeps it
        if not len(ids):
            return ids, weights.astype(float)
        tf = weights.astype(float)
        if not self._searcher.schema[fieldname].scorable:
            return ids, tf
        # Whoosh's idf (WeightingModel.idf) over the live documents (LiveBM25F.idf): the
        # list's postings of documents not deleted.
        live = self.postings.live
        frequency = len(ids) if self._all_live else int(live[ids].sum())
        return ids, self.bm25(fieldname, frequency, ids, tf)

    def bm25(self, fieldname: str, frequency: int, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """The BM25 of a term held by ``frequency`` live documents, at the documents ``ids`` where its
        frequencies are ``tf`` (floats): Whoosh's formula, the same bits for any subset of a list."""
        if not self._searcher.schema[fieldname].scorable:
            return tf
        k1 = self._searcher.weighting.K1
        # At least one document: an index whose every article was removed is searched, finding nothing.
        idf = math.log(max(live_statistics(self._searcher).doc_count, 1) / (frequency + 1)) + 1
        # idf * (tf * (k1 + 1)) / (tf + norm), each operation as that expression makes it (so the same
        # bits), in place: a common word's list at 1,000,000 articles is 800,000 postings, and each
        # new array of them costs more than the arithmetic. (``take``: indexing by int32 converts them.)
        norm = np.take(self._length_norms(fieldname), ids)
        norm += tf
        scores = tf * (k1 + 1)
        scores *= idf
        scores /= norm
        return scores

    def bm25_bound(self, fieldname: str, frequency: int, most: float) -> float:
        """The largest :meth:`bm25` of a term of ``frequency`` documents whose largest frequency is ``most``:
        that frequency in the field's shortest document (BM25 grows with the one, falls with the other)."""
        if not self._searcher.schema[fieldname].scorable:
            return most
        if fieldname not in self._least_norms:
            self._least_norms[fieldname] = float(self._length_norms(fieldname).min(initial=np.inf))
        k1 = self._searcher.weighting.K1
        idf = math.log(max(live_statistics(self._searcher).doc_count, 1) / (frequency + 1)) + 1
        return idf * (most * (k1 + 1)) / (most + max(self._least_norms[fieldname], 0.0))

    def _length_norms(self, fieldname: str) -> np.ndarray:
        """BM25's ``k1 * ((1 - b) + b * length / average length)`` of every document, computed once.

        The same arithmetic on the same numbers as per posting, so the same
        scores; a new term then costs two fewer passes over its postings.
        """
        if fieldname not in self._norms:
            weighting = self._searcher.weighting
            k1, b = weighting.K1, field_b(weighting, fieldname)
            average = live_statistics(self._searcher).average_length(fieldname) or 1
            self._norms[fieldname] = k1 * ((1 - b) + b * self._field_lengths(fieldname) / average)
        return self._norms[fieldname]

    def load_lengths(self, fieldnames: Iterable[str]) -> None:
        """Read the fields' lengths (and their BM25 norms) now, opening the index, not at the first query."""
        for fieldname in fieldnames:
            if self._searcher.schema[fieldname].scorable:
                self._length_norms(fieldname)

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of ``fieldname`` as Whoosh's scorer sees it."""
        if fieldname not in self._lengths:
            parts = [decoded_lengths(reader, fieldname) for reader, _ in self._searcher.reader().leaf_readers()]
            self._lengths[fieldname] = np.concatenate(parts) if parts else np.zeros(0)
        return self._lengths[fieldname]


def summed(branches: list[Scores], count: int) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``count`` documents' sum of the branches' scores, and whether a branch holds it.

    All branches summed in one C loop: a sentence has ~40 (words times
    fields), and numpy's cost per call was most of the ranking. bincount adds
    in the order of the arrays, branch after branch, as adding them one at a
    time did, so the sums are the same to the last bit. When every posting
    scores above 0 (BM25 always does), a document is held iff its sum is above
    0: one comparison per document instead of a write per posting, which
    costs more once the postings are many (a common word's, at 1,000,000).
    """
    ids = np.concatenate([ids for ids, _ in branches]) if branches else np.zeros(0, dtype=np.int64)
    if not len(ids):  # bincount of nothing gives integers
        return np.zeros(count), np.zeros(count, dtype=bool)
    weights = np.concatenate([values for _, values in branches])
    scores = np.bincount(ids, weights=weights, minlength=count)
    if len(ids) > count // 8 and weights.min() > 0:
        return scores, scores > 0
    matched = np.zeros(count, dtype=bool)
    matched[ids] = True
    return scores, matched


def _matching(matcher: Any, wanted: list[int] | None) -> Iterator[int]:
    """The documents a Whoosh matcher matches, in order (it stands on each as it is yielded);
    with ``wanted`` (ascending), only those of them, skipping to each."""
    if wanted is None:
        if matcher.is_active():
            # Whoosh 2.7.4's AndNotMatcher checks its first document against the
            # excluded side only when that side stands on the same one: without
            # this, ``ukraina -rusia`` listed the first article holding both.
            matcher.skip_to(matcher.id())
        while matcher.is_active():
            yield matcher.id()
            matcher.next()
        return
    for docnum in wanted:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            yield docnum
