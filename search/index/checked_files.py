"""The files of an index found sound, kept beside its generations for every process of the machine.

Each process used to read every large file of the generation it opened against its checksum
(``search.index.checksums``) and remember only for itself which it had found sound: at 1,000,000
articles ``cari serve --workers 2`` started three processes (two workers and the writer) that each
read the same 4.4 GB (~1.2 CPU-s each) as it started, on a 2-core machine, while the first write
after the start waited for them. The files of a generation never change once published, so one
reading is enough for the machine.

So a process that reads a file and finds it sound notes it in :data:`RECORD` (``checked-files.json``,
in the index folder beside ``CURRENT``, written under another name and renamed), as it notes it in its
own memory: the file's device, inode, size, modification time (ns) and the checksum it was found to
hold, and when it was read. Another process opening a generation takes a file noted there as it takes
one it found sound itself: it checks its size and that it is that very file (device, inode, size and
modification time: writing into it or replacing it changes them), and does not read it again. A file
noted within ``SETTLED_NS`` of its modification time is not taken (modification times are kept in clock
ticks of a few ms), nor a note older than :data:`TRUST_SECONDS`: from then on the next process to open
the file reads it again, and notes it again.

What that changes: a byte flipped by the file system's way (a write into a file, a file replaced) is
found as before, by the next process to open it. A byte flipped underneath, keeping the file's size and
time (the disk's own decay, a ``dd`` that set the time back), in a file noted within the last
``TRUST_SECONDS``, is found by ``cari check`` at once (it reads every byte, whatever is noted, and notes
what it found sound: a cron job renews the notes), and otherwise by the first process to open the index
once the note is ``TRUST_SECONDS`` old: no longer by every new process. A note is no part of the index:
a copy, a backup or a replica (another device, other inodes) finds none it can take and reads its files.
A folder this user may not write into keeps no notes: each process reads its files, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from search.ingest.formats import GENERATION_PREFIX

log = logging.getLogger(__name__)

RECORD = "checked-files.json"
TRUST_SECONDS = 24 * 3600  # a note older than this is not taken: the file is read again (and noted again)
KEPT = 10_000  # notes at most (a generation has ~40 files; the oldest notes go first)
PRUNE_ABOVE = 200  # past this many notes, those of files no generation holds any more are dropped
WAIT_SECONDS = 0.1  # how often a process waiting for another's reading of a file looks for its note
_cache: dict[Path, tuple[tuple, frozenset]] = {}  # index folder -> (the record's identity, the notes taken)
_lock = threading.Lock()


def _read(index_dir: Path) -> list[list[int]]:
    try:
        notes = json.loads((index_dir / RECORD).read_text(encoding="utf-8")).get("sound")
    except (OSError, ValueError, AttributeError):
        return []
    return [note for note in notes if isinstance(note, list) and len(note) == 6
            and all(isinstance(value, int) for value in note)] if isinstance(notes, list) else []


def trusted(index_dir: Path, settled_ns: int) -> frozenset:
    """The files noted sound in ``index_dir``'s record that may be taken now, as ``checksums.identity`` tuples."""
    try:
        stat = (index_dir / RECORD).stat()
    except OSError:
        return frozenset()
    now = time.time_ns()
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, now // 10**9 // 60)  # read again each minute
    with _lock:
        cached = _cache.get(index_dir)
    if cached is not None and cached[0] == key:
        return cached[1]
    found = frozenset(tuple(note[:5]) for note in _read(index_dir)
                      if note[5] - note[3] > settled_ns and now - note[5] <= TRUST_SECONDS * 10**9)
    with _lock:
        _cache[index_dir] = (key, found)
    return found


def note_sound(index_dir: Path, known: tuple[int, int, int, int, int], read_at_ns: int) -> None:
    """Add a file found sound (``checksums.identity``) read from ``read_at_ns`` on to ``index_dir``'s record."""
    now = time.time_ns()
    notes = {tuple(note[:5]): note[5] for note in _read(index_dir) if now - note[5] <= TRUST_SECONDS * 10**9}
    notes[known] = read_at_ns
    if len(notes) > PRUNE_ABOVE:  # each write adds a few files: forget those no generation holds any more
        present = _present(index_dir)
        notes = {note: at for note, at in notes.items() if note[:4] in present}
    kept = sorted(notes.items(), key=lambda item: item[1])[-KEPT:]
    path = index_dir / RECORD
    partial = path.with_name(f".{RECORD}.{os.getpid()}.{threading.get_native_id()}")
    try:
        partial.write_text(json.dumps({"sound": [[*known, at] for known, at in kept]}), encoding="utf-8")
        os.replace(partial, path)
    except OSError as e:  # a folder this user may not write into: each process reads the files itself
        log.debug("cannot note the files found sound in %s (%s)", path, e)
        with contextlib.suppress(OSError):
            partial.unlink()


def _present(index_dir: Path) -> set[tuple[int, int, int, int]]:
    """(device, inode, size, modification time) of every file in the generations of ``index_dir``."""
    found = set()
    for generation in index_dir.glob(GENERATION_PREFIX + "*"):
        with contextlib.suppress(OSError):
            for entry in os.scandir(generation):
                with contextlib.suppress(OSError):
                    stat = entry.stat(follow_symlinks=False)
                    found.add((stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return found


@contextlib.contextmanager
def reading(path: Path, known: tuple[int, int, int, int, int], settled_ns: int, defer: bool,
            stop: threading.Event | None = None) -> Iterator[bool]:
    """Around one process's reading of the file ``path`` (``known``): whether to read it (False: another process
    read it meanwhile and noted it sound, or ``stop`` was set).

    The reader holds an exclusive ``flock`` on the file (on its inode: every hard link of it) while it reads. A
    reader that ``defer``s to the others (a serving worker's check, below its priority) and finds the file being
    read by another process waits for that reading and takes its note, so that the processes of a server started
    on files nobody noted read each once; one that does not (the writer, whose first write waits for the files it
    builds on) never waits for a reader below its priority: it reads the file itself.
    """
    index_dir = path.parent.parent
    with open(path, "rb", buffering=0) as handle:
        while True:
            state = try_lock(handle)
            if state != "busy" or not defer:
                break  # locked; or no lock on this file system, or busy with a reader we do not wait for: read
            time.sleep(WAIT_SECONDS)  # a greenlet's sleep in a gevent worker: its requests go on
            if known in trusted(index_dir, settled_ns) or stop is not None and stop.is_set():
                yield False
                return
        if state != "locked":
            yield True
            return
        try:
            yield not defer or known not in trusted(index_dir, settled_ns)  # noted by a reader that let go just before
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def try_lock(handle: Any) -> str:
    """"locked", "busy" (another process reads the file) or "none" (a file system without ``flock``)."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "busy"
    except OSError:
        return "none"
    return "locked"


def forget() -> None:
    """Forget the records read (each is read again)."""
    with _lock:
        _cache.clear()
