"""Completions while the reader types: words, names and titles of the index that start with what was typed.

``kaza`` -> ``kazakhstan`` (a word of the titles, the most frequent first;
for a longer prefix the body's words held by two articles or more too),
``tempo`` -> ``Tempo.co`` (a publisher, or an author's whole name),
``setya nov`` -> ``setya novanto`` and the newest titles holding ``setya``
and a word starting with ``nov``. Every completion is a phrase some article
holds: after other words, a word is offered only where an article's title
or text has it right after them (``piala dun`` -> ``piala dunia``, never
``piala dunkirk``), those found together in the most articles first.

Everything comes from what an open index already has at hand, so that a
suggestion costs milliseconds on 100,000 articles and the table costs
about a second when first asked for: the title words and their document
counts (the title lexicon: 26,000 words for 100,000 articles; the body's
600,000 are looked up only a few at a time, from the prefix on), the
publisher and author lexicons, and the posting arrays and date order of the
array scorer for the titles. Stored fields are read only for the few
suggestions shown.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from search._whoosh.postings import PostingArrays
from search.analysis.stemmer import shared_stemmer
from search.ranking.dates import DateOrder

TITLE_WORDS = "title_exact"  # exact (unstemmed, lower-case) forms: what a completion must show
BODY_WORDS = "body_exact"
MIN_PREFIX = 2  # one letter matches too much to be a useful completion
BODY_FROM = 3  # letters typed before the body's words are looked up too
BODY_LOOKUPS = 60  # body words read per suggestion, at most
MIN_BODY_ARTICLES = 2  # a body word in one article alone is most often a typo (jokowiiriana)
PHRASE_WORDS = 3  # a completion follows at most this many words typed before it (what is checked)
PHRASE_CANDIDATES = 40  # title words starting with the last one tried after other words, at most
PHRASE_CHECKS = 8  # articles holding every word whose positions are read, per word tried
PHRASE_TRIES = 5  # words whose positions are read after other words, at most (the most often together first)
MAX_TYPED = 100
_WORD = re.compile(r"\w+")


@dataclass
class Completion:
    text: str
    kind: str  # "word", "name" or "title"
    id: str | None = None  # the article, for a title

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, **({"id": self.id} if self.id else {})}


class CompletionTable:
    """The completions of one open index (a Whoosh searcher and the array scorer's postings and dates)."""

    def __init__(self, searcher: Any, postings: PostingArrays, dates: DateOrder) -> None:
        self._searcher = searcher
        self._postings = postings
        self._dates = dates
        reader = searcher.reader()
        self.words = _lexicon(reader, TITLE_WORDS)
        self.frequency = np.array([postings.doc_frequency(TITLE_WORDS, w) for w in self.words], dtype=np.int64)
        self.sources = _lexicon(reader, "source_id")
        self.author_words = _lexicon(reader, "author")
        self._tips: list[str] | None = None

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
        if not before:
            return self._words(last, limit)
        # The articles holding every word before (ascending): those of the rarest, then kept where the
        # others' lists hold them too. Each candidate is then looked up in its lists for those few
        # articles alone (a binary search each), never its whole lists merged: a common word's lists
        # are tens of thousands of postings on 100,000 articles.
        rarest, *others = sorted(before, key=self._postings_count)
        together = self._holding_word(rarest)
        together = together[self._postings.live[together]]
        for word in others:
            together = self._holding_among(word, together)
        if not len(together):
            return []
        candidates = self._words(last, PHRASE_CANDIDATES)
        if len(last) >= BODY_FROM:
            candidates += [w for w in self._body_words(last) if w not in candidates]
        # The words found with the ones before in the most articles first; positions are read (the
        # costly part) only until ``limit`` are phrases, and for at most PHRASE_TRIES words.
        counted = []
        for word in candidates:
            articles = self._holding_among(word, together)
            if len(articles):
                counted.append((len(articles), word, articles))
        counted.sort(key=lambda found: -found[0])  # stable: equal counts keep the words' own order
        found = []
        for _, word, articles in counted[:PHRASE_TRIES]:
            if self._written_in([*before, word], articles[:PHRASE_CHECKS]):
                found.append(word)
                if len(found) == limit:
                    break
        return found

    def tip_words(self) -> list[str]:
        """Two names in the most titles (a word with no dictionary root, 4 letters or more, in fewer
        than a tenth of the articles: a subject, not the country), the second in articles with the first."""
        if self._tips is not None:
            return self._tips

        is_name = shared_stemmer().is_name_like
        order = np.argsort(-self.frequency, kind="stable")[:300].tolist()
        common = [self.words[i] for i in order if self.words[i].isalpha() and len(self.words[i]) >= 4
                  and is_name(self.words[i]) and len(self._holding_word(self.words[i])) < self._postings.live_count / 10]
        self._tips = []
        if common:
            first = self._holding_word(common[0])
            together = [(len(np.intersect1d(first, self._holding_word(word), assume_unique=True)), word)
                        for word in common[1:30]]
            best = max(together, default=(0, ""))
            self._tips = [common[0]] + ([best[1]] if best[0] else [])
        return self._tips

    def frequent_completions(self, prefix: str, limit: int, share: float) -> list[str]:
        """The words starting with ``prefix`` in the most articles, at most ``limit``, each in at least
        ``share`` of the articles the first is in (``gem``: gempa, not gemini as well)."""
        words = self._words(prefix, limit)
        counts = [len(self._holding_word(word)) for word in words]
        return [word for word, count in zip(words, counts, strict=True) if counts and count >= share * max(counts)]

    def _postings_count(self, word: str) -> int:
        return len(self._postings.get(TITLE_WORDS, word)[0]) + len(self._postings.get(BODY_WORDS, word)[0])

    def _holding_among(self, word: str, articles: np.ndarray) -> np.ndarray:
        """Those of ``articles`` (ascending) holding ``word`` as written in the title or the text."""
        held = np.zeros(len(articles), dtype=bool)
        for fieldname in (TITLE_WORDS, BODY_WORDS):
            ids = self._postings.get(fieldname, word)[0]  # ascending
            if len(ids):
                at = np.searchsorted(ids, articles)
                held |= ids[np.minimum(at, len(ids) - 1)] == articles
        return articles[held]

    def _holding_word(self, word: str) -> np.ndarray:
        """The articles holding ``word`` as written in the title or the text, ascending."""
        return np.union1d(self._postings.get(TITLE_WORDS, word)[0], self._postings.get(BODY_WORDS, word)[0])

    def _written_in(self, words: list[str], articles: np.ndarray) -> bool:
        """Whether the title or text of one of ``articles`` has ``words`` one after the other, as written.

        The few articles holding every word are read whole (their stored
        title and text): a phrase query's matchers decoded the posting blocks
        of every word in every segment, ~13 ms a check on IndoSum.
        """
        written = _phrase_pattern(tuple(words))
        for docnum in articles.tolist():
            fields = self._searcher.stored_fields(docnum)
            if written.search(fields.get("title", "")) or written.search(fields.get("body", "")):
                return True
        return False

    def _words(self, prefix: str, limit: int) -> list[str]:
        """The ``limit`` words starting with ``prefix`` in the most titles (then the body's), most first."""
        low = bisect.bisect_left(self.words, prefix)
        high = bisect.bisect_left(self.words, prefix + "\uffff")
        counts = self.frequency[low:high]
        top = np.argsort(-counts, kind="stable")[:limit]
        found = [self.words[low + i] for i in top.tolist()]
        if len(found) < limit and len(prefix) >= BODY_FROM:
            found += [w for w in self._body_words(prefix) if w not in found]
        return found[:limit]

    def _body_words(self, prefix: str) -> list[str]:
        """Up to BODY_LOOKUPS body words from ``prefix`` on, in the most articles first."""
        reader = self._searcher.reader()
        words: list[str] = []
        for fieldname, text in reader.terms_from(BODY_WORDS, prefix):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            if fieldname != BODY_WORDS or not word.startswith(prefix) or len(words) == BODY_LOOKUPS:
                break
            words.append(word)
        frequency = {word: self._postings.doc_frequency(BODY_WORDS, word) for word in words}
        return sorted((w for w in words if frequency[w] >= MIN_BODY_ARTICLES), key=lambda w: -frequency[w])

    def _names(self, typed: str, last: str) -> list[str]:
        """Publishers, and whole author names, with a word starting with what was typed."""
        starts = re.compile(r"(?<!\w)" + re.escape(typed.lower())).search
        names = [source for source in self.sources if starts(source.lower())][:3]
        low = bisect.bisect_left(self.author_words, last)
        for word in self.author_words[low:low + 3]:
            if not word.startswith(last):
                break
            ids = self._postings.get("author", word)[0]
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
        for docnum in self._dates.newest(matched, 3).tolist():
            fields = self._searcher.stored_fields(docnum)
            out.append(Completion(fields.get("title", ""), "title", fields["id"]))
        return out


@functools.lru_cache(maxsize=1024)
def _phrase_pattern(words: tuple[str, ...]) -> re.Pattern:
    """``words`` one after the other as written (any case, anything not a letter between them)."""
    return re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


def _lexicon(reader: Any, fieldname: str) -> list[str]:
    """The field's words, sorted (as the lexicon gives them), or none if the schema has no such field."""
    if fieldname not in reader.schema.names():
        return []
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)]
