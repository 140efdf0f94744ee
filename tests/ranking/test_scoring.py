"""Scoring: cached field lengths give exactly Whoosh's BM25F, and the array scorer exactly what Whoosh's matchers
give with the statistics of the live documents (search/ranking/scoring.py, search/_whoosh/live.py)."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import scoring
from whoosh.index import open_dir

from search import Filters, Index
from search._whoosh.lengths import CachedLengthBM25F
from search.index import generations
from search.query.weights import BM25_PARAMS
from search.ranking.facets import facet_counts, facet_options
from search.ranking.flat import flat_query
from search.ranking.scoring import ArrayScorer
from tests.conftest import built_then_updated, seed_sentences, whoosh_searcher

QUERIES = (
    "mengusir",
    "rusia ukraina kazakhstan",
    "pasukan Rusia menarik diri dari Kazakhstan",
    "kapan kazakhstan rusuh",
    "berapa orang tewas dalam kerusuhan",
    "yang di dan",
    "Menlu AS bertemu Dubes",
    '"pasukan rusia" kazakhstan',
    "kazak* ukraina",
    "(rusia ukraina)^2 kazakhstan",
    "pasukan OR (rusia AND kazakhstan)",
    "rusia AND (kazakhstan OR ukraina)",
    "rusia NOT ukraina",
    "kata tidak ada dalam indeks xyzzy",
)


def test_cached_lengths_score_exactly_like_whoosh(seed_index):
    searcher = Index(seed_index)
    searcher.search("warmup")  # opens the index
    index = open_dir(str(generations.live_generation(seed_index)))
    for text in ("mengusir", "rusia ukraina kazakhstan", "kapan kazakhstan rusuh", '"pasukan rusia"'):
        query = searcher.parse(text).query
        with index.searcher(weighting=scoring.BM25F(**BM25_PARAMS)) as plain:
            expected = [(hit.docnum, hit.score) for hit in plain.search(query, limit=None)]
        with index.searcher(weighting=CachedLengthBM25F(**BM25_PARAMS)) as cached:
            got = [(hit.docnum, hit.score) for hit in cached.search(query, limit=None)]
        assert expected and got == expected, text


@pytest.fixture(scope="module")
def updated_index(tmp_path_factory):
    """Articles made of seed sentences, built, then updated (some changed, some gone: deleted documents,
    a second segment)."""
    sentences = seed_sentences()
    rng = random.Random(5)
    articles = [
        {
            "id": f"a{i}",
            "title": rng.choice(sentences)[:80],
            "text": " ".join(rng.sample(sentences, rng.randint(2, 8))),
            "source": ["Kompas", "Tempo", "Antara"][i % 3],
            "date": f"{2021 + i % 3}-0{1 + i % 9}-1{i % 10}",
        }
        for i in range(120)
    ]
    return built_then_updated(tmp_path_factory.mktemp("array-scorer"), articles, changed=10, gone=15)


def whoosh_scores(searcher, query, **options) -> dict[int, float]:
    """Every match of ``query`` with its score, by Whoosh's own matchers (BM25F over the live documents)."""
    with whoosh_searcher(searcher.index_dir) as plain:
        return {hit.docnum: hit.score for hit in plain.search(query, limit=None, optimize=False, **options)}


def ranked(searcher, text, **kwargs):
    parsed = searcher.parse(text)  # opens the index
    query = searcher.policy.pruned(parsed).query  # the stopwords most articles hold left out
    return query, searcher.scorer.rank(query, None, **kwargs)


@pytest.mark.parametrize("text", QUERIES)
def test_array_scorer_gives_whoosh_scores_and_matches(updated_index, text):
    searcher = Index(updated_index)
    query, ranking = ranked(searcher, text)
    assert ranking is not None, f"{text!r} is a flat query"
    expected = whoosh_scores(searcher, query)
    assert dict(ranking.results) == pytest.approx(expected, rel=1e-9)
    assert ranking.total == len(expected)
    scores = [score for _, score in ranking.results]
    assert scores == sorted(scores, reverse=True)


def test_a_phrase_branch_is_scored_once_per_searcher(updated_index, monkeypatch):
    searcher = Index(updated_index)
    text = '"pasukan rusia" kazakhstan'
    calls = []
    real = ArrayScorer._score_branch
    monkeypatch.setattr(ArrayScorer, "_score_branch", lambda self, node, *a: calls.append(node) or real(self, node, *a))
    query, first = ranked(searcher, text)
    assert calls  # the phrase's branches, scored
    calls.clear()
    _, again = ranked(searcher, text)
    assert calls == []  # and kept
    assert again.results == first.results


