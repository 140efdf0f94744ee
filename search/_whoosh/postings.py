"""Posting lists as numpy arrays: views of the posting arrays written with each segment.

Whoosh walks a posting list one document at a time through several Python
calls per posting. Scoring a query term at a time over arrays (see
``scoring.ArrayScorer``) needs each list whole: its document numbers and its
weights (term frequencies). A short list is read from its entry in the term
dictionary (``codec``); a longer one is a view of the arrays written beside
its blocks when the segment was written (``arrays``), so no query decodes
a block. An index written before those arrays existed has its blocks
decoded instead. The lists a query decodes (layout 2's coded arrays) or
gathers from several segments are kept in a cache bounded by bytes, which
the searcher's scores share (``CACHE_BYTES``).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound

from search._whoosh.arrays import SegmentArrays, segment_arrays
from search._whoosh.columns import live_mask
from search.errors import CariError

# Bytes a searcher's one cache may hold (``PostingArrays.cache``): its
# terms' lists, decoded, and their BM25 scores (``scoring.ArrayScorer``).
# Computing a common word's scores costs a pass over its postings (on
# 1,000,000 articles, up to 800,000 of them), and decoding its coded list
# (layout 2, ``arrays``) nearly another: a sentence reads ~2.4 million
# postings, 70% of them of words an earlier query read. A list costs 5 bytes
# a posting, its scores 12, and a hit saves about as much CPU a byte either
# way, so both share one budget: 768 MB, where the two caches before held
# 384 MB of scores and 128 MB of lists (a worker's own memory ~1.2 GB at
# 1,000,000 articles, under issue 24's 1.5 GB). Replaying the cache's
# requests of bench.scale's 300 sentences, what missed (decoding, BM25) cost
# ~28% less CPU than in a plain LRU of 512 MB (the segmented LRU below, and
# these bytes). Views of a mapped file (a layout-1 list in one segment)
# count only their entry.
CACHE_BYTES = 768 << 20
# The environment variable that sets it in MB for every searcher a process opens (0: no cache).
CACHE_VARIABLE = "CARI_CACHE_MB"
ITEM_BYTES = 200  # what an entry costs beside its arrays (key, tuple, dict slot), so views are not free

EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


def cache_bytes() -> int:
    """The bytes a searcher's cache may hold: ``$CARI_CACHE_MB`` (MB, 0 for none), else :data:`CACHE_BYTES`."""
    value = os.environ.get(CACHE_VARIABLE, "").strip()
    if not value:
        return CACHE_BYTES
    if not (value.isascii() and value.isdigit()) or int(value) > 1 << 20:
        raise CariError(f"${CACHE_VARIABLE} is {value[:20]!r}: give the MB a searcher's cache of posting lists may "
                        f"hold (e.g. 256), 0 for none; without it {CACHE_BYTES >> 20}.")
    return int(value) << 20


def owned_bytes(arrays: tuple) -> int:
    """The memory of a tuple of arrays that is the process's own: views of a mapped file count nothing."""
    return ITEM_BYTES + sum(a.nbytes for a in arrays if isinstance(a, np.ndarray) and a.flags.owndata)


class BoundedCache:
    """Arrays by key, held within ``limit`` bytes in all (``owned_bytes``): a segmented LRU.

    A new entry is on probation; read again, it is protected (up to
    ``PROTECTED`` of the bytes; the least recently used protected entries go
    back to probation). Space is made by dropping the least recently used on
    probation. A query's many words read once (a sentence's rare ones) so
    pass through without pushing out the common words' lists and scores
    that most queries read again: replaying the cache's requests of
    ``bench.scale``'s 300 sentences at 1,000,000 articles, the CPU of what
    missed (decoding, BM25) fell ~15% against a plain LRU of the same bytes.
    """

    PROTECTED = 0.8

    def __init__(self, limit: int):
        self._probation: OrderedDict = OrderedDict()
        self._protected: OrderedDict = OrderedDict()
        self._size = 0
        self._protected_size = 0
        self._limit = limit

    @property
    def size(self) -> int:
        """The bytes held now."""
        return self._size

    def held_keys(self) -> list:
        """The keys held now."""
        return [*self._protected, *self._probation]

    def get(self, key, compute):
        """The cached value of ``key``, else ``compute()`` (a tuple of equal-length arrays), cached."""
        found = self._protected.get(key)
        if found is not None:
            self._protected.move_to_end(key)
            return found[0]
        found = self._probation.pop(key, None)
        if found is not None:
            self._protect(key, found)
            return found[0]
        value = compute()
        size = owned_bytes(value)
        if size <= self._limit:
            self._probation[key] = (value, size)
            self._size += size
            while self._size > self._limit and self._probation:
                _, (_, dropped) = self._probation.popitem(last=False)
                self._size -= dropped
        return value

    def _protect(self, key, entry: tuple) -> None:
        self._protected[key] = entry
        self._protected_size += entry[1]
        while self._protected_size > self.PROTECTED * self._limit:
            older, demoted = self._protected.popitem(last=False)
            self._protected_size -= demoted[1]
            self._probation[older] = demoted  # the most recent on probation


