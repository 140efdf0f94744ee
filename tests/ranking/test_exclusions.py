"""Exclusions on IndoSum: a query of exclusions alone asks for the articles holding none of them, and NOT queries
are answered by the posting arrays, never by Whoosh's matchers stepping through every article without looking at
the clock (at 1,000,000 articles, 200 exclusions took 94 CPU-s past a 2 s budget and gunicorn killed the
worker; 'yang' less 59 common words 72 CPU-s)."""

from __future__ import annotations

import pytest

from search import Index


def _words_of(index: Index, doc_id: str) -> set[str]:
    page = index.article(doc_id)
    return set(" ".join([page.title, *(paragraph.text for paragraph in page.paragraphs)]).lower().split())


@pytest.fixture
def no_whoosh_walk(monkeypatch):
    """Fail the test if a NOT is handed to Whoosh's matchers (which step through what it excludes, deaf to the clock)."""
    from whoosh.matching import binary, wrappers

    def refused(*args, **kwargs):
        raise AssertionError("a NOT walked by Whoosh's matchers")

    monkeypatch.setattr(wrappers.InverseMatcher, "__init__", refused)
    monkeypatch.setattr(binary.AndNotMatcher, "__init__", refused)


def test_exclusions_alone_list_the_articles_holding_none_of_them(indosum_index, no_whoosh_walk):
    with Index(indosum_index) as index:
        lacking_yang = index.search("-yang", limit=100, facets=True)
        lacking_dan = index.search("-dan", limit=100, facets=True)
        neither = index.search("-yang -dan", limit=100, facets=True, group=False)
        assert 0 < neither.total < min(lacking_yang.total, lacking_dan.total)  # was 158, more than -yang's 46
        assert neither.total == index.search("-yang -dan", sort="newest").total == len(neither.hits)
        assert sum(neither.facets["source"].values()) == neither.total
        assert {hit.explanation["ranker"] for hit in index.search("-yang -dan", explain=True).hits} == {"date"}
        for hit in neither.hits:
            assert not {"yang", "dan"} & _words_of(index, hit.id), hit.id


def test_a_word_less_others_is_ranked_by_the_arrays_the_same(indosum_index, no_whoosh_walk):
    with Index(indosum_index) as index:
        found = index.search("banjir -jakarta", limit=50, facets=True, group=False)
        both = {hit.id for hit in index.search("banjir jakarta", limit=100, group=False).hits}
        assert found.total == 33 and not both & {hit.id for hit in found.hits}
        assert sum(found.facets["source"].values()) == found.total
        assert index.search("yang -dan", limit=10).total == 112


def test_browsing_reads_its_page_s_results_within_the_budget(indosum_index, monkeypatch):
    """Browsing (``*``, filters alone) read the stored fields of every result up to its page, deaf to the budget:
    page 100 of 100 at 1,000,000 articles, 2.5 CPU-s. On a slow disk (10 ms a read, on a clock of the test's own)
    it stops at its 2 s, not after the 1,000 results of page 100 of 10."""
    from whoosh.reading import SegmentReader

    from search import QueryTooSlow
    from search.query import budget

    now, reads = [0.0], [0]
    real = SegmentReader.stored_fields  # a segment's, which the searcher's reader of several asks

    def slow(self, docnum):
        reads[0] += 1
        now[0] += 0.01
        return real(self, docnum)

    with Index(indosum_index, budget_seconds=2) as index:
        index.search("banjir")  # opened, on the real clock
        monkeypatch.setattr(budget, "clock", lambda: now[0])
        monkeypatch.setattr(SegmentReader, "stored_fields", slow)
        with pytest.raises(QueryTooSlow):
            index.search("*", page=100, limit=10)
    assert 200 <= reads[0] < 200 + 256  # the budget's 200 reads, and at most one check's stride more
