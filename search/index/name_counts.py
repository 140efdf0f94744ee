"""The ``names`` field's term counts the names are learned from, kept by every write.

``{term: articles}`` over the articles the index holds (``search.analysis.names``
gives each article's terms). A write starts from the live generation's counts
(:data:`COUNTS`), adds those of the articles it writes (counted by the
segments they are written to: ``search.index.workers``) and takes off those of
the articles it removes or replaces (their stored bodies read again), and
keeps them for the next write (:class:`Tally`); without counts to start
from, or past ``TALLY_LIMIT`` removals, they are read from the whole index
once it is written (:func:`index_counts`).

The learning also asks, for each candidate name word, how many articles hold
it in any case (the live articles whose ``body_exact`` field holds it). Read
from the index that is a posting list per word, tens of thousands of them at
1,000,000 articles (~20 s of CPU), so the answers are kept the same way
(:class:`WordArticles`): the same file holds ``{word: articles}`` of every
word the last learning asked about (the arrays ``words`` and
``word_counts``, which code that predates them does not read), and a write
adds the words of the articles it writes (their segments' ``body_exact``
counts) and takes off those of the articles it removes (their stored bodies:
``index_words``, the words that field indexes). A word the last learning did
not ask about is read from the index. Each answer is the number the index
would give, so the names learned are exactly those a new index of the same
articles learns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import numpy as np

from search._whoosh.columns import live_mask
from search._whoosh.term_dictionary import field_doc_frequencies
from search.analysis.abbreviations import abbreviations_in
from search.analysis.names import name_terms as article_name_terms
from search.analysis.tokens import index_words
from search.index import count_parts, kept
from search.index.names import NAMES_FIELD

# Every ``names`` term and the number of articles holding it: what the next write starts from.
COUNTS = count_parts.RECORD  # in parts: search.index.count_parts
WORDS_FIELD = "body_exact"  # the field whose articles per word the learning asks for (``word_articles``)
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


def _count(counts: dict[str, int], body: str, sign: int, touched: set[str] | None = None) -> None:
    terms = article_name_terms(body)
    if touched is not None:
        touched.update(terms)
    for term in terms:
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


class SplitCounts(MutableMapping[str, int]):
    """The flat ``{"n:setya novanto": 50}`` counts as a view of their split by prefix (``by_prefix``): reading and
    changing a count reads and changes the split. What a writer that took its records from ``writer_state`` holds:
    the split alone is saved, and the 1.5 million flat counts at 1,000,000 articles are not built again (~0.45
    CPU-s). Every ``names`` term has a prefix (``search.analysis.names``), so the view holds the terms counted."""

    def __init__(self, split: dict[str, dict[str, int]]) -> None:
        self.split = split

    def _values_of(self, term: str) -> tuple[dict[str, int], str]:
        """The counts of ``term``'s prefix and its value in them ({} when no term has the prefix)."""
        prefix, _, value = term.partition(":")
        return self.split.get(prefix, {}), value

    def __getitem__(self, term: str) -> int:
        values, value = self._values_of(term)
        try:
            return values[value]
        except KeyError:
            raise KeyError(term) from None

    def get(self, term: str, default: Any = None) -> Any:  # as dict.get, without Mapping's try/except
        values, value = self._values_of(term)
        return values.get(value, default)

    def __setitem__(self, term: str, n: int) -> None:
        prefix, _, value = term.partition(":")
        self.split.setdefault(prefix, {})[value] = n

    def __delitem__(self, term: str) -> None:
        values, value = self._values_of(term)
        try:
            del values[value]
        except KeyError:
            raise KeyError(term) from None

    def __iter__(self) -> Iterator[str]:
        for prefix, values in self.split.items():
            for value in values:
                yield f"{prefix}:{value}"

    def values(self) -> Iterator[int]:  # type: ignore[override]  # in the order of __iter__, no lookup a term
        for values in self.split.values():
            yield from values.values()

    def __len__(self) -> int:
        return sum(len(values) for values in self.split.values())


