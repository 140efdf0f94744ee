"""The one Indonesian token pass: every stage's definition of a word, its place and its root.

Read as a Lucene or Whoosh chain, each step a small function::

    TOKEN.finditer(text)       words, hyphenated words, numbers with separators
      -> str.lower             (``Anak-anak`` -> ``anak-anak``)
      -> fold                  diacritics dropped (``Erdoğan`` -> ``erdogan``)
      -> hyphen_parts          a reduplication stays one word; ``nur-sultan`` -> ``nur``, ``sultan``
      -> stopwords()           a stopword has no root (the exact-form fields keep it)
      -> shared_stemmer().stem Sastrawi, corrections, clitics

:func:`analyse` runs it and yields a :class:`Token` per word part. Indexing
(:func:`index_words`, the same steps without offsets, in list operations),
querying (``search._whoosh.analyzers``, Whoosh's view of this pass), snippets
and the question re-rank (:func:`run_parts`, a run between spaces at a time)
all read it; ``tests/analysis/test_analysis.py`` checks with Hypothesis that the views agree.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from search.analysis.stemmer import shared_stemmer
from search.analysis.wordlists import stopwords

# A number with thousands/decimal separators (2.500, 43,5, 6/10/2022 is three
# tokens on purpose), or a word, possibly hyphenated (anak-anak, Covid-19).
TOKEN_PATTERN = r"\d+(?:[.,]\d+)+|\w+(?:-\w+)*"
TOKEN = re.compile(TOKEN_PATTERN)
_ALPHA = re.compile(r"^[^\W\d_]+$")
_HYPHENATED = re.compile(r"\w-\w")


class Token(NamedTuple):
    """One word part of a text, as the index sees it."""

    word: str  # lowercased: the exact-form fields' term
    stem: str | None  # its root: the stemmed fields' term; None for a stopword
    start: int  # character offsets in the text (of the lowercased word's part)
    end: int
    pos: int  # the part's place among all the text's parts (stopwords counted)


def is_reduplication(word: str) -> bool:
    """True for ``anak-anak``, ``berlari-lari``, ``besar-besaran``, ``orang-orangnya``.

    Indonesian doubles a word to make a plural or an intensive; the doubled
    form means the root, so it must meet the same index term.
    """
    parts = word.split("-")
    if len(parts) != 2 or not all(_ALPHA.match(p) for p in parts):
        return False
    first, second = parts
    return (
        first == second
        or first.endswith(second)  # berlari-lari
        or second.startswith(first)  # besar-besaran, orang-orangnya
    )


def hyphen_parts(word: str) -> list[str] | None:
    """The parts a hyphenated lowercased word is split into (``nur-sultan``), or None: no hyphen, or a reduplication.

    ``Nur-Sultan`` must be found by ``Sultan`` and ``Covid-19`` by ``covid``,
    so compounds become consecutive words (phrases still match).
    """
    if "-" not in word or is_reduplication(word):
        return None
    return word.split("-")


def is_stopword(word: str) -> bool:
    """Whether a lowercased word part is dropped from the stemmed fields (an empty part is too)."""
    return not word or word in stopwords()


@lru_cache(maxsize=4096)
def _folded_letter(letter: str) -> str:
    """``ğ`` -> ``g``, ``é`` -> ``e``: the letter without its accents, if that is one letter."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
    return bare if len(bare) == 1 else letter


def fold(word: str) -> str:
    """``word`` without diacritics (``erdoğan`` -> ``erdogan``, ``café`` -> ``cafe``), as long as it was.

    Names reach Indonesian news spelt both ways; the length is kept so that
    the offsets of a word part stay those of the text.
    """
    return word if word.isascii() else "".join(map(_folded_letter, word))


def _split(token: str) -> list[tuple[str, int, int]]:
    """A token's lowercased, folded parts with their offsets (a split token's counted in its lowercased form)."""
    lowered = fold(token.lower())
    parts = hyphen_parts(lowered)
    if parts is None:
        return [(lowered, 0, len(token))]
    found, offset = [], 0
    for part in parts:
        found.append((part, offset, offset + len(part)))
        offset += len(part) + 1
    return found


class WordPart(NamedTuple):
    """What the pass makes of one part of a token, offsets relative to the token."""

    word: str
    stem: str | None
    start: int
    end: int


_PARTS: dict[str, tuple[WordPart, ...]] = {}
_PARTS_LIMIT = 500_000  # distinct tokens remembered (news repeats most of its words)


def word_parts(token: str) -> tuple[WordPart, ...]:
    """The parts of one token as written (a match of :data:`TOKEN`), each with its root; remembered."""
    found = _PARTS.get(token)
    if found is None:
        stem = shared_stemmer().stem
        found = tuple(
            WordPart(part, None if is_stopword(part) else stem(part), start, end)
            for part, start, end in _split(token)
        )
        if len(_PARTS) > _PARTS_LIMIT:
            _PARTS.clear()
        _PARTS[token] = found
    return found


