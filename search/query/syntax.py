"""The query language's rules: operators, field prefixes, quotes; a clear QueryError for text that breaks them.

Whoosh's parser never fails: it quietly turns mistakes into something else
(``"kazakhstan`` searches the rest of the text as a phrase, ``AND`` alone
finds nothing). Users deserve to be told, so the text is checked first.
"""

from __future__ import annotations

import re

from search.errors import QueryError, UnbalancedQuery
from search.index.schema import SEARCHABLE_FIELDS

MAX_QUERY_CHARS = 1000
BINARY_OPERATORS = ("AND", "OR", "ANDNOT", "ANDMAYBE")
OPERATORS = frozenset({*BINARY_OPERATORS, "NOT"})
FIELD_PREFIX = re.compile(r"(?<![\w:/.])([A-Za-z_]\w*):(?!//)(?=\S)")
# A field name typed with a space after its colon (``title: banjir``, as a colon is written in prose), or with
# nothing after it at the end (``title:``, still being typed).
_FIELD_THEN_SPACE = re.compile(r'"[^"]*"|(?<![\w:/.])(%s):\s+(?=\S)' % "|".join(SEARCHABLE_FIELDS), re.I)
_FIELD_AT_END = re.compile(r"(?:^|\s)(?:%s):$" % "|".join(SEARCHABLE_FIELDS), re.I)
_OPERATOR_TOKEN = re.compile(r'"[^"]*"|[()]|[^\s()"]+')
_PHRASE = re.compile(r'"[^"]*"')


def is_blank(text: str) -> bool:
    """Whether ``text`` holds nothing but spaces and control characters (what ``check_query`` calls empty)."""
    return not text.strip() or all(ch.isspace() or not ch.isprintable() for ch in text)


def check_query(text: str) -> str:
    """The query text, normalised, or QueryError naming what is wrong with it."""
    if not text.isprintable():  # control characters (a pasted tab, a NUL) become spaces
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = text.strip()
    if not text:
        raise QueryError("Empty query: type one or more words to search for.", "empty")
    text = _fields_joined(text)
    if not text:
        raise QueryError("A field needs a word after it (e.g. title:kazakhstan).", "field_alone")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"Query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS}).", "too_long",
                         length=len(text), limit=MAX_QUERY_CHARS)
    if text.count('"') % 2:
        raise UnbalancedQuery('Unbalanced quote: a phrase needs a closing " (e.g. "duta besar").', "unbalanced_quote")
    depth = 0
    for ch in _PHRASE.sub("", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth:
        raise UnbalancedQuery("Unbalanced parentheses in the query.", "unbalanced_parentheses")
    _check_operators(text)
    for name in FIELD_PREFIX.findall(_PHRASE.sub("", text)):
        if name.lower() not in SEARCHABLE_FIELDS:
            raise QueryError(
                f"Unknown field {name!r}: search in {', '.join(SEARCHABLE_FIELDS)} (e.g. title:kazakhstan)."
            )
    return text


def _fields_joined(text: str) -> str:
    """``title: banjir`` as ``title:banjir``, and a field name with nothing after it left out (``banjir title:``):
    searched as words, ``title`` was corrected to ``titel`` and listed articles on anything entitled (issue 21)."""
    # A phrase matches first and stays as it is: its own colons are words.
    text = _FIELD_THEN_SPACE.sub(lambda m: m.group(1) + ":" if m.group(1) else m.group(0), text)
    return _FIELD_AT_END.sub("", text).strip()


def _check_operators(text: str) -> None:
    """Each binary operator needs a word on both sides; NOT needs one after it."""
    tokens = _OPERATOR_TOKEN.findall(text)
    for i, token in enumerate(tokens):
        if token not in OPERATORS:
            continue
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if token == "NOT":
            if after is None or after in OPERATORS or after == ")":
                raise QueryError("NOT needs a word after it (e.g. kazakhstan NOT rusia).", "not_alone")
        elif before in (None, "(", *OPERATORS) or after in (None, ")", *BINARY_OPERATORS):
            raise QueryError(f"Operator {token} needs a word on each side (e.g. rusia {token} ukraina).",
                             "operator_alone", operator=token)


def asks_every_word(text: str, most_words: int = 5) -> bool:
    """Whether ``text`` is keywords with a field (``title:banjir jakarta``): each of its words is asked for, as
    plain keywords' are. Not with an OR (the reader asked for either) nor past ``most_words`` words or quoted
    phrases (a pasted sentence ranks over partial matches)."""
    if not any(m.group(1).lower() in SEARCHABLE_FIELDS for m in FIELD_PREFIX.finditer(text)):
        return False
    words = [token for token in _OPERATOR_TOKEN.findall(text) if token not in ("(", ")")]
    return not {"OR", "ANDMAYBE"} & set(words) and len([w for w in words if w not in OPERATORS]) <= most_words


def lower_field_names(text: str) -> str:
    """``Title:x`` as ``title:x``: field names are matched without case."""
    return FIELD_PREFIX.sub(lambda m: m.group(1).lower() + ":", text)
