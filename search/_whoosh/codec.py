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

Reading a packed entry takes our term reader (:class:`CompactTermsReader`):
W3's calls ``W3TermInfo.from_bytes`` by name. Segments record their codec,
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
holds only a 4-byte marker for each (:data:`ARRAYS_ONLY_MAGIC`, so each list
keeps its own offset, the key of its arrays), and its matcher is
:class:`ArrayMatcher` over the decoded arrays. Fields with positions keep
their W3 blocks, which phrases read (``phrases``).
"""

from __future__ import annotations

import bisect
import itertools
import operator
import pickle
import zlib
from array import array

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldCursor,
    W3FieldWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.reading import TermNotFound
from whoosh.system import pack_int, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from search._whoosh import mapped  # noqa: F401 - files in compound segments read from the map, not copied
from search._whoosh.arrays import ARRAYS_EXT, CodedArraysWriter, PostingArraysWriter, SegmentArrays, arrays_in
from search._whoosh.packing import (
    ENTRY_HEADER,
    PACKED_ENTRY,
    inlined_doc_frequency,
    inlined_ids_and_weights,
    inlined_term_info,
    unpack_inlined,
)
from search._whoosh.persisted import restore

# Posting lists shorter than this go into the term dictionary (measured: docs/performance.md).
INLINE_LIMIT = 32
# The pickle protocol of a block's data and info (W3's is 2; its reader loads any).
BLOCK_PROTOCOL = pickle.HIGHEST_PROTOCOL
# The segment layout Cari writes (module doc); a segment's codec without one is of layout 1.
LAYOUT = 2
# What a list kept in the posting arrays alone has in the postings file (W3's lists open with b"W3Bl").
ARRAYS_ONLY_MAGIC = b"CaAr"


def arrays_only(layout: int, format_) -> bool:
    """Whether a field of ``format_`` keeps its block lists in the posting arrays alone in ``layout``."""
    return layout >= 2 and not format_.supports("positions")

class CompactTermInfo(W3TermInfo):
    """W3's term info; a short list is stored packed, with only what its postings cannot tell.

    W3 writes 23 bytes of statistics before an inlined list (total weight,
    document frequency, min/max length, max weight, first and last id).
    All but the lengths follow from the postings, so a packed entry is a
    marker byte, the two length bytes and :func:`pack_inlined`'s list.
    """

    def to_bytes(self):
        if not self.is_inlined():
            return super().to_bytes()  # W3's statistics and the list's extent
        ids, weights, values = self._inlined
        return inlined_term_info(ids, weights, values, (self._maxweight, self._minlength, self._maxlength))

    @classmethod
    def from_bytes(cls, s):
        if s[0] != PACKED_ENTRY:
            return super().from_bytes(s)  # W3's own layout
        ids, weights, values = unpack_inlined(s, ENTRY_HEADER)
        terminfo = cls(weight=float(sum(weights)), df=len(ids), minlength=byte_to_length(s[1]),
                       maxlength=byte_to_length(s[2]), maxweight=max(weights), minid=ids[0], maxid=ids[-1])
        terminfo._inlined = (ids, weights, values)
        return terminfo


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


class CompactFieldCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class ArrayMatcher(ListMatcher):
    """Whoosh's matcher of a list kept in the posting arrays alone (layout 2): a ``ListMatcher`` over its
    decoded ids and weights, with the values a W3 block of the field's format would give, and a binary
    search to skip."""

    def __init__(self, ids, weights, format_, scorer=None, term=None, terminfo=None, position=0):
        super().__init__(ids, weights, None, format_, scorer=scorer, position=position, term=term,
                         terminfo=terminfo)
        size = format_.fixed_value_size()
        boost = getattr(format_, "field_boost", 1.0) or 1.0
        self._value = (lambda weight: None) if size == 0 else (lambda weight: pack_uint(round(weight / boost)))

    def copy(self):
        return ArrayMatcher(self._ids, self._weights, self._format, self._scorer, self._term, self._terminfo,
                            self._i)

    def skip_to(self, id):
        if not self.is_active():
            raise ReadTooFar
        if id > self._ids[self._i]:
            self._i = bisect.bisect_left(self._ids, id, self._i)

    def skip_to_quality(self, minquality):
        # One block, the whole list: its quality is the same at every posting.
        skipped = 0
        if self.is_active() and self.block_quality() <= minquality:
            self._i, skipped = len(self._ids), 1
        return skipped

    def all_items(self):
        return ((docnum, self._value(weight)) for docnum, weight in zip(self._ids, self._weights, strict=True))

    def value(self):
        return self._value(self._weights[self._i])

    def block_max_weight(self):
        return self._terminfo.max_weight()


class CompactTermsReader(W3TermsReader):
    """W3's term reader, decoding entries with :class:`CompactTermInfo`; of a layout-2 segment, with its
    posting arrays (``arrays``), which hold the lists of fields without positions."""

    layout = 1
    _place: tuple | None = None  # (storage, segment) of a layout-2 segment: where its arrays are read from
    _arrays: SegmentArrays | None = None

    @property
    def arrays(self) -> SegmentArrays | None:
        """The segment's posting arrays (layout 2; else None), read at the first use."""
        if self._arrays is None and self._place is not None:
            self._arrays = arrays_in(*self._place)
            self._place = None
        return self._arrays

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        if not arrays_only(self.layout, format_):
            return super().matcher(fieldname, tbytes, format_, scorer=scorer)
        terminfo = self.term_info(fieldname, tbytes)
        if terminfo.is_inlined():
            return self._codec.postings_reader(self._postfile, terminfo, format_, term=(fieldname, tbytes),
                                               scorer=scorer)
        found = self.arrays.get(terminfo._offset) if self.arrays is not None else None
        if found is None:
            raise ValueError(f"The posting arrays of this index lack {fieldname}:{tbytes!r}: it is damaged, rebuild it.")
        ids, weights = found
        return ArrayMatcher(ids.tolist(), weights.astype(float).tolist(), format_, scorer=scorer,
                            term=(fieldname, tbytes), terminfo=terminfo)

    def cursor(self, fieldname, fieldobj):
        return CompactFieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self):
        decode, keydecoder = CompactTermInfo.from_bytes, self._keydecoder
        return ((keydecoder(key), decode(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode, keydecoder = CompactTermInfo.from_bytes, self._keydecoder
        start = self._keycoder(fieldname, prefix)
        return ((keydecoder(key), decode(value)) for key, value in self._tindex.items_from(start))

    def doc_frequencies(self, fieldname, prefix: bytes = b""):
        """(term bytes, document frequency) of every term of ``fieldname`` (from ``prefix`` on), in order, no
        list unpacked."""
        start = self._keycoder(fieldname, prefix)
        for key, value in self._tindex.items_from(start):
            found, tbytes = self._keydecoder(key)
            if found != fieldname:
                return
            yield tbytes, inlined_doc_frequency(value) if value[0] == PACKED_ENTRY else \
                CompactTermInfo.from_bytes(value).doc_frequency()

    # frequency and doc_frequency raise KeyError for a missing term, as
    # W3's do: Whoosh's segment reader turns that into 0.
    def frequency(self, fieldname, tbytes):
        return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)]).weight()

    def doc_frequency(self, fieldname, tbytes):
        start, length = self._range_for_key(fieldname, tbytes)
        entry = self._dbfile.get(start, min(length, 16))
        if entry[0] == PACKED_ENTRY:
            return inlined_doc_frequency(entry)
        return W3TermInfo.read_doc_freq(self._dbfile, start)

    def term_info(self, fieldname, tbytes):
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def whole_list(self, fieldname, tbytes) -> tuple[list[int], tuple] | int | None:
        """Where a term's whole list is, for scoring over arrays (``postings.PostingArrays``): TermNotFound if absent.

        (ids, weights) of a list packed in the dictionary, read straight from
        its entry (no matcher and no values, which a whole list read costs
        most of: most of a sentence query's words are rare, their lists
        packed); else the offset of its blocks in the postings file, the key
        of its posting arrays (``arrays``); None for a list W3 inlined itself.
        """
        try:
            entry = self._tindex[self._keycoder(fieldname, tbytes)]
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None
        inlined = inlined_ids_and_weights(entry)
        if inlined is not None:
            return inlined
        terminfo = CompactTermInfo.from_bytes(entry)
        return None if terminfo.is_inlined() else terminfo._offset


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


