"""Ranking: BM25F over posting arrays, the Whoosh fallback, stopword pruning, the question re-rank and facets."""
