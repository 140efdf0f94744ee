"""Completions while the reader types: words, names and titles of the index that start with what was typed.

``kaza`` -> ``kazakhstan`` (a word of the titles, the most frequent first;
for a longer prefix the body's words too), ``tempo`` -> ``Tempo.co`` (a
publisher, or an author's whole name), ``setya nov`` -> the newest titles
holding ``setya`` and a word starting with ``nov``.

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
import re
from dataclasses import dataclass

import numpy as np

TITLE_WORDS = "title_exact"  # exact (unstemmed, lower-case) forms: what a completion must show
BODY_WORDS = "body_exact"
MIN_PREFIX = 2  # one letter matches too much to be a useful completion
BODY_FROM = 3  # letters typed before the body's words are looked up too
BODY_LOOKUPS = 60  # body words read per suggestion, at most
MAX_TYPED = 100
_WORD = re.compile(r"\w+")


@dataclass
class Suggestion:
    text: str
    kind: str  # "word", "name" or "title"
    id: str | None = None  # the article, for a title

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, **({"id": self.id} if self.id else {})}


class SuggestionTable:
    """The completions of one open index (a Whoosh searcher and the array scorer's postings and dates)."""

    def __init__(self, searcher, postings, dates):
        self._searcher = searcher
        self._postings = postings
        self._dates = dates
        reader = searcher.reader()
        self.words = _lexicon(reader, TITLE_WORDS)
        self.frequency = np.array([postings.doc_frequency(TITLE_WORDS, w) for w in self.words], dtype=np.int64)
        self.sources = _lexicon(reader, "source_id")
        self.author_words = _lexicon(reader, "author")

    def suggest(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Up to ``limit`` completions of ``typed``: words first, then names, then titles."""
        typed = " ".join(typed.split())[:MAX_TYPED]
        head, _, last = typed.rpartition(" ")
        last = last.lower()
        if len(typed) < MIN_PREFIX or len(last) < 1:
            return []
        words = self._words(last, limit) if len(last) >= MIN_PREFIX else []
        out = [Suggestion(f"{head} {w}".strip(), "word") for w in words]
        out += [Suggestion(name, "name") for name in self._names(typed, last)]
        out += self._titles(head, words or [last])
        seen: set[str] = set()
        unique = []
        for suggestion in out:
            if suggestion.text.lower() != typed.lower() and suggestion.text.lower() not in seen:
                seen.add(suggestion.text.lower())
                unique.append(suggestion)
        return unique[:limit]

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
        return sorted(words, key=lambda w: -self._postings.doc_frequency(BODY_WORDS, w))

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

    def _titles(self, head: str, completions: list[str]) -> list[Suggestion]:
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
            out.append(Suggestion(fields.get("title", ""), "title", fields["id"]))
        return out


def _lexicon(reader, fieldname: str) -> list[str]:
    """The field's words, sorted (as the lexicon gives them), or none if the schema has no such field."""
    if fieldname not in reader.schema.names():
        return []
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)]
