"""Phrases as Whoosh queries: quotes mean the words as written, and an expansion's full form is a phrase.

``PhraseFactory`` makes the parser's phrases (``"diusir"`` matches that
form, not every form of its root: the exact-form fields' words required
with the phrase of their roots, ``WordsInPhrase``); ``exact_phrases`` asks a
quoted phrase in a named field of its exact twin; ``ExpansionParser``
parses an abbreviation's full form (``Menlu`` -> ``menteri luar negeri``)
leaving out a stemmed phrase that lost words its exact twin keeps. The
query builder (``search.query.builder``) uses them; the ranking stage scores
``WordsInPhrase`` over the posting arrays (``search.ranking.phrases``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from whoosh import qparser
from whoosh import query as q
from whoosh.matching import RequireMatcher

from search.index.schema import EXACT_TWINS

# ``title:"..."``: a quoted phrase in a named text field is asked of its exact twin.
_FIELD_PHRASE = re.compile(r'\b(' + "|".join(EXACT_TWINS.values()) + r'):"')


def exact_phrases(text: str) -> str:
    """``title:"diusir"`` as ``title_exact:"diusir"``: quotes mean the words as written in any field."""
    return _FIELD_PHRASE.sub(lambda m: m.group(1) + '_exact:"', text)


class PhraseFactory:
    """Builds the parser's phrase queries: quotes mean the words as written.

    A quoted word or phrase (``"diusir"``) matches those forms only, not
    every form of their roots (``mengusir``): the stemmed fields get no
    phrase of their own. The exact-form fields store frequencies only
    (schema.py), and Whoosh raises on a Phrase over such a field, so their
    phrase is every exact word in that field, required to come with the
    phrase of their roots in the stemmed twin field (which has positions):
    the words as written, in that order. What is lost: where the stemmed
    phrase is shorter (``"duta besar"`` is ``duta``, ``besar`` being a
    stopword there), the exact words need not be adjacent. A phrase of
    stopwords only (``"yang dan"``) needs all its words.
    """

    def __init__(self, schema: Any, as_written: bool = True) -> None:
        self.schema = schema
        self._has_twin = {twin for exact, twin in EXACT_TWINS.items() if exact in schema}
        self.as_written = as_written  # False: a phrase of the stemmed fields too (an alternative's full form)

    def __call__(self, fieldname: str, words: list[str], slop: int = 1, boost: float = 1.0, char_ranges: Any = None) -> q.Query:
        if fieldname in self._has_twin and self.as_written:
            return q.NullQuery  # its exact twin carries the phrase (see above)
        if fieldname not in self.schema or self.schema[fieldname].format.supports("positions"):
            return q.Phrase(fieldname, words, slop=slop, boost=boost, char_ranges=char_ranges)
        exact = q.And([q.Term(fieldname, word, boost=boost) for word in words])
        twin = EXACT_TWINS.get(fieldname)
        if twin not in self.schema:
            return exact
        stems = list(self.schema[twin].process_text(" ".join(words), mode="query"))
        if not stems:
            return exact
        return WordsInPhrase(exact, q.Phrase(twin, stems, slop=slop))


class WordsInPhrase(q.Require):
    """``a`` (scored) where ``b`` (not scored) matches too.

    Two fixes to Whoosh 2.7.4's ``Require``: its matcher is an
    ``AndNotMatcher`` (it matches ``a`` where ``b`` does *not*), and its
    ``with_boost`` *replaces* the boost of ``a`` with its own (always
    1.0), so merging nested ORs would drop a field's weight.
    """

    def with_boost(self, boost: float) -> WordsInPhrase:
        return self.__class__(self.a.with_boost(self.a.boost * boost), self.b)

    def matcher(self, searcher: Any, context: Any = None) -> RequireMatcher:
        required = self.b.matcher(searcher, searcher.boolean_context())
        return RequireMatcher(self.a.matcher(searcher, context), required)


@dataclass
class ExpansionParser:
    """Whoosh's parser for an alternative's full form, every stemmed phrase that lost words left out of its OR."""

    parser: qparser.MultifieldParser

    def parse(self, text: str) -> q.Query:
        return _drop_lossy_phrases(self.parser.parse(text))


def _drop_lossy_phrases(node: q.Query) -> q.Query:
    if type(node) is q.Or:
        kept = _without_lossy_phrases([_drop_lossy_phrases(child) for child in node.subqueries])
        if kept == node.subqueries:
            return node
        copy = node.copy()
        copy.subqueries = kept
        return copy
    return node if node.is_leaf() else node.apply(_drop_lossy_phrases)


def _without_lossy_phrases(branches: list[q.Query]) -> list[q.Query]:
    """An expansion's branches without a stemmed phrase that lost words its exact twin's branch keeps.

    The stemmed fields drop stopwords, so ``menteri luar negeri`` (Menlu) is
    the phrase ``menteri negeri`` there, and so is ``menteri dalam negeri``
    (Mendagri): on IndoSum 24 of the 66 articles ``menlu`` found were
    Mendagri's. The exact-form branch (``WordsInPhrase``) needs every word as
    written, ``luar`` too, beside that phrase; it alone stands for the full
    form when the stemmed phrase is shorter. Only 4 of IndoSum's 43 Mendagri
    articles hold ``luar`` somewhere else. ``duta besar`` (Dubes) is the
    stemmed term ``duta`` alone, which any ``duta wisata`` holds.
    """
    guarded = {
        _phrase_words(node.b) for node in branches
        if type(node) is WordsInPhrase and type(node.a) is q.And and type(node.b) in (q.Phrase, q.Term)
        and len(node.a.subqueries) > len(_phrase_words(node.b)[1])
    }
    return [node for node in branches if type(node) is WordsInPhrase or _phrase_words(node) not in guarded]


def _phrase_words(node: q.Query) -> tuple[str, tuple[str, ...]]:
    """(field, words) of a phrase, or of a term (the parser's phrase of one word); nothing of anything else."""
    if type(node) is q.Phrase:
        return node.fieldname, tuple(node.words)
    if type(node) is q.Term:
        return node.fieldname, (node.text,)
    return "", ()
