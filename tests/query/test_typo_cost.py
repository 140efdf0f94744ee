"""``typo_cost`` computed a column at a time is the weighted Damerau distance it was written as (issue 24).

The reference below is the matrix as first written (``search/query/typo_cost.py`` before it was made
~3x faster for the close spellings a 1-3 word query costs): every pair must cost the same.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from search.query.typo_cost import COMMON_TYPO, RARER_TYPO, typo_cost


def reference(typed: str, meant: str) -> int:
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


# Few letters, so that doubles, swaps and shared runs are common.
spellings = st.text(alphabet="aabkn", max_size=10)


@settings(max_examples=3000, deadline=None)
@given(spellings, spellings)
def test_the_cost_is_the_matrix_s(typed, meant):
    assert typo_cost(typed, meant) == reference(typed, meant)


def test_the_commonest_typos_cost_least():
    assert typo_cost("amazn", "amazon") == typo_cost("prancsi", "prancis") == typo_cost("eeropa", "eropa") == 1
    assert typo_cost("amazn", "aman") > 1 and typo_cost("", "") == 0 and typo_cost("ab", "") == 4
