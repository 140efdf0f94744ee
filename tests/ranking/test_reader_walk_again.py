"""What a reader still met on IndoSum after session 19's walkthrough (issue 21, session 20).

Each test reads the articles themselves (``indosum_docs``) to judge Cari's answers.
"""

import pytest

from search import Index
from tests.ranking.test_reader_archive import holds


@pytest.mark.parametrize("common", ["di", "untuk", "saat", "sudah"])
@pytest.mark.parametrize("field, words", [("title:banjir", "jakarta"), ("source:kumparan banjir", "jakarta"),
                                          ("title:jokowi", "prabowo")])
def test_a_common_word_beside_a_field_is_not_asked_for(indosum_index, indosum_docs, common, field, words):
    # Words beside a field are each asked for (2bc4171), the common ones too: 'title:banjir untuk jakarta' listed
    # 3 articles, 'title:banjir saat jakarta' 2, where 'title:banjir jakarta' lists 5, as if the reader wanted
    # "untuk" in them; plain keywords leave such a word out (0ad3292).
    searcher = Index(indosum_index)
    typed = searcher.search(f"{field} {common} {words}", limit=100)
    without = searcher.search(f"{field} {words}", limit=100)
    assert typed.total == without.total >= 2 and typed.matched == "all"
    assert {hit.id for hit in typed.hits} == {hit.id for hit in without.hits}
    assert all(holds(indosum_docs[hit.id], words) for hit in typed.hits)
