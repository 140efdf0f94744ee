"""Each text analysed once for every field that indexes it, for the indexing workers.

The schema indexes an article's body twice -- stemmed (``body``) and as
written (``body_exact``) -- and likewise its title. The two analyzers share
everything but the last steps (tokenize, lowercase, split hyphens, then drop
stopwords and stem, or not), so running both chains in full does the
costliest Python work twice. :func:`fast_schema` gives the indexing workers
a copy of the schema whose text fields (with positions or frequencies) run
the shared part of their chain once per text (the result is kept until the
next text comes; the stemmed and exact chains come out of one pass over the
tokens, as a list of words: :class:`Terms`), and map each distinct word
through the stemmer, not each occurrence. Each such field gets
``word_postings(text)`` -- ``{term: positions}`` for a field with
positions, ``{term: frequency}`` for one without (a ``Counter``: no
position lists built only to be counted) -- which
``segwriter.PerTermSegmentWriter`` reads, and an ``index`` built on it.

Only *how* the postings are computed changes: each field still uses its
own analyzer's steps, and the (term, frequency, weight, value) it yields
are those Whoosh's ``Positions.word_values`` (or ``Frequency.word_values``
for the exact-form fields, which keep no positions) would yield
(``tests/test_fastindex.py`` compares them, and a whole index, with
Whoosh's own path). The copy is for writing segments only: the index's TOC
keeps the real schema.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from collections.abc import Callable

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, StopFilter
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from search.analysis.chain import (
    HyphenFilter,
    IndonesianStemFilter,
    IndonesianTokenizer,
    hyphen_parts,
)


class Terms:
    """One text's terms after an analysis chain: each word in order, and where the first stands.

    Cari's chains number the terms they keep consecutively (StopFilter
    renumbers), so the ``n``-th word is at position ``first + n``; a field
    with positions lists them, one with frequencies only counts the words.
    """

    __slots__ = ("words", "first")

    def __init__(self, words: list[str], first: int = 0):
        self.words, self.first = words, first

    def positions(self, stem=None) -> dict[str, list[int]]:
        """``{term: positions}``; with ``stem``, words sharing a root share a term."""
        poses: dict[str, list[int]] = defaultdict(list)
        for pos, word in enumerate(_roots(self.words, stem), self.first):
            poses[word].append(pos)
        return poses

    def counts(self, stem=None) -> dict[str, int]:
        """``{term: frequency}``."""
        return Counter(_roots(self.words, stem))


class PositionedTerms:
    """:class:`Terms` as any chain gives them: ``{word: positions}``, not necessarily consecutive."""

    __slots__ = ("poses",)

    def __init__(self, poses: dict[str, list[int]]):
        self.poses = poses

    def positions(self, stem=None) -> dict[str, list[int]]:
        return self.poses if stem is None else _stemmed(self.poses, stem)

    def counts(self, stem=None) -> dict[str, int]:
        return {term: len(poslist) for term, poslist in self.positions(stem).items()}


def _roots(words: list[str], stem) -> list[str]:
    if stem is None:
        return words
    root = {word: stem(word) for word in set(words)}  # each distinct word once
    return list(map(root.__getitem__, words))


class _LastText:
    """The :class:`Terms` of the last text, for each distinct analysis chain."""

    def __init__(self):
        self.text: str | None = None
        self.results: dict[int, Terms | PositionedTerms] = {}

    def terms(self, text: str, key: int, chain: Callable[[str], dict]) -> Terms | PositionedTerms:
        if text != self.text:  # `is` first: the stemmed and exact fields get one str object
            self.text, self.results = text, {}
        terms = self.results.get(key)
        if terms is None:
            self.results.update(chain(text))  # every chain's result the analysis gave
            terms = self.results[key]
        return terms


def _chain_terms(chain: CompositeAnalyzer) -> Callable[[str], Terms | PositionedTerms]:
    """``text -> terms`` as the chain's tokens give them (Positions.word_values)."""
    direct = _direct_terms(chain.items)
    if direct is not None:
        return direct

    def terms(text: str) -> PositionedTerms:
        poses = defaultdict(list)
        for token in chain(text, positions=True, boosts=True, mode="index"):
            if not token.stopped:
                poses[token.text].append(token.pos)
        return PositionedTerms(poses)

    return terms


def _direct_terms(steps: list) -> Callable[[str], Terms] | None:
    """Cari's text chain without the generator per step, or None for any other chain.

    ``IndonesianTokenizer | LowercaseFilter | HyphenFilter [| StopFilter]`` in
    a few list operations over the tokenizer's matches: each token
    lowercased, a hyphenated one that is not a reduplication split into parts
    (each a position, so the later tokens shift), stopwords dropped and the
    kept tokens renumbered from the first as ``StopFilter(renumber=True)``
    does. The steps' own settings (pattern, stoplist, sizes) are used;
    ``tests/test_fastindex.py`` checks the result against the chain itself.
    """
    loop = _direct_loop(steps, also_unstopped=False)
    return None if loop is None else lambda text: loop(text)[0]


