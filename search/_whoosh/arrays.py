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

Two layouts; the codec of each segment says which it wrote (``codec.CariCodec``'s
``layout``), and the file's magic says it again.

Layout 1 (little-endian): the magic, then the number of lists, of postings and
the weights' item size (1 or 4) as uint64; the lists' keys (the offset of
each list in the segment's postings file, as its term info records it,
ascending) as int64; the lists' starts (one more, the last the number of
postings) as int64; the ids; padding to 8 bytes; the weights. 5 bytes a
posting: on 1,000,000 articles 37% of the index (docs/performance.md).

Layout 2 codes each list on its own, decoded by numpy when a query reads it
(:meth:`SegmentArrays.get`). Ids as the gaps between them (the first the id
itself) in one byte each, or two, where the list is dense enough; a gap that
does not fit is written 0 and given in full (int32) after the list's gaps;
a sparse list keeps its int32 ids. Weights, where they are all whole numbers
below 256 (term frequencies, 91% of them 1): a bitmap of the postings whose
weight is not 1, then those weights (uint8); else uint8 or float32 as they
are. About 1.5 bytes a posting. After the header (magic, lists, postings, 0):
the keys, the starts, each list's first byte of ids and of weights (one more
each, int64), each list's kinds (uint8: ids | weights << 4, padded to 8),
the ids' bytes (each list's at a multiple of 4), padding to 8, the weights'.
"""

from __future__ import annotations

import os
import struct
import tempfile
from array import array

import numpy as np

ARRAYS_EXT = ".cpa"
MAGIC = b"CARIPA\x00\x01"
MAGIC_2 = b"CARIPA\x00\x02"
_HEADER = struct.Struct("<8sQQQ")
_COPY = 1 << 22  # bytes copied at a time into the segment file
# Layout 2's kinds of ids and of weights.
IDS_INT32, IDS_GAPS8, IDS_GAPS16 = 0, 1, 2
WEIGHTS_FLOAT32, WEIGHTS_UINT8, WEIGHTS_ONES = 0, 1, 2


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


class CodedArraysWriter(PostingArraysWriter):
    """Layout 2 of the posting arrays (module doc): each list coded as it is added, into two temporary files."""

    def __init__(self, folder: str | None = None):
        super().__init__(folder)
        self._id_places = array("q", [0])
        self._weight_places = array("q", [0])
        self._kinds = array("B")

    def add(self, key: int, ids, weights) -> None:
        if self._keys and key <= self._keys[-1]:
            raise ValueError(f"posting list keys must increase: {self._keys[-1]} then {key}")
        ids = np.frombuffer(ids, np.int32) if isinstance(ids, bytes) else np.asarray(ids, dtype=np.int32)
        weights = np.frombuffer(weights, np.float32) if isinstance(weights, bytes) else np.asarray(weights, np.float32)
        if len(ids) != len(weights) or not len(ids):
            raise ValueError("a list's ids and weights differ in length, or it is empty")
        id_kind, id_bytes = code_ids(ids)
        weight_kind, weight_bytes = code_weights(weights)
        self._ids.write(id_bytes)
        self._weights.write(weight_bytes)
        self._id_places.append(self._id_places[-1] + len(id_bytes))
        self._weight_places.append(self._weight_places[-1] + len(weight_bytes))
        self._kinds.append(id_kind | weight_kind << 4)
        self._keys.append(key)
        self._starts.append(self._starts[-1] + len(ids))

    def write_to(self, out) -> None:
        lists = len(self._keys)
        out.write(_HEADER.pack(MAGIC_2, lists, self._starts[-1], 0))
        for numbers in (self._keys, self._starts, self._id_places, self._weight_places):
            out.write(numbers.tobytes())
        out.write(self._kinds.tobytes() + bytes(-lists % 8))
        _copy(self._ids, out, None)
        out.write(bytes(-self._id_places[-1] % 8))
        _copy(self._weights, out, None)
        self.discard()


def code_ids(ids: np.ndarray) -> tuple[int, bytes]:
    """(kind, bytes) of one list's ids (ascending int32) in layout 2: the smallest of its three codings."""
    count = len(ids)
    gaps = np.empty(count, dtype=np.int64)
    gaps[0] = ids[0]
    np.subtract(ids[1:], ids[:-1], out=gaps[1:])
    wide8 = int(np.count_nonzero((gaps > 255) | (gaps == 0)))
    size8 = count + -count % 4 + 4 * wide8
    size16 = 2 * count + -2 * count % 4 + 4 * int(np.count_nonzero((gaps > 65535) | (gaps == 0))) if wide8 else size8
    if min(size8, size16) >= 4 * count:
        return IDS_INT32, ids.astype("<i4").tobytes()
    kind, limit, dtype = (IDS_GAPS8, 255, np.uint8) if size8 <= size16 else (IDS_GAPS16, 65535, "<u2")
    wide = (gaps > limit) | (gaps == 0)
    narrow = np.where(wide, 0, gaps).astype(dtype).tobytes()
    return kind, narrow + bytes(-len(narrow) % 4) + gaps[wide].astype("<i4").tobytes()


