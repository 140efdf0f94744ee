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
(file systems keep modification times in clock ticks of a few ms). A new
process checks every file.
"""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path

CHUNK = 1 << 20
# Files this process found sound: (device, inode, size, modification time in ns, the checksum expected).
_SOUND: set[tuple[int, int, int, int, int]] = set()
SOUND_REMEMBERED = 100_000
# A file modified more recently than this is read again, whatever its modification time says.
SETTLED_NS = 5 * 10**9


def file_checksum(path: Path) -> int:
    """The CRC-32 of a file's bytes."""
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            crc = zlib.crc32(chunk, crc)
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


def first_mismatch(generation: Path, expected: dict) -> str | None:
    """What is wrong with ``generation`` against its recorded checksums (a file missing, changed), or None."""
    for name, (size, crc) in sorted(expected.items()):
        path = generation / name
        try:
            stat = path.stat()
            if stat.st_size != size:
                return f"{name} has {stat.st_size} bytes, {size} were written"
            known = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, crc)
            if known in _SOUND:
                continue
            if file_checksum(path) != crc:
                return f"{name} does not hold what was written (checksum)"
            if time.time_ns() - stat.st_mtime_ns > SETTLED_NS:
                if len(_SOUND) >= SOUND_REMEMBERED:
                    _SOUND.clear()
                _SOUND.add(known)
        except OSError as e:
            return f"{name} cannot be read ({e.strerror})"
    return None
