"""Stories: the articles of an index that carry the same text, found when it is built.

Wire copy reaches an archive many times: Antara's text under Kompas', Suara's
and Merdeka's titles, datelines and furniture. Each article's body (as the
index holds it: dateline, "Baca juga" lines and other furniture already taken
off by ingest) is cut into overlapping runs of ``SHINGLE`` words (the words
of the exact-form field, ``analysis.tokens.index_words``: an indexing worker
takes them from the analysis it makes for that field, so a signature costs
no second pass over the text, and it is made on every core), and the set
of runs is summed up in a MinHash signature of ``NUM_PERM`` values
(datasketch's ``affine32`` scheme, hash functions drawn from seed ``SEED``,
so a signature is the same in every process and every build). Two
articles whose signatures agree in at least ``THRESHOLD`` of their values
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
import itertools
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from search.analysis.tokens import index_words, word_hash
from search.index import kept as records
from search.index import story_parts
from search.index.npz import read_arrays
from search.index.records import stored_documents
from search.index.story_groups import Buckets, link, relink

RECORD = "stories.npz"
# Bump when a signature would come out otherwise (the runs, the hashes, the MinHash scheme): a record of
# another version is read as none, and the next build makes every signature again from the stored bodies.
VERSION = 3
NUM_PERM = 64
SEED = 1
SHINGLE = 5  # words in a run
# A body of fewer words is never grouped: a caption or a stub shares its few runs with unrelated ones.
MIN_WORDS = 30

_MULTIPLIER = np.uint32(1_000_003)
# Word hashes kept (then forgotten all at once): the frequent words come back at once, and an indexing worker of
# 500,000 articles held ~1,000,000 (~0.1 GB) before.
WORD_HASHES = 200_000
# Off only in ``bench.build_cost``, which measures what a build without story groups costs: no signatures are
# made and no record is written (an index built so groups nothing until its next build with them).
SIGNATURES = True


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The NUM_PERM hash functions ``h -> a * h + b mod 2**32`` (``a`` odd: each a permutation of 32-bit values)."""
    draw = np.random.RandomState(SEED)  # the legacy generator: its numbers for a seed never change
    a = draw.randint(1, 2**32, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
    b = draw.randint(0, 2**32, size=NUM_PERM, dtype=np.uint64)
    return a.astype(np.uint32), b.astype(np.uint32)


_A, _B = _permutations()


def _minhash(runs: np.ndarray) -> np.ndarray:
    """The MinHash signature (uint32 x NUM_PERM) of the 32-bit hashes of a body's runs (repeats change nothing).

    datasketch's ``affine32`` scheme: each hash is mixed once (MurmurHash3's
    32-bit finaliser), then permuted by each function, and the least value of
    each kept; uint32 arithmetic wraps, which is the ``mod 2**32``.
    (datasketch itself was not kept: importing it imports SciPy, 0.65 s of
    CPU and 57 MB in every build process, 5% of an IndoSum build on its own,
    for what is these few lines of numpy.)
    """
    h = runs.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return (h[:, None] * _A + _B).min(axis=0)


class _WordHashes(dict):
    """A word's ``word_hash`` (CRC-32 of its UTF-8), kept once worked out: a dictionary lookup costs a fifth."""

    def __missing__(self, word: str) -> int:
        if len(self) > WORD_HASHES:  # bounded: an archive's vocabulary grows with it (~0.1 kB a word kept)
            self.clear()
        value = self[word] = word_hash(word)
        return value


_word_hashes = _WordHashes()


def signature(body: str) -> np.ndarray | None:
    """The signature of an article's body, or None when it is too short to be grouped (``MIN_WORDS``)."""
    return signature_of_words(index_words(body).words)


def signature_of_words(words: list[str]) -> np.ndarray | None:
    """The signature of a body's words (``index_words(body).words``: lowercased, punctuation off), or None."""
    if len(words) < MIN_WORDS:
        return None
    return signature_of_hashes(np.array(list(map(_word_hashes.__getitem__, words)), dtype=np.uint32))


def signature_of_hashes(hashes: np.ndarray) -> np.ndarray | None:
    """The signature of a body's words given as their ``word_hash`` values (uint32, in order), or None."""
    if len(hashes) < MIN_WORDS:
        return None
    count = len(hashes) - SHINGLE + 1
    runs = hashes[:count].copy()
    for offset in range(1, SHINGLE):  # a polynomial hash of each run of SHINGLE words, all runs at once
        runs = runs * _MULTIPLIER + hashes[offset : offset + count]
    return _minhash(runs)


class SignatureRows(Mapping[str, "np.ndarray | None"]):
    """``id -> signature`` (None: too short), the signatures kept as rows of a few large arrays.

    A build's parent keeps every (re)indexed article's signature until the record is written: as a dict of
    arrays, one numpy object each (~0.45 kB an article, 0.45 GB at 1,000,000), as rows 0.26 kB.
    """

    BLOCK = 8192  # rows an array: appended to without copying what came before

    def __init__(self) -> None:
        self._row: dict[str, int] = {}  # id -> row; -1: no signature (too short)
        self._blocks: list[np.ndarray] = []
        self._rows = 0

    def __getitem__(self, doc_id: str) -> np.ndarray | None:
        row = self._row[doc_id]
        return None if row < 0 else self._blocks[row // self.BLOCK][row % self.BLOCK]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    @property
    def holds(self) -> Callable[[object], bool]:
        """Whether an id is held: the dictionary's own ``__contains__`` (``map`` over a million ids calls it in C)."""
        return self._row.__contains__

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)

    def __setitem__(self, doc_id: str, found: np.ndarray | None) -> None:
        self.add_rows([doc_id], None if found is None else found.reshape(1, NUM_PERM), [found is not None])

    def add_rows(self, ids: list[str], values: np.ndarray | None, signed: list[bool]) -> None:
        """Keep ``ids``' signatures: ``values`` holds a row for each id whose ``signed`` is true, in order."""
        rows = iter(() if values is None else values)
        for doc_id, has in zip(ids, signed, strict=True):
            if not has:
                self._row[doc_id] = -1
                continue
            at = self._rows % self.BLOCK
            if at == 0:
                self._blocks.append(np.zeros((self.BLOCK, NUM_PERM), dtype=np.uint32))
            self._blocks[-1][at] = next(rows)
            self._row[doc_id] = self._rows
            self._rows += 1


@dataclass
class Sketches:
    """Signatures by article id: what a build collects and the record stores."""

    signatures: SignatureRows = field(default_factory=SignatureRows)

    def add(self, doc_id: str, body: str) -> None:
        self.signatures[doc_id] = signature(body)

    def made(self, doc_id: str, found: np.ndarray | None) -> None:
        """Keep a signature made elsewhere (an indexing worker's)."""
        self.signatures[doc_id] = found

    def __len__(self) -> int:
        return len(self.signatures)


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
    parts: story_parts.Layout | None = None
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


def group(signatures: dict[str, np.ndarray | None]) -> Stories:
    """The stories of these articles: LSH candidates checked on the whole signature, linked transitively."""
    ids = list(signatures)
    values = np.zeros((len(ids), NUM_PERM), dtype=np.uint32)
    for row, doc_id in enumerate(ids):
        found = signatures[doc_id]
        if found is not None:
            values[row] = found
    story, pairs = link(values)
    return Stories(ids, values, story, pairs)


def similarity(first: np.ndarray | None, second: np.ndarray | None) -> float:
    """The share of equal values of two signatures: their runs of words' estimated Jaccard similarity."""
    if first is None or second is None:
        return 0.0
    return float((first == second).mean())


def write(generation: Path, stories: Stories, previous: story_parts.Layout | None = None,
          rows: np.ndarray | None = None) -> None:
    """Store ``stories`` in ``generation`` (under another name, then renamed: the old one may be a hard link).

    The signatures go in parts (``search.index.story_parts``): those of ``previous`` (the live record's parts)
    whose rows are unchanged are kept (``rows``: each row's row in the live record, negative: none). The
    similar pairs go in as one more array, ``pairs``, which code that predates it does not read (it reads
    the others by name); a record it writes has none, and the next write here links the whole record again.
    """
    stories.parts = story_parts.write(generation, stories.values, previous, rows)
    path = generation / RECORD
    partial = path.with_name(path.name + ".partial")
    ids = "\n".join(stories.ids).encode("utf-8")
    arrays = {} if stories.pairs is None else {"pairs": stories.pairs.astype(np.int32)}
    save: Any = np.savez  # its typed signature takes no arrays by keyword
    with open(partial, "wb") as f:
        save(f, version=np.array([VERSION]), ids=np.frombuffer(ids, dtype=np.uint8), story=stories.story,
             parts=np.array([number for number, _ in stories.parts], dtype=np.int64),
             part_rows=np.array([size for _, size in stories.parts], dtype=np.int64), **arrays)
    os.replace(partial, path)


def read(generation: Path, with_values: bool = True, with_pairs: bool = False) -> Stories | None:
    """The record of ``generation``, or None if it has none or it cannot be read (``with_pairs``: its similar pairs
    too, None if it has none)."""
    try:
        data = read_arrays(generation / RECORD, ("version", "ids", "story"))
        if data["version"].tolist() != [VERSION]:
            return None
        raw = data["ids"].tobytes().decode("utf-8")
        ids = raw.split("\n") if raw else []
        story = data["story"].astype(np.int32)
        values, parts = _values(generation) if with_values else (np.zeros((len(ids), 0), dtype=np.uint32), None)
        pairs = _pairs(generation, len(ids)) if with_pairs else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # UnicodeDecodeError is a ValueError
        return None
    if len(story) != len(ids) or len(values) != len(ids):
        return None
    return Stories(ids, values, story, pairs, parts)


def _values(generation: Path) -> tuple[np.ndarray, story_parts.Layout | None]:
    """The record's signatures, from its parts, or (a record written before them) from its ``values``."""
    try:
        listed = read_arrays(generation / RECORD, ("parts", "part_rows"))
    except KeyError:
        return read_arrays(generation / RECORD, ("values",))["values"], None
    layout = list(zip(listed["parts"].tolist(), listed["part_rows"].tolist(), strict=True))
    return story_parts.read(generation, layout, NUM_PERM), layout


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
    else:
        values = np.take(kept.values, np.maximum(rows, 0), axis=0)  # take: a tenth of the time of values[...] = ...
    for row in np.flatnonzero(rows < 0).tolist():
        found = made[ids[row]]
        values[row] = 0 if found is None else found
    linked = relink(values, gone, kept.pairs, new_of_old, kept.buckets)
    if linked is None:
        return None
    return Stories(ids, values, linked[0], linked[1], buckets=kept.buckets, buffer=buffer), rows


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
