"""Top-k pruning (MaxScore) for many-word queries: the same top results without scoring every posting.

A pasted sentence is an OR of ~50 branches (its words times the title, body
and exact-form fields), and on a large archive its common words hold most
of the postings: scoring each of them for every article holding it (a
million postings a word at 1,000,000 articles) was most of a sentence's
time, though few of those articles can reach the first page. MaxScore
(Turtle and Flood 1995; Lucene's and tantivy's answer to the same cost)
bounds what each branch can add to any article: BM25's term frequency part
``tf (k1 + 1) / (tf + norm)`` stays under ``k1 + 1``, so a term adds at most
its boost times its idf times ``k1 + 1``, known without reading a posting.
The branches are scored whole in the order of their bounds, highest (the
rare words) first, until the bounds of those left add up to less than the
``limit``-th best score so far: no article can then reach the top on the
words left alone, so only the articles already found with a chance to are
candidates. Every branch is then looked up for the candidates alone
(a binary search in its ascending posting list) and their scores summed in
the query's own order, so scores and order are exactly the exhaustive
scorer's, to the last bit (``tests/ranking/test_maxscore.py``).

What needs every match still has it: which articles matched (the count,
facets, the timeline, stories) is one pass setting a flag per posting, far
cheaper than scoring them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from search.query.budget import Deadline

# Rounding: bounds and partial sums are compared with this much room, relative, so
# that a document scoring the threshold to the last bit is never pruned.
SLACK = 1e-9
# Queries of fewer postings in all are scored whole: on IndoSum (3,463 articles) pruning cost
# twice the time it saved.
MIN_POSTINGS = 200_000
# Before scoring a list this long whole, the threshold is raised with the exact scores of the best so far.
RECHECK_POSTINGS = 20_000
# How many of the best so far (times the limit) are scored exactly for that.
PROBE = 4
# A binary search costs about this many passes over one posting.
SEARCH_COST = 16


@dataclass
class Branch:
    """One branch of the sum: its documents (ascending), the most it adds to one, and how to score it."""

    ids: np.ndarray
    bound: float
    whole: Callable[[], tuple[np.ndarray, np.ndarray]]  # (ids, what it adds to each), every posting
    at: Callable[[np.ndarray], np.ndarray]  # what it adds to the documents at these positions of ``ids``
    bonus: bool = False  # an ANDMAYBE's branch: adds only to documents the query matched


def candidates(branches: list[Branch], matched: np.ndarray, limit: int, deadline: Deadline) -> np.ndarray | None:
    """The matched documents (ascending) that can still be among the ``limit`` best, or None if none can be ruled out.

    Branches are scored whole, highest bound first, into partial sums until
    the bounds of the rest add up to less than a lower bound of the
    ``limit``-th best score: the ``limit``-th best partial sum (every branch
    adds zero or more), or, before a long list, the ``limit``-th best exact
    score of the best documents so far (``exact_scores``), which is higher.
    The documents whose partial sum plus that rest still reaches it are the
    candidates.
    """
    order = sorted(range(len(branches)), key=lambda i: -branches[i].bound)
    # rest[j]: the most the branches from the j-th of ``order`` on can add to one document
    rest = np.cumsum([branches[i].bound for i in reversed(order)])[::-1].tolist() + [0.0]
    partial = np.zeros(len(matched))
    seen = np.zeros(len(matched), dtype=bool)
    pool = np.zeros(0, dtype=np.int64)  # the matched documents of the branches scored so far
    threshold, checked = 0.0, -1
    for step, i in enumerate(order):
        deadline.check()
        if len(branches[i].ids) >= RECHECK_POSTINGS and len(pool) >= limit and checked != len(pool):
            checked = len(pool)
            threshold = max(threshold, _best_exact(branches, pool, partial, limit, len(matched)))
            if rest[step] + _slack(threshold, rest[step]) < threshold:
                return _narrowed(branches, order[step:], rest[step:], pool, partial, threshold, limit)
        ids, values = branches[i].whole()
        partial[ids] += np.where(matched[ids], values, 0.0) if branches[i].bonus else values
        new = ids[~seen[ids]]
        seen[new] = True
        pool = np.concatenate((pool, new[matched[new]]))
        if len(pool) < limit or step == len(order) - 1:
            continue
        threshold = max(threshold, float(np.partition(partial[pool], len(pool) - limit)[len(pool) - limit]))
        if rest[step + 1] + _slack(threshold, rest[step + 1]) < threshold:
            return _narrowed(branches, order[step + 1:], rest[step + 1:], pool, partial, threshold, limit)
    return None


def _narrowed(branches: list[Branch], left: list[int], rest: list[float], pool: np.ndarray, partial: np.ndarray,
              threshold: float, limit: int) -> np.ndarray:
    """The candidates of ``pool`` once the branches ``left`` (highest bound first; ``rest[j]`` the bounds of
    ``left[j:]``) have been added to them alone: after each, those that can no longer reach the threshold drop."""
    docs = _reaching(pool, partial, rest[0], threshold)
    for j, i in enumerate(left):
        if not len(docs):
            break
        at, values = _part(branches[i], docs, len(partial))
        partial[docs[at]] += values
        if len(docs) >= limit:
            threshold = max(threshold, float(np.partition(partial[docs], len(docs) - limit)[len(docs) - limit]))
        docs = docs[partial[docs] + rest[j + 1] + _slack(threshold, rest[j + 1]) >= threshold]
    return docs


def _slack(threshold: float, rest: float) -> float:
    return SLACK * (threshold + rest + 1.0)


def _reaching(pool: np.ndarray, partial: np.ndarray, rest: float, threshold: float) -> np.ndarray:
    """The documents of ``pool`` whose partial sum plus ``rest`` reaches ``threshold``, ascending."""
    kept = pool[partial[pool] + rest + _slack(threshold, rest) >= threshold]
    kept.sort()
    return kept


def _best_exact(branches: list[Branch], pool: np.ndarray, partial: np.ndarray, limit: int, doc_count: int) -> float:
    """The ``limit``-th best exact score of the best ``PROBE`` times ``limit`` documents of ``pool`` by partial sum:
    at least ``limit`` documents score that much, so the ``limit``-th best of all scores at least that."""
    probe = min(len(pool), PROBE * limit)
    best = np.sort(pool[np.argpartition(partial[pool], len(pool) - probe)[len(pool) - probe:]])
    scores = exact_scores(branches, best, doc_count)
    return float(np.partition(scores, probe - limit)[probe - limit])


def exact_scores(branches: list[Branch], docs: np.ndarray, doc_count: int) -> np.ndarray:
    """The score of each of ``docs`` (ascending): every branch's part added in the branches' order.

    The order of the exhaustive scorer's sum (``numpy.bincount`` over the
    branches one after the other, then the bonus), so the same numbers.
    """
    total = np.zeros(len(docs))
    for branch in branches:
        at, values = _part(branch, docs, doc_count)
        total[at] += values
    return total


def _part(branch: Branch, docs: np.ndarray, doc_count: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions in ``docs`` (ascending) of the documents ``branch`` holds, what it adds to each).

    Binary searches for the documents when they are few beside the
    branch's postings, else a pass over the postings.
    """
    if len(docs) * SEARCH_COST < len(branch.ids):
        found = np.searchsorted(branch.ids, docs)
        inside = found < len(branch.ids)
        hit = np.zeros(len(docs), dtype=bool)
        hit[inside] = branch.ids[found[inside]] == docs[inside]
        at = np.flatnonzero(hit)
        return at, branch.at(found[at])
    wanted = np.zeros(doc_count, dtype=bool)
    wanted[docs] = True
    postings = np.flatnonzero(wanted[branch.ids])
    return np.searchsorted(docs, branch.ids[postings]), branch.at(postings)
