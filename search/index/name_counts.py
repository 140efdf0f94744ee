"""The ``names`` field's term counts the names are learned from, kept by every write.

``{term: articles}`` over the articles the index holds (``search.analysis.names``
gives each article's terms). A write starts from the live generation's counts
(:data:`COUNTS`), adds those of the articles it writes (counted by the
segments they are written to: ``search.index.workers``) and takes off those of
the articles it removes or replaces (their stored bodies read again), and
keeps them for the next write (:class:`Tally`); without counts to start
from, or past ``TALLY_LIMIT`` removals, they are read from the whole index
once it is written (:func:`index_counts`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from search._whoosh.codec import field_doc_frequencies
from search._whoosh.columns import live_mask
from search.analysis.names import name_terms as article_name_terms
from search.index.names import NAMES_FIELD
from search.index.npz import read_arrays

# Every ``names`` term and the number of articles holding it: what the next write starts from.
COUNTS = "names-counts.npz"
COUNTS_VERSION = 1
# Articles a write may remove one by one (their stored bodies analysed again); past that the counts are read again
# from the whole index. The articles it adds are counted by the segments they are written to.
TALLY_LIMIT = 2000


def index_counts(reader: Any) -> dict[str, int]:
    """``{term: articles}`` of the ``names`` field over the articles the index holds.

    Whoosh counts a removed article until its segment is merged: the terms of
    each removed one (read again from its stored body) are taken off.
    """
    if NAMES_FIELD not in reader.schema:
        return {}
    counts = field_doc_frequencies(reader, NAMES_FIELD)
    if reader.has_deletions():
        for docnum in np.flatnonzero(~live_mask(reader)):
            _count(counts, reader.stored_fields(int(docnum)).get("body") or "", -1)
    return counts


def _count(counts: dict[str, int], body: str, sign: int) -> None:
    for term in article_name_terms(body):
        n = counts.get(term, 0) + sign
        if n > 0:
            counts[term] = n
        else:
            counts.pop(term, None)


def by_prefix(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """``{"n": {"setya novanto": 50}, "t": {...}, ...}`` of flat ``{"n:setya novanto": 50}`` counts."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for term, n in counts.items():
        prefix, _, value = term.partition(":")
        found[prefix][value] = n
    return found


class Tally:
    """A write's running ``names`` term counts: the live generation's, plus the articles it adds, minus those it
    removes. Past ``TALLY_LIMIT`` removed articles (or with no counts to start from) they are read from the new
    index."""

    def __init__(self, live: Path | None) -> None:
        self.counts: dict[str, int] | None = read_counts(live) if live is not None else None
        self._changed = 0

    @property
    def counting(self) -> bool:
        """Whether the counts are kept (else they are read from the index once it is written)."""
        return self.counts is not None

    def add_counts(self, term_documents: dict[str, int]) -> None:
        """Add the articles written: ``{term: articles}`` of their ``names`` field, as their segments count it."""
        if self.counts is None:
            return
        counts = self.counts
        for term, n in term_documents.items():
            counts[term] = counts.get(term, 0) + n

    def remove_stored(self, searcher: Any, ids: list[str]) -> None:
        """Take off the articles ``ids`` that ``searcher`` (before their deletion) holds."""
        if self.counts is None or self._changed + len(ids) > TALLY_LIMIT:
            self.counts = None
            return
        for doc_id in ids:
            docnum = searcher.document_number(id=doc_id)
            if docnum is not None:
                self._apply(searcher.stored_fields(docnum).get("body") or "", -1)

    def _apply(self, body: str, sign: int) -> None:
        if self.counts is None:
            return
        self._changed += 1
        if self._changed > TALLY_LIMIT:
            self.counts = None  # a large removal: reading the whole index once is cheaper
            return
        _count(self.counts, body, sign)


def write_counts(generation: Path, counts: dict[str, int]) -> None:
    """Store ``counts`` in ``generation`` (under another name, then renamed: the old one may be a hard link)."""
    path = generation / COUNTS
    partial = path.with_name(path.name + ".partial")
    terms = "\n".join(counts).encode("utf-8")
    with open(partial, "wb") as f:
        np.savez(f, version=np.array([COUNTS_VERSION]), terms=np.frombuffer(terms, dtype=np.uint8),
                 counts=np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))
    os.replace(partial, path)


def read_counts(generation: Path) -> dict[str, int] | None:
    """The counts of ``generation``, or None if it has none or they cannot be read."""
    try:
        data = read_arrays(generation / COUNTS, ("version", "terms", "counts"))
        if data["version"].tolist() != [COUNTS_VERSION]:
            return None
        terms = data["terms"].tobytes().decode("utf-8")
        counts = data["counts"].tolist()
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        return None
    names = terms.split("\n") if terms else []
    return dict(zip(names, counts, strict=True)) if len(names) == len(counts) else None
