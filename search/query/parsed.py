"""The parsed query: everything later stages need to know about the user's text, worked out once."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from whoosh import query as q

from search.analysis.abbreviations import spelled_out
from search.query.rewrite import Expansion

# A question's best results that the re-rank reorders (search.ranking.rerank):
# a question fetches at least this many, whatever the page size.
QUESTION_DEPTH = 10


class Compound(tuple[frozenset, ...]):
    """One word typed in pieces (``covid19``, ``covid-19``, ``covid 19``), one concept: each piece's
    branch keys (``builder.concept_key``), the joined form's among every piece's.

    An article holds it when it holds every piece (any form of each: the
    index holds ``covid-19`` as ``covid`` and ``19``), or the joined form
    (which holds every piece). Widening to most of the words never keeps a
    piece alone (``19`` is not ``covid19``). Where the pieces stand is not
    asked: a letter (``e``, ``u``) is a stopword, whose place the index does
    not keep; pieces written together rank first (``coverage.with_nearness``).
    """

    __slots__ = ()


# A thing asked for: a word and its alternatives (its branches' keys: any of them holds it), or a Compound.
Concept = frozenset | Compound


def concept_pieces(concept: Concept) -> tuple[frozenset, ...]:
    """What an article must hold every one of to hold ``concept``: each a set of branch keys, any of which holds it."""
    return tuple(concept) if isinstance(concept, Compound) else (concept,)


@dataclass(frozen=True)
class ParsedQuery:
    """What a query asks for, read from its text once; ranking and highlighting read this, never the text.

    ``query`` is the Whoosh query to rank; ranking may replace it by a
    pruned copy (:meth:`with_query`), and what to highlight follows it.
    """

    text: str  # as the user typed it (checked: no control characters, stripped)
    query: Any  # a whoosh.query.Query
    question: bool  # a question: its best passages are re-ranked by how they answer it
    asked: str | None  # the kind of answer a question asks for: date, number, place, or None
    question_words: frozenset[str]  # the question's own words, lowercased: no answer repeats them
    expansions: tuple[Expansion, ...] = ()  # words searched with their alternatives (variants, typos, ...)
    # Each thing asked for (a word and its alternatives) as the keys of its
    # branches (``builder.concept_key``), a word typed in pieces as one
    # ``Compound``; empty for a query with syntax.
    concepts: tuple[Concept, ...] = ()
    words: tuple[str, ...] = ()  # the words of the concepts (a compound's pieces), lowercased, in the order typed
    compounds: tuple[tuple[str, ...], ...] = ()  # the words of each Compound of ``concepts`` (``covid``, ``19``)
    as_words: bool = False  # the text broke the query syntax (a stray " or paren) and was read as plain words

    def fetch_depth(self, limit: int) -> int:
        """How many results to rank for a page of ``limit``: a question needs ``QUESTION_DEPTH`` to re-rank."""
        return max(limit, QUESTION_DEPTH) if self.question else limit

    @property
    def corrections(self) -> list[tuple[str, str]]:
        """(word as typed, spelling also searched) of each typo corrected."""
        pairs = (pair for expansion in self.expansions for pair in expansion.corrections())
        return list(dict.fromkeys(pairs))  # a word typed twice is corrected once

    def joined_words(self) -> tuple[str, ...]:
        """``words`` with each compound's pieces written joined (``galaxy s 8``: ``galaxy s8``)."""
        words, joined, at = self.words, [], 0
        while at < len(words):
            pieces = next((c for c in self.compounds if words[at : at + len(c)] == c), None)
            joined.append("".join(pieces) if pieces else words[at])
            at += len(pieces) if pieces else 1
        return tuple(joined)

    def with_query(self, query: Any) -> ParsedQuery:
        """The same request with another Whoosh query (the one ranking kept)."""
        return replace(self, query=query)

    def matcher(self) -> TermMatcher:
        """What marks this query's matches in snippets and titles (a :class:`TermMatcher`).

        Every wanted term (not under NOT): the stemmed fields' as roots, the
        exact fields' (stopwords, quoted forms) as words written.
        A phrase's words (a quoted phrase, an abbreviation's full form:
        ``pemilihan kepala daerah`` for ``pilkada``, which the index holds
        as ``pilkada`` where it stands) are marked only where
        they stand together as the phrase, not each wherever it is
        (``daerah`` alone, ``Komisi Pemilihan Umum``).
        """
        wanted, free, phrases = asked_terms(self.query)
        roots = [text for fieldname, text in wanted if fieldname in ("title", "body")]
        words = [text for fieldname, text in wanted if fieldname in ("title_exact", "body_exact")]
        # An abbreviation matches where its full form stands (search.analysis.abbreviations): marked as the phrase.
        full_forms = spelled_out({text for _, text in wanted})
        phrases = [*phrases, *((False, full) for full in full_forms)]
        words += [word for full in full_forms for word in full]
        if not phrases and set(free) == set(wanted):
            return TermMatcher.from_terms(roots, words)
        return TermMatcher.from_terms(roots, words).with_phrases(
            {text for fieldname, text in free if fieldname in ("title", "body")},
            {text for fieldname, text in free if fieldname in ("title_exact", "body_exact")},
            phrases,
        )


