"""Which of equally close spellings a typo more likely came from: the cost of the typos between them.

A letter left out (``amazn``), two neighbours swapped (``prancsi``) and a
letter typed twice (``eeropa``) are the commonest typos; a letter replaced or
a stray one that doubles none beside it are rarer. So ``amazn`` is ``amazon``
(a letter left out) before the more frequent ``aman`` (a stray ``z``), and
``lampun`` ``lampung`` before ``lampu``.
"""

from __future__ import annotations

# What each typo costs in :func:`typo_cost`: a letter left out, two neighbours swapped and a letter
# typed twice are the commonest; a letter replaced or a stray one typed by mistake cost twice as much.
COMMON_TYPO, RARER_TYPO = 1, 2


def typo_cost(typed: str, meant: str) -> int:
    """How unlikely ``typed`` is as a mistyping of ``meant``: a Damerau edit distance whose edits cost
    ``COMMON_TYPO`` (a letter left out, two neighbours swapped, a letter typed twice) or ``RARER_TYPO``
    (a letter replaced, a stray letter that doubles none beside it).
    """
    def stray(at: int) -> int:
        doubled = typed[at] in typed[max(0, at - 1):at] + typed[at + 1:at + 2]
        return COMMON_TYPO if doubled else RARER_TYPO

    rows = len(typed) + 1
    cost = [[0] * (len(meant) + 1) for _ in range(rows)]
    for i in range(1, rows):
        cost[i][0] = cost[i - 1][0] + stray(i - 1)
    for j in range(1, len(meant) + 1):
        cost[0][j] = j * COMMON_TYPO
        for i in range(1, rows):
            same = typed[i - 1] == meant[j - 1]
            best = min(cost[i - 1][j - 1] + (0 if same else RARER_TYPO),
                       cost[i - 1][j] + stray(i - 1), cost[i][j - 1] + COMMON_TYPO)
            if i > 1 and j > 1 and typed[i - 1] == meant[j - 2] and typed[i - 2] == meant[j - 1]:
                best = min(best, cost[i - 2][j - 2] + COMMON_TYPO)
            cost[i][j] = best
    return cost[-1][-1]
