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

W3 would pickle an inlined list: ~80 bytes for one posting, most of it
pickle framing and the positions' own protocol-2 pickle. :mod:`search._whoosh.codec`
packs the list as varints instead (:func:`pack_inlined`), ~8 bytes for one
posting, and unpacks it to exactly the tuple W3 would have unpickled (the
same ids, weights and value bytes), so every matcher downstream is W3's own.
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
"""

from __future__ import annotations

import functools
import operator
import pickle
import zlib
from array import array
from collections.abc import Sequence

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldCursor, W3PostingsWriter, W3TermInfo, W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.system import pack_int, pack_uint, unpack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

# Posting lists shorter than this go into the term dictionary (measured: docs/performance.md).
INLINE_LIMIT = 32
# The pickle protocol of a block's data and info (W3's is 2; its reader loads any).
BLOCK_PROTOCOL = pickle.HIGHEST_PROTOCOL

# First byte of a packed entry: W3's entries start with a 0/1 "inlined" flag.
_PACKED_ENTRY = 2
_ENTRY_HEADER = 3  # the marker and the min/max length bytes
# How the values of a list are packed: the formats Cari's fields use, and any bytes.
_NO_VALUES, _COUNTS, _POSITIONS, _RAW = range(4)
_WHOLE, _PICKLED = range(2)  # how the weights are packed


def _varints(numbers) -> bytearray:
    out = bytearray()
    for number in numbers:
        while number > 0x7F:
            out.append((number & 0x7F) | 0x80)
            number >>= 7
        out.append(number)
    return out


class _Reader:
    """Reads varints and byte strings from a packed list, front to back."""

    def __init__(self, data: bytes, at: int):
        self.data, self.at = data, at

    def varint(self) -> int:
        data, at = self.data, self.at
        byte = data[at]
        number, shift = byte & 0x7F, 7
        while byte & 0x80:
            at += 1
            byte = data[at]
            number |= (byte & 0x7F) << shift
            shift += 7
        self.at = at + 1
        return number

    def varints(self, count: int) -> list[int]:
        return [self.varint() for _ in range(count)]

    def raw(self, length: int) -> bytes:
        start = self.at
        self.at += length
        return self.data[start : self.at]


def _positions_bytes(deltas: list[int]) -> bytes:
    """A value as ``whoosh.formats.Positions.encode`` writes it, from its deltas."""
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def _as_deltas(value: bytes) -> list[int] | None:
    """The position deltas a Positions value holds, or None if it is not exactly one."""
    try:
        deltas = pickle.loads(value[4:])
    except Exception:  # noqa: BLE001 - any other bytes: stored as they are
        return None
    if (isinstance(deltas, list) and all(type(d) is int and d >= 0 for d in deltas)
            and _positions_bytes(deltas) == value):
        return deltas
    return None


class PositionValues(Sequence):
    """Positions values of an inlined list, made into W3's bytes only when read.

    Scoring reads ids and weights only; the values are wanted for phrases
    and are rebuilt (a pickle each) just for the postings asked for.
    """

    def __init__(self, deltas: list[list[int]]):
        self._deltas = deltas

    def __len__(self) -> int:
        return len(self._deltas)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(_positions_bytes(d) for d in self._deltas[index])
        return _positions_bytes(self._deltas[index])

    def __eq__(self, other):
        return tuple(self) == tuple(other)


# A number below 128 is one varint byte: most gaps, counts and positions deltas.
_ONE_BYTE = [bytes([number]) for number in range(128)]


def _varint(number: int) -> bytes:
    return _ONE_BYTE[number] if number < 128 else bytes(_varints((number,)))


@functools.lru_cache(maxsize=1 << 16)
def _packed_value(value: bytes) -> tuple[int, bytes]:
    """How one value packs: ``(_COUNTS, count)``, ``(_POSITIONS, deltas)`` or ``(_RAW, b"")``.

    Cached: a segment writer shares one bytes object per position or count
    (most postings of a field hold one of a few thousand values), so most
    values are decoded once, not once per posting.
    """
    if len(value) == 4:  # Frequency: pack_uint(count); a Positions value is longer
        return _COUNTS, _varint(unpack_uint(value)[0])
    deltas = _as_deltas(value)
    if deltas is None:
        return _RAW, b""
    return _POSITIONS, _varint(len(deltas)) + b"".join(map(_varint, deltas))


def _pack_values(values: Sequence[bytes]) -> bytes:
    """The values of a list: all counts, all positions, or else any bytes as they are."""
    count = _varint(len(values))
    if not values:
        return _ONE_BYTE[_NO_VALUES] + count
    packed = list(map(_packed_value, values))
    kind = packed[0][0]
    if kind != _RAW and all(k == kind for k, _ in packed):
        return b"".join([_ONE_BYTE[kind], count, *(p for _, p in packed)])
    return b"".join([_ONE_BYTE[_RAW], count, *(_varint(len(v)) + v for v in values)])


def _whole_weights(weights) -> list[int] | None:
    """The weights as ints if they all are whole and not negative (term frequencies), else None."""
    try:
        whole = list(map(int, weights))
    except (ValueError, OverflowError):  # NaN, infinity
        return None
    if all(map(operator.eq, whole, weights)) and min(whole, default=0) >= 0:
        return whole
    return None


def pack_inlined(ids, weights, values) -> bytes:
    """A short posting list as varints (ids as gaps); :func:`unpack_inlined` reverses it."""
    ids = list(ids)
    gaps = map(operator.sub, ids, [0, *ids[:-1]])
    return b"".join([_varint(len(ids)), *map(_varint, gaps), _pack_weights_and_values(weights, values)])


def _pack_weights_and_values(weights, values) -> bytes:
    """What follows the ids in a packed list."""
    whole = _whole_weights(weights)
    if whole is not None:
        weights_part = [_ONE_BYTE[_WHOLE], *map(_varint, whole)]
    else:
        blob = pickle.dumps(tuple(weights), pickle.HIGHEST_PROTOCOL)
        weights_part = [_ONE_BYTE[_PICKLED], _varint(len(blob)), blob]
    return b"".join([*weights_part, _pack_values(values)])


def unpack_inlined(data: bytes, at: int = 0) -> tuple[tuple, tuple, Sequence]:
    """``(ids, weights, values)`` of a list packed by :func:`pack_inlined` at ``data[at:]``."""
    read = _Reader(data, at)
    ids, weights = _read_ids_and_weights(read)
    kind, count = read.raw(1)[0], read.varint()
    if kind == _NO_VALUES:
        values = ()
    elif kind == _COUNTS:
        values = tuple(pack_uint(n) for n in read.varints(count))
    elif kind == _POSITIONS:
        values = PositionValues([read.varints(read.varint()) for _ in range(count)])
    else:
        values = tuple(read.raw(read.varint()) for _ in range(count))
    return tuple(ids), weights, values


def _read_ids_and_weights(read: _Reader) -> tuple[list[int], tuple]:
    ids, docnum = [], 0
    for gap in read.varints(read.varint()):
        docnum += gap
        ids.append(docnum)
    whole = read.raw(1)[0] == _WHOLE
    weights = tuple(read.varints(len(ids))) if whole else pickle.loads(read.raw(read.varint()))
    return ids, weights


def inlined_ids_and_weights(entry: bytes) -> tuple[list[int], tuple] | None:
    """The ids and weights of a packed entry, its values left unread; None for W3's own entries."""
    if entry[0] != _PACKED_ENTRY:
        return None
    return _read_ids_and_weights(_Reader(entry, _ENTRY_HEADER))