def code_weights(weights: np.ndarray) -> tuple[int, bytes]:
    """(kind, bytes) of one list's weights in layout 2, padded to a multiple of 4 bytes."""
    count = len(weights)
    small = bool(weights.min() >= 0 and weights.max() <= 255 and (weights == np.floor(weights)).all())
    if not small:
        return WEIGHTS_FLOAT32, weights.astype("<f4").tobytes()
    other = weights != 1
    if (count + 7) // 8 + int(np.count_nonzero(other)) < count:
        data = np.packbits(other).tobytes() + weights[other].astype(np.uint8).tobytes()
        kind = WEIGHTS_ONES
    else:
        data, kind = weights.astype(np.uint8).tobytes(), WEIGHTS_UINT8
    return kind, data + bytes(-len(data) % 4)


class SegmentArrays:
    """The posting arrays of one segment, as views of its mapped file (layout 1) or decoded from it (layout 2)."""

    def __init__(self, buffer):
        magic, terms, count, itemsize = _HEADER.unpack_from(buffer, 0)
        self.layout = 2 if magic == MAGIC_2 else 1
        if magic not in (MAGIC, MAGIC_2) or (self.layout == 1 and itemsize not in (1, 4)):
            raise ValueError("not a posting arrays file")
        at = _HEADER.size
        # The keys and starts (16 bytes a list: a few MB) are made aligned, copied if they are not. The file
        # starts anywhere inside its compound segment file, and numpy copies an unaligned array whole before
        # each searchsorted: ~200 us for every term looked up at 1,000,000 articles instead of ~2.
        self.keys = _aligned(np.frombuffer(buffer, dtype="<i8", count=terms, offset=at))
        at += 8 * terms
        self.starts = _aligned(np.frombuffer(buffer, dtype="<i8", count=terms + 1, offset=at))
        at += 8 * (terms + 1)
        if self.layout == 2:
            self._decode_from(buffer, at, terms)
            return
        self.ids = np.frombuffer(buffer, dtype="<i4", count=count, offset=at)
        at += 4 * count + (-4 * count % 8)
        self.weights = np.frombuffer(buffer, dtype=np.uint8 if itemsize == 1 else "<f4", count=count, offset=at)

    def _decode_from(self, buffer, at: int, terms: int) -> None:
        self._id_places = _aligned(np.frombuffer(buffer, dtype="<i8", count=terms + 1, offset=at))
        at += 8 * (terms + 1)
        self._weight_places = _aligned(np.frombuffer(buffer, dtype="<i8", count=terms + 1, offset=at))
        at += 8 * (terms + 1)
        self._kinds = np.frombuffer(buffer, dtype=np.uint8, count=terms, offset=at)
        at += terms + -terms % 8
        id_bytes = int(self._id_places[-1]) if terms else 0
        self._bytes = np.frombuffer(buffer, dtype=np.uint8)
        self._id_base = at
        self._weight_base = at + id_bytes + -id_bytes % 8
        if self._weight_base + (int(self._weight_places[-1]) if terms else 0) > len(self._bytes):
            raise ValueError("posting arrays file cut short")

    def find(self, key: int) -> int | None:
        """The number of the list at ``key`` in the postings file (its place in this file), or None if it is not here."""
        at = int(np.searchsorted(self.keys, key))
        return at if at < len(self.keys) and self.keys[at] == key else None

    def count(self, at: int) -> int:
        """How many postings list ``at`` holds."""
        start, end = self.starts[at : at + 2].tolist()
        return end - start

    def weights_dtype(self, at: int) -> np.dtype:
        """The type of list ``at``'s weights as :meth:`decode_into` gives them (uint8 or float32)."""
        if self.layout == 1:
            return self.weights.dtype
        return np.dtype(np.float32 if int(self._kinds[at]) >> 4 == WEIGHTS_FLOAT32 else np.uint8)

    def get(self, key: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(ids, weights) of the list at ``key`` in the postings file, or None if it is not here: views of
        the file (layout 1), or arrays decoded from it (layout 2)."""
        at = self.find(key)
        return None if at is None else self.list_at(at)

    def list_at(self, at: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, weights) of list ``at``, as :meth:`get` gives them."""
        if self.layout == 1:
            start, end = self.starts[at : at + 2].tolist()
            return self.ids[start:end], self.weights[start:end]
        count = self.count(at)
        ids, weights = np.empty(count, dtype=np.int32), np.empty(count, dtype=self.weights_dtype(at))
        self.decode_into(at, ids, weights)
        return ids, weights

    def ids_at(self, at: int) -> np.ndarray:
        """The ids of list ``at`` alone (a view of layout 1, decoded from layout 2): its weights not decoded."""
        if self.layout == 1:
            start, end = self.starts[at : at + 2].tolist()
            return self.ids[start:end]
        ids = np.empty(self.count(at), dtype=np.int32)
        id_begin, id_end = self._id_places[at : at + 2].tolist()
        self._ids_into(self._id_base + id_begin, self._id_base + id_end, int(self._kinds[at]) & 15, ids, 0)
        return ids

    def decode_into(self, at: int, ids: np.ndarray, weights: np.ndarray, offset: int = 0) -> None:
        """Write list ``at`` into ``ids`` (int32, ``offset`` added) and ``weights`` (of :meth:`count` postings each).

        Decoding straight into the caller's arrays: the lists of a term in
        several segments are decoded into one pair, with no array per segment
        to add the offset to and concatenate after (each a pass over memory).
        """
        if self.layout == 1:
            start, end = self.starts[at : at + 2].tolist()
            np.add(self.ids[start:end], offset, out=ids)
            weights[...] = self.weights[start:end]
            return
        kind = int(self._kinds[at])
        id_begin, id_end = self._id_places[at : at + 2].tolist()
        self._ids_into(self._id_base + id_begin, self._id_base + id_end, kind & 15, ids, offset)
        self._weights_into(self._weight_base + int(self._weight_places[at]), kind >> 4, weights)

    def _ids_into(self, begin: int, end: int, kind: int, out: np.ndarray, offset: int) -> None:
        data = self._bytes
        count = len(out)
        if kind == IDS_INT32:
            np.add(data[begin:end].view("<i4"), offset, out=out)
            return
        size = 1 if kind == IDS_GAPS8 else 2
        narrow = data[begin : begin + size * count]
        if size == 2:
            narrow = narrow.view("<u2")
        out[...] = narrow
        after = begin + size * count + -size * count % 4
        if end > after:  # gaps that did not fit, written 0 in their place
            wide = (narrow == 0).nonzero()[0]
            if end - after != 4 * len(wide):
                raise ValueError("posting arrays file damaged")
            out[wide] = data[after:end].view("<i4")
        if count:
            out[0] += offset  # the first gap is the first id: the sums are then the ids plus the offset
        np.cumsum(out, dtype=np.int32, out=out)

    def _weights_into(self, begin: int, kind: int, out: np.ndarray) -> None:
        data = self._bytes
        count = len(out)
        if kind == WEIGHTS_FLOAT32:
            out[...] = data[begin : begin + 4 * count].view("<f4")
            return
        if kind == WEIGHTS_UINT8:
            out[...] = data[begin : begin + count]
            return
        bitmap = (count + 7) // 8
        # Positions, not a mask: assigning through a mask took 2 ns a posting, through positions 0.4.
        other = np.unpackbits(data[begin : begin + bitmap], count=count).view(bool).nonzero()[0]
        out[...] = 1
        if len(other):
            out[other] = data[begin + bitmap : begin + bitmap + len(other)]


def _aligned(array: np.ndarray) -> np.ndarray:
    """``array`` itself if it is aligned for its type, else an aligned copy."""
    return np.require(array, requirements="A")


def segment_arrays(reader) -> SegmentArrays | None:
    """The posting arrays written with a Whoosh segment reader's segment, or None (an index written without them).

    A segment of layout 2 has them read already by its term reader (``codec``), whose matchers need them.
    """
    found = getattr(reader._terms, "arrays", None)
    return found if found is not None else arrays_in(reader.storage(), reader.segment())


def arrays_in(storage, segment) -> SegmentArrays | None:
    """The posting arrays of ``segment`` in ``storage`` (a segment reader's), or None.

    In a compound segment the file is a range of the segment's file, which
    Whoosh has mapped already: the arrays are views of that map. A damaged
    file is the checksums' business (``search.index.checksums``); one that
    does not parse is treated as absent (the lists are then decoded).
    """
    name = segment.make_filename(ARRAYS_EXT)
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
