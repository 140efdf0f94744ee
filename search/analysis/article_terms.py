"""An article's words as related articles weigh them: title, lead and the rest, names kept whole.

``search.ranking.related`` picks an article's telling words from these, and
``search.index.topics`` learns the archive's topics from them (one analysis,
the same weights at build time and at query time).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from search.analysis.tokens import analyse

TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
LEAD_CHARS = 600  # the lead: the first paragraph, or this much of a text without paragraphs

Bag = dict[str, float]  # "s:root" or "n:Name" -> weight in one article


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
        at = token.start - 1
        while at >= 0 and text[at].isspace():
            at -= 1
        opens_sentence = at < 0 or text[at] in '.!?"“:'
        name = written[:1].isupper() and not opens_sentence and token.stem != token.word and token.word.isalpha()
        terms.append(("name", token.word) if name else ("stem", token.stem))
    return terms


@dataclass
class ArticleTerms:
    """The written terms (``written_terms``) of an article's title, lead and rest, read once."""

    title: str
    body: str
    in_title: list[tuple[str, str]]
    in_lead: list[tuple[str, str]]
    in_rest: list[tuple[str, str]]

    @classmethod
    def of(cls, title: str, body: str) -> ArticleTerms:
        lead, rest = lead_and_rest(body)
        return cls(title, body, written_terms(title), written_terms(lead), written_terms(rest))


def bag_of(article: ArticleTerms, whole: bool = True) -> Bag:
    """The article's words weighted as the topics weigh them (``search.index.topics``): title 3, lead 2, each
    count in the body 1 + log count; ``whole=False``: the title and lead alone. Keys ``s:root`` and ``n:Name``."""
    weights: Bag = {}
    for terms, weight in ((article.in_title, TITLE_WEIGHT), (article.in_lead, LEAD_WEIGHT)):
        for kind, term in terms:
            key = kind[0] + ":" + term
            weights[key] = weights.get(key, 0.0) + weight
    if whole:
        for (kind, term), count in Counter(article.in_rest).items():
            key = kind[0] + ":" + term
            weights[key] = weights.get(key, 0.0) + 1 + math.log(count)
    return weights


def text_bag(title: str, body: str) -> Bag:
    """``bag_of`` an article's whole text (what the topics are learned from)."""
    return bag_of(ArticleTerms.of(title, body))


def head_bag(title: str, body: str) -> Bag:
    """``bag_of`` an article's title and lead alone (what a candidate's topics are read from: ~0.2 ms)."""
    lead, _ = lead_and_rest(body)
    return bag_of(ArticleTerms(title, lead, written_terms(title), written_terms(lead), []), whole=False)