def inlined_doc_frequency(entry: bytes) -> int:
    """The number of postings of a packed entry, without unpacking it."""
    return _Reader(entry, _ENTRY_HEADER).varint()


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
        if s[0] != _PACKED_ENTRY:
            return super().from_bytes(s)  # W3's own layout
        ids, weights, values = unpack_inlined(s, _ENTRY_HEADER)
        terminfo = cls(weight=float(sum(weights)), df=len(ids), minlength=byte_to_length(s[1]),
                       maxlength=byte_to_length(s[2]), maxweight=max(weights), minid=ids[0], maxid=ids[-1])
        terminfo._inlined = (ids, weights, values)
        return terminfo


def inlined_term_info(ids: list, weights, values: list, stats: tuple) -> bytes:
    """What ``CompactTermInfo.to_bytes`` gives for a list written as one inlined block.

    The arguments are those of :func:`encode_block`; without the term info
    object (most terms of a segment are inlined).
    """
    _, minlength, maxlength = stats
    return _entry_header(minlength, maxlength) + pack_inlined(ids, weights, values)


def _entry_header(minlength: int | None, maxlength: int) -> bytes:
    """The marker and the two length bytes that start a packed entry."""
    return bytes([_PACKED_ENTRY, 0 if minlength is None else length_to_byte(minlength), length_to_byte(maxlength)])


