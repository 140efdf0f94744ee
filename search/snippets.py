"""Snippets: the part of a text around the matched words, as safe HTML.

The text is run through the same analyzer as the index, so ``mengusir`` in
the article is marked for a query of ``pengusiran`` (both are ``usir``), and
the mark covers the word as it is written. Everything is HTML-escaped; the
only markup added is ``<mark>``.
"""

from __future__ import annotations

import fnmatch
import html
import re
from dataclasses import dataclass

from whoosh.analysis import LowercaseFilter, StopFilter

from .analysis import HyphenFilter, IndonesianStemFilter, IndonesianTokenizer

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
    spans = []
    # The matcher's set, tested inline: this loop runs once per word of the text.
    terms, patterns = matcher.terms, matcher.patterns
    for m in analyzer.items[0].expression.finditer(text):
        word = m.group()
        parts = forms.get(word)
        if parts is None:
            parts = forms[word] = tuple(
                (t.text, t.startchar, t.endchar) for t in analyzer(word, chars=True, mode="query")
            )
        for term, start, end in parts:
            if term in terms or (patterns and matcher(term)):
                offset = m.start()
                spans.append((offset + start, offset + end))
    return spans


# Steps that turn one token into zero or more tokens by looking at it alone.
_PER_WORD_STEPS = (LowercaseFilter, HyphenFilter, StopFilter, IndonesianStemFilter)
_FORMS_LIMIT = 200_000  # distinct words remembered (a few tens of MB at most)
_forms: tuple = (None, {})


def _word_forms(analyzer) -> dict | None:
    """``word as written -> its analysed parts``, for an analyzer that works word by word.

    Such a chain gives a word the same terms wherever it stands, so each
    distinct word is analysed once (the stemmer caches roots, but the chain
    of generators costs more than the stem): a page of snippets repeats most
    of its words, and a 50 MB article has far fewer distinct words than
    tokens. None for any other chain (``match_spans`` then analyses the whole
    text, as the index did).
    """
    global _forms
    owner, forms = _forms
    if owner is not analyzer:
        items = getattr(analyzer, "items", None)
        if not items or type(items[0]) is not IndonesianTokenizer or items[0].gaps:
            return None
        if not all(isinstance(step, _PER_WORD_STEPS) for step in items[1:]):
            return None
        forms = {}
        _forms = (analyzer, forms)
    if len(forms) > _FORMS_LIMIT:
        forms.clear()
    return forms


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
