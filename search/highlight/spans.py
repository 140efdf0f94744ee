"""Snippets: the part of a text around the matched words, as plain text and the spans of the matches.

The text is read by the one analysis pass (``search.analysis.tokens``), so
``mengusir`` in the article is marked for a query of ``pengusiran`` (both
are ``usir``), and the mark covers the word as it is written. What comes
out is a :class:`Highlighted`: text and spans, plain data. Rendering it is the
job of what shows it: HTML (escaped, matches in ``<mark>``) by ``marked_html``
(``search.json_shape``: the JSON API's snippets, and the web's pages through
``web.render``), terminal text in ``search.cli.render``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from search.analysis.stemmer import shared_stemmer
from search.analysis.tokens import REMEMBERED_RUN_CHARS, RunPart, run_parts, text_runs
from search.query.parsed import TermMatcher

SNIPPET_CHARS = 240
Span = tuple[int, int]


@dataclass(frozen=True)
class Highlighted:
    """A text to show and the character spans in it that matched the query."""

    text: str
    spans: tuple[Span, ...] = ()

    def pieces(self) -> Iterator[tuple[str, bool]]:
        """The text in order as (piece, is a match): what a renderer (HTML, terminal) walks."""
        pos = 0
        for start, end in self.spans:
            yield self.text[pos:start], False
            yield self.text[start:end], True
            pos = end
        yield self.text[pos:], False

    def to_dict(self) -> dict:
        """``{"text": ..., "spans": [[start, end], ...]}``: character offsets of the matches."""
        return {"text": self.text, "spans": [list(span) for span in self.spans]}

    def __str__(self) -> str:
        return self.text


def match_spans(text: str, matcher: TermMatcher) -> list[Span]:
    """Character spans of the words in ``text`` whose root matches."""
    if not matcher:
        return []
    # The text's runs (the pieces between spaces), and which of them hold a
    # match, by set operations (C loops): a text repeats most of its runs, and
    # a page of results most of the index's. Where the runs that match stand
    # is found by searching the text for them (``_places``), so Python
    # touches only those.
    forms = word_forms()
    distinct = None if forms.knows(text) else _may_match(text, matcher)
    if distinct is None:
        distinct = set(text_runs(text))
        forms.learn(distinct, text)
    else:
        forms.learn(distinct)
    if not distinct:
        return []
    wanted = forms.matching(distinct, matcher)
    if max(map(len, distinct)) > REMEMBERED_RUN_CHARS:  # long runs (URLs, unspaced text) are read each time
        wanted |= {run for run in distinct if len(run) > REMEMBERED_RUN_CHARS and _wants(matcher, run_parts(run))}
    if not wanted:
        return []
    found: list[tuple[int, int, RunPart]] = []
    for start, run in sorted(_places(text, wanted)):
        parts = forms.parts.get(run) or run_parts(run)
        found.extend((start + part.start, start + part.end, part) for part in parts if matcher.wants(part.stem, part.word))
    if matcher.free_terms is not None:  # some words are a phrase's (or a quoted word's root): not alone
        return _in_phrases(text, found, matcher)
    return [(start, end) for start, end, _ in found]


_WORD_CHAR = re.compile(r"\w")


def _in_phrases(text: str, found: list[tuple[int, int, RunPart]], matcher: TermMatcher) -> list[Span]:
    """The spans of ``found`` to mark: a word asked for alone wherever it stands, a phrase's word only where
    the phrase stands (its words one after the other, nothing but spaces and punctuation between them; a
    phrase of roots passes over the stopwords between them, as the index's phrase does)."""
    keep = [matcher.alone(part.stem, part.word) for _, _, part in found]
    chain = 0  # where the run of matches next to each other began
    for at in range(len(found) + 1):
        if at < len(found) and (at == chain or not _WORD_CHAR.search(text, found[at - 1][1], found[at][0])):
            continue
        parts = [part for _, _, part in found[chain:at]]
        for first in range(len(parts)):
            for roots, words in matcher.phrases:
                length = _phrase_at(parts, first, roots, words)
                if length:
                    keep[chain + first : chain + first + length] = [True] * length
        chain = at
    return [(start, end) for (start, end, _), kept in zip(found, keep, strict=True) if kept]


def _phrase_at(parts: list[RunPart], first: int, roots: bool, words: tuple[str, ...]) -> int:
    """How many of ``parts`` from ``first`` the phrase ``words`` takes (0: it is not there)."""
    at = first
    for word in words:
        while roots and at > first and at < len(parts) and parts[at].stem is None:
            at += 1  # a stopword between the roots
        if at >= len(parts) or (parts[at].stem if roots else parts[at].word) != word:
            return 0
        at += 1
    return at - first


def _places(text: str, runs: set[str]) -> Iterator[tuple[int, str]]:
    """(where it starts, run) of each place ``text`` holds one of ``runs`` as a whole run (``text_runs``: between
    spaces or the text's ends): ``str.find`` (a C loop) from one to the next, not a look at every run."""
    for run in runs:
        at = text.find(run)
        while at >= 0:
            end = at + len(run)
            if (at == 0 or text[at - 1] == " ") and (end == len(text) or text[end] == " "):
                yield at, run
                at = text.find(run, end + 1)
            else:
                at = text.find(run, at + 1)


def _may_match(text: str, matcher: TermMatcher) -> set[str] | None:
    """The runs of ``text`` that may hold a part ``matcher`` wants (at least all that do); None: every run.

    Analysing a run not seen before (its words' roots) was most of a
    snippet's time at 1,000,000 articles, whose new names and forms keep
    coming (5-6 ms a page). A root is in the word it comes from but for its
    first letter (``pukul`` in ``memukul``; Sastrawi's prefixes change only
    that one), or is a correction's (``stem_exceptions``); a written form is
    in the text as it is. So only the runs holding one of those pieces
    (lowercased) are analysed, and those with a character that is not
    ASCII (a letter that folds, ``é``) whatever they hold.
    """
    pieces = _pieces(matcher)
    lowered = text.lower()
    if pieces is None or len(lowered) != len(text):
        return None
    starts = [found.start() for found in pieces.finditer(lowered)]
    if not text.isascii():  # a run with a letter that folds (café) or a curly quote is analysed whatever it holds
        starts += [found.start() for found in _NOT_ASCII.finditer(text)]
    return {_run_at(text, start) for start in starts}


def _run_at(text: str, at: int) -> str:
    """The run (``text_runs``: the text between spaces) holding character ``at``."""
    end = text.find(" ", at)
    return text[text.rfind(" ", 0, at) + 1 : end if end >= 0 else len(text)]


@functools.lru_cache(maxsize=256)
def _pieces(matcher: TermMatcher) -> re.Pattern | None:
    """What a run must hold to hold a part ``matcher`` wants (``_may_match``), as one pattern; None: not known.

    A root as it is, or but for its first letter after a letter a prefix
    recodes it to (``meN-``: m, n, ng, ny) or an infix ends in (``-el-``,
    ``-em-``, ``-er-``): ``pukul`` in ``memukul``, ``rawan`` in ``relawan``
    (every one of the 2.3 million words of the 1,000,000-article archive
    holds its root so); a correction's word (``bekasi``); a written form.
    A root opening with a vowel is in its words as it is (a prefix before a
    vowel adds a letter, ``meng-``, and drops none; infixes go after a first
    consonant): so is every such root of the 2.3 million. Its piece but for
    the first letter (``[glmnry]kan`` for ``akan``) would send every run
    ending in ``-nkan`` to be analysed.
    """
    if matcher.patterns:
        return None
    corrected = corrections()
    pieces = {re.escape(word) for word in matcher.words}
    for term in matcher.terms:
        pieces |= {re.escape(term), *map(re.escape, corrected.get(term, ()))}
        if len(term) > 1 and term[0] not in _VOWELS:
            pieces.add(f"[{_RECODED}]{re.escape(term[1:])}")
    if not pieces or "" in pieces or not all(piece.isascii() for piece in pieces):
        return None
    return re.compile("|".join(sorted(pieces)))


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# The letters before a root's first letter is dropped: meN-'s (m, n, ng, ny) and the infixes' (-el-, -em-, -er-).
_RECODED = "glmnry"
_VOWELS = frozenset("aeiou")


@functools.lru_cache(maxsize=1)
def corrections() -> dict[str, list[str]]:
    """The words the stemmer's table of corrections gives each root (``bekas``: ``bekasi``)."""
    found: dict[str, list[str]] = {}
    for word, root in shared_stemmer().exceptions.items():
        found.setdefault(root, []).append(word)
    return found


def _wants(matcher: TermMatcher, parts: tuple[RunPart, ...]) -> bool:
    return any(matcher.wants(part.stem, part.word) for part in parts)


class WordForms:
    """The roots the analysis pass gives each distinct run of text as written, both ways round."""

    def __init__(self) -> None:
        self.parts: dict[str, tuple[RunPart, ...]] = {}  # run as written -> its word parts
        self.writers: dict[str, set[str]] = {}  # root -> the runs with a part of that root
        self.spellers: dict[str, set[str]] = {}  # a part as written (lowercased) -> the runs with it
        self.texts: set[tuple[int, int]] = set()  # (length, hash) of the texts whose runs are all learnt

    def learn(self, runs: set[str], text: str | None = None) -> None:
        """Analyse the runs not seen before (all of them again past ``FORMS_LIMIT``).

        ``runs`` are those of ``text``, if given: a text learnt before is
        not looked through again. Results pages repeat articles (IndoSum's
        3,463 sentences show 34,630 hits of 3,463 articles), and finding the
        new runs among those learnt, each a lookup in a large dictionary,
        was a tenth of a sentence query's time.
        """
        if len(self.parts) > FORMS_LIMIT:
            self.parts.clear()
            self.writers.clear()
            self.spellers.clear()
            self.texts.clear()
        key = None if text is None else (len(text), hash(text))
        if key is not None and key in self.texts:
            return
        for run in runs.difference(self.parts):
            if len(run) > REMEMBERED_RUN_CHARS:
                continue  # not kept: a text without spaces would be kept whole
            parts = self.parts[run] = run_parts(run)
            for part in parts:
                if part.stem is not None:
                    self.writers.setdefault(part.stem, set()).add(run)
                self.spellers.setdefault(part.word, set()).add(run)
        if key is not None:
            if len(self.texts) > TEXTS_LIMIT:
                self.texts.clear()
            self.texts.add(key)

    def knows(self, text: str) -> bool:
        """Whether every run of ``text`` is learnt (``learn`` was given the text)."""
        return (len(text), hash(text)) in self.texts

    def matching(self, runs: set[str], matcher: TermMatcher) -> set[str]:
        """Those of ``runs`` (already learnt, long ones left out) with a part the matcher wants."""
        if matcher.patterns:
            return {run for run in runs if run in self.parts and _wants(matcher, self.parts[run])}
        found: set[str] = set()
        for term in matcher.terms:
            found.update(runs.intersection(self.writers.get(term, ())))
        for word in matcher.words:
            found.update(runs.intersection(self.spellers.get(word, ())))
        return found


FORMS_LIMIT = 200_000  # distinct runs remembered (a few tens of MB at most)
TEXTS_LIMIT = 100_000  # texts remembered as learnt (~10 MB)
_forms: WordForms | None = None


def word_forms() -> WordForms:
    """The remembered analysis of runs as written: a run gives the same roots wherever it stands."""
    global _forms
    if _forms is None:
        _forms = WordForms()
    return _forms


def forget_word_forms() -> None:
    """Forget the remembered analysis of runs (the next snippet starts learning them afresh)."""
    global _forms
    _forms = None


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


def snippet(text: str, matcher: TermMatcher, size: int = SNIPPET_CHARS) -> Highlighted:
    """About ``size`` characters of ``text`` around the best matches, spaces collapsed, ``…`` where cut.

    Without matches (an article found by its title only) it is the lead.
    """
    spans = match_spans(text, matcher)
    # Start a little before the first match so it has some context.
    anchor = max(0, best_window(spans, size) - size // 5) if spans else 0
    start = _word_boundary(text, anchor, backwards=True)
    end = _word_boundary(text, min(len(text), start + size), backwards=False)
    pieces: list[tuple[str, bool]] = []  # (text, is a match), in order; matches hold no spaces
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        pieces += [(text[pos:s], False), (text[s:e], True)]
        pos = e
    pieces.append((text[pos:end], False))
    pieces = [(_SPACES.sub(" ", piece) if not matched else piece, matched) for piece, matched in pieces]
    pieces[0] = (pieces[0][0].lstrip(), pieces[0][1]) if not pieces[0][1] else pieces[0]
    pieces[-1] = (pieces[-1][0].rstrip(), pieces[-1][1]) if not pieces[-1][1] else pieces[-1]
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return _joined(pieces)


def whole(text: str, matcher: TermMatcher) -> Highlighted:
    """The whole text with every match (titles, article pages)."""
    return Highlighted(text, tuple(match_spans(text, matcher)))


_SPACES = re.compile(r"\s+")


def _joined(pieces: list[tuple[str, bool]]) -> Highlighted:
    text, spans, at = [], [], 0
    for piece, matched in pieces:
        if matched:
            spans.append((at, at + len(piece)))
        text.append(piece)
        at += len(piece)
    return Highlighted("".join(text), tuple(spans))


def _word_boundary(text: str, index: int, backwards: bool) -> int:
    if index <= 0 or index >= len(text):
        return max(0, min(index, len(text)))
    step = -1 if backwards else 1
    limit = 30
    while 0 < index < len(text) and not text[index - 1].isspace() and limit:
        index += step
        limit -= 1
    return index
