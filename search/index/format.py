"""What an index on disk must be to be read or updated: its format, its fingerprint, how it opens.

Beside the Whoosh files, a generation holds Cari's records: ``cari.json``
(the manifest: how and from what it was built, its format and fingerprint),
``contents.json.gz`` (``id -> content hash``, what an update compares the
sources against) and ``roots.json.gz`` (``word -> root`` of every word
stemmed so far: an update, and a searcher's snippets, start with a warm
stem cache).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from whoosh.index import open_dir

from search.analysis.abbreviations import abbreviation_lines
from search.analysis.stemmer import shared_stemmer
from search.analysis.wordlists import load_stem_exceptions, stopwords
from search.errors import IndexOutdated, damaged, not_permitted
from search.index import generations
from search.index.checksums import CHECK_NICE, Verification, first_mismatch, split_by_size
from search.index.records import READABLE_FORMATS
from search.index.schema import build_schema

CONTENTS = "contents.json.gz"
# Each source's learned furniture (search.ingest.furniture), kept by updates.
FURNITURE = "furniture.json.gz"
ROOTS = "roots.json.gz"
# The first roots the build stemmed (words in the order the build first met them, so the common
# words first), for a searcher: reading every root of 1,000,000 articles cost seconds and hundreds
# of MB in each worker, for snippets that mostly show common words (a word not in it is stemmed).
COMMON_ROOTS = "roots-common.json.gz"
COMMON_ROOTS_COUNT = 100_000
# Bump when a change makes existing indexes unreadable or unfit to update.
# 3: exact-form fields without positions; 4: packed inlined lists;
# 5: the index names no Cari module but search._whoosh.persisted; 6: diacritics folded;
# 7: the year facet is Jakarta's year; 8: every article kept whole, as it was given (search.index.records);
# 9: the names field and record (people and organisations, search.index.names);
# 10: a date that names no zone is Jakarta's (search.ingest.dates.read_date): ``published``, the year and the
# filters of such an article moved by seven hours (it was read as UTC);
# 11: a full form's abbreviation indexed where it stands (``Menteri Dalam Negeri``: ``mendagri``,
# search.analysis.abbreviations), and a query of it asks that term alone.
INDEX_FORMAT = 11
# Formats a search still reads as they are (an index of the last format serves until it is rebuilt: at 1,000,000
# articles a rebuild takes ~20 minutes); writes to one need ``cari rebuild-index --full`` first. Format 10 lacks
# the abbreviations' terms: its searches ask an abbreviation's full form as before (``Alternatives``).
SEARCHABLE_FORMATS = (10, INDEX_FORMAT)
ABBREVIATIONS_INDEXED = 11  # the first format holding them


def schema_fingerprint() -> str:
    """A digest of what decides the index's terms: format, fields, analyzers, word lists.

    An index whose fingerprint differs was built by a different version of
    Cari's analysis, so an update would mix two kinds of terms; it is rebuilt.
    """
    fields = []
    for name, spec in sorted(build_schema().items()):
        analyzer = getattr(spec, "analyzer", None)
        postings = type(spec.format).__name__ if spec.format else None  # positions or not
        fields.append([name, type(spec).__name__, postings, repr(analyzer) if analyzer else None,
                       bool(spec.stored), bool(spec.scorable)])
    try:
        sastrawi = version("PySastrawi")
    except PackageNotFoundError:  # pragma: no cover - installed some other way
        sastrawi = "unknown"
    data = [INDEX_FORMAT, sastrawi, fields, sorted(load_stem_exceptions().items()), sorted(stopwords()),
            sorted(abbreviation_lines())]
    return hashlib.sha1(json.dumps(data).encode("utf-8")).hexdigest()


def stamp() -> dict:
    """What every manifest records of the code that wrote the generation, and when."""
    return {
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fingerprint": schema_fingerprint(),
        "index_format": INDEX_FORMAT,
    }


def outdated_message(index_dir: Path, found: object) -> str:
    """What works on an index of another format: rebuilt from its own articles, exported, backed up."""
    said = (f"The index at {index_dir} was built by another version of Cari (index format {found}; "
            f"this version reads format {INDEX_FORMAT}).")
    if isinstance(found, int) and found > INDEX_FORMAT:
        return f"{said} Use the newer version of Cari, or `cari export` with it to carry the articles over."
    if isinstance(found, int) and found in READABLE_FORMATS:
        return (f"{said} Run `cari rebuild-index --full` (no sources needed) to rebuild it from its own articles; "
                "until then `cari export` and `cari backup` work on it, and it keeps its articles.")
    return f"{said} Run `cari rebuild-index --full SOURCES` with its sources to rebuild it."


def check_format(index_dir: Path, generation: Path, background: bool = False, searching: bool = False) -> dict:
    """Raise IndexOutdated (one clear "rebuild" message) for a generation of another index format (``searching``:
    of none of ``SEARCHABLE_FORMATS``), IndexDamaged for one whose files do not hold what was written.

    ``background``: the large files are not checked here but returned
    (``name -> [size, crc32]``) for a ``checksums.Verification`` to check
    once the index is open; else every file is checked and None are.
    A file this user may not read is IndexNotPermitted (naming it and the
    user), never "damaged": a service user serving what root's cron job built.
    """
    _check_readable(index_dir, generation, [generations.MANIFEST])
    manifest = generations.read_manifest(generation)
    if not manifest:
        raise damaged(index_dir, f"its record {generations.MANIFEST} is missing or unreadable")
    found = manifest.get("index_format", "4 or older")
    if found != INDEX_FORMAT and not (searching and found in SEARCHABLE_FORMATS):
        raise IndexOutdated(outdated_message(index_dir, found))
    expected = manifest.get("checksums")
    if not isinstance(expected, dict):
        raise damaged(index_dir, "it records no checksums")
    _check_readable(index_dir, generation, list(expected))
    now, later = split_by_size(generation, expected) if background else (expected, {})
    problem = first_mismatch(generation, now)
    if problem:
        raise damaged(index_dir, problem)
    return later


def _check_readable(index_dir: Path, generation: Path, names: list[str]) -> None:
    for name in names:
        path = generation / name
        if path.exists() and not os.access(path, os.R_OK):
            raise not_permitted(path, index_dir)


def open_index(index_dir: Path, generation: Path | None = None) -> tuple[Path, Any]:
    """The live generation of ``index_dir`` (or ``generation``, one held by ``generations.hold_live``) and its Whoosh
    index, opened for reading once every file of it is checked.

    Raises IndexMissing, IndexOutdated or IndexDamaged (one message each).
    The schema is Cari's own, not the one pickled in the index: reading an
    index never depends on the classes it was written with.
    """
    generation = generation or generations.live_generation(index_dir)
    check_format(index_dir, generation)
    return generation, _open_whoosh(index_dir, generation)


def open_for_searching(index_dir: Path, generation: Path) -> tuple[Any, Verification, int]:
    """The Whoosh index of ``generation``, opened once its small files are checked, the check of its large
    files, which goes on in a thread (``search.index.checksums``), and its format (one of ``SEARCHABLE_FORMATS``)."""
    later = check_format(index_dir, generation, background=True, searching=True)
    index = _open_whoosh(index_dir, generation)
    check = Verification(generation, later, nice=CHECK_NICE)  # below the searches and the writer's own check
    return index, check, generations.read_manifest(generation)["index_format"]


def _open_whoosh(index_dir: Path, generation: Path) -> Any:
    learn_roots(generation, COMMON_ROOTS)
    try:
        return open_dir(str(generation), schema=build_schema())
    except PermissionError as e:
        raise not_permitted(e.filename or generation, index_dir) from None
    except Exception as e:  # Whoosh raises many kinds on a damaged index
        raise damaged(index_dir, f"{type(e).__name__}: {e}") from None


def check_everything(index_dir: Path) -> tuple[Path, int, int]:
    """Read every file of the live generation against its checksums, as no opening for a search does
    before it serves: ``(the generation, files, bytes)``; IndexDamaged for the first that differs."""
    generation = generations.live_generation(index_dir)
    check_format(index_dir, generation, background=True)  # its format, and whether it can be read
    expected = generations.read_manifest(generation)["checksums"]
    problem = first_mismatch(generation, expected, again=True)
    if problem:
        raise damaged(index_dir, problem)
    return generation, len(expected), sum(size for size, _ in expected.values())


def opens(index_dir: Path, generation: Path, background: bool = False) -> Verification | None:
    """None unless ``generation`` is sound and Whoosh can open and count it (a damaged one is rebuilt, not updated);
    else the check of its files: done, or (``background``) of its large ones, going on in a thread."""
    try:
        later = check_format(index_dir, generation, background)
        with open_dir(str(generation), schema=build_schema()).searcher() as searcher:
            searcher.doc_count()
    except Exception:  # noqa: BLE001 - Whoosh raises many kinds on damaged files; CariError for a bad checksum
        return None
    return Verification(generation, later)


# The index folders and records (as _roots_key names them) whose roots this process's stem cache holds, with
# the cache's size then: the cache only grows, so a smaller one was cleared and must learn them again.
_learned: dict[tuple[str, str], int] = {}
# How many roots the index folders' ROOTS records held when this process last read or wrote one.
_saved: dict[tuple[str, str], int] = {}
# A write reads the whole ROOTS record only when its input is at least this share of the record's size, else the
# common roots (COMMON_ROOTS, 100,000: most of any text's words) and stems the rest afresh: at 1,000,000 articles
# the record holds 2.3 million roots (23 MB gzipped, ~3 CPU-s to read, ~2 to write again), while the words of an
# update of 1,000 articles (2.5 MB) that the common roots lack are a few thousand, ~11 us each to stem.
ROOTS_INPUT_SHARE = 1.0
# ... and writes it again only once the roots it holds beyond it are this share of it (at least one): the record
# is a warm cache (a root not in it is worked out the same), and writing 2.3 million roots cost ~2 CPU-s a write.
ROOTS_GROWTH = 1 / 100


def forget_learned_roots() -> None:
    """Forget which indexes' roots this process learnt: each is read again when next opened, as in a new process."""
    _learned.clear()
    _saved.clear()