@dataclass(frozen=True)
class TermMatcher:
    """Decides whether an analysed word part is one the query asked for: by its root, or as written.

    ``terms`` are roots (the stemmed fields' terms: ``usir`` marks
    ``mengusir``); ``words`` are forms as written, lowercased (the exact
    fields' terms: a quoted ``"diusir"``, or a stopword such as ``yang``,
    which has no root).
    """

    terms: frozenset[str]
    patterns: tuple[re.Pattern, ...] = ()
    words: frozenset[str] = frozenset()
    # The terms and words asked for alone (marked wherever they stand); None: all of them. The others are
    # a phrase's, marked where they stand as one of ``phrases``: (of roots, its roots or its words as written).
    free_terms: frozenset[str] | None = None
    free_words: frozenset[str] = frozenset()
    phrases: tuple[tuple[bool, tuple[str, ...]], ...] = ()

    @classmethod
    def from_terms(cls, terms: Iterable[str], words: Iterable[str] = ()) -> TermMatcher:
        """From query terms (roots) and exact words; ``kazak*`` style wildcards become patterns."""
        plain, patterns = set(), []
        for term in terms:
            if "*" in term or "?" in term:
                patterns.append(re.compile(fnmatch.translate(term)))
            else:
                plain.add(term)
        return cls(frozenset(plain), tuple(patterns), frozenset(w for w in words if "*" not in w and "?" not in w))

    def with_phrases(self, free_terms: Iterable[str], free_words: Iterable[str],
                     phrases: Iterable[tuple[bool, tuple[str, ...]]]) -> TermMatcher:
        """This matcher, marking only ``free_terms`` and ``free_words`` alone and the rest within ``phrases``."""
        return replace(self, free_terms=frozenset(free_terms), free_words=frozenset(free_words),
                       phrases=tuple(dict.fromkeys(phrases)))

    def alone(self, stem: str | None, word: str) -> bool:
        """Whether a word part it wants is marked wherever it stands, not only within a phrase."""
        if self.free_terms is None:
            return True
        return word in self.free_words or (stem is not None and (
            stem in self.free_terms or any(p.match(stem) for p in self.patterns)))

    def __call__(self, token: str | None) -> bool:
        return token is not None and (token in self.terms or any(p.match(token) for p in self.patterns))

    def wants(self, stem: str | None, word: str) -> bool:
        """Whether a word part (its root, and its form as written) is marked."""
        return word in self.words or self(stem)

    def __bool__(self) -> bool:
        return bool(self.terms or self.patterns or self.words)


Terms = list[tuple[str, str]]  # (field, text) of each term, in the query's order
Phrases = list[tuple[bool, tuple[str, ...]]]  # (of roots, the phrase's words in order)


def asked_terms(query: q.Query) -> tuple[Terms, Terms, Phrases]:
    """In one walk of the query: every term it asks for (``positive_terms``), those asked for alone, and the phrases.

    A phrase is a ``Phrase`` of the stemmed fields (roots) or the words as
    written that a ``Require`` asks for with the phrase of their roots
    (``phrase_queries.WordsInPhrase``: a quoted phrase, an abbreviation's full
    form); the terms in them are not asked for alone (the root ``usir`` that
    a quoted ``"diusir"`` requires is not).
    """
    wanted: Terms = []
    free: Terms = []
    phrases: Phrases = []

    def walk(node: q.Query) -> None:
        if isinstance(node, q.Not):
            return
        if isinstance(node, q.AndNot):
            walk(node.a)
        elif isinstance(node, q.Require):
            written = positive_terms(node.a)
            wanted.extend(written)
            wanted.extend(positive_terms(node.b))
            if len(written) > 1:
                phrases.append((written[0][0] in ("title", "body"), tuple(text for _, text in written)))
            else:
                free.extend(written)
            if isinstance(node.b, q.Phrase) and len(node.b.words) > 1:
                phrases.append((True, tuple(node.b.words)))
        elif node.is_leaf():
            terms = positive_terms(node)
            wanted.extend(terms)
            if isinstance(node, q.Phrase) and len(node.words) > 1:
                phrases.append((node.fieldname in ("title", "body"), tuple(node.words)))
            else:
                free.extend(terms)
        else:
            for child in node.children():
                walk(child)

    walk(query)
    return wanted, free, phrases


def positive_terms(query: q.Query) -> list[tuple[str, str]]:
    """(field, text) of every term the query asks for, minus those under NOT."""
    if isinstance(query, q.Not):
        return []
    if isinstance(query, q.AndNot):
        return positive_terms(query.a)
    if query.is_leaf():
        if isinstance(query, (q.Prefix, q.Wildcard)):
            return [(query.fieldname, query.text + ("*" if isinstance(query, q.Prefix) else ""))]
        return list(query.terms(phrases=True)) if query.has_terms() else []
    found = []
    for child in query.children():
        found.extend(positive_terms(child))
    return found
