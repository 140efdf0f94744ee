"""A checksum of every file of a generation, kept in its manifest and checked when it is opened.

Whoosh reads what it finds: a flipped byte in a segment can give silently
wrong results (date order, scores) or an exception from deep inside, and a
damaged record of Cari's a traceback on every search. A CRC-32 of each file
(a single flipped byte always changes it) is computed when a generation is
published and compared when it is opened, so damage is one clear "rebuild"
message instead. A file hard-linked from the generation it updates keeps
its checksum: it is the same file.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

CHUNK = 1 << 20


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
            if path.stat().st_size != size:
                return f"{name} has {path.stat().st_size} bytes, {size} were written"
            if file_checksum(path) != crc:
                return f"{name} does not hold what was written (checksum)"
        except OSError as e:
            return f"{name} cannot be read ({e.strerror})"
    return None