def prefix_doc_frequencies(reader, fieldname: str, prefix: str, limit: int) -> dict[str, int]:
    """``{term: documents}`` of the first ``limit`` terms of ``reader`` starting with ``prefix`` (deleted documents
    counted), read straight from the term dictionaries as :func:`field_doc_frequencies` reads a whole field.

    Each segment gives its first ``limit``; the terms past the first of the
    segments' last ones may lack another segment's count, so they are left
    out: the terms and counts are those of the index's merged dictionary,
    however its articles are split in segments.
    """
    found: dict[str, int] = {}
    wanted = prefix.encode("utf-8")
    last = None  # the first of the last terms of the segments that had more
    for leaf, _ in reader.leaf_readers():
        terms = getattr(leaf, "_terms", None)
        walk = terms.doc_frequencies(fieldname, wanted) if isinstance(terms, CompactTermsReader) else (
            (tbytes, info.doc_frequency()) for tbytes, info in leaf.iter_prefix(fieldname, prefix))
        read = 0
        for tbytes, frequency in itertools.islice(walk, limit):
            if not tbytes.startswith(wanted):
                break
            text = tbytes.decode("utf-8")
            found[text] = found.get(text, 0) + frequency
            read += 1
        if read == limit:
            last = text if last is None else min(last, text)
    return {term: found[term] for term in sorted(found)[:limit] if last is None or term <= last}


def field_doc_frequencies(reader, fieldname: str) -> dict[str, int]:
    """``{term: documents}`` of one field over every segment of ``reader`` (deleted documents counted, as
    Whoosh counts them), read straight from each segment's term dictionary: ``reader.iter_field`` decodes every
    packed list and looks each term up in every segment."""
    found: dict[str, int] = {}
    for leaf, _ in reader.leaf_readers():
        terms = getattr(leaf, "_terms", None)
        walk = terms.doc_frequencies(fieldname) if isinstance(terms, CompactTermsReader) else (
            (tbytes, info.doc_frequency()) for tbytes, info in leaf.iter_field(fieldname))
        for tbytes, frequency in walk:
            text = tbytes.decode("utf-8") if isinstance(tbytes, bytes) else tbytes
            found[text] = found.get(text, 0) + frequency
    return found
