"""Records kept in parts: numbered files beside a record, which lists them, that a write leaves as they are.

A write starts from a hard-linked copy of the live generation, so a part it keeps is the same file, not
written again; each file it writes goes under another name first, then is renamed over the old one (which
may be a link to the live generation's: :func:`replace`); the parts the new record no longer lists are
taken off the new generation (:meth:`Parts.prune`: links, the live generation keeps its own). The record
lists its parts in order as two arrays, ``parts`` (their numbers) and ``part_rows`` (their rows). Two
records are kept so: the story signatures (``search.index.story_parts``) and the names' term counts
(``search.index.count_parts``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

Layout = list[tuple[int, int]]  # (part number, rows) of each part, in order


@dataclass(frozen=True)
class Parts:
    """The part files of one record: ``PREFIX`` + a six-digit number + ``suffix``."""

    prefix: str
    suffix: str

    def file_of(self, generation: Path, number: int) -> Path:
        return generation / f"{self.prefix}{number:06d}{self.suffix}"

    def prune(self, generation: Path, layout: Layout) -> None:
        """Take off ``generation``'s parts that ``layout`` does not list (a link to a part of the live
        generation's, or of a record older than it: not this record's)."""
        listed = {self.file_of(generation, number).name for number, _ in layout}
        for found in generation.glob(f"{self.prefix}*{self.suffix}"):
            if found.name not in listed:
                found.unlink()


def next_number(layout: Layout | None) -> int:
    """The number of a new part after those of ``layout``."""
    return max((number for number, _ in layout or ()), default=-1) + 1


def layout_arrays(layout: Layout) -> dict[str, np.ndarray]:
    """``layout`` as the record's two arrays."""
    return {"parts": np.array([number for number, _ in layout], dtype=np.int64),
            "part_rows": np.array([rows for _, rows in layout], dtype=np.int64)}


def layout_of(arrays: Mapping[str, np.ndarray]) -> Layout | None:
    """The layout the record's two arrays list; None when they do not pair up."""
    if len(arrays["parts"]) != len(arrays["part_rows"]):
        return None
    return list(zip(arrays["parts"].tolist(), arrays["part_rows"].tolist(), strict=True))


def replace(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through ``write(file)`` under another name, then rename it: the file it replaces may be a
    hard link to the live generation's, which must not change."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as f:
        write(f)
    os.replace(partial, path)
