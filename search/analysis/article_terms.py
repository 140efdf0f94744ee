"""An article's words as related articles weigh them: title, lead and the rest, names kept whole.

``search.ranking.related`` picks an article's telling words from these, and
``search.index.topics`` learns the archive's topics from them (one analysis,
the same weights at build time and at query time).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from search.analysis.tokens import TOKEN, word_parts

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
    """(field kind, term) of each word of ``text``: ("stem", root), or ("name", word) for a name kept whole.

    A name is a word written with a capital, not opening a sentence (the character before it, spaces passed
    over, is none of ``.!?"“:``), whose root is not itself, in letters only. The words are
    :func:`search.analysis.tokens.analyse`'s, read here from its pieces (each token's remembered parts, without a
    ``Token`` each), and what a sentence opens is looked at only for a word that could be a name: a build places
    every article in the topics from its title and lead (``search.index.topic_points``).
    """
    terms: list[tuple[str, str]] = []
    append = terms.append
    for match in TOKEN.finditer(text):
        at = match.start()
        for part in word_parts(match.group()):
            stem = part.stem
            if stem is None:
                continue
            word = part.word
            start = at + part.start
            if stem != word and text[start:at + part.end][:1].isupper() and word.isalpha():
                before = start - 1
                while before >= 0 and text[before].isspace():
                    before -= 1
                if before >= 0 and text[before] not in _SENTENCE_ENDS:
                    append(("name", word))
                    continue
            append(("stem", stem))
    return terms


_SENTENCE_ENDS = '.!?"“:'  # a capital after one of these (spaces between) opens a sentence: it says nothing


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


