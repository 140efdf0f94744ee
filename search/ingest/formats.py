"""Which files Cari reads, as what: the formats by file name, and a file's bytes (gzip undone)."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple, cast

from search.ingest.article import ArticleError

# The files that mark a folder as a Cari index, which a folder walk leaves out (``sources._is_index``).
# The index stage names its files so (``search.index.generations`` imports these): they are defined in the
# first stage, which imports no later one.
INDEX_POINTER = "CURRENT"  # names the live generation
INDEX_LOCK = ".lock"  # held by a build
GENERATION_PREFIX = "gen-"  # each generation's folder

# Suffix -> format. Each format may also be gzip-compressed (``.jsonl.gz``).
FORMATS = {
    ".txt": "page",  # a copy-pasted text page (or a saved HTML page named .txt)
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
COMPRESSED = ".gz"
CSV_FIELDS = ("id", "title", "text", "date", "source", "author", "url")
MB = 1024 * 1024
CHUNK = 1 << 20  # bytes read (or inflated) at a time
SIZE_KINDS = {"line": "one JSON Lines line", "page": "one page (.txt, .html)",
              "file": "a file read whole (.json, .csv, .tsv, a feed)"}


@dataclass(frozen=True)
class SizeLimits:
    """The largest input read, in bytes (uncompressed): past one, that input is skipped with a message.

    So no input fills memory: a gzip bomb is cut off at the limit while it
    inflates, a line without an end is skipped as it is read. JSON Lines
    (``.jsonl``, ``.jsonl.gz``, standard input) are read line by line and
    have no limit as a whole; every other format is read whole.
    """

    line: int = 8 * MB  # a news article is under 100 KB
    page: int = 16 * MB  # a saved page with its scripts and styles inline
    file: int = 64 * MB  # an export or a feed read whole (~300 MB of memory at most)

    def shown(self, kind: str) -> str:
        return f"{getattr(self, kind) / MB:g} MB, the limit of {SIZE_KINDS[kind]}: --max-size {kind}=MB"


@dataclass(frozen=True)
class ReadOptions:
    """How to read the sources: ``csv_columns`` maps Cari's fields to a CSV's column names (``text -> body``);
    ``limits`` are the largest inputs read; ``passed_over``, when given, says of a decoded JSON Lines object that
    nothing of it is needed (a pass that only learns from some articles): no article is made of it."""

    csv_columns: dict[str, str] = field(default_factory=dict)
    limits: SizeLimits = field(default_factory=SizeLimits)
    passed_over: Callable[[dict], bool] | None = None


class TooLarge(ArticleError):
    """A file past its size limit: skipped whole (and counted as not read, so a rebuild removes none of its articles)."""


def format_of(path: Path) -> tuple[str | None, bool]:
    """The format of a file by its name (None: not one Cari reads), and whether it is gzip-compressed."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == COMPRESSED
    if compressed:
        suffixes.pop()
    return (FORMATS.get(suffixes[-1]) if suffixes else None), compressed


def article_id(path: Path) -> str:
    """A page's id: its file name without the extension(s) of its format (``a.html.gz`` -> ``a``)."""
    name = path.name
    for _ in range(2):
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and ("." + suffix.lower() in FORMATS or "." + suffix.lower() == COMPRESSED):
            name = stem
    return name


def supported() -> str:
    """The readable formats, for a message: ``.txt, .html, …, and any of them .gz``."""
    return ", ".join(FORMATS) + f" (each also as {COMPRESSED})"


def file_bytes(path: Path, compressed: bool, limit: int, kind: str = "file") -> bytes:
    """The bytes of a file, uncompressed, at most ``limit`` of them (TooLarge past it, ``kind`` naming the limit).

    OSError for a file that cannot be read; ArticleError for bad gzip.
    """
    with open(path, "rb") as f:
        if compressed:
            return gunzip(f, limit, kind)
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"larger than {SizeLimits(**{kind: limit}).shown(kind)}; skipped")
    return data


def gunzip(stream: BinaryIO, limit: int, kind: str = "file") -> bytes:
    """The uncompressed bytes of a ``.gz`` stream, inflated a piece at a time and never past ``limit``.

    ArticleError says what is wrong with a damaged or fake ``.gz``; TooLarge
    is raised as soon as ``limit`` is passed, before more is inflated.
    """
    data = stream.read(CHUNK)
    if data[:2] != b"\x1f\x8b":
        raise ArticleError("not gzip-compressed (a .gz file must start with the gzip signature)")
    out = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    whole = bytearray()
    try:
        while data:
            whole += out.decompress(data, limit + 1 - len(whole))
            if len(whole) > limit:
                raise TooLarge(f"uncompresses to more than {SizeLimits(**{kind: limit}).shown(kind)}; skipped")
            data = out.unconsumed_tail
            if out.eof:
                if out.unused_data[:2] == b"\x1f\x8b":  # several gzip members, one after another (cat a.gz b.gz)
                    data, out = out.unused_data, zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
                    continue
                break
            if not data:
                data = stream.read(CHUNK)
    except zlib.error as e:
        raise ArticleError(f"damaged gzip data ({e})") from None
    if not out.eof:
        raise ArticleError("truncated gzip file (it ends before its data does)")
    return bytes(whole)


class LongLine(NamedTuple):
    """In place of a line longer than ``limit``, skipped as it was read; ``binary``: it held NUL bytes."""

    limit: int
    binary: bool


def bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes | LongLine]:
    """The lines of ``handle``, none held longer than ``limit`` bytes: a longer one is read past and is a LongLine."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        if b"\0" in line[:8192]:
            yield LongLine(limit, binary=True)  # the file is binary: its reader stops here, so read no further
            return
        while line and not line.endswith(b"\n"):
            line = handle.readline(CHUNK)
        yield LongLine(limit, binary=False)


def open_lines(path: Path, compressed: bool) -> BinaryIO:
    """A binary file object over ``path``'s (uncompressed) lines."""
    handle = gzip.open(path, "rb") if compressed else open(path, "rb")  # noqa: SIM115 - the caller closes it
    return cast(BinaryIO, handle)  # both read bytes a line at a time, as a BinaryIO does


def shown_name(path: str | os.PathLike) -> str:
    """A file name as it can be shown and stored: undecodable bytes replaced, control characters escaped.

    A name that is not UTF-8 would make the index fail to encode it, and a
    newline in a name could forge lines of the build report.
    """
    text = os.fsencode(path).decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
