"""Phrases checked on given documents: each word's positions read there, the spans matched as Whoosh's.

Whoosh finds a phrase with a ``SpanNear2`` matcher: an intersection of its
words' posting lists walked a document at a time in Python, every document
holding all the words read for positions. For an abbreviation's expansion
(``komisi pemberantasan korupsi``) that walk was 38% of a sentence query's
time at 200,000 articles. The ranking stage now finds the documents holding
every word from the posting arrays (numpy) and asks here only for those:
:class:`TermPositions` stands a word's matcher on each of them (a block's ids
decoded once, a binary search in it, not Whoosh's posting-by-posting
``skip_to``) and decodes its positions there, every document's at once
(:func:`decoded_positions`); :func:`holding` is Whoosh's span test on them, for a
chunk of documents at once in numpy.
"""

from __future__ import annotations

import struct
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import accumulate, chain, islice, repeat
from operator import getitem, itemgetter
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions

_COUNT_BYTES = 4  # Positions.encode: the count (pack_uint), then the pickled deltas
_INT = struct.Struct("!i")  # a W3 block's signed length (whoosh.system.pack_int): negative for the list's last
# A block's statistics open with PROTO, FRAME and its 8-byte size, MARK, then the count (at most 5 bytes).
_HEAD = 17
# A value as Positions.encode writes it: the count, PROTO 2 (2 bytes), the pickled list of deltas, STOP.
_PROTO = b"\x80\x02"
_BODY = slice(_COUNT_BYTES + len(_PROTO), -1)
_LAST = slice(-1, None)

# Each document's count of positions, and their positions one document after another (each ascending).
Flat = tuple[np.ndarray, np.ndarray]


class TermPositions:
    """One term's postings in one segment, read forward: its positions in each document asked for, in order."""

    def __init__(self, leaf: Any, fieldname: str, text: str) -> None:
        tbytes = leaf._text_to_bytes(fieldname, text)
        self._format = leaf.schema[fieldname].format
        # A term the segment lacks raises TermNotFound: callers ask only for terms its documents hold.
        self._matcher = leaf._terms.matcher(fieldname, tbytes, self._format)
        self._plain = type(self._format) is Positions
        self._first_place = 0
        self._blocks: _Blocks | None = None
        self._walk = False  # True: the list's blocks are walked header by header

    def positions(self, docnum: int) -> list[int]:
        """The term's positions in ``docnum`` (the segment's own number), which holds the term and comes
        after any document asked for before."""
        matcher = self._matcher
        _stand_on(matcher, docnum)
        if not self._plain:
            return [span.start for span in matcher.spans()]
        return _decoded(matcher.value())

    def at_places(self, docnums: np.ndarray, places: np.ndarray) -> Flat:
        """The term's positions in each of ``docnums``, whose postings are at ``places`` of the segment's list
        (0 its first; ascending, after any asked for before: the posting arrays give them).

        A block's values are read once for all the documents asked for in it.
        The block holding a place is found by :class:`_Blocks` (from each
        header's count of postings), checked by the document's id in it; a
        list written otherwise is walked block by block as Whoosh walks it.
        Don't mix with :meth:`positions` on one object.
        """
        matcher = self._matcher
        if type(matcher) is not W3LeafMatcher or not self._plain:
            return _flat([self.positions(docnum) for docnum in docnums.tolist()])
        if not self._walk and self._blocks is None:
            self._blocks = _Blocks.of(matcher)
            self._walk = self._blocks is None
        if not self._walk and self._blocks is not None:
            found = self._blocks.positions(docnums, places)
            if found is not None:
                return found
            self._walk = True  # not evenly sized: walked from here on, from the list's start
            matcher.reset()
            self._first_place = 0
        values = []
        first = self._first_place  # the place of the block's first posting
        for place in places.tolist():
            while place >= first + matcher._blocklength:
                first += matcher._blocklength
                matcher._next_block()
            if matcher._values is None:
                matcher._read_values()
            values.append(matcher._values[place - first])
        self._first_place = first
        return decoded_positions(values)


