"""Each text analysed once for every field that indexes it, for the indexing workers.

The schema indexes an article's body twice -- stemmed (``body``) and as
written (``body_exact``) -- and likewise its title. Both come from one run
of the analysis pass over the text (:func:`search.analysis.tokens.index_parts`,
kept until the next text comes), and each word of it is looked up once in
the writer's :class:`WordNumbers`: its number there is the exact fields'
term, and the table holds for each number the root number the stemmed
fields take (-1: a stopword; each distinct word stemmed once, through the
stem cache) and the word's hash a story's signature reads. One dictionary
lookup a token where the stopword test, the stem cache, each field's
numbering of its terms and the signature's word hashes took one each; the
rest are numpy takes. :func:`fast_schema` gives the indexing workers a copy
of the schema whose Cari text fields each get ``word_numbers(text)`` (the
numbers of its terms in order, which ``segwriter.PerTermSegmentWriter``
groups into postings, ``token_columns``), ``word_postings(text)`` --
``{term: positions}`` for a field with positions, ``{term: frequency}``
for one without (a ``Counter``) -- and an ``index`` built on it. The
writer forgets the table's words whenever it writes its terms out as a run
(no tokens then wait as numbers), so the table holds at most a run's words.

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

import numpy as np
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from search._whoosh.analyzers import IndonesianAnalyzer, NamesAnalyzer
from search._whoosh.token_columns import Numbers
from search.analysis.abbreviations import abbreviations_in
from search.analysis.names import name_terms
from search.analysis.stemmer import shared_stemmer
from search.analysis.tokens import index_parts, word_hash
from search.analysis.wordlists import stopwords


class WordNumbers(Numbers):
    """``word -> number`` for the text fields' words, with each number's root number and hash (see the module doc).

    A word not seen since the last :meth:`forget` is numbered once
    (``__missing__``): its root (the stem cache's, Sastrawi for a new word;
    -1 for a stopword or an empty part) numbered in :attr:`roots`, and its
    32-bit hash for a story's signature (:func:`search.analysis.tokens.word_hash`).
    """

    def __init__(self) -> None:
        super().__init__()  # ``words``: number -> word, the exact-form fields' term
        self.roots = Numbers()  # root -> number; ``roots.words``: number -> root, the stemmed fields' term
        self._root_of = np.empty(1024, dtype=np.int32)  # number -> its root's number, -1: none
        self._hashes = np.empty(1024, dtype=np.uint32)  # number -> word_hash(word)
        self._stops = stopwords()
        self._stem = shared_stemmer().stem

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self.words)
        self.words.append(word)
        if number == len(self._root_of):
            self._root_of = np.resize(self._root_of, 2 * number)
            self._hashes = np.resize(self._hashes, 2 * number)
        # ``index_words``' test for a kept word, and the root ``shared_stemmer().stem`` gives it (into the cache)
        self._root_of[number] = self.roots[self._stem(word)] if word and word not in self._stops else -1
        self._hashes[number] = word_hash(word)
        return number

    def numbers(self, words: list[str]) -> np.ndarray:
        """The number of each word (int32), in order: one dictionary lookup a word, in a C loop."""
        return np.fromiter(map(self.__getitem__, words), dtype=np.int32, count=len(words))

    def kept_roots(self, numbers: np.ndarray) -> tuple[np.ndarray, int]:
        """The root numbers of the words ``numbers`` keeps (stopwords out), and the place of the first kept."""
        roots = self._root_of[numbers]
        kept = roots >= 0
        found = roots[kept]
        return found, int(kept.argmax()) if len(found) else 0

    def hashes(self, numbers: np.ndarray) -> np.ndarray:
        """Each word's ``word_hash`` (uint32)."""
        return self._hashes[numbers]

    def forget(self) -> None:
        """Forget every word and root (their numbers are reused: call once no tokens wait in columns)."""
        self.clear()
        self.words.clear()
        self.roots.clear()
        self.roots.words.clear()


class _LastText:
    """The analysis of the last text seen, as word numbers: the stemmed and exact fields of one article (and its
    story signature) read it in turn."""

    def __init__(self) -> None:
        self.table = WordNumbers()
        self.text: str | None = None
        self.found: np.ndarray | None = None
        self.terms: np.ndarray | None = None
        self.kept: tuple[np.ndarray, int] | None = None

    def numbers(self, text: str) -> np.ndarray:
        """The numbers of the text's words, in order (a story's signature reads them)."""
        if text != self.text or self.found is None:  # `is` first: the stemmed and exact fields get one str object
            words = index_parts(text)
            self.text, self.found, self.kept = text, self.table.numbers(words), None
            # The abbreviations of the full forms it holds come after its words (search.analysis.abbreviations).
            added = abbreviations_in(words)
            self.terms = np.concatenate([self.found, self.table.numbers(added)]) if added else self.found
        return self.found

    def term_numbers(self, text: str) -> np.ndarray:
        """The numbers of the terms the text fields index: the words, then the abbreviations of its full forms."""
        self.numbers(text)
        return self.terms  # type: ignore[return-value]

    def kept_roots(self, text: str) -> tuple[np.ndarray, int]:
        numbers = self.term_numbers(text)
        if self.kept is None:
            self.kept = self.table.kept_roots(numbers)
        return self.kept

    def forget(self) -> None:
        """Forget the table's words (no tokens may wait in columns: their numbers would mean other words)."""
        self.table.forget()
        self.text = self.found = self.terms = self.kept = None


def _word_numbers(memo: _LastText, stemmed: bool) -> Callable[[str], tuple[np.ndarray, int]]:
    """``text -> (numbers, first)``: the terms of ``word_postings`` in text order as numbers (the words of
    ``memo.table``, or its roots for a stemmed field), and the position of the first (``segwriter`` groups them
    into postings itself, ``token_columns``). The stemmed fields number the words they keep consecutively from
    the place of the first one (Whoosh's StopFilter renumbers so), the exact fields every word from 0."""

    def numbers(text: str) -> tuple[np.ndarray, int]:
        return memo.kept_roots(text) if stemmed else (memo.term_numbers(text), 0)

    return numbers


def _word_postings(memo: _LastText, stemmed: bool, positional: bool) -> Callable[[str], dict]:
    """``text -> {term: positions}`` (a field with positions) or ``{term: frequency}``, from the shared analysis
    (``field.index``; the segment writer takes ``word_numbers``)."""

    numbers = _word_numbers(memo, stemmed)
    terms = memo.table.roots.words if stemmed else memo.table.words

    def word_positions(text: str) -> dict[str, list[int]]:
        found, first = numbers(text)
        poses: dict[str, list[int]] = defaultdict(list)
        for pos, number in enumerate(found.tolist(), first):
            poses[terms[number]].append(pos)
        return poses

    def word_counts(text: str) -> dict[str, int]:
        return Counter(map(terms.__getitem__, numbers(text)[0].tolist()))

    return word_positions if positional else word_counts


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
        twin.word_numbers = _word_numbers(memo, field.analyzer.stemmed)
        twin.term_numbers = memo.table.roots if field.analyzer.stemmed else memo.table  # ``.words``: their terms
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
