"""Whoosh's W3 codec with short posting lists kept in the term dictionary.

Most terms of a news corpus occur in one or two articles (Heaps' law: IndoSum
has ~117,000 such terms across its fields and segments). W3 writes each
posting list as blocks in the postings file: a header, a pickled block info
and a zlib-compressed pickle, about 90 bytes for a single posting, plus the
list's offset and length in the term dictionary. W3 was meant to store lists
shorter than ``inlinelimit`` inside the term's dictionary entry instead, and
its readers handle such entries, but its writer calls ``set_inline`` where
the term info's method is ``set_inlined``, so any ``inlinelimit`` above 1
(its default: nothing inlined) fails. :class:`CariCodec` writes them.

W3 would pickle an inlined list with protocol 2, which has no bytes type:
each posting's value becomes a ``codecs.encode`` call of ~40 bytes, more
than the block it replaces. :class:`CompactTermInfo` pickles with the
current protocol (bytes as bytes) and whole-number weights as ints; W3's
reader unpickles any protocol and scores ints as the same numbers.

Segments record their codec, so an index written with it is read with it;
the fingerprint (``indexer.INDEX_FORMAT``) makes older indexes rebuild.
"""

from __future__ import annotations

import pickle

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3TermInfo

# Posting lists shorter than this go into the term dictionary (measured: docs/performance.md).
INLINE_LIMIT = 8


class CompactTermInfo(W3TermInfo):
    """W3's term info, its inlined postings pickled compactly (W3 reads it back)."""

    def set_inlined(self, ids, weights, values):
        weights = tuple(int(w) if w.is_integer() else w for w in weights)
        self._inlined = (tuple(ids), weights, tuple(values))

    def to_bytes(self):
        packed = super().to_bytes()  # W3's fixed fields, then its own pickle
        if not self.is_inlined():
            return packed
        return packed[: self._struct.size] + pickle.dumps(self._inlined, pickle.HIGHEST_PROTOCOL)


class InliningPostingsWriter(W3PostingsWriter):
    """W3's postings writer, with short lists inlined as W3 intended."""

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, CompactTermInfo())

    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)  # the list's statistics, as for a block
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


class CariCodec(W3Codec):
    """W3 with :class:`InliningPostingsWriter` (reading is W3's own)."""

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int | None = None):
        inlinelimit = INLINE_LIMIT if inlinelimit is None else inlinelimit
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )
