"""Files in: walk the named files and folders, and read each file by its format (see ``formats``).

A file Cari does not read is reported (``skipped report.pdf: unsupported
format``), never passed over in silence. Hidden files and folders (names
starting with ``.``: ``.git/``, ``.DS_Store``) are left out of a folder walk
without a word, as ``ls`` and ``git`` do; a hidden file named on the command
line is read. The ``NAME_files/`` folder a browser saves beside ``NAME.html``
(its scripts, styles and images), and a Cari index (``cari rebuild-index .``
finds ``./index``), are reported once, as a whole.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.ingest import exports, feeds, html
from search.ingest.article import Article, ArticleError, Problem
from search.ingest.datelines import strip_dateline
from search.ingest.dates import lead_date
from search.ingest.decoding import _reason, decoded_text
from search.ingest.formats import (
    GENERATION_PREFIX,
    INDEX_LOCK,
    INDEX_POINTER,
    ReadOptions,
    SizeLimits,
    TooLarge,
    article_id,
    bounded_lines,
    file_bytes,
    format_of,
    shown_name,
    supported,
)
from search.ingest.html import parse_html
from search.ingest.jsonl import read_jsonl_file, read_jsonl_lines
from search.ingest.pages import parse_page

STDIN = "-"  # JSON Lines read from standard input


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<html" in head and "<head" in head)


def read_page_file(path: Path, compressed: bool = False, limits: SizeLimits | None = None
                   ) -> Iterator[Article | Problem]:
    """The article in one ``.txt`` page (its id is the file name); a saved HTML page named ``.txt`` is read as HTML."""
    name = shown_name(path)
    try:
        text = yield from decoded_text(file_bytes(path, compressed, (limits or SizeLimits()).page, "page"), name)
        doc_id = shown_name(article_id(path))
        if _looks_like_html(text):
            yield parse_html(text, doc_id, origin=name)
        else:
            yield parse_page(text, doc_id, origin=name)
    except OSError as e:
        yield Problem(name, _reason(e), unread=True)
    except ArticleError as e:
        yield Problem(name, _reason(e), unread=isinstance(e, TooLarge))


def _read_whole(path: Path, compressed: bool, kind: str, options: ReadOptions) -> Iterator[Article | Problem]:
    """The articles of a file read whole: an HTML page, a feed, a JSON or CSV export."""
    name = shown_name(path)
    limit = "page" if kind == "html" else "file"
    try:
        data = file_bytes(path, compressed, getattr(options.limits, limit), limit)
    except OSError as e:
        yield Problem(name, _reason(e), unread=True)
        return
    except ArticleError as e:
        yield Problem(name, str(e), unread=isinstance(e, TooLarge))
        return
    try:
        if not data.strip():
            raise ArticleError("empty file")
        if kind == "html":
            yield html.read_html_bytes(data, shown_name(article_id(path)), name)
        elif kind == "feed":
            yield from feeds.read_feed(data, name)
        elif kind == "json":
            yield from exports.read_json(data, name)
        else:
            yield from exports.read_csv(data, name, options.csv_columns, tab=".tsv" in path.name.lower())
    except ArticleError as e:
        yield Problem(name, str(e))


def source_files(sources: Iterable[str | os.PathLike]) -> Iterator[Path | Problem]:
    """The files named or found (recursively) in ``sources``, and a Problem for each that is not read.

    A folder that cannot be read is reported, not passed over; a link is
    followed only to a file or folder inside the source folder it was found
    in (a link to ``/etc/passwd`` is reported, never read). A file named
    here is passed on whatever its name (``read_articles`` reports one it
    does not read); a file found in a folder only if Cari reads its format.
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


def _unsupported(path: Path) -> Problem:
    return Problem(shown_name(path), f"unsupported format (Cari reads {supported()})")