class _Blocks:
    """A W3 posting list's blocks found by their places, not by reading every header with Whoosh.

    Whoosh reads a block's header (its length, then its pickled statistics)
    to find the next one: ~10 us a block, and a common word's list in a
    segment of 500,000 articles has thousands, walked for the candidates of
    each nearness phrase (12% of a 1-3 word query at 1,000,000 articles).
    Here the walk reads, from the map, each header's length and the count of
    postings that opens its statistics (``_count``); a place's block is then
    a binary search. Each posting found is checked by its document's id, and
    ``positions`` gives None at the first that is not where that says, or at
    a header written otherwise.
    """

    def __init__(self, matcher: W3LeafMatcher, buffer: Any) -> None:
        self._matcher, self._buffer = matcher, buffer
        self._starts = [matcher._baseoffset]  # the offset of each block found so far
        self._ends: list[int] = []  # the place after each read block's last posting
        self._block = 0  # the block the matcher stands on

    @classmethod
    def of(cls, matcher: W3LeafMatcher) -> _Blocks | None:
        """The blocks of ``matcher``'s list, standing on its first block; None if it is not in a map."""
        buffer = getattr(matcher._postfile, "_buf", None)
        if buffer is None or matcher._byteids or matcher._ids is not None or matcher._i:
            return None
        return cls(matcher, buffer)

    def _find(self, place: int) -> int | None:
        """The number of the block holding ``place``, the headers read as far as it; None past the list's end
        or at a header not read here."""
        starts, ends, buffer = self._starts, self._ends, self._buffer
        while (not ends or ends[-1] <= place) and len(starts) > len(ends):
            at = starts[-1]
            (length,) = _INT.unpack_from(buffer, at)
            count = _count(bytes(buffer[at + _INT.size : at + _INT.size + _HEAD]))
            if count is None:
                return None
            ends.append((ends[-1] if ends else 0) + count)
            if length >= 0:  # negative: the list's last block
                starts.append(at + _INT.size + length)
        block = bisect_right(ends, place)
        return block if block < len(ends) else None

    def positions(self, docnums: np.ndarray, places: np.ndarray) -> Flat | None:
        """The positions of each of ``docnums`` at ``places`` (ascending), or None (see above).

        The documents are taken a block at a time: the block found, its data
        read once, its first and last documents asked for checked by their ids,
        the values at the places taken together (the documents of a common
        word are most of a block's)."""
        if not len(places):
            return _flat([])
        if self._find(int(places[-1])) is None:  # the headers read as far as the last place
            return None
        matcher, ends = self._matcher, np.array(self._ends)
        blocks = np.searchsorted(ends, places, side="right")
        cuts = [0, *(np.flatnonzero(np.diff(blocks)) + 1).tolist(), len(blocks)]
        firsts = np.concatenate(([0], ends))[blocks]  # the place of each posting's block's first posting
        ats, wanted, values = (places - firsts).tolist(), docnums.tolist(), list[bytes]()
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            block = int(blocks[lo])
            if block < self._block:
                return None
            if block != self._block:
                matcher._goto(self._starts[block])
                self._block = block
            if ats[hi - 1] >= matcher._blocklength:
                return None
            if matcher._values is None:
                matcher._read_values()  # the block's data, read once with its ids' deltas from 0
            # The block's first and last postings asked for are where the counts say (the ids, deltas from 0,
            # ascend): then so is the block's first posting, and every posting asked for in it.
            deltas = matcher._data[0]
            if sum(islice(deltas, ats[lo] + 1)) != wanted[lo] or sum(islice(deltas, ats[hi - 1] + 1)) != wanted[hi - 1]:
                return None
            values.extend(itemgetter(*ats[lo:hi])(matcher._values) if hi - lo > 1 else (matcher._values[ats[lo]],))
        return decoded_positions(values)


def _count(head: bytes) -> int | None:
    """The count of postings opening a block's pickled statistics (``(count, maxid, ...)``, protocol 4 or 5, as
    Whoosh and ``codec.encode_block`` write them), or None for a pickle written otherwise."""
    if len(head) < _HEAD or head[0] != 0x80 or head[1] not in (4, 5) or head[2] != 0x95 or head[11] != 0x28:
        return None
    kind = head[12]
    if kind == 0x4B:  # BININT1
        return head[13]
    if kind == 0x4D:  # BININT2
        return int.from_bytes(head[13:15], "little")
    if kind == 0x4A:  # BININT
        return int.from_bytes(head[13:17], "little", signed=True)
    return None


def _decoded(value: bytes) -> list[int]:
    """Positions.decode_positions, the deltas summed by accumulate instead of a Python loop."""
    return list(accumulate(_deltas(value)))


def _deltas(value: bytes) -> list[int]:
    return loads(value[_COUNT_BYTES:] if value.endswith(b".") else value[_COUNT_BYTES:] + b".")


