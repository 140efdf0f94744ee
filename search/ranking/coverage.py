"""Every word: a keyword query means the articles holding every word asked for (any form of it).

Like the engines readers know (Google, Kompas.com's search, Meilisearch's
default matching strategy), ``banjir jakarta`` is the articles holding both
words, in every order the reader asks for: newest first, the count, the
facets. Each concept (a word and its alternatives, ``ParsedQuery.concepts``)
an article holds counts one; a word typed in pieces (``covid19``, ``covid
19``) is one concept, held when every piece is (``parsed.Compound``). Only when fewer than ``WIDEN_BELOW`` articles
hold them all does the query widen to those holding most of them (all but
one, then fewer), and the results say so (``matched``: ``all`` or ``most``).
By relevance the count orders the results, BM25F within the same count;
within it, articles holding the words together (the words typed, as a
phrase with a little slop) first. Questions and sentences are ranked by
BM25F over partial matches: their words are many and only some of them are
in the answer (docs/relevance.md); by date, only their best-matching
articles are listed (``BEST_BY_DATE``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as q

# A query of more concepts than this is a sentence or a question, not keywords.
from search.query.alternatives import MAX_KEYWORDS as MAX_KEYWORD_CONCEPTS
from search.query.parsed import Compound, Concept, ParsedQuery, concept_pieces
from search.ranking.doclists import present, union

# Fewer articles than this holding every word: the query widens to those holding most of them.
WIDEN_BELOW = 3
# What a question's or a sentence's date order lists: its best articles by
# relevance, at most this many, scoring at least this share of the best.
BEST_BY_DATE = 50
BEST_SHARE = 0.5

# Words this far apart still count as together (``menteri luar negeri`` and
# ``menteri urusan luar negeri``), and what that adds to the score.
NEAR_SLOP = 3
NEAR_BOOST = 1.0


# In keywords, how much more a title counts: a headline naming the topic is
# what the article is about (the weights of ``weights.py`` are tuned for
# sentences and questions, which a title rarely answers). 4: the title weighs
# twice the body, as in Lucene-based engines' defaults; chosen on the keyword
# set's tuning half, reported on its test half (docs/relevance.md, issue 27).
KEYWORD_TITLE_FACTOR = 4.0
TITLE_FIELDS = ("title", "title_exact")


def is_keywords(parsed: ParsedQuery) -> bool:
    """Whether ``parsed`` (a ParsedQuery) is keywords: 1 to 5 words (a compound's pieces counted), not a question."""
    return not parsed.question and bool(parsed.concepts) and 1 <= len(parsed.words) <= MAX_KEYWORD_CONCEPTS


def counts_concepts(parsed: ParsedQuery) -> bool:
    """Whether ``parsed`` is ranked all words first: keywords of two concepts or more, or a compound."""
    return is_keywords(parsed) and (
        len(parsed.concepts) >= 2 or any(isinstance(concept, Compound) for concept in parsed.concepts))


def with_title_weight(query: q.Query, factor: float | None = None) -> q.Query:
    """A copy of a plain OR query with its title terms weighing ``factor`` (``KEYWORD_TITLE_FACTOR``) times more."""
    factor = KEYWORD_TITLE_FACTOR if factor is None else factor
    if type(query) is not q.Or or factor == 1:
        return query
    branches = [
        q.Term(node.fieldname, node.text, boost=node.boost * factor)
        if type(node) is q.Term and node.fieldname in TITLE_FIELDS else node
        for node in query.subqueries
    ]
    return q.Or(branches, boost=query.boost)


def concept_parts(branch_keys: list, concepts: tuple[Concept, ...]) -> list[list[list[int]]]:
    """The branches of each concept asked, piece by piece: indexes into ``branch_keys``, a list a piece
    (a word is one piece, a ``Compound`` one a piece asked), a list of them a concept.

    ``branch_keys[i]`` identifies a branch of the query (``builder.concept_key``).
    A piece is asked when one of its branches is in the query, whether or
    not it matches anything (a stopword most articles hold is pruned away and
    is not asked), a concept when a piece of it is; branches of no concept
    (none, in a plain query) count for nothing. A branch may be in several
    pieces (a compound's joined form is in each of its pieces).
    """
    owners: dict[Any, list[tuple[int, int]]] = {}
    for number, concept in enumerate(concepts):
        for piece, keys in enumerate(concept_pieces(concept)):
            for key in keys:
                owners.setdefault(key, []).append((number, piece))
    found: dict[int, dict[int, list[int]]] = {}
    for i, key in enumerate(branch_keys):
        for number, piece in owners.get(key, ()):
            found.setdefault(number, {}).setdefault(piece, []).append(i)
    return [list(pieces.values()) for pieces in found.values()]


def concept_groups(branch_keys: list, concepts: tuple[Concept, ...]) -> list[list[int]]:
    """The branches of each piece asked (``concept_parts``, flattened): a document holds every concept
    when it is in one list of each group (``holding_all``)."""
    return [piece for pieces in concept_parts(branch_keys, concepts) for piece in pieces]


def concept_counts(
    branch_keys: list, branch_ids: list[np.ndarray], concepts: tuple[Concept, ...], doc_count: int
) -> tuple[np.ndarray, int] | None:
    """(how many of the concepts asked each document holds, how many were asked); None if under two
    pieces (one word: every match holds it).

    ``branch_ids[i]`` are the matches of the branch ``branch_keys[i]`` (``concept_parts``).
    """
    parts = concept_parts(branch_keys, concepts)
    if sum(map(len, parts)) < 2:
        return None
    # int8 (a query has at most MAX_KEYWORD_CONCEPTS): the flags are added as their own bytes, without a cast.
    counts = np.zeros(doc_count, dtype=np.int8)
    for pieces in parts:
        held = None
        for group in pieces:
            flags = np.zeros(doc_count, dtype=bool)
            for i in group:
                if len(branch_ids[i]):
                    flags[branch_ids[i]] = True
            held = flags if held is None else held & flags
        counts += held.view(np.int8)  # type: ignore[union-attr]
    return counts, len(parts)


def holding_all(groups: list[list[np.ndarray]], doc_count: int) -> np.ndarray:
    """The documents (ascending) in at least one list of every group (a concept's branches' matches, as
    ``concept_groups`` groups them): what ``all_or_most`` keeps, found by looking the rarest concept's
    documents up in the others' lists rather than counting every document."""
    groups = sorted(groups, key=lambda lists: sum(map(len, lists)))
    found = union(groups[0], doc_count)
    for lists in groups[1:]:
        if not len(found):
            break
        found = found[present(lists, found, doc_count)]
    return found


def all_or_most(held: np.ndarray, asked: int, matched: np.ndarray) -> tuple[np.ndarray, str]:
    """(the documents of ``matched`` holding every concept, ``"all"``), or, when fewer than
    ``WIDEN_BELOW`` do, those holding most of them (all but one, else fewer) and ``"most"``. One concept
    asked (a compound, ``covid19``) is never widened: its pieces apart are not what was asked."""
    every = matched & (held >= asked)
    if asked < 2 or np.count_nonzero(every) >= WIDEN_BELOW:
        return every, "all"
    for need in range(asked - 1, 0, -1):
        most = matched & (held >= need)
        if np.count_nonzero(most) >= WIDEN_BELOW:
            break
    if np.count_nonzero(most) == np.count_nonzero(every):
        return every, "all"  # widening found no article missing a word: every result still holds them all
    return most, "most"


def with_nearness(query: q.Query, parsed: ParsedQuery, schema: Any) -> q.Query:
    """``query`` with a bonus for the words typed close together in a title or body (an ANDMAYBE).

    The bonus is the stemmed fields' phrase of the words, so it adds only to
    articles that match anyway; the array scorer adds it like the answer-kind
    bonus of a question. A typo's correction stands close to the other words
    too (``nusa tengara barat``: ``nusa tenggara barat``), and so does a
    compound written joined (``galaxy s8``).
    """
    phrases = []
    corrected = dict(parsed.corrections)
    # A compound joined too: ``galaxy s8`` is held by articles that write S8 (``s`` alone has no place).
    spellings = dict.fromkeys((parsed.words, tuple(corrected.get(word, word) for word in parsed.words),
                               parsed.joined_words()))
    for words in spellings:
        for fieldname in ("title", "body"):
            if fieldname not in schema:
                continue
            stems = list(schema[fieldname].process_text(" ".join(words), mode="query"))
            if len(stems) > 1:
                phrases.append(q.Phrase(fieldname, stems, slop=NEAR_SLOP, boost=NEAR_BOOST))
    if not phrases:
        return query
    return q.AndMaybe(query, phrases[0] if len(phrases) == 1 else q.Or(phrases))


def is_sentence(parsed: ParsedQuery) -> bool:
    """Whether ``parsed`` is a question or a pasted sentence (plain words, more than keywords)."""
    return parsed.question or len(parsed.words) > MAX_KEYWORD_CONCEPTS


def for_keywords(
    query: q.Query, parsed: ParsedQuery, schema: Any, by_relevance: bool = True
) -> tuple[q.Query, tuple[Concept, ...] | None]:
    """(the query to rank, the concepts every result must hold, or None): keywords as readers expect them.

    Keywords weigh titles twice; two or more of them mean the articles
    holding them all (``all_or_most``), ranked by relevance close together
    first. Anything else is as parsed.
    """
    if not is_keywords(parsed):
        return query, None
    query = with_title_weight(query)
    if not counts_concepts(parsed):
        return query, None
    return (with_nearness(query, parsed, schema) if by_relevance else query), parsed.concepts
