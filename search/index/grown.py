"""A large record written in parts: one JSON object as gzip members, so that a write changes the parts it touches.

The list of articles (``contents.json.gz``: 1,000,000 ids and hashes at 1,000,000 articles, ~1.5 CPU-s to
write whole) is written by every write. It is stored as gzip members that any gzip reader joins into one
text, the object (the same text ``write_record`` writes): the first member opens it with ``{`` and holds
``CHUNK_KEYS`` keys, each next one a comma and as many more, and the last, ``CLOSING_MEMBER``, is the
closing brace alone. So

- a write that adds articles or changes some copies the live file but its last member and appends the
  additions as one more member (JSON's last value of a repeated key wins, and Python keeps the key's first
  place): the record reads as the new object;
- a write that removes articles, in a process that wrote or read the live file itself and so knows its
  parts (``search.index.kept``), writes again only the parts holding a removed key and copies the others'
  bytes: removing one article from 1,000,000 costs one part's 65,536 keys, not the whole record.

Older code reads such a file as any gzip file, and a record it writes (one member) is written in parts by
the next write of this code.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from search.index import kept

# The last gzip member of a record written in parts: the object's closing brace alone.
CLOSING_MEMBER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\x03\xab\x05\x00\x0c\xe2\xb6\xfc\x01\x00\x00\x00"
# A grown record is written whole again once the keys it repeats are this share of the keys it holds.
REPEATS_SHARE = 0.1
CHUNK_KEYS = 65536  # keys a part holds when the record is written whole


@dataclass
class Part:
    """One gzip member of a record: its keys (in order; a key may be repeated by a later part) and its bytes."""

    keys: list[str]
    data: bytes
    opening: bool  # holds the object's opening brace


def part_of(keys: list[str], values: dict, opening: bool) -> Part:
    """The part holding ``keys`` with their ``values`` (``opening``: the first, with the object's opening brace)."""
    text = json.dumps({key: values[key] for key in keys}, ensure_ascii=False, separators=(",", ":"))[1:-1]
    return Part(keys, gzip.compress((("{" if opening else ",") + text).encode("utf-8"), compresslevel=1), opening)


def _whole(data: dict) -> list[Part]:
    keys = list(data)
    parts = [part_of(keys[start:start + CHUNK_KEYS], data, start == 0) for start in range(0, len(keys), CHUNK_KEYS)]
    return parts or [Part([], gzip.compress(b"{", compresslevel=1), True)]


def _without(parts: list[Part], gone: set[str], data: dict) -> list[Part]:
    """``parts`` with the keys ``gone`` taken out: the parts holding one written again (values from ``data``, the
    record's new object), the others kept as they are; empty parts dropped, the first one opening the object."""
    kept_parts: list[Part] = []
    for part in parts:
        keys = part.keys
        touched = any(key in gone for key in keys)
        if touched:
            keys = [key for key in keys if key not in gone]
        if not keys:
            continue
        opening = not kept_parts
        kept_parts.append(part_of(keys, data, opening) if touched or part.opening != opening else part)
    return kept_parts or [Part([], gzip.compress(b"{", compresslevel=1), True)]


def write_grown_record(generation: Path, name: str, data: dict, live: Path | None, before: dict | None,
                       repeats: int = 0, changed: list | None = None, removed: list | None = None,
                       before_keys: int | None = None) -> int:
    """Store the gzipped JSON object ``data`` in parts (the same text as ``write_record`` once decompressed, read by
    ``read_record`` and by any gzip reader).

    When ``data`` is ``before`` (the object ``live``'s record of that name holds) with values changed and keys
    added after its own, the live file is copied but its last member and the changes are appended as one more
    member. When it is ``before`` with keys removed and this process knows the live file's parts, only the parts
    holding them are written again. ``repeats``: the keys ``live``'s file repeats; returns those of the new file
    (past ``REPEATS_SHARE`` of the keys, or when ``data`` is neither, the record is written whole: 0).
    ``changed`` or ``removed``: what the caller made ``data`` of ``before`` with (the keys whose values it changed,
    new keys after; the keys it took out), said rather than found by comparing the two (a pass over every key).
    ``before_keys``: how many keys ``before`` held when the caller made ``data`` of it in place (``before`` is then
    ``data``, and ``changed`` or ``removed`` say what it did).
    """
    path = generation / name
    partial = path.with_name(path.name + ".partial" + path.suffix)
    layout = kept.take(live / name, name + "#parts") if live is not None else None
    if live is None or before is None or removed is not None:
        changed = None
    elif changed is None:
        changed = _changed(before, data)
    if changed is not None and before is not None and live is not None:
        repeats += len(changed)
        count = len(before) if before_keys is None else before_keys
        if repeats <= REPEATS_SHARE * len(data) and _copy_all_but_closing(live / name, partial):
            addition = {**{key: data[key] for key in changed}, **dict(itertools.islice(data.items(), count, None))}
            parts = layout if count else None
            with open(partial, "ab") as f:
                if addition:
                    text = json.dumps(addition, ensure_ascii=False, separators=(",", ":"))[1:-1]
                    member = gzip.compress((("," if count else "") + text).encode("utf-8"), compresslevel=1)
                    f.write(member)
                    parts = None if parts is None else [*parts, Part(list(addition), member, False)]
                f.write(CLOSING_MEMBER)
            _replace(partial, path, name, parts)
            return repeats
    gone = None if layout is None or before is None else set(removed) if removed is not None else _removed(before, data)
    parts = _whole(data) if gone is None else _without(layout or [], gone, data)
    with open(partial, "wb") as f:
        for part in parts:
            f.write(part.data)
        f.write(CLOSING_MEMBER)
    _replace(partial, path, name, parts)
    return 0 if gone is None else repeats


def read_in_parts(path: Path) -> tuple[dict, list[Part] | None]:
    """The object of the record at ``path`` and, when it is written in parts, its parts (None: one gzip member, as
    ``write_record`` and older code write it). A process that reads them so (the writer's warm-up) writes its
    first removal as one that wrote the file itself. OSError, ValueError (a broken file) as a read raises."""
    raw = path.read_bytes()
    members: list[tuple[bytes, str]] = []
    at = 0
    while at < len(raw):
        member = zlib.decompressobj(31)  # one gzip member, what follows it left in unused_data
        text = member.decompress(raw[at:]).decode("utf-8")
        if not member.eof:
            raise ValueError(f"{path.name} ends inside a gzip member")
        end = len(raw) - len(member.unused_data)
        members.append((raw[at:end], text))
        at = end
    if len(members) < 2 or members[-1][1] != "}" or not members[0][1].startswith("{"):
        return json.loads("".join(text for _, text in members)), None
    data: dict = {}
    parts = []
    for number, (member_bytes, text) in enumerate(members[:-1]):
        if text in ("{", ""):
            found: dict = {}
        else:
            found = json.loads("{" + text[1:] + "}")  # "{..." or ",...": the member's keys and values
        data.update(found)
        parts.append(Part(list(found), member_bytes, number == 0))
    return data, parts


def keep_read(path: Path, name: str) -> dict:
    """The record at ``path`` read (:func:`read_in_parts`) and kept for this process's next write, with its parts."""
    data, parts = read_in_parts(path)
    kept.keep(path, name, data)
    kept.keep(path, name + "#parts", parts)
    return data


def _replace(partial: Path, path: Path, name: str, parts: list[Part] | None) -> None:
    os.replace(partial, path)
    kept.keep(path, name + "#parts", parts)  # for this process's next write, if it keeps its records


def _removed(before: dict, data: dict) -> set[str] | None:
    """The keys of ``before`` that ``data`` lacks, when ``data`` is ``before`` without them (the rest in their order,
    with their values); else None."""
    if len(data) >= len(before):
        return None
    gone = set()
    rest = iter(data.items())
    for item in before.items():
        if item[0] not in data:
            gone.add(item[0])
        elif next(rest) != item:
            return None
    return gone


def _changed(before: dict, data: dict) -> list | None:
    """The keys whose values ``data`` changed, when it is ``before`` with those and keys added after its own
    (its first keys are ``before``'s, in their order); else None."""
    if len(data) < len(before):
        return None
    changed = []
    for (key, value), (new_key, new_value) in zip(before.items(), data.items(), strict=False):  # data may be longer
        if key != new_key:
            return None
        if value != new_value:
            changed.append(key)
    return changed


def _copy_all_but_closing(source: Path, target: Path) -> bool:
    """Copy ``source`` but its closing member into ``target``; False (nothing copied) if it does not end with one."""
    try:
        with open(source, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size <= len(CLOSING_MEMBER):
                return False
            f.seek(size - len(CLOSING_MEMBER))
            if f.read() != CLOSING_MEMBER:
                return False
            f.seek(0)
            with open(target, "wb") as out:
                left = size - len(CLOSING_MEMBER)
                while left:
                    piece = f.read(min(left, 16 << 20))
                    if not piece:
                        return False
                    out.write(piece)
                    left -= len(piece)
    except OSError:
        return False
    return True
