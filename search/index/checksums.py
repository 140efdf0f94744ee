"""A checksum of every file of a generation, kept in its manifest and checked when it is opened.

Whoosh reads what it finds: a flipped byte in a segment can give silently
wrong results (date order, scores) or an exception from deep inside, and a
damaged record of Cari's a traceback on every search. A CRC-32 of each file
(a single flipped byte always changes it) is computed when a generation is
published and compared when it is opened, so damage is one clear "rebuild"
message instead. A file hard-linked from the generation it updates keeps
its checksum: it is the same file.

A process remembers the files it has found sound (``first_mismatch``): a
generation's segments are hard links to the previous generation's, so a
serving worker reopening the index after a write reads only the new files
again. At 1,000,000 articles the segments are 7.3 GB, and checking them
all took ~3 s of CPU in every worker after every write. A file is known by
its device, inode, size and modification time, which writing into it
changes; one written within the last few seconds is always read again
(file systems keep modification times in clock ticks of a few ms). It
remembers the damage it found the same way. And it notes what it found sound
for the other processes of the machine (``checked_files``): a file one
process read is not read by the next, while that note is fresh.

A new process checks every file too, but not every file before it serves
(``split_by_size``, ``Verification``): reading 7.3 GB of segments cost 2.9
of the 4.1 CPU-seconds a new worker took to open 1,000,000 articles. Files
under ``BACKGROUND_BYTES`` (16 MB: every file of a small index) are checked
before the index opens, as before; larger ones, smallest first, by a
thread started as it opens (``zlib.crc32`` and reading let go of the GIL, so
it runs on the other core), and the first mismatch it finds closes the
generation: every later search and ``/healthz`` then say it is damaged.
Searches answered in the seconds before it finishes read bytes not yet
checked: the price of opening in under 2 s. That is what Lucene does (at
opening only the small files and each file's header and footer are checked;
whole files at merges and by CheckIndex) and ZFS (a scrub in the background);
``cari check`` reads everything before answering, for a cron job.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from search.index import checked_files

# Read in large pieces: each is one GIL-free read and one GIL-free CRC, so a thread checking in the
# background takes the GIL rarely from the searches.
CHUNK = 16 << 20
# Files at least this large are checked after the index opens, by a thread (see above): at 1,000,000
# articles the segments, the story record and the records a searcher does not read (contents, roots).
BACKGROUND_BYTES = 16 << 20
# Files this process found sound: (device, inode, size, modification time in ns, the checksum expected).
_SOUND: set[tuple[int, int, int, int, int]] = set()
# Files this process found damaged, the same way, and what was wrong.
_DAMAGED: dict[tuple[int, int, int, int, int], str] = {}
SOUND_REMEMBERED = 100_000
# Files a thread of this process is reading now, each with the event set when it is done (``_claim``).
_READING: dict[tuple[int, int, int, int, int], threading.Event] = {}
_READING_LOCK = threading.Lock()
# A file modified more recently than this is read again, whatever its modification time says.
SETTLED_NS = 5 * 10**9
# How much lower than its process a serving worker's check of its large files runs (``yielding``).
CHECK_NICE = 10


def file_checksum(path: Path, stop: threading.Event | None = None) -> int:
    """The CRC-32 of a file's bytes (-1 if ``stop`` was set before the end)."""
    crc = 0
    buffer = memoryview(bytearray(CHUNK))
    with open(path, "rb", buffering=0) as f:
        while read := f.readinto(buffer):
            if stop is not None and stop.is_set():
                return -1
            crc = zlib.crc32(buffer[:read], crc)
    return crc


def checksums(generation: Path, skip: str, known: dict | None = None, known_dir: Path | None = None) -> dict:
    """``name -> [size, crc32]`` of every file in ``generation`` but ``skip`` (the manifest).

    ``known`` are the checksums of ``known_dir`` (the generation updated):
    a file that is the same file there (a hard link, same inode) keeps its entry.
    """
    found = {}
    for path in sorted(generation.iterdir()):
        if not path.is_file() or path.name == skip or path.name.endswith("LOCK"):
            continue  # Whoosh's lock files hold nothing and may be touched by its writers
        stat = path.stat()
        entry = (known or {}).get(path.name)
        if entry is not None and known_dir is not None and _same_file(stat, known_dir / path.name):
            found[path.name] = entry
        else:
            found[path.name] = [stat.st_size, file_checksum(path)]
    return found


