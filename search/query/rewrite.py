"""Query rewriting before parsing: question words out, abbreviations expanded.

Both lists are data files in ``search/data`` that users can extend. Quoted
phrases and ``field:`` terms are left as the user wrote them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from search.analysis.chain import _read_lines

# A quoted phrase or field:term (kept whole), or a word (possibly a prefix*).
# Punctuation after a word is not part of it ("Di pulau manakah, PT ...").
_PIECE = re.compile(r'"[^"]*"|\w+:(?:"[^"]*"|\S+)|\w+(?:[-.,\'*]\w+)*\*?')
# An expansion counts for less than the word the user typed: articles that
# use the user's own form should still come first.
EXPANSION_WEIGHT = 0.3
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    """Words that only ask (``apakah``, ``siapa``, ``manakah``), lowercased."""
    return frozenset(w.lower() for w in _read_lines("question_words.txt"))


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """``abbreviation -> full form``; all-capitals keys as written, others lowercased."""
    table = {}
    for line in _read_lines("abbreviations.tsv"):
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


def rewrite_query(text: str) -> str:
    """``text`` without question words and with abbreviations also searched in full.

    ``Siapakah Menlu AS`` becomes ``(Menlu OR "Menteri Luar Negeri") (AS OR
    "Amerika Serikat")``. A query made only of question words is kept as it is.
    """
    kept = []
    spelled_out = {word.lower() for word in re.findall(r"\w+", text)}
    # Next to AND/OR/NOT a dropped word would leave the operator dangling.
    has_operators = any(piece in _OPERATORS for piece in _PIECE.findall(text))

    def rewrite(m: re.Match) -> str:
        piece = m.group(0)
        if piece.startswith('"') or ":" in piece or "*" in piece or piece in _OPERATORS:
            kept.append(piece)
            return piece
        if piece.lower() in question_words() and not has_operators:
            return ""
        kept.append(piece)
        full = _full_form(piece)
        if full and set(full.lower().split()) <= spelled_out:
            full = None  # "Amerika Serikat (AS)": the query already holds the full form's words
        return f'({piece} OR "{full}"^{EXPANSION_WEIGHT})' if full else piece

    rewritten = _PIECE.sub(rewrite, text)
    if not any(piece not in _OPERATORS for piece in kept):
        return text
    return re.sub(r"\s+", " ", rewritten).strip()
