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

    Computed a column of ``meant`` at a time with each stray letter's cost worked out once (it depends on
    ``typed`` alone): every close spelling of a query's word is costed, ~9 a 1-3 word query.
    """
    rows = len(typed) + 1
    # The cost of typed[i] as a stray letter: common where it doubles a neighbour.
    stray = [COMMON_TYPO if typed[i] in typed[max(0, i - 1):i] + typed[i + 1:i + 2] else RARER_TYPO
             for i in range(len(typed))]
    before2: list[int] = []  # the column two to the left (for swaps)
    before = [0] * rows  # the column to the left: cost[i][j - 1]
    for i in range(1, rows):
        before[i] = before[i - 1] + stray[i - 1]
    for j in range(1, len(meant) + 1):
        letter, previous = meant[j - 1], meant[j - 2] if j > 1 else ""
        column = [j * COMMON_TYPO] + [0] * (rows - 1)
        for i in range(1, rows):
            best = before[i - 1] + (0 if typed[i - 1] == letter else RARER_TYPO)
            deleted = column[i - 1] + stray[i - 1]
            if deleted < best:
                best = deleted
            inserted = before[i] + COMMON_TYPO
            if inserted < best:
                best = inserted
            if i > 1 and j > 1 and typed[i - 1] == previous and typed[i - 2] == letter:
                swapped = before2[i - 2] + COMMON_TYPO
                if swapped < best:
                    best = swapped
            column[i] = best
        before2, before = before, column
    return before[-1]
