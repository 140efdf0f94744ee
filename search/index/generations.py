"""The index folder on disk: generations, the pointer to the live one, the lock.

A rebuild writes a complete new Whoosh index into a fresh ``gen-*`` folder and
only then points ``CURRENT`` at it with an atomic rename. Readers follow
``CURRENT``, so they see the old index until the new one is whole, and a
rebuild that fails or is killed leaves the old one serving::

    index/
      CURRENT              # "gen-20261121T150102-k3j9"
      gen-20261121T150102-k3j9/   # the live Whoosh index + cari.json
      gen-20261120T093000-x8a1/   # the previous one, kept for readers mid-switch
      .lock                # held (flock) by a running write (search.index.write_lock)

Each generation holds a ``READERS.LOCK`` file that every process reading it
holds a shared ``flock`` on (:func:`hold_live`); a writer deletes an old
generation only when it can take that lock exclusively, so a generation is
never deleted under a reader, however many writes are published meanwhile.

An update (``cari rebuild-index`` without ``--full``) is copy-on-write too:
:func:`copy_generation` makes the new folder from hard links to the live
one's files, and Whoosh then writes the new and changed articles as new
segment files and a new TOC beside them. Whoosh never writes into a file it
has written before (segments are immutable, deletions live in the TOC, the
TOC is written under a temporary name and renamed), so the linked files are
shared read-only and the live generation is never touched: a failed or
killed update leaves it serving, exactly like a failed full rebuild. (An
in-place Whoosh commit would have been atomic as well, but a long-running
``search.Index`` notices a new index by ``CURRENT`` changing, and the previous
generation could not be kept for readers mid-switch.)
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from search.errors import IndexDamaged, IndexMissing, damaged, not_permitted
from search.index.checksums import checksums
from search.index.grown import CLOSING_MEMBER, REPEATS_SHARE, write_grown_record  # noqa: F401 - where they were
from search.ingest.formats import GENERATION_PREFIX
from search.ingest.formats import INDEX_POINTER as POINTER

MANIFEST = "cari.json"
# The user's synonyms (search.query.synonyms): beside the generations, so a rebuild keeps them.
SYNONYMS = "synonyms.tsv"
# In every generation: each process reading it holds a shared flock on this file, and a writer deletes
# the generation only when it can lock it exclusively. (Ends in LOCK: neither copied into a new
# generation nor checksummed.)
READERS_LOCK = "READERS.LOCK"


def live_generation(index_dir: Path) -> Path:
    """The folder of the live index; raises IndexMissing if there is none."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        raise damaged(index_dir, f"{POINTER} does not name a generation") from None
    except FileNotFoundError:
        raise IndexMissing(
            f"There is no index in the folder {index_dir}. Run `cari rebuild-index` to build it."
        ) from None
    except PermissionError:
        raise not_permitted(index_dir / POINTER, index_dir) from None
    except OSError as e:
        raise IndexDamaged(f"Cannot read the index at {index_dir}: {e.strerror}.") from None
    path = index_dir / name
    if not os.access(path, os.R_OK | os.X_OK) and path.is_dir():
        raise not_permitted(path, index_dir)
    if not name.startswith(GENERATION_PREFIX) or "/" in name or not path.is_dir():
        raise damaged(index_dir, f"{POINTER} names {name!r}, which is missing")
    return path


