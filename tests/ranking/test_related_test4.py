"""Related articles on IndoSum's second blind test set (eval/related/test4.tsv, issue 21 point 3): 21 articles of 21
subjects none of the other sets has, chosen by reading IndoSum (never Cari's output), their related articles
judged one by one by reading (eval/related/read/test4.tsv) once, for the method frozen in session 15."""

import pytest

from search import Index
from tests.conftest import bench_module


@pytest.mark.slow
def test_the_second_blind_sets_related_articles_are_about_their_subject_as_read(indosum_index):
    bench = bench_module("related")
    read = bench.readings("test4.tsv")
    index = Index(indosum_index)
    counts = []
    for doc_id, _subject, _pattern in bench.judged("test4.tsv"):
        hits = index.related(doc_id, limit=10)
        # A related article no reader judged counts as not about the subject (read it and add it to read/test4.tsv).
        counts.append(sum(read.get((doc_id, hit.id), False) for hit in hits))
    assert len(counts) == 21
    # The method frozen at caca9b7: 4 of 21 articles with 8 of their 10 about their subject, 103 of 210 (main at
    # 93bc92f: 4 and 105; without the topics' pass: 3 and 93). The issue's bar (all of them) is far from met.
    assert sum(n >= 8 for n in counts) >= 4 and sum(counts) >= 103, counts
