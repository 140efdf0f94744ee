"""Every live document's stored fields, read one at a time from the segment files, in little memory.

Whoosh reads a compound segment's column through a ``BytesIO`` copy of it
(``BufferFile``): the stored fields of a segment of 50,000 articles are
~80 MB, and a searcher also loads every segment's terms and lengths (~260 MB
on 100,000 articles). An export needs only the stored column, so it reads
that column's bytes from the segment file where they lie, a document at a
time: memory stays the same whatever the number of articles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

from whoosh.codec.whoosh3 import STORED_COLUMN, W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC


def iter_stored_fields(folder: str, schema) -> Iterator[dict]:
    """The stored fields of every document not deleted in the Whoosh index in ``folder``, in document order."""
    storage = FileStorage(folder, readonly=True)
    toc = TOC.read(storage, "MAIN", schema=schema)
    for segment in toc.segments:
        name = W3Codec.column_filename(segment, "_stored")
        with ExitStack() as stack:
            if segment.is_compound():
                compound = segment.open_compound_file(storage)
                stack.callback(compound.close)
                if not compound.file_exists(name):
                    continue  # no document of it stored anything
                offset, length = compound.range(name)
                path = f"{folder}/{segment.make_filename(segment.COMPOUND_EXT)}"
                dbfile = stack.enter_context(StructFile(open(path, "rb")))  # noqa: SIM115 - closed by the stack
            else:
                if not storage.file_exists(name):
                    continue
                offset, length = 0, storage.file_length(name)
                dbfile = stack.enter_context(storage.open_file(name))
            column = STORED_COLUMN.reader(dbfile, offset, length, segment.doc_count_all())
            for docnum in range(segment.doc_count_all()):
                if not segment.is_deleted(docnum):
                    yield column[docnum] or {}
