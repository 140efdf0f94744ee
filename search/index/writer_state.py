"""The writer's records of the whole archive saved as it holds them, so that a writer started again has them at once.

Before it takes its first write, ``cari serve``'s writer reads the live generation's records of the whole
archive into the Python objects every write starts from (``search.index.kept``): the list of articles
(``contents.json.gz``) with its parts, and the names' counts (``names-counts.npz``) with their split by prefix
and the names' learning's first pass (``name_learning.Candidates``). At 1,000,000 articles that is ~2.6 CPU-s
(the list 0.64, the counts read 0.55, their split 0.36, the first pass ~1.0), most of what a first write after a
start waited for. Those objects are dicts of 1,000,000 ids and 1.5 million counts: no form on disk makes them
faster than Python builds them, and ``marshal`` (Python's own serialisation of its built-in types, the one
``.pyc`` files use: no code run, no class looked up) builds them fastest (~0.9 CPU-s for all of them there;
``pickle`` ~1.4, the records as they are ~2.6).

So the writer saves what it keeps, once the writes have paused (:data:`SAVE_DELAY`) and before it ends, to :data:`STATE` beside
the generations: one file, written under another name and renamed, holding the name of the generation its
objects were made from and the checksums that generation's manifest records of the record files they come from
(:func:`key_of`), then the objects, the whole under a CRC-32. A writer starting takes them when the live
generation is still the one they were made from and its records still the same (:func:`load`); anything
else (no file, another generation, a different Python, a flipped byte: its CRC-32 does not match) and it reads
the records as before, saying why in the log where the file is damaged. The file is no part of the index:
nothing reads it but a writer's warm-up, a copy or a replica of the index needs none, ``cari check`` and
searches never look at it, and an index of any format without it is written to as before.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import marshal
import os
import struct
import sys
import threading
import zlib
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from search import errors
from search.index import count_parts, generations, kept
from search.index.format import CONTENTS
from search.index.grown import Part
from search.index.name_counts import SplitCounts
from search.index.name_joins import Holders
from search.index.name_learning import Candidates

if TYPE_CHECKING:
    from search.index.documents import BatchedWrites

log = logging.getLogger(__name__)

STATE = "writer-state.marshal"
MAGIC = b"CARI-WRITER-STATE-1\n"
_HEADER = struct.Struct("!IQ")  # the CRC-32 of the payload, its length
QUIET_DELAY = 5.0  # seconds without a write before the writer makes the story record's rows by bucket (writer.py)
# Then this many more before it saves what it keeps: the file is 126 MB at 1,000,000 articles, written at most once a
# pause of the writes that long; a writer whose server stops saves at once (writer.save_before_ending).
SAVE_DELAY = 300.0
SAVE_SECONDS = 30.0  # how long a writer whose server is gone, or which is told to end, waits for its save
# The same after its warm-up: at 1,000,000 articles the workers of a server starting on a loaded machine were still
# opening the index 6-13 s after the start, and the first write, sent then, waited for the rows by bucket (1.35 CPU-s).
START_DELAY = 30.0
_current: dict[Path, list] = {}  # index folder -> the key of the records saved there by this process, or taken


def key_of(live: Path) -> list | None:
    """What the objects are made from: the generation's name, this Python's version (``marshal``'s form may change
    between versions) and the checksums its manifest records of the list of articles and the names' counts files."""
    recorded = generations.read_manifest(live).get("checksums")
    if not isinstance(recorded, dict):
        return None
    files = sorted([name, list(value)] for name, value in recorded.items()
                   if name == CONTENTS or name.startswith(count_parts.PREFIX) or name == count_parts.RECORD)
    return [live.name, list(sys.version_info[:2]), files]


