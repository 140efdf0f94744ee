"""Removing articles by id: a build of mode ``REMOVE``, through the one write path every write takes (``index.build``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from search.index.batch import REMOVE
from search.index.build import build_index


@dataclass
class RemoveReport:
    """Which of the ids asked for were removed and which the index did not hold."""

    removed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    seconds: float = 0.0


def remove_articles(index_dir: str | Path, ids: Iterable[str], dry_run: bool = False,
                    wait_seconds: float = 0.0) -> RemoveReport:
    """Remove the articles with ``ids`` from the index at ``index_dir``; ``dry_run`` only reports.

    Raises IndexMissing, IndexOutdated or IndexDamaged when there is no sound
    index to remove from. The previous generation serves until the new one
    is complete, as for any build (``build_index``, whose lock it takes).
    """
    report = build_index([], Path(index_dir), mode=REMOVE, remove=ids, dry_run=dry_run, wait_seconds=wait_seconds)
    return RemoveReport(removed=report.deleted, unknown=report.unknown, seconds=report.seconds)
