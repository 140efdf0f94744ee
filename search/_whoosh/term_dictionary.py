"""The term dictionary of Cari's segments: each term's entry, read and written, and its reader.

A short posting list is kept packed in its term's entry (:class:`CompactTermInfo`;
why: ``codec``), so reading an entry takes our term reader (:class:`CompactTermsReader`):
W3's calls ``W3TermInfo.from_bytes`` by name. In a layout-2 segment the lists
of a field without positions are kept in the posting arrays alone
(:func:`arrays_only`), read through :class:`ArrayMatcher`. The document
frequencies of a field's terms are read straight from the entries
(:func:`field_doc_frequencies`, :func:`prefix_doc_frequencies`), no list unpacked.
"""

from __future__ import annotations

import bisect
import itertools

from whoosh.codec.whoosh3 import W3FieldCursor, W3TermInfo, W3TermsReader
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from search._whoosh.arrays import SegmentArrays, arrays_in
from search._whoosh.packing import (
    ENTRY_HEADER,
    PACKED_ENTRY,
    inlined_doc_frequency,
    inlined_ids_and_weights,
    inlined_term_info,
    unpack_inlined,
)

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
