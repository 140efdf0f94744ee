"""Wildcards expanded against the index: each into the words most articles hold, at most a few hundred.

Whoosh expands ``pe*`` into every indexed word it matches and builds a
matcher for each (``*a*`` built 85,128 of them and ran for minutes). Here a
wildcard becomes an OR of at most :data:`MAX_WORDS` terms of its field, the
ones in the most articles first, which the array scorer ranks like any
other words. Counting the articles of a word costs a dictionary read
(~14 µs; ``pe*`` has 141,460 words in the body of 100,000 articles), so it
is done once per wildcard and field while the index is open, checking the
search's deadline as it goes; a count the deadline stops is kept, and the
next search of that wildcard (the user trying again) carries on from there.
The wildcard rules that keep the counting bounded (letters before the
``*``) are ``search.query.wildcards``.
"""

from __future__ import annotations

import copy
import fnmatch
import heapq
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as q

from search.query.budget import CHECK_EVERY, NO_DEADLINE, Deadline
from search.query.wildcards import glob_of, has_wildcards, literal_prefix

# The words one wildcard expands to in one field, most frequent first.
MAX_WORDS = 200
# Wildcards (field, glob) whose words are remembered while the index is open.
REMEMBERED = 4096


class WildcardExpander:
    """Replaces the wildcards of a query with ORs of the words they match in one index."""

    def __init__(self, reader: Any, max_words: int = MAX_WORDS) -> None:
        self._leaves = [leaf for leaf, _ in reader.leaf_readers()]
        self._schema = reader.schema
        self.max_words = max_words
        self._words: OrderedDict[tuple[str, str], tuple[str, ...]] = OrderedDict()  # (field, glob) -> its words
        self._counts: OrderedDict[tuple[str, str], _WordCount] = OrderedDict()  # counts a deadline stopped

    def expand(self, query: q.Query, deadline: Deadline = NO_DEADLINE) -> q.Query:
        """``query`` with each wildcard an OR of its words; a query without wildcards is returned as it is."""
        if not has_wildcards(query):
            return query
        return self._rewritten(query, deadline)

    def _rewritten(self, node: q.Query, deadline: Deadline) -> q.Query:
        glob = glob_of(node)
        if glob is not None:
            return self._words_query(node, glob, deadline)
        if node.is_leaf():
            return node
        if isinstance(node, q.Or):
            expanded = copy.copy(node)  # keeps the group's boost, scale and matcher choice
            expanded.subqueries = [self._rewritten(child, deadline) for child in node.subqueries]
            return expanded
        return node.apply(lambda child: self._rewritten(child, deadline))

    def _words_query(self, node: q.Query, glob: str, deadline: Deadline) -> q.Query:
        """The OR of a wildcard's words, with the wildcard's boost (as Whoosh ORs them), or NullQuery."""
        words = self.words(node.fieldname, glob, deadline)
        if not words:
            return q.NullQuery
        if len(words) == 1:
            return q.Term(node.fieldname, words[0], boost=node.boost)
        return q.Or([q.Term(node.fieldname, word) for word in words], boost=node.boost)

    def words(self, fieldname: str, glob: str, deadline: Deadline = NO_DEADLINE) -> tuple[str, ...]:
        """The words of ``fieldname`` matching ``glob``: the ``max_words`` in the most articles, those first.

        Equal counts go alphabetically. Counts are Whoosh's document
        frequencies (summed over segments), as its scorer reads them.
        QueryTooSlow at the deadline keeps the count so far for the next call.
        """
        key = (fieldname, glob)
        found = self._words.get(key)
        if found is not None:
            self._words.move_to_end(key)
            return found
        if fieldname not in self._schema:
            return ()
        count = self._counts.pop(key, None) or _WordCount([literal_prefix(glob)] * len(self._leaves))
        self._counts[key] = count  # the most recent last; kept if the deadline stops the count
        while len(self._counts) > REMEMBERED:
            self._counts.popitem(last=False)
        self._count_words(fieldname, glob, count, deadline)
        del self._counts[key]
        best = heapq.nsmallest(self.max_words, count.frequencies.items(), key=lambda item: (-item[1], item[0]))
        found = self._words[key] = tuple(word for word, _ in best)
        if len(self._words) > REMEMBERED:
            self._words.popitem(last=False)
        return found

    def _count_words(self, fieldname: str, glob: str, count: _WordCount, deadline: Deadline) -> None:
        """Count the articles of each word matching ``glob``, segment by segment, from where ``count`` stopped."""
        fieldtype = self._schema[fieldname]
        matches = re.compile(fnmatch.translate(glob)).match
        prefix = fieldtype.to_bytes(literal_prefix(glob))
        for i, leaf in enumerate(self._leaves):
            start = count.resume[i]
            if start is None:
                continue
            for n, word in enumerate(_words_from(leaf, fieldtype, fieldname, prefix, start)):
                if not n % CHECK_EVERY and deadline.expired():
                    count.resume[i] = word  # not counted yet: the next call starts with it
                    raise deadline.error()
                if word and matches(word):
                    count.frequencies[word] = count.frequencies.get(word, 0) + leaf.doc_frequency(fieldname, word)
            count.resume[i] = None


@dataclass
class _WordCount:
    """The words of one wildcard counted so far: per segment the word to go on from (None when done)."""

    resume: list[str | None]
    frequencies: dict[str, int] = field(default_factory=dict)


def _words_from(leaf: Any, fieldtype: Any, fieldname: str, prefix: bytes, start: str) -> Iterator[str]:
    """The words of one segment's field from ``start`` on, while they begin with ``prefix``."""
    for found_field, btext in leaf.terms_from(fieldname, start):
        if found_field != fieldname or not btext.startswith(prefix):
            return
        yield fieldtype.from_bytes(btext)
