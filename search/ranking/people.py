"""People and organisations among the matches: the facets learned names make (``search.index.names``).

Counted over every match, like the publisher and year facets. Each learned
name's articles are read once per open index, from the posting lists of its
forms in the ``names`` field, into two flat arrays of (article, name) pairs;
a query's counts are then one ``bincount`` over the pairs its matches hold.

A search's counts are those of the pairs of its matches, read by article
(:meth:`NameFacets.per_name`); when more than half the articles match, every
name's articles less those of the pairs of the others; and when a third to
two thirds match, by one pass over every pair kept by name: at 1,000,000
articles (3.7 million pairs) 0.1-9 CPU-ms instead of 7-28.

Reading them is the costly part of opening a generation: at 1,000,000
articles 5,000 names' lists in every segment, ~4 CPU-s in every serving
worker after every write, for the first search asking for facets. A write
adds a small segment and leaves the others as they were (a segment's lists
never change; deletions are marked beside them), so the lists are read per
segment and a process keeps each segment's (:data:`_SEGMENTS`): reopening
after a write reads only the new segment's, and from its own few names terms
(its lexicon) rather than by looking up every name's.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from search._whoosh.postings import PostingArrays
from search.index.names import NAMES_FIELD, ORGANISATION, PERSON, Name, name_terms

FACET_OF_KIND = {PERSON: "people", ORGANISATION: "organisations"}
SHOWN = 10  # names a facet lists
# Matches (or non-matches, whichever are fewer) above this share of the articles are counted by a pass over
# every (article, name) pair by name rather than by gathering their own pairs (at 1,000,000: 3.7 million pairs
# in ~8 CPU-ms, against 8-14 to gather a third's to a half's)
BY_NAME_ABOVE = 3
# A segment of at most this many articles is read from its lexicon of names terms (a write's: a few terms),
# a larger one by looking up each name's terms (a segment of 500,000 articles holds ~950,000 names terms).
LEXICON_DOCUMENTS = 5_000
_EMPTY = np.zeros(0, dtype=np.int32)
# Each segment's articles per name (segment identity -> name's terms -> the segment's document numbers), for
# the segments of the generations opened last; a process serving one index holds one copy of the pairs.
_SEGMENTS: dict[tuple, dict[tuple[str, ...], np.ndarray]] = {}
_SEGMENTS_LOCK = threading.Lock()


class NameFacets:
    """The learned names of one open index and which articles name each."""

    def __init__(self, names: list[Name], postings: PostingArrays) -> None:
        self.names = names
        keys = [tuple(name_terms(name.forms)) for name in names]
        lists: list[tuple[int, np.ndarray]] = []  # (name's number, its articles in one segment)
        seen: dict[tuple, dict[tuple[str, ...], np.ndarray]] = {}
        for leaf, offset in postings.leaves:
            segment = segment_key(leaf)
            with _SEGMENTS_LOCK:
                known = _SEGMENTS.get(segment)
            if known is None or not all(key in known for key in keys):
                known = _read_segment(leaf, keys, known or {})
            seen[segment] = known
            lists += [(number, known[key] + np.int32(offset)) for number, key in enumerate(keys) if len(known[key])]
        with _SEGMENTS_LOCK:  # the segments of this generation, older ones forgotten
            for segment in [s for s in _SEGMENTS if s not in seen]:
                del _SEGMENTS[segment]
            _SEGMENTS.update(seen)
        self._names, self._starts = _by_article(lists, len(postings.live))
        self._every = np.bincount(self._names, minlength=len(names))  # each name's articles, deleted ones too
        # and by name (each name's articles, one after the other), for matches too many to gather by article
        by_name = sorted(lists, key=lambda item: item[0])  # stable: a name's segments in order
        self._by_name = np.concatenate([docnums for _, docnums in by_name]) if by_name else _EMPTY
        self._name_ends = np.cumsum(self._every)

    def per_name(self, matched: np.ndarray) -> np.ndarray:
        """How many of the articles flagged in ``matched`` (bool per document) name each of :attr:`names`."""
        flagged = np.flatnonzero(matched)
        fewer = min(len(flagged), len(matched) - len(flagged))
        if fewer * BY_NAME_ABOVE > len(matched):  # a third to two thirds match: one pass over every pair
            held = np.zeros(len(self._by_name) + 1, dtype=np.int32)
            np.cumsum(matched[self._by_name], out=held[1:])
            return held[self._name_ends] - held[self._name_ends - self._every]
        if 2 * len(flagged) <= len(matched):
            return self._of(flagged)
        return self._every - self._of(np.flatnonzero(~matched))

    def _of(self, docnums: np.ndarray) -> np.ndarray:
        """Each name's count among the articles ``docnums``: a bincount of their pairs, gathered."""
        starts = self._starts[docnums]
        lengths = self._starts[docnums + 1] - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(len(self.names), dtype=np.int64)
        # the place of each gathered pair: its article's first pair, plus its rank among them
        places = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        return np.bincount(self._names[places], minlength=len(self.names))

    def counts(self, matched: np.ndarray, shown: int = SHOWN) -> dict[str, dict[str, int]]:
        """``{"people": {display: articles}, "organisations": {...}}``, most articles first, of ``matched``."""
        per_name = self.per_name(matched)
        facets: dict[str, dict[str, int]] = {facet: {} for facet in FACET_OF_KIND.values()}
        for number in np.argsort(-per_name.astype(np.int64), kind="stable"):
            n = int(per_name[number])
            if n == 0 or all(len(listed) >= shown for listed in facets.values()):
                break  # the rest would be shown nowhere
            shown_here = facets[FACET_OF_KIND[self.names[number].kind]]
            if len(shown_here) < shown:
                shown_here[self.names[number].display] = n
        return facets


