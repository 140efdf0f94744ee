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

A second pass re-ranks the ``RERANKED`` best by their **subject**: the
words of the article's title it comes back to most (count in the whole
article times idf; a title's run of capitalised words that the body writes
as a name, ``Gatot Brajamusti``, ``Gunung Agung``, counted whole, through
the ``names`` field). The ``SUBJECT_TERMS`` best are its subject; a
candidate's score is multiplied by ``SUBJECT_FLOOR`` plus the share of the
subject it is about, by the rule a reader applies: a subject word in its
title, or twice in its text, is about it (once: ``ONCE``). More like this
alone finds the article's rarest words, which are often a side thread (a
Transjakarta bus stop where Ahok is the story; Gatot Nurmantyo for Gatot
Brajamusti).

A third pass weighs in the **topics** the archive was found to have
(``search.index.topics``: latent semantic analysis, learned when the index
was built; each article's point stored then, ``search.index.topic_points``,
so that the pool re-ranked is ``RERANKED_STORED`` deep): a candidate's score, as a share of the best one's, counts
``1 - TOPIC_SHARE``, and the cosine of its topics (from its title and
lead) with the article's (from its whole text) ``TOPIC_SHARE``. Words that
often occur together then count for each other: a power cut story's
related articles are about electricity, not about the ships its telling
word ``kapal`` also names. An index without topics skips this pass.

Copies are left out (``one_per_story``): the article's own text under other
titles (``search.index.stories``) is not related reading, and another
story's copies stand for it once, by the first of them.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable

import numpy as np
from whoosh import query as q

from search._whoosh.postings import PostingArrays
from search.analysis.article_terms import LEAD_WEIGHT, TITLE_WEIGHT, ArticleTerms, bag_of, head_bag
from search.analysis.names import name_terms
from search.index.topics import Bag, Topics
from search.ranking.dates import DateOrder
from search.ranking.scoring import ArrayScorer

TELLING_TERMS = 25
# How much more a telling word counts in another article's title than in its body.
CANDIDATE_TITLE_WEIGHT = 2.0
# Scores within this share of each other are a tie, settled by nearness in time.
TIE_SHARE = 0.1
# Candidates re-ranked by their subject and topics (at least one more than asked for).
RERANKED = 30
# ... and when every candidate's topics are stored (``search.index.topic_points``: reading one costs microseconds,
# analysing its title and lead again ~0.3 ms): the topics re-rank a deeper pool.
RERANKED_STORED = 100
SUBJECT_TERMS = 2
# A candidate about none of the subject keeps this share of its score; about all of it, 1 + this share.
SUBJECT_FLOOR = 0.5
SUBJECT_IDF_POWER = 1.0
ONCE = 0.5  # how much a subject word named once in a candidate's text (not its title) counts
MICROSECONDS_A_DAY = 86_400 * 1_000_000
TOPIC_SHARE = 0.5  # the weight of the topics' cosine beside the score as a share of the best


def by_topics(ranked: list[tuple[int, float]], article: ArticleTerms, topics: Topics,
              stored: Callable[[int], dict]) -> list[tuple[int, float]]:
    """``ranked`` (best first) scored again: ``1 - TOPIC_SHARE`` of the score as a share of the best, plus
    ``TOPIC_SHARE`` of the cosine of the candidate's topics (title and lead) with the article's; best first."""
    point = topics.point(bag_of(article))
    if point is None or not ranked:
        return ranked
    best = ranked[0][1] or 1.0
    scored = []
    for doc, score in ranked:
        other = topics.point_of(doc, functools.partial(_head_bag_of, stored, doc))
        cosine = float(other @ point) if other is not None else 0.0
        scored.append((doc, (1 - TOPIC_SHARE) * score / best + TOPIC_SHARE * cosine))
    return sorted(scored, key=lambda pair: -pair[1])


def _head_bag_of(stored: Callable[[int], dict], doc: int) -> Bag:
    fields = stored(doc)
    return head_bag(fields.get("title", ""), fields.get("body", ""))