def pointer_stamp(index_dir: Path) -> tuple:
    """A cheap fingerprint of ``CURRENT``, to notice that a rebuild swapped it."""
    try:
        st = os.stat(index_dir / POINTER)
    except OSError:
        return ()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def new_generation(index_dir: Path) -> Path:
    """A fresh folder for a new index beside the live one (empty but for its readers' lock file).

    Made with the mode the umask gives (0755 under the usual 022), as every
    file Cari writes, not mkdtemp's 0700: the user who serves the index is
    often not the one whose cron job built it.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    while True:
        path = index_dir / f"{GENERATION_PREFIX}{stamp}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:  # pragma: no cover - 32 random bits
            continue
        (path / READERS_LOCK).touch()
        return path


class HeldGeneration:
    """A generation a reader has open: a shared ``flock`` on its readers' lock file keeps it from being deleted.

    A generation made before the lock file existed is held by nothing (None):
    it is read as before, protected only by being kept one publish longer.
    """

    def __init__(self, path: Path, fd: int | None):
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file ends its lock
            self._fd = None

    def __del__(self) -> None:
        self.release()


def hold(generation: Path) -> HeldGeneration:
    """One more hold on a generation this process already holds (``hold_live``), released on its own: a long
    read (an export) keeps the generation after the searcher holding it has moved on to a newer one."""
    try:
        fd = os.open(generation / READERS_LOCK, os.O_RDONLY)
    except OSError:
        return HeldGeneration(generation, None)  # made before readers' locks, or read-only: as hold_live reads it
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return HeldGeneration(generation, None)
    return HeldGeneration(generation, fd)


def hold_live(index_dir: Path, attempts: int = 20) -> HeldGeneration:
    """The live generation, held for reading until ``release()`` (IndexMissing or IndexDamaged as ``live_generation``).

    ``CURRENT`` may name a generation that a writer deletes before the lock is
    taken (two publishes in between): then the lock file is gone, or is no
    longer the one locked, and ``CURRENT`` is read again.
    """
    for _ in range(attempts):
        generation = live_generation(index_dir)
        lock = generation / READERS_LOCK
        try:
            fd = os.open(lock, os.O_RDONLY)  # read-only: a reader may not write the index folder
        except FileNotFoundError:
            if not (generation / MANIFEST).is_file() or _pointer_name(index_dir) != generation.name:
                continue  # deleted meanwhile
            try:  # made before readers' locks, or restored from a backup (which copies no lock file)
                fd = os.open(lock, os.O_RDONLY | os.O_CREAT, 0o644)
            except OSError:
                return HeldGeneration(generation, None)  # a read-only index: read without one, as before
        except OSError:
            return HeldGeneration(generation, None)  # unreadable lock file: read without one, as before
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a writer is deleting this very generation
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                return HeldGeneration(generation, fd)
        except OSError:
            pass
        os.close(fd)
    raise IndexDamaged(f"The index at {index_dir} changed {attempts} times while it was being opened; try again.")


def _remove_unless_read(generation: Path) -> None:
    """Delete ``generation`` unless a reader holds it (then a later publish deletes it)."""
    try:
        fd = os.open(generation / READERS_LOCK, os.O_RDONLY)
    except OSError:
        shutil.rmtree(generation, ignore_errors=True)  # no lock file: half-made, or made before readers' locks
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return
    try:
        shutil.rmtree(generation, ignore_errors=True)
    finally:
        os.close(fd)


def copy_generation(index_dir: Path, live: Path) -> Path:
    """A new generation holding the live one's index files, for an update.

    Files are hard-linked (instant, no space) where the file system allows,
    copied otherwise; Cari's own records (the manifest and friends) and
    Whoosh's lock files are left behind, since the update writes its own.
    """
    generation = new_generation(index_dir)
    for path in live.iterdir():
        if not path.is_file() or path.suffix == ".json" or path.name.endswith("LOCK"):
            continue
        try:
            os.link(path, generation / path.name)
        except OSError:
            shutil.copy2(path, generation / path.name)
    return generation


def _open_record(path: Path, mode: str) -> IO[str]:
    # A record named *.gz is gzipped: the stem roots of a large archive are
    # millions of short strings (18 MB of JSON on 100,000 articles, 5 gzipped).
    if path.suffix == ".gz":
        # Level 1: 7% larger than 6, in half the time (the build waits for it).
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8", compresslevel=1))  # "t": a TextIOWrapper
    return open(path, mode, encoding="utf-8")


def write_record(generation: Path, name: str, data: Any) -> None:
    """Store a JSON record beside the index in ``generation`` (before publishing).

    Written under another name and renamed: in an update the old record is a
    hard link to the live generation's, and writing into it would change the
    index that is serving.
    """
    path = generation / name
    partial = path.with_name(path.name + ".partial" + path.suffix)
    with _open_record(partial, "w") as f:
        # One write: json.dump would hand the gzip stream thousands of pieces.
        f.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    os.replace(partial, path)


def read_record(generation: Path, name: str) -> Any:
    """A record written by :func:`write_record`, or None if missing or unreadable."""
    try:
        with _open_record(generation / name, "r") as f:
            return json.load(f)
    except (OSError, EOFError, ValueError):  # gzip's BadGzipFile is an OSError
        return None


def publish(index_dir: Path, generation: Path, manifest: dict) -> None:
    """Make ``generation`` the live index, atomically, and drop older ones.

    The generation it replaces survives until the next rebuild: a reader that
    read ``CURRENT`` just before the swap may still be opening it.
    """
    previous = _pointer_name(index_dir)
    updated = index_dir / previous if previous else None
    known = read_manifest(updated).get("checksums") if updated and updated.is_dir() else None
    manifest = {**manifest, "checksums": checksums(generation, MANIFEST, known, updated)}
    with open(generation / MANIFEST, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2))
        f.flush()
        os.fsync(f.fileno())
    tmp = index_dir / f"{POINTER}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(generation.name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / POINTER)
    _fsync_dir(index_dir)
    remove_stale_generations(index_dir, keep={generation.name, previous})


def read_manifest(generation: Path) -> dict:
    """What the build recorded about itself (sources, counts, time)."""
    try:
        return json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remove_stale_generations(index_dir: Path, keep: set[str | None] | None = None) -> None:
    """Delete generation folders other than ``keep`` (default: the live one) that no reader holds.

    Only called with the rebuild lock held, so what it deletes is either an
    old index or the remains of a rebuild that was killed.
    """
    keep = keep if keep is not None else {_pointer_name(index_dir)}
    for path in index_dir.glob(GENERATION_PREFIX + "*"):
        if path.name not in keep and path.is_dir():
            _remove_unless_read(path)


def _pointer_name(index_dir: Path) -> str | None:
    try:
        return (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        return None


@contextmanager
def next_generation(index_dir: Path, live: Path | None) -> Iterator[Path]:
    """The generation a write fills and publishes: new and empty, or the hard-linked copy of ``live``.

    Call under ``write_lock.writing``. Generations left by earlier writes that no
    reader holds go first; if the write fails or is interrupted before it
    publishes, the new generation is removed and the live one keeps serving.
    """
    remove_stale_generations(index_dir)
    generation = new_generation(index_dir) if live is None else copy_generation(index_dir, live)
    try:
        yield generation
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
