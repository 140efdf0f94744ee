"""A field's terms written out of memory in sorted runs while a segment is written, and merged back at its end.

A worker's segment keeps every term it has seen (its key, its unfinished
list, its spilled blocks' places and statistics) until the segment is
written, and an archive's vocabulary keeps growing with it: at 500,000
articles a worker held ~1 GB of terms. So when the postings held pass the
writer's limit, :meth:`field_postings.FieldPostings.write_run` writes every
term's state, in term order, into the segment's spill file as one run (chunks
of ``CHUNK`` terms, ``marshal``) and forgets them all; the next documents'
terms start afresh. At the end :func:`merged` walks the runs and the terms
still in memory together, in term order, a chunk of each run at a time, and
hands each term's parts (oldest first: the runs in their order, then memory)
to the field, which joins them into one posting list (the same postings,
statistics and scores; Whoosh's own pool spills and merges its sorted
postings so, past ``limitmb``).

A part is ``(pending, stats, places)``: the flat unfinished list
``[docnum, weight, value, ...]``, and for a term whose full blocks were
spilled, its statistics (:func:`stats_of`) and the places of those blocks in
the spill file (``array("Q")``: offset, size, postings of each block), else
``None, None``.
"""

from __future__ import annotations

import heapq
import marshal
import os
from array import array
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, BinaryIO

from whoosh.system import pack_int

from search._whoosh.term_dictionary import CompactTermInfo

CHUNK = 4096  # terms a chunk: what the merge holds of each run at a time
Part = tuple[list, Any, Any]  # (pending, stats or CompactTermInfo or None, places or None)


def stats_of(info: CompactTermInfo) -> tuple:
    """What ``W3TermInfo.add_block`` has counted of a term's spilled blocks, as plain values."""
    return info._weight, info._df, info._minlength, info._maxlength, info._maxweight, info._minid, info._maxid


def info_of(stats: tuple) -> CompactTermInfo:
    """A term info holding ``stats`` (:func:`stats_of`), as if its blocks had been added to it."""
    weight, df, minlength, maxlength, maxweight, minid, maxid = stats
    return CompactTermInfo(weight=weight, df=df, minlength=minlength, maxlength=maxlength, maxweight=maxweight,
                           minid=minid, maxid=maxid)


def absorb(info: CompactTermInfo, later: CompactTermInfo) -> None:
    """Count into ``info`` the blocks ``later`` counted, which follow ``info``'s: ``add_block`` for each of them."""
    info._weight += later._weight
    info._df += later._df
    if later._minlength is not None:
        info._minlength = later._minlength if info._minlength is None else min(info._minlength, later._minlength)
    info._maxlength = max(info._maxlength, later._maxlength)
    info._maxweight = max(info._maxweight, later._maxweight)
    if info._minid is None:
        info._minid = later._minid
    info._maxid = later._maxid


def write_run(spill: BinaryIO, items: Iterable[tuple]) -> list[int]:
    """Write ``(term, pending, stats, places bytes)`` items (in term order) to ``spill`` in chunks: their
    ``[offset, size, ...]``."""
    chunks: list[int] = []
    batch: list[tuple] = []
    for item in items:
        batch.append(item)
        if len(batch) >= CHUNK:
            _write_chunk(spill, batch, chunks)
            batch = []
    if batch:
        _write_chunk(spill, batch, chunks)
    return chunks


def _write_chunk(spill: BinaryIO, batch: list[tuple], chunks: list[int]) -> None:
    data = marshal.dumps(batch)
    chunks += (spill.tell(), len(data))
    spill.write(data)


def run_items(spill_fd: int, chunks: list[int]) -> Iterator[tuple]:
    """A run's ``(term, pending, stats, places bytes)`` items, in term order, one chunk read at a time."""
    for offset, size in zip(chunks[0::2], chunks[1::2], strict=True):
        yield from marshal.loads(os.pread(spill_fd, size, offset))


def merged(spill_fd: int, runs: list[list[int]], terms: dict, spilled: dict) -> Iterator[tuple[Any, list[Part]]]:
    """Every term of the runs and of memory (``terms``, ``spilled``: emptied as they go), in order, with its
    parts, oldest first. Stats in a run's parts are :func:`stats_of` tuples, places ``array("Q")``."""
    if not runs:  # everything in memory (a segment under the limit)
        for term in sorted(terms):
            info, places = spilled.pop(term, (None, None))
            yield term, [(terms.pop(term), info, places)]
        return
    streams: list[Iterator[tuple]] = [
        ((term, source, pending, stats, places) for term, pending, stats, places in run_items(spill_fd, chunks))
        for source, chunks in enumerate(runs)
    ]
    memory = len(runs)
    streams.append((term, memory, None, None, None) for term in sorted(terms))
    for term, group in groupby(heapq.merge(*streams), key=itemgetter(0)):
        parts: list[Part] = []
        for _, source, pending, stats, places in group:
            if source == memory:
                info, held = spilled.pop(term, (None, None))
                parts.append((terms.pop(term), info, held))
            else:
                parts.append((pending, None if stats is None else info_of(stats),
                              None if places is None else array("Q", places)))
        yield term, parts


def spilled_arrays(spill_fd: int, places) -> list[tuple[bytes, bytes]]:
    """(ids, weights) bytes of each of a term's spilled blocks, written after each block (``_write_block``)."""
    if places is None:
        return []
    found = []
    for offset, size, count in zip(places[0::3], places[1::3], places[2::3], strict=True):
        data = os.pread(spill_fd, 8 * count, offset + size)
        found.append((data[: 4 * count], data[4 * count :]))
    return found


def spilled_blocks(spill_fd: int, places, last: bool) -> list:
    """A term's spilled blocks; with ``last``, the final one marked as the list's last (negative size)."""
    if places is None:
        return []
    # Read, not mapped: mapped pages would count in the worker's resident memory.
    blocks = [os.pread(spill_fd, size, offset) for offset, size in zip(places[0::3], places[1::3], strict=True)]
    if last:
        blocks[-1] = marked_last(blocks[-1])
    return blocks


def marked_last(block: bytes) -> bytes:
    """A spilled block marked as its list's last: its size negative (the size excludes its own 4 bytes)."""
    return pack_int(-(len(block) - 4)) + block[4:]
