"""Property tests: no query text, however hostile, makes the search API raise
anything but a QueryError (which front ends show as a clear message)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import Index
from search.errors import QueryError
from web.render import marked_html

# Pieces of query syntax, so that random queries hit the parser's corners
# far more often than random characters alone would.
SYNTAX = st.sampled_from(
    ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", '"', "(", ")", "*", "?", ":", "^", "~", "[", "]", "{", "}",
     "-", "+", "\\", "'", "title:", "body:", "source:", "author:", "judul:", "*:*", "<script>", "&amp;", "\x00",
     "\x1b", "\u200b", "\ufeff", "\n", "\t", " ", "rusia", "mengusir", "kazak", "2.500", "Covid-19", "字", "é"]
)
QUERIES = st.one_of(
    st.text(max_size=200),
    st.lists(SYNTAX, max_size=15).map(" ".join),
    st.lists(SYNTAX, max_size=15).map("".join),
    st.text(min_size=1000, max_size=10_000),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERIES, page=st.integers(min_value=-2, max_value=5))
def test_search_never_raises_anything_but_query_error(seed_index, text, page):
    searcher = Index(seed_index)
    try:
        results = searcher.search(text, page=page, limit=3)
    except QueryError as e:
        assert str(e)  # a message for the user, never empty
        return
    assert results.total >= 0 and len(results.hits) <= 3
    for hit in results.hits:
        # Snippets are escaped: the only tags are our <mark>s.
        stripped = marked_html(hit.snippet).replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERIES)
def test_batch_ranking_never_raises(seed_index, text):
    # Batch runs search anything as plain words when the syntax is bad.
    try:
        ranked = Index(seed_index).ranked_ids(text, 10)
    except QueryError:
        return
    assert len(ranked) <= 10
