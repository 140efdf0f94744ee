"""Stories: the articles of an index that carry the same text, found when it is built.

Wire copy reaches an archive many times: Antara's text under Kompas', Suara's
and Merdeka's titles, datelines and furniture. Each article's body is summed
up in a MinHash signature of its runs of words (``search.index.signatures``).
Two articles whose signatures agree in at least ``THRESHOLD`` of their values
(the estimated Jaccard similarity of their runs of words) tell the same
story; a story is the articles linked so, directly or through each other.

Pairs are found by locality-sensitive hashing: ``BANDS`` bands of ``ROWS``
values each; articles that agree on a whole band are candidates, and a
candidate pair is kept only if its signatures agree on ``THRESHOLD`` of all
values. With 21 bands of 3 rows a pair at Jaccard 0.5 is a candidate with
probability 1 - (1 - 0.5**3)**21 = 0.94, at 0.6 with 0.99, at 0.8 with
1 - 1e-10; unrelated articles that share a sentence (Jaccard ~0.03) with
0.0006, so the candidates stay few at any size. Copies under other titles,
datelines and furniture agree on all their values (median; the least of 300
made of IndoSum articles: 0.66, ``bench/stories.py``); IndoSum's closest
different articles on 0.30 (eval/stories/judged-pairs.tsv).

The record ``stories.npz`` of a generation holds every article's id, its
signature (in parts beside it, ``search.index.story_parts``, which a write
leaves as they are where it changes nothing) and the number of its story
(``-1``: an article alone), and the similar pairs that link them (``pairs``,
rows). A build writes it from the
signatures of the articles it read and, in an update, the live record's
signatures of the articles it kept; a removal drops the removed articles'
signatures and groups the rest again, so the copies of a removed original
stay one story. An update checks again only the pairs its changes can touch
(``search.index.story_groups``: the same pairs and stories as grouping the
whole record, at 1,000,000 articles a fraction of a second instead of ~13 s).
An index written before stories existed (or with a record of another
``VERSION``) gets the record at its next update (the signatures of the
articles it kept are made from their stored bodies) or at ``cari
rebuild-index --full``; one written before the pairs were kept is grouped
whole once, at its next write.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from search.index import kept as records
from search.index import story_parts
from search.index.npz import read_arrays
from search.index.parts import Layout, layout_arrays, layout_of, replace
from search.index.records import stored_documents
from search.index.signatures import NUM_PERM, SignatureRows, Sketches, signature
from search.index.story_groups import Buckets, link, relink

RECORD = "stories.npz"
# Bump when a signature would come out otherwise (the runs, the hashes, the MinHash scheme): a record of
# another version is read as none, and the next build makes every signature again from the stored bodies.
VERSION = 3

# Off only in ``bench.build_cost``, which measures what a build without story groups costs: no signatures are
# made and no record is written (an index built so groups nothing until its next build with them).
SIGNATURES = True


@dataclass
class Stories:
    """The record of one generation: ids, signatures (a row of zeros: too short) and story numbers."""

    ids: list[str]
    values: np.ndarray  # uint32, len(ids) x NUM_PERM
    story: np.ndarray  # int32 per id; -1: alone
    # The similar pairs the stories link (rows, ``k x 2``: search.index.story_groups), what the next write starts
    # from; None when the record has none (written before they were kept, or read without them).
    pairs: np.ndarray | None = None
    # The files the signatures are in (``search.index.story_parts``); None: not written in parts (yet).
    parts: Layout | None = None
    # The rows by bucket (story_groups.Buckets), kept in memory only by a writing process (``writer.warm_up``):
    # the next write finds the rows of the buckets it touches without a pass over every row.
    buckets: Buckets | None = field(default=None, repr=False, compare=False)
    # The array ``values`` is the first rows of, with rows to spare: the next addition writes its rows after them
    # instead of copying every signature (256 MB at 1,000,000 articles). Only a writing process keeps one.
    buffer: np.ndarray | None = field(default=None, repr=False, compare=False)

    def groups(self) -> list[list[str]]:
        """The stories of two or more articles, each a list of ids (in record order)."""
        found: dict[int, list[str]] = {}
        for doc_id, number in zip(self.ids, self.story.tolist(), strict=True):
            if number >= 0:
                found.setdefault(number, []).append(doc_id)
        return list(found.values())

    def signatures(self) -> dict[str, np.ndarray | None]:
        return {doc_id: (row if row.any() else None) for doc_id, row in zip(self.ids, self.values, strict=True)}


def group(signatures: Mapping[str, np.ndarray | None]) -> Stories:
    """The stories of these articles: LSH candidates checked on the whole signature, linked transitively."""
    ids = list(signatures)
    values = np.zeros((len(ids), NUM_PERM), dtype=np.uint32)
    for row, doc_id in enumerate(ids):
        found = signatures[doc_id]
        if found is not None:
            values[row] = found
    story, pairs = link(values)
    return Stories(ids, values, story, pairs)


def write(generation: Path, stories: Stories, previous: Layout | None = None,
          rows: np.ndarray | None = None) -> None:
    """Store ``stories`` in ``generation`` (under another name, then renamed: the old one may be a hard link).

    The signatures go in parts (``search.index.story_parts``): those of ``previous`` (the live record's parts)
    whose rows are unchanged are kept (``rows``: each row's row in the live record, negative: none). The
    similar pairs go in as one more array, ``pairs``, which code that predates it does not read (it reads
    the others by name); a record it writes has none, and the next write here links the whole record again.
    """
    stories.parts = story_parts.write(generation, stories.values, previous, rows)
    ids = "\n".join(stories.ids).encode("utf-8")
    arrays = {} if stories.pairs is None else {"pairs": stories.pairs.astype(np.int32)}
    save: Any = np.savez  # its typed signature takes no arrays by keyword
    replace(generation / RECORD, lambda f: save(f, version=np.array([VERSION]), story=stories.story,
                                                ids=np.frombuffer(ids, dtype=np.uint8),
                                                **layout_arrays(stories.parts or []), **arrays))


def read(generation: Path, with_values: bool = True, with_pairs: bool = False, spare: bool = False) -> Stories | None:
    """The record of ``generation``, or None if it has none or it cannot be read (``with_pairs``: its similar pairs
    too, None if it has none; ``spare``: its signatures in a buffer with rows to spare, ``Stories.buffer``, which the
    next addition writes into instead of copying them all: a writing process's warm-up)."""
    try:
        data = read_arrays(generation / RECORD, ("version", "ids", "story"))
        if data["version"].tolist() != [VERSION]:
            return None
        raw = data["ids"].tobytes().decode("utf-8")
        ids = raw.split("\n") if raw else []
        story = data["story"].astype(np.int32)
        rows = len(ids) // SPARE + 1024 if spare else 0
        values, parts = _values(generation, rows) if with_values else (np.zeros((len(ids), 0), dtype=np.uint32), None)
        pairs = _pairs(generation, len(ids)) if with_pairs else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # UnicodeDecodeError is a ValueError
        return None
    if len(story) != len(ids) or len(values) != len(ids):
        return None
    buffer = values.base if spare and parts is not None and isinstance(values.base, np.ndarray) else None
    return Stories(ids, values, story, pairs, parts, buffer=buffer)


def _values(generation: Path, spare: int = 0) -> tuple[np.ndarray, Layout | None]:
    """The record's signatures, from its parts (with ``spare`` rows after them: ``story_parts.read``), or (a record
    written before them) from its ``values``."""
    try:
        listed = read_arrays(generation / RECORD, ("parts", "part_rows"))
    except KeyError:
        return read_arrays(generation / RECORD, ("values",))["values"], None
    layout = layout_of(listed)
    if layout is None:
        raise ValueError("the record's parts and their rows do not pair up")
    return story_parts.read(generation, layout, NUM_PERM, spare), layout


def _pairs(generation: Path, count: int) -> np.ndarray | None:
    """The similar pairs of ``generation``'s record, or None (a record without them, or pairs out of its rows)."""
    try:
        pairs = read_arrays(generation / RECORD, ("pairs",))["pairs"].astype(np.int64)
    except KeyError:
        return None
    if pairs.ndim != 2 or pairs.shape[1] != 2 or (len(pairs) and (pairs.min() < 0 or pairs.max() >= count)):
        return None
    return pairs


def update(generation: Path, live: Path | None, contents: dict[str, str], sketches: Sketches,
           removed: list[str] | None = None) -> Stories:
    """Write the record of a generation holding ``contents`` (``id -> hash``) after a build.

    ``sketches`` are the signatures of the articles the build (re)indexed;
    every other article keeps its signature from ``live``'s record, or (an
    index written before this record) has it made from its stored body. The
    stories are found again where the build changed something, from the live
    record's similar pairs (``story_groups.relink``), or else over the whole record.
    """
    if not SIGNATURES:
        return group({})
    kept = None
    if live is not None:  # as this process's last write left it (search.index.kept), else read
        kept = records.take(live / RECORD, RECORD)
        if kept is None:
            kept = read(live, with_pairs=True)
    relinked = _relinked(kept, contents, sketches, removed) if kept is not None and kept.pairs is not None else None
    if relinked is not None:
        stories, rows = relinked
        write(generation, stories, kept.parts if kept is not None else None, rows)
    else:
        stories = group(_signatures(generation, kept, contents, sketches))
        write(generation, stories)
    records.keep(generation / RECORD, RECORD, stories)
    return stories


def _signatures(generation: Path, kept: Stories | None, contents: dict[str, str],
                sketches: Sketches) -> dict[str, np.ndarray | None]:
    """Every article's signature: the build's, the live record's, or made from the body ``generation`` stores."""
    known = kept.signatures() if kept is not None else {}
    signatures: dict[str, np.ndarray | None] = {}
    missing = []
    for doc_id in contents:
        if doc_id in sketches.signatures:
            signatures[doc_id] = sketches.signatures[doc_id]
        elif doc_id in known:
            signatures[doc_id] = known[doc_id]
        else:
            missing.append(doc_id)
    if missing:
        signatures.update(_from_stored(generation, set(missing)))
    return signatures


def _relinked(kept: Stories, contents: dict[str, str], sketches: Sketches,
              removed: list[str] | None = None) -> tuple[Stories, np.ndarray] | None:
    """The record of ``contents`` from the live one ``kept`` (with its pairs) and the build's ``sketches``, and each
    row's row in ``kept`` (negative: none); None when an article has no signature here or the kept ones are not in
    their order."""
    assert kept.pairs is not None
    ids = list(contents)
    made = sketches.signatures
    rows = _old_rows(kept.ids, ids, made, contents, removed)
    if np.any(rows == -2):
        return None  # neither made by this build nor in the record: the full way makes it from its body
    old = len(kept.ids)
    unchanged = np.flatnonzero(rows >= 0)
    new_of_old = np.full(len(kept.ids), -1, dtype=np.int64)
    new_of_old[rows[unchanged]] = unchanged
    gone = kept.values[new_of_old < 0]  # before a correction's row is written over
    buffer = None
    if len(ids) >= old and np.all(rows[old:] < 0) and np.all((rows[:old] == np.arange(old)) | (rows[:old] == -1)):
        # Every kept article in its row (an addition, corrections): the new signatures written after and over them,
        # in the rows the kept record's buffer has to spare, else in a new buffer with rows to spare (one copy).
        buffer = kept.buffer
        if buffer is None or len(buffer) < len(ids) or not np.shares_memory(buffer[:1], kept.values[:1]):
            buffer = np.empty((len(ids) + len(ids) // SPARE + 1024, kept.values.shape[1]), dtype=kept.values.dtype)
            buffer[:old] = kept.values
        values = buffer[: len(ids)]
    else:  # a removal: the rows after each removed one moved up in the kept buffer, else copied (take: a tenth of
        buffer = _compacted(kept, rows)  # the time of values[...] = ...)
        values = buffer[: len(ids)] if buffer is not None else np.take(kept.values, np.maximum(rows, 0), axis=0)
    for row in np.flatnonzero(rows < 0).tolist():
        found = made[ids[row]]
        values[row] = 0 if found is None else found
    linked = relink(values, gone, kept.pairs, new_of_old, kept.buckets)
    if linked is None:
        return None
    return Stories(ids, values, linked[0], linked[1], buckets=kept.buckets, buffer=buffer), rows


def _compacted(kept: Stories, rows: np.ndarray) -> np.ndarray | None:
    """The kept record's buffer with each kept row moved, in place, to its new place (``rows``: each new row's row
    in ``kept``, negative: none), when the kept rows keep their order and none moves down (a removal: the rows after
    it one place up); else None. Each run of rows that move together is one ``memmove``: at 1,000,000 articles a
    removal moved ~128 MB in ~10 ms where a copy of every signature (``np.take``) took 256 MB more memory, ~0.1-0.5
    CPU-s of page faults, and left the next addition to copy them all again into a buffer with rows to spare."""
    buffer = kept.buffer
    if (buffer is None or len(rows) > len(buffer) or not buffer.flags.c_contiguous
            or not np.shares_memory(buffer[:1], kept.values[:1])):
        return None
    places = np.flatnonzero(rows >= 0)
    sources = rows[places]
    if not len(places):
        return buffer
    if np.any(sources < places) or np.any(np.diff(sources) <= 0):
        return None
    breaks = np.flatnonzero((np.diff(places) != 1) | (np.diff(sources) != 1)) + 1  # where a run of rows ends
    width, start = buffer.strides[0], buffer.ctypes.data
    for first, end in zip([0, *breaks.tolist()], [*breaks.tolist(), len(places)], strict=True):
        place, source = int(places[first]), int(sources[first])
        if place != source:  # lower places first: a run's source rows are never written over before it moves
            ctypes.memmove(start + place * width, start + source * width, (end - first) * width)
    return buffer


SPARE = 8  # a new buffer of signatures has an eighth more rows than the record
FOUND_ONE_BY_ONE = 16  # articles a write corrects whose rows are found by a search of the ids each


def _old_rows(old_ids: list[str], ids: list[str], made: Mapping, holding: Mapping | None = None,
              removed: list[str] | None = None) -> np.ndarray:
    """Each of ``ids``' row in ``old_ids``: -1 if ``made`` holds its new signature, -2 if neither has it.

    An update keeps the articles it keeps in their order, first, and appends the new ones: the rows are then
    found by passes in C over the ids (at 1,000,000 articles ~0.1 s, not the ~1.5 s of a dictionary of every
    id and a loop over them in Python, which any other order still takes). ``holding``: ``ids`` as a mapping;
    ``removed``: the ids a removal took out (a few: their places found one by one, the rest checked in order).
    """
    found = _after_removal(old_ids, ids, removed) if removed is not None else None
    if found is not None:
        if len(made):
            held = made.holds if isinstance(made, SignatureRows) else made.__contains__
            found[np.fromiter(map(held, ids), dtype=bool, count=len(ids))] = -1
        return found
    held = made.holds if isinstance(made, SignatureRows) else made.__contains__
    if ids[: len(old_ids)] == old_ids:  # an addition: the articles kept first, in their order, the new ones after
        rows = np.arange(len(ids), dtype=np.int64)
        added = ids[len(old_ids) :]
        rows[len(old_ids) :] = np.where(np.fromiter(map(held, added), dtype=bool, count=len(added)), -1, -2)
        appended = set(added)
        corrected = [doc_id for doc_id in made if doc_id not in appended]
        if len(corrected) <= FOUND_ONE_BY_ONE:  # a write of a few: each found by its place (in C), not every id asked
            for doc_id in corrected:
                with contextlib.suppress(ValueError):
                    rows[old_ids.index(doc_id)] = -1
        else:
            rows[: len(old_ids)][np.fromiter(map(held, old_ids), dtype=bool, count=len(old_ids))] = -1
        return rows
    if len(ids) < len(old_ids):  # a removal: the rest in their order (then any new ones)?
        new = holding if holding is not None else set(ids)  # ``ids`` as a mapping already: not made again
        kept = np.fromiter(map(new.__contains__, old_ids), dtype=bool, count=len(old_ids))
        rest = list(itertools.compress(old_ids, kept.tolist()))
        if ids[: len(rest)] == rest:
            rows = np.full(len(ids), -2, dtype=np.int64)
            rows[: len(rest)] = np.flatnonzero(kept)
            rows[np.fromiter(map(held, ids), dtype=bool, count=len(ids))] = -1
            return rows
    old_row = dict(zip(old_ids, range(len(old_ids)), strict=True))
    return np.array([-1 if held(doc_id) else old_row.get(doc_id, -2) for doc_id in ids], dtype=np.int64)


def _after_removal(old_ids: list[str], ids: list[str], removed: list[str]) -> np.ndarray | None:
    """Each of ``ids``' row in ``old_ids`` when ``ids`` is ``old_ids`` without ``removed`` (a few), else None."""
    if len(removed) > FOUND_ONE_BY_ONE or len(ids) != len(old_ids) - len(removed):
        return None
    try:
        places = sorted(old_ids.index(doc_id) for doc_id in removed)
    except ValueError:
        return None
    rest = old_ids.copy()
    for place in reversed(places):
        del rest[place]
    return np.delete(np.arange(len(old_ids), dtype=np.int64), places) if rest == ids else None


def _from_stored(generation: Path, wanted: set[str]) -> dict[str, np.ndarray | None]:
    """Signatures of the ``wanted`` articles made from the bodies ``generation`` stores."""
    found: dict[str, np.ndarray | None] = {}
    for fields in stored_documents(generation):
        doc_id = fields.get("id")
        if doc_id in wanted:
            found[doc_id] = signature(fields.get("body") or "")
    return found


def grouped(generation: Path) -> list[tuple[str, int]] | None:
    """(id, story number) of each grouped article of ``generation``'s record; None if it has none or it cannot
    be read. Only those ids are decoded: most articles are in no group, and splitting all 1,000,000 ids (and
    walking them) was a third of a searcher's opening."""
    try:
        data = read_arrays(generation / RECORD, ("version", "ids", "story"))
        if data["version"].tolist() != [VERSION]:
            return None
        raw, story = data["ids"], data["story"]
        breaks = np.flatnonzero(raw == ord("\n"))
        if (len(breaks) + 1 if len(raw) else 0) != len(story):
            return None
        starts, ends = np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [len(raw)]))
        return [(raw[starts[at] : ends[at]].tobytes().decode("utf-8"), int(story[at]))
                for at in np.flatnonzero(story >= 0).tolist()]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # UnicodeDecodeError is a ValueError
        return None