class PostingArrays:
    """(document numbers, weights) of a term over every segment of one reader.

    Document numbers are the reader's (segment offsets added); deleted
    documents are still in them, so callers mask them out (``live``).
    """

    def __init__(self, reader):
        self._reader = reader
        self.leaves = list(reader.leaf_readers())  # (segment reader, its first document number)
        self.arrays = [segment_arrays(leaf) for leaf, _ in self.leaves]  # each segment's arrays (None: without)
        self.doc_count = reader.doc_count_all()  # the documents numbered, deleted ones included: arrays' length
        self._frequencies: dict[tuple[str, str], int] = {}
        self.live = live_mask(reader)
        self.live_count = int(self.live.sum())
        self.cache = BoundedCache(cache_bytes())  # lists here, and what the searcher's scorer keeps

    def doc_count_all(self) -> int:
        """The statistic a Whoosh reader's ``doc_count_all`` is to its callers: here the live documents
        (deleted ones are out of every statistic, ``search._whoosh.live``)."""
        return self.live_count

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """The reader's count of the documents holding a term (live ones: ``live.count_live_only``), remembered.

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
        """The term's arrays, kept in this reader's cache (``cache``)."""
        return self.cache.get(("list", fieldname, text), lambda: self.read(fieldname, text))

    def read(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's arrays, read from the index (empty if it is not there).

        A list stored as blocks is a view of its segment's posting arrays
        (``arrays``) where the segment has them; only an index written
        without them decodes the blocks. With one segment holding the term
        in an array of layout 1, the arrays are those views themselves
        (read-only), not copies. Coded lists (layout 2) are decoded straight
        into the term's arrays, segment after segment.
        """
        parts = [(offset, part) for (reader, offset), arrays in zip(self.leaves, self.arrays, strict=True)
                 for part in list_parts(reader, arrays, fieldname, text)]
        if not parts:
            return EMPTY
        if len(parts) == 1 and not isinstance(parts[0][1], CodedList):
            offset, (ids, weights) = parts[0]
            ids = np.asarray(ids, dtype=np.int32) + offset if offset else np.asarray(ids, dtype=np.int32)
            return ids, weights if isinstance(weights, np.ndarray) else np.asarray(weights, dtype=np.float32)
        sizes = [part.count if isinstance(part, CodedList) else len(part[0]) for _, part in parts]
        ids = np.empty(sum(sizes), dtype=np.int32)
        weights = np.empty(len(ids), dtype=np.result_type(*(_weights_dtype(part) for _, part in parts)))
        start = 0
        for (offset, part), size in zip(parts, sizes, strict=True):
            end = start + size
            if isinstance(part, CodedList):
                part.arrays.decode_into(part.at, ids[start:end], weights[start:end], offset)
            else:
                ids[start:end] = part[0]
                ids[start:end] += offset
                weights[start:end] = part[1]
            start = end
        return ids, weights


@dataclass(frozen=True)
class CodedList:
    """A list of layout 2 in one segment, decoded where the term's arrays are made (``PostingArrays.read``)."""

    arrays: SegmentArrays
    at: int

    @property
    def count(self) -> int:
        return self.arrays.count(self.at)


def _weights_dtype(part) -> np.dtype:
    """The weights' type a part of a list gives (``PostingArrays.read``): the arrays', else float32."""
    if isinstance(part, CodedList):
        return part.arrays.weights_dtype(part.at)
    return part[1].dtype if isinstance(part[1], np.ndarray) else np.dtype(np.float32)


def list_parts(reader, arrays: SegmentArrays | None, fieldname: str, text: str):
    """Yield the term's list in one segment: (ids, weights) of its packed entry or its decoded blocks, a view of
    its posting arrays (layout 1), or where they are coded (layout 2: ``CodedList``, decoded by the caller)."""
    whole_list = getattr(reader._terms, "whole_list", None)  # term_dictionary.CompactTermsReader
    if whole_list is not None:
        try:
            place = whole_list(fieldname, reader._text_to_bytes(fieldname, text))
        except TermNotFound:  # not in this segment
            return
        if isinstance(place, tuple):
            yield place
            return
        at = arrays.find(place) if arrays is not None and place is not None else None
        if arrays is not None and at is not None:
            yield CodedList(arrays, at) if arrays.layout == 2 else arrays.list_at(at)
            return
    yield from decoded_blocks(reader, fieldname, text)


def decoded_blocks(reader, fieldname: str, text: str):
    """Yield (ids, weights) of one segment a block at a time, deleted documents included.

    For a segment written without posting arrays (``arrays``). Whoosh's own
    block reader (``W3LeafMatcher``) decodes a whole block of up to 128
    postings at once; reading its block arrays skips its per-posting calls.
    A list inlined by W3 is taken from its matcher's tuples. Any other
    matcher is walked posting by posting.
    """
    tbytes = reader._text_to_bytes(fieldname, text)
    try:
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
