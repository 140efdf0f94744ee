"""What a ranking returns: the documents of one query's page in order, and which documents matched it.

``ArrayScorer`` (``scoring``) makes one from its summed scores with :meth:`Ranking.top`, or by date with
:meth:`Ranking.newest`; ``RankingPolicy`` (``policy``) turns it into hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from search.ranking.dates import DateOrder


@dataclass
class Ranking:
    """Ranked document numbers of one query, and which documents matched it."""

    results: list[tuple[int, float | None]]  # (document number, score) best first; by date, newest first, no score
    matched: np.ndarray  # bool, one per document of the index
    coverage: str = "all"  # "all": every word asked is in every match; "most": widened to most of them
    counted: int | None = field(default=None, repr=False)  # how many matched, where the ranking counted them

    @property
    def total(self) -> int:
        """How many documents matched."""
        return int(self.matched.sum()) if self.counted is None else self.counted

    @classmethod
    def top(cls, scores: np.ndarray, matched: np.ndarray, limit: int | None, tiers: np.ndarray | None = None,
            coverage: str = "all", dates: DateOrder | None = None, candidates: np.ndarray | None = None) -> Ranking:
        """Best first; equal scores newest first by ``dates``, else by document number, as Whoosh orders them.

        With ``dates``, the results may run past ``limit``: by those tied with
        the last one in score and date, whose order RankingPolicy sets by id.

        ``tiers`` (one small integer per document) orders first, the score
        within a tier: the documents holding more of a query's words.
        ``candidates``: ``np.flatnonzero(matched)``, if the caller has it.
        The arithmetic is on the matched documents alone, not on arrays of
        every document.
        """
        candidates = np.flatnonzero(matched) if candidates is None else candidates
        counted = len(candidates)
        values = scores[candidates]
        if tiers is not None and len(candidates):
            # One key: every score is below the span, so a tier always beats a higher score.
            span = float(values.max()) + 1.0
            values = values + tiers[candidates] * span
        if limit is not None and len(candidates) > limit:
            # Everything scoring at least the limit-th best, so ties at the edge
            # are settled by document number rather than by argpartition.
            threshold = np.partition(values, len(values) - limit)[len(values) - limit]
            kept = values >= threshold
            candidates, values = candidates[kept], values[kept]
        # Equal scores: newest first (then by document number; RankingPolicy puts equal dates in id order),
        # not by document number alone, which changes between generations when nothing else does.
        by_date = candidates if dates is None else dates.rank[candidates]
        order = np.lexsort((by_date, -values))
        if dates is not None and limit and len(order) > limit:
            # Those tied with the last one kept, score and date, come too: their order is the ids'.
            last, rest = order[limit - 1], order[limit:]
            tied = (values[rest] == values[last]) & (dates.values[candidates[rest]] == dates.values[candidates[last]])
            limit += int(np.argmin(tied)) if not tied.all() else len(rest)
        best = candidates[order[:limit]]
        return cls(list(zip(best.tolist(), scores[best].tolist(), strict=True)), matched, coverage, counted)

    @classmethod
    def newest(cls, dates: DateOrder, matched: np.ndarray, limit: int | None, coverage: str = "all") -> Ranking:
        """Newest first, undated last; no scores. Those dated as the last one kept come too: RankingPolicy
        orders equal dates by id."""
        return cls([(docnum, None) for docnum in dates.newest(matched, limit, ties=True).tolist()], matched, coverage)
