"""The JSON API: the objects of the CLI's ``--json``, described at ``/api/openapi.json``.

Reads are public. Writes (``POST /api/documents``, ``DELETE /api/documents/ID``)
exist only when the app is given a key (``API_KEY``: ``cari serve
--api-key-file`` or ``CARI_API_KEY``), and need it as ``Authorization: Bearer KEY``.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import replace

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from search import (
    Article,
    ArticleError,
    CariError,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    QueryError,
    given_article,
    json_problem,
    result_lines,
)

from .openapi import openapi_document
from .params import SearchForm, whole_number
from .render import hit_json, results_json
from .views import EXPORT_ROWS, index, run_search

api = Blueprint("api", __name__)
MAX_RELATED = 20
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
WRITE_RETRY_AFTER = 5  # seconds: a rebuild usually ends, or a batch of writes, within this


def error(message: str, status: int, headers: dict | None = None) -> ResponseReturnValue:
    return jsonify(error=message), status, headers or {}


@api.get("/api/search")
def search() -> ResponseReturnValue:
    """The results as JSON, in the shape of ``cari search --json`` (with facets; ``explain=1``: the parts of each score)."""
    form = SearchForm.from_args(request.args)
    try:
        results = run_search(form, facets=True, explain=request.args.get("explain", "") == "1")
    except QueryError as e:
        return error(str(e), 400)
    return jsonify(results_json(results))


@api.get("/api/export.csv", defaults={"form": "csv"})
@api.get("/api/export.jsonl", defaults={"form": "jsonl"})
def export(form: str) -> ResponseReturnValue:
    """Every match of the search (the page's arguments) to take away as CSV or JSON Lines, streamed.

    One row per article (``search.tables``), at most ``EXPORT_ROWS`` of them
    (the page says so beside the link; ``X-Cari-Total`` and ``X-Cari-Rows``
    say how many matched and how many are sent): the rows are read one at a
    time from the generation searched, so memory stays flat however many
    there are, and the index's lock is free meanwhile.
    """
    asked = SearchForm.from_args(request.args)
    if not asked.q and not asked.filtered:
        asked = replace(asked, q="*")
    try:
        matches = index().search_all(asked.q, filters=asked.filters(), sort=asked.checked_sort(),
                                     corrections=not asked.as_typed)
    except QueryError as e:
        return error(str(e), 400)
    cap = current_app.config.get("EXPORT_ROWS", EXPORT_ROWS)
    rows = min(matches.total, cap)

    def stream() -> Iterator[str]:
        try:
            yield from result_lines(matches.rows(0, rows), form)
        finally:
            matches.close()

    headers = {"Content-Disposition": f'attachment; filename="{export_name(asked.q)}.{form}"',
               "X-Cari-Total": str(matches.total), "X-Cari-Rows": str(rows), "Cache-Control": "no-store"}
    response = Response(stream(), content_type=EXPORT_TYPES[form], headers=headers)
    response.call_on_close(matches.close)  # a client gone before the first row: the reader is closed all the same
    return response


def export_name(query: str) -> str:
    """A file name from the query: ``cari-banjir-jakarta`` (ASCII letters, digits and dashes: a header's value)."""
    words = "-".join(re.findall(r"[a-z0-9]+", query.lower()))[:60].strip("-")
    return f"cari-{words}" if words else "cari"


@api.get("/api/article/<path:doc_id>")
def article(doc_id: str) -> ResponseReturnValue:
    """One article: its fields and its paragraphs."""
    page = index().article(doc_id)
    if page is None:
        return error(f"No article with id {doc_id[:200]!r}.", 404)
    return jsonify(page.to_dict())


@api.get("/api/related/<path:doc_id>")
def related(doc_id: str) -> ResponseReturnValue:
    """The articles most like one article, in the shape of ``cari search --related ID --json``."""
    try:
        limit = whole_number("limit", request.args.get("limit", "10"), 1, MAX_RELATED)
    except QueryError as e:
        return error(str(e), 400)
    try:
        hits = index().related(doc_id, limit=limit)
    except QueryError:  # the only one related() raises: no such article
        return error(f"No article with id {doc_id[:200]!r}.", 404)
    return jsonify(related_to=doc_id, results=[hit_json(hit) for hit in hits])


@api.get("/api/suggest")
def suggest() -> ResponseReturnValue:
    """Completions of what is typed: words, names (publishers, authors) and titles of the index."""
    typed = request.args.get("q", "")
    try:
        limit = whole_number("limit", request.args.get("limit", "8"), 1, 20)
    except QueryError as e:
        return error(str(e), 400)
    found = index().completions(typed, limit)
    return jsonify(query=typed[:100], suggestions=[s.to_dict() for s in found])


@api.get("/api/stats")
def stats() -> ResponseReturnValue:
    """What the index holds, as ``cari stats --json`` says it, without the server's paths."""
    info = index().stats()
    info.pop("index", None)
    info["sources"] = len(info.get("sources") or [])  # file paths on the server: only their number
    return jsonify(info)


@api.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with the live generation and its document count, or 503 when there is no sound index."""
    try:
        return jsonify(index().health())
    except (IndexMissing, IndexDamaged) as e:
        current_app.logger.error("health check: %s", e)
        return jsonify(status="unavailable", error="The index is missing or cannot be read."), 503


@api.get("/api/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document(writes=current_app.config.get("API_KEY") is not None))


# -- writing -------------------------------------------------------------------


def refused() -> ResponseReturnValue | None:
    """None if the request may write; else the response that refuses it (404 without a key, 401 without it)."""
    key = current_app.config.get("API_KEY")
    if not key:
        return error("Writing is off: start the server with CARI_API_KEY or --api-key-file to allow it.", 404)
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), key.encode()):
        return error("A valid API key is needed: send it as 'Authorization: Bearer KEY'.", 401,
                     {"WWW-Authenticate": 'Bearer realm="cari"'})
    return None


def read_documents(body: bytes) -> tuple[list[Article], list[str]]:
    """(articles, warnings) of one JSON article or JSON Lines; ValueError names the bad line."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The body is not UTF-8 text.") from None
    try:
        whole = json.loads(text)
        objects = [(1, whole)] if isinstance(whole, dict) else None
    except (ValueError, RecursionError):
        objects = None
    if objects is None:
        objects = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    objects.append((number, json.loads(line)))
                except json.JSONDecodeError as e:
                    raise ValueError(f"line {number}: not JSON ({json_problem(e)}).") from None
                except RecursionError:
                    raise ValueError(f"line {number}: JSON nested too deeply to read.") from None
    if not objects:
        raise ValueError("The body holds no document: send one JSON object, or JSON Lines.")
    articles, warnings = [], []
    for number, obj in objects:
        try:
            article, caveats = given_article(obj, f"the write API, line {number}")
        except ArticleError as e:
            raise ValueError(f"line {number}: {e}.") from None
        articles.append(article)
        warnings += [f"line {number}: {caveat}" for caveat in caveats]
    return articles, warnings


def write_failed(e: CariError) -> ResponseReturnValue:
    if isinstance(e, IndexBusy):
        return error(str(e), 503, {"Retry-After": str(WRITE_RETRY_AFTER)})
    current_app.logger.error("write failed: %s", e)
    return error("The documents could not be written; the index is unchanged. Try again later.", 503,
                 {"Retry-After": str(WRITE_RETRY_AFTER)})


@api.post("/api/documents")
def add_documents() -> ResponseReturnValue:
    """Add or replace (by id) one JSON article or JSON Lines of them; answers once they are searchable."""
    refusal = refused()
    if refusal is not None:
        return refusal
    try:
        articles, warnings = read_documents(whole_body())
    except ValueError as e:
        return error(str(e), 400)
    try:
        result = index().upsert(articles)
    except CariError as e:
        return write_failed(e)
    return jsonify({**result.to_dict(), "count": len(result.upserted), "warnings": warnings})


def whole_body() -> bytes:
    """The request's body, all of it, or RequestEntityTooLarge (413) when it is over MAX_CONTENT_LENGTH.

    A chunked body has no Content-Length to check first: Werkzeug reads it up
    to the limit and stops there without an error, so a body cut at the limit
    would have been taken for the whole one (and the lines after the cut
    dropped while the answer said 200). A body that fills the limit is refused.
    """
    data = request.get_data(cache=False)
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(data) >= limit:
        raise RequestEntityTooLarge()
    return data


@api.delete("/api/documents/<path:doc_id>")
def delete_document(doc_id: str) -> ResponseReturnValue:
    """Remove one article; answers once it is gone from searches."""
    refusal = refused()
    if refusal is not None:
        return refusal
    try:
        result = index().delete([doc_id])
    except IndexMissing:
        return error(f"No article with id {doc_id[:200]!r}.", 404)
    except CariError as e:
        return write_failed(e)
    if result.unknown:
        return error(f"No article with id {doc_id[:200]!r}.", 404)
    return jsonify({**result.to_dict(), "count": len(result.deleted), "warnings": []})
