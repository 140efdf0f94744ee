"""Per-document arrays read whole: which documents are live, a numeric column's values.

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
