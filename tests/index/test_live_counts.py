"""A word's articles counted over the live articles only, in a segment holding replaced ones (search._whoosh.live)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from search._whoosh.live import live_in
from search.index.batch import ADD
from search.index.build import build_index
from tests.conftest import make_index, news, whoosh_searcher, write_jsonl


def test_a_word_s_articles_leave_out_the_replaced_ones_in_long_lists_and_short(tmp_path):
    """'banjir' is in all 60 articles of the first segment, three of them replaced (a list far longer than the
    replaced articles: they are looked up in it); 'gempa' in ten (each of its articles looked up)."""
    first = [news(i, "Kompas.com", "2023-01-01", "banjir gempa" if i < 10 else "banjir") for i in range(60)]
    index = make_index(tmp_path, first)
    corrected = [news(i, "Kompas.com", "2023-01-02", "banjir") for i in range(3)]
    report = build_index([write_jsonl(tmp_path / "corrected.jsonl", corrected)], index, mode=ADD)
    assert report.changed == 3
    with whoosh_searcher(index) as searcher:
        reader = searcher.reader()
        assert reader.doc_count() == 60
        assert reader.doc_frequency("body_exact", "banjir") == 60  # Whoosh's own count says 63
        assert reader.doc_frequency("body_exact", "gempa") == 7  # 10: the three replaced no longer have it


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000), st.data())
def test_live_in_counts_what_the_live_mask_says_however_long_the_list(size, data):
    """Few deleted (a long list's are looked up in it) or many (each of the list's looked up)."""
    most_deleted = data.draw(st.sampled_from([3, size]))
    deleted = np.array(sorted(data.draw(st.sets(st.integers(0, size - 1), max_size=most_deleted))), dtype=np.int64)
    live = np.ones(size, dtype=bool)
    live[deleted] = False
    ids = np.unique(np.array(data.draw(st.lists(st.integers(0, size - 1), max_size=size)), dtype=np.int32))
    assert live_in(ids, live, deleted) == int(live[ids].sum())
