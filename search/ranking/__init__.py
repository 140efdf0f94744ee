"""Ranking: BM25F over posting arrays, the Whoosh fallback, stopword pruning, the question re-rank and facets.

``policy.RankingPolicy`` is the stage's entry point: the searcher hands it a
parsed query and gets stored fields back, best first.
"""
