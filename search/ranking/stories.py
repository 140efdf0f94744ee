"""Story groups at query time: a result stands for its story, and lists the other articles of it that matched.

The index found its stories when it was built (``search.index.stories``:
articles carrying the same text under other titles, datelines and
furniture). A search walks its ranked articles and keeps the first of each
story; the story's other articles that match the query and its filters are
listed with it (``same_story``), not as results of their own. Nothing is
hidden from the count: ``total`` stays the number of articles that matched,
and ``stories`` says how many stories they tell (an article in no group is
a story of its own), so a page reads "120 artikel dalam 95 berita".

A :class:`StoryMap` is made once per opened index generation, from the
generation's record: each grouped article's document number (its id looked
up in the index; a changed article's old, deleted copy is left out).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from search._whoosh.postings import PostingArrays
from search.index import stories

# What the JSON and the page show of each other article of a story.
STORY_FIELDS = ("id", "source", "title", "date")


@dataclass
class StoryMap:
    """The stories of one opened index: a story number per document (``-1``: in no group)."""

    story_of: np.ndarray  # int32 per document number
    by_id: dict[str, int] = field(default_factory=dict)  # grouped article id -> story number
    docnum_of: dict[str, int] = field(default_factory=dict)  # grouped article id -> its live document number
    _labels: dict[int, str] = field(default_factory=dict, repr=False)  # story number -> its label, made when asked

    @classmethod
    def load(cls, generation: Path, postings: PostingArrays) -> StoryMap:
        """The map of ``generation`` (none grouped if it has no record); ``postings``: its ``PostingArrays``."""
        story_of = np.full(postings.doc_count, -1, dtype=np.int32)  # one per document number, deleted ones too
        by_id: dict[str, int] = {}
        docnum_of: dict[str, int] = {}
        live = postings.live
        for doc_id, number in stories.grouped(generation) or ():
            docnums = postings.get("id", doc_id)[0]
            docnums = docnums[live[docnums]]
            if len(docnums):
                story_of[docnums] = number
                by_id[doc_id] = number
                docnum_of[doc_id] = int(docnums[0])
        return cls(story_of, by_id, docnum_of)

    def label(self, doc_id: str) -> str | None:
        """The id that names ``doc_id``'s story (its members' first id in sort order); None: in no story."""
        number = self.by_id.get(doc_id)
        if number is None:
            return None
        if not self._labels:
            for member, story in self.by_id.items():
                if story not in self._labels or member < self._labels[story]:
                    self._labels[story] = member
        return self._labels[number]

    @property
    def grouped(self) -> int:
        """How many articles are in a story of two or more."""
        return len(self.by_id)

    def count(self, matched: np.ndarray) -> int:
        """How many stories the documents flagged in ``matched`` tell."""
        numbers = self.story_of[matched]
        alone = int((numbers < 0).sum())
        return alone + len(np.unique(numbers[numbers >= 0]))

    def others(self, doc_id: str, matched: np.ndarray | None) -> list[int]:
        """The document numbers of the other articles of ``doc_id``'s story (those in ``matched``, if given)."""
        number = self.by_id.get(doc_id)
        if number is None:
            return []
        members = np.flatnonzero(self.story_of == number)
        members = members[members != self.docnum_of[doc_id]]
        if matched is not None:
            members = members[matched[members]]
        return members.tolist()

    def leads(self, found: Sequence[tuple[dict, Any]]) -> list[int]:
        """The indexes into ``found`` (ranked results) of the first article of each story, in order."""
        seen: set[int] = set()
        kept = []
        for at, (fields, _) in enumerate(found):
            number = self.by_id.get(fields.get("id", ""))
            if number is not None:
                if number in seen:
                    continue
                seen.add(number)
            kept.append(at)
        return kept


# No article grouped: results not grouped by story (``group=False``).
NO_STORIES = StoryMap(np.zeros(0, dtype=np.int32))


@dataclass
class GroupedPage:
    """One page of stories: each lead result and the stored fields of the others of its story that matched."""

    found: list[tuple[dict, Any]]  # the page's results, one a story
    same_story: list[list[dict]]  # for each, the other articles of its story (STORY_FIELDS), oldest first
    stories: int  # stories among all matches


def grouped_page(
    rank: Callable[[int], tuple[list[tuple[dict, Any]], int]],
    page: int,
    limit: int,
    story_map: StoryMap,
    matched: Callable[[], np.ndarray],
    stored_fields: Callable[[int], dict],
) -> GroupedPage:
    """Page ``page`` of ``limit`` stories.

    ``rank(depth)`` gives at least ``depth`` ranked results (stored fields,
    score) and the number of matches; it is asked again, twice as deep,
    until the results hold enough stories for the page (or all matches).
    ``matched()`` flags every match, ``stored_fields(docnum)`` reads one
    article's fields.
    """
    wanted = page * limit
    depth = wanted
    while True:
        found, total = rank(depth)
        leads = story_map.leads(found) if story_map.grouped else list(range(len(found)))
        if len(leads) >= wanted or len(found) >= total or depth >= total:
            break
        depth = min(total, depth * 2 + limit)
    chosen = [found[at] for at in leads[(page - 1) * limit : wanted]]
    mask = matched() if story_map.grouped else None
    same = []
    for fields, _ in chosen:
        others = [stored_fields(docnum) for docnum in story_map.others(fields.get("id", ""), mask)]
        others = [{name: other.get(name) for name in STORY_FIELDS} for other in others]
        same.append(sorted(others, key=lambda other: (other.get("date") or "", other.get("id") or "")))
    count = story_map.count(mask) if mask is not None else total
    return GroupedPage(chosen, same, count)
