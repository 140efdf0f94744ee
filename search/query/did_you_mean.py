"""Did you mean: a respelling of a query that found little, from the index's own words.

Looks among the unstemmed words of the articles (``body_exact``), so the
suggestion is a form that really occurs in them: ``kazakstn`` ->
``kazakhstan``, ``jakrta`` -> ``jakarta``. Candidates are chosen as Whoosh's
corrector chooses them (the most frequent word within two edits), but only
words sharing the first letters are compared: Whoosh's corrector
computes an edit distance against every term of the field in Python, 14 s
for one unknown word on 100,000 articles (600,000 distinct words).
"""

from __future__ import annotations

import re
from typing import Any

from whoosh.support.levenshtein import damerau_levenshtein

from search._whoosh.term_prefixes import prefix_terms
from search.analysis.tokens import fold
from search.analysis.wordlists import stopwords
from search.errors import QueryTooSlow
from search.query.budget import NO_DEADLINE, Deadline
from search.query.rewrite import compounds_apart
from search.query.syntax import OPERATORS
from search.query.typos import MAX_COMPARED, SAME_START

# What a suggestion leaves alone is one piece: a phrase, a field's term
# (``author:danur`` is a name, not a body word), a wildcard (``kazakst?n``).
_PIECE = re.compile(r'"[^"]*"|\w+:(?:"[^"]*"|\S+)|[\w*?]+(?:-[\w*?]+)*')
# Too short to respell safely (every two-letter word is one edit from many).
MIN_WORD = 4
MAX_EDITS = 2


def did_you_mean(searcher: Any, text: str, field: str = "body_exact", deadline: Deadline = NO_DEADLINE) -> str | None:
    """The query with its unknown words respelled, or None when there is nothing to offer.

    Also None when the search's time is up: the results are found by then,
    and a long query of unknown words could compare for many seconds.
    """
    if field not in searcher.schema:
        return None
    try:
        return _respelled(searcher.reader(), text, field, deadline)
    except QueryTooSlow:
        return None


def _respelled(reader: Any, text: str, field: str, deadline: Deadline) -> str | None:
    """``text`` with each unknown word replaced by its closest indexed word, or None if none was.

    A compound's pieces are a name, not a typo (``covid 19`` is not
    ``cover 19``), whichever way it is written.
    """
    changed = False
    named = {word for pieces in compounds_apart(text)[1] for word in (*pieces, "".join(pieces))}

    def respell(m: re.Match) -> str:
        nonlocal changed
        piece = m.group(0)
        lower = fold(piece.lower())  # the index holds words without their accents: erdoğan is erdogan
        if (
            piece.startswith('"')  # phrases are meant as written
            or ":" in piece
            or "*" in piece
            or "?" in piece
            or "-" in piece  # besar-besaran is not besar-besar
            or piece in OPERATORS
            or len(lower) < MIN_WORD
            or lower.isdigit()
            or lower in stopwords()  # never indexed, so never "known"
            or lower in named
            or (field, lower) in reader
        ):
            return piece
        option = closest_word(reader, field, lower, deadline)
        if option is None:
            return piece
        changed = True
        return option

    suggestion = _PIECE.sub(respell, text)
    return suggestion if changed else None


def closest_word(reader: Any, field: str, word: str, deadline: Deadline = NO_DEADLINE) -> str | None:
    """The most frequent indexed word within two edits of ``word`` (ties: the first A-Z), or None."""
    best, best_key = None, None
    for text in deadline.checked(prefix_terms(reader, field, word[: min(SAME_START, len(word) - 1)], MAX_COMPARED)):
        if text == word or abs(len(text) - len(word)) > MAX_EDITS:
            continue
        edits = damerau_levenshtein(word, text, MAX_EDITS)
        if edits > MAX_EDITS:
            continue
        key = (-reader.frequency(field, text), text)
        if best_key is None or key < best_key:
            best, best_key = text, key
    return best
