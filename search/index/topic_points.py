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

import gc
import multiprocessing
import os
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.index import open_dir

from search.analysis.article_terms import head_bag
from search.index import kept
from search.index.schema import build_schema
from search.index.topics import RECORD, Topics
from search.index.workers import IndexingFailed, die_with_parent, own_stop_signals, start_with_stop_signals_held

PREFIX = "topic-points-"
POINT_SCALE = 127  # a unit vector's components times this fit int8
# Documents to place from which a build's segments are placed by processes of their own (``write``): a process
# costs ~1 CPU-s to start (the imports, the topics read), a document ~0.4 CPU-ms.
PARALLEL_DOCUMENTS = 20_000


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


def write(generation: Path, ix: Any, relearned: bool, live: Path | None = None, procs: int = 1) -> int:
    """Write the points files of the Whoosh index ``ix`` just written in ``generation``; returns how many
    documents' points were computed. Segments that already have a file keep it unless the topics were
    ``relearned``; files of segments the index no longer has are taken off (links: the live generation keeps its
    own). A segment kept from the ``live`` generation without a file (written before points were stored) stays
    without one: its points are computed at query time, as before, and a rebuild stores them; computing them in
    an update would make the first write to an older 1,000,000-article index take ~400 CPU-s. Without topics,
    every points file is taken off. With ``procs`` above 1 and at least ``PARALLEL_DOCUMENTS`` to place, the
    segments are placed by up to ``procs`` processes at once (:func:`_place_apart`)."""
    wanted: set[str] = set()
    computed = 0
    if (generation / RECORD).exists():
        with ix.searcher() as searcher:
            needed: list[tuple[Any, Path]] = []  # (segment reader, its file) of each segment to place
            for leaf, _ in _leaves(searcher.reader()):
                path = file_of(generation, leaf.segment().segment_id())
                wanted.add(path.name)
                if path.exists() and not relearned:
                    continue
                if not relearned and _kept_without_points(live, leaf.segment().segment_id()):
                    continue
                needed.append((leaf, path))
            documents = sum(leaf.doc_count_all() for leaf, _ in needed)
            if needed and procs > 1 and len(needed) > 1 and documents >= PARALLEL_DOCUMENTS:
                computed = documents if _place_apart(generation, [path for _, path in needed], procs) else -1
            else:
                computed = _place_here(generation, needed)
            if computed < 0:  # unreadable topics: no points, as without topics
                wanted.difference_update(path.name for _, path in needed)
                computed = 0
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


def _place_here(generation: Path, needed: list[tuple[Any, Path]]) -> int:
    """Write the points file of each (segment reader, file) of ``needed`` in this process; the documents placed,
    or -1 when the topics cannot be read."""
    if not needed:
        return 0
    topics = kept_topics(generation)  # read only when a segment needs its points (~0.1 CPU-s at 1,000,000)
    if topics is None:
        return -1
    computed = 0
    for leaf, path in needed:
        points = segment_points(leaf, topics)
        computed += len(points)
        _save(path, points)
    return computed


def _place_apart(generation: Path, paths: list[Path], procs: int) -> bool:
    """:func:`_place_here` for the segments of the files ``paths``, shared out among up to ``procs`` processes.

    A build's parent places every article of the archive after its workers have ended (~0.2-0.4 CPU-ms an
    article), on one core while the other waits; a segment's points need nothing but the segment, the topics and
    the stem cache, so the segments are placed apart. The processes are forked, as the indexing workers are
    (they inherit the warm stem cache; a spawned process would import the caller's main module again), with the
    parent's objects frozen out of the collector's passes so that they do not copy the build's records (~2 GB
    at 1,000,000) page by page; each opens the generation itself. One that fails or dies fails the build; a
    build stopped meanwhile stops them. False when the topics cannot be read."""
    context = multiprocessing.get_context("fork")
    shares = [[path.name for path in paths[start::procs]] for start in range(min(procs, len(paths)))]
    processes = [context.Process(target=_placing_process, args=(os.getpid(), str(generation), names), daemon=True)
                 for names in shares]
    gc.freeze()
    try:
        start_with_stop_signals_held(processes)
    finally:
        gc.unfreeze()
    try:
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    failed = [process.exitcode for process in processes if process.exitcode not in (0, _NO_TOPICS)]
    if failed:
        raise IndexingFailed(f"A process placing the articles in the topics failed (exit code {failed[0]}). "
                             "The previous index is unchanged.")
    return all(process.exitcode == 0 for process in processes)


_NO_TOPICS = 3  # a placing process's exit code when the topics cannot be read


def _placing_process(parent: int, generation: str, names: list[str]) -> None:
    """A process of :func:`_place_apart`: write the points files ``names`` of their segments in ``generation``
    (Ctrl-C is the parent's to handle; it dies with the parent)."""
    own_stop_signals()
    die_with_parent(parent)
    ix = open_dir(generation, schema=build_schema())
    with ix.searcher() as searcher:
        needed = [(leaf, path) for leaf, _ in _leaves(searcher.reader())
                  if (path := file_of(Path(generation), leaf.segment().segment_id())).name in names]
        if _place_here(Path(generation), needed) < 0:
            raise SystemExit(_NO_TOPICS)


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