def _flat(positions: list[list[int]]) -> Flat:
    counts = np.fromiter(map(len, positions), dtype=np.int64, count=len(positions))
    return counts, np.fromiter(chain.from_iterable(positions), dtype=np.int64, count=int(counts.sum()))


def decoded_positions(values: list[bytes]) -> Flat:
    """The positions each of ``values`` (Positions.encode's) holds, decoded with one ``loads`` for all of them.

    Each value is its count, then a whole pickle (protocol 2) of its deltas:
    the pickles' bodies joined inside one list are one pickle of the lists,
    ~10x less Python than a ``loads`` and a sum a value. That is checked
    (each value as Positions.encode writes it, each list as long as its
    count); values written otherwise are decoded one by one, as Whoosh does.
    """
    deltas = _joined_deltas(values)
    lengths, flat = _flat(deltas if deltas is not None else [_deltas(value) for value in values])
    # Each document's deltas summed from its first: a running sum less the sum before the document.
    summed = np.cumsum(flat)
    before = np.concatenate(([0], summed))[np.cumsum(lengths) - lengths]
    return lengths, summed - np.repeat(before, lengths)


def _joined_deltas(values: list[bytes]) -> list[list[int]] | None:
    """The deltas of each of ``values`` from one unpickling of their bodies, or None for any value written
    otherwise than ``_PROTO``-pickle-STOP after a count that is its list's length."""
    count = len(values)
    if _parts(values, slice(_COUNT_BYTES, _COUNT_BYTES + 2)) != _PROTO * count or _parts(values, _LAST) != b"." * count:
        return None
    try:
        deltas = loads(b"".join((_PROTO, b"](", _parts(values, _BODY), b"e.")))
        lengths = np.fromiter(map(len, deltas), dtype=np.int64, count=count)
        counts = np.frombuffer(_parts(values, slice(0, _COUNT_BYTES)), dtype=">u4")
    except Exception:  # noqa: BLE001 - any bytes loads refuses or reads otherwise: decoded one by one
        return None
    return deltas if type(deltas) is list and len(deltas) == count and np.array_equal(lengths, counts) else None


def _parts(values: list[bytes], part: slice) -> bytes:
    """The same slice of each of ``values``, joined (a C loop: no Python call a value)."""
    slices: Iterator[bytes] = map(getitem, values, repeat(part, len(values)))  # type: ignore[arg-type]
    return b"".join(slices)


def holding(words: list[Flat], slop: int) -> np.ndarray:
    """Whether each document holds the phrase, from its words' positions there (in the phrase's order).

    Whoosh's ``SpanNear2`` (ordered, ``mindist=1``: what ``Phrase`` builds)
    joins a span to a later word's position ``p`` when ``end < p <= end +
    slop``, the joined span ending at ``p``; a document holds the phrase when
    a span reaches its last word. Only the spans' ends matter, so a match is
    this test word after word (``tests/ranking/test_phrase_branches.py``
    checks it against Whoosh's matchers). Here for all documents at once: a
    position is a key ``document * span + position`` (``span`` above every
    position plus the slop, so no end reaches the next document), and each
    position's nearest end before it is a binary search in the ends.
    """
    documents = len(words[0][0])
    span = max((int(flat.max()) for _, flat in words if len(flat)), default=0) + slop + 1
    starts = np.arange(documents, dtype=np.int64) * span
    ends = np.zeros(0, dtype=np.int64)
    for number, (lengths, flat) in enumerate(words):
        keys = np.repeat(starts, lengths) + flat
        if number:
            before = np.searchsorted(ends, keys) - 1  # the last end below each position, if any
            near = before >= 0
            near[near] = keys[near] - ends[before[near]] <= slop
            keys = keys[near]
        ends = np.sort(keys, kind="stable")  # already ascending (positions are): a check in one pass
        if not len(ends):
            break
    held = np.zeros(documents, dtype=bool)
    held[ends // span] = True
    return held


def _stand_on(matcher: Any, docnum: int) -> None:
    """Move a leaf matcher to ``docnum`` (which its list holds, at or after where it stands).

    W3's ``skip_to`` skips whole blocks by their largest id, then calls
    ``next()`` posting by posting inside the block (up to 127 Python calls);
    here the block's decoded ids are searched instead.
    """
    if type(matcher) is not W3LeafMatcher:
        matcher.skip_to(docnum)
        return
    if docnum > matcher._maxid:
        matcher._skip_to_block(lambda: docnum > matcher._maxid)
    if matcher._ids is None:
        matcher._read_ids()
    matcher._i = bisect_left(matcher._ids, docnum, matcher._i)
