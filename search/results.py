"""What a search returns: plain data (text and match spans), the same for the CLI, the web app and scripts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from search.highlight.spans import Highlighted
from search.options import MAX_RESULTS


@dataclass
class ArticleInfo:
    """What every view of an article shows about it."""

    id: str
    title: str
    source: str | None
    date: str | None
    author: str | None
    url: str | None

    @classmethod
    def fields_of(cls, stored: dict) -> dict:
        """The :class:`ArticleInfo` fields of an article's stored fields."""
        return {
            "id": stored["id"],
            "title": stored.get("title", ""),
            **{name: stored.get(name) for name in ("source", "date", "author", "url")},
        }


@dataclass
class Hit(ArticleInfo):
    """One ranked result: its snippet and title with the matches marked."""

    score: float | None  # None when sorted by date
    snippet: Highlighted
    marked_title: Highlighted
    explanation: dict | None = None  # the parts of the score, when asked for (search.ranking.explain)
    # The other articles of its story that matched too ({id, source, title, date}, oldest first), listed here
    # rather than as results of their own (search.ranking.stories); empty when results are not grouped.
    same_story: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """One result as plain data: its fields, and ``snippet`` and ``marked_title`` as text with the matches' spans.

        (The JSON API and ``cari search --json`` show ``snippet`` as HTML: ``search.json_shape.hit_json``.)
        """
        return {
            **{name: getattr(self, name) for name in ("id", "title", "source", "date", "author", "url", "score")},
            "snippet": self.snippet.to_dict(),
            "marked_title": self.marked_title.to_dict(),
            "same_story": self.same_story,
            **({"explain": self.explanation} if self.explanation is not None else {}),
        }


@dataclass
class SearchResults:
    """A page of results and what it took to find them."""

    query: str
    total: int
    page: int
    limit: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean" for a query that found little
    facets: dict | None = None  # counts by source and year, when asked for
    browsed: bool = False  # no words to rank by (a filter alone, or *): the newest articles first
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, also searched) of each typo
    # "all": every result holds every word asked for (any form of it); "most": few or no article
    # did, so the results hold most of the words (and a question's or a sentence's always may)
    matched: str = "all"
    # A pasted sentence with a stray " or ( is searched as its words: the note says so.
    as_words: bool = False
    # Grouped by story (the default): how many stories the ``total`` articles tell, and pages count stories.
    # None: not grouped, every article a result of its own.
    stories: int | None = None
    # Every match over time, with the facets: [{period, count, from, to}] (search.ranking.timeline)
    timeline: list[dict] | None = None

    @property
    def note(self) -> str | None:
        if self.as_words:
            return "A quote or parenthesis without its pair was ignored: the text was searched as plain words."
        return None

    @property
    def pages(self) -> int:
        found = self.total if self.stories is None else self.stories
        return max(1, math.ceil(min(found, MAX_RESULTS) / self.limit))  # none past the last a search lists

    def to_dict(self) -> dict:
        """A page of results as plain data (each hit's ``to_dict``); ``search.json_shape.results_json`` is the API's JSON."""
        return {
            "query": self.query,
            "total": self.total,
            "stories": self.stories,
            "page": self.page,
            "limit": self.limit,
            "pages": self.pages,
            "took_ms": round(self.took_ms, 2),
            "matched": self.matched,
            "results": [hit.to_dict() for hit in self.hits],
            "suggestion": self.suggestion,
            "corrections": [{"typed": typed, "searched": used} for typed, used in self.corrections],
            "note": self.note,
            **({"facets": self.facets} if self.facets is not None else {}),
            **({"timeline": self.timeline} if self.timeline is not None else {}),
        }


@dataclass
class ArticlePage(ArticleInfo):
    """One article to read in full, the query's matches marked in its title and paragraphs."""

    marked_title: Highlighted
    paragraphs: list[Highlighted]

    def to_dict(self) -> dict:
        """The JSON of ``/api/article/ID``: the article's fields and its paragraphs as plain text."""
        return {
            **{name: getattr(self, name) for name in ("id", "title", "source", "date", "author", "url")},
            "paragraphs": [paragraph.text for paragraph in self.paragraphs],
        }
