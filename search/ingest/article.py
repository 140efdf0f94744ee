"""The article data types: a clean :class:`Article`, a skipped input's :class:`Problem`, and a title from a lead."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field


class ArticleError(ValueError):
    """An input that cannot become an article; the message says why."""


@dataclass
class Article:
    """One news article, clean: what the index stores and searches."""

    id: str
    title: str
    body: str
    date: str | None = None  # ISO 8601
    source: str | None = None
    author: str | None = None
    url: str | None = None
    related: list[str] = field(default_factory=list)
    origin: str = ""  # file (and line) it came from
    # The fields as an export (JSON Lines, JSON, CSV, the write API) gave them, ``text`` before its furniture
    # was taken off: what the index keeps, so that ``cari export`` gives the article back as it came.
    # None for an article Cari extracted itself (a page, a feed item): then the article is its record.
    given: dict | None = field(default=None, repr=False)

    @property
    def content_hash(self) -> str:
        """A digest of everything indexed, to notice a changed article."""
        data = json.dumps(
            [self.title, self.body, self.date, self.source, self.author, self.url],
            ensure_ascii=False,
        )
        return hashlib.sha1(data.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Problem:
    """An input the indexer skipped (or read with a caveat), and why."""

    origin: str  # "path" or "path:line"
    reason: str
    skipped: bool = True
    unread: bool = False  # a whole file or folder that could not be read (not a bad page or line)

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}" if self.origin else self.reason


def _title_from_lead(lead: str, limit: int = 90) -> str:
    """A headline-sized title from a lead paragraph, for pages without one."""
    lead = re.sub(r"^.{0,60}?\s[-–—]\s+", "", lead, count=1)  # the dateline
    sentence = re.split(r"(?<=[.!?])\s", lead, maxsplit=1)[0]
    for cut in (" lantaran ", " karena ", " setelah ", " pada ", ", "):
        head = sentence.split(cut, 1)[0]
        if 25 <= len(head) <= limit:
            return head.rstrip(" ,.;:")
    if len(sentence) <= limit:
        return sentence.rstrip(" .")
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def lead_title(body: str) -> str:
    """The title :func:`parse_page` and JSONL input make up for a body without one."""
    return _title_from_lead(body.split("\n", 1)[0])
