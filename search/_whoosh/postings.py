"""Posting lists as numpy arrays, read once per index and kept in a bounded cache.

Whoosh walks a posting list one document at a time through several Python
calls per posting. Scoring a query term at a time over arrays (see
``scoring.ArrayScorer``) needs each list whole: its document numbers and its
weights (term frequencies). A list is read a block at a time, and the arrays
of the lists queries use most (the common words, which are also the longest)
stay cached, so a sentence query mostly reads only its rare words from disk.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from search._whoosh.columns import live_mask

# Postings a cache keeps: 12 bytes each (an int32 id and a float64 score), so
# at most about 400 MB. Reading a list back from Whoosh's blocks (unpickle,
# inflate, decode) is most of a query's time on a large index: on 100,000
# articles, 8 million postings gave sentence queries a p50 of 80 ms, 32
# million 28 ms (docs/performance.md).
CACHE_POSTINGS = 32_000_000

EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


class BoundedCache:
    """Arrays by key, least recently used dropped first once they hold ``limit`` items in all."""

    def __init__(self, limit: int = CACHE_POSTINGS):
        self._items: OrderedDict = OrderedDict()
        self._size = 0
        self._limit = limit

    def get(self, key, compute):
        """The cached value of ``key``, else ``compute()`` (a tuple of equal-length arrays), cached."""
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        found = compute()
        size = len(found[0])
        if size <= self._limit:
            self._items[key] = found
            self._size += size
            while self._size > self._limit:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped[0])
        return found


class PostingArrays:
    """(document numbers, weights) of a term over every segment of one reader.

    Document numbers are the reader's (segment offsets added); deleted
    documents are still in them, so callers mask them out (``live``).
    """

    def __init__(self, reader):
        self._reader = reader
        self._leaves = list(reader.leaf_readers())
        self.doc_count = reader.doc_count_all()
        self._frequencies: dict[tuple[str, str], int] = {}
        self.live = live_mask(reader)
        self._cache = BoundedCache()

    def doc_count_all(self) -> int:
        return self.doc_count

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Whoosh's count of the documents holding a term (deleted ones included), remembered.

        Deciding which words a query can leave out asks this of every
        stopword of every query; the reader's answer costs a term-dictionary
        lookup in each segment.
        """
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies[key] = self._reader.doc_frequency(fieldname, text)
        return found

    def get(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's arrays, kept in this reader's cache."""
        return self._cache.get((fieldname, text), lambda: self.read(fieldname, text))

    def read(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's arrays, read from the index (empty if it is not there)."""
        ids, weights = [], []
        for reader, offset in self._leaves:
            for block_ids, block_weights in _blocks(reader, fieldname, text):
                ids.append(np.asarray(block_ids, dtype=np.int32) + offset)
                weights.append(np.asarray(block_weights, dtype=np.float32))
        if not ids:
            return EMPTY
        return np.concatenate(ids), np.concatenate(weights)


def _blocks(reader, fieldname: str, text: str):
    """Yield (ids, weights) of one segment a block at a time, deleted documents included.

    Whoosh's own block reader (``W3LeafMatcher``) decodes a whole block of up to
    128 postings at once; reading its block arrays skips its per-posting
    calls. A list packed in the term dictionary (``codec.CariCodec``) is
    read straight from its entry, without a matcher; one inlined by W3 is
    taken from its matcher's tuples. Any other matcher is walked posting by
    posting.
    """
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching import ListMatcher
    from whoosh.reading import TermNotFound

    tbytes = reader._text_to_bytes(fieldname, text)
    inlined_postings = getattr(reader._terms, "inlined_postings", None)  # codec.CompactTermsReader
    try:
        if inlined_postings is not None:
            inlined = inlined_postings(fieldname, tbytes)
            if inlined is not None:
                yield inlined
                return
        matcher = reader._terms.matcher(fieldname, tbytes, reader.schema[fieldname].format)
    except TermNotFound:  # not in this segment
        return
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    if type(matcher) is ListMatcher and matcher._weights:  # a list inlined in the term dictionary
        yield matcher._ids, matcher._weights
        return
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights
