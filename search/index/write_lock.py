"""One write at a time: the index folder's lock, held by every write from its start to its swap.

Every write -- a rebuild, an add, a removal, a batch of the write API's --
runs in :func:`writing`: it holds the rebuild lock (``flock`` on the folder's
``.lock`` file, waited for up to ``wait_seconds``, else IndexBusy) and
reports an index folder it cannot write as BuildFailed. It then makes its
change as a new generation and swaps it in (``search.index.generations``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from search.errors import BuildFailed, IndexBusy
from search.ingest.formats import INDEX_LOCK as LOCK


@contextmanager
def writing(index_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the index for one write: the rebuild lock (IndexBusy past ``wait_seconds``), the folder's OSErrors
    as BuildFailed.

    Every write runs in one -- a rebuild, an add, a removal, a batch of the
    write API's -- and makes its change as a ``generations.next_generation``
    that ``generations.publish`` swaps in: the one write path.
    """
    with writable(index_dir), rebuild_lock(index_dir, wait_seconds):
        yield


@contextmanager
def writable(index_dir: Path) -> Iterator[None]:
    """Report an index folder that cannot be created or written as a CariError.

    Unreadable sources are reported article by article; an OSError reaching
    here is about the index folder itself (read-only, full disk, not a folder).
    """
    try:
        yield
    except OSError as e:
        raise BuildFailed(
            f"Cannot write the index at {index_dir}: {e.strerror} ({e.filename or index_dir}). "
            "The previous index, if any, is unchanged."
        ) from None


_held_locks: list = []  # the lock files this process holds open (a forked worker closes them)


def release_inherited_lock() -> None:
    """In a forked worker: close the parent's lock file, so the lock ends when the parent does.

    ``flock`` belongs to the open file, which a fork shares: a worker left
    holding it would keep the index locked after its parent died.
    """
    for handle in _held_locks:
        handle.close()
    _held_locks.clear()


LOCK_POLL_SECONDS = 0.1


@contextmanager
def rebuild_lock(index_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the index's rebuild lock, waiting up to ``wait_seconds`` for it, else raise IndexBusy.

    ``flock`` is released by the kernel when its holder dies, so a rebuild
    killed with SIGKILL never leaves a stale lock behind.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        handle = open(index_dir / LOCK, "a+")  # noqa: SIM115 - held open until the finally below
    except PermissionError:
        # Another user's lock file: flock needs only a file open for reading, so the lock still
        # works across users (the build then fails, naming the folder it may not write, if it may not).
        handle = open(index_dir / LOCK)  # noqa: SIM115
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() < deadline:
                    time.sleep(LOCK_POLL_SECONDS)  # polled: API writes take the lock for a moment at a time
                    continue
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                waited = f" and stayed locked for {wait_seconds:g} s" if wait_seconds else ""
                raise IndexBusy(
                    f"Another rebuild of {index_dir} is running ({holder}){waited}; try again when it has finished."
                ) from None
        if handle.writable():
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
        _held_locks.append(handle)
        yield
    finally:
        if handle in _held_locks:
            _held_locks.remove(handle)
        handle.close()
