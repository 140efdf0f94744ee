"""Which files Cari reads, as what: the formats by file name, and a file's bytes (gzip undone)."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from search.ingest.article import ArticleError

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
# A gzip file may hold far more than it weighs; a file this big is refused whole
# (JSON Lines are read as a stream, so a .jsonl.gz has no such limit).
MAX_UNCOMPRESSED = 512 * 1024 * 1024
CSV_FIELDS = ("id", "title", "text", "date", "source", "author", "url")


@dataclass(frozen=True)
class ReadOptions:
    """How to read the sources: ``csv_columns`` maps Cari's fields to a CSV's column names (``text -> body``)."""

    csv_columns: dict[str, str] = field(default_factory=dict)


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


def file_bytes(path: Path, compressed: bool) -> bytes:
    """The bytes of a file, uncompressed. OSError for a file that cannot be read; ArticleError for bad gzip."""
    data = path.read_bytes()
    return gunzip(data) if compressed else data


def gunzip(data: bytes) -> bytes:
    """``data`` uncompressed; ArticleError saying what is wrong with a damaged or fake ``.gz``."""
    if data[:2] != b"\x1f\x8b":
        raise ArticleError("not gzip-compressed (a .gz file must start with the gzip signature)")
    out = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        chunks, size = [], 0
        while data:
            chunk = out.decompress(data, MAX_UNCOMPRESSED + 1 - size)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_UNCOMPRESSED:
                raise ArticleError(f"uncompresses to more than {MAX_UNCOMPRESSED // 2**20} MB; "
                                   "split it, or give it as .jsonl.gz (read as a stream)")
            data = out.unconsumed_tail
            if out.eof:
                if out.unused_data[:2] == b"\x1f\x8b":  # several gzip members, one after another (cat a.gz b.gz)
                    data, out = out.unused_data, zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
                    continue
                break
    except zlib.error as e:
        raise ArticleError(f"damaged gzip data ({e})") from None
    if not out.eof:
        raise ArticleError("truncated gzip file (it ends before its data does)")
    return b"".join(chunks)


def open_lines(path: Path, compressed: bool):
    """A binary file object over ``path``'s (uncompressed) lines."""
    return gzip.open(path, "rb") if compressed else open(path, "rb")  # noqa: SIM115 - the caller closes it
