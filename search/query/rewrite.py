"""Query rewriting before parsing: question words out, abbreviations expanded, as structure.

Both lists are data files in ``search/data`` that users can extend. Quoted
phrases and ``field:`` terms are left as the user wrote them. The result is a
:class:`Rewritten`: the user's text in pieces, an abbreviation being an
:class:`Expansion` (the word and its full form) that the query builder turns
into query branches; only a query that needs Whoosh's parser is written back
as query text, by :meth:`Rewritten.text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from search.analysis.tokens import is_reduplication
from search.analysis.wordlists import question_words
from search.query.alternatives import MAX_KEYWORDS, Alternatives, Form, Lexicon, key
from search.query.syntax import OPERATORS

# A quoted phrase or field:term (kept whole), or a word (possibly a prefix*).
# Punctuation after a word is not part of it ("Di pulau manakah, PT ...").
# A minus at the start of a word or phrase excludes it (``rusia -ukraina``);
# not before a clitic: tokenised text writes ``Instagram -nya``.
_PIECE = re.compile(r'(?<!\S)-(?=[\w"])(?!(?:nya|lah|kah|pun|ku|mu)\b)|"[^"]*"|\w+:(?:"[^"]*"|\S+)|\w+(?:[-.,\'*]\w+)*\*?')


@dataclass(frozen=True)
class Expansion:
    """Words as the reader wrote them and their alternatives (``AS``: ``Amerika Serikat``), searched together."""

    word: str  # one word, or several (``amerika serikat``) looked up as one
    forms: tuple[Form, ...]

    def text(self) -> str:
        """The group in the query language: ``(AS OR "Amerika Serikat"^0.3)``."""
        alternatives = " OR ".join(_quoted(form.text) + f"^{form.weight}" for form in self.forms)
        return f"({self.word} OR {alternatives})"

    def corrections(self) -> list[tuple[str, str]]:
        """(word as typed, the spelling searched instead) of each typo this expansion corrects."""
        return [(self.word, form.text) for form in self.forms if form.reason == "correction"]


def _quoted(text: str) -> str:
    return f'"{text}"' if " " in text or "-" in text else text


@dataclass(frozen=True)
class Rewritten:
    """The query text in order: plain pieces (words, syntax, spaces) and expansions."""

    pieces: tuple[str | Expansion, ...]
    verbatim: bool = False  # nothing was rewritten: the text stays exactly as given
    # The pieces of each word typed in pieces (``covid19``, ``covid-19``, ``covid 19``: ("covid", "19")),
    # lowercased: the builder makes each one concept.
    compounds: tuple[tuple[str, ...], ...] = ()

    def text(self) -> str:
        """The whole query in the query language, for Whoosh's parser."""
        joined = "".join(p.text() if isinstance(p, Expansion) else p for p in self.pieces)
        return joined if self.verbatim else re.sub(r"\s+", " ", joined).strip()

    @property
    def expansions(self) -> tuple[Expansion, ...]:
        return tuple(p for p in self.pieces if isinstance(p, Expansion))


def rewrite(text: str, alternatives: Alternatives | None = None, dropped: frozenset[str] = frozenset()) -> Rewritten:
    """``text`` without question words and with each word's alternatives (``alternatives.py``) searched too.

    ``Siapakah Menlu AS`` becomes ``Menlu`` expanded to ``Menteri Luar
    Negeri`` and ``AS`` to ``Amerika Serikat``; runs of words are looked up
    first (``amerika serikat`` -> ``AS``), then the words left. A query
    made only of question words is kept as it is.
    """
    alternatives = alternatives or Alternatives()
    pieces, kept_words, text, compounds = _read(text, alternatives, dropped)
    if not kept_words:
        return Rewritten((text,), verbatim=True)
    # "Amerika Serikat (AS)": a form whose words the query already holds is not searched twice.
    spelled_out = {word.lower() for word in re.findall(r"\w+(?:-\w+)*", text)}

    def new(forms: Iterable[Form]) -> tuple[Form, ...]:
        return tuple(f for f in forms if not set(f.text.lower().split()) <= spelled_out)

    in_keywords = sum(isinstance(p, _Word) for p in pieces) <= MAX_KEYWORDS
    words = tuple(key(p) for p in pieces if isinstance(p, _Word))
    expanded: list[str | Expansion] = []
    at = 0
    while at < len(pieces):
        run = _run_at(pieces, at, alternatives, new)
        if run is not None:
            expanded.append(run)
            at += 2 * len(run.word.split()) - 1
            continue
        piece = pieces[at]
        context = tuple(w for w in words if w != key(piece))
        forms = new(alternatives.of_word(piece, in_keywords, context)) if isinstance(piece, _Word) else ()
        expanded.append(Expansion(str(piece), forms) if forms else str(piece))
        at += 1
    return Rewritten(tuple(expanded), compounds=compounds)


