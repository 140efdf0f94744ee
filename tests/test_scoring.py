"""Cached field lengths give exactly Whoosh's BM25F scores (search/scoring.py)."""

from whoosh import scoring
from whoosh.index import open_dir

from search import store
from search.schema import BM25_PARAMS
from search.scoring import CachedLengthBM25F
from search.searcher import Searcher


def test_cached_lengths_score_exactly_like_whoosh(seed_index):
    searcher = Searcher(seed_index)
    searcher.search("warmup")  # opens the index
    builder, index = searcher._builder, open_dir(str(store.live_generation(seed_index)))
    for text in ("mengusir", "rusia ukraina kazakhstan", "kapan kazakhstan rusuh", '"pasukan rusia"'):
        query = builder.parse(text)
        with index.searcher(weighting=scoring.BM25F(**BM25_PARAMS)) as plain:
            expected = [(hit.docnum, hit.score) for hit in plain.search(query, limit=None)]
        with index.searcher(weighting=CachedLengthBM25F(**BM25_PARAMS)) as cached:
            got = [(hit.docnum, hit.score) for hit in cached.search(query, limit=None)]
        assert expected and got == expected, text
