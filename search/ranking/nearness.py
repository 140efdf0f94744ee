"""A keyword query's nearness bonus read only where it can change the page (issue 24).

Keywords rank the articles holding the words typed close together first:
an ANDMAYBE of phrases (``coverage.with_nearness``) checked on the
``NEARNESS_CANDIDATES`` best articles so far. Checking a phrase reads each
word's positions in each candidate, a compressed block decoded per word
and article (~1.4 ms a 1-3 word query at 1,000,000 articles). But a phrase
adds either nothing or its words' scores in the article, and those are
known from the posting arrays without a position (``PhraseBranches.bound``):
each candidate's score with every phrase it could hold added is an upper
bound of its score to come. So the candidates whose bounds are highest are
checked first; the ``limit``-th best of the scores then known (theirs with
the bonus, the others' without) is a floor the page's last result cannot
fall under, and only the candidates whose bounds reach it are checked
after them. Those never checked keep their score without the bonus: they
are below the page, and rank there as before. Scores on the page are the
same to the bit: each phrase is added in the bonus's order as before, and
a margin keeps every candidate left out strictly below the floor.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from search.query.budget import Deadline
from search.ranking.topk import MARGIN

Scores = tuple[np.ndarray, np.ndarray]
# (phrase, documents ascending) -> (the documents holding its words, what it adds to each if it holds it), or None
Bound = Callable[[object, np.ndarray], Scores | None]
# (phrase, documents ascending) -> (the documents holding the phrase, what it adds to each)
Check = Callable[[object, np.ndarray], Scores]


def add_nearness(  # noqa: PLR0913
    bonus: list, scores: np.ndarray, candidates: np.ndarray, limit: int, held: np.ndarray | None,
    bound: Bound, check: Check, deadline: Deadline,
) -> None:
    """Add the phrases of ``bonus`` ((phrase, boost) pairs) to ``scores`` at those of ``candidates``
    (ascending) holding them that can be on the page of ``limit`` (``held``: the tiers, as ``Ranking.top``
    takes them), or at every candidate when a phrase has no bound."""
    upper = upper_bounds(bonus, scores, candidates, bound) if len(candidates) > limit else None
    if upper is None:
        add_phrases(bonus, scores, candidates, check, deadline)
        return
    lower = scores[candidates]  # each candidate's score as known: its own without the bonus until checked
    tiers = held[candidates] if held is not None else np.zeros(len(candidates), dtype=np.int8)
    unchecked = np.ones(len(candidates), dtype=bool)
    first = np.lexsort((-upper, -tiers))[:limit]  # the highest bounds first: the floor they give is near the page's
    for chosen in (first, None):
        if chosen is None:
            chosen = np.flatnonzero(unchecked & _may_reach(lower, upper, tiers, limit, held is not None))
        chosen = np.sort(chosen)
        add_phrases(bonus, scores, candidates[chosen], check, deadline)
        lower[chosen] = scores[candidates[chosen]]
        unchecked[chosen] = False


def upper_bounds(bonus: list, scores: np.ndarray, candidates: np.ndarray, bound: Bound) -> np.ndarray | None:
    """Each candidate's score with every phrase whose words it holds added, in the bonus's order (so never
    under its score with the bonus: rounding is monotonic); None if a phrase has no bound."""
    upper = scores[candidates]
    for node, boost in bonus:
        found = bound(node, candidates)
        if found is None or boost < 0 or (found[1] < 0).any():
            return None
        docs, values = found
        upper[np.searchsorted(candidates, docs)] += boost * values
    return upper


def _may_reach(lower: np.ndarray, upper: np.ndarray, tiers: np.ndarray, limit: int, tiered: bool) -> np.ndarray:
    """Whether each candidate can still be on the page (or score best of all, which the tiers' key is made of)."""
    last = np.lexsort((-lower, -tiers))[limit - 1]  # the limit-th best known, by tier then score
    # The tiers' key adds tiers * (best + 1) to each score: a rounding of that size must not close the gap.
    slack = MARGIN * (abs(float(lower[last])) + float(tiers.max()) * (float(upper.max()) + 1.0))
    reach = (tiers > tiers[last]) | ((tiers == tiers[last]) & (upper + slack >= lower[last]))
    if tiered:
        reach |= upper + slack >= lower.max()
    return reach


def add_phrases(bonus: list, scores: np.ndarray, docs: np.ndarray, check: Check, deadline: Deadline) -> None:
    """Each phrase's score added at those of ``docs`` holding it, phrase after phrase."""
    if not len(docs):
        return
    for node, boost in deadline.checked(bonus, every=1):
        ids, values = check(node, docs)
        scores[ids] += boost * values
