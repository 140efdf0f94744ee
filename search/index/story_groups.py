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
# Bits of a band's first value that pick a slot of the table of touched buckets (a filter, checked exactly after).
TABLE_BITS = 22


def link(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(story, pairs)`` of a whole record: each row's story number (``-1``: alone), and the similar pairs
    (``k x 2`` rows, each pair ascending, sorted) of ``values`` (a row of zeros: never grouped)."""
    rows = np.flatnonzero(values.any(axis=1))
    pairs = _similar([_bucket_pairs(values, rows, band) for band in range(BANDS)], values)
    return stories_of(len(values), pairs), pairs


def relink(values: np.ndarray, old_values: np.ndarray, old_pairs: np.ndarray,
           new_of_old: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(story, pairs)`` of ``values`` as :func:`link` gives them, from the previous record's.

    ``new_of_old``: the new row of each previous row whose article is unchanged (-1: removed or replaced);
    every new row none maps to is new or replaced. None when the unchanged rows are not in their previous order.
    """
    kept = np.flatnonzero(new_of_old >= 0)
    unchanged = new_of_old[kept]
    if np.any(np.diff(unchanged) <= 0):
        return None
    fresh = np.ones(len(values), dtype=bool)
    fresh[unchanged] = False
    touched = [_band_keys(old_values[new_of_old < 0], band) for band in range(BANDS)]
    touched = [np.concatenate([keys, _band_keys(values[fresh], band)]) for band, keys in enumerate(touched)]
    pairs = new_of_old[old_pairs] if len(old_pairs) else np.zeros((0, 2), dtype=np.int64)
    pairs = pairs[(pairs >= 0).all(axis=1)]  # a removed or replaced article's pairs are found again, or not
    suspect = np.zeros(len(pairs), dtype=bool)
    for band in range(BANDS):
        first, second = _band_keys(values[pairs[:, 0]], band), _band_keys(values[pairs[:, 1]], band)
        suspect |= (first == second) & _member(first, touched[band])
    for band in range(BANDS):  # every bucket a suspect pair shares is checked again
        first, second = (_band_keys(values[pairs[suspect, side]], band) for side in (0, 1))
        touched[band] = np.concatenate([touched[band], first[first == second]])
    grouped = np.asarray(values.any(axis=1))
    found = [_bucket_pairs(values, _members(values, grouped, band, touched[band]), band) for band in range(BANDS)]
    pairs = _similar(found, values, pairs[~suspect])
    return stories_of(len(values), pairs), pairs


def _band_keys(values: np.ndarray, band: int) -> np.ndarray:
    """Each row's values in ``band`` as one comparable key (12 bytes)."""
    part = np.ascontiguousarray(values[:, band * ROWS : (band + 1) * ROWS])
    return part.view(np.dtype((np.void, part.dtype.itemsize * ROWS))).ravel()


def _member(keys: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is one of ``among`` (both from :func:`_band_keys`)."""
    if not len(keys) or not len(among):
        return np.zeros(len(keys), dtype=bool)
    first = lambda found: found.view(np.uint32).reshape(-1, ROWS)[:, 0] & np.uint32((1 << TABLE_BITS) - 1)  # noqa: E731
    table = np.zeros(1 << TABLE_BITS, dtype=bool)
    table[first(among)] = True
    maybe = np.flatnonzero(table[first(keys)])
    found = np.zeros(len(keys), dtype=bool)
    found[maybe] = np.isin(keys[maybe], among)
    return found


def _members(values: np.ndarray, grouped: np.ndarray, band: int, keys: np.ndarray) -> np.ndarray:
    """The rows (ascending) of the buckets ``keys`` of ``band``: every article each holds."""
    column = values[:, band * ROWS]
    table = np.zeros(1 << TABLE_BITS, dtype=bool)
    mask = np.uint32((1 << TABLE_BITS) - 1)
    table[keys.view(np.uint32).reshape(-1, ROWS)[:, 0] & mask] = True
    maybe = np.flatnonzero(table[column & mask] & grouped)
    return maybe[np.isin(_band_keys(values[maybe], band), keys)]


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
    shared = ends - starts > 1
    found = [np.zeros((0, 2), dtype=np.int64)]
    for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        members = rows[order[start:end]]
        for at in range(min(BUCKET_CHECKS, len(members) - 1)):
            found.append(np.stack([np.full(len(members) - at - 1, members[at]), members[at + 1 :]], axis=1))
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
