"""Which articles tell one story, from their signatures: every pair at once, or only where a write changed them.

The rule (``search.index.stories`` says why): the signatures' values are
cut into ``BANDS`` bands of ``ROWS``; the articles whose values agree on a
whole band share that band's *bucket*; in each bucket (its articles in
record order) each of the first ``BUCKET_CHECKS`` articles is checked
against every later one, and a checked pair whose signatures agree on at
least ``THRESHOLD`` of their values is *similar*. A story is the articles
linked by similar pairs, numbered by its first article's row; an article
linked to none is alone (``-1``). :func:`link` applies the rule to a whole
record: one sort of every article's band per band, at 1,000,000 articles
~13 s of CPU, the same for a write of ten articles as for a rebuild.

:func:`relink` gets the same pairs and stories from the previous record's
similar pairs and what a write changed. A bucket whose articles are all
unchanged, in the same order, gives the same pairs as before. So only the
buckets a write *touched* are checked again: those of the bands of every
article it removed, replaced or added (old values and new). A previous pair
of two unchanged articles stands unless the two share a touched bucket; if
they do, every bucket they share is checked again. The pairs are then those
:func:`link` would find, and the stories (linked and numbered from the
pairs alone) are the same numbers. It needs the unchanged articles in the
same order as before (appended and removed ones aside), which every update
keeps; otherwise the caller links the whole record.
"""

from __future__ import annotations

import numpy as np

BANDS, ROWS = 21, 3  # 63 of the 64 values, in bands
THRESHOLD = 0.5  # share of equal signature values (estimated Jaccard) for two articles to be one story
# The articles sharing a band are each checked against this many of the first of them (a copy agrees with
# them all, the first one is enough; more in case it is the odd one): a band shared by thousands of articles
# (one boilerplate text) costs a number of checks linear in them, not quadratic.
BUCKET_CHECKS = 4
# Bits of a bucket's hash that pick its slot in the table of touched buckets (a filter: the keys are checked after).
TABLE_BITS = 22


def link(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(story, pairs)`` of a whole record: each row's story number (``-1``: alone), and the similar pairs
    (``k x 2`` rows, each pair ascending, sorted) of ``values`` (a row of zeros: never grouped)."""
    rows = np.flatnonzero(values.any(axis=1))
    pairs = _similar([_bucket_pairs(values, rows, band) for band in range(BANDS)], values)
    return stories_of(len(values), pairs), pairs


def relink(values: np.ndarray, gone: np.ndarray, old_pairs: np.ndarray,
           new_of_old: np.ndarray, buckets: Buckets | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """``(story, pairs)`` of ``values`` as :func:`link` gives them, from the previous record's.

    ``new_of_old``: the new row of each previous row whose article is unchanged (-1: removed or replaced);
    every new row none maps to is new or replaced; ``gone``: the previous signatures of the rows it maps to -1,
    in order. None when the unchanged rows are not in their previous order. ``buckets``: the previous record's
    rows by bucket (:class:`Buckets`), followed to the new record here; without them every row's buckets are
    computed again to find those a write touched.
    """
    unchanged = new_of_old[new_of_old >= 0]
    if np.any(np.diff(unchanged) <= 0):
        return None
    fresh = np.ones(len(values), dtype=bool)
    fresh[unchanged] = False
    touched = _Touched(np.concatenate([gone, values[fresh]]))  # removed, replaced, added
    pairs = new_of_old[old_pairs] if len(old_pairs) else np.zeros((0, 2), dtype=np.int64)
    pairs = pairs[(pairs >= 0).all(axis=1)]  # a removed or replaced article's pairs are found again, or not
    suspect = np.zeros(len(pairs), dtype=bool)
    for band, at in touched.hits(values, pairs[:, 0]):
        first, second = (_band_keys(values[pairs[at, side]], band) for side in (0, 1))
        suspect[at[(first == second) & np.isin(first, touched.keys[band])]] = True
    touched.add_shared(values, pairs[suspect])  # every bucket a suspect pair shares is checked again
    if buckets is not None:
        buckets.follow(new_of_old, values, fresh)
    found = []
    for band, rows in (touched.hits(values) if buckets is None else buckets.hits(touched.table)):
        rows = rows[values[rows].any(axis=1)]  # an article too short to sign is in no bucket
        found.append(_bucket_pairs(values, rows[np.isin(_band_keys(values[rows], band), touched.keys[band])], band))
    pairs = _similar(found, values, pairs[~suspect])
    return stories_of(len(values), pairs), pairs


def _band_keys(values: np.ndarray, band: int) -> np.ndarray:
    """Each row's values in ``band`` as one comparable key (12 bytes)."""
    part = np.ascontiguousarray(values[:, band * ROWS : (band + 1) * ROWS])
    return part.view(np.dtype((np.void, part.dtype.itemsize * ROWS))).ravel()


class _Touched:
    """The buckets a write touched: each band's keys, and a table of their hashes that finds the rows holding one
    with one pass over the record (a hash's slot set: maybe; the keys then say)."""

    def __init__(self, signatures: np.ndarray) -> None:
        self.keys = [_band_keys(signatures, band) for band in range(BANDS)]
        self.table = np.zeros(1 << TABLE_BITS, dtype=bool)
        self.table[slots_of(signatures)] = True

    def add_shared(self, values: np.ndarray, pairs: np.ndarray) -> None:
        """Add the buckets each of ``pairs`` shares (the bands where its two rows' keys agree)."""
        first, second = values[pairs[:, 0]], values[pairs[:, 1]]
        for band in range(BANDS):
            keys, others = _band_keys(first, band), _band_keys(second, band)
            self.keys[band] = np.concatenate([self.keys[band], keys[keys == others]])
        self.table[slots_of(first)[_band_keys_equal(first, second)]] = True

    def hits(self, values: np.ndarray, rows: np.ndarray | None = None) -> list[tuple[int, np.ndarray]]:
        """``(band, at)`` for each band: where (ascending positions in ``rows``, default every row of ``values``) a
        row's key of that band may be a touched one."""
        count = len(values) if rows is None else len(rows)
        found: list[list[np.ndarray]] = [[] for _ in range(BANDS)]
        for start in range(0, count, CHUNK_ROWS):
            part = values[start : start + CHUNK_ROWS] if rows is None else values[rows[start : start + CHUNK_ROWS]]
            at, bands = np.nonzero(self.table[slots_of(part)])
            order = np.argsort(bands, kind="stable")
            ends = np.searchsorted(bands[order], np.arange(1, BANDS + 1))
            for band, piece in enumerate(np.split(at[order] + start, ends[:-1])):
                found[band].append(piece)
        return [(band, np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64))
                for band, pieces in enumerate(found)]


