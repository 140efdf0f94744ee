"""Snippets: the part of a text around the matched words, as safe HTML.

The text is run through the same analyzer as the index, so ``mengusir`` in
the article is marked for a query of ``pengusiran`` (both are ``usir``), and
the mark covers the word as it is written. Everything is HTML-escaped; the
only markup added is ``<mark>``.
"""

from __future__ import annotations

import fnmatch
import html
import itertools
import re
from dataclasses import dataclass

from whoosh.analysis import LowercaseFilter, StopFilter

from search.analysis.chain import HyphenFilter, IndonesianStemFilter, IndonesianTokenizer, hyphen_parts

SNIPPET_CHARS = 240


@dataclass(frozen=True)
class TermMatcher:
    """Decides whether an analysed token is one the query asked for."""

    terms: frozenset[str]
    patterns: tuple[re.Pattern, ...] = ()

    @classmethod
    def from_terms(cls, terms) -> TermMatcher:
        """From query terms; ``kazak*`` style wildcards become patterns."""
        plain, patterns = set(), []
        for term in terms:
            if "*" in term or "?" in term:
                patterns.append(re.compile(fnmatch.translate(term)))
            else:
                plain.add(term)
        return cls(frozenset(plain), tuple(patterns))

    def __call__(self, token: str) -> bool:
        return token in self.terms or any(p.match(token) for p in self.patterns)

    def __bool__(self) -> bool:
        return bool(self.terms or self.patterns)


