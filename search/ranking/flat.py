"""Which queries the posting arrays rank: a flat query is an OR of branches, with an ANDMAYBE's bonus.

``ArrayScorer`` (``scoring``) ranks a flat query a term at a time; any other (a NOT, a coordination
scale) is left to Whoosh's matchers (``fallback``). ``explain`` reads a query's branches the same way.
"""

from __future__ import annotations

from whoosh import query as q


def flat_query(query: q.Query) -> tuple[list, list] | None:
    """``(wanted, bonus)``: the branches of an OR as (query, boost) pairs (the
    OR's score is their sum; a query that is not an OR is one branch), and
    those of an ``ANDMAYBE`` that adds to it; None for a query with a NOT or
    a coordination scale."""
    bonus: list | None = []
    if type(query) is q.AndMaybe and query.boost == 1:
        bonus = _branches(query.b)
        query = query.a
    wanted = _branches(query)
    if wanted is None or bonus is None:
        return None
    return wanted, bonus


# An OR matches what any branch matches and scores the sum of theirs (unless
# it has a coordination scale). Branches that match nearly every document (a
# NOT, everything) are better left to Whoosh's matchers, which skip.
_WIDE = (q.Not, q.Every)


def _branches(node: q.Query, boost: float = 1.0) -> list | None:
    if type(node) is q.Or and not node.scale and not getattr(node, "minmatch", 0):
        branches = []
        for child in node.subqueries:
            found = _branches(child, boost * node.boost)
            if found is None:
                return None
            branches.extend(found)
        return branches
    if isinstance(node, q.Or) or _is_wide(node):  # an Or subclass (DisjunctionMax, ...) or a NOT
        return None
    return [(node, boost)]


def _is_wide(node: q.Query) -> bool:
    return isinstance(node, _WIDE) or any(_is_wide(child) for child in node.children())


def exclusions_only(query: q.Query) -> list[q.Query] | None:
    """What a query of exclusions alone excludes (``-yang -dan``, ``NOT yang``: each excluded part), else None.

    Whoosh's parser makes ``-yang -dan`` an OR of NOTs (the articles lacking either word); a reader asks for the
    articles holding neither, as ``banjir -yang -dan`` does for banjir's.
    """
    if type(query) is q.Not:
        return [query.query]
    if type(query) in (q.Or, q.And) and query.subqueries and all(type(s) is q.Not for s in query.subqueries):
        return [s.query for s in query.subqueries]
    return None
