"""Related articles on IndoSum's blind test set (eval/related/test3.tsv, issue 21 point 3): 20 articles of 20
subjects that each have at least 10 other articles in the archive, their related articles judged one by one by
reading (eval/related/read/test3.tsv), blind to which method proposed them."""

import pytest

from search import Index
from tests.conftest import bench_module


@pytest.mark.slow
def test_the_blind_test_sets_related_articles_are_about_their_subject_as_read(indosum_index):
    bench = bench_module("related")
    read = bench.readings("test3.tsv")
    index = Index(indosum_index)
    counts = []
    for doc_id, _subject, _pattern in bench.judged("test3.tsv"):
        hits = index.related(doc_id, limit=10)
        # A related article no reader judged counts as not about the subject (read it and add it to read/test3.tsv).
        counts.append(sum(read.get((doc_id, hit.id), False) for hit in hits))
    assert len(counts) == 20
    # More like this with the subject re-rank alone (before the topics): 5 of 20 articles with 8 of their 10 about
    # their subject, 107 of 200. With the archive's topics: 6 and 117 (118 with session 15's readings); with each
    # article's topics stored and a pool of 100 re-ranked by them: 6 and 121. The bar (all 20) is not met.
    assert sum(n >= 8 for n in counts) >= 6 and sum(counts) >= 120, counts
