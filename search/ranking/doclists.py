"""Sorted lists of document numbers (a posting array's ids): their union, and which of some documents they hold.

Top-k pruning (``topk``) and the matches of every concept (``coverage``)
look documents up in posting lists rather than marking whole lists in an
array of every document, when the documents are few beside the lists.
"""

from __future__ import annotations

import numpy as np

# Document numbers as the posting arrays hold them (``_whoosh.postings``).
DOC = np.int32
# Fewer documents to look up than a list's postings over this: a binary search for each, else a pass over the list.
SEARCH_RATIO = 8


def union(lists: list[np.ndarray], count: int | None = None) -> np.ndarray:
    """The documents (``DOC``, ascending) of any of the lists (``count``: every document's number is under it)."""
    lists = [ids for ids in lists if len(ids)]
    if not lists:
        return np.zeros(0, dtype=DOC)
    if len(lists) == 1:
        return lists[0]
    if count is not None and sum(map(len, lists)) > count // 16:
        flags = np.zeros(count, dtype=bool)
        for ids in lists:
            flags[ids.astype(np.intp)] = True
        return np.flatnonzero(flags).astype(DOC)
    joined = np.concatenate(lists)
    joined.sort()
    return joined[np.concatenate(([True], joined[1:] != joined[:-1]))]


def present(lists: list[np.ndarray], docs: np.ndarray, count: int) -> np.ndarray:
    """Whether each of ``docs`` (ascending) is in one of the lists (ascending): a binary search per
    document when they are few, else a pass marking the lists' documents."""
    if len(docs) * SEARCH_RATIO < sum(map(len, lists)):
        flags = np.zeros(len(docs), dtype=bool)
        for ids in lists:
            flags[positions(ids, docs)[0]] = True
        return flags
    marked = np.zeros(count, dtype=bool)
    for ids in lists:
        marked[ids.astype(np.intp)] = True
    return np.take(marked, docs)


def positions(ids: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indexes into ``docs``, indexes into ``ids``) of the documents in both; both ascending, without repeats.

    The smaller array is searched for in the larger one.
    """
    if not len(ids) or not len(docs):
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    if ids is docs:  # the candidates are this list (one essential list): every one at its own place
        every = np.arange(len(ids))
        return every, every
    if len(docs) <= len(ids):
        found = np.searchsorted(ids, docs)
        np.minimum(found, len(ids) - 1, out=found)
        hit = np.take(ids, found) == docs
        return np.flatnonzero(hit), found[hit]
    at = np.searchsorted(docs, ids)
    np.minimum(at, len(docs) - 1, out=at)
    hit = np.take(docs, at) == ids
    return at[hit], np.flatnonzero(hit)
