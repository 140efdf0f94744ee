"""Phrase branches scored over the posting arrays: the documents and scores Whoosh's matchers give them.

A query's phrases are an abbreviation's expansion (``KPK``: the phrase
``komisi berantas korupsi`` in the title and body, and its exact words
required to be that phrase, ``WordsInPhrase``) and a keyword query's
nearness bonus (its words within 3 positions). Whoosh's matchers walk the
intersection of the words' posting lists a document at a time in Python,
reading positions at each: at 200,000 articles that was 38% of a sentence
query's time and every query the 2 s budget stopped, and 27% of a 1-3 word
query's. Here the documents holding every word are an intersection of
posting arrays (numpy), positions are read only for those
(``search._whoosh.phrases``), and a document's score is Whoosh's own
arithmetic on the same numbers: each word's BM25F (``bm25`` of Whoosh's
``scoring``, its operations in its order), summed in the shape of the
matcher tree Whoosh would build (a phrase's words as ``make_binary_tree``,
an AND's terms as ``make_weighted_tree``, by each segment's document
frequencies), times the boosts its wrapping matchers apply. So a query's
ranking is the same to the last bit (``tests/ranking/test_phrase_branches.py``
compares every score with Whoosh's matchers).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import query as q

from search._whoosh.live import LiveBM25F, live_statistics
from search._whoosh.phrases import TermPositions, holding
from search._whoosh.postings import BoundedCache, PostingArrays
from search.query.budget import NO_DEADLINE, Deadline
from search.query.phrase_queries import WordsInPhrase

Scores = tuple[np.ndarray, np.ndarray]
EMPTY_IDS = np.zeros(0, dtype=np.int64)
# Documents whose positions are read at a time (then the budget is checked): a few ms of work.
PHRASE_CHUNK = 1024


class PhraseBranches:
    """Scores a query's phrase branches (``Phrase``, ``WordsInPhrase``) as Whoosh's matchers do.

    ``norms(fieldname)`` is every document's BM25 length norm of the field
    (``ArrayScorer``'s); ``cache`` keeps each phrase's documents, which an
    expansion asks for twice (its phrase, and its exact words' phrase).
    """

    def __init__(self, searcher: Any, postings: PostingArrays, norms: Callable[[str], np.ndarray],
                 cache: BoundedCache) -> None:
        self._searcher = searcher
        self._postings = postings
        self._norms = norms
        self._cache = cache
        self._all_live = bool(postings.live.all())

    def score(self, node: q.Query, deadline: Deadline = NO_DEADLINE, only: np.ndarray | None = None) -> Scores | None:
        """(document numbers ascending, scores) of ``node`` among the live documents (of ``only``, ascending,
        if given), or None for a node scored otherwise (by Whoosh's matchers)."""
        if type(self._searcher.weighting) is not LiveBM25F:
            return None
        if type(node) is q.Phrase:
            return self._phrase(node, deadline, only)
        if type(node) is WordsInPhrase:
            return self._words_in_phrase(node, deadline, only)
        return None

    def bound(self, node: q.Query, only: np.ndarray) -> Scores | None:
        """(the documents of ``only`` holding every word of the phrase ``node``, the score :meth:`score` gives
        each of them if it holds the phrase): what the phrase can add at most, from the posting arrays alone,
        no position read. None for a node :meth:`score` does not score so."""
        if type(self._searcher.weighting) is not LiveBM25F or type(node) is not q.Phrase:
            return None
        if not self._scorable(node.fieldname) or not node.words:
            return None
        docs = self._holding([(node.fieldname, word) for word in node.words], only)
        return docs, self._phrase_scores(node, docs)

    def _phrase(self, node: q.Phrase, deadline: Deadline, only: np.ndarray | None) -> Scores | None:
        if not self._scorable(node.fieldname) or not node.words:
            return None
        docs = self.docs(node.fieldname, tuple(node.words), node.slop, deadline, only)
        return docs, self._phrase_scores(node, docs)

    def _phrase_scores(self, node: q.Phrase, docs: np.ndarray) -> np.ndarray:
        """The phrase's score in each of ``docs`` (which hold it): each number is the same whatever else
        ``docs`` holds (every operation is element by element)."""
        # SpanNear2's intersection of the words' matchers, a binary tree in the words' order.
        scores = _tree_sum([self._term_scores(node.fieldname, word, docs) for word in node.words])
        return scores * node.boost if node.boost != 1.0 else scores

    def _words_in_phrase(self, node: WordsInPhrase, deadline: Deadline, only: np.ndarray | None) -> Scores | None:
        words, phrase = node.a, node.b
        if (type(words) is not q.And or not words.subqueries
                or any(type(term) is not q.Term or not self._scorable(term.fieldname) for term in words.subqueries)):
            return None
        held = self._holding([(term.fieldname, term.text) for term in words.subqueries], only)
        if type(phrase) is q.Phrase and phrase.words:
            docs = _common(held, self.docs(phrase.fieldname, tuple(phrase.words), phrase.slop, deadline))
        elif type(phrase) is q.Term:  # a phrase of one word is its term (the parser's normalize)
            docs = _common(held, self._postings.get(phrase.fieldname, phrase.text)[0])
        else:
            return None
        terms = words.subqueries
        # Each term's matcher: its scores, times its boost (Term.matcher's WrappingMatcher).
        leaves = [self._term_scores(t.fieldname, t.text, docs) * t.boost if t.boost != 1.0
                  else self._term_scores(t.fieldname, t.text, docs) for t in terms]
        if len(terms) == 1:  # CompoundQuery.matcher: the only subquery's matcher, without the AND's boost
            return docs, leaves[0]
        scores = np.zeros(len(docs))
        # And._matcher: a tree weighted by each segment's document frequencies (make_weighted_tree).
        for (leaf, _), (start, end) in zip(self._postings.leaves, self._segment_ranges(docs), strict=True):
            if start < end:
                weights = [0 - term.estimate_size(leaf) for term in terms]
                scores[start:end] = _weighted_tree_sum(weights, [values[start:end] for values in leaves])
        return docs, scores * words.boost if words.boost != 1.0 else scores

    def docs(self, fieldname: str, words: tuple[str, ...], slop: int, deadline: Deadline = NO_DEADLINE,
             only: np.ndarray | None = None) -> np.ndarray:
        """The live documents holding the phrase (among ``only``), ascending; all of them kept in the cache."""
        if only is not None:
            return self._find(fieldname, words, slop, deadline, only)
        key = ("phrase", fieldname, words, slop)
        return self._cache.get(key, lambda: (self._find(fieldname, words, slop, deadline, None),))[0]

    def _find(self, fieldname: str, words: tuple[str, ...], slop: int, deadline: Deadline,
              only: np.ndarray | None) -> np.ndarray:
        held = self._holding([(fieldname, word) for word in words], only)
        lists = [self._postings.get(fieldname, word)[0] for word in words]
        keep = np.zeros(len(held), dtype=bool)
        for (leaf, offset), (start, end) in zip(self._postings.leaves, self._segment_ranges(held), strict=True):
            if start == end:
                continue
            docs = held[start:end]
            # Where each document's posting is in each word's list of this segment.
            places = [np.searchsorted(ids, docs) - np.searchsorted(ids, offset) for ids in lists]
            readers = [TermPositions(leaf, fieldname, word) for word in words]
            docnums = docs - offset
            for at in range(0, len(docnums), PHRASE_CHUNK):
                deadline.check()
                chunk = slice(at, at + PHRASE_CHUNK)
                found = [reader.at_places(docnums[chunk], where[chunk]) for reader, where in zip(readers, places, strict=True)]
                keep[start + at : start + at + len(docnums[chunk])] = holding(found, slop)
        return held[keep]

    def _holding(self, terms: list[tuple[str, str]], only: np.ndarray | None) -> np.ndarray:
        """The live documents (of ``only``) whose posting lists hold every term, ascending."""
        lists = sorted((self._postings.get(fieldname, text)[0] for fieldname, text in terms), key=len)
        held = lists[0].astype(np.int64)
        if not self._all_live:
            held = held[self._postings.live[held]]
        if only is not None:
            held = _common(held, only)
        for ids in lists[1:]:
            held = _common(held, ids)
        return held

    def _segment_ranges(self, docs: np.ndarray) -> list[tuple[int, int]]:
        """For each segment, the range of ``docs`` (ascending) that are its documents."""
        starts = [offset for _, offset in self._postings.leaves] + [self._postings.doc_count]
        cuts = np.searchsorted(docs, starts).tolist()
        return list(zip(cuts[:-1], cuts[1:], strict=True))

    def _scorable(self, fieldname: str) -> bool:
        schema = self._searcher.schema
        return fieldname in schema and bool(schema[fieldname].scorable)

    def _term_scores(self, fieldname: str, text: str, docs: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F of the term in each of ``docs`` (which hold it): ``scoring.bm25``'s operations in its
        order, with LiveBM25F's idf and average length (the length norm is ``ArrayScorer``'s, the same arithmetic)."""
        ids, weights = self._postings.get(fieldname, text)
        if not len(docs):
            return np.zeros(0)
        tf = weights[np.searchsorted(ids, docs)].astype(float)
        frequency = len(ids) if self._all_live else int(self._postings.live[ids].sum())
        idf = math.log(max(live_statistics(self._searcher).doc_count, 1) / (frequency + 1)) + 1
        k1 = self._searcher.weighting.K1
        return idf * ((tf * (k1 + 1)) / (tf + self._norms(fieldname)[docs]))


def _common(docs: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The numbers of ``docs`` (ascending, int64) that ``ids`` (ascending, unique) holds."""
    if not len(docs) or not len(ids):
        return EMPTY_IDS
    if len(ids) < len(docs):
        docs, ids = ids.astype(np.int64), docs
    at = np.searchsorted(ids, docs)
    at[at == len(ids)] = 0
    return docs[ids[at] == docs].astype(np.int64)


def _tree_sum(values: list[np.ndarray]) -> np.ndarray:
    """Values added as ``make_binary_tree`` nests Whoosh's IntersectionMatchers: halves, first half first."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return _tree_sum(values[:half]) + _tree_sum(values[half:])


def _weighted_tree_sum(weights: list[int], values: list[np.ndarray]) -> np.ndarray:
    """Values added as ``make_weighted_tree`` pairs Whoosh's matchers: the two lightest first, each pair put back
    after those weighing as much (the matchers compare neither less nor greater, so ties keep their order)."""
    items = sorted(zip(weights, values, strict=True), key=lambda item: item[0])
    while len(items) > 1:
        (wa, a), (wb, b) = items.pop(0), items.pop(0)
        weight = wa + wb
        items.insert(bisect_right([w for w, _ in items], weight), (weight, a + b))
    return items[0][1]