class Tally:
    """A write's running ``names`` term counts: the live generation's, plus the articles it adds, minus those it
    removes. Past ``TALLY_LIMIT`` removed articles (or with no counts to start from) they are read from the new
    index."""

    def __init__(self, live: Path | None) -> None:
        # The counts split by prefix (``by_prefix``) as the last write of this process left them, when it keeps them
        # (``search.index.kept``): changed below where this write's terms are (``touched``), not split again.
        self.by_prefix: dict[str, dict[str, int]] | None = None
        self.touched: set[str] = set()
        self.candidates: Any = None  # the learning's first pass on these counts (name_learning.Candidates), if kept
        found = kept.take(live / COUNTS, COUNTS) if live is not None else None
        if found is not None:
            self.counts, self.words, self.by_prefix, self.candidates = found
        else:
            # {word: articles} the live generation's learning asked for, and this write's change to each word's articles.
            self.counts, self.words = read_both(live) or (None, None) if live is not None else (None, None)
        # The parts the live record is in (search.index.count_parts): this write's changes go in one more.
        self.layout = count_parts.layout(live) if live is not None and self.counts is not None else None
        self.word_changes: dict[str, int] = {}
        self._changed = 0

    @property
    def counting(self) -> bool:
        """Whether the counts are kept (else they are read from the index once it is written)."""
        return self.counts is not None

    def add_counts(self, term_documents: dict[str, int], word_documents: dict[str, int] | None = None) -> None:
        """Add the articles written: ``{term: articles}`` of their ``names`` field, as their segments count it,
        and ``{word: articles}`` of their ``body_exact`` field (without it the words are read again)."""
        if self.counts is None:
            return
        counts = self.counts
        for term, n in term_documents.items():
            counts[term] = counts.get(term, 0) + n
        self.touched.update(term_documents)
        if word_documents is None:
            self.words = None
            return
        changes = self.word_changes
        for word, n in word_documents.items():
            changes[word] = changes.get(word, 0) + n

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
            self.counts = self.words = None  # a large removal: reading the whole index once is cheaper
            return
        _count(self.counts, body, sign, self.touched)
        changes = self.word_changes
        words = index_words(body).words
        # The field's terms: its words and the abbreviations of the full forms it holds (search.analysis.abbreviations).
        for word in {*words, *abbreviations_in(words)}:
            changes[word] = changes.get(word, 0) + sign

    def split(self) -> dict[str, dict[str, int]]:
        """The counts split by prefix (``by_prefix``): the kept split with this write's terms changed, else split."""
        assert self.counts is not None
        found = self.by_prefix
        if found is None:
            found = self.by_prefix = by_prefix(self.counts)
            self.touched = set()
            return found
        for term in self.touched:
            prefix, _, value = term.partition(":")
            n = self.counts.get(term, 0)
            if n > 0:
                found.setdefault(prefix, {})[value] = n
            else:
                found.get(prefix, {}).pop(value, None)
        self.touched = set()
        return found

    def carry(self, asked: dict[str, int]) -> tuple[dict[str, int], list[str]]:
        """The kept answers ``{word: articles}`` with this write's changes (each the number the new index gives) and
        the answers ``asked`` of words they lack, changed in place (the kept dict is this write's); and those words."""
        words = self.words if self.words is not None else {}
        for word, n in self.word_changes.items():
            if n and word in words:
                words[word] += n
        new = [word for word in asked if word not in words]
        for word in new:
            words[word] = asked[word]
        return words, new

    def changes(self, terms: set[str], new_words: list[str]) -> tuple[count_parts.Layout, set[str], set[str]] | None:
        """What this write changed of the live record (its parts, the ``terms`` and the words changed), for a part of
        its own; None when the counts or the answers did not come from the live record (written whole)."""
        if self.layout is None or self.words is None:
            return None
        words = self.words
        changed = {word for word, n in self.word_changes.items() if n and word in words}
        return self.layout, terms, changed.union(new_words)

    def keep(self, generation: Path, asked: dict[str, int], candidates: Any) -> None:
        """Keep the counts, ``asked`` (the words written beside them), their split and the learning's first pass
        (``candidates``) for this process's next write, once they are written to ``generation``."""
        if self.counts is not None and self.by_prefix is not None and not self.touched:
            kept.keep(generation / COUNTS, COUNTS, (self.counts, asked, self.by_prefix, candidates))

    def word_articles(self, reader: Any) -> WordArticles:
        """The articles holding each word in the index ``reader`` reads (this write's), from the kept answers."""
        return WordArticles(reader, self.words if self.counts is not None else None, self.word_changes)


class WordArticles:
    """``word -> articles`` whose ``body_exact`` field holds it, as the index ``reader`` reads them: the live
    generation's answer (``known``) plus this write's ``changes``, else read from the index; every answer kept
    in ``asked`` for the next write."""

    def __init__(self, reader: Any, known: dict[str, int] | None = None, changes: dict[str, int] | None = None) -> None:
        self.reader = reader
        self.known = known or {}
        self.changes = changes or {}
        self.asked: dict[str, int] = {}
        self.read = 0  # answers read from the index

    def __call__(self, word: str) -> int:
        found = self.asked.get(word)
        if found is None:
            known = self.known.get(word)
            if known is None:
                self.read += 1
                found = self.reader.doc_frequency(WORDS_FIELD, word)
            else:
                found = known + self.changes.get(word, 0)
            self.asked[word] = found
        return found


def write_counts(generation: Path, counts: dict[str, int], words: dict[str, int] | None = None,
                 changes: tuple[count_parts.Layout, Iterable[str], Iterable[str]] | None = None) -> None:
    """Store ``counts`` (and ``words``: ``{word: articles}`` the learning asked for) in ``generation``: with
    ``changes`` (the live record's parts, the terms and the words changed since), only those in a part of their
    own (``search.index.count_parts``), else whole."""
    previous, terms, changed_words = changes if changes is not None else (None, None, None)
    count_parts.write(generation, counts, words, previous, terms, changed_words)


def read_counts(generation: Path) -> dict[str, int] | None:
    """The counts of ``generation``, or None if it has none or they cannot be read."""
    found = count_parts.read(generation, with_words=False)
    return found[0] if found is not None else None


def read_words(generation: Path) -> dict[str, int] | None:
    """``{word: articles}`` the learning of ``generation`` asked for, or None (none kept: an older write's)."""
    found = count_parts.read(generation)
    return found[1] if found is not None else None


def read_both(generation: Path) -> count_parts.Counts | None:
    """(counts, words) of ``generation`` in one reading (None: it has no counts, or they cannot be read)."""
    return count_parts.read(generation)
