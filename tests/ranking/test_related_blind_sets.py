"""Related articles on IndoSum's blind test sets (issue 21 point 3), judged one by one by reading (eval/related/read/).

- test3.tsv: 20 articles of 20 subjects that each have at least 10 other articles in the archive, blind to which
  method proposed them. More like this with the subject re-rank alone (before the topics): 5 of 20 articles with 8
  of their 10 about their subject, 107 of 200. With the archive's topics: 6 and 117 (118 with session 15's
  readings); with each article's topics stored and a pool of 100 re-ranked by them: 6 and 121.
- test4.tsv: 21 articles of 21 subjects none of the other sets has, chosen by reading IndoSum (never Cari's
  output), read once for the method frozen in session 15 (caca9b7): 4 of 21 with 8 of 10, 103 of 210 (main at
  93bc92f: 4 and 105; without the topics' pass: 3 and 93).
- Session 16: both are tuning sets now (with test.tsv and test2.tsv). A title anchor (the title word most
  likely the subject, its articles first) gave test3 8 of 20, 123 and test4 5 of 21, 96 after tuning on them, and
  was frozen for test5 (e2d7d27).
- test5.tsv: 20 articles of 20 more subjects none of the other sets has, chosen the same way in session 16 and read
  once for the title anchor as frozen and for main without it (59df731): the anchor 4 of 20 with 8 of 10, 83 of 200
  (the page's first 5: 47 of 100); without it 3 and 92 (53). The anchor did not carry over to the blind set and
  was taken out again: the figures below are the method without it.
- test6.tsv: 20 articles of 20 more subjects, chosen the same way in session 17 and read once for a topic-feedback
  pass frozen then (9b8899d) and for main (8e7295b): main 3 of 20 with 8 of 10, 70 of 200 (the page's first 5: 36
  of 100); the frozen pass 4 and 68 (33). Most failures follow a title word that is not the subject.
- test7.tsv: 14 articles of 14 more subjects (each with at least 8 other articles in the archive), chosen by reading in
  session 18 and read once for a re-rank by multilingual-e5-small embeddings frozen then (f06b2a1) and for main
  (6e48850): main 3 of 14 with 8 of 10, 66 of 140 (the page's first 5: 44 of 70); the embeddings 4 and 70 (45).
- test8.tsv: 24 articles drawn at random in session 19 (the article first, its subject as its reader would state it,
  each with at least 8 other articles on it), read once for more like this over 40 words with a coordination factor
  frozen then (66c9881) and for main (b25d5c5): main 11 of 24 with 8 of 10, 165 of 240 (the page's first 5: 89 of
  120); the frozen method 10 and 164 (91).

The issue's bar (every article with 8 of 10) is met by none."""

import pytest

from search import Index
from tests.conftest import bench_module


@pytest.mark.slow
@pytest.mark.parametrize(("name", "articles", "with_eight", "related"), [("test3.tsv", 20, 6, 121),
                                                                         ("test4.tsv", 21, 4, 103),
                                                                         ("test5.tsv", 20, 3, 92),
                                                                         ("test6.tsv", 20, 3, 70),
                                                                         ("test7.tsv", 14, 3, 66),
                                                                         ("test8.tsv", 24, 11, 165)])
def test_a_blind_sets_related_articles_are_about_their_subject_as_read(indosum_index, name, articles, with_eight,
                                                                        related):
    bench = bench_module("related")
    read = bench.readings(name)
    index = Index(indosum_index)
    counts = []
    for doc_id, _subject, _pattern in bench.judged(name):
        hits = index.related(doc_id, limit=10)
        # A related article no reader judged counts as not about the subject (read it and add it to read/NAME).
        counts.append(sum(read.get((doc_id, hit.id), False) for hit in hits))
    assert len(counts) == articles
    assert sum(n >= 8 for n in counts) >= with_eight and sum(counts) >= related, counts
