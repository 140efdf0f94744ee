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

The same goes for the blocks of longer lists: W3 pickles each block's data
(ids, weights, values) with protocol 2, so every posting's value of a
positional field is a ``codecs.encode`` call to write and to read back.
:func:`encode_block` lays blocks out as W3 does but pickles them with the
current protocol: about half the bytes before compression, and less CPU to
pickle, compress and unpickle (W3's reader loads any protocol).

Segments record their codec, so an index written with it is read with it;
the fingerprint (``indexer.INDEX_FORMAT``) makes older indexes rebuild.
"""

from __future__ import annotations

import operator
import pickle
import zlib
from array import array

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter, W3TermInfo
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte

# Posting lists shorter than this go into the term dictionary (measured: docs/performance.md).
INLINE_LIMIT = 8
# The pickle protocol of a block's data and info (W3's is 2; its reader loads any).
BLOCK_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _compact_inlined(ids, weights, values) -> tuple:
    """An inlined list as :class:`CompactTermInfo` keeps it: whole-number weights as ints."""
    return tuple(ids), tuple(int(w) if w.is_integer() else w for w in weights), tuple(values)


class CompactTermInfo(W3TermInfo):
    """W3's term info, its inlined postings pickled compactly (W3 reads it back)."""

    def set_inlined(self, ids, weights, values):
        self._inlined = _compact_inlined(ids, weights, values)

    def to_bytes(self):
        packed = super().to_bytes()  # W3's fixed fields, then its own pickle
        if not self.is_inlined():
            return packed
        return packed[: self._struct.size] + pickle.dumps(self._inlined, pickle.HIGHEST_PROTOCOL)


def inlined_term_info(ids: list, weights: array, values: list, stats: tuple) -> bytes:
    """What ``CompactTermInfo.to_bytes`` gives for a list written as one inlined block.

    The arguments are those of :func:`encode_block`. The same statistics as
    ``W3TermInfo.add_block`` makes of one block, packed as W3 packs them,
    without the term info object (most terms of a segment are inlined).
    """
    maxweight, minlength, maxlength = stats
    head = W3TermInfo._struct.pack(
        True, 0 + sum(weights), len(ids), 0 if minlength is None else length_to_byte(minlength),
        length_to_byte(maxlength), max(0, maxweight), ids[0], ids[-1],
    )
    return head + pickle.dumps(_compact_inlined(ids, weights, values), pickle.HIGHEST_PROTOCOL)


def encode_block(ids, weights: array, values: list, stats: tuple, fixedsize, compression: int, last: bool) -> bytes:
    """One W3 block as ``W3PostingsWriter._write_block`` lays it out (its header excepted).

    ``ids`` are document numbers, ``weights`` an ``array("f")``, ``values`` the
    non-empty encoded values, ``stats`` (max weight, min length or None, max
    length) as the writer tracks them. The signed length (negative for the
    list's last block), the pickled block info, then the (compressed) pickled
    data: delta-coded ids, the weights as None (all 1), one number (all the
    same) or a tuple, the values as a tuple, nothing or one string (fixed size).
    """
    ids = list(ids)
    deltas = tuple(map(operator.sub, ids, [0] + ids[:-1]))
    first = weights[0]
    same = weights.count(first) == len(weights)
    mini_weights = tuple(weights) if not same else None if first == 1.0 else first
    if fixedsize is None or fixedsize < 0:
        mini_values = tuple(values)
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = b"".join(values)
    databytes = pickle.dumps((deltas, mini_weights, mini_values), BLOCK_PROTOCOL)
    if compression:  # W3 compresses even a tiny pickle (its size check is dead code)
        databytes = zlib.compress(databytes, compression)
    maxweight, minlength, maxlength = stats
    info = (len(ids), ids[-1], maxweight, compression, length_to_byte(minlength), length_to_byte(maxlength))
    infobytes = pickle.dumps(info, BLOCK_PROTOCOL)
    size = len(infobytes) + len(databytes)
    return pack_int(-size if last else size) + infobytes + databytes


class InliningPostingsWriter(W3PostingsWriter):
    """W3's postings writer, with short lists inlined as W3 intended, and its blocks by :func:`encode_block`."""

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

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        stats = (self._maxweight, self._minlength, self._maxlength)
        fixedsize = self._format.fixed_value_size()
        self._postfile.write(
            encode_block(self._ids, self._weights, self._values, stats, fixedsize, self._compression, last)
        )
        self._blockcount += 1
        self._new_block()


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
