"""Files in: walk the named files and folders and read each ``.txt`` page or ``.jsonl`` file by its suffix."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.ingest.article import Article, ArticleError, Problem
from search.ingest.decoding import _reason, decode
from search.ingest.jsonl import read_jsonl_file
from search.ingest.pages import parse_page


def read_page_file(path: Path) -> Iterator[Article | Problem]:
    """The article in one ``.txt`` page (its id is the file name)."""
    try:
        text, caveat = decode(path.read_bytes())
        if caveat:
            yield Problem(str(path), caveat, skipped=False)
        if not text.strip():
            raise ArticleError("empty file")
        yield parse_page(text, path.stem, origin=str(path))
    except (OSError, ArticleError) as e:
        yield Problem(str(path), _reason(e))


def source_files(sources: Iterable[str | os.PathLike]) -> Iterator[Path | Problem]:
    """The ``.txt`` and ``.jsonl`` files named or found (recursively) in ``sources``."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".jsonl") and p.is_file())
            yield from found
        elif path.is_file():
            yield path
        else:
            yield Problem(str(path), "no such file or folder")


def read_articles(sources: Iterable[str | os.PathLike]) -> Iterator[Article | Problem]:
    """Every article in the given files and folders, with a Problem for each bad input."""
    for item in source_files(sources):
        if isinstance(item, Problem):
            yield item
        elif item.suffix.lower() == ".jsonl":
            yield from read_jsonl_file(item)
        else:
            yield from read_page_file(item)
