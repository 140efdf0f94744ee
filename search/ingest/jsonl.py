"""JSON Lines in: one article per line, with furniture dropped and bad lines reported."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from search.ingest.article import Article, ArticleError, Problem, lead_title
from search.ingest.dates import parse_date
from search.ingest.decoding import _reason, decode
from search.ingest.formats import LongLine, SizeLimits, bounded_lines, open_lines, shown_name
from search.ingest.pages import clean_text

OPTIONAL_FIELDS = ("title", "date", "source", "author", "url")


# A JSON string may hold half of a surrogate pair ("caf\\udce9": a scraper that
# cut an emoji in half), which is no character and cannot be stored as UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(obj: dict, caveats: list[str]) -> dict:
    fixed = {}
    for key, value in obj.items():
        if isinstance(value, str) and _LONE_SURROGATE.search(value):
            value = _LONE_SURROGATE.sub("\ufffd", value)
            caveats.append(f'"{key}" holds half of a character (a lone surrogate); replaced with U+FFFD')
        fixed[key] = value
    return fixed


def json_fields(obj: dict) -> tuple[dict, list[str]]:
    """The fields of a JSON article that Cari reads (``id``, ``text`` and the optional ones), lone surrogates
    replaced with U+FFFD, and a caveat for each: what is stored or passed on encodes as UTF-8."""
    caveats: list[str] = []
    wanted = {key: obj[key] for key in ("id", "text", *OPTIONAL_FIELDS) if key in obj}
    return _without_lone_surrogates(wanted, caveats), caveats


def article_from_json(obj: object, origin: str) -> tuple[Article, list[str]]:
    """An article from one decoded JSONL object; also returns caveats to report."""
    if not isinstance(obj, dict):
        raise ArticleError(f"expected a JSON object, got {type(obj).__name__}")
    caveats: list[str] = []
    obj = _without_lone_surrogates(obj, caveats)
    doc_id = obj.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise ArticleError('missing or empty "id"')
    if not doc_id.isprintable():
        # A newline or tab in an id cannot be shown on one line or opened at /article/ID.
        doc_id = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in doc_id)
        caveats.append(f'"id" holds control characters; indexed as {doc_id.strip()!r}')
    text = obj.get("text")
    if not isinstance(text, str):
        raise ArticleError('missing "text"' if text is None else '"text" is not a string')
    body, related = clean_text(text)
    if not body:
        raise ArticleError('empty "text"')
    values = {}
    given = {"text": text}
    for name in OPTIONAL_FIELDS:
        value = obj.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            caveats.append(f'"{name}" is not a string; ignored')
            continue
        given[name] = value
        values[name] = value.strip()
    if "date" in values:
        iso = parse_date(values["date"])
        if iso is None:
            caveats.append(f'unknown date format {values["date"]!r}; date left empty')
        values["date"] = iso  # type: ignore[assignment]  # None: no date
    title = values.pop("title", None) or lead_title(body)
    article = Article(id=doc_id.strip(), title=title, body=body, related=related, origin=origin, given=given, **values)
    return article, caveats


def checked_article(obj: object, origin: str) -> Iterator[Article | Problem]:
    """The article read from one JSON object, after a Problem for each caveat; or one Problem if it cannot be read."""
    try:
        article, caveats = article_from_json(obj, origin)
    except ArticleError as e:
        yield Problem(origin, str(e))
        return
    for caveat in caveats:
        yield Problem(origin, caveat, skipped=False)
    yield article


def json_problem(e: json.JSONDecodeError, line: bool = False) -> str:
    """What a JSON parser found wrong, and where: ``Unterminated string starting at column 54`` (``line``: ``at line
    2 column 54``). Python's own message of some errors ends in "at" ("Invalid control character at"): not said twice."""
    where = f"line {e.lineno} column {e.colno}" if line else f"column {e.colno}"
    return f"{e.msg.removesuffix(' at')} at {where}"


