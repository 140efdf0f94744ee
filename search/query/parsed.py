"""The parsed query: everything later stages need to know about the user's text, worked out once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from search.query.rewrite import Expansion

# A question's best results that the re-rank reorders (search.ranking.rerank):
# a question fetches at least this many, whatever the page size.
QUESTION_DEPTH = 10


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
    # branches (``builder.concept_key``); empty for a query with syntax.
    concepts: tuple[frozenset, ...] = ()
    words: tuple[str, ...] = ()  # the words of the concepts, lowercased, in the order typed
    as_words: bool = False  # the text broke the query syntax (a stray " or paren) and was read as plain words

    def fetch_depth(self, limit: int) -> int:
        """How many results to rank for a page of ``limit``: a question needs ``QUESTION_DEPTH`` to re-rank."""
        return max(limit, QUESTION_DEPTH) if self.question else limit

    @property
    def corrections(self) -> list[tuple[str, str]]:
        """(word as typed, spelling also searched) of each typo corrected."""
        pairs = (pair for expansion in self.expansions for pair in expansion.corrections())
        return list(dict.fromkeys(pairs))  # a word typed twice is corrected once

    def with_query(self, query: Any) -> ParsedQuery:
        """The same request with another Whoosh query (the one ranking kept)."""
        return replace(self, query=query)

    def matcher(self):
        """What marks this query's matches in snippets and titles (a ``highlight.spans.TermMatcher``).

        Every wanted term (not under NOT): the stemmed fields' as roots, the
        exact fields' (stopwords, quoted forms) as words written.
        """
        from search.highlight.spans import TermMatcher
        from search.query.builder import positive_terms

        wanted = positive_terms(self.query)
        roots = [text for fieldname, text in wanted if fieldname in ("title", "body")]
        words = [text for fieldname, text in wanted if fieldname in ("title_exact", "body_exact")]
        return TermMatcher.from_terms(roots, words)