def telling_terms(
    article: ArticleTerms, document_frequency: Callable[[str, str], int], doc_count: int
) -> list[tuple[float, str, str]]:
    """(weight, kind, term) of the article's ``TELLING_TERMS`` most telling words, best first.

    ``document_frequency(fieldname, text)`` is how many articles hold a term.
    """
    weights: dict[tuple[str, str], float] = {}
    for terms, weight in ((article.in_title, TITLE_WEIGHT), (article.in_lead, LEAD_WEIGHT)):
        for term in terms:
            weights[term] = weights.get(term, 0.0) + weight
    for term, count in Counter(article.in_rest).items():
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


def subject_terms(
    article: ArticleTerms, document_frequency: Callable[[str, str], int], doc_count: int
) -> list[tuple[float, str, str]]:
    """(weight, kind, term) of the article's ``SUBJECT_TERMS`` subject words, best first.

    A title word weighs its count in the whole article times its idf; a
    kind is "stem" or "name" (``written_terms``), or "run" for a name of
    several words: a run of the ``names`` field (``search.analysis.names``)
    all of whose words the title holds and the text capitalises wherever it
    has them (``Imigrasi ASEAN`` is no name where the text writes
    ``imigrasi`` too), weighed by its most written word's
    count and the idf of the run, in place of its words (which are no
    subject alone even when no other article holds the run: ``Gatot`` of
    ``Gatot Brajamusti``).
    """
    title, text = article.title, article.title + "\n" + article.body
    counts = Counter(article.in_title + article.in_lead + article.in_rest)
    scored: dict[tuple[str, str], float] = {}
    for kind, term in set(article.in_title):
        df = document_frequency("body_exact" if kind == "name" else "body", term)
        if df >= 2:
            scored[(kind, term)] = counts[(kind, term)] * math.log(doc_count / df) ** SUBJECT_IDF_POWER
    title_words = {term for _, term in scored} | set(re.findall(r"\w+", title.lower()))
    lowered = text.lower()
    runs = name_terms(article.body)  # what the names field holds (the title is not in it)
    capitalised = {found[2:] for found in runs if found.startswith("c:")}
    for found in runs:
        run = found[2:].split()
        if (not found.startswith("n:") or len(run) < 2 or not title_words.issuperset(run)
                or not capitalised.issuperset(run)):  # a name: each word capitalised wherever the text has it
            continue
        scored = {key: weight for key, weight in scored.items() if key[1] not in run}
        df = document_frequency("names", found)
        if df >= 2:  # a name no other article holds is no subject to share, nor are its words alone
            written = max(len(re.findall(rf"\b{re.escape(word)}\b", lowered)) for word in run)
            scored[("run", found)] = written * math.log(doc_count / df) ** SUBJECT_IDF_POWER
    best = sorted(((weight, kind, term) for (kind, term), weight in scored.items() if weight > 0), reverse=True)
    return best[:SUBJECT_TERMS]


def _counts_in(postings: PostingArrays, fieldname: str, term: str, docs: np.ndarray) -> np.ndarray:
    """How many times each of ``docs`` (sorted or not) holds ``term`` in ``fieldname`` (0: not at all)."""
    ids, weights = postings.get(fieldname, term)
    if not len(ids):
        return np.zeros(len(docs))
    at = np.clip(np.searchsorted(ids, docs), 0, len(ids) - 1)
    return np.where(ids[at] == docs, weights[at], 0).astype(float)


