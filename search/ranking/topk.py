"""Top-k pruning for keyword queries: score only the articles that can reach the page.

A keyword query is an OR of terms (a word in the titles and bodies, stemmed
and as written, and its alternatives) whose score is the sum of theirs. At
1,000,000 articles a common word's body list holds most of them, and
scoring every posting, summing them over every document and partitioning
the sums was most of a 1-3 word query's time (issue 24). The field's answer
is MaxScore (Turtle and Flood 1995; Lucene's ``MaxScoreBulkScorer``):

- each term's score has an upper bound (its BM25 at its largest term
  frequency in the shortest document of the field);
- the terms whose bounds are largest (the titles') are "essential": their
  articles are scored in full (every term of the query, looked up);
- the ``k``-th best of those scores is a floor the page's last result
  cannot fall under; an article in none of the essential lists scores at
  most the sum of the other terms' bounds, so once that sum is under the
  floor, no such article can enter the page and none is scored.

Which articles match, and how many, stays exact: every word of two or more
(``coverage``) is an intersection, found by looking the rarest word's
articles up in the others' lists; one word's matches are marked from its
lists. The ranking is the one the full sums give, to the bit: the same BM25
arithmetic on the same numbers (``ArrayScorer.bm25``), added in the same
order, and a margin keeps every article left out strictly below the floor
(so no tie with the page's last result is lost). Whatever this cannot prune
(a filter, deleted documents, a branch that is not a term, fewer than
``WIDEN_BELOW`` articles holding every word) is ranked by the full sums.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from whoosh import query as q

from search.query.budget import Deadline
from search.query.builder import concept_key
from search.query.parsed import Concept
from search.ranking.coverage import WIDEN_BELOW, concept_parts, holding_all
from search.ranking.doclists import DOC, positions, present, union


class Scorer(Protocol):
    """What pruning asks of the scorer (``scoring.ArrayScorer``, which imports this module)."""

    postings: Any  # _whoosh.postings.PostingArrays

    def bm25(self, fieldname: str, frequency: int, ids: np.ndarray, tf: np.ndarray) -> np.ndarray: ...

    def bm25_bound(self, fieldname: str, frequency: int, most: float) -> float: ...

# Relative slack on each bound and on the floor: rounding in the bound's own
# arithmetic, and a tier's key (score plus a multiple of the best score) can
# round two close scores into one; any article left out is below the floor
# by more than this.
MARGIN = 1e-9
# Essential lists tried before giving up (the titles' usually suffice).
MAX_ROUNDS = 3
# Every word's matches no more than this: all of them scored, no floor needed.
SCORE_ALL = 2000


@dataclass
class Pruned:
    """What the full sums would have given, for the documents that can reach the page.

    ``scores`` and ``tiers`` are zeros but at the candidates, in arrays of
    every document this thread reuses (``_Zeros``): at 1,000,000 articles a
    new one (8 MB of scores) cost ~0.25 ms a query in page faults. Whoever
    ranks with them calls :meth:`release` once done, writing nowhere but at
    the candidates meanwhile.
    """

    scores: np.ndarray  # one per document of the index; only ``candidates`` hold their sums
    matched: np.ndarray  # bool per document: every match (exact)
    candidates: np.ndarray  # the documents scored, ascending
    tiers: np.ndarray | None  # as ``concept_counts``'s counts, at the candidates (None: one concept)
    count: int  # how many matched

    def release(self) -> None:
        """Give the score and tier arrays back, zero again (they are not to be read after this)."""
        _ZEROS.give_back(self.scores, self.candidates)
        if self.tiers is not None:
            _ZEROS.give_back(self.tiers, self.candidates)


class _Zeros(threading.local):
    """Arrays of zeros of one size and type, lent to one ranking at a time in each thread."""

    def __init__(self) -> None:
        self.free: dict[tuple[int, str], np.ndarray] = {}

    def lend(self, count: int, dtype: type) -> np.ndarray:
        """An array of ``count`` zeros: a free one of this thread, else a new one."""
        found = self.free.pop((count, np.dtype(dtype).str), None)
        return found if found is not None else np.zeros(count, dtype=dtype)

    def give_back(self, values: np.ndarray, written: np.ndarray) -> None:
        """Take back ``values``, zero but at ``written`` (where it is zeroed again)."""
        values[written] = 0
        self.free[(len(values), values.dtype.str)] = values


_ZEROS = _Zeros()


@dataclass
class _Branch:
    fieldname: str
    ids: np.ndarray  # ascending
    weights: np.ndarray
    boost: float
    bound: float = 0.0


def top_candidates(  # noqa: PLR0913
    scorer: Scorer, wanted: list, concepts: tuple[Concept, ...] | None, k: int, deadline: Deadline,
) -> Pruned | None:
    """The documents of an OR of terms (``wanted``: (term, boost) pairs) that can be among its ``k`` best, or None.

    ``concepts`` as ``ArrayScorer.rank`` takes them. None: not prunable here
    (a branch that is not a term, too few holding every concept, or too few
    scored to know a floor); the caller sums every posting instead.
    """
    if not wanted or any(type(node) is not q.Term for node, _ in wanted):
        return None
    branches = []
    for node, boost in wanted:
        ids, weights = scorer.postings.get(node.fieldname, node.text)
        # One dtype for every array searched: searchsorted would copy a list of another dtype to compare.
        branches.append(_Branch(node.fieldname, ids.astype(DOC, copy=False), weights, boost * node.boost))
    if any(branch.boost <= 0 for branch in branches):
        return None
    deadline.check()
    count = scorer.postings.doc_count
    parts = concept_parts([concept_key(node) for node, _ in wanted], concepts or ())
    groups = [piece for pieces in parts for piece in pieces]  # every piece of every concept, held by all
    if len(groups) < 2:  # one word (or none): the matches are every list's documents
        matched = np.zeros(count, dtype=bool)
        for branch in branches:
            matched[branch.ids.astype(np.intp)] = True
        within, total, tiers = None, int(np.count_nonzero(matched)), None
    else:
        within = holding_all([[branches[i].ids for i in group] for group in groups], count)
        if len(within) < WIDEN_BELOW:
            return None  # widened to most of the words: ranked by the full sums
        matched = np.zeros(count, dtype=bool)
        matched[within.astype(np.intp)] = True
        total, tiers = len(within), len(parts)
    for branch in branches:
        branch.bound = _bound(scorer, branch) * (1 + MARGIN)
    deadline.check()
    return _maxscore(scorer, branches, within, matched, total, tiers, k, deadline)


def _maxscore(  # noqa: PLR0913
    scorer: Scorer, branches: list[_Branch], within: np.ndarray | None, matched: np.ndarray, total: int,
    tiers: int | None, k: int, deadline: Deadline,
) -> Pruned | None:
    """Score the documents of the essential lists (largest bounds first) until the rest cannot reach the floor.

    The floor is the least full score of the ``k`` best by the essential
    lists' scores alone (``k`` real scores, so the ``k``-th best is at least
    that); an essential document whose partial score plus the rest's bound
    is under the floor is dropped before the other lists are looked up.
    """
    if within is not None and len(within) <= max(k, SCORE_ALL):
        return _scored(scorer, branches, within, matched, total, tiers, deadline)
    order = sorted(range(len(branches)), key=lambda i: -branches[i].bound)
    for essential in range(1, min(len(order), MAX_ROUNDS + 1)):
        rest = sum(branches[i].bound for i in order[essential:]) * (1 + MARGIN)
        chosen = sorted(order[:essential])  # in the query's order: partial sums added as the full ones are
        candidates = union([branches[i].ids for i in chosen], len(matched))
        if within is not None:
            candidates = candidates[present([within], candidates, len(matched))]
        if len(candidates) < k:
            continue
        partial = summed_at(scorer, [branches[i] for i in chosen], candidates, deadline)
        best = candidates[np.sort(np.argpartition(partial, len(partial) - k)[len(partial) - k:])]
        best_sums = summed_at(scorer, branches, best, deadline)
        floor = float(best_sums.min())
        # The tiers' key adds tiers * (best + 1) to each score: a rounding of that size must not close the gap.
        slack = MARGIN * (floor + (0.0 if tiers is None else tiers * (float(partial.max()) + rest + 1.0)))
        if rest + slack < floor:
            return _scored(scorer, branches, candidates[partial + rest + slack >= floor], matched, total, tiers,
                           deadline)
    # No floor high enough: every match scored (the intersection), or (one word) the full sums.
    return None if within is None else _scored(scorer, branches, within, matched, total, tiers, deadline)


def _scored(  # noqa: PLR0913
    scorer: Scorer, branches: list[_Branch], candidates: np.ndarray, matched: np.ndarray, total: int,
    tiers: int | None, deadline: Deadline, sums: np.ndarray | None = None,
) -> Pruned:
    """The ``Pruned`` of ``candidates``, their sums (``sums`` if already added up)."""
    sums = summed_at(scorer, branches, candidates, deadline) if sums is None else sums
    candidates = candidates.astype(np.intp)
    scores = _ZEROS.lend(len(matched), np.float64)
    scores[candidates] = sums
    held = None
    if tiers is not None:
        held = _ZEROS.lend(len(matched), np.int8)
        held[candidates] = tiers
    return Pruned(scores, matched, candidates, held, total)


def summed_at(scorer: Scorer, branches: list[_Branch], docs: np.ndarray, deadline: Deadline) -> np.ndarray:
    """Each of ``docs``'s (ascending) sum of the branches' scores, added branch after branch as ``summed`` adds them."""
    sums = np.zeros(len(docs))
    for branch in branches:
        at, found = positions(branch.ids, docs)
        if len(at):
            tf = branch.weights[found].astype(float)
            sums[at] += branch.boost * scorer.bm25(branch.fieldname, len(branch.ids), docs[at], tf)
        deadline.check()
    return sums


def _bound(scorer: Scorer, branch: _Branch) -> float:
    """The branch's largest possible score: its largest term frequency in the field's shortest document."""
    if not len(branch.ids):
        return 0.0
    return branch.boost * scorer.bm25_bound(branch.fieldname, len(branch.ids), float(branch.weights.max()))
