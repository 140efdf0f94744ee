"""Cari: full-text search for Indonesian news (Sastrawi analysis, Whoosh index).

The pipeline, one module each::

    articles (parse + clean) -> analysis (Indonesian analyzer) -> indexer (build,
    atomic swap) -> searcher (query, rank, snippets) -> cli | web

This package imports nothing heavy at start-up; import the modules you need.
"""

__version__ = "0.1.0"
