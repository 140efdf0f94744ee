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

from bisect import bisect_left
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions

_COUNT_BYTES = 4  # Positions.encode: the count (pack_uint), then the pickled deltas


class TermPositions:
    """One term's postings in one segment, read forward: its positions in each document asked for, in order."""

    def __init__(self, leaf: Any, fieldname: str, text: str) -> None:
        tbytes = leaf._text_to_bytes(fieldname, text)
        self._format = leaf.schema[fieldname].format
        # A term the segment lacks raises TermNotFound: callers ask only for terms its documents hold.
        self._matcher = leaf._terms.matcher(fieldname, tbytes, self._format)
        self._plain = type(self._format) is Positions
        self._first_place = 0

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

        A block's values are read once for all the documents asked for in it,
        the blocks before it passed by their headers (each says how many
        postings it holds), without decoding their ids. Don't mix with
        :meth:`positions` on one object.
        """
        matcher = self._matcher
        if type(matcher) is not W3LeafMatcher or not self._plain:
            return [self.positions(docnum) for docnum in docnums]
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