class Buckets:
    """Each row's table slot in each band (:func:`slots_of`), the rows found by slot: what ``_Touched.hits`` finds by a
    pass over every row of the record (~0.2 CPU-s a write at 1,000,000 articles), found in the few slots a write
    touched. Kept by a writing process with the story record and followed from one write to the next: the rows of
    the record it was made from by their slot (``order``, ``starts``) and where each is now (``now``: -1, gone), the
    rows written since in ``recent``; made again from the whole record past ``RECENT_ROWS`` of them.
    """

    RECENT_ROWS = 1 << 16

    def __init__(self, values: np.ndarray) -> None:
        slots = np.concatenate([slots_of(values[at:at + CHUNK_ROWS]).astype(np.uint32).ravel()
                                for at in range(0, len(values), CHUNK_ROWS)] or [np.zeros(0, np.uint32)])
        self.order = by_slot(slots)  # entries (row * BANDS + band) by slot
        self.starts = np.zeros((1 << TABLE_BITS) + 1, dtype=np.int64)
        np.cumsum(np.bincount(slots, minlength=1 << TABLE_BITS), out=self.starts[1:])
        self.now = np.arange(len(values), dtype=np.int64)
        self.recent_rows = np.zeros(0, dtype=np.int64)
        self.recent_slots = np.zeros((0, BANDS), dtype=np.intp)

    def follow(self, new_of_old: np.ndarray, values: np.ndarray, fresh: np.ndarray) -> None:
        """Follow a write: ``new_of_old`` as :func:`relink` takes it; ``fresh``: the new record's new or replaced rows."""
        if len(self.recent_rows) + int(fresh.sum()) > self.RECENT_ROWS:
            self.__init__(values)  # type: ignore[misc]
            return
        if len(new_of_old):
            self.now = np.where(self.now < 0, -1, new_of_old[np.maximum(self.now, 0)])
        recent = new_of_old[self.recent_rows] if len(self.recent_rows) else self.recent_rows
        rows = np.flatnonzero(fresh)
        self.recent_rows = np.concatenate([recent[recent >= 0], rows])
        self.recent_slots = np.concatenate([self.recent_slots[recent >= 0], slots_of(values[rows])])

    def hits(self, table: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """``(band, rows)`` for each band: the rows (ascending) whose slot of that band is set in ``table``."""
        touched = np.flatnonzero(table)
        firsts, ends = self.starts[touched], self.starts[touched + 1]
        sizes = ends - firsts
        at = np.repeat(firsts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        entries = self.order[at]
        rows, bands = self.now[entries // BANDS], (entries % BANDS).astype(np.int64)
        recent, recent_bands = np.nonzero(table[self.recent_slots])
        rows = np.concatenate([rows, self.recent_rows[recent]])
        bands = np.concatenate([bands, recent_bands])
        found = rows >= 0
        rows, bands = rows[found], bands[found]
        return [(band, np.unique(rows[bands == band])) for band in range(BANDS)]


def by_slot(slots: np.ndarray) -> np.ndarray:
    """The entries (positions in ``slots``, int32) ordered by their slot, each slot's in their order: one sort of
    each entry's slot and position packed in one 64-bit key (numpy's vectorised sort), not ``argsort`` of the slots
    (a comparison sort of indirect keys): at 1,000,000 articles, 21 million entries, 0.71 CPU-s instead of 2.84, and
    the slots' first entries counted (``np.bincount``) instead of searched, 0.10 instead of 0.36."""
    if len(slots) >= 1 << 31:
        raise ValueError("too many entries for 32-bit positions")
    packed = slots.astype(np.uint64) << np.uint64(32)
    packed |= np.arange(len(slots), dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64(0xFFFFFFFF)).astype(np.int32)


CHUNK_ROWS = 1 << 16  # rows hashed at a time (~50 MB of working arrays)
_MIX = np.uint32(0x9E3779B1)  # odd: multiplying by it mod 2**32 spreads a value's bits into the high ones
_SALT = (np.arange(BANDS, dtype=np.uint64) * np.uint64(0x85EBCA6B) % np.uint64(1 << 32)).astype(np.uint32)


def slots_of(values: np.ndarray) -> np.ndarray:
    """The table slot of each row's key in each band (``rows x BANDS``): a hash of the band's first two values
    and the band. Only a filter (the keys are compared after), so it need not see the third: the values are
    MinHash minima, already spread; this pass over every row of the record is most of a write's regrouping."""
    first = values[:, 0 : BANDS * ROWS : ROWS]
    second = values[:, 1 : BANDS * ROWS : ROWS]
    mixed = (first ^ _SALT) * _MIX  # wraps: arithmetic mod 2**32
    mixed ^= second
    mixed *= _MIX
    return (mixed >> np.uint32(32 - TABLE_BITS)).astype(np.intp)


def _band_keys_equal(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``rows x BANDS``: whether the two rows' keys of each band are the same."""
    shape = (len(first), BANDS, ROWS)
    return (first[:, : BANDS * ROWS].reshape(shape) == second[:, : BANDS * ROWS].reshape(shape)).all(axis=2)


def _bucket_pairs(values: np.ndarray, rows: np.ndarray, band: int) -> np.ndarray:
    """The pairs of ``rows`` (ascending) checked in ``band``: the first ``BUCKET_CHECKS`` of each bucket with every
    later one."""
    if len(rows) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    keys = _band_keys(values[rows], band)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(ordered)]
    members = rows[order]  # bucket by bucket, each in row order
    found = [np.zeros((0, 2), dtype=np.int64)]
    for at in range(BUCKET_CHECKS):  # each bucket's article ``at`` with every later one, all buckets at once
        checked = ends - starts > at + 1
        firsts = starts[checked] + at
        later = ends[checked] - firsts - 1
        first = np.repeat(firsts, later)
        second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(later) - later, later)
        found.append(np.stack([members[first], members[second]], axis=1))
    return np.concatenate(found)


def _similar(candidates: list[np.ndarray], values: np.ndarray, known: np.ndarray | None = None) -> np.ndarray:
    """The ``candidates`` whose signatures agree on ``THRESHOLD`` of their values, with the ``known`` similar
    pairs: each once, ascending, sorted."""
    pairs = np.concatenate(candidates).astype(np.int64, copy=False)
    if len(pairs):
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
        pairs = pairs[(values[pairs[:, 0]] == values[pairs[:, 1]]).mean(axis=1) >= THRESHOLD]
    if known is not None and len(known):
        pairs = np.unique(np.concatenate([pairs, known.astype(np.int64)]), axis=0)
    return pairs.reshape(-1, 2)


def stories_of(count: int, pairs: np.ndarray) -> np.ndarray:
    """Each of ``count`` rows' story: the first (least) row of the rows ``pairs`` link it to, -1 if none."""
    label = np.arange(count, dtype=np.int64)
    if len(pairs):
        first, second = pairs[:, 0], pairs[:, 1]
        while True:  # each row takes its neighbours' least label, then its label's label, until nothing moves
            least = np.minimum(label[first], label[second])
            moved = label.copy()
            np.minimum.at(moved, first, least)
            np.minimum.at(moved, second, least)
            moved = moved[moved]
            if np.array_equal(moved, label):
                break
            label = moved
    sizes = np.bincount(label, minlength=count)
    return np.where(sizes[label] > 1, label, -1).astype(np.int32)
