"""The terms of a field starting with a prefix, found in each segment's term dictionary by its key index.

Whoosh's ``expand_prefix`` walks the term dictionary a key at a time, through
generators in each segment merged by a heap: ~5-8 us a term, and a prefix
the close-spelling search asks for (``query.typos``) holds a thousand words
at 1,000,000 articles (tens of thousands for ``men``, ``pem``): 5-10 ms each
new prefix, most of the spelling's time in a 1-3 word query (issue 24).
W3's term dictionary (an ``OrderedHashReader``) ends with an array of each
key's place, in key order; here the prefix's keys are a range of that
array (two binary searches), their lengths one gather from the map, and
each key is sliced out directly: the same terms in the same order, ~4x
faster. Any dictionary not laid out so is left to Whoosh (None).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import islice
from typing import Any

import numpy as np
from whoosh.filedb.filetables import OrderedHashReader

# The index array's type codes (Whoosh writes it big-endian, as every number of the file).
INDEX_TYPES = {"B": "u1", "H": ">u2", "i": ">i4", "I": ">u4", "q": ">i8"}
_LENGTHS = 8  # each key's entry opens with its length and its value's (two signed 4-byte integers)
_FIELD = 2  # a key is the field's number (2 bytes), then the term's bytes


class _Keys:
    """The dictionary's keys in order, read where the index array places them (what ``bisect`` searches)."""

    def __init__(self, buffer: memoryview, places: np.ndarray) -> None:
        self._buffer, self._places = buffer, places

    def __len__(self) -> int:
        return len(self._places)

    def __getitem__(self, number: int) -> bytes:
        place = int(self._places[number])
        length = int.from_bytes(self._buffer[place : place + 4], "big", signed=True)
        return bytes(self._buffer[place + _LENGTHS : place + _LENGTHS + length])


def prefix_terms(reader: Any, fieldname: str, prefix: str, limit: int) -> Iterator[str]:
    """The first ``limit`` terms of ``fieldname`` starting with ``prefix`` over every segment of ``reader``,
    in order, each once: ``islice(reader.expand_prefix(fieldname, prefix), limit)``, decoded."""
    found = mapped_prefix_terms(reader, fieldname, prefix, limit)
    if found is not None:
        return iter(found)
    terms = islice(reader.expand_prefix(fieldname, prefix), limit)  # a dictionary not read here: Whoosh's walk
    return (term.decode("utf-8") if isinstance(term, bytes) else term for term in terms)


def mapped_prefix_terms(reader: Any, fieldname: str, prefix: str, limit: int) -> list[str] | None:
    """:func:`prefix_terms` from the key index, or None if a segment's term dictionary is not a mapped
    ``OrderedHashReader``."""
    lists = []
    for leaf, _ in reader.leaf_readers():
        found = _segment_terms(leaf, fieldname, prefix.encode("utf-8"), limit)
        if found is None:
            return None
        lists.append(found)
    terms = lists[0] if len(lists) == 1 else sorted(set().union(*lists))[:limit]
    return [term.decode("utf-8") for term in terms]


def _segment_terms(leaf: Any, fieldname: str, prefix: bytes, limit: int) -> list[bytes] | None:
    """The first ``limit`` terms (bytes, in order) of one segment's field starting with ``prefix``, or None."""
    mapped = _mapped(leaf, fieldname)
    if mapped is None:
        return None
    terms, buffer, places = mapped
    start = terms._keycoder(fieldname, prefix)
    keys = _Keys(buffer, places)
    first = bisect_left(keys, start)
    end = bisect_right(keys, start, lo=first, key=lambda key: key[: len(start)])
    wanted = places[first : min(end, first + limit)].astype(np.int64)
    if not len(wanted):
        return []
    # Each key's length: the first 4 bytes of its entry, gathered from the map at once.
    heads = np.frombuffer(buffer, dtype=np.uint8)[wanted[:, None] + np.arange(4)].astype(np.int64)
    lengths = (heads[:, 0] << 24) | (heads[:, 1] << 16) | (heads[:, 2] << 8) | heads[:, 3]
    if int(lengths.min()) < len(start) or int(wanted.max() + _LENGTHS + lengths.max()) > len(buffer):
        return None  # not laid out as read here
    skip = _LENGTHS + _FIELD
    return [bytes(buffer[place + skip : place + _LENGTHS + length]) for place, length in
            zip(wanted.tolist(), lengths.tolist(), strict=True)]


def mapped_field_entries(leaf: Any, fieldname: str) -> tuple[memoryview, np.ndarray, np.ndarray] | None:
    """(the map, the place of each term's bytes in it, their lengths) of every term of ``fieldname`` in one
    segment, in term order (each term's value right after it); None if the term dictionary is not a mapped
    ``OrderedHashReader``."""
    mapped = _mapped(leaf, fieldname)
    if mapped is None:
        return None
    terms, buffer, places = mapped
    start = terms._keycoder(fieldname, b"")
    keys = _Keys(buffer, places)
    first = bisect_left(keys, start)
    end = bisect_right(keys, start, lo=first, key=lambda key: key[: len(start)])
    wanted = places[first:end].astype(np.int64)
    heads = np.frombuffer(buffer, dtype=np.uint8)[wanted[:, None] + np.arange(4)].astype(np.int64)
    lengths = (heads[:, 0] << 24) | (heads[:, 1] << 16) | (heads[:, 2] << 8) | heads[:, 3]
    if len(wanted) and (int(lengths.min()) < _FIELD or int(wanted.max() + _LENGTHS + lengths.max()) > len(buffer)):
        return None  # not laid out as read here
    return buffer, wanted + _LENGTHS + _FIELD, lengths - _FIELD


def _mapped(leaf: Any, fieldname: str) -> tuple[Any, memoryview, np.ndarray] | None:
    """(the term reader, its map, the place of each key in key order) of one segment holding ``fieldname``, or
    None if its term dictionary is not a mapped ``OrderedHashReader``."""
    terms = getattr(leaf, "_terms", None)
    index = getattr(terms, "_tindex", None)
    buffer = getattr(getattr(index, "dbfile", None), "_buf", None)
    if type(index) is not OrderedHashReader or not isinstance(buffer, memoryview) or buffer.itemsize != 1:
        return None
    kind = INDEX_TYPES.get(index.extras.get("indextype"))
    if kind is None or fieldname not in getattr(terms, "_fieldmap", {}):
        return None
    return terms, buffer, np.frombuffer(buffer, dtype=kind, count=index.indexlen, offset=index.indexbase)
