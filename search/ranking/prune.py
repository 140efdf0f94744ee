"""Query-time ranking adjustments that need the index (document frequencies).

The exact-form fields keep stopwords (see ``analysis.exact_analyzer``): a rare
one such as ``sejak`` or ``belum`` still tells articles apart. The ones that
occur in most articles (``yang``, ``di``, ``dan``) say nothing about which
article is meant, yet would match nearly all of them: a sentence-long query
would walk every posting list of the index and count every article as a
match. They are left out of the query here, where their frequency is known.
"""

from __future__ import annotations

import copy
from typing import Any

from whoosh import query as q

from search.analysis.wordlists import stopwords

# A stopword in more than this share of the articles is left out of a query.
MAX_STOPWORD_SHARE = 0.5


def drop_common_stopwords(
    query: q.Query, reader: Any, max_share: float = MAX_STOPWORD_SHARE, every_field: bool = False
) -> q.Query:
    """``query`` without the stopword terms found in more than ``max_share`` of the articles.

    ``reader`` is a Whoosh reader or anything else with its ``doc_count_all``
    and ``doc_frequency`` (``postings.PostingArrays`` remembers them).

    Only alternatives (terms inside an OR) are dropped, and a word an AND asks
    in every field (words beside a field): a phrase keeps all its words. A
    query made only of such words is kept whole, so that it still finds
    something. ``every_field``: a stopword common in one
    field is dropped from every field (keywords, see below).
    """
    common = _CommonStopwords(reader, max_share)
    if every_field:
        common.drop_everywhere(query)
    pruned = common.prune(query)
    if pruned is None or not common.leaves_a_rare_term(pruned):
        return query
    return pruned


class _CommonStopwords:
    """Which of a query's terms are stopwords common enough to drop, and the query without them."""

    def __init__(self, reader: Any, max_share: float) -> None:
        self.reader = reader
        self.limit = max_share * reader.doc_count_all()
        self.stopwords = stopwords()
        self.everywhere: set[str] = set()  # common in one field, dropped from all

    def is_common_in_field(self, node: q.Query) -> bool:
        return (
            type(node) is q.Term
            and node.text in self.stopwords
            and self.reader.doc_frequency(node.fieldname, node.text) > self.limit
        )

    def drop_everywhere(self, query: q.Query) -> None:
        """Drop from every field the stopwords of ``query`` common in one (keywords).

        Field by field is the default: ``sudah`` is in most bodies but few titles, and a title
        holding it tells a known article apart (IndoSum lost 0.001 MRR when
        such words were dropped from every field). Not in keywords, whose every
        word each article must hold: ``di`` kept in the titles made ``banjir di
        jakarta`` the 3 articles with ``di`` in their title, not the 14 that
        ``banjir jakarta`` finds.
        """
        self.everywhere = {node.text for node in query.leaves() if self.is_common_in_field(node)}

    def is_common(self, node: q.Query) -> bool:
        return self.is_common_in_field(node) or (type(node) is q.Term and node.text in self.everywhere)

    def is_common_word(self, node: q.Query) -> bool:
        """Whether ``node`` is one stopword asked in every field (``title:banjir di jakarta``: ``di`` is
        ``title_exact:di OR body_exact:di``), common in one of them: plain keywords drop it, so does a field's AND
        (``builder.every_word_parser``)."""
        leaves = [node] if type(node) is q.Term else list(node.leaves()) if isinstance(node, q.Or) else []
        return (bool(leaves) and all(type(leaf) is q.Term and leaf.text in self.stopwords for leaf in leaves)
                and len({leaf.text for leaf in leaves}) == 1 and any(map(self.is_common_in_field, leaves)))

    def prune(self, node: q.Query) -> q.Query | None:
        """``node`` without the common alternatives, and an AND without its common words; None where nothing is
        left."""
        if type(node) is q.And:
            words = [self.prune(child) for child in node.subqueries if not self.is_common_word(child)]
            words = [child for child in words if child is not None]
            return None if not words else words[0] if len(words) == 1 else q.And(words, boost=node.boost)
        if isinstance(node, q.Or):
            kept = [self.prune(child) for child in node.subqueries if not self.is_common(child)]
            kept = [child for child in kept if child is not None]
            if not kept:
                return None
            pruned = copy.copy(node)  # Whoosh's node.copy() deep-copies every term
            pruned.subqueries = kept  # keeps the group's boost and scale
            return pruned
        if isinstance(node, (q.AndMaybe, q.AndNot)):
            first = self.prune(node.a)
            return None if first is None else type(node)(first, node.b)
        return node

    def leaves_a_rare_term(self, pruned: q.Query) -> bool:
        """Whether ``pruned`` still searches a word that is no stopword and in the index.

        A query of common words only (``yang``) searches them all, in every
        field: what is left would be the rare field they are rare in (the
        titles), or nothing at all.
        """
        core = pruned.a if isinstance(pruned, (q.AndMaybe, q.AndNot)) else pruned
        return any(text not in self.stopwords and self.reader.doc_frequency(field, text)
                   for field, text in core.iter_all_terms())


def exact_search_options(query: q.Query) -> dict:
    """Options for ``searcher.search`` that keep Whoosh exact for ``query``.

    Whoosh 2.7 mis-ranks an OR under AndMaybe (the answer-kind boost, see
    ``QueryBuilder``): its array union matcher (its choice for segments under
    5,000 documents) loses documents, so the best passage of a facqa question
    (score 172) was missing from the top 100; and with the plain union matcher
    the block-quality skipping loops forever on some questions. The plain
    matcher without skipping is exact; it only costs more on long questions.
    """
    if isinstance(query, q.AndMaybe) and isinstance(query.a, q.Or):
        query.a.matcher_type = q.Or.DEFAULT_MATCHER
        return {"optimize": False}
    return {}
