"""Completions while the reader types: words, names and titles of the index that start with what was typed.

``kaza`` -> ``kazakhstan`` (a word of the titles, the most frequent first;
for a longer prefix the body's words held by two articles or more too),
``tempo`` -> ``Tempo.co`` (a publisher, or an author's whole name),
``setya nov`` -> ``setya novanto`` and the newest titles holding ``setya``
and a word starting with ``nov``. Every completion is a phrase some article
holds: after other words, a word is offered only where an article's title
or text has it right after them (``piala dun`` -> ``piala dunia``, never
``piala dunkirk``), those found together in the most articles first
(``search.next_words``). What they are depends on the archive's content
alone: counts are of live articles, and what picks a few articles of many
takes them newest first, equal dates by id, never by document number.

Everything comes from what an open index already has at hand, so that a
suggestion costs milliseconds on 100,000 articles (p99 about 8 ms of CPU,
``bench/suggest.py``) and the table 0.1 s when first asked for: the title
words and their document counts (the title lexicon: 26,000 words for
100,000 articles, read in one pass over the term dictionaries; the body's
600,000 are looked up only a few at a time, from the prefix on), the
publisher and author lexicons, and the posting arrays and date order of the
array scorer for the titles; the articles' order by date and id is made
when first asked for (~0.1 s more). Stored fields are read only for the
few articles read after other words and the suggestions shown.
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from search._whoosh.postings import PostingArrays
from search._whoosh.term_dictionary import field_doc_frequencies, prefix_doc_frequencies
from search.analysis.stemmer import shared_stemmer
from search.next_words import BODY_FROM, BODY_WORDS, TITLE_WORDS, NextWords
from search.ranking.dates import ArchiveOrder, DateOrder

MIN_PREFIX = 2  # one letter matches too much to be a useful completion
BODY_LOOKUPS = 60  # body words read per suggestion, at most
MIN_BODY_ARTICLES = 2  # a body word in one article alone is most often a typo (jokowiiriana)
PHRASE_WORDS = 3  # a completion follows at most this many words typed before it (what is checked)
MAX_TYPED = 100
_WORD = re.compile(r"\w+")


@dataclass
class Completion:
    text: str
    kind: str  # "word", "name" or "title"
    id: str | None = None  # the article, for a title

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, **({"id": self.id} if self.id else {})}


TIP_CANDIDATES = 300  # the title words in the most titles the tips are chosen from


class CompletionTable:
    """The completions of one open index (a Whoosh searcher and the array scorer's postings and dates)."""

    def __init__(self, searcher: Any, postings: PostingArrays, dates: DateOrder) -> None:
        self._searcher = searcher
        self._postings = postings
        self._dates = dates
        reader = searcher.reader()
        # One pass over the title lexicon with its counts (a lookup per word took 1.5 s on 100,000
        # articles). The counts include deleted articles: those shown are counted again (``_words``).
        self.words, self.frequency = _lexicon_counts(reader, TITLE_WORDS)
        self._has_deletions = not bool(postings.live.all())
        self.sources = _lexicon(reader, "source_id")
        self.author_words = _lexicon(reader, "author")
        self._tips: list[str] | None = None
        self._order: ArchiveOrder | None = None
        self.next_words = NextWords(searcher, postings, lambda: self.order, self._words, self._body_words)

    @property
    def order(self) -> ArchiveOrder:
        """The articles newest first, equal dates by id (made when first asked for): whatever picks a few articles
        of many takes them in this order, so that completions are the archive's, whatever its document numbers."""
        if self._order is None:
            self._order = ArchiveOrder(self._searcher.reader(), self._dates)
        return self._order

    def complete(self, typed: str, limit: int = 8) -> list[Completion]:
        """Up to ``limit`` completions of ``typed``: words first, then names, then titles."""
        typed = " ".join(typed.split())[:MAX_TYPED]
        head, _, last = typed.rpartition(" ")
        last = last.lower()
        if len(typed) < MIN_PREFIX or len(last) < 1:
            return []
        words = self.completions(head, last, limit) if len(last) >= MIN_PREFIX else []
        out = [Completion(f"{head} {w}".strip(), "word") for w in words]
        out += [Completion(name, "name") for name in self._names(typed, last)]
        out += self._titles(head, words or [last])
        seen: set[str] = set()
        unique = []
        for suggestion in out:
            if suggestion.text.lower() != typed.lower() and suggestion.text.lower() not in seen:
                seen.add(suggestion.text.lower())
                unique.append(suggestion)
        return unique[:limit]

    def completions(self, head: str, last: str, limit: int) -> list[str]:
        """Words starting with ``last`` that some article holds right after the words of ``head``, most often first.

        Without ``head``: the words starting with ``last`` (``_words``).
        """
        before = _WORD.findall(head.lower())[-PHRASE_WORDS:]
        return self.next_words.after(before, last, limit) if before else self._words(last, limit)

    def tip_words(self) -> list[str]:
        """Two names in the most titles (a word with no dictionary root, 4 letters or more, in fewer
        than a tenth of the articles: a subject, not the country), the second in articles with the first."""
        if self._tips is not None:
            return self._tips

        is_name = shared_stemmer().is_name_like
        if self._has_deletions:  # the lexicon's counts include removed articles: the live titles counted again
            ranked = self._live_first(0, self.frequency, TIP_CANDIDATES)
        else:
            ranked = [self.words[i] for i in np.argsort(-self.frequency, kind="stable")[:TIP_CANDIDATES].tolist()]
        holding = self.next_words.holding_word
        common = [word for word in ranked if word.isalpha() and len(word) >= 4
                  and is_name(word) and len(holding(word)) < self._postings.live_count / 10]
        self._tips = []
        if common:
            first = self.next_words.holding_word(common[0])
            together = [(len(np.intersect1d(first, self.next_words.holding_word(word), assume_unique=True)), word)
                        for word in common[1:30]]
            best = max(together, default=(0, ""))
            self._tips = [common[0]] + ([best[1]] if best[0] else [])
        return self._tips

    def frequent_completions(self, prefix: str, limit: int, share: float) -> list[str]:
        """The words starting with ``prefix`` in the most articles, at most ``limit``, each in at least
        ``share`` of the articles the first is in (``gem``: gempa, not gemini as well)."""
        words = self._words(prefix, limit)
        counts = [len(self.next_words.holding_word(word)) for word in words]
        return [word for word, count in zip(words, counts, strict=True) if counts and count >= share * max(counts)]

    def _words(self, prefix: str, limit: int) -> list[str]:
        """The ``limit`` words starting with ``prefix`` in the most titles (then the body's), most first."""
        low = bisect.bisect_left(self.words, prefix)
        high = bisect.bisect_left(self.words, prefix + "\uffff")
        counts = self.frequency[low:high]
        if self._has_deletions:  # the lexicon's counts include deleted articles: counted again
            found = self._live_first(low, counts, limit)
        else:
            top = np.arange(len(counts))
            if len(counts) > limit:  # the best few without sorting the whole range (~2,000 words for "ka")
                threshold = np.partition(counts, len(counts) - limit)[len(counts) - limit]
                top = np.flatnonzero(counts >= threshold)  # those tied with the last one kept too
            top = top[np.lexsort((top, -counts[top]))]  # the most first, equal counts in alphabetical order
            found = [self.words[low + i] for i in top[:limit].tolist()]
        if len(found) < limit and len(prefix) >= BODY_FROM:
            found += [w for w in self._body_words(prefix) if w not in found]
        return found[:limit]

    def _live_first(self, low: int, counts: np.ndarray, limit: int) -> list[str]:
        """The ``limit`` words of the title lexicon from ``low`` on (``counts`` of them, deleted articles counted)
        in the most live titles, equal counts in alphabetical order: words are counted again, the most counted
        first, until the next one's count with the deleted is below the last kept one's without them."""
        live: dict[str, int] = {}
        kept: list[int] = []  # the ``limit`` largest live counts so far, a heap
        for i in np.lexsort((np.arange(len(counts)), -counts)).tolist():
            if len(kept) == limit and counts[i] < kept[0]:
                break
            word = self.words[low + i]
            live[word] = self._live_count(TITLE_WORDS, word)
            if live[word]:
                (heapq.heappush if len(kept) < limit else heapq.heappushpop)(kept, live[word])
        return sorted((word for word in live if live[word]), key=lambda word: (-live[word], word))[:limit]

    def _body_words(self, prefix: str) -> list[str]:
        """Up to BODY_LOOKUPS body words from ``prefix`` on, in the most articles first (those in fewer than
        MIN_BODY_ARTICLES left out), counted from the term dictionaries (deleted articles included)."""
        frequency = prefix_doc_frequencies(self._searcher.reader(), BODY_WORDS, prefix, BODY_LOOKUPS)
        if self._has_deletions:  # the dictionaries' counts include deleted articles: counted again
            frequency = {word: self._live_count(BODY_WORDS, word) for word in frequency}
        return sorted((w for w, n in frequency.items() if n >= MIN_BODY_ARTICLES), key=lambda w: (-frequency[w], w))

    def _live_count(self, fieldname: str, word: str) -> int:
        """How many live articles hold ``word`` in ``fieldname`` (its posting array, kept for what follows)."""
        return int(self._postings.live[self._postings.get(fieldname, word)[0]].sum())

    def _names(self, typed: str, last: str) -> list[str]:
        """Publishers, and whole author names, with a word starting with what was typed."""
        starts = re.compile(r"(?<!\w)" + re.escape(typed.lower())).search
        names = [source for source in self.sources if starts(source.lower())][:3]
        low = bisect.bisect_left(self.author_words, last)
        for word in self.author_words[low:low + 3]:
            if not word.startswith(last):
                break
            ids = self._postings.get("author", word)[0]
            ids = self.order.first(ids[self._postings.live[ids]], 1)  # the newest article's
            author = self._searcher.stored_fields(int(ids[0])).get("author") if len(ids) else None
            if author and starts(author.lower()) and author not in names:
                names.append(author)
        return names[:3]

    def _titles(self, head: str, completions: list[str]) -> list[Completion]:
        """The newest three titles holding every word of ``head`` and one of ``completions``."""
        count = self._postings.doc_count
        matched = np.zeros(count, dtype=bool)
        for word in completions[:3]:
            matched[self._postings.get(TITLE_WORDS, word)[0]] = True
        for word in _WORD.findall(head.lower()):
            within = np.zeros(count, dtype=bool)
            within[self._postings.get(TITLE_WORDS, word)[0]] = True
            matched &= within
        matched &= self._postings.live
        out = []
        for docnum in self.order.newest(matched, 3).tolist():
            fields = self._searcher.stored_fields(docnum)
            out.append(Completion(fields.get("title", ""), "title", fields["id"]))
        return out


def _lexicon(reader: Any, fieldname: str) -> list[str]:
    """The field's words, sorted (as the lexicon gives them), or none if the schema has no such field."""
    if fieldname not in reader.schema.names():
        return []
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)]


def _lexicon_counts(reader: Any, fieldname: str) -> tuple[list[str], np.ndarray]:
    """The field's words, sorted, and how many documents hold each (deleted ones included), read straight
    from each segment's term dictionary (``field_doc_frequencies``)."""
    if fieldname not in reader.schema.names():
        return [], np.zeros(0, dtype=np.int64)
    counts = field_doc_frequencies(reader, fieldname)
    words = sorted(counts)
    return words, np.array([counts[word] for word in words], dtype=np.int64)
