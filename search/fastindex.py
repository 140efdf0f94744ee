"""Each text analysed once for every field that indexes it, for the indexing workers.

The schema indexes an article's body twice -- stemmed (``body``) and as
written (``body_exact``) -- and likewise its title. The two analyzers share
everything but the last steps (tokenize, lowercase, split hyphens, then drop
stopwords and stem, or not), so running both chains in full does the
costliest Python work twice. :func:`fast_schema` gives the indexing workers
a copy of the schema whose text fields (with positions or frequencies) run
the shared part of their chain once per text (the result is kept until the
next text comes; the stemmed and exact chains come out of one loop over the
tokens), and map each distinct word through the stemmer, not each
occurrence. Each such field gets ``word_positions(text)`` (``{term:
positions}``, what ``segwriter.PerTermSegmentWriter`` reads) and an
``index`` built on it.

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
from collections import defaultdict
from collections.abc import Callable

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, StopFilter
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from .analysis import (
    HyphenFilter,
    IndonesianStemFilter,
    IndonesianTokenizer,
    is_reduplication,
)


class _LastText:
    """``word -> positions`` of the last text, for each distinct analysis chain."""

    def __init__(self):
        self.text: str | None = None
        self.results: dict[int, dict[str, list[int]]] = {}

    def positions(self, text: str, key: int, chain: Callable[[str], dict[int, dict]]) -> dict[str, list[int]]:
        if text != self.text:  # `is` first: the stemmed and exact fields get one str object
            self.text, self.results = text, {}
        poses = self.results.get(key)
        if poses is None:
            self.results.update(chain(text))  # every chain's result the analysis gave
            poses = self.results[key]
        return poses


def _chain_positions(chain: CompositeAnalyzer) -> Callable[[str], dict[str, list[int]]]:
    """``text -> {word: positions}`` as the chain's tokens give them (Positions.word_values)."""
    direct = _direct_positions(chain.items)
    if direct is not None:
        return direct

    def positions(text: str) -> dict[str, list[int]]:
        poses = defaultdict(list)
        for token in chain(text, positions=True, boosts=True, mode="index"):
            if not token.stopped:
                poses[token.text].append(token.pos)
        return poses

    return positions


def _direct_positions(steps: list) -> Callable[[str], dict[str, list[int]]] | None:
    """Cari's text chain without the generator per step, or None for any other chain.

    ``IndonesianTokenizer | LowercaseFilter | HyphenFilter [| StopFilter]`` in
    one loop over the tokenizer's matches: a token is lowercased, a
    hyphenated one that is not a reduplication split into parts (each a
    position, the later tokens shifted), stopwords dropped and the kept
    tokens renumbered from the first as ``StopFilter(renumber=True)`` does.
    The steps' own settings (pattern, stoplist, sizes) are used;
    ``tests/test_fastindex.py`` checks the result against the chain itself.
    """
    loop = _direct_loop(steps, also_unstopped=False)
    return None if loop is None else lambda text: loop(text)[0]


def _direct_loop(steps: list, also_unstopped: bool):
    """``text -> (positions, positions before the StopFilter or None)`` for :func:`_direct_positions`.

    With ``also_unstopped``, the same loop also gives the chain without its
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

    def positions(text: str) -> tuple[dict[str, list[int]], dict[str, list[int]] | None]:
        poses = defaultdict(list)
        every = defaultdict(list) if also_unstopped else None
        pos = None
        shift = 0
        for index, raw in enumerate(findall(text)):
            word = raw.lower()
            if "-" in word and not is_reduplication(word):
                parts = word.split("-")
                base = index + shift
                shift += len(parts) - 1
                tokens = [(part, base + i) for i, part in enumerate(parts)]
            else:
                tokens = ((word, index + shift),)
            for word, at in tokens:
                if every is not None:
                    every[word].append(at)
                if len(word) >= minsize and (maxsize is None or len(word) <= maxsize) and word not in stoplist:
                    pos = at if pos is None else pos + 1
                    poses[word].append(pos)
        return poses, every

    return positions


def _analyses(chains: list[list]) -> list[Callable[[str], dict[int, dict]]]:
    """Per chain, ``text -> {chain index: {word: positions}}`` for it and any chain it also computes.

    A chain that is another plus a StopFilter (the stemmed fields' and the
    exact fields') runs as one loop giving both.
    """
    found: list = [None] * len(chains)
    for stopped, steps in enumerate(chains):
        if steps[:-1] in chains and isinstance(steps[-1], StopFilter):
            loop = _direct_loop(steps, also_unstopped=True)
            if loop is not None:
                found[stopped] = found[chains.index(steps[:-1])] = _keyed(loop, stopped, chains.index(steps[:-1]))
    for key, steps in enumerate(chains):
        if found[key] is None:
            one = _chain_positions(CompositeAnalyzer(*steps))
            found[key] = _keyed(lambda text, one=one: (one(text), None), key, None)
    return found


def _keyed(loop, key: int, unstopped_key: int | None) -> Callable[[str], dict[int, dict]]:
    """``loop``'s (positions, unstopped positions) as ``{chain index: positions}``."""

    def analyse(text: str) -> dict[int, dict]:
        poses, every = loop(text)
        return {key: poses} if unstopped_key is None else {key: poses, unstopped_key: every}

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
        twin.word_positions = _word_positions(memo, key, analyses[key], stem)
        twin.index = _indexer(field, twin.word_positions)
        fast._fields[name] = twin
    return fast


def _word_positions(memo: _LastText, key: int, chain: Callable[[str], dict], stem) -> Callable[[str], dict]:
    """``text -> {term: positions}`` of one field (stemmed if it stems), from the shared analysis."""

    def word_positions(text: str) -> dict[str, list[int]]:
        poses = memo.positions(text, key, chain)
        return poses if stem is None else _stemmed(poses, stem)

    return word_positions


def _indexer(field, word_positions: Callable[[str], dict]):
    """``field.index`` computed from the shared analysis of the text."""
    boost = field.format.field_boost
    plain_index = field.index
    positional = type(field.format) is Positions
    encode = field.format.encode if positional else pack_uint  # Frequency's value: the count

    def index(value, **kwargs):
        if not isinstance(value, str) or kwargs:
            yield from plain_index(value, **kwargs)
            return
        for word, poslist in word_positions(value).items():
            freq = len(poslist)
            yield word.encode("utf-8"), freq, freq * boost, encode(poslist if positional else freq)

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