def given_article(obj: object, origin: str, limits: SizeLimits | None = None) -> tuple[Article, list[str]]:
    """An article handed over as a decoded JSON object (the write API), checked as a JSON Lines line is.

    Returns the article and its caveats; ArticleError when ``obj`` cannot be
    one, or its fields take more than a JSON Lines line may (``limits.line``).
    """
    article, caveats = article_from_json(obj, origin)
    assert isinstance(obj, dict)  # article_from_json refuses anything else
    limits = limits or SizeLimits()
    fields = {**json_fields(obj)[0], "id": article.id}  # what a JSON Lines line of it holds, as UTF-8
    if len(json.dumps(fields, ensure_ascii=False).encode()) > limits.line:
        raise ArticleError(f"an article larger than {limits.shown('line')}")
    return article, caveats


def read_jsonl_file(path: Path, compressed: bool = False, limit: int | None = None,
                    passed_over: Callable[[dict], bool] | None = None) -> Iterator[Article | Problem]:
    """The articles of a JSON Lines file (``compressed``: gzip, read as a stream), one per line; bad lines are reported.

    A line longer than ``limit`` bytes (default ``SizeLimits.line``) is read past, never held, and reported.
    ``passed_over``: see ``read_jsonl_lines``.
    """
    name = shown_name(path)
    try:
        handle = open_lines(path, compressed)
    except OSError as e:
        yield Problem(name, _reason(e), unread=True)
        return
    lines = _Counted(bounded_lines(handle, limit or SizeLimits().line))
    with handle:
        try:
            yield from read_jsonl_lines(lines, name, passed_over)
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            # A truncated or damaged export: what came before the damage is kept; the file counts as not
            # read whole, so that a rebuild removes none of the articles it may hold.
            where = f"after line {lines.count}; the lines before it were read" if lines.count else "nothing read"
            yield Problem(name, f"damaged gzip data ({_gzip_reason(e)}): {where}", unread=True)
        except OSError as e:  # a read error part way (a disk fault, a file truncated under us)
            yield Problem(name, _reason(e), unread=True)


class _Counted:
    """Lines of a file, counting those read (to say where a damaged file broke off)."""

    def __init__(self, lines: Iterable[bytes | LongLine]):
        self.lines, self.count = lines, 0

    def __iter__(self) -> Iterator[bytes | LongLine]:
        for line in self.lines:
            self.count += 1
            yield line


def _gzip_reason(error: Exception) -> str:
    if isinstance(error, EOFError):
        return "the file ends before its compressed data does"
    if isinstance(error, gzip.BadGzipFile) and "Not a gzipped file" in str(error):
        return "not gzip-compressed"
    return str(error) or type(error).__name__


def read_jsonl_lines(lines: Iterable[bytes | LongLine], name: str,
                     passed_over: Callable[[dict], bool] | None = None) -> Iterator[Article | Problem]:
    """The articles of JSON Lines read from ``lines`` (a file, standard input), ``name`` naming them.

    A LongLine (``formats.bounded_lines``: a line past the size limit) is
    reported; one holding NUL bytes ends the reading: the file is binary. An object ``passed_over`` says
    nothing is needed of gives nothing, not even its problems (a pass that learns from some articles only).
    """
    for number, raw in enumerate(lines, 1):
        origin = f"{name}:{number}"
        if isinstance(raw, LongLine):
            limit = SizeLimits(line=raw.limit).shown("line")
            if raw.binary:
                yield Problem(origin, f"binary data (NUL bytes) in a line longer than {limit}; the rest of the "
                              "file was not read", unread=True)
                return
            yield Problem(origin, f"longer than {limit}; skipped")
            continue
        if not raw.strip():
            continue
        try:
            text, caveat = decode(raw)
            if caveat:
                yield Problem(origin, caveat, skipped=False)
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            yield Problem(origin, f"invalid JSON ({json_problem(e)})")
            continue
        except RecursionError:
            yield Problem(origin, "JSON nested too deeply to read")
            continue
        except ArticleError as e:  # binary, or UTF-16 that does not decode
            yield Problem(origin, str(e))
            continue
        if passed_over is not None and isinstance(obj, dict) and passed_over(obj):
            continue
        yield from checked_article(obj, origin)
