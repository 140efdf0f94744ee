"""Files inside a compound segment read from Whoosh's memory map, not copied out of it.

Whoosh maps a compound segment file (``CompoundStorage``) and opens each
file inside it as a ``BufferFile`` over a slice of the map; but
``BufferFile`` also makes an ``io.BytesIO`` of the slice for its
sequential reads, and ``BytesIO`` copies it. So every searching process
held a private copy of each segment's postings, stored fields and term
dictionary: on 200,000 articles 837 MB of a worker's 863 MB after opening
(``tracemalloc``), and the copy took most of the opening's time. Here the
sequential reads go through a buffered reader over the same slice: only
what is read is copied, and the pages stay the page cache's, shared by
every worker. Random access (``get``, which Whoosh's term dictionary,
postings and columns use) already read the map directly.

A searcher's maps are marked for random reads (``for_random_reads``,
``MADV_RANDOM``). A fault on a page of a mapped file not in memory otherwise
reads the disk's whole read-ahead around it (``/sys/block/*/queue/
read_ahead_kb``: 8 MB on the machine of docs/performance.md): where the
index's pages do not all fit in the memory a server is given (a container's
limit), each such fault read megabytes that pushed out pages about to be
read again. One worker at 1,000,000 articles in a 1.5 GB memory cgroup read
172 GB from the disk in 1,992 requests with a 64 MB cache (301 s, against
70 s with memory to spare), and with the 768 MB cache answered 19-29 of
its first 104-113 sentences 503 (past the 2 s budget); marked, 0.5-1 GB
(82-93 s), none refused. With memory to spare nothing changes:
opening reads every file once to check it (``index.checksums``: plain
reads, with their read-ahead), and a fault maps the pages already in memory
around it (fault-around). A writer's maps keep the read-ahead: a merge reads
its segments in order.
"""

from __future__ import annotations

import io
import mmap

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _MappedSlice(io.RawIOBase):
    """A read-only, seekable raw file over a buffer (a slice of a memory map), copying only what is read."""

    def __init__(self, buffer):
        super().__init__()
        self._view = memoryview(buffer).cast("B")
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        start = self._position
        count = max(0, min(len(target), len(self._view) - start))
        target[:count] = self._view[start : start + count]
        self._position = start + count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position


class MappedBufferFile(BufferFile):
    """Whoosh's ``BufferFile`` whose sequential reads do not need a copy of the whole buffer."""

    def __init__(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self.file = io.BufferedReader(_MappedSlice(buf))
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


def install() -> None:
    """Make Whoosh's compound storage open its files as :class:`MappedBufferFile` (idempotent)."""
    compound.BufferFile = MappedBufferFile


install()


def for_random_reads(reader) -> int:
    """Mark the map of each compound segment file a Whoosh reader reads for random reads; how many were marked.

    Where the system has no ``MADV_RANDOM``, or Whoosh read a file without mapping it, nothing is marked.
    """
    marked = 0
    for leaf, _ in reader.leaf_readers():
        compound = getattr(leaf.storage(), "a", None)  # Whoosh's OverlayStorage(CompoundStorage, FileStorage)
        source = getattr(compound, "_source", None)
        if source is not None and hasattr(mmap, "MADV_RANDOM"):
            source.madvise(mmap.MADV_RANDOM)
            marked += 1
    return marked
