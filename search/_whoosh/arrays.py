"""Posting lists written once, decoded, beside Whoosh's blocks: read by a query as memory-mapped numpy arrays.

Whoosh stores a posting list longer than the inline limit as blocks of 128
postings (delta-coded ids, weights and values, pickled and compressed), and
a query that wants the list whole decodes it block by block in Python: on
1,000,000 articles that was 93% of a sentence query's time (docs/performance.md).
So when a segment is written, each such list's document numbers (int32) and
weights (uint8 when they all are term frequencies below 256, else float32)
are also written as plain arrays, in one more file of the segment
(``<segment>.cpa``, inside its compound file, so it is checksummed, hard-linked
and removed with the segment like the rest). A reader maps that file and
hands out views of it: no decoding, no copy, and the pages are the page
cache's, shared by every worker process.

Layout (little-endian): the magic, then the number of lists, of postings and
the weights' item size (1 or 4) as uint64; the lists' keys (the offset of
each list in the segment's postings file, as its term info records it,
ascending) as int64; the lists' starts (one more, the last the number of
postings) as int64; the ids; padding to 8 bytes; the weights.
"""

from __future__ import annotations

import os
import struct
import tempfile
from array import array

import numpy as np

ARRAYS_EXT = ".cpa"
MAGIC = b"CARIPA\x00\x01"
_HEADER = struct.Struct("<8sQQQ")
_COPY = 1 << 22  # bytes copied at a time into the segment file


class PostingArraysWriter:
    """Collects the block-stored lists of one segment (ids and weights) and writes them as one file.

    The ids and weights go to two anonymous temporary files (a segment of
    500,000 articles has ~150 million such postings), the keys and starts
    stay in memory (two numbers a list).
    """

    def __init__(self, folder: str | None = None):
        # Deleted by the system when closed, or if the process dies.
        self._ids = tempfile.TemporaryFile(dir=folder, prefix=".arrays-")  # noqa: SIM115
        self._weights = tempfile.TemporaryFile(dir=folder, prefix=".arrays-")  # noqa: SIM115
        self._keys = array("q")
        self._starts = array("q", [0])
        self._small = True  # every weight so far a whole number in 0..255

    def add(self, key: int, ids, weights) -> None:
        """One list: ``key`` its offset in the postings file, ``ids`` and ``weights`` its postings
        (sequences, or the bytes of int32 and float32 arrays)."""
        if self._keys and key <= self._keys[-1]:
            raise ValueError(f"posting list keys must increase: {self._keys[-1]} then {key}")
        ids = np.frombuffer(ids, np.int32) if isinstance(ids, bytes) else np.asarray(ids, dtype=np.int32)
        weights = np.frombuffer(weights, np.float32) if isinstance(weights, bytes) else np.asarray(weights, np.float32)
        if len(ids) != len(weights):
            raise ValueError("a list's ids and weights differ in length")
        if self._small and len(weights):
            self._small = bool(weights.min() >= 0 and weights.max() <= 255 and (weights == np.floor(weights)).all())
        self._ids.write(ids.tobytes())
        self._weights.write(weights.tobytes())
        self._keys.append(key)
        self._starts.append(self._starts[-1] + len(ids))

    def write_to(self, out) -> None:
        """Write the file to ``out`` (a binary file object) and release the temporary files."""
        count = self._starts[-1]
        itemsize = 1 if self._small else 4
        out.write(_HEADER.pack(MAGIC, len(self._keys), count, itemsize))
        out.write(self._keys.tobytes())
        out.write(self._starts.tobytes())
        _copy(self._ids, out, None)
        out.write(bytes(-4 * count % 8))
        _copy(self._weights, out, np.uint8 if self._small else None)
        self.discard()

    def discard(self) -> None:
        self._ids.close()
        self._weights.close()


def _copy(source, out, dtype) -> None:
    """Copy a temporary file of float32 or int32 into ``out``, converted to ``dtype`` if given."""
    source.flush()
    source.seek(0)
    while chunk := source.read(_COPY):
        out.write(chunk if dtype is None else np.frombuffer(chunk, dtype=np.float32).astype(dtype).tobytes())


class SegmentArrays:
    """The posting arrays of one segment, as views of its mapped file."""

    def __init__(self, buffer):
        magic, terms, count, itemsize = _HEADER.unpack_from(buffer, 0)
        if magic != MAGIC or itemsize not in (1, 4):
            raise ValueError("not a posting arrays file")
        at = _HEADER.size
        # The keys and starts (16 bytes a list: a few MB) are made aligned, copied if they are not. The file
        # starts anywhere inside its compound segment file, and numpy copies an unaligned array whole before
        # each searchsorted: ~200 us for every term looked up at 1,000,000 articles instead of ~2.
        self.keys = _aligned(np.frombuffer(buffer, dtype="<i8", count=terms, offset=at))
        at += 8 * terms
        self.starts = _aligned(np.frombuffer(buffer, dtype="<i8", count=terms + 1, offset=at))
        at += 8 * (terms + 1)
        self.ids = np.frombuffer(buffer, dtype="<i4", count=count, offset=at)
        at += 4 * count + (-4 * count % 8)
        self.weights = np.frombuffer(buffer, dtype=np.uint8 if itemsize == 1 else "<f4", count=count, offset=at)

    def get(self, key: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(ids, weights) of the list at ``key`` in the postings file (views), or None if it is not here."""
        at = int(np.searchsorted(self.keys, key))
        if at == len(self.keys) or self.keys[at] != key:
            return None
        start, end = int(self.starts[at]), int(self.starts[at + 1])
        return self.ids[start:end], self.weights[start:end]


def _aligned(array: np.ndarray) -> np.ndarray:
    """``array`` itself if it is aligned for its type, else an aligned copy."""
    return np.require(array, requirements="A")


def segment_arrays(reader) -> SegmentArrays | None:
    """The posting arrays written with a Whoosh segment reader's segment, or None (an index written without them).

    In a compound segment the file is a range of the segment's file, which
    Whoosh has mapped already: the arrays are views of that map. A damaged
    file is the checksums' business (``search.index.checksums``); one that
    does not parse is treated as absent (the lists are then decoded).
    """
    name = reader.segment().make_filename(ARRAYS_EXT)
    storage = reader.storage()
    compound = getattr(storage, "a", None)  # Whoosh's OverlayStorage(CompoundStorage, FileStorage)
    buffer = None
    try:
        if compound is not None and name in getattr(compound, "_dir", {}):
            offset, length = compound.range(name)
            source = compound._source
            buffer = memoryview(source)[offset : offset + length] if source is not None else _read(compound, name)
        elif storage.file_exists(name):
            folder = getattr(storage, "folder", None) or getattr(getattr(storage, "b", None), "folder", None)
            path = os.path.join(folder, name) if folder else None
            buffer = np.memmap(path, dtype=np.uint8, mode="r") if path and os.path.isfile(path) else _read(storage, name)
        if buffer is None or len(buffer) < _HEADER.size:
            return None
        return SegmentArrays(buffer)
    except (ValueError, OSError, struct.error):
        return None


def _read(storage, name: str) -> bytes:
    f = storage.open_file(name)
    try:
        return f.read()
    finally:
        f.close()
