"""The story record's signatures in parts: files of up to ``PART_ROWS`` rows that a write leaves as they are.

The signatures are most of the story record (``search.index.stories``): 256 bytes an article, 256 MB at
1,000,000 articles, which every write wrote again whole (with a CRC-32 of the zip member), then checksummed
for the manifest, and every serving worker read again to check it. They are kept instead as ``.npy`` files
beside the record, ``stories-values-NUMBER.npy`` (``uint32``, rows x ``NUM_PERM``), listed in order in
the record (``parts``: their numbers, ``part_rows``: their rows). A write starts from a hard-linked copy of
the live generation, so a part whose rows the write keeps, in order, is left as it is, the same file; only
the rows around a change are written again, as a new part:

- an addition writes its rows, with the last part's if that one is not full (a write of ten articles
  rewrites at most one part, 16 MB, and most often much less);
- a removal or a correction writes again the part it falls in.

Parts the new record no longer lists are taken off the new generation (links: the live one keeps its own).
A record written before parts (its signatures in the ``values`` array of ``stories.npz``) is read as
before and written in parts by the next write. Code older than this reads a record in parts as no record
(it has no ``values``): its next write makes the signatures again from the stored bodies; a searcher reads
only the ids and story numbers, which did not move.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from search.index.parts import Layout, Parts, next_number, replace

PREFIX = "stories-values-"
PART_ROWS = 65_536  # 16 MB of signatures a part
PARTS = Parts(PREFIX, ".npy")
file_of = PARTS.file_of


def plan(count: int, previous: Layout | None, rows: np.ndarray | None) -> list[tuple[int | None, int, int]]:
    """The parts of a record of ``count`` rows: (the number of a ``previous`` part kept as it is, or None: written
    anew; first row; end). ``rows``: each new row's row in the previous record (negative: none)."""
    steps: list[tuple[int | None, int, int]] = []

    def written(start: int, end: int) -> None:
        if end <= start:
            return
        if steps and steps[-1][0] is not None and steps[-1][2] == start and steps[-1][2] - steps[-1][1] < PART_ROWS:
            start = steps.pop()[1]  # a part not full is written again with the rows after it
        steps.extend((None, at, min(at + PART_ROWS, end)) for at in range(start, end, PART_ROWS))

    at = 0
    if previous and rows is not None and len(rows) == count:
        firsts = np.cumsum([0] + [size for _, size in previous[:-1]])
        part_at = {int(first): part for first, part in zip(firsts.tolist(), previous, strict=True)}
        for place in np.flatnonzero(np.isin(rows, firsts)).tolist():
            first = int(rows[place])
            number, size = part_at[first]
            if place < at or size == 0 or place + size > count:
                continue
            if np.array_equal(rows[place : place + size], np.arange(first, first + size)):
                written(at, place)
                steps.append((number, place, place + size))
                at = place + size
    written(at, count)
    return steps


def write(generation: Path, values: np.ndarray, previous: Layout | None = None,
          rows: np.ndarray | None = None) -> Layout:
    """Store ``values`` in parts in ``generation``, keeping the parts of ``previous`` (the live record's, which
    ``generation`` holds as links) whose rows are unchanged (``rows``: see :func:`plan`); returns the layout."""
    following = next_number(previous)
    layout: Layout = []
    for number, start, end in plan(len(values), previous, rows):
        if number is None or not file_of(generation, number).is_file():
            number, following = following, following + 1
            part = np.ascontiguousarray(values[start:end])
            replace(file_of(generation, number), functools.partial(np.save, arr=part, allow_pickle=False))
        layout.append((number, end - start))
    PARTS.prune(generation, layout)
    return layout


def read(generation: Path, layout: Layout, width: int, spare: int = 0) -> np.ndarray:
    """The signatures of the parts ``layout`` (ValueError when a part is not what the record says): the first rows
    of an array with ``spare`` rows more (``.base``), which the next addition writes its rows into."""
    count = sum(size for _, size in layout)
    buffer = np.empty((count + spare, width), dtype=np.uint32)
    at = 0
    for number, size in layout:
        part = np.load(file_of(generation, number), allow_pickle=False)
        if part.dtype != np.uint32 or part.shape != (size, width):
            raise ValueError(f"{file_of(generation, number).name} is not the part the record lists")
        buffer[at : at + size] = part
        at += size
    return buffer[:count]
