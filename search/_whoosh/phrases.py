"""Phrases checked on given documents: each word's positions read there, the spans matched as Whoosh's.

Whoosh finds a phrase with a ``SpanNear2`` matcher: an intersection of its
words' posting lists walked a document at a time in Python, every document
holding all the words read for positions. For an abbreviation's expansion
(``komisi pemberantasan korupsi``) that walk was 38% of a sentence query's
time at 200,000 articles. The ranking stage now finds the documents holding
every word from the posting arrays (numpy) and asks here only for those:
:class:`TermPositions` stands a word's matcher on each of them (a block's ids
decoded once, a binary search in it, not Whoosh's posting-by-posting
``skip_to``) and decodes its positions there; :func:`following` is Whoosh's
span test on them.
"""

from __future__ import annotations

import struct
from bisect import bisect_left, bisect_right
from itertools import accumulate, islice
from pickle import loads
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions

_COUNT_BYTES = 4  # Positions.encode: the count (pack_uint), then the pickled deltas
_INT = struct.Struct("!i")  # a W3 block's signed length (whoosh.system.pack_int): negative for the list's last
# A block's statistics open with PROTO, FRAME and its 8-byte size, MARK, then the count (at most 5 bytes).
_HEAD = 17


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

    def at_places(self, docnums: list[int], places: list[int]) -> list[list[int]]:
        """The term's positions in each of ``docnums``, whose postings are at ``places`` of the segment's list
        (0 its first; ascending, after any asked for before: the posting arrays give them).

        A block's values are read once for all the documents asked for in it.
        The block holding a place is found by :class:`_Blocks` (every block
        but the last holds as many postings as the first), checked by the
        document's id in it; a list written otherwise is walked block by block
        (each header says how many postings its block holds). Don't mix with
        :meth:`positions` on one object.
        """
        matcher = self._matcher
        if type(matcher) is not W3LeafMatcher or not self._plain:
            return [self.positions(docnum) for docnum in docnums]
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
        found = []
        first = self._first_place  # the place of the block's first posting
        for place in places:
            while place >= first + matcher._blocklength:
                first += matcher._blocklength
                matcher._next_block()
            if matcher._values is None:
                matcher._read_values()
            found.append(_decoded(matcher._values[place - first]))
        self._first_place = first
        return found


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

    def positions(self, docnums: list[int], places: list[int]) -> list[list[int]] | None:
        """The positions of each of ``docnums`` at ``places`` (ascending), or None (see above)."""
        matcher, found = self._matcher, []
        for docnum, place in zip(docnums, places, strict=True):
            block = self._find(place)
            if block is None or block < self._block:
                return None
            if block != self._block:
                matcher._goto(self._starts[block])
                self._block = block
            at = place - (self._ends[block - 1] if block else 0)
            if at >= matcher._blocklength:
                return None
            if matcher._data is None:
                matcher._read_data()
            if sum(islice(matcher._data[0], at + 1)) != docnum:  # the ids, as deltas from 0
                return None
            if matcher._values is None:
                matcher._read_values()
            found.append(_decoded(matcher._values[at]))
        return found


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
    return list(accumulate(loads(value[_COUNT_BYTES:] if value.endswith(b".") else value[_COUNT_BYTES:] + b".")))


def following(ends: list[int], positions: list[int], slop: int) -> list[int]:
    """The ``positions`` of a phrase's next word that continue a match ending at one of ``ends``.

    Whoosh's ``SpanNear2`` (ordered, ``mindist=1``: what ``Phrase`` builds)
    joins a span to a later word's position ``p`` when ``end < p <= end +
    slop``, the joined span ending at ``p``; a document holds the phrase when
    a span reaches its last word. Only the spans' ends matter, so a match is
    this test word after word (``tests/ranking/test_phrase_branches.py``
    checks it against Whoosh's matchers).
    """
    reach = {end + step for end in ends for step in range(1, slop + 1)}
    return [p for p in positions if p in reach]


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