def _same_file(stat: os.stat_result, other: Path) -> bool:
    try:
        theirs = other.stat()
    except OSError:
        return False
    return (stat.st_ino, stat.st_dev, stat.st_size) == (theirs.st_ino, theirs.st_dev, theirs.st_size)


def identity(stat: os.stat_result, crc: int) -> tuple[int, int, int, int, int]:
    """How this process knows a file it checked: written into, it is another."""
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, crc


def split_by_size(generation: Path, expected: dict, limit: int | None = None) -> tuple[dict, dict]:
    """``expected`` as the files to check before opening and those of ``limit`` bytes or more
    (``BACKGROUND_BYTES``) to check after.

    A large file this process already knows (found sound, or damaged) is in
    neither, or in the first: its damage is said at once.
    """
    limit = BACKGROUND_BYTES if limit is None else limit
    before, after = {}, {}
    for name, (size, crc) in expected.items():
        try:
            stat = (generation / name).stat()
        except OSError:
            before[name] = [size, crc]  # first_mismatch says what is missing
            continue
        known = identity(stat, crc)
        if stat.st_size < limit or stat.st_size != size or known in _DAMAGED:
            before[name] = [size, crc]
        elif not _known_sound(known, generation):
            after[name] = [size, crc]
    return before, after


def first_mismatch(generation: Path, expected: dict, stop: threading.Event | None = None,
                   again: bool = False, defer: bool = False) -> str | None:
    """What is wrong with ``generation`` against its recorded checksums (a file missing, changed), or None.

    ``stop`` (set by another thread) ends the check early, with None.
    ``again``: every file is read, even those this process knows.
    ``defer``: a file another process is reading is waited for and its note taken (``checked_files.reading``).
    """
    for name, (size, crc) in sorted(expected.items()):
        path = generation / name
        try:
            stat = path.stat()
            if stat.st_size != size:
                return f"{name} has {stat.st_size} bytes, {size} were written"
            known = identity(stat, crc)
            if not again and not _claim(known, stop, generation):
                if known in _DAMAGED:
                    return _DAMAGED[known]
                if stop is not None and stop.is_set():
                    return None
                continue  # found sound (by another thread of this process, maybe, while this one waited)
            try:
                with checked_files.reading(path, known, SETTLED_NS, defer and not again, stop) as to_read:
                    started = time.time_ns()
                    found = _read_checksum(path, stop, defer) if to_read else -1
                    problem = None if found in (crc, -1) else f"{name} does not hold what was written (checksum)"
                    if found != -1:
                        _remember(known, problem, generation, started)
            finally:
                _release(known)
            if not to_read and not (stop is not None and stop.is_set()):
                continue  # read by another process, which noted it sound
            if found == -1:
                return None
            if problem:
                return problem
        except OSError as e:
            return f"{name} cannot be read ({e.strerror})"
    return None


# Where a file's checksum is worked out (``offload_reading``): None, in the calling thread.
_offload: Callable[..., int] | None = None


def offload_reading(run: Callable[..., int] | None) -> None:
    """Have the checksums of a check below the process's priority (a serving worker's of its large files) worked out
    by ``run(function, *arguments)`` (None: in the calling thread).

    A gevent worker of ``cari serve`` gives its hub's pool of real threads
    (``web.slow_clients``): there every "thread" of this module is a greenlet
    of the one thread serving the requests, so reading 4.4 GB in one held
    the worker's requests for as long, and ``yielding`` would have lowered the
    whole worker; in a pool thread the reading (and ``zlib.crc32``) runs beside
    the requests, below the worker's priority (``CHECK_NICE``).
    """
    global _offload  # noqa: PLW0603 - one setting for the process
    _offload = run


def _read_checksum(path: Path, stop: threading.Event | None, below: bool) -> int:
    """The file's checksum: a check ``below`` its process's priority (a serving worker's of its large files) in the
    thread ``offload_reading`` gave, if any; any other in the calling thread (the small files a generation is opened
    after: a worker opening a write's generation does not wait for a thread below its priority)."""
    run = _offload
    if run is None or not below:
        return file_checksum(path, stop)
    return run(_checksum_below, path, stop)


def _checksum_below(path: Path, stop: threading.Event | None) -> int:
    """``file_checksum`` in a pool thread, ``CHECK_NICE`` below the process's main thread (and left there: raising
    a thread's priority again needs a privilege; the pool's threads serve the checks)."""
    with contextlib.suppress(AttributeError, OSError):
        thread, wanted = threading.get_native_id(), min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + CHECK_NICE)
        if thread != os.getpid() and os.getpriority(os.PRIO_PROCESS, thread) < wanted:
            os.setpriority(os.PRIO_PROCESS, thread, wanted)
    return file_checksum(path, stop)