def about_subject(subject: list[tuple[float, str, str]], docs: np.ndarray, postings: PostingArrays) -> np.ndarray:
    """The share of ``subject`` (``subject_terms``) each of ``docs`` is about, from 0 to 1.

    A word is in an article's title, or twice in its text: 1; once: ``ONCE``.
    A run: all its words in the title, or the run in the ``names`` field and
    each of its words twice; in the ``names`` field: ``ONCE``.
    """
    total = sum(weight for weight, _, _ in subject) or 1.0
    share = np.zeros(len(docs))
    for weight, kind, term in subject:
        if kind == "run":
            named = _counts_in(postings, "names", term, docs) > 0
            words = term[2:].split()
            in_title = np.all([_counts_in(postings, "title_exact", word, docs) > 0 for word in words], axis=0)
            in_text = np.min([_counts_in(postings, "body_exact", word, docs) for word in words], axis=0)
        else:
            title_field, body_field = fields_of(kind)
            named = np.ones(len(docs), dtype=bool)
            in_title = _counts_in(postings, title_field, term, docs) > 0
            in_text = _counts_in(postings, body_field, term, docs)
        about = np.where(in_title | (in_text >= 2), 1.0, np.where(in_text >= 1, ONCE, 0.0))
        share += weight / total * np.where(named, about, 0.0)
    return share


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


def one_per_story(ranked: list[tuple[int, float]], story_of: np.ndarray | None, docnum: int) -> list[tuple[int, float]]:
    """``ranked`` without copies of ``docnum`` and with the first of each other story only
    (``story_of``: each document's story number, -1 for one in no group)."""
    if story_of is None:
        return ranked
    own, seen, kept = int(story_of[docnum]), set(), []
    for doc, score in ranked:
        story = int(story_of[doc])
        if story >= 0:
            if story == own or story in seen:
                continue
            seen.add(story)
        kept.append((doc, score))
    return kept


def more_like(  # noqa: PLR0913
    docnum: int, fields: dict, scorer: ArrayScorer, document_frequency: Callable[[str, str], int], limit: int,
    story_of: np.ndarray | None = None, topics: Topics | None = None, stored: Callable[[int], dict] | None = None,
) -> list[tuple[int, float]]:
    """(document, score) of the ``limit`` articles most like document ``docnum`` (its stored ``fields``), best first.

    ``scorer`` is the index's ``ArrayScorer``: BM25F of the telling words,
    the ``RERANKED`` best times ``SUBJECT_FLOOR`` plus the share of the
    article's subject they are about, nearer in time first among equals,
    one article per story (``story_of``: ``StoryMap.story_of``; None: no groups), then scored again by their
    topics (``by_topics``; ``topics``: the index's, ``stored(doc)``: a document's stored fields; None: not).
    """
    postings = scorer.postings
    article = ArticleTerms.of(fields.get("title", ""), fields.get("body", ""))
    known: dict[tuple[str, str], int] = {}

    def frequency(fieldname: str, text: str) -> int:  # the subject's title words were the telling words' too
        if (fieldname, text) not in known:
            known[(fieldname, text)] = document_frequency(fieldname, text)
        return known[(fieldname, text)]

    query = telling_query(telling_terms(article, frequency, postings.live_count))
    if query is None:
        return []
    stored_points = topics is not None and topics.stored is not None and topics.stored.complete
    ranking = scorer.rank(query, max(RERANKED_STORED if stored_points else RERANKED, limit + 1))
    assert ranking is not None  # an OR of terms is a flat query, which the scorer ranks
    ranked = [(doc, score or 0.0) for doc, score in ranking.results if doc != docnum]
    subject = subject_terms(article, frequency, postings.live_count)
    if subject and ranked:
        share = about_subject(subject, np.array([doc for doc, _ in ranked], dtype=np.int64), postings)
        ranked = sorted(((doc, score * (SUBJECT_FLOOR + about)) for (doc, score), about in zip(ranked, share.tolist(),
                                                                                              strict=True)),
                        key=lambda pair: -pair[1])
    # Copies out before the ties are banded: the article's own copy scores far above anything else.
    ranked = one_per_story(ranked, story_of, docnum)
    if topics is not None and stored is not None:
        ranked = by_topics(ranked, article, topics, stored)
    return nearest_in_time_among_equals(ranked, scorer.dates, docnum)[:limit]