# A compound's forms: ``e-KTP``, ``e KTP``, ``eKTP``; ``covid-19``, ``covid 19``, ``covid19``. In
# keywords each is searched as its pieces apart (how the index holds ``covid-19`` and ``covid 19``)
# and as the joined form, one concept (``Rewritten.compounds``), so all three find the same articles.
# Hyphenated: a letter before, or a number after (e-KTP, e-commerce, covid-19, u-19; not anak-anak, KPK-nya).
# Two words a hyphen joins that are no word repeated (Rusia-Ukraina, Anies-Sandi, Jokowi-JK: a pair, as the news
# writes a relation or a ticket): in keywords each is a word of the query, as if typed apart (issue 21: they were
# searched as either word, 67 articles on Russia or Ukraine for rusia-ukraina against rusia ukraina's 5 on both).
_PAIR = re.compile(r"(?<![\w\-*:\"])([^\W\d_]{2,})-([^\W\d_]{2,})(?![\w\-*:])")
_HYPHENATED = re.compile(r"(?<![\w\-*:\"])([^\W\d_])-([^\W_]{2,})(?![\w\-*])|(?<![\w\-*:\"])([^\W\d_]+)-(\d+)(?![\w\-*])")
# Joined, only the electronic e- (eKTP, ecommerce) and letters and a number (covid19, u19), where the
# index does not hold the joined form: any word opens with a letter (gem is not g em).
_JOINED = re.compile(r"(?<![\w\-*:\"])(?:([eE])([^\W\d_]{3,})|([^\W\d_]+)(\d+))(?![\w\-*])")
# Spaced, the same two shapes where one piece cannot be a word of its own: a lone letter before a
# word (e KTP, u 19: a letter alone is nobody's keyword) and a word before a number of at most three
# digits (covid 19, iphone 8). A year after a word is a word of its own (banjir 2017: floods in 2017,
# not a thing called so), and so is a decimal (gempa 7,2).
_SPACED = re.compile(
    r"(?<![\w\-*:\"])(?:([^\W\d_])[ \t]+([^\W_]{2,})|([^\W\d_]{2,})[ \t]+(\d{1,3}))(?![\w\-*:]|[.,]\d)")
# In a sentence, as it always was (its rankings are tuned on the sets, docs/relevance.md): a hyphenated
# word of two letters or more before a number, a joined form only where the index lacks it (``_e_word_apart``).
_SENTENCE_HYPHENATED = re.compile(
    r"(?<![\w\-*:\"])([^\W\d_])-([^\W_]{2,})(?![\w\-*])|(?<![\w\-*:\"])([^\W\d_]{2,})-(\d+)(?![\w\-*])")
_SENTENCE_JOINED = re.compile(r"(?<![\w\-*:\"])(?:([eE])([^\W\d_]{3,})|([^\W\d_]{2,})(\d+))(?![\w\-*])")


JOINED_RARE = 1  # a joined form the index holds is itself (email, mp3, s8), one it does not is its pieces (ektp)
# The electronic e- written with an accent (ÉKTP, é-KTP: a phone's keyboard offers it), read as the e the index holds
# (its words are folded): as a letter of its own it was no compound, and 'éktp' found nothing.
_ACCENTED_E = re.compile(r"(?<![\w\-*:\"])[éÉèÈêÊëË](?=-?[^\W\d_]{2,})")


def _plain_e(text: str) -> str:
    return _ACCENTED_E.sub(lambda m: "E" if m.group(0).isupper() else "e", text)


def split_compounds(text: str, lexicon: Lexicon | None = None, corrections: bool = True) -> str:
    """A sentence's ``text`` with compounds written apart: ``e-ktp`` -> ``e ktp``; a joined form (``ektp``,
    ``covid19``) -> its pieces when the index does not hold it (``_e_word_apart``); quoted phrases left alone.

    Keywords are read by :func:`compounds_apart`."""
    if '"' in text:
        return text
    text = _SENTENCE_HYPHENATED.sub(lambda m: " ".join(g for g in m.groups() if g), text)
    if lexicon is None:
        return text

    def apart(m: re.Match) -> str:
        first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return f"{first} {second}" if _e_word_apart(m.group(0).lower(), second.lower(), lexicon, corrections) \
            else m.group(0)

    return _SENTENCE_JOINED.sub(apart, text)


def compounds_apart(
    text: str, lexicon: Lexicon | None = None, corrections: bool = True
) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """(keywords' ``text`` with compounds written apart, the pieces of each compound lowercased):
    ``e-ktp`` -> ``e ktp``; ``covid19`` -> ``covid 19``; ``ektp`` -> ``e ktp`` when the index does
    not hold the joined e-word (``_e_word_apart``: ``email`` is a word); the spaced forms ``e ktp``
    and ``covid 19`` are compounds too (``_SPACED``). Quoted phrases are left alone."""
    if '"' in text:
        return text, ()
    text = _plain_e(text)
    found: list[tuple[str, ...]] = []

    def hyphenated(m: re.Match) -> str:
        pieces = tuple(g for g in m.groups() if g)
        found.append(pieces)
        return " ".join(pieces)

    def joined(m: re.Match) -> str:
        first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        # One word, unless the index says otherwise (it holds ``email``, ``s8``, ``mp3`` as written).
        if lexicon is None or not _e_word_apart(m.group(0).lower(), second.lower(), lexicon, corrections):
            return m.group(0)
        found.append((first, second))
        return f"{first} {second}"

    text = _HYPHENATED.sub(hyphenated, text)
    text = _JOINED.sub(joined, text)
    text = _PAIR.sub(lambda m: f"{m.group(1)} {m.group(2)}" if _a_pair(m, lexicon) else m.group(0), text)
    found.extend(tuple(g for g in m.groups() if g) for m in _SPACED.finditer(text))
    return text, tuple(dict.fromkeys(tuple(piece.lower() for piece in pieces) for pieces in found))


