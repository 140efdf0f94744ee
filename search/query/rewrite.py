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
    text = split_compounds(text, alternatives.lexicon, alternatives.corrections)
    pieces, kept_words = _pieces(text, dropped)
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
    return Rewritten(tuple(expanded))


# A compound's forms: ``e-KTP``, ``e KTP``, ``eKTP``; ``covid-19``, ``covid 19``, ``covid19``. Its
# hyphenated and joined forms are searched as its words apart, so all three find the same articles
# (a letter before, or a number after: e-KTP, e-commerce, covid-19, G20; not anak-anak, KPK-nya).
_HYPHENATED = re.compile(r"(?<![\w\-*:\"])([^\W\d_])-([^\W_]{2,})(?![\w\-*])|(?<![\w\-*:\"])([^\W\d_]{2,})-(\d+)(?![\w\-*])")
# Joined, only the electronic e- (eKTP, ecommerce) and a word and a number (covid19): any word opens
# with a letter (gem is not g em).
_JOINED = re.compile(r"(?<![\w\-*:\"])(?:([eE])([^\W\d_]{3,})|([^\W\d_]{2,})(\d+))(?![\w\-*])")


JOINED_RARE = 1  # a joined form the index does not hold is written apart (ektp), one it holds is searched (mp3)


def split_compounds(text: str, lexicon: Lexicon | None = None, corrections: bool = True) -> str:
    """``text`` with compounds written apart: ``e-ktp`` -> ``e ktp``; ``ektp`` -> ``e ktp`` when the index
    does not hold the joined form and holds the second word (``lexicon``: its counts) more often than
    the joined form's correction (``ekasi`` is a typo of ``bekasi``, not ``e kasi``);
    quoted phrases left alone."""
    if '"' in text:
        return text
    text = _HYPHENATED.sub(lambda m: " ".join(g for g in m.groups() if g), text)
    if lexicon is None:
        return text

    def apart(m: re.Match) -> str:
        first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        joined = lexicon.frequency(m.group(0).lower())
        apart_too = lexicon.frequency(second.lower())
        if joined < JOINED_RARE and apart_too > joined:
            corrected = lexicon.correction(m.group(0).lower()) if corrections else None
            if corrected is None or lexicon.frequency(corrected) <= apart_too:
                return f"{first} {second}"
        return m.group(0)

    return _JOINED.sub(apart, text)


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

    A run is words separated by spaces only.
    """
    if not isinstance(pieces[at], _Word) or not alternatives.starts_a_run(pieces[at]):
        return None
    for size in range(alternatives.longest_key(), 1, -1):
        run = pieces[at : at + 2 * size - 1]  # word, space, word, ...
        words = run[::2]
        if len(run) < 2 * size - 1 or not all(isinstance(w, _Word) for w in words):
            continue
        if any(isinstance(gap, _Word) or gap.strip() for gap in run[1::2]):
            continue
        forms = new(alternatives.of_words([str(w) for w in words]))
        if forms:
            return Expansion(" ".join(words), forms)
    return None


def rewrite_query(text: str) -> str:
    """:func:`rewrite` as query text (what Whoosh's parser reads)."""
    return rewrite(text).text()
