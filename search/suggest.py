"""Completions while the reader types: words, names and titles of the index that start with what was typed.

``kaza`` -> ``kazakhstan`` (a word, the most frequent first), ``tempo`` ->
``Tempo.co`` (a publisher or an author), ``setya nov`` -> a title holding
``Setya Novanto``. The table is made once per open index, on the first
suggestion asked for (a reader who never types into the box costs
nothing), and every lookup after that is a binary search and a scan in C:
a prefix's words are one slice of a sorted array, and names and titles are
found by one regular expression over their joined lower-case text.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

# The exact (unstemmed, lower-case) forms: what a completion must show.
WORD_FIELDS = ("title_exact", "body_exact")
MIN_PREFIX = 2  # one letter matches too much to be a useful completion
MAX_TYPED = 100


@dataclass
class Suggestion:
    text: str
    kind: str  # "word", "name" or "title"
    id: str | None = None  # the article, for a title

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, **({"id": self.id} if self.id else {})}


class _Lines:
    """Strings searchable by the start of any of their words, with one regular expression."""

    def __init__(self, values: list[str]):
        self.values = values
        self.starts: list[int] = []
        position = 0
        for value in values:
            self.starts.append(position)
            position += len(value) + 1
        self.text = "\n".join(v.lower() for v in values)

    def find(self, typed: str, limit: int) -> list[int]:
        """Indexes of the first ``limit`` values holding a word that starts with ``typed``."""
        found: list[int] = []
        pattern = re.compile(r"(?<!\w)" + re.escape(typed.lower()))
        for match in pattern.finditer(self.text):
            index = bisect.bisect_right(self.starts, match.start()) - 1
            if not found or found[-1] != index:
                found.append(index)
                if len(found) == limit:
                    break
        return found


class SuggestionTable:
    """Every indexed word with its document frequency, every publisher and author, every title."""

    def __init__(self, searcher):
        reader = searcher.reader()
        frequencies: Counter[str] = Counter()
        for fieldname in WORD_FIELDS:
            if fieldname in reader.schema.names():
                for term, info in reader.iter_field(fieldname):
                    word = term.decode("utf-8") if isinstance(term, bytes) else term
                    frequencies[word] = max(frequencies[word], info.doc_frequency())
        self.words = sorted(frequencies)
        self.frequency = np.array([frequencies[w] for w in self.words], dtype=np.int64)
        names: Counter[str] = Counter()
        titles: list[str] = []
        self.title_ids: list[str] = []
        for fields in reader.all_stored_fields():
            for name in ("source", "author"):
                if fields.get(name):
                    names[fields[name]] += 1
            if fields.get("title"):
                titles.append(fields["title"])
                self.title_ids.append(fields["id"])
        self.names = _Lines([name for name, _ in names.most_common()])  # the most written about first
        self.titles = _Lines(titles)

    def suggest(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Up to ``limit`` completions of ``typed``: words first, then names, then titles."""
        typed = " ".join(typed.split())[:MAX_TYPED]
        if len(typed) < MIN_PREFIX:
            return []
        head, _, last = typed.rpartition(" ")
        out = [Suggestion(f"{head} {w}".strip(), "word") for w in self._words(last.lower(), limit)]
        out += [Suggestion(self.names.values[i], "name") for i in self.names.find(typed, 3)]
        out += [Suggestion(self.titles.values[i], "title", self.title_ids[i]) for i in self.titles.find(typed, 3)]
        seen: set[str] = set()
        unique = []
        for suggestion in out:
            if suggestion.text.lower() not in seen:
                seen.add(suggestion.text.lower())
                unique.append(suggestion)
        return unique[:limit]

    def _words(self, prefix: str, limit: int) -> list[str]:
        """The ``limit`` most frequent words starting with ``prefix`` (longer than it), most frequent first."""
        if len(prefix) < MIN_PREFIX:
            return []
        low = bisect.bisect_left(self.words, prefix)
        high = bisect.bisect_left(self.words, prefix + "\uffff")
        if low >= high:
            return []
        counts = self.frequency[low:high]
        top = np.argsort(-counts, kind="stable")[: limit + 1]
        return [self.words[low + i] for i in top.tolist() if self.words[low + i] != prefix][:limit]
