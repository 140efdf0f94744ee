"""Each text analysed once for every field that indexes it, for the indexing workers.

The schema indexes an article's body twice -- stemmed (``body``) and as
written (``body_exact``) -- and likewise its title. Both come from one run
of the analysis pass over the text (:func:`search.analysis.tokens.index_words`,
kept until the next text comes), and each distinct word is stemmed once,
not each occurrence. :func:`fast_schema` gives the indexing workers a copy
of the schema whose Cari text fields each get ``word_postings(text)`` --
``{term: positions}`` for a field with positions, ``{term: frequency}``
for one without (a ``Counter``: no position lists built only to be
counted) -- which ``segwriter.PerTermSegmentWriter`` reads, and an
``index`` built on it.

Only *how* the postings are computed changes: the (term, frequency, weight,
value) a field yields are those Whoosh's ``Positions.word_values`` (or
``Frequency.word_values``) would yield through the field's analyzer
(``tests/index/test_fastindex.py`` compares them, and a whole index, with Whoosh's
own path). The copy is for writing segments only: the index's TOC keeps the
real schema.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Callable

from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from search._whoosh.analyzers import IndonesianAnalyzer, NamesAnalyzer
from search.analysis.names import name_terms
from search.analysis.stemmer import shared_stemmer
from search.analysis.tokens import IndexWords, index_words


class _LastText:
    """The analysis of the last text seen: the stemmed and exact fields of one article read it in turn."""

    def __init__(self):
        self.text: str | None = None
        self.words: IndexWords | None = None

    def analysis(self, text: str) -> IndexWords:
        if text != self.text or self.words is None:  # `is` first: the stemmed and exact fields get one str object
            self.text, self.words = text, index_words(text)
        return self.words


def _roots(words: list[str]) -> list[str]:
    """The root of each word: the stem cache's, looked up for all words in one C loop (news repeats a few thousand
    words: most are there), then the stemmer for the few it does not hold yet (each distinct word stemmed once)."""
    stemmer = shared_stemmer()
    cache = stemmer.known_roots()
    try:
        return list(map(cache.__getitem__, words))
    except KeyError:
        for word in set(words).difference(cache):
            stemmer.stem(word)  # into the cache
        return list(map(cache.__getitem__, words))


def _word_postings(memo: _LastText, stemmed: bool, positional: bool) -> Callable[[str], dict]:
    """``text -> {term: positions}`` (a field with positions) or ``{term: frequency}``, from the shared analysis.

    The stemmed fields number the words they keep consecutively from the
    place of the first one (Whoosh's StopFilter renumbers so), the exact
    fields every word from 0.
    """

    terms = _word_tokens(memo, stemmed)

    def word_positions(text: str) -> dict[str, list[int]]:
        words, first = terms(text)
        poses: dict[str, list[int]] = defaultdict(list)
        for pos, word in enumerate(words, first):
            poses[word].append(pos)
        return poses

    def word_counts(text: str) -> dict[str, int]:
        return Counter(terms(text)[0])

    return word_positions if positional else word_counts


def _word_tokens(memo: _LastText, stemmed: bool) -> Callable[[str], tuple[list[str], int]]:
    """``text -> (words, first)``: the terms of ``word_postings`` in text order, and the position of the first
    (``segwriter`` groups them into postings itself, ``token_columns``)."""

    def tokens(text: str) -> tuple[list[str], int]:
        found = memo.analysis(text)
        return (_roots(found.kept), found.first) if stemmed else (found.words, 0)

    return tokens


def _shares_analysis(field) -> bool:
    """Whether the field is a Cari text field with positions or frequencies only (tokens all weigh 1)."""
    return type(field.format) in (Positions, Frequency) and isinstance(field.analyzer, IndonesianAnalyzer)


def fast_schema(schema):
    """A copy of ``schema`` whose Cari text fields share their analysis (see the module doc)."""
    fast = copy.copy(schema)
    fast._fields = dict(schema._fields)
    memo = _LastText()
    fast.text_analysis = memo  # for a caller that wants the words too (a story's signature, search.index.stories)
    for name, field in schema._fields.items():
        if not _shares_analysis(field):
            continue
        twin = copy.copy(field)
        twin.word_postings = _word_postings(memo, field.analyzer.stemmed, type(field.format) is Positions)
        twin.word_tokens = _word_tokens(memo, field.analyzer.stemmed)
        twin.index = _indexer(field, twin.word_postings)
        fast._fields[name] = twin
    for name, field in schema._fields.items():
        if type(field.format) is Frequency and isinstance(field.analyzer, NamesAnalyzer):
            twin = copy.copy(field)
            twin.word_postings = _name_postings
            twin.word_tokens = _name_tokens
            twin.index = _indexer(field, _name_postings)
            fast._fields[name] = twin
    return fast


def _name_postings(text: str) -> dict[str, int]:
    """The ``names`` field's terms, each once (an article holds a run or not), without Whoosh's ``Token`` per
    term (a quarter of the field's analysis)."""
    return dict.fromkeys(name_terms(text), 1)


def _name_tokens(text: str) -> tuple[list[str], int]:
    """The ``names`` field's terms, each once, as ``word_tokens``."""
    return list(dict.fromkeys(name_terms(text))), 0


def _indexer(field, word_postings: Callable[[str], dict]):
    """``field.index`` computed from the shared analysis of the text."""
    boost = field.format.field_boost
    plain_index = field.index
    positional = type(field.format) is Positions
    encode = field.format.encode if positional else None

    def index(value, **kwargs):
        if not isinstance(value, str) or kwargs:
            yield from plain_index(value, **kwargs)
            return
        for word, postings in word_postings(value).items():
            if positional:
                freq, encoded = len(postings), encode(postings)
            else:
                freq, encoded = postings, pack_uint(postings)  # Frequency's value: the count
            yield word.encode("utf-8"), freq, freq * boost, encoded

    return index