def save(index_dir: Path) -> bool:
    """Save the records this process keeps for the live generation of ``index_dir`` (call it where no write runs:
    the writing thread). False when it keeps none of them (nothing written)."""
    try:
        live = generations.live_generation(index_dir)
    except errors.CariError:  # no index: nothing to save
        return False
    contents = kept.peek(live / CONTENTS, CONTENTS)
    parts = kept.peek(live / CONTENTS, CONTENTS + "#parts")
    names = kept.peek(live / count_parts.RECORD, count_parts.RECORD)
    key = key_of(live)
    if contents is None or names is None or key is None:
        return False
    if _current.get(index_dir) == key and (index_dir / STATE).is_file():
        return True  # saved or taken for this generation already
    _, asked, split, candidates = names  # the flat counts are a view of the split when loaded (SplitCounts)
    payload = marshal.dumps((key, contents, None if parts is None else [(p.keys, p.data, p.opening) for p in parts],
                             asked, {prefix: dict(values) for prefix, values in split.items()},
                             _candidates_out(candidates)))
    path = index_dir / STATE
    partial = path.with_name(STATE + ".partial")  # one name: a save killed half-way leaves no more
    try:
        with open(partial, "wb") as f:
            f.write(MAGIC + _HEADER.pack(zlib.crc32(payload), len(payload)))
            f.write(payload)
        os.replace(partial, path)
        _current[index_dir] = key
    except OSError as e:
        log.warning("could not save the writer's records to %s (%s): a writer started again reads them", path, e)
        with contextlib.suppress(OSError):
            partial.unlink()
        return False
    return True


def save_before_ending(index_dir: Path, writes: BatchedWrites, timeout: float = SAVE_SECONDS) -> bool:
    """Save the records the writer keeps (``writer_state.save``, in the writing thread) unless they are saved for the
    live generation already: a server stopped before the writes paused for long enough starts again from them. Waits
    at most ``timeout`` seconds; whether they are saved."""
    if is_saved(index_dir):
        return True
    done = threading.Event()

    def saving() -> None:
        try:
            save(index_dir)
        finally:
            done.set()

    writes.when_idle(saving)
    return done.wait(timeout) and is_saved(index_dir)


def is_saved(index_dir: Path) -> bool:
    """Whether this process saved (or took) the records of the live generation of ``index_dir``."""
    try:
        key = key_of(generations.live_generation(index_dir))
    except errors.CariError:  # no index: nothing to save
        return True
    return key is None or _current.get(index_dir) == key and (index_dir / STATE).is_file()


def load(index_dir: Path, live: Path) -> bool:
    """Keep (``kept.keep``) the records saved for ``live`` as if this process had read them; False when there are
    none for it (the caller reads them)."""
    path = index_dir / STATE
    key = key_of(live)
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    found = _payload(raw, path)
    if found is None or key is None:
        return False
    collecting = gc.isenabled()
    gc.disable()  # millions of new objects, none of them garbage: Python's collector would walk them (~0.2 CPU-s)
    try:
        saved_key, contents, parts, asked, split, candidates = marshal.loads(found)
    except (ValueError, EOFError, TypeError):
        log.warning("the writer's records in %s cannot be read: read from the index instead", path)
        return False
    finally:
        if collecting:
            gc.enable()
    if saved_key != key:
        return False  # made from another generation (or by another Python): the records are read
    _current[index_dir] = key
    kept.keep(live / CONTENTS, CONTENTS, contents)
    kept.keep(live / CONTENTS, CONTENTS + "#parts", None if parts is None else [Part(*part) for part in parts])
    split = defaultdict(dict, split)
    kept.keep(live / count_parts.RECORD, count_parts.RECORD, (SplitCounts(split), asked, split, _candidates_in(candidates)))
    return True


def _payload(raw: bytes, path: Path) -> bytes | None:
    head = len(MAGIC) + _HEADER.size
    if not raw.startswith(MAGIC) or len(raw) < head:
        log.warning("%s is not a writer's records: read from the index instead", path)
        return None
    crc, size = _HEADER.unpack_from(raw, len(MAGIC))
    payload = raw[head:]
    if len(payload) != size or zlib.crc32(payload) != crc:
        log.warning("the writer's records in %s are damaged (checksum): read from the index instead", path)
        return None
    return payload


def _candidates_out(candidates: Candidates | None) -> tuple | None:
    if candidates is None:
        return None
    return (candidates.kinds, dict(candidates.containing), dict(candidates.holders), candidates.name_words)


def _candidates_in(found: Any) -> Candidates | None:
    if found is None:
        return None
    kinds, containing, holders, name_words = found
    return Candidates(kinds, defaultdict(set, containing), Holders(holders), name_words)