def inlined_single(docnum: int, weight: float, value: bytes, length: int) -> bytes:
    """:func:`inlined_term_info` of a list of one posting, with its parts cached.

    Two thirds of a segment's terms occur once. Their entries differ in the
    id only: the length byte, the weight and the value (shared objects in a
    segment writer) repeat. ``value`` is empty for a field without values;
    ``length`` is the document's length in the field (0: none).
    """
    return _single_header(length) + _ONE_BYTE[1] + _varint(docnum) + _single_tail(weight, value)


@functools.lru_cache(maxsize=4096)
def _single_header(length: int) -> bytes:
    return _entry_header(length or None, length)


@functools.lru_cache(maxsize=1 << 16)
def _single_tail(weight: float, value: bytes) -> bytes:
    # As a block would hold it: a 32-bit float (the weights' array("f")).
    return _pack_weights_and_values(array("f", [weight]), (value,) if value else ())


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
        terminfo: CompactTermInfo = self._terminfo
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


class CompactFieldCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class CompactTermsReader(W3TermsReader):
    """W3's term reader, decoding entries with :class:`CompactTermInfo`."""

    def cursor(self, fieldname, fieldobj):
        return CompactFieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self):
        decode, keydecoder = CompactTermInfo.from_bytes, self._keydecoder
        return ((keydecoder(key), decode(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode, keydecoder = CompactTermInfo.from_bytes, self._keydecoder
        start = self._keycoder(fieldname, prefix)
        return ((keydecoder(key), decode(value)) for key, value in self._tindex.items_from(start))

    # frequency and doc_frequency raise KeyError for a missing term, as
    # W3's do: Whoosh's segment reader turns that into 0.
    def frequency(self, fieldname, tbytes):
        return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)]).weight()

    def doc_frequency(self, fieldname, tbytes):
        start, length = self._range_for_key(fieldname, tbytes)
        entry = self._dbfile.get(start, min(length, 16))
        if entry[0] == _PACKED_ENTRY:
            return inlined_doc_frequency(entry)
        return W3TermInfo.read_doc_freq(self._dbfile, start)

    def term_info(self, fieldname, tbytes):
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def inlined_postings(self, fieldname, tbytes) -> tuple[list[int], tuple] | None:
        """(ids, weights) of a term whose list is packed in the dictionary, None if it is in blocks.

        For scoring over arrays (``postings.PostingArrays``): no matcher and
        no values, which a whole list read costs most of (most of a sentence
        query's words are rare, their lists inlined). TermNotFound if absent.
        """
        try:
            entry = self._tindex[self._keycoder(fieldname, tbytes)]
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None
        return inlined_ids_and_weights(entry)


class CariCodec(W3Codec):
    """W3 with :class:`InliningPostingsWriter` and :class:`CompactTermsReader`."""

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int | None = None):
        inlinelimit = INLINE_LIMIT if inlinelimit is None else inlinelimit
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def __reduce__(self):
        # Each segment in the index's TOC pickles its codec: name the module that never moves.
        from search._whoosh.persisted import restore

        return restore, ("codec", self._blocklimit, self._compression, self._inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def terms_reader(self, storage, segment):
        # W3Codec.terms_reader, with our reader class.
        name = segment.make_filename(self.TERMS_EXT)
        postings = segment.open_file(storage, self.POSTS_EXT)
        return CompactTermsReader(self, storage.open_file(name), storage.file_length(name), postings)
