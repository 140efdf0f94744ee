"""Whoosh's view of the one analysis pass: the analyzers the schema's text fields use.

Whoosh asks an analyzer for a stream of its ``Token`` objects (with
positions, offsets, stopwords kept or removed, as the caller wants);
:class:`IndonesianAnalyzer` reads them off :func:`search.analysis.tokens.analyse`
and adds only what Whoosh's own ``StopFilter`` would do to positions: the
first word kept keeps its place and the next ones are renumbered after it.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Analyzer, Token

from search._whoosh.persisted import restore
from search.analysis.abbreviations import abbreviations_in
from search.analysis.names import name_terms
from search.analysis.tokens import Token as AnalysedToken
from search.analysis.tokens import analyse, word_parts


class IndonesianAnalyzer(Analyzer):
    """``stemmed``: the roots, stopwords dropped (``body``); else the words as written, lowercased (``body_exact``)."""

    def __init__(self, stemmed: bool = True):
        self.stemmed = stemmed

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.stemmed == self.stemmed

    def __hash__(self) -> int:
        return hash((type(self), self.stemmed))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(stemmed={self.stemmed})"

    def __reduce__(self):
        # Whoosh pickles the schema into the index: name a module that never moves.
        return restore, ("stemmed_analyzer" if self.stemmed else "exact_analyzer",)

    def __call__(  # noqa: PLR0913 - Whoosh's tokenizer signature
        self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
        removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
        mode: str = "", **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        renumbered = None
        tokens = analyse(value, start_pos, start_char, tokenize)
        if mode == "index" and tokenize:  # what is indexed: the abbreviations of its full forms after its words
            tokens = _with_abbreviations(list(tokens), start_pos)
        for token in tokens:
            pos = token.pos
            if not self.stemmed:
                t.text, t.stopped = token.word, False
            elif token.stem is None:  # a stopword
                if removestops:
                    continue
                t.text, t.stopped = token.word, True
            else:
                t.text, t.stopped = token.stem, False
                renumbered = pos if renumbered is None else renumbered + 1
                pos = renumbered
            if keeporiginal:
                t.original = value[token.start - start_char : token.end - start_char] if tokenize else value
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = token.start, token.end
            yield t


def _with_abbreviations(tokens: list[AnalysedToken], start_pos: int) -> list[AnalysedToken]:
    """``tokens`` and then a token for the abbreviation of each full form they hold (``search.analysis.abbreviations``),
    placed after the last word, its offsets the last word's (no highlight reads them: snippets read the text)."""
    added = abbreviations_in([token.word for token in tokens])
    if not added:
        return tokens
    last = tokens[-1]
    pos = last.pos + 1
    for term in added:
        for part in word_parts(term):
            tokens.append(AnalysedToken(part.word, part.stem, last.start, last.end, pos))
            pos += 1
    return tokens


def indonesian_analyzer() -> IndonesianAnalyzer:
    """For article text: the roots, stopwords dropped."""
    return IndonesianAnalyzer(stemmed=True)


def exact_analyzer() -> IndonesianAnalyzer:
    """For the exact-form fields and names: the words as written, lowercased, stopwords kept.

    Indexed beside the stemmed fields so that ``penarikan`` ranks an article
    saying ``penarikan`` above one saying only ``tarik``, and a name that
    Sastrawi over-stems (``Bekasi -> bekas``) still meets its own spelling.
    Stopwords stay: rare ones (``sejak``, ``antara``, ``belum``) still tell
    texts apart; the ones in most articles are left out of a query by
    ``search.ranking.prune`` rather than at indexing.
    """
    return IndonesianAnalyzer(stemmed=False)


class NamesAnalyzer(Analyzer):
    """For the ``names`` field: the runs of capitalised words an article's body holds and their evidence
    (:func:`search.analysis.names.name_terms`), one term each."""

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __reduce__(self):
        return restore, ("names_analyzer",)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,  # noqa: PLR0913
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost, t.stopped = 1.0, False
        for pos, term in enumerate(name_terms(value) if tokenize else [value]):
            t.text = term
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t


def names_analyzer() -> NamesAnalyzer:
    """For the ``names`` field (``search.index.name_learning`` learns from it)."""
    return NamesAnalyzer()
