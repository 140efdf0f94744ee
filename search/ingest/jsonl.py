"""JSON Lines in: one article per line, with furniture dropped and bad lines reported."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.ingest.article import Article, ArticleError, Problem, lead_title
from search.ingest.dates import parse_date
from search.ingest.decoding import _reason, decode
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
    for name in OPTIONAL_FIELDS:
        value = obj.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            caveats.append(f'"{name}" is not a string; ignored')
            continue
        values[name] = value.strip()
    if "date" in values:
        iso = parse_date(values["date"])
        if iso is None:
            caveats.append(f'unknown date format {values["date"]!r}; date left empty')
        values["date"] = iso  # type: ignore[assignment]  # None: no date
    title = values.pop("title", None) or lead_title(body)
    return Article(id=doc_id.strip(), title=title, body=body, related=related, origin=origin, **values), caveats


def read_jsonl_file(path: Path) -> Iterator[Article | Problem]:
    """The articles of a JSON Lines file, one per line; bad lines are reported."""
    from search.ingest.sources import shown_name

    name = shown_name(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the `with` below; opening errors are reported
    except OSError as e:
        yield Problem(name, _reason(e), unread=True)
        return
    with handle:
        try:
            yield from read_jsonl_lines(handle, name)
        except OSError as e:  # a read error part way (a disk fault, a file truncated under us)
            yield Problem(name, _reason(e), unread=True)


def read_jsonl_lines(lines: Iterable[bytes], name: str) -> Iterator[Article | Problem]:
    """The articles of JSON Lines read from ``lines`` (a file, standard input), ``name`` naming them."""
    for number, raw in enumerate(lines, 1):
        origin = f"{name}:{number}"
        if not raw.strip():
            continue
        try:
            text, caveat = decode(raw)
            if caveat:
                yield Problem(origin, caveat, skipped=False)
            article, caveats = article_from_json(json.loads(text), origin)
        except json.JSONDecodeError as e:
            yield Problem(origin, f"invalid JSON ({e.msg} at column {e.colno})")
            continue
        except RecursionError:
            yield Problem(origin, "JSON nested too deeply to read")
            continue
        except ArticleError as e:
            yield Problem(origin, str(e))
            continue
        for caveat in caveats:
            yield Problem(origin, caveat, skipped=False)
        yield article
