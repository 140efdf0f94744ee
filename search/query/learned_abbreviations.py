"""Abbreviations the archive defines itself: ``Otoritas Jasa Keuangan (OJK)`` makes ``ojk`` and the phrase one.

Every article's definitions are indexed at indexing time as ``names`` terms
(``a:ojk=otoritas jasa keuangan``, ``search.analysis.names.definitions``:
Schwartz & Hearst's rule). The shipped table (``search/data/abbreviations.tsv``)
holds the abbreviations news uses without defining them; the rest are read
here from the index, once per generation, when a query first asks: an
abbreviation typed searches its long form as a phrase, a long form typed
its abbreviation (``search.query.alternatives``; as an index of format 10
searched the shipped ones).

A definition is taken when the short form is one word, no stopword, and a
name rather than a word: written with a capital in at least half of the
articles that hold it (``itu`` is defined once as the International
Communication Union, ``jam`` as Jaksa Agung Muda). Of a short form's long
forms, the usual one (most articles), and any other defined in
``MIN_OTHER`` articles and a quarter of the usual one's (a misspelt long form
in one article is not another meaning).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from search.analysis.wordlists import stopwords
from search.index.names import NAMES_FIELD

DEFINED = "a:"
MIN_OTHER = 2
OTHER_SHARE = 0.25
CAPITALISED_SHARE = 0.5  # of a short form's articles, those writing it capitalised (c:) or in capitals (u:)


class LearnedAbbreviations:
    """The index's own definitions: ``short -> long forms`` and ``long form -> shorts``, read on first use."""

    def __init__(self, reader: Any, field: str = "body_exact") -> None:
        self._reader = reader
        self._field = field
        self._long_forms: dict[str, list[str]] | None = None
        self._shorts: dict[str, list[str]] = {}
        self._first_words: set[str] = set()
        self._longest = 1

    def _read(self) -> dict[str, list[str]]:
        if self._long_forms is not None:
            return self._long_forms
        found: dict[str, list[str]] = defaultdict(list)
        reader = self._reader
        if NAMES_FIELD in reader.schema:
            for term in reader.expand_prefix(NAMES_FIELD, DEFINED):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                short, _, long = text[len(DEFINED):].partition("=")
                if short and long and " " not in short and " " in long:
                    found[short].append(long)
        common = stopwords()
        table: dict[str, list[str]] = {}
        for short, written in found.items():
            if short in common or not self._name_like(short):
                continue
            # How many articles give each long form, asked only where there are several.
            counted = [(reader.doc_frequency(NAMES_FIELD, f"{DEFINED}{short}={long}") if len(written) > 1 else 1,
                        long) for long in written]
            usual = max(n for n, _ in counted)
            table[short] = [long for n, long in sorted(counted, key=lambda item: (-item[0], item[1]))
                            if n == usual or n >= max(MIN_OTHER, OTHER_SHARE * usual)]
        shorts: dict[str, list[str]] = {}
        for short, longs in table.items():
            for long in longs:
                shorts.setdefault(long, []).append(short)
        # Set whole, the table last: a search and the warming thread may both read it the first time.
        self._shorts, self._first_words = shorts, {long.split()[0] for long in shorts}
        self._longest = max((len(long.split()) for long in shorts), default=1)
        self._long_forms = table
        return table

    def _name_like(self, short: str) -> bool:
        reader = self._reader
        capitalised = sum(reader.doc_frequency(NAMES_FIELD, f"{kind}:{short}") for kind in ("c", "u"))
        return capitalised >= CAPITALISED_SHARE * reader.doc_frequency(self._field, short)

    def long_forms(self, short: str) -> list[str]:
        """The long forms the archive gives ``short`` (a folded word), the usual first."""
        return self._read().get(short, [])

    def shorts(self, long: str) -> list[str]:
        """The abbreviations the archive gives ``long`` (folded words joined by spaces)."""
        self._read()
        return self._shorts.get(long, [])

    def starts_a_key(self, word: str) -> bool:
        self._read()
        return word in self._first_words

    def longest_key(self) -> int:
        """The most words a long form has."""
        self._read()
        return self._longest