def _a_pair(m: re.Match, lexicon: Lexicon | None) -> bool:
    """Whether a hyphenated word (``_PAIR``) is two words: no word repeated (anak-anak, besar-besaran) and each
    piece a word the index holds (sayur-mayur's mayur is none: it stays one word, not a typo of mayor)."""
    if is_reduplication(m.group(0).lower()):
        return False
    return lexicon is None or all(lexicon.frequency(piece.lower()) for piece in m.groups())


def _e_word_apart(word: str, second: str, lexicon: Lexicon, corrections: bool) -> bool:
    """Whether a joined word (``ektp``, ``covid19``) is its two pieces: the index does not hold it, holds
    the second piece, and no more frequent correction explains it (``ekasi``: ``bekasi``, not ``e kasi``)."""
    joined = lexicon.frequency(word)
    apart_too = lexicon.frequency(second)
    if joined >= JOINED_RARE or apart_too <= joined:
        return False
    corrected = lexicon.correction(word) if corrections else None
    return corrected is None or lexicon.frequency(corrected) <= apart_too


def _read(text: str, alternatives: Alternatives, dropped: frozenset[str]) -> tuple[list[str], bool, str, tuple]:
    """(the pieces of ``text``, whether a word is left, the text with compounds apart, the compounds):
    keywords' compounds (``compounds_apart``), or, with more words than keywords have, a sentence's."""
    written, compounds = compounds_apart(text, alternatives.lexicon, alternatives.corrections)
    pieces, kept_words = _pieces(written, dropped)
    if sum(isinstance(p, _Word) for p in pieces) <= MAX_KEYWORDS:
        return pieces, kept_words, written, compounds
    written = split_compounds(text, alternatives.lexicon, alternatives.corrections)
    return *_pieces(written, dropped), written, ()


class _Word(str):
    """A word of the query that may have alternatives (not syntax, not a question word)."""


def _pieces(text: str, dropped: frozenset[str] = frozenset()) -> tuple[list[str], bool]:
    """The text in pieces (words as :class:`_Word`, the rest as it is, question words out), and whether any word is left."""
    found = _PIECE.findall(text)
    # A minus excludes in keywords (``rusia -ukraina``); in a pasted sentence
    # it is a hyphen set apart (``Jalan Tol Kunciran -Cengkareng``).
    minuses = found.count("-")
    excludes = len(found) - 2 * minuses <= MAX_KEYWORDS  # the words left when each minus and its word are taken off
    # Next to AND/OR/NOT a dropped word would leave the operator dangling.
    has_operators = any(piece in OPERATORS or (piece == "-" and excludes) for piece in found)
    pieces: list[str] = []
    kept_words = False
    at = 0
    for m in _PIECE.finditer(text):
        pieces.append(text[at : m.start()])
        at = m.end()
        piece = m.group(0)
        if piece == "-":
            pieces.append("NOT " if excludes else "-")
        elif piece.startswith('"') or ":" in piece or "*" in piece or piece in OPERATORS:
            pieces.append(piece)
            kept_words = kept_words or piece not in OPERATORS
        elif (piece.lower() not in question_words() and piece.lower() not in dropped) or has_operators:
            kept_words = True
            pieces.append(_Word(piece))
    pieces.append(text[at:])
    return [p for p in pieces if p != ""], kept_words


def _run_at(pieces: list[str], at: int, alternatives: Alternatives,
            new: Callable[[Iterable[Form]], tuple[Form, ...]]) -> Expansion | None:
    """The expansion of the longest run of words from ``at`` that is one key (``joko widodo``), or None.

    A run is words separated by spaces and commas only (``Badan Meteorologi, Klimatologi, dan Geofisika``).
    """
    if not isinstance(pieces[at], _Word) or not alternatives.starts_a_run(pieces[at]):
        return None
    for size in range(alternatives.longest_key(), 1, -1):
        run = pieces[at : at + 2 * size - 1]  # word, space, word, ...
        words = run[::2]
        if len(run) < 2 * size - 1 or not all(isinstance(w, _Word) for w in words):
            continue
        if any(isinstance(gap, _Word) or gap.strip(" ,") for gap in run[1::2]):
            continue
        forms = new(alternatives.of_words([str(w) for w in words]))
        if forms:
            return Expansion(" ".join(words), forms)
    return None


def rewrite_query(text: str) -> str:
    """:func:`rewrite` as query text (what Whoosh's parser reads)."""
    return rewrite(text).text()
