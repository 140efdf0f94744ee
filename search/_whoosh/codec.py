"""Whoosh's W3 codec with short posting lists kept, compactly, in the term dictionary.

Most terms of a news corpus occur in one or two articles (Heaps' law: IndoSum
has ~138,000 such terms across its fields and segments). W3 writes each
posting list as blocks in the postings file: a header, a pickled block info
and a zlib-compressed pickle, about 90 bytes for a single posting, plus the
list's offset and length in the term dictionary. W3 was meant to store lists
shorter than ``inlinelimit`` inside the term's dictionary entry instead, and
its readers handle such entries, but its writer calls ``set_inline`` where
the term info's method is ``set_inlined``, so any ``inlinelimit`` above 1
(its default: nothing inlined) fails. :class:`CariCodec` writes them.

The list is packed as varints (:mod:`search._whoosh.packing`), ~8 bytes for
one posting where W3's pickle takes ~80, and unpacked to exactly the tuple
W3 would have unpickled, so every matcher downstream is W3's own.
The same goes for the blocks of longer lists: W3 pickles each block's data
(ids, weights, values) with protocol 2, so every posting's value of a
positional field is a ``codecs.encode`` call to write and to read back.
:func:`encode_block` lays blocks out as W3 does but pickles them with the
current protocol: about half the bytes before compression, and less CPU to
pickle, compress and unpickle (W3's reader loads any protocol).

Reading a packed entry takes our term reader (:class:`CompactTermsReader`,
``term_dictionary``, with the entries): W3's calls ``W3TermInfo.from_bytes``
by name. Segments record their codec,
so an index written with it is read with it; the fingerprint
(``search.index.format.INDEX_FORMAT``) makes older indexes rebuild.

The codec also records the segment's **layout**, as Lucene records a
codec per segment, so segments written one way are read that way beside
segments written another (an update of an older index adds new-layout
segments to it). Layout 1: every list longer than the inline limit is W3
blocks in the postings file and again plain arrays (``arrays``, layout 1).
Layout 2 (:data:`LAYOUT`, what Cari writes): the arrays are coded (about 1.5
bytes a posting instead of 5), and a field without positions (the exact
forms, names, filters) keeps its lists in the arrays alone: its postings file
holds only a 4-byte marker for each (``ARRAYS_ONLY_MAGIC``, so each list
keeps its own offset, the key of its arrays), and its matcher is
``term_dictionary.ArrayMatcher`` over the decoded arrays. Fields with positions keep
their W3 blocks, which phrases read (``phrases``).
"""

from __future__ import annotations

import operator
import pickle
import zlib
from array import array

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte

from search._whoosh import mapped  # noqa: F401 - files in compound segments read from the map, not copied
from search._whoosh.arrays import ARRAYS_EXT, CodedArraysWriter, PostingArraysWriter
from search._whoosh.persisted import restore
from search._whoosh.term_dictionary import ARRAYS_ONLY_MAGIC, CompactTermInfo, CompactTermsReader, arrays_only

# Posting lists shorter than this go into the term dictionary (measured: docs/performance.md).
INLINE_LIMIT = 32
# The pickle protocol of a block's data and info (W3's is 2; its reader loads any).
BLOCK_PROTOCOL = pickle.HIGHEST_PROTOCOL
# The segment layout Cari writes (module doc); a segment's codec without one is of layout 1.
LAYOUT = 2


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
    """W3's postings writer, with short lists inlined as W3 intended, and its blocks by :func:`encode_block`.

    A list written as blocks also goes, whole and decoded, to ``arrays``
    (:class:`arrays.PostingArraysWriter`) when the field writer gives one.
    """

    arrays: PostingArraysWriter | None = None
    layout = 1

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, CompactTermInfo())
        self._list_ids = array("I")  # W3 keeps a block's ids as array("I")
        self._list_weights = array("f")
        self._arrays_only = arrays_only(self.layout, format_) and self.arrays is not None

    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            written = super().finish_postings()
            if self.arrays is not None:
                self.arrays.add(written._offset, self._list_ids, self._list_weights)
            return written
        terminfo: CompactTermInfo = self._terminfo
        terminfo.add_block(self)  # the list's statistics, as for a block
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(ARRAYS_ONLY_MAGIC if self._arrays_only else WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        self._list_ids.extend(self._ids)
        self._list_weights.extend(self._weights)
        if self._arrays_only:
            self._blockcount += 1
            self._new_block()
            return
        stats = (self._maxweight, self._minlength, self._maxlength)
        fixedsize = self._format.fixed_value_size()
        self._postfile.write(
            encode_block(self._ids, self._weights, self._values, stats, fixedsize, self._compression, last)
        )
        self._blockcount += 1
        self._new_block()


class ArraysFieldWriter(W3FieldWriter):
    """W3's field writer that also writes the segment's posting arrays (:mod:`arrays`) as it closes.

    The file is made before Whoosh assembles the segment's compound file, so it goes in with the rest.
    """

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self.layout = codec.layout
        writer = CodedArraysWriter if codec.layout >= 2 else PostingArraysWriter
        self.arrays = writer(getattr(storage, "folder", None))

    def start_field(self, fieldname, fieldobj):
        super().start_field(fieldname, fieldobj)
        self._postwriter.arrays = self.arrays
        self._postwriter.layout = self.layout

    def close(self):
        super().close()
        out = self._create_file(ARRAYS_EXT)
        try:
            self.arrays.write_to(out)
        finally:
            out.close()


class CariCodec(W3Codec):
    """W3 with :class:`InliningPostingsWriter` and :class:`CompactTermsReader`."""

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int | None = None, layout: int = 1):
        inlinelimit = INLINE_LIMIT if inlinelimit is None else inlinelimit
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)
        if layout not in (1, 2):
            raise ValueError(f"This index has segments of a layout Cari does not know ({layout}): rebuild it.")
        self.layout = layout  # a segment's codec, unpickled from an index written before layouts, is of layout 1

    def __reduce__(self):
        # Each segment in the index's TOC pickles its codec: name the module that never moves. Layout 1 pickles
        # as it always did.
        args = (self._blocklimit, self._compression, self._inlinelimit) + ((self.layout,) if self.layout != 1 else ())
        return restore, ("codec", *args)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def field_writer(self, storage, segment):
        return ArraysFieldWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        # W3Codec.terms_reader, with our reader class.
        name = segment.make_filename(self.TERMS_EXT)
        postings = segment.open_file(storage, self.POSTS_EXT)
        reader = CompactTermsReader(self, storage.open_file(name), storage.file_length(name), postings)
        if self.layout >= 2:
            reader.layout = self.layout
            reader._place = (storage, segment)
        return reader


def current_codec() -> CariCodec:
    """The codec new segments are written with (layout :data:`LAYOUT`)."""
    return CariCodec(layout=LAYOUT)
