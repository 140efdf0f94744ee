"""Short posting lists packed as varints, for the term dictionary (see ``codec``).

W3 would pickle an inlined list: ~80 bytes for one posting, most of it
pickle framing and the positions' own protocol-2 pickle. :func:`pack_inlined`
packs it as varints instead, ~8 bytes for one posting, and
:func:`unpack_inlined` gives back exactly the tuple W3 would have unpickled
(the same ids, weights and value bytes), so every matcher downstream is W3's own.
"""

from __future__ import annotations

import functools
import operator
import pickle
from array import array
from collections.abc import Sequence

from whoosh.system import pack_uint, unpack_uint
from whoosh.util.numeric import length_to_byte

# First byte of a packed entry: W3's entries start with a 0/1 "inlined" flag.
PACKED_ENTRY = 2
ENTRY_HEADER = 3  # the marker and the min/max length bytes
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


def _varint_run(numbers: list[int]) -> bytes:
    """The varints of ``numbers`` (not negative), one after another: as ``bytes`` in one C call when all are
    below 128 (most gaps, counts and weights of a short list)."""
    return bytes(numbers) if not numbers or max(numbers) < 128 else bytes(_varints(numbers))


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
    kinds, parts = zip(*map(_packed_value, values), strict=True)
    kind = kinds[0]
    if kind != _RAW and kinds.count(kind) == len(kinds):
        return b"".join([_ONE_BYTE[kind], count, *parts])
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
    gaps = list(map(operator.sub, ids, [0, *ids[:-1]]))
    return b"".join([_varint(len(ids)), _varint_run(gaps), _pack_weights_and_values(weights, values)])


def _pack_weights_and_values(weights, values) -> bytes:
    """What follows the ids in a packed list."""
    whole = _whole_weights(weights)
    if whole is not None:
        weights_part = [_ONE_BYTE[_WHOLE], _varint_run(whole)]
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
    if entry[0] != PACKED_ENTRY:
        return None
    return _read_ids_and_weights(_Reader(entry, ENTRY_HEADER))


def inlined_doc_frequency(entry: bytes) -> int:
    """The number of postings of a packed entry, without unpacking it."""
    return _Reader(entry, ENTRY_HEADER).varint()


def inlined_term_info(ids: list, weights, values: list, stats: tuple) -> bytes:
    """What ``CompactTermInfo.to_bytes`` gives for a list written as one inlined block.

    The arguments are those of :func:`encode_block`; without the term info
    object (most terms of a segment are inlined).
    """
    _, minlength, maxlength = stats
    return _entry_header(minlength, maxlength) + pack_inlined(ids, weights, values)


def _entry_header(minlength: int | None, maxlength: int) -> bytes:
    """The marker and the two length bytes that start a packed entry."""
    return bytes([PACKED_ENTRY, 0 if minlength is None else length_to_byte(minlength), length_to_byte(maxlength)])


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
