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
from dataclasses import dataclass
from functools import lru_cache

from search.analysis.wordlists import question_words, read_lines
from search.query.syntax import OPERATORS

# A quoted phrase or field:term (kept whole), or a word (possibly a prefix*).
# Punctuation after a word is not part of it ("Di pulau manakah, PT ...").
# A minus at the start of a word or phrase excludes it (``rusia -ukraina``).
_PIECE = re.compile(r'(?<!\S)-(?=[\w"])|"[^"]*"|\w+:(?:"[^"]*"|\S+)|\w+(?:[-.,\'*]\w+)*\*?')
# An expansion counts for less than the word the user typed: articles that
# use the user's own form should still come first.
EXPANSION_WEIGHT = 0.3


@dataclass(frozen=True)
class Expansion:
    """An abbreviation as the user wrote it and the full form also searched (``AS``, ``Amerika Serikat``)."""

    word: str
    full: str
    weight: float = EXPANSION_WEIGHT

    def text(self) -> str:
        """The group in the query language: ``(AS OR "Amerika Serikat"^0.3)``."""
        return f'({self.word} OR "{self.full}"^{self.weight})'


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


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """``abbreviation -> full form``; all-capitals keys as written, others lowercased."""
    table = {}
    for line in read_lines("abbreviations.tsv"):
        short, _, full = (part.strip() for part in line.partition("\t"))
        if short and full:
            table[short if short.isupper() else short.lower()] = full
    return table


def _full_form(word: str) -> str | None:
    table = abbreviations()
    if word.isupper() and word in table:
        return table[word]
    key = word.lower()
    return table.get(key) if key.upper() not in table else None


def rewrite(text: str) -> Rewritten:
    """``text`` without question words and with abbreviations also searched in full.

    ``Siapakah Menlu AS`` becomes ``Menlu`` expanded to ``Menteri Luar
    Negeri`` and ``AS`` to ``Amerika Serikat``. A query made only of question
    words is kept as it is.
    """
    spelled_out = {word.lower() for word in re.findall(r"\w+", text)}
    # Next to AND/OR/NOT a dropped word would leave the operator dangling.
    has_operators = any(piece in OPERATORS or piece == "-" for piece in _PIECE.findall(text))
    pieces: list[str | Expansion] = []
    kept_words = False
    at = 0
    for m in _PIECE.finditer(text):
        pieces.append(text[at : m.start()])
        at = m.end()
        piece = m.group(0)
        if piece == "-":
            pieces.append("NOT ")
            continue
        if piece.startswith('"') or ":" in piece or "*" in piece or piece in OPERATORS:
            pieces.append(piece)
            kept_words = kept_words or piece not in OPERATORS
            continue
        if piece.lower() in question_words() and not has_operators:
            continue
        kept_words = True
        full = _full_form(piece)
        if full and set(full.lower().split()) <= spelled_out:
            full = None  # "Amerika Serikat (AS)": the query already holds the full form's words
        pieces.append(Expansion(piece, full) if full else piece)
    pieces.append(text[at:])
    if not kept_words:
        return Rewritten((text,), verbatim=True)
    return Rewritten(tuple(p for p in pieces if p != ""))


def rewrite_query(text: str) -> str:
    """:func:`rewrite` as query text (what Whoosh's parser reads)."""
    return rewrite(text).text()
