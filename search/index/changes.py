"""Removing articles by id: a new generation without them, made and swapped in as every write is (``index.build``)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search._whoosh.writers import open_for_writing, parent_writer
from search.errors import BuildFailed
from search.index import generations, stories
from search.index.format import CONTENTS, ROOTS, check_format, stamp
from search.index.names import Tally, write_names
from search.index.schema import build_schema


@dataclass
class RemoveReport:
    """Which of the ids asked for were removed and which the index did not hold."""

    removed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    seconds: float = 0.0


def remove_articles(index_dir: str | Path, ids: Iterable[str], dry_run: bool = False) -> RemoveReport:
    """Remove the articles with ``ids`` from the index at ``index_dir``; ``dry_run`` only reports.

    Raises IndexMissing, IndexOutdated or IndexDamaged when there is no sound
    index to remove from. The previous generation serves until the new one
    is complete, as for a rebuild.
    """
    index_dir = Path(index_dir)
    started = time.perf_counter()
    with generations.writing(index_dir):
        live = generations.live_generation(index_dir)
        check_format(index_dir, live)
        contents = generations.read_record(live, CONTENTS)
        if not isinstance(contents, dict):
            raise BuildFailed(f"The index at {index_dir} has no readable list of its articles: "
                              "run `cari rebuild-index --full` with its sources.")
        report = RemoveReport()
        for doc_id in dict.fromkeys(ids):  # each once, in the order given
            (report.removed if doc_id in contents else report.unknown).append(doc_id)
        if dry_run or not report.removed:
            return report
        with generations.next_generation(index_dir, live) as generation:
            _delete(generation, report.removed, live)
            for doc_id in report.removed:
                del contents[doc_id]
            generations.write_record(generation, CONTENTS, contents)
            stories.update(generation, live, contents, stories.Sketches())
            if not (generation / ROOTS).exists():  # copy_generation links the live one's
                generations.write_record(generation, ROOTS, generations.read_record(live, ROOTS) or {})
            report.seconds = time.perf_counter() - started
            generations.publish(index_dir, generation, _manifest(live, len(contents), report))
    return report


def _delete(generation: Path, ids: list[str], live: Path) -> None:
    index = open_for_writing(str(generation), build_schema(), new=False)
    writer = parent_writer(index)
    names = Tally(live)
    try:
        delete_ids(writer, ids, names)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    write_names(generation, index, names)


def delete_ids(writer: Any, ids: list[str], names: Tally | None = None) -> None:
    """Mark the articles with ``ids`` deleted in ``writer``'s next commit (and take them off ``names``)."""
    # One searcher for all: without it Whoosh opens a new one (every
    # segment's files) for each deletion, seconds per hundred.
    with writer.searcher() as searcher:
        if names is not None:
            names.remove_stored(searcher, ids)
        for doc_id in ids:
            writer.delete_by_term("id", doc_id, searcher=searcher)


def _manifest(live: Path, documents: int, report: RemoveReport) -> dict:
    return {
        **generations.read_manifest(live),
        **stamp(),
        "documents": documents,
        "seconds": round(report.seconds, 3),
        "mode": "remove",
        "added": 0,
        "changed": 0,
        "removed": len(report.removed),
    }