class RunPart(NamedTuple):
    """A word part of a run of text between spaces: as written, lowercased, its root, offsets in the run."""

    text: str  # as the text writes it
    word: str  # lowercased and folded (the exact-form fields' term)
    stem: str | None  # its root; None for a stopword
    start: int  # character offsets within the run
    end: int


_RUNS: dict[str, tuple[RunPart, ...]] = {}
REMEMBERED_RUN_CHARS = 64  # longer runs (URLs, text without spaces) are not remembered
# Runs remembered: ~450 bytes each with their parts, so at most ~90 MB (IndoSum's 3,463 articles hold 103,526).
_RUNS_LIMIT = 200_000


def run_parts(run: str) -> tuple[RunPart, ...]:
    """The word parts of ``run``, a piece of text without a space (``Jakarta,``), in order; remembered.

    No token holds a space, so a text's tokens are its runs' tokens, each run
    tokenised on its own: a whole article is then ``str.split(" ")`` (a C
    call) and a lookup per run, where the token pattern over all its
    characters cost ~0.1 µs a character (200 µs an IndoSum article).
    """
    found = _RUNS.get(run)
    if found is None:
        found = tuple(
            RunPart(token[part.start : part.end], part.word, part.stem, at + part.start, at + part.end)
            for token, at in ((m.group(), m.start()) for m in TOKEN.finditer(run))
            for part in word_parts(token)
        )
        if len(run) <= REMEMBERED_RUN_CHARS:
            if len(_RUNS) > _RUNS_LIMIT:
                _RUNS.clear()
            _RUNS[run] = found
    return found


def text_runs(text: str) -> list[str]:
    """``text`` cut at each space: the runs :func:`run_parts` reads (their offsets: lengths plus one space each)."""
    return text.split(" ")


def written_words(text: str) -> list[RunPart]:
    """Every word part of ``text`` in order, as written and with its root (offsets within each run).

    :func:`analyse` without the text's offsets, for reading whole articles
    (the question re-rank reads a question's ten best for every question).
    """
    return list(chain.from_iterable(map(run_parts, text_runs(text))))


def analyse(text: str, start_pos: int = 0, start_char: int = 0, tokenize: bool = True) -> Iterator[Token]:
    """Every word part of ``text`` in order: lowercased, its root (None for a stopword), offsets, place.

    ``tokenize=False`` takes the whole text as one token (Whoosh asks this
    for the text of a prefix or wildcard query).
    """
    pos = start_pos
    matches = ((m.group(), m.start()) for m in TOKEN.finditer(text)) if tokenize else iter([(text, 0)])
    for token, at in matches:
        for part in word_parts(token):
            yield Token(part.word, part.stem, start_char + at + part.start, start_char + at + part.end, pos)
            pos += 1


class IndexWords(NamedTuple):
    """A text's words as the index fields take them, in order."""

    words: list[str]  # every part, lowercased (the exact-form fields)
    kept: list[str]  # the parts that are not stopwords, still unstemmed (the stemmed fields stem them)
    first: int  # the place of the first kept part


def index_words(text: str) -> IndexWords:
    """:func:`analyse` for the indexer: the same parts, without offsets or per-token objects.

    The indexer reads every word of every article, so this is the pass in
    list operations (C loops): tokens lowercased (and folded) in one map, hyphens split
    only in texts that have them, stopwords dropped by a set lookup. Roots
    are left to the caller, which stems each distinct word once.
    """
    words = index_parts(text)
    stops = stopwords()
    kept = [word for word in words if word and word not in stops]
    first = next((at for at, word in enumerate(words) if word and word not in stops), 0)
    return IndexWords(words, kept, first)


def index_parts(text: str) -> list[str]:
    """:func:`index_words`' ``words``: every part of ``text``, lowercased and folded, hyphens split, in order."""
    words = list(map(str.lower, TOKEN.findall(text)))
    if not text.isascii():
        words = list(map(fold, words))
    if _HYPHENATED.search(text):
        for at in reversed([at for at, word in enumerate(words) if "-" in word]):
            parts = hyphen_parts(words[at])
            if parts is not None:
                words[at : at + 1] = parts
    return words


def word_hash(word: str) -> int:
    """A word's 32-bit hash, CRC-32 of its UTF-8: what a story's signature hashes its runs of words from."""
    return zlib.crc32(word.encode("utf-8"))


def stemmed_terms(text: str) -> list[str]:
    """The stemmed fields' terms of a text, in order (handy for tests and debugging)."""
    return [token.stem for token in analyse(text) if token.stem is not None]