def _roots_key(generation: Path, record: str) -> tuple[str, str]:
    """The index folder of ``generation`` and the record: the roots of its generations differ only by
    the words one update adds."""
    return os.path.realpath(generation.parent), record


def common_roots(roots: dict[str, str]) -> dict[str, str]:
    """The first ``COMMON_ROOTS_COUNT`` of a build's roots (``COMMON_ROOTS``)."""
    return dict(itertools.islice(roots.items(), COMMON_ROOTS_COUNT))


def remember_roots(generation: Path, record: str = ROOTS, saved: int | None = None) -> None:
    """Note that the stem cache holds the roots of ``generation``'s index (this process wrote or read them);
    ``saved``: how many roots its ``record`` holds."""
    key = _roots_key(generation, record)
    _learned[key] = len(shared_stemmer().known_roots())
    if saved is not None:
        _saved[key] = saved


def holds_roots(generation: Path) -> bool:
    """Whether this process's stem cache holds every root of ``generation``'s ROOTS record."""
    return len(shared_stemmer().known_roots()) >= _learned.get(_roots_key(generation, ROOTS), 1 << 62)


def learn_roots_for_update(live: Path, input_bytes: int | None) -> None:
    """Warm the stem cache with ``live``'s ROOTS before an update whose sources hold ``input_bytes`` of text
    (None: unknown), unless they are a small share of the record (``ROOTS_INPUT_SHARE``): then with its common
    roots only, the rest of their words stemmed afresh (the same roots), and the record is kept as it is."""
    if input_bytes is not None:
        try:
            size = (live / ROOTS).stat().st_size
        except OSError:
            return
        if input_bytes < ROOTS_INPUT_SHARE * size:
            if (live / COMMON_ROOTS).exists():  # (an index older than it: nothing read, every word stemmed)
                learn_roots(live, COMMON_ROOTS)
            return
    learn_roots(live)