def _folder_files(root: Path) -> Iterator[Path | Problem]:
    problems: list[Problem] = []

    def unreadable(error: OSError) -> None:
        problems.append(Problem(shown_name(error.filename or root), _reason(error), unread=True))

    inside = root.resolve()
    found: list[Path | Problem] = []
    for folder, dirs, files in os.walk(root, onerror=unreadable, followlinks=True):
        here = Path(folder)
        for name in list(dirs):
            if name.startswith("."):
                dirs.remove(name)  # hidden: .git, .cache
            elif not _within(here / name, inside):
                dirs.remove(name)
                found.append(Problem(shown_name(here / name), "a link to a folder outside the source folder; not followed"))
            elif _is_index(here / name):
                dirs.remove(name)
                found.append(Problem(shown_name(here / name), "a Cari index; not read", skipped=False))
            elif name.endswith("_files") and any(f"{name[:-6]}{s}" in files for s in (".html", ".htm")):
                dirs.remove(name)
                found.append(Problem(shown_name(here / name), "the scripts, styles and images of a saved page; not read",
                                     skipped=False))
        for name in files:
            path = here / name
            if name.startswith("."):
                continue
            if format_of(path)[0] is None:
                found.append(_unsupported(path))
            elif not _within(path, inside):
                found.append(Problem(shown_name(path), "a link to a file outside the source folder; not read"))
            elif path.is_file():
                found.append(path)
            elif path.exists():  # reading a FIFO would wait for a writer for ever
                found.append(Problem(shown_name(path), "not a regular file (a named pipe, socket or device); not read"))
    # In path order, as Path sorts (by parts): the order decides document numbers, which order equal scores.
    yield from sorted(found, key=lambda item: Path(item.origin).parts if isinstance(item, Problem) else item.parts)
    yield from problems


def _is_index(folder: Path) -> bool:
    """Whether ``folder`` is a Cari index (its records are .json and .json.gz files, not articles).

    The lock file marks it too: an index being built for the first time
    inside its own source folder has no ``CURRENT`` yet, only a generation in progress.
    """
    try:
        marked = (folder / INDEX_POINTER).is_file() or (folder / INDEX_LOCK).is_file()
        return marked and any(p.name.startswith(GENERATION_PREFIX) for p in folder.iterdir())
    except OSError:
        return False


def _within(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return False


def read_file(path: Path, options: ReadOptions | None = None) -> Iterator[Article | Problem]:
    """The articles of one file, by its format; a Problem for a file or an article that cannot be read."""
    kind, compressed = format_of(path)
    options = options or ReadOptions()
    if kind is None:
        yield _unsupported(path)
    elif kind == "jsonl":
        yield from read_jsonl_file(path, compressed, options.limits.line, options.passed_over)
    elif kind == "page":
        yield from read_page_file(path, compressed, options.limits)
    else:
        yield from _read_whole(path, compressed, kind, options)


def read_articles(
    sources: Iterable[str | os.PathLike], options: ReadOptions | None = None
) -> Iterator[Article | Problem]:
    """Every article in the given files and folders (``-``: JSON Lines on standard input), a Problem for each bad input.

    An article that gives no date gets the day its lead names, if it names one
    (``pada Rabu, 5 Oktober 2022``: see ``dates.lead_date``); the dateline
    its body opens with (``Jakarta, CNN Indonesia --``) is taken off.
    """
    for item in source_files(sources):
        if isinstance(item, Problem):
            yield item
            continue
        if str(item) == STDIN:
            limit = (options or ReadOptions()).limits.line
            found = read_jsonl_lines(bounded_lines(sys.stdin.buffer, limit), "<stdin>")
        else:
            found = read_file(item, options)
        for article in found:
            if isinstance(article, Article):
                settle(article)
            yield article


def settle(article: Article) -> Article:
    """What every article read gets last: the day its lead names if it gives no date, its dateline taken off."""
    if not article.date:
        article.date = lead_date(article.body)
    article.body = strip_dateline(article.body)  # after the date: a dateline may hold it
    return article
