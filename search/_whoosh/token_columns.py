"""A field's tokens held as columns, then grouped into postings by one sort: no Python step per token or posting.

A segment writer used to append each posting of a document to its term's
list as the document came (a dict lookup and a list extend a posting: the
indexer's innermost loop). :class:`TokenColumns` keeps instead, for the
documents since its last flush, each token's term as a number (the words
numbered in one C loop, ``map`` over a dict whose ``__missing__`` numbers a
new word) and each document's number, token count and first position.
:meth:`TokenColumns.postings` then sorts the term numbers once (stable, so
each term's tokens stay in document and position order), finds where a
(term, document) pair and a term begin, and gives each term's postings as
the flat ``[docnum, weight, value, ...]`` slice ``FieldPostings`` keeps:
the same postings, weights and values (a ``Positions`` value for a field
with positions, Whoosh's count for one without), in the same order, as
appending them one by one (``tests/index/test_segwriter.py``).
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterator

import numpy as np
from whoosh.system import pack_uint


class PositionValues(dict):
    """``Positions.encode([p])`` by position: most postings have one position, so one bytes object each."""

    def __init__(self, encode):
        super().__init__()
        self._encode = encode

    def __missing__(self, pos):
        value = self[pos] = self._encode([pos])
        return value


class CountValues(dict):
    """``Frequency``'s value (the count, ``pack_uint``) by count, shared."""

    def __missing__(self, count):
        value = self[count] = pack_uint(count)
        return value


class Weights(dict):
    """``freq * boost`` by frequency, so pending postings share their float objects."""

    def __init__(self, boost: float):
        super().__init__()
        self._boost = boost

    def __missing__(self, freq):
        weight = self[freq] = freq * self._boost
        return weight


class Numbers(dict):
    """word -> its number in this batch, given in the order words first come; ``words`` the reverse."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self.words)
        self.words.append(word)
        return number


class TokenColumns:
    """The tokens of a field's documents since the last :meth:`postings`, as columns (see the module doc).

    ``numbers`` (a :class:`Numbers`, or another ``word -> number`` with the
    words as ``.words``) numbers the words given already numbered
    (:meth:`add_numbers`: ``fastindex.WordNumbers``, which the writer keeps
    for all its text fields and clears itself); without it each batch
    numbers its own words (:meth:`add`).
    """

    def __init__(self, positional: bool, numbers: Numbers | None = None) -> None:
        self.positional = positional
        self._shared = numbers
        self._clear()

    def _clear(self) -> None:
        self.numbers = self._shared if self._shared is not None else Numbers()
        self.terms = array("I")  # a term number per token
        self.docnums = array("I")  # per document with tokens: its number, tokens and first position
        self.counts = array("I")
        self.firsts = array("I")

    def __len__(self) -> int:
        return len(self.terms)

    def add(self, docnum: int, words: list[str], first: int) -> None:
        """Add a document's tokens (``words`` in order, numbered from ``first`` in a field with positions)."""
        if not words:
            return
        self.terms.fromlist(list(map(self.numbers.__getitem__, words)))
        self.docnums.append(docnum)
        self.counts.append(len(words))
        self.firsts.append(first)

    def add_numbers(self, docnum: int, numbers: np.ndarray, first: int) -> None:
        """:meth:`add` for words already numbered by ``numbers`` (32-bit, none negative)."""
        if not len(numbers):
            return
        self.terms.frombytes(numbers.tobytes())
        self.docnums.append(docnum)
        self.counts.append(len(numbers))
        self.firsts.append(first)

    def postings(self, weights: dict, values: dict) -> Iterator[tuple[str, list]]:
        """``(word, [docnum, weight, value, ...])`` of every term held, and forget them.

        ``weights`` maps a frequency to its weight, ``values`` a frequency
        (without positions) or a single position (with) to its value: the
        writer's shared objects.
        """
        if not self.terms:
            return
        words = self.numbers.words
        grouped = _Grouped(self)
        self._clear()
        flat = [None] * (3 * len(grouped.freqs))
        flat[0::3] = grouped.docs
        flat[1::3] = map(weights.__getitem__, grouped.freqs)
        flat[2::3] = grouped.values(values) if self.positional else map(values.__getitem__, grouped.freqs)
        for number, start, end in grouped.terms():
            yield words[number], flat[3 * start : 3 * end]


class _Grouped:
    """The postings of a :class:`TokenColumns`: its tokens sorted by term (stably), cut where a posting begins."""

    def __init__(self, columns: TokenColumns) -> None:
        terms = np.frombuffer(columns.terms, dtype=np.uint32)
        counts = np.frombuffer(columns.counts, dtype=np.uint32)
        docs = np.repeat(np.arange(len(counts), dtype=np.uint32), counts)  # each token's document, counted in the batch
        # Sorted by term, each term's tokens in the order they came: one sort of (term, token number) keys,
        # a third of a stable argsort's time. A term's number is below the tokens', so the two fit in 64 bits.
        shift = len(terms).bit_length()
        keys = terms.astype(np.int64) << shift
        keys |= np.arange(len(terms))
        keys.sort()
        order = keys & ((1 << shift) - 1)
        terms, docs = keys >> shift, docs[order]
        starts = np.ones(len(terms), dtype=bool)  # where a (term, document) posting begins
        np.not_equal(terms[1:], terms[:-1], out=starts[1:])
        starts[1:] |= docs[1:] != docs[:-1]
        first = np.flatnonzero(starts)
        self._term_of = terms[first]
        # Each posting's document number, one int object a document (as appending them shared it): a posting holds
        # three references, not an int of its own (28 bytes more a posting held).
        self.docs = list(map(columns.docnums.tolist().__getitem__, docs[first].tolist()))
        self._freqs = np.diff(first, append=len(terms))
        self.freqs = self._freqs.tolist()
        if columns.positional:
            # Each token's position: its place in its document, from the document's first.
            whole = counts.astype(np.int64)  # int64 throughout: numpy makes int64 with uint64 a float
            offsets = np.repeat(np.cumsum(whole) - whole, counts)
            firsts = np.repeat(np.frombuffer(columns.firsts, dtype=np.uint32).astype(np.int64), counts)
            self._positions = (np.arange(len(terms)) - offsets + firsts)[order]
            self._first = first

    def terms(self) -> Iterator[tuple[int, int, int]]:
        """``(term number, first posting, end)`` of each term."""
        term_of = self._term_of
        begins = np.ones(len(term_of), dtype=bool)
        np.not_equal(term_of[1:], term_of[:-1], out=begins[1:])
        starts = np.flatnonzero(begins)
        ends = np.append(starts[1:], len(term_of))
        return zip(term_of[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)

    def values(self, singles: dict) -> list:
        """Each posting's ``Positions`` value: shared for one position, else ``Positions.encode``'s bytes."""
        positions, first = self._positions, self._first
        found = list(map(singles.__getitem__, positions[first].tolist()))
        several = np.flatnonzero(self._freqs > 1)
        if not len(several):
            return found
        deltas = positions.copy()
        deltas[1:] -= positions[:-1]
        deltas[first] = positions[first]  # a posting's first delta is its first position
        deltas = deltas.tolist()
        dumps = pickle.dumps
        for index, start, freq in zip(several.tolist(), first[several].tolist(), self._freqs[several].tolist(),
                                      strict=True):
            found[index] = pack_uint(freq) + dumps(deltas[start : start + freq], 2)
        return found