def _direct_loop(steps: list, also_unstopped: bool):
    """``text -> (terms, terms before the StopFilter or None)`` for :func:`_direct_terms`.

    With ``also_unstopped``, the same pass also gives the chain without its
    StopFilter (the exact fields' chain), so a text is tokenized once for both.
    """
    kinds = [type(step) for step in steps]
    if kinds not in ([IndonesianTokenizer, LowercaseFilter, HyphenFilter, StopFilter],
                     [IndonesianTokenizer, LowercaseFilter, HyphenFilter]):
        return None
    tokenizer = steps[0]
    stop = steps[3] if len(steps) == 4 else None  # the exact fields keep their stopwords
    if tokenizer.gaps or tokenizer.expression.groups or (stop is not None and not stop.renumber):
        return None
    findall = tokenizer.expression.findall
    stoplist, minsize, maxsize = (stop.stops, stop.min, stop.max) if stop else (frozenset(), 0, None)

    def keeps(word: str) -> bool:
        return len(word) >= minsize and (maxsize is None or len(word) <= maxsize) and word not in stoplist

    def analyse(text: str) -> tuple[Terms, Terms | None]:
        words = list(map(str.lower, findall(text)))
        if _HYPHENATED.search(text):
            _split_hyphens(words)
        # A word's position is its index among all the words: a split word's parts are consecutive.
        if minsize <= 1 and maxsize is None:  # Cari's StopFilter: only the stoplist tests a word
            kept = [word for word in words if word and word not in stoplist]
        else:
            kept = [word for word in words if keeps(word)]
        first = next((at for at, word in enumerate(words) if keeps(word)), 0)
        return Terms(kept, first), Terms(words) if also_unstopped else None

    return analyse


_HYPHENATED = re.compile(r"\w-\w")


def _split_hyphens(words: list[str]) -> None:
    """``Nur-Sultan`` as ``nur``, ``sultan`` in place; a reduplication (``anak-anak``) stays one word."""
    for at in reversed([at for at, word in enumerate(words) if "-" in word]):
        parts = hyphen_parts(words[at])
        if parts is not None:
            words[at : at + 1] = parts


def _analyses(chains: list[list]) -> list[Callable[[str], dict[int, Terms | PositionedTerms]]]:
    """Per chain, ``text -> {chain index: terms}`` for it and any chain it also computes.

    A chain that is another plus a StopFilter (the stemmed fields' and the
    exact fields') runs as one pass giving both.
    """
    found: list = [None] * len(chains)
    for stopped, steps in enumerate(chains):
        if steps[:-1] in chains and isinstance(steps[-1], StopFilter):
            loop = _direct_loop(steps, also_unstopped=True)
            if loop is not None:
                found[stopped] = found[chains.index(steps[:-1])] = _keyed(loop, stopped, chains.index(steps[:-1]))
    for key, steps in enumerate(chains):
        if found[key] is None:
            one = _chain_terms(CompositeAnalyzer(*steps))
            found[key] = _keyed(lambda text, one=one: (one(text), None), key, None)
    return found


def _keyed(loop, key: int, unstopped_key: int | None) -> Callable[[str], dict]:
    """``loop``'s (terms, unstopped terms) as ``{chain index: terms}``."""

    def analyse(text: str) -> dict:
        terms, every = loop(text)
        return {key: terms} if unstopped_key is None else {key: terms, unstopped_key: every}

    return analyse


def _split_chain(analyzer) -> tuple[list, Callable[[str], str] | None]:
    """The steps before stemming, and the stem function (None: no stemming)."""
    items = list(analyzer.items)
    if isinstance(items[-1], IndonesianStemFilter):
        return items[:-1], items[-1].stemmer.stem
    return items, None


def _shares_analysis(field) -> bool:
    """Whether the field's postings can come from :class:`_LastText`.

    Plain text, with positions or frequencies only, whose tokens all weigh 1
    (no boosting filters: the chains are Cari's own, tokenizer + word filters).
    """
    return type(field.format) in (Positions, Frequency) and isinstance(field.analyzer, CompositeAnalyzer)


def fast_schema(schema):
    """A copy of ``schema`` whose text fields share their analysis (see the module doc)."""
    fast = copy.copy(schema)
    fast._fields = dict(schema._fields)
    memo = _LastText()
    chains: list[list] = []
    shared = []
    for name, field in schema._fields.items():
        if not _shares_analysis(field):
            continue
        steps, stem = _split_chain(field.analyzer)
        if steps not in chains:  # Whoosh filters compare by class and settings
            chains.append(steps)
        shared.append((name, field, chains.index(steps), stem))
    analyses = _analyses(chains)
    for name, field, key, stem in shared:
        twin = copy.copy(field)
        twin.word_postings = _word_postings(memo, key, analyses[key], stem, type(field.format) is Positions)
        twin.index = _indexer(field, twin.word_postings)
        fast._fields[name] = twin
    return fast


def _word_postings(memo: _LastText, key: int, chain: Callable[[str], dict], stem, positional: bool):
    """``text -> {term: positions}`` (a field with positions) or ``{term: frequency}``, from the shared analysis."""

    def word_positions(text: str) -> dict[str, list[int]]:
        return memo.terms(text, key, chain).positions(stem)

    def word_counts(text: str) -> dict[str, int]:
        return memo.terms(text, key, chain).counts(stem)

    return word_positions if positional else word_counts


def _indexer(field, word_postings: Callable[[str], dict]):
    """``field.index`` computed from the shared analysis of the text."""
    boost = field.format.field_boost
    plain_index = field.index
    positional = type(field.format) is Positions
    encode = field.format.encode if positional else None

    def index(value, **kwargs):
        if not isinstance(value, str) or kwargs:
            yield from plain_index(value, **kwargs)
            return
        for word, postings in word_postings(value).items():
            if positional:
                freq, encoded = len(postings), encode(postings)
            else:
                freq, encoded = postings, pack_uint(postings)  # Frequency's value: the count
            yield word.encode("utf-8"), freq, freq * boost, encoded

    return index


def _stemmed(poses: dict[str, list[int]], stem) -> dict[str, list[int]]:
    """Positions by root: the words of one root merged, in order."""
    merged: dict[str, list[int]] = {}
    for word, poslist in poses.items():
        root = stem(word)
        known = merged.get(root)
        if known is None:
            merged[root] = poslist
        else:
            merged[root] = sorted(known + poslist)
    return merged
