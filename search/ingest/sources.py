"""Files in: walk the named files and folders and read each ``.txt`` page or ``.jsonl`` file by its suffix."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.ingest.article import Article, ArticleError, Problem
from search.ingest.decoding import _reason, decode
from search.ingest.jsonl import read_jsonl_file, read_jsonl_lines
from search.ingest.pages import parse_page

SUFFIXES = (".txt", ".jsonl")
STDIN = "-"  # JSON Lines read from standard input


def shown_name(path: str | os.PathLike) -> str:
    """A file name as it can be shown and stored: undecodable bytes replaced, control characters escaped.

    A name that is not UTF-8 would make the index fail to encode it, and a
    newline in a name could forge lines of the build report.
    """
    text = os.fsencode(path).decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def read_page_file(path: Path) -> Iterator[Article | Problem]:
    """The article in one ``.txt`` page (its id is the file name)."""
    name = shown_name(path)
    try:
        text, caveat = decode(path.read_bytes())
        if caveat:
            yield Problem(name, caveat, skipped=False)
        if not text.strip():
            raise ArticleError("empty file")
        yield parse_page(text, shown_name(path.stem), origin=name)
    except OSError as e:
        yield Problem(name, _reason(e), unread=True)
    except ArticleError as e:
        yield Problem(name, _reason(e))


def source_files(sources: Iterable[str | os.PathLike]) -> Iterator[Path | Problem]:
    """The ``.txt`` and ``.jsonl`` files named or found (recursively) in ``sources``.

    A folder that cannot be read is reported, not passed over; a link is
    followed only to a file or folder inside the source folder it was found
    in (a link to ``/etc/passwd`` is reported, never read).
    """
    for source in sources:
        path = Path(source)
        if str(source) == STDIN:
            yield path
        elif path.is_dir():
            yield from _folder_files(path)
        elif path.is_file():
            yield path
        else:
            yield Problem(shown_name(path), "no such file or folder", unread=True)


def _folder_files(root: Path) -> Iterator[Path | Problem]:
    problems: list[Problem] = []

    def unreadable(error: OSError) -> None:
        problems.append(Problem(shown_name(error.filename or root), _reason(error), unread=True))

    inside = root.resolve()
    found: list[Path | Problem] = []
    for folder, dirs, files in os.walk(root, onerror=unreadable, followlinks=True):
        here = Path(folder)
        for name in list(dirs):
            if not _within(here / name, inside):
                dirs.remove(name)
                found.append(Problem(shown_name(here / name), "a link to a folder outside the source folder; not followed"))
        for name in files:
            path = here / name
            if path.suffix.lower() not in SUFFIXES:
                continue
            if not _within(path, inside):
                found.append(Problem(shown_name(path), "a link to a file outside the source folder; not read"))
            elif path.is_file():
                found.append(path)
    # In path order, as Path sorts (by parts): the order decides document numbers, which order equal scores.
    yield from sorted(found, key=lambda item: Path(item.origin).parts if isinstance(item, Problem) else item.parts)
    yield from problems


def _within(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return False


def read_articles(sources: Iterable[str | os.PathLike]) -> Iterator[Article | Problem]:
    """Every article in the given files and folders (``-``: JSON Lines on standard input), a Problem for each bad input."""
    for item in source_files(sources):
        if isinstance(item, Problem):
            yield item
        elif str(item) == STDIN:
            yield from read_jsonl_lines(sys.stdin.buffer, "<stdin>")
        elif item.suffix.lower() == ".jsonl":
            yield from read_jsonl_file(item)
        else:
            yield from read_page_file(item)
