"""Each publisher's own furniture, learned from its articles: lines that recur across many of them.

The patterns of ``pages`` know the furniture of the pages Cari has met. A
publisher has its own besides: Goal Indonesia's ``SIMAK JUGA: <a headline>``
between paragraphs, kumparan's ``[Baca juga: ...]``, DailySocial's paragraph
about itself under every article. As text they match queries (``simak``,
``juga``, the other story's words) and show in snippets. A growing list of
phrases would never be done, so the index learns them, publisher by
publisher, from the articles themselves:

- a **line** (whole, any case) found in at least ``LINE_SHARE`` of one
  source's articles is furniture (DailySocial's note, a share line);
- a **marker**, the one to four words that open a line before a colon or a
  dash (``SIMAK JUGA:``, ``Baca juga -``), opening lines in at least
  ``MARKER_SHARE`` of one source's articles (a single word, a label such as
  ``Pelatih:``, in ``LINE_SHARE``), makes the short lines it opens
  furniture (at most ``SHORT_WORDS`` words and one sentence: a headline
  after the marker, never a paragraph that happens to begin so).

A source needs ``MIN_ARTICLES`` articles before anything is learned of it,
so a line repeated in a few articles (a series' heading, a quote) stays; and
only the first ``SAMPLE`` articles of a source are counted (memory stays
bounded on any archive; a line in a quarter of them is no rarer there).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

LINE_SHARE = 0.25
MARKER_SHARE = 0.10
MIN_ARTICLES = 20
SHORT_WORDS = 16
SAMPLE = 3000
MAX_LINE_CHARS = 400  # longer lines are paragraphs, never counted

# One to four words before a colon or a dash ("SIMAK JUGA:", "[Baca juga:", "Bagikan -"), at the line's start.
_MARKER = re.compile(r"^[\[(]?\s*((?:[^\W\d_][\w.]*)(?:[ ,]+[^\W\d_][\w.]*){0,3})\s*(?::|\s[-–—]+(?:\s|$))")
_SENTENCE_INSIDE = re.compile(r"[.!?]\s+\S")


def _line_key(line: str) -> str:
    return " ".join(line.lower().split())


def marker(line: str) -> str | None:
    """The words that open ``line`` before a colon or a dash, lowercased (``simak juga``), or None."""
    m = _MARKER.match(line.strip())
    return " ".join(m.group(1).lower().replace(",", " ").split()) if m else None


@dataclass
class SourceCounts:
    """What recurs in one source's articles: how many were counted, and in how many each line and marker occurs."""

    articles: int = 0
    lines: Counter = field(default_factory=Counter)
    markers: Counter = field(default_factory=Counter)

    def add(self, body: str) -> None:
        if self.articles >= SAMPLE:
            return
        self.articles += 1
        lines = {_line_key(line) for line in body.split("\n") if line.strip() and len(line) <= MAX_LINE_CHARS}
        self.lines.update(lines)
        self.markers.update({found for line in lines if (found := marker(line))})


class FurnitureLearner:
    """Counts the lines and markers of each source's articles (``add``), then says what is furniture (``learned``)."""

    def __init__(self) -> None:
        self._sources: dict[str, SourceCounts] = {}

    def add(self, source: str | None, body: str) -> None:
        if source:
            self._sources.setdefault(source, SourceCounts()).add(body)

    def counted_in_full(self, source: str) -> bool:
        """Whether ``source`` has its ``SAMPLE`` articles counted: its other articles teach nothing."""
        counts = self._sources.get(source)
        return counts is not None and counts.articles >= SAMPLE

    def learned(self) -> Furniture:
        found: dict[str, dict[str, list[str]]] = {}
        for source, counts in self._sources.items():
            if counts.articles < MIN_ARTICLES:
                continue
            lines = sorted(line for line, n in counts.lines.items() if n >= LINE_SHARE * counts.articles)
            # One word before a colon is often a label of the text ("Pelatih: Stefano Pioli", "Wasit: ..."):
            # it must open lines as often as a whole line must recur.
            markers = sorted(m for m, n in counts.markers.items()
                             if n >= (MARKER_SHARE if " " in m else LINE_SHARE) * counts.articles)
            if lines or markers:
                found[source] = {"lines": lines, "markers": markers}
        return Furniture(found)


class Furniture:
    """Each source's learned furniture: whole lines and the markers of short lines (see the module doc)."""

    def __init__(self, by_source: dict[str, dict[str, list[str]]] | None = None):
        self.by_source = by_source or {}
        self._sets = {source: (set(found.get("lines", [])), set(found.get("markers", [])))
                      for source, found in self.by_source.items()}

    @classmethod
    def learn(cls, articles: Iterable) -> Furniture:
        """Learned from ``articles`` (anything with ``source`` and ``body``)."""
        learner = FurnitureLearner()
        for article in articles:
            learner.add(article.source, article.body)
        return learner.learned()

    def is_furniture(self, source: str | None, line: str) -> bool:
        """Whether ``line`` of an article of ``source`` is that source's furniture."""
        lines, markers = self._sets.get(source or "", (set(), set()))
        if not line.strip() or not (lines or markers):
            return False
        if _line_key(line) in lines:
            return True
        opened = marker(line)
        return (opened is not None and opened in markers and len(line.split()) <= SHORT_WORDS
                and not _SENTENCE_INSIDE.search(line.strip()))

    def strip(self, source: str | None, body: str) -> str:
        """``body`` without its source's furniture lines (as it was when there is none)."""
        if (source or "") not in self._sets:
            return body
        kept = [line for line in body.split("\n") if not self.is_furniture(source, line)]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()

    def to_record(self) -> dict:
        return {"by_source": self.by_source}

    @classmethod
    def from_record(cls, record: object) -> Furniture:
        """From ``to_record``'s dict (an empty table from anything else: an older index has none)."""
        if not isinstance(record, dict) or not isinstance(record.get("by_source"), dict):
            return cls()
        return cls({str(source): {"lines": [str(x) for x in found.get("lines", [])],
                                  "markers": [str(x) for x in found.get("markers", [])]}
                    for source, found in record["by_source"].items() if isinstance(found, dict)})
