"""Related articles: more like this over an article's most telling words, near in time first among equals.

The field's method (Lucene's MoreLikeThis, Elasticsearch's
``more_like_this``): the article's words weighted by tf-idf, the title and
the lead (its first paragraph, where a news story says what it is about)
above the body, the best ``TELLING_TERMS`` searched as one query. A word's
weight in the body grows with the log of its count (a long report repeating
``jakarta`` is not about Jakarta). A name is kept whole: a capitalised word
the stemmer would cut (``Bekasi`` -> ``bekas``, ``Novanto``) is searched as
written, in the exact-form fields. Among articles scoring within
``TIE_SHARE`` of each other, the one nearer in time to the article comes
first: the same story's follow-ups, not last year's.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np
from whoosh import query as q

from search.analysis.tokens import analyse
from search.ranking.dates import DateOrder
from search.ranking.scoring import ArrayScorer

TELLING_TERMS = 25
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
# How much more a telling word counts in another article's title than in its body.
CANDIDATE_TITLE_WEIGHT = 2.0
LEAD_CHARS = 600  # the lead: the first paragraph, or this much of a text without paragraphs
# Scores within this share of each other are a tie, settled by nearness in time.
TIE_SHARE = 0.1
# Candidates ranked before the ties are settled, per related article asked for.
CANDIDATES_PER_RESULT = 5
MICROSECONDS_A_DAY = 86_400 * 1_000_000


def lead_and_rest(body: str) -> tuple[str, str]:
    """The body's first paragraph (at most ``LEAD_CHARS``) and the rest."""
    first, _, rest = body.strip().partition("\n")
    if len(first) > LEAD_CHARS:
        cut = first.rfind(" ", 0, LEAD_CHARS)
        cut = cut if cut > 0 else LEAD_CHARS
        return first[:cut], first[cut:] + "\n" + rest
    return first, rest


def written_terms(text: str) -> list[tuple[str, str]]:
    """(field kind, term) of each word of ``text``: ("stem", root), or ("name", word) for a name kept whole."""
    terms = []
    for token in analyse(text):
        if token.stem is None:
            continue
        written = text[token.start:token.end]
        before = text[:token.start].rstrip()[-1:]
        opens_sentence = not before or before in '.!?"“:'
        name = written[:1].isupper() and not opens_sentence and token.stem != token.word and token.word.isalpha()
        terms.append(("name", token.word) if name else ("stem", token.stem))
    return terms


def telling_terms(
    title: str, body: str, document_frequency: Callable[[str, str], int], doc_count: int
) -> list[tuple[float, str, str]]:
    """(weight, kind, term) of the article's ``TELLING_TERMS`` most telling words, best first.

    ``document_frequency(fieldname, text)`` is how many articles hold a term.
    """
    lead, rest = lead_and_rest(body)
    weights: dict[tuple[str, str], float] = {}
    for text, weight in ((title, TITLE_WEIGHT), (lead, LEAD_WEIGHT)):
        for term in written_terms(text):
            weights[term] = weights.get(term, 0.0) + weight
    for term, count in Counter(written_terms(rest)).items():
        weights[term] = weights.get(term, 0.0) + 1 + math.log(count)
    scored = []
    for (kind, text), weight in weights.items():
        field = "body_exact" if kind == "name" else "body"
        df = document_frequency(field, text)
        if df < 2:  # only this article
            continue
        telling = weight * math.log(doc_count / df)
        if telling > 0:  # a word every article holds tells nothing
            scored.append((telling, kind, text))
    scored.sort(reverse=True)
    return scored[:TELLING_TERMS]


def fields_of(kind: str) -> tuple[str, str]:
    """The fields a telling word is searched in: a name as written, any other word by its root."""
    return ("title_exact", "body_exact") if kind == "name" else ("title", "body")


def telling_query(terms: list[tuple[float, str, str]]) -> q.Query | None:
    """An OR of the telling words (``telling_terms``) in the title and body, each boosted by its weight."""
    branches = [q.Term(fieldname, text, boost=weight * (CANDIDATE_TITLE_WEIGHT if fieldname.startswith("title") else 1))
                for weight, kind, text in terms for fieldname in fields_of(kind)]
    return q.Or(branches) if branches else None


def nearest_in_time_among_equals(
    ranked: list[tuple[int, float]], dates: DateOrder, docnum: int
) -> list[tuple[int, float]]:
    """``ranked`` (document, score) best first, reordered so that within ``TIE_SHARE`` of a score
    the article nearer in time to ``docnum`` comes first (undated ones as if a year away)."""
    if not ranked:
        return ranked
    values, dated = dates.values, dates.dated

    def days_away(doc: int) -> float:
        if not (dated[doc] and dated[docnum]):
            return 365.0
        return abs(float(np.int64(values[doc]) - np.int64(values[docnum]))) / MICROSECONDS_A_DAY

    step = TIE_SHARE * (ranked[0][1] or 1.0)
    # Scores in bands of TIE_SHARE of the best; within a band, nearest in time first.
    return sorted(ranked, key=lambda pair: (-math.floor(pair[1] / step), days_away(pair[0]), -pair[1]))


def more_like(
    docnum: int, fields: dict, scorer: ArrayScorer, document_frequency: Callable[[str, str], int], limit: int
) -> list[tuple[int, float]]:
    """(document, score) of the ``limit`` articles most like document ``docnum`` (its stored ``fields``), best first.

    ``scorer`` is the index's ``ArrayScorer``: BM25F of the telling words,
    times the share of them an article holds, nearer in time first among equals.
    """
    postings = scorer.postings
    terms = telling_terms(fields.get("title", ""), fields.get("body", ""), document_frequency, postings.live_count)
    query = telling_query(terms)
    if query is None:
        return []
    ranking = scorer.rank(query, (limit + 1) * CANDIDATES_PER_RESULT)
    assert ranking is not None  # an OR of terms is a flat query, which the scorer ranks
    ranked = [(doc, score or 0.0) for doc, score in ranking.results if doc != docnum]
    return nearest_in_time_among_equals(ranked, scorer.dates, docnum)[:limit]
