"""Did you mean: a respelling of a query that found little, from the index's own words.

Uses Whoosh's corrector over the unstemmed words of the articles
(``body_exact``), so the suggestion is a form that really occurs in them:
``kazakstan`` -> ``kazakhstan``, ``jakrta`` -> ``jakarta``.
"""

from __future__ import annotations

import re

from .analysis import stopwords

_PIECE = re.compile(r'"[^"]*"|\w+:|\w+')
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
# Too short to respell safely (every two-letter word is one edit from many).
MIN_WORD = 4


def suggest(searcher, text: str, field: str = "body_exact") -> str | None:
    """The query with its unknown words respelled, or None when there is nothing to offer."""
    if field not in searcher.schema:
        return None
    corrector = searcher.corrector(field)
    reader = searcher.reader()
    changed = False

    def respell(m: re.Match) -> str:
        nonlocal changed
        piece = m.group(0)
        lower = piece.lower()
        if (
            piece.startswith('"')  # phrases are meant as written
            or piece.endswith(":")
            or piece in _OPERATORS
            or len(lower) < MIN_WORD
            or lower.isdigit()
            or lower in stopwords()  # never indexed, so never "known"
            or (field, lower) in reader
        ):
            return piece
        options = corrector.suggest(lower, limit=1, maxdist=2)
        if not options or options[0] == lower:
            return piece
        changed = True
        return options[0]

    suggestion = _PIECE.sub(respell, text)
    return suggestion if changed else None
