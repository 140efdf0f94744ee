"""The word lists analysis and query rewriting read: Sastrawi's stopwords and Cari's data files.

The data files live in ``search/data`` (one entry a line, ``#`` starts a
comment), so a user can extend them without touching code.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory


def read_lines(name: str) -> list[str]:
    """Lines of a data file shipped in ``search/data``, without comments and blank lines."""
    text = resources.files("search.data").joinpath(name).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Sastrawi's Indonesian stopword list, loaded once."""
    return frozenset(StopWordRemoverFactory().get_stop_words())


def load_stem_exceptions() -> dict[str, str]:
    """``word -> root`` corrections for Sastrawi, from ``stem_exceptions.tsv``.

    A word mapped to itself is protected from stemming (proper names such as
    ``bekasi`` that Sastrawi would reduce to ``bekas``).
    """
    table = {}
    for line in read_lines("stem_exceptions.tsv"):
        word, _, root = line.partition("\t")
        table[word.strip().lower()] = (root.strip() or word.strip()).lower()
    return table


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    """Words that only ask (``apakah``, ``siapa``, ``manakah``), lowercased."""
    return frozenset(w.lower() for w in read_lines("question_words.txt"))
