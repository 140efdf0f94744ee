"""A writing process's records of the whole archive, kept in memory from one write to the next.

Every write starts from the live generation's records of the whole archive: the list of articles
(``contents.json.gz``), the names' term counts (``names-counts.npz``) and the story record
(``stories.npz``). At 1,000,000 articles reading them again costs ~3 CPU-s a write, more than the
write's own work. A record file is never changed once written (a write makes a new file and renames
it into its own generation; a generation it starts from is hard-linked), so a record is known by
its file's identity: device, inode, size and modification time. A process that writes keeps, for
each record, the object it last wrote or read with the identity of the file it came from, and the
next write takes it instead of reading the file when the live file still has that identity; any
other file (another process wrote since, a rebuild, another index) is read as before.

A write *takes* an object (it is its own from then on: it may change it in place) and *keeps* the
new one once its file is written; a write that fails keeps nothing, so the next one reads the files.

Keeping costs memory (~0.8 GB at 1,000,000 articles), so only a process that writes repeatedly
turns it on, for the writes it makes (:func:`keeping`): ``cari serve``'s writer process and a
write API served in one process. ``cari add`` and a worker writing in its place keep nothing.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_KEEPING: contextvars.ContextVar[bool] = contextvars.ContextVar("cari_keeping_records", default=False)
_held: dict[str, tuple[tuple, Any]] = {}  # record name -> (its file's identity, the object)
_lock = threading.Lock()


@contextmanager
def keeping(on: bool = True) -> Iterator[None]:
    """Keep the records of the writes made inside (in this thread) for the next ones."""
    token = _KEEPING.set(on)
    try:
        yield
    finally:
        _KEEPING.reset(token)


def is_keeping() -> bool:
    return _KEEPING.get()


def identity(path: Path) -> tuple | None:
    """What tells a record file from any other: None if it is missing."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def take(path: Path, name: str) -> Any:
    """The object kept for the record file ``path`` (None: nothing kept for that very file); the caller owns it."""
    if not _KEEPING.get():
        return None
    with _lock:
        entry = _held.pop(name, None)
    if entry is None or entry[0] != identity(path):
        return None
    return entry[1]


def peek(path: Path, name: str) -> Any:
    """As :func:`take`, leaving the object kept: the caller only reads it."""
    if not _KEEPING.get():
        return None
    with _lock:
        entry = _held.get(name)
    if entry is None or entry[0] != identity(path):
        return None
    return entry[1]


def keep(path: Path, name: str, value: Any) -> None:
    """Keep ``value``, the record just written to (or read from) ``path``, for the next write."""
    if not _KEEPING.get():
        return
    found = identity(path)
    with _lock:
        if found is None or value is None:
            _held.pop(name, None)
        else:
            _held[name] = (found, value)


def forget() -> None:
    """Drop every record kept (tests; a process that stops writing)."""
    with _lock:
        _held.clear()