def test_array_scorer_leaves_out_deleted_and_filtered_articles(updated_index):
    searcher = Index(updated_index)
    gone = {hit.id for hit in searcher.search("kazakhstan", limit=100).hits} & {f"a{i}" for i in range(105, 120)}
    assert not gone
    filters = Filters(source="Tempo", date_from="2022-01-01", date_to="2022-12-31")
    query, ranking = ranked(searcher, "pasukan Rusia Kazakhstan", filter_query=filters.to_query())
    expected = whoosh_scores(searcher, query, filter=filters.to_query())
    assert expected and dict(ranking.results) == pytest.approx(expected, rel=1e-9)
    for hit in searcher.search("pasukan Rusia Kazakhstan", filters=filters, limit=100).hits:
        assert hit.source == "Tempo" and hit.date.startswith("2022")


def test_array_scorer_facets_count_like_whoosh(updated_index):
    searcher = Index(updated_index)
    query, _ = ranked(searcher, "kazakhstan")  # one word: two count the articles holding both (test_reader_archive)
    with whoosh_searcher(updated_index) as plain:
        expected = facet_counts(plain.search(query, limit=None, groupedby=facet_options()))
    got = searcher.search("kazakhstan", facets=True).facets
    months = got.pop("month")  # Whoosh has no month facet: the months of the years it counts
    del got["people"], got["organisations"]  # nor people and organisations (tests/index/test_names.py)
    assert got == expected and sum(got["source"].values()) > 10
    for year, count in got["year"].items():
        assert sum(n for month, n in months.items() if month.startswith(year)) == count


def test_top_results_break_ties_by_document_number(updated_index):
    searcher = Index(updated_index)
    query, everything = ranked(searcher, "kazakhstan")
    top = searcher.scorer.rank(query, 5)
    assert top.results == everything.results[:5] and top.total == everything.total


@pytest.mark.parametrize("text", ["NOT rusia", "NOT (rusia ukraina)"])
def test_other_queries_are_left_to_whoosh(updated_index, text):
    searcher = Index(updated_index)
    searcher.search("warmup")
    assert flat_query(searcher.parse(text).query) is None
    live = searcher.scorer.postings.live  # Whoosh's NOT also matched a deleted document: the total counted it
    matches = [docnum for docnum in whoosh_scores(searcher, searcher.parse(text).query) if live[docnum]]
    assert searcher.search(text).total == len(matches)


def test_posting_cache_drops_the_least_recently_used_lists_beyond_its_limit():
    import numpy as np

    from search._whoosh.postings import ITEM_BYTES, BoundedCache

    two = ITEM_BYTES + 2 * 8 + 2 * 8  # an entry of two int64 and two float64
    cache, computed = BoundedCache(limit=2 * two + 10), []

    def arrays(key, size):
        return cache.get(key, lambda: computed.append(key) or (np.arange(size), np.ones(size)))

    arrays("a", 2), arrays("b", 2), arrays("a", 2)  # "a" read again: now the most recent
    arrays("c", 2)  # three entries of two > the limit: "b" goes
    assert cache.size == 2 * two
    arrays("a", 2), arrays("b", 2), arrays("big", 30)  # too big to keep at all
    arrays("big", 30)
    assert computed == ["a", "b", "c", "b", "big", "big"]


def test_posting_cache_counts_views_of_a_mapped_file_as_free_but_for_their_entry():
    import numpy as np

    from search._whoosh.postings import ITEM_BYTES, BoundedCache, owned_bytes

    mapped = np.frombuffer(bytes(4000), dtype=np.int32)  # as the posting arrays are: views of a buffer
    assert owned_bytes((mapped[:500], mapped[500:])) == ITEM_BYTES
    assert owned_bytes((np.zeros(10, np.int32), mapped)) == ITEM_BYTES + 40
    cache = BoundedCache(limit=10 * ITEM_BYTES)
    for key in range(25):
        cache.get(key, lambda: (mapped, mapped))
    assert cache.size == 10 * ITEM_BYTES  # the number of entries stays bounded all the same


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sets(st.integers(0, 199), max_size=120), st.integers(0, 2**32 - 1)), max_size=12))
def test_summed_gives_the_sums_of_adding_every_branch_in_order_to_the_last_bit(branch_specs):
    import numpy as np

    from search.ranking.scoring import summed

    branches = []
    for docs, seed in branch_specs:
        values = np.random.default_rng(seed).random(len(docs)) * 10 + 1e-3
        branches.append((np.array(sorted(docs), dtype=np.int32), values))
    scores, matched = summed(branches, 200)
    expected = np.zeros(200)
    for ids, values in branches:  # one posting at a time, branch after branch
        for doc, value in zip(ids.tolist(), values.tolist(), strict=True):
            expected[doc] += value
    assert scores.tolist() == expected.tolist()
    held = {doc for docs, _ in branch_specs for doc in docs}
    assert np.flatnonzero(matched).tolist() == sorted(held)
