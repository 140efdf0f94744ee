"""The wildcard rules: ``*`` alone lists everything; in a word it needs letters before it.

A wildcard is expanded into the indexed words it matches, and its cost is
how many words it has to look at: ``pe*`` reads 21,650 words of the body
field of 20,000 articles, ``*a*`` or ``a*`` nearly all of them. With at
least :data:`MIN_PREFIX` characters before the first ``*`` the words to look
at are a small share of the index; each wildcard then keeps the words most
articles hold (``search.ranking.expansion``). A ``*`` on its own asks for no
word at all: the searcher lists the newest articles instead of ranking.
"""

from __future__ import annotations

import re

from whoosh import query as q

from search.errors import QueryError

# Characters a wildcard needs before its first wildcard character.
MIN_PREFIX = 2
# What ends the literal start of a glob (Whoosh's Wildcard.SPECIAL_CHARS).
GLOB_CHARACTERS = frozenset("*?[")
# A word of the query text that asks for everything: ``*``, ``title:*``, ``*:*``.
_STAR = re.compile(r"(?:(?:\w+|\*):)?\*")


def literal_prefix(pattern: str) -> str:
    """The start of a glob before its first wildcard character: ``pe`` of ``pe*an``."""
    for i, char in enumerate(pattern):
        if char in GLOB_CHARACTERS:
            return pattern[:i]
    return pattern


def glob_of(node: q.Query) -> str | None:
    """The glob a Whoosh wildcard node stands for (``pe*`` for ``Prefix("body", "pe")``), None for other nodes."""
    if isinstance(node, q.Prefix):
        return node.text + "*"
    if isinstance(node, q.Wildcard):
        return node.text
    return None


def has_wildcards(query: q.Query) -> bool:
    """Whether any word of ``query`` is a wildcard (``pe*``, ``pe*an``)."""
    return any(glob_of(leaf) is not None for leaf in query.leaves())


def lists_everything(query: q.Query) -> bool:
    """Whether ``query`` is ``*`` alone (in one field or all): every article, no word to rank by."""
    if isinstance(query, q.Every):
        return True
    return type(query) is q.Or and bool(query.subqueries) and all(isinstance(c, q.Every) for c in query.subqueries)


def check_wildcards(query: q.Query, text: str) -> None:
    """QueryError, saying the rule, for a wildcard too broad to expand or a ``*`` among words.

    ``text`` is the query as typed: Whoosh's parser makes ``rusia *`` the
    same query as ``*`` (an OR holding everything is everything), but only
    ``*`` alone means "list the newest articles".
    """
    if lists_everything(query):
        if all(_STAR.fullmatch(word) for word in text.split()):
            return
        raise _too_broad("*")
    for leaf in query.leaves():
        glob = "*" if isinstance(leaf, q.Every) else glob_of(leaf)
        if glob is not None and len(literal_prefix(glob)) < MIN_PREFIX:
            raise _too_broad(glob)


def _too_broad(glob: str) -> QueryError:
    return QueryError(
        f"The wildcard {glob!r} is too broad: put at least {MIN_PREFIX} letters before the first * "
        "(e.g. pemilu*, not *a* or a*). A * on its own lists the newest articles.",
        "broad_wildcard", wildcard=glob, letters=MIN_PREFIX,
    )
