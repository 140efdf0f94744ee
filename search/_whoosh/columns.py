"""Per-document arrays read whole: which documents are live, a numeric column's values, the order of their ids.

Opening an index makes both for every document (``postings.PostingArrays``,
``ranking.dates``). Whoosh hands them out a document at a time: on 100,000
articles ``all_doc_ids()`` (a Python ``is_deleted`` call each) took 0.30 s
and iterating the date column 0.22 s, half of reopening the index after
every write. Here a segment without deletions is a slice set at once, and a
numeric column is its stored bytes read as one big-endian numpy array.
"""

from __future__ import annotations

import numpy as np
from whoosh.columns import NumericColumn

from search._whoosh.packing import PACKED_ENTRY
from search._whoosh.term_prefixes import mapped_field_entries

HASHED = 16  # bytes of a term's start and of its end hashed (``term_hashes``)
_VARINT_BYTES = 5  # a document number's varint: 35 bits at most


def live_mask(reader) -> np.ndarray:
    """A bool per document of ``reader`` (segment offsets added): True where it is not deleted."""
    live = np.zeros(reader.doc_count_all(), dtype=bool)
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if not leaf.has_deletions():
            live[offset : offset + count] = True
        else:
            ids = np.fromiter(leaf.all_doc_ids(), dtype=np.int64)
            live[ids + offset] = True
    return live


def numeric_values(column, count: int) -> np.ndarray:
    """Every value of a numeric column reader as uint64, ``count`` of them (the column's default past its end).

    Whoosh's ``NumericColumn.Reader`` keeps the values as fixed-size
    big-endian numbers (``struct`` format ``"!" + typecode``, standard sizes)
    from ``_basepos``, ``_count`` of them; any other reader (or a signed
    type) is read a value at a time.
    """
    if type(column) is not NumericColumn.Reader or column._typecode not in "BHILQ":  # unsigned: as uint64
        return np.fromiter(iter(column), dtype=np.uint64, count=count)
    stored = min(column._count, count)
    raw = column._dbfile.get(column._basepos, stored * column._fixedlen)
    values = np.full(count, column._default, dtype=np.uint64)
    values[:stored] = np.frombuffer(raw, dtype=np.dtype(f">u{column._fixedlen}"), count=stored)
    return values


def term_hashes(reader, fieldname: str) -> np.ndarray:
    """A 64-bit number of each document's one term of ``fieldname`` (its id): a hash of the term's first and
    last ``HASHED`` bytes and its length, so a number of the archive's content alone, where document numbers
    change with the order articles were written in (0 for a document without one). Read from each segment's
    term dictionary as arrays (a list of one document is packed in it): ~0.02 s for 100,000 articles, where a
    term at a time took 0.3 s."""
    hashes = np.zeros(reader.doc_count_all(), dtype=np.uint64)
    for leaf, offset in reader.leaf_readers():
        found = _packed_terms(leaf, fieldname)
        if found is None:
            found = _terms_read_one_by_one(leaf, fieldname)
        data, starts, lengths, docnums = found
        hashes[docnums + offset] = _hashed(data, starts, lengths)
    return hashes


def _packed_terms(leaf, fieldname: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(the map as bytes, each term's place and length, its one document) of one segment, from the arrays of
    its term dictionary; None unless every term's list is one document packed in its entry."""
    found = mapped_field_entries(leaf, fieldname)
    if found is None:
        return None
    buffer, starts, lengths = found
    data = np.frombuffer(buffer, dtype=np.uint8)
    values = starts + lengths  # each value: the marker, two length bytes, the count (1), the document's varint
    if not len(values):
        return data, starts, lengths, values
    if int(values.max()) + 4 + _VARINT_BYTES > len(data):
        return None
    if not ((data[values] == PACKED_ENTRY) & (data[values + 3] == 1)).all():
        return None
    docnums = np.zeros(len(values), dtype=np.int64)
    going = np.ones(len(values), dtype=bool)
    for place in range(_VARINT_BYTES):
        byte = data[values + 4 + place].astype(np.int64)
        docnums |= np.where(going, (byte & 0x7F) << (7 * place), 0)
        going &= byte >= 0x80
    return None if going.any() else (data, starts, lengths, docnums)


def _terms_read_one_by_one(leaf, fieldname: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What ``_packed_terms`` gives, read through Whoosh a term at a time (a dictionary laid out otherwise)."""
    terms, docnums = [], []
    for tbytes in leaf.lexicon(fieldname):
        for docnum in leaf.postings(fieldname, tbytes).all_ids():
            terms.append(tbytes)
            docnums.append(docnum)
    lengths = np.array([len(term) for term in terms], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if terms else lengths
    data = np.frombuffer(b"".join(terms) + bytes(HASHED), dtype=np.uint8)
    return data, starts, lengths, np.array(docnums, dtype=np.int64)


def _hashed(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each term (``lengths[i]`` bytes of ``data`` from ``starts[i]``): its first and last
    ``HASHED`` bytes (bytes past either end read as 0) and its length, mixed as FNV-1a mixes its bytes."""
    if not len(starts):
        return np.zeros(0, dtype=np.uint64)
    spots = np.arange(HASHED)
    first = starts[:, None] + spots
    last = (starts + lengths - HASHED)[:, None] + spots
    ends = (starts + lengths)[:, None]
    windows = np.concatenate([
        np.where(first < ends, data[np.minimum(first, len(data) - 1)], 0),
        np.where(last >= starts[:, None], data[np.clip(last, 0, len(data) - 1)], 0),
    ], axis=1).astype(np.uint8)
    words = np.ascontiguousarray(windows).view(">u8")
    hashed = lengths.astype(np.uint64) ^ np.uint64(0xCBF29CE484222325)
    with np.errstate(over="ignore"):
        for column in range(words.shape[1]):
            hashed = (hashed ^ words[:, column].astype(np.uint64)) * np.uint64(0x100000001B3)
            hashed ^= hashed >> np.uint64(29)
    return hashed