def match_spans(text: str, matcher: TermMatcher, analyzer) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` whose analysed form matches."""
    if not matcher:
        return []
    forms = _word_forms(analyzer)
    if forms is None:  # a chain with steps that look beyond one word: analyse it all
        return [(t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="query") if matcher(t.text)]
    # The words, and which of them match, by set operations (C loops): a text
    # repeats most of its words, and a page of results most of the index's.
    # Split on the tokenizer's pattern, the text is [gap, token, gap, ...,
    # gap]: where each token starts is a running sum of the pieces' lengths,
    # also a C loop, so Python touches only the tokens that match.
    pieces = forms.splitter.split(text)
    tokens = pieces[1::2]
    distinct = set(tokens)
    forms.learn(distinct, text)
    wanted = forms.matching(distinct, matcher)
    spans: list[tuple[int, int]] = []
    if not wanted:
        return spans
    ends = list(itertools.accumulate(map(len, pieces)))  # token i starts at ends[2 * i]
    for index in [index for index, token in enumerate(tokens) if token in wanted]:
        start = ends[2 * index]
        spans.extend((start + s, start + e) for term, s, e in forms.parts[tokens[index]] if matcher(term))
    return spans


class WordForms:
    """What a word-by-word analyzer makes of each distinct word as written, both ways round."""

    def __init__(self, analyzer):
        self.analyzer = analyzer
        expression = analyzer.items[0].expression
        self.splitter = re.compile(f"({expression.pattern})", expression.flags)  # tokens kept between the gaps
        self.parts: dict[str, tuple] = {}  # word as written -> ((term, start, end), ...)
        self.writers: dict[str, set[str]] = {}  # term -> the words as written that give it
        self._parts_of = _direct_word_parts(analyzer.items) or self._chain_parts
        self.texts: set[tuple[int, int]] = set()  # (length, hash) of the texts whose words are all learnt

    def learn(self, words: set[str], text: str | None = None) -> None:
        """Analyse the words not seen before (all of them again past ``_FORMS_LIMIT``).

        ``words`` are those of ``text``, if given: a text learnt before is
        not looked through again. Results pages repeat articles (IndoSum's
        3,463 sentences show 34,630 hits of 3,463 articles), and finding the
        new words among those learnt, each a lookup in a large dictionary,
        was a tenth of a sentence query's time.
        """
        if len(self.parts) > _FORMS_LIMIT:
            self.parts.clear()
            self.writers.clear()
            self.texts.clear()
        key = None if text is None else (len(text), hash(text))
        if key is not None and key in self.texts:
            return
        for word in words.difference(self.parts):
            parts = self.parts[word] = self._parts_of(word)
            for term, _, _ in parts:
                self.writers.setdefault(term, set()).add(word)
        if key is not None:
            if len(self.texts) > _TEXTS_LIMIT:
                self.texts.clear()
            self.texts.add(key)

    def _chain_parts(self, word: str) -> tuple:
        return tuple((t.text, t.startchar, t.endchar) for t in self.analyzer(word, chars=True, mode="query"))

    def matching(self, words: set[str], matcher: TermMatcher) -> set[str]:
        """Those of ``words`` (already learnt) with a part the matcher wants."""
        if matcher.patterns:
            return {word for word in words if any(matcher(term) for term, _, _ in self.parts[word])}
        found: set[str] = set()
        for term in matcher.terms:
            found.update(words.intersection(self.writers.get(term, ())))
        return found


def _direct_word_parts(steps: list):
    """``word -> ((term, start, end), ...)`` for Cari's text chain without its generators; None for any other.

    The first words of a page of results are mostly new to :class:`WordForms`,
    and running each through five generators was a tenth of a sentence
    query's time. The word is a token as written (the tokenizer gives it
    back whole); it is lowercased, split at hyphens unless it is a
    reduplication (the parts' places counted in the lowercased word, as
    ``HyphenFilter`` does), stopwords dropped and the rest stemmed, with the
    steps' own settings. ``tests/test_snippets_fast.py`` compares it with the chain.
    """
    if [type(step) for step in steps] != [IndonesianTokenizer, LowercaseFilter, HyphenFilter, StopFilter,
                                          IndonesianStemFilter]:
        return None
    stop, stem = steps[3], steps[4].stemmer.stem
    stoplist, minsize, maxsize = stop.stops, stop.min, stop.max

    def parts_of(word: str) -> tuple:
        lowered = word.lower()
        parts = hyphen_parts(lowered)
        if parts is None:
            pieces = [(lowered, 0, len(word))]
        else:
            pieces, offset = [], 0
            for part in parts:
                pieces.append((part, offset, offset + len(part)))
                offset += len(part) + 1
        return tuple(
            (stem(part), start, end) for part, start, end in pieces
            if len(part) >= minsize and (maxsize is None or len(part) <= maxsize) and part not in stoplist
        )

    return parts_of


# Steps that turn one token into zero or more tokens by looking at it alone.
_PER_WORD_STEPS = (LowercaseFilter, HyphenFilter, StopFilter, IndonesianStemFilter)
_FORMS_LIMIT = 200_000  # distinct words remembered (a few tens of MB at most)
_TEXTS_LIMIT = 100_000  # texts remembered as learnt (~10 MB)
_forms: WordForms | None = None


def _word_forms(analyzer) -> WordForms | None:
    """The remembered analysis of words as written, for an analyzer that works word by word.

    Such a chain gives a word the same terms wherever it stands, so each
    distinct word is analysed once (the stemmer caches roots, but the chain
    of generators costs more than the stem): a page of snippets repeats most
    of its words, and a 50 MB article has far fewer distinct words than
    tokens. None for any other chain (``match_spans`` then analyses the whole
    text, as the index did).
    """
    global _forms
    if _forms is None or _forms.analyzer is not analyzer:
        items = getattr(analyzer, "items", None)
        if not items or type(items[0]) is not IndonesianTokenizer or items[0].gaps or items[0].expression.groups:
            return None
        if not all(isinstance(step, _PER_WORD_STEPS) for step in items[1:]):
            return None
        _forms = WordForms(analyzer)
    return _forms


def best_window(spans: list[tuple[int, int]], size: int) -> int:
    """Start of the ``size``-character window holding the most distinct matches."""
    best_start, best_count = 0, -1
    right = 0
    for left, (start, _) in enumerate(spans):
        while right < len(spans) and spans[right][1] <= start + size:
            right += 1
        count = right - left
        if count > best_count:
            best_start, best_count = start, count
    return best_start


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` escaped, with the spans inside it wrapped in ``<mark>``."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlight_snippet(text: str, matcher: TermMatcher, analyzer, size: int = SNIPPET_CHARS) -> str:
    """An HTML snippet of about ``size`` characters around the best matches.

    Without matches (an article found by its title only) it is the lead.
    """
    spans = match_spans(text, matcher, analyzer)
    # Start a little before the first match so it has some context.
    anchor = max(0, best_window(spans, size) - size // 5) if spans else 0
    start = _word_boundary(text, anchor, backwards=True)
    end = _word_boundary(text, min(len(text), start + size), backwards=False)
    snippet = mark(text, spans, start, end)
    snippet = re.sub(r"\s+", " ", snippet).strip()
    if start > 0:
        snippet = "…" + snippet
    if end < len(text):
        snippet += "…"
    return snippet


def highlight_all(text: str, matcher: TermMatcher, analyzer) -> str:
    """The whole text, escaped, with every match marked (titles, article pages)."""
    return mark(text, match_spans(text, matcher, analyzer))


def _word_boundary(text: str, index: int, backwards: bool) -> int:
    if index <= 0 or index >= len(text):
        return max(0, min(index, len(text)))
    step = -1 if backwards else 1
    limit = 30
    while 0 < index < len(text) and not text[index - 1].isspace() and limit:
        index += step
        limit -= 1
    return index
