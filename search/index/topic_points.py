"""Each article's point in the archive's topics, stored when the index is written, one file per segment.

Related articles score their candidates by the cosine of each one's topics
(from its title and lead, ``search.analysis.article_terms.head_bag``) with
the article's (``search.ranking.related.by_topics``). Reading a candidate's
stored title and body and analysing them again costs ~0.3 ms, ~10 ms for
30 candidates, and on a large archive most of a call's tail (1,000,000
articles: p99 127 ms with it, 73 without). So the write computes every
article's point once and keeps it beside the segment it is in:
``topic-points-SEGMENT.npy``, one row per document number of the segment
(``POINT_SCALE`` times the unit-length point, rounded to int8: 200 bytes an
article, cosines within ~0.01 of float32's; a deleted or wordless document:
zeros, a cosine of 0 like a point that is missing).

Segments never change once written, so a file stays right for its segment:
an update hard-links it with the rest of the generation
(``generations.copy_generation``), computes points only for the segments it
wrote (its new articles, or small segments Whoosh merged into one), and
drops the files of segments gone. When the topics are learned again every
file is written again. The manifest checksums the files like every other
file of a generation. An index without them (written before they existed,
or a segment whose file cannot be read) has its points computed at query
time as before (``Topics.point_of``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from search.analysis.article_terms import head_bag
from search.index import kept
from search.index.topics import RECORD, Topics

PREFIX = "topic-points-"
POINT_SCALE = 127  # a unit vector's components times this fit int8


def file_of(generation: Path, segment_id: str) -> Path:
    """The points file of segment ``segment_id`` (Whoosh's ``Segment.segment_id()``) in ``generation``."""
    return generation / f"{PREFIX}{segment_id}.npy"


def _leaves(reader: Any) -> list[tuple[Any, int]]:
    """(segment reader, first document number) of each segment of a Whoosh ``reader``."""
    return list(reader.leaf_readers())


def segment_points(leaf: Any, topics: Topics) -> np.ndarray:
    """The int8 points (documents x dimensions) of every document of one segment's reader ``leaf``."""
    count = leaf.doc_count_all()
    points = np.zeros((count, topics.vectors.shape[1]), dtype=np.int8)
    for docnum in range(count):
        if leaf.is_deleted(docnum):
            continue
        fields = leaf.stored_fields(docnum)
        point = topics.point(head_bag(fields.get("title", ""), fields.get("body", "")))
        if point is not None:
            points[docnum] = np.clip(np.rint(point * POINT_SCALE), -POINT_SCALE, POINT_SCALE)
    return points


def write(generation: Path, ix: Any, relearned: bool, live: Path | None = None) -> int:
    """Write the points files of the Whoosh index ``ix`` just written in ``generation``; returns how many
    documents' points were computed. Segments that already have a file keep it unless the topics were
    ``relearned``; files of segments the index no longer has are taken off (links: the live generation keeps its
    own). A segment kept from the ``live`` generation without a file (written before points were stored) stays
    without one: its points are computed at query time, as before, and a rebuild stores them; computing them in
    an update would make the first write to an older 1,000,000-article index take ~400 CPU-s. Without topics,
    every points file is taken off."""
    wanted: set[str] = set()
    computed = 0
    if (generation / RECORD).exists():
        topics: Topics | None = None  # read only when a segment needs its points (~0.1 CPU-s at 1,000,000)
        with ix.searcher() as searcher:
            for leaf, _ in _leaves(searcher.reader()):
                path = file_of(generation, leaf.segment().segment_id())
                wanted.add(path.name)
                if path.exists() and not relearned:
                    continue
                if not relearned and _kept_without_points(live, leaf.segment().segment_id()):
                    continue
                topics = topics or kept_topics(generation)
                if topics is None:  # unreadable: no points, as without topics
                    wanted.discard(path.name)
                    continue
                points = segment_points(leaf, topics)
                computed += len(points)
                _save(path, points)
    for found in generation.glob(f"{PREFIX}*.npy"):
        if found.name not in wanted:
            found.unlink()
    return computed


def kept_topics(generation: Path) -> Topics | None:
    """The topics of ``generation``: kept by this writing process (``search.index.kept``: the record is hard-linked
    from write to write, the same file, so a writer reads its ~13 MB once, not at every write), else read (and kept)."""
    path = generation / RECORD
    found = kept.peek(path, RECORD)
    if found is None:
        found = Topics.load(generation)
        kept.keep(path, RECORD, found)
    return found


def _kept_without_points(live: Path | None, segment_id: str) -> bool:
    """Whether segment ``segment_id`` was in the ``live`` generation already, there without a points file."""
    if live is None or file_of(live, segment_id).exists():
        return False
    return any(live.glob(f"{segment_id}.*"))  # a segment's files: its id (INDEXNAME_RANDOM) and an extension


def _save(path: Path, points: np.ndarray) -> None:
    """Write ``points`` at ``path`` under another name, then rename (never through a hard link)."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as f:
        np.save(f, points, allow_pickle=False)
    os.replace(partial, path)


class StoredPoints:
    """The stored points of an opened generation: ``get(docnum)`` is a document's unit-length point, None where
    there is none (a wordless document), or ``MISSING`` where its segment has no readable file."""

    MISSING = np.zeros(0, dtype=np.float32)

    def __init__(self, generation: Path, reader: Any, dimensions: int) -> None:
        self.parts: list[tuple[int, int, np.ndarray | None]] = []  # (first docnum, count, rows or None)
        for leaf, offset in _leaves(reader):
            count = leaf.doc_count_all()
            self.parts.append((offset, count, load_rows(file_of(generation, leaf.segment().segment_id()), count,
                                                    dimensions)))
        self.starts = np.array([offset for offset, _, _ in self.parts], dtype=np.int64)

    @property
    def complete(self) -> bool:
        """Whether every segment has its points."""
        return all(rows is not None for _, _, rows in self.parts)

    def get(self, docnum: int) -> np.ndarray | None:
        at = int(np.searchsorted(self.starts, docnum, side="right")) - 1
        if at < 0:
            return self.MISSING
        offset, count, rows = self.parts[at]
        if rows is None or not 0 <= docnum - offset < count:
            return self.MISSING
        row = rows[docnum - offset]
        if not row.any():
            return None
        point = row.astype(np.float32)
        return point / float(np.linalg.norm(point))


def load_rows(path: Path, count: int, dimensions: int) -> np.ndarray | None:
    """The rows of one points file (memory-mapped), or None when it is missing, unreadable or not the segment's."""
    try:
        rows = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if rows.dtype != np.int8 or rows.shape != (count, dimensions):
        return None
    return rows
