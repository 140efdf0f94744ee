"""All words first: for a keyword query, articles holding every word asked for rank above those holding some.

BM25F sums what each word adds, so an article saying ``jakarta`` twenty
times can outrank one about ``banjir jakarta``; readers of a search box
expect the articles with all their words first (Meilisearch's first ranking
rule). Each concept (a word and its alternatives, ``ParsedQuery.concepts``)
an article holds counts one; the count orders the results, BM25F within
the same count; within it, articles holding the words together (the words
typed, as a phrase with a little slop) first. Questions and sentences are
left to BM25F: their words are many and only some of them are in the
answer (docs/relevance.md).
"""

from __future__ import annotations

import numpy as np

# A query of more concepts than this is a sentence or a question, not keywords.
from search.query.alternatives import MAX_KEYWORDS as MAX_KEYWORD_CONCEPTS

# Words this far apart still count as together (``menteri luar negeri`` and
# ``menteri urusan luar negeri``), and what that adds to the score.
NEAR_SLOP = 3
NEAR_BOOST = 1.0


# In keywords, how much more a title counts: a headline naming the topic is
# what the article is about (the weights of ``weights.py`` are tuned for
# sentences and questions, which a title rarely answers).
KEYWORD_TITLE_FACTOR = 2.0
TITLE_FIELDS = ("title", "title_exact")


def is_keywords(parsed) -> bool:
    """Whether ``parsed`` (a ParsedQuery) is keywords: 1 to 5 concepts, not a question."""
    return not parsed.question and 1 <= len(parsed.concepts) <= MAX_KEYWORD_CONCEPTS


def counts_concepts(parsed) -> bool:
    """Whether ``parsed`` is ranked all words first: keywords of two concepts or more."""
    return is_keywords(parsed) and len(parsed.concepts) >= 2


def with_title_weight(query, factor: float | None = None):
    """A copy of a plain OR query with its title terms weighing ``factor`` (``KEYWORD_TITLE_FACTOR``) times more."""
    from whoosh import query as q

    factor = KEYWORD_TITLE_FACTOR if factor is None else factor
    if type(query) is not q.Or or factor == 1:
        return query
    branches = [
        q.Term(node.fieldname, node.text, boost=node.boost * factor)
        if type(node) is q.Term and node.fieldname in TITLE_FIELDS else node
        for node in query.subqueries
    ]
    return q.Or(branches, boost=query.boost)


def concept_counts(branch_keys: list, branch_ids: list[np.ndarray], concepts, doc_count: int) -> np.ndarray | None:
    """How many of ``concepts`` each document holds, from the documents each branch matched; None if under two.

    ``branch_keys[i]`` identifies the branch whose matches are
    ``branch_ids[i]`` (``builder.concept_key``); branches of no concept
    (none, in a plain query) count for nothing.
    """
    owner = {key: number for number, keys in enumerate(concepts) for key in keys}
    held = [np.zeros(doc_count, dtype=bool) for _ in concepts]
    present = set()
    for key, ids in zip(branch_keys, branch_ids, strict=True):
        number = owner.get(key)
        if number is not None and len(ids):
            held[number][ids] = True
            present.add(number)
    if len(present) < 2:
        return None
    counts = np.zeros(doc_count, dtype=np.int16)
    for number in present:
        counts += held[number]
    return counts


def with_nearness(query, parsed, schema):
    """``query`` with a bonus for the words typed close together in a title or body (an ANDMAYBE).

    The bonus is the stemmed fields' phrase of the words, so it adds only to
    articles that match anyway; the array scorer adds it like the answer-kind
    bonus of a question.
    """
    from whoosh import query as q

    phrases = []
    for fieldname in ("title", "body"):
        if fieldname not in schema:
            continue
        stems = list(schema[fieldname].process_text(" ".join(parsed.words), mode="query"))
        if len(stems) > 1:
            phrases.append(q.Phrase(fieldname, stems, slop=NEAR_SLOP, boost=NEAR_BOOST))
    if not phrases:
        return query
    return q.AndMaybe(query, phrases[0] if len(phrases) == 1 else q.Or(phrases))


def for_keywords(query, parsed, schema, by_relevance: bool = True):
    """(the query to rank, the concepts to count or None): keyword queries ranked as readers expect.

    Keywords weigh titles twice; ranked by relevance, two or more of them
    rank all words first and close together first. Anything else is as parsed.
    """
    if not is_keywords(parsed):
        return query, None
    query = with_title_weight(query)
    if not (by_relevance and counts_concepts(parsed)):
        return query, None
    return with_nearness(query, parsed, schema), parsed.concepts
