"""Whoosh writers for Cari's parallel build: the parent's, which adopts the workers' segments, and a worker's.

Whoosh 2.7 has no public way to commit segments written by other processes
or to finish a segment without committing it: both need its private
methods (``_merge_segments``, ``_finalize_segment``, ``_tempstorage``),
which stay here.
"""

from __future__ import annotations

import os

from whoosh.index import create_in, open_dir
from whoosh.writing import SegmentWriter

from search._whoosh.codec import current_codec
from search._whoosh.segwriter import PerTermSegmentWriter

PARENT_LIMIT_MB = 128  # the parent's postings in memory: its own segment's (small jobs), Whoosh's pool (merges)


class AdoptingWriter(SegmentWriter):
    """A Whoosh ``SegmentWriter`` whose commit also lists segments written by workers."""

    def __init__(self, ix, **options):
        super().__init__(ix, **options)
        self.adopted: list = []

    def _merge_segments(self, mergetype, optimize, merge):
        # The merge policy sees only the index's existing segments; the
        # workers' fresh ones are appended to the list it keeps.
        return super()._merge_segments(mergetype, optimize, merge) + self.adopted

    def add_postings_to_pool(self, reader, startdoc, docmap):
        # When small segments are merged (the tenth `cari add` or API write in a row), a list
        # packed in the term dictionary without values (an ID field's) is read back through
        # Whoosh's ListMatcher, whose value is then "" (str), and the pool asserts bytes.
        add_post = self.pool.add
        for fieldname, text, docnum, weight, value in self._process_posts(reader.iter_postings(), startdoc, docmap):
            add_post((fieldname, text, docnum, weight, b"" if value == "" else value))


def open_for_writing(path: str, schema, new: bool):
    """The Whoosh index in folder ``path``: created empty with ``schema`` if ``new``, else opened."""
    return create_in(path, schema) if new else open_dir(path, schema=schema)


def parent_writer(ix) -> AdoptingWriter:
    """The writer whose commit publishes everything a build wrote."""
    return AdoptingWriter(ix, limitmb=PARENT_LIMIT_MB, codec=current_codec())


def worker_writer(path: str, schema, limitmb: float) -> PerTermSegmentWriter:
    """A worker process's writer of one new segment of the index at ``path`` (it takes no lock)."""
    writer = PerTermSegmentWriter(open_dir(path, schema=schema), _lk=False, limitmb=limitmb, codec=current_codec())
    # Whoosh names a writer's temporary folder after the index, so every
    # writer would share one, and a worker that cancels (it got no
    # documents) deletes it, spilled postings of the others included.
    writer._tempstorage = writer.storage.temp_storage(f"{writer.indexname}-{os.getpid()}.tmp")
    return writer


def finish_segment(writer: PerTermSegmentWriter):
    """Write out the worker's segment without committing: the segment, or None if it got no documents."""
    if not writer._added:
        writer.cancel()
        return None
    segment = writer._finalize_segment()
    writer._tempstorage.destroy()
    return segment
