"""The names' term counts on disk in parts: a whole part, then the changes of each write since, appended.

The counts a write keeps for the next one (``search.index.name_counts``: ``{term: articles}`` of the
``names`` field, ~1.5 million terms, and ``{word: articles}`` the learning asked about) are ~40 MB at
1,000,000 articles. Written whole they cost every write ~0.2 CPU-s and every serving worker a read of
40 MB to check the new file. A write of ten articles changes a few thousand of them, so the record
(:data:`RECORD`, still ``names-counts.npz``) lists its parts, ``names-counts-NUMBER.npz``, in order:
the first holds every count, each later one what a write changed (a term's new count, 0 for a term
no article holds any longer; a word's new answer). A write starts from a hard-linked copy of the live
generation, so it leaves the parts as they are and writes one more (under another name, then renamed),
then the record; past ``MOST_PARTS`` parts, or changes holding more than a ``CHANGED_SHARE`` of the
whole, it writes the counts whole again as one part. A write that stops before its generation is
swapped in leaves the live one as it was: the new parts are the new generation's files only.

The record's ``version`` is 2: code older than the parts (which reads version 1, the counts in the
record itself) reads it as no counts, and reads them from the index at its next write, as it does for an
index without counts; the record it then writes (version 1) is read here as before.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from search.index.npz import read_arrays
from search.index.parts import Layout, Parts, layout_arrays, layout_of, next_number, replace

RECORD = "names-counts.npz"
WHOLE_VERSION = 1  # the counts in the record itself
VERSION = 2  # the record lists its parts
PREFIX = "names-counts-"
MOST_PARTS = 64  # parts of changes before the counts are written whole again
CHANGED_SHARE = 0.25  # or rows of changes, as a share of the whole part's
Counts = tuple[dict[str, int], dict[str, int] | None]  # ({term: articles}, {word: articles} or None)
PARTS = Parts(PREFIX, ".npz")  # the whole counts first, then each write's changes
file_of = PARTS.file_of


def write(generation: Path, counts: dict[str, int], words: dict[str, int] | None, previous: Layout | None = None,
          changed_terms: Iterable[str] | None = None, changed_words: Iterable[str] | None = None) -> Layout:
    """Store ``counts`` and ``words`` in ``generation``: with ``previous`` (the live record's parts, which
    ``generation`` holds as links) and what changed since (``changed_terms``, ``changed_words``), as one part
    more of those changes; else, or past ``MOST_PARTS`` / ``CHANGED_SHARE``, whole. Returns the layout."""
    layout: Layout
    if previous and changed_terms is not None and words is not None and all(
            file_of(generation, number).is_file() for number, _ in previous):
        terms = {term: counts.get(term, 0) for term in changed_terms}
        answers = {word: words[word] for word in changed_words or () if word in words}
        rows = len(terms) + len(answers)
        changes = sum(size for _, size in previous[1:]) + rows
        if len(previous) < MOST_PARTS and changes <= CHANGED_SHARE * previous[0][1]:
            number = next_number(previous)
            write_part(file_of(generation, number), terms, answers)
            layout = [*previous, (number, rows)]
            write_record(generation, layout)
            return layout
    number = next_number(previous)
    write_part(file_of(generation, number), counts, words)
    layout = [(number, len(counts) + len(words or ()))]
    write_record(generation, layout)
    return layout


def write_part(path: Path, terms: dict[str, int], words: dict[str, int] | None) -> None:
    """One part: ``terms`` (counts, or a write's changes of them) and ``words`` (answers; None: none kept)."""
    arrays = {"terms": joined(terms), "counts": np.fromiter(terms.values(), dtype=np.int64, count=len(terms))}
    if words is not None:
        arrays.update(words=joined(words), word_counts=np.fromiter(words.values(), dtype=np.int64, count=len(words)))
    _save(path, arrays)


def write_record(generation: Path, layout: Layout) -> None:
    """The record listing the parts ``layout``, written once they are; the parts it does not list taken off."""
    _save(generation / RECORD, {"version": np.array([VERSION]), **layout_arrays(layout)})
    PARTS.prune(generation, layout)


def write_whole(generation: Path, counts: dict[str, int], words: dict[str, int] | None) -> None:
    """The record as code older than the parts writes it (version 1, the counts inside): tests of reading it."""
    arrays: dict[str, Any] = {"version": np.array([WHOLE_VERSION])}
    arrays.update(terms=joined(counts), counts=np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))
    if words is not None:
        arrays.update(words=joined(words), word_counts=np.fromiter(words.values(), dtype=np.int64, count=len(words)))
    _save(generation / RECORD, arrays)


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Written under another name, then renamed (``parts.replace``)."""
    save: Any = np.savez  # its typed signature takes no arrays by keyword
    replace(path, lambda f: save(f, **arrays))


def layout(generation: Path) -> Layout | None:
    """The parts the record of ``generation`` lists; None when it lists none (a version 1 record, none, unreadable)."""
    try:
        data = read_arrays(generation / RECORD, ("version", "parts", "part_rows"))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if data["version"].tolist() != [VERSION]:
        return None
    return layout_of(data) or None


def read(generation: Path, with_words: bool = True) -> Counts | None:
    """(counts, words) of ``generation``'s record, whichever version; None if it has none or one cannot be read
    (words None: the record holds none)."""
    try:
        version = read_arrays(generation / RECORD, ("version",))["version"].tolist()
        if version == [WHOLE_VERSION]:
            return _read_part(generation / RECORD, with_words)
        parts = layout(generation) if version == [VERSION] else None
        if parts is None:
            return None
        found = _read_part(file_of(generation, parts[0][0]), with_words)
        if found is None:
            return None
        counts, words = found
        for number, _ in parts[1:]:
            changes = _read_part(file_of(generation, number), with_words and words is not None)
            if changes is None:
                return None
            for term, n in changes[0].items():
                if n > 0:
                    counts[term] = n
                else:
                    counts.pop(term, None)
            if words is not None and changes[1] is not None:
                words.update(changes[1])
        return counts, words
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # UnicodeDecodeError is a ValueError
        return None


def _read_part(path: Path, with_words: bool) -> Counts | None:
    data = read_arrays(path, ("terms", "counts"))
    counts = split(data["terms"], data["counts"])
    if counts is None:
        return None
    words = None
    if with_words:
        try:
            found = read_arrays(path, ("words", "word_counts"))
        except KeyError:  # a record written before the words were kept
            return counts, None
        words = split(found["words"], found["word_counts"])
        if words is None:
            return None
    return counts, words


def joined(keys: dict[str, int]) -> np.ndarray:
    return np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8)


def split(data: np.ndarray, counts: np.ndarray) -> dict[str, int] | None:
    raw = data.tobytes().decode("utf-8")
    keys = raw.split("\n") if raw else []
    return dict(zip(keys, counts.tolist(), strict=True)) if len(keys) == len(counts) else None
