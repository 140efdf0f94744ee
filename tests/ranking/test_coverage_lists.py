"""Every concept's matches found from the posting lists (``coverage.holding_all``, which top-k pruning
uses) are the documents ``concept_counts`` and ``all_or_most`` keep as "all" (issue 24)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from search.ranking.coverage import all_or_most, concept_counts, concept_groups, holding_all

DOCS = 300

lists = st.lists(st.sets(st.integers(0, DOCS - 1), max_size=DOCS), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(lists, min_size=2, max_size=4), st.booleans())
def test_holding_all_is_what_the_counts_keep_as_all(concept_lists, dense):
    # Each concept's branches (a word in titles and bodies, its forms): sorted lists of document numbers.
    size = DOCS * 40 if dense else DOCS  # a small count of documents makes union and look-ups mark arrays
    keys, ids, concepts = [], [], []
    for number, branches in enumerate(concept_lists):
        concepts.append(frozenset(f"c{number}b{i}" for i in range(len(branches))))
        for i, docs in enumerate(branches):
            keys.append(f"c{number}b{i}")
            ids.append(np.array(sorted(docs), dtype=np.int32))
    groups = concept_groups(keys, tuple(concepts))
    assert [[keys[i] for i in group] for group in groups] == [sorted(c, key=keys.index) for c in concepts]
    found = holding_all([[ids[i] for i in group] for group in groups], size)
    held, asked = concept_counts(keys, ids, tuple(concepts), size)
    every, coverage = all_or_most(held, asked, np.ones(size, dtype=bool))
    assert asked == len(concept_lists)
    if coverage == "all":
        assert np.array_equal(found, np.flatnonzero(every))
    else:
        assert np.array_equal(found, np.flatnonzero(held >= asked))  # too few to keep: widened to most


def test_a_concept_is_asked_when_a_branch_of_it_is_in_the_query():
    concepts = (frozenset({"a", "a2"}), frozenset({"b"}), frozenset({"c"}))
    assert concept_groups(["a", "x", "b", "a2"], concepts) == [[0, 3], [2]]  # c is not asked, x is no concept
    assert concept_counts(["a", "x"], [np.array([1]), np.array([2])], concepts, 5) is None  # one concept asked


def test_widening_that_adds_no_article_still_says_all():
    # Two concepts asked; one article holds both and no article holds either alone (a small archive, or a
    # filter leaving few): the results hold every word, so they are "all", not "most" (the CLI then told
    # the reader that few articles hold every word and showed those holding most).
    held = np.array([2, 0, 0, 0], dtype=np.int8)
    kept, coverage = all_or_most(held, 2, np.ones(4, dtype=bool))
    assert coverage == "all" and np.flatnonzero(kept).tolist() == [0]
    # One more article holding one of the words: widened, and said so.
    held[1] = 1
    kept, coverage = all_or_most(held, 2, np.ones(4, dtype=bool))
    assert coverage == "most" and np.flatnonzero(kept).tolist() == [0, 1]