def segments_read() -> bool:
    """Whether this process has read any segment's names (a search asked for facets): a new generation opened for
    it then reads its own ahead of the searches (``OpenGeneration.warm``)."""
    with _SEGMENTS_LOCK:
        return bool(_SEGMENTS)


def _by_article(lists: list[tuple[int, np.ndarray]], count: int) -> tuple[np.ndarray, np.ndarray]:
    """The (article, name) pairs of ``lists`` by article: (the names' numbers, where each of the ``count``
    articles' begin), article ``d``'s names being ``names[starts[d]:starts[d + 1]]``.

    So that a search reads the pairs of its matches only (or of the others, when more than half the
    articles match). Placed list by list rather than sorted: 0.14 CPU-s for 3.7 million pairs, a sort 0.3.
    """
    every = np.concatenate([docnums for _, docnums in lists]) if lists else _EMPTY
    starts = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(every, minlength=count), out=starts[1:])
    names = np.empty(len(every), dtype=np.int32)
    free = starts[:-1].copy()  # each article's next free place
    for number, docnums in lists:  # an article at most once in a list
        names[free[docnums]] = number
        free[docnums] += 1
    return names, starts


def forget_segments() -> None:
    """Forget every segment's names read so far: each is read again, as in a new process."""
    with _SEGMENTS_LOCK:
        _SEGMENTS.clear()


def segment_key(leaf: Any) -> tuple:
    """What tells one segment from every other: its id (random, kept by the generations that hard-link it), size."""
    segment = getattr(leaf, "segment", None)
    if segment is None:  # not a segment's reader (an empty index's): known by the reader itself
        return "reader", id(leaf)
    return segment().segment_id(), leaf.doc_count_all()


def _read_segment(leaf: Any, keys: list[tuple[str, ...]], known: dict[tuple[str, ...], np.ndarray]
                  ) -> dict[tuple[str, ...], np.ndarray]:
    """Each name's (its terms': ``keys``) documents in the segment ``leaf`` (local numbers, sorted), ``known``
    ones kept."""
    arrays = PostingArrays(leaf)
    found = {key: known[key] for key in keys if key in known}  # the names of no longer learned: forgotten
    missing = [key for key in dict.fromkeys(keys) if key not in found]
    if leaf.doc_count_all() <= LEXICON_DOCUMENTS:
        present = {term.decode("utf-8") if isinstance(term, bytes) else term for term in leaf.lexicon(NAMES_FIELD)}
    else:
        present = None  # every term looked up
    for key in missing:
        terms = [term for term in key if present is None or term in present]
        lists = [arrays.get(NAMES_FIELD, term)[0] for term in terms]
        lists = [found for found in lists if len(found)]
        if not lists:
            found[key] = _EMPTY
        elif len(lists) == 1:
            found[key] = np.array(lists[0], dtype=np.int32)  # a copy: not a view of the segment's mapped file
        else:
            found[key] = np.unique(np.concatenate(lists)).astype(np.int32)
    return found