def roots_outgrown(generation: Path) -> bool:
    """Whether the stem cache holds the ROOTS record of ``generation``'s index and enough roots beyond it
    (``ROOTS_GROWTH``) to write it again."""
    if not holds_roots(generation):
        return False
    saved = _saved.get(_roots_key(generation, ROOTS), 0)
    return len(shared_stemmer().known_roots()) - saved >= max(1, int(saved * ROOTS_GROWTH))


def save_roots(generation: Path, live: Path | None) -> None:
    """Write the stem cache as the new generation's roots records, or keep the live ones (hard-linked by
    ``copy_generation``): an update whose cache does not hold them (it did not read them: a small write) or
    holds few roots beyond them (:func:`roots_outgrown`) keeps them."""
    if live is None or not (generation / ROOTS).exists() or roots_outgrown(live):
        roots = shared_stemmer().known_roots()
        generations.write_record(generation, ROOTS, roots)
        generations.write_record(generation, COMMON_ROOTS, common_roots(roots))
        remember_roots(generation, saved=len(roots))
    elif holds_roots(live):
        remember_roots(generation)


def learn_roots(generation: Path, record: str = ROOTS) -> None:
    """Warm the stem cache with the roots saved by the build of ``generation``: all of them
    (``ROOTS``, for an update), or the common ones (``COMMON_ROOTS``, for a searcher; all of them
    for an index written before that record).

    An update then stems only words no earlier build saw, and a searcher
    highlights snippets without running Sastrawi on every word of a hit's body
    (cold, that was most of a query's time). Roots from a build with another
    analysis (another fingerprint) are not used.

    A process that holds the roots of an earlier generation of the same index
    does not read them again: the record is only a warm cache (a root not in
    it is worked out, the same), and the words one write adds are a handful,
    while reading the record of 100,000 articles took ~1.5 s of each worker's
    first search after every write.
    """
    if len(shared_stemmer().known_roots()) >= _learned.get(_roots_key(generation, record), 1 << 62):
        return
    if generations.read_manifest(generation).get("fingerprint") == schema_fingerprint():
        roots = generations.read_record(generation, record)
        if roots is None and record != ROOTS:
            roots = generations.read_record(generation, ROOTS)
        if isinstance(roots, dict):
            shared_stemmer().learn_roots(roots)
            remember_roots(generation, record, len(roots) if record == ROOTS else None)