def _known_sound(known: tuple[int, int, int, int, int], generation: Path) -> bool:
    """Whether the file ``known`` was found sound by this process, or by another one of the machine lately
    (``checked_files``: noted in the record of ``generation``'s index folder)."""
    return known in _SOUND or known in checked_files.trusted(generation.parent, SETTLED_NS)


def _claim(known: tuple[int, int, int, int, int], stop: threading.Event | None, generation: Path) -> bool:
    """Whether this thread is to read the file ``known`` now: False when this process already knows it (sound or
    damaged) or another process of the machine found it sound lately, after waiting for another thread reading it
    (a writer's warm-up checking every file while its first write checks those it builds on: each file read once),
    or when ``stop`` is set meanwhile."""
    while True:
        with _READING_LOCK:
            if known in _DAMAGED or _known_sound(known, generation):
                return False
            other = _READING.get(known)
            if other is None:
                _READING[known] = threading.Event()
                return True
        while not other.wait(0.1):
            if stop is not None and stop.is_set():
                return False


def _release(known: tuple[int, int, int, int, int]) -> None:
    with _READING_LOCK:
        done = _READING.pop(known, None)
    if done is not None:
        done.set()


def forget_checked() -> None:
    """Forget the files this process found sound or damaged: each is read again, as in a new process (unless another
    process noted it sound: ``checked_files``)."""
    _SOUND.clear()
    _DAMAGED.clear()
    checked_files.forget()


def _remember(known: tuple[int, int, int, int, int], problem: str | None, generation: Path, read_at: int) -> None:
    """Note a file found sound or damaged, once it has settled (see above); one found sound for the machine too."""
    if time.time_ns() - known[3] <= SETTLED_NS:
        return
    if not problem and read_at - known[3] > SETTLED_NS:
        checked_files.note_sound(generation.parent, known, read_at)
    if len(_SOUND) + len(_DAMAGED) >= SOUND_REMEMBERED:
        _SOUND.clear()
        _DAMAGED.clear()
    if problem:
        _DAMAGED[known] = problem
    else:
        _SOUND.add(known)


class Verification:
    """The large files of a generation, checked by a thread from when it opens (see above).

    ``problem`` is None until a mismatch is found (and after a check that
    found none). ``stop`` ends the check (the generation was closed).
    """

    def __init__(self, generation: Path, expected: dict, nice: int = 0):
        self.problem: str | None = None
        self.nice = nice  # the thread's priority below the process's (``yielding``)
        self.files = len(expected)
        self._stop = threading.Event()
        self._done = threading.Event()
        if not expected:
            self._done.set()
            return
        thread = threading.Thread(target=self._check, args=(generation, expected), name="cari-checksums", daemon=True)
        thread.start()

    def _check(self, generation: Path, expected: dict) -> None:
        yielding(self.nice)
        try:
            for name in sorted(expected, key=lambda name: expected[name][0]):  # Cari's records before the segments
                self.problem = first_mismatch(generation, {name: expected[name]}, self._stop, defer=self.nice > 0)
                if self.problem or self._stop.is_set():
                    break
        except Exception as e:  # noqa: BLE001 - a thread's failure is the generation's, never silent
            self.problem = f"its files could not be checked ({type(e).__name__}: {e})"
        finally:
            self._done.set()

    @property
    def finished(self) -> bool:
        """Whether every large file has been checked (or the check stopped)."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> str | None:
        """Wait for the check to end (at most ``timeout`` seconds): the problem found, or None."""
        self._done.wait(timeout)
        return self.problem

    def stop(self) -> None:
        """End the check at its next piece of a file."""
        self._stop.set()


def yielding(nice: int) -> None:
    """Lower the calling thread's priority by ``nice`` (Linux: a thread's nice value is its own; elsewhere nothing).

    A serving worker's check of its large files runs so (``CHECK_NICE``): at 1,000,000 articles each worker reads
    4.4 GB (~1.2 CPU-s) as ``cari serve`` starts, beside the other worker and the writer, whose warm-up and first
    write wait for its own check of the same files; on two cores the workers' checks took the CPU the writer's
    first write waited for. They take what the others leave."""
    thread = threading.get_native_id()
    if nice <= 0 or not hasattr(os, "setpriority") or thread == os.getpid():
        return  # the main thread's is the process's own (and a gevent worker's "threads" all run in it)
    try:
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + nice))
    except OSError:
        return
