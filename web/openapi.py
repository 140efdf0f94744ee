"""The OpenAPI 3 description of the JSON API (served at ``/api/openapi.json``, checked by schemathesis)."""

from __future__ import annotations

from search import MAX_LIMIT, __version__

from .params import MAX_PAGE


def _nullable(kind: str) -> dict:
    return {"type": kind, "nullable": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _error(description: str, headers: dict | None = None) -> dict:
    return _json(_ref("Error"), description, headers)


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                               "schema": {"type": "string"}}}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "Hit": {
        "type": "object",
        "required": ["id", "title", "source", "date", "author", "url", "score", "snippet", "same_story"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "source": _nullable("string"),
            "date": {**_nullable("string"), "description": "ISO 8601, as the article gave it"},
            "author": _nullable("string"),
            "url": _nullable("string"),
            "score": {**_nullable("number"), "description": "null when sorted by date or browsing"},
            "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
            "explain": {"$ref": "#/components/schemas/Explanation"},
            "same_story": {"type": "array", "items": _ref("StoryArticle"),
                           "description": "the other articles of this story that matched (the same text carried "
                                          "by other publishers), oldest first; empty with group=0"},
        },
    },
    "StoryArticle": {
        "type": "object",
        "required": ["id", "source", "title", "date"],
        "properties": {"id": {"type": "string"}, "source": _nullable("string"), "title": _nullable("string"),
                       "date": _nullable("string")},
    },
    "Explanation": {
        "type": "object",
        "description": "With explain=1: the parts of the hit's score (README: `cari search --explain`)",
        "required": ["ranker", "score"],
        "properties": {
            "ranker": {"type": "string", "enum": ["bm25f", "whoosh", "date"]},
            "score": _nullable("number"),
            "fields": {"type": "object", "additionalProperties": {"type": "number"},
                       "description": "BM25F score added by each field (title, body, title_exact, body_exact)"},
            "terms": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "term": {"type": "string"}, "word": _nullable("string"),
                "reason": {"type": "string", "description": "as typed, variant, correction, abbreviation, synonym"},
                "score": {"type": "number"}}}},
            "coverage": {"type": "object", "description": "keywords: how many of the words the article holds"},
            "nearness": {"type": "object", "description": "keywords: the bonus for the words close together"},
            "answer_kind": {"type": "object", "description": "questions: the bonus for holding the kind of answer asked"},
            "rerank": {"type": "object", "description": "questions: the re-rank's features and score"},
            "corrections": {"type": "array", "items": {"type": "object"}},
            "sum": {"type": "number", "description": "fields + bonus: the score before any re-rank"},
            "note": {"type": "string"},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["query", "total", "page", "limit", "pages", "took_ms", "results", "suggestion", "facets",
                     "timeline"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0, "description": "articles that matched"},
            "stories": {**_nullable("integer"), "description": "the stories they tell (copies of one story "
                        "count once; pages count stories); null with group=0"},
            "page": {"type": "integer", "minimum": 1},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "pages": {"type": "integer", "minimum": 1},
            "took_ms": {"type": "number", "minimum": 0},
            "matched": {"type": "string", "enum": ["all", "most"],
                        "description": "all: every result holds every word asked for; most: few articles or "
                                       "none do (or the query is a question or a sentence), and the results "
                                       "hold most of them"},
            "results": {"type": "array", "items": _ref("Hit")},
            "suggestion": {**_nullable("string"), "description": "a respelling, for a query that found little"},
            "note": {**_nullable("string"), "description": "what was made of a query that broke the syntax "
                     "(a stray quote or parenthesis: searched as plain words)"},
            "facets": {
                "type": "object",
                "required": ["source", "year", "month", "people", "organisations"],
                "description": "counts of all the matches (not only this page) by publisher, year and month, "
                               "and of the people and organisations they name (the ten named most each; "
                               "filter with person:\"NAME\" or org:\"NAME\" in q)",
                "properties": {"source": COUNTS, "year": COUNTS, "month": COUNTS, "people": COUNTS,
                               "organisations": COUNTS},
            },
            "timeline": {
                "type": "array",
                "description": "every dated match over time, oldest first, a period a day (2017-08-05), ISO "
                               "week (2017-W31), month (2017-08) or year (2017) as the span asks; empty "
                               "periods included; from/to narrow a search to the period",
                "items": {"type": "object", "required": ["period", "count", "from", "to"], "properties": {
                    "period": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                    "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}},
            },
        },
    },
    "Article": {
        "type": "object",
        "required": ["id", "title", "source", "date", "author", "url", "paragraphs"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "source": _nullable("string"),
            "date": _nullable("string"),
            "author": _nullable("string"),
            "url": _nullable("string"),
            "paragraphs": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Related": {
        "type": "object",
        "required": ["related_to", "results"],
        "properties": {"related_to": {"type": "string"}, "results": {"type": "array", "items": _ref("Hit")}},
    },
    "Suggestions": {
        "type": "object",
        "required": ["query", "suggestions"],
        "properties": {
            "query": {"type": "string"},
            "suggestions": {"type": "array", "items": {
                "type": "object",
                "required": ["text", "kind"],
                "properties": {
                    "text": {"type": "string"},
                    "kind": {"type": "string", "enum": ["word", "name", "title"]},
                    "id": {"type": "string", "description": "the article, for a title"},
                },
            }},
        },
    },
    "Stats": {
        "type": "object",
        "required": ["documents", "terms", "size_bytes", "built_at", "sources", "skipped"],
        "properties": {
            "documents": {"type": "integer", "minimum": 0},
            "terms": {"type": "integer", "minimum": 0},
            "size_bytes": {"type": "integer", "minimum": 0},
            "built_at": _nullable("string"),
            "sources": {"type": "integer", "minimum": 0, "description": "how many sources the last build read"},
            "skipped": _nullable("integer"),
        },
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "generation": {"type": "string"},
            "documents": {"type": "integer", "minimum": 0},
            "built_at": _nullable("string"),
            "checksums": {"type": "string", "enum": ["checked", "checking"],
                          "description": "whether the large files have all been checked since this worker opened "
                                         "the generation (a mismatch makes the health 503)"},
            "error": {"type": "string"},
        },
    },
    "Written": {
        "type": "object",
        "required": ["upserted", "deleted", "unknown", "count", "seconds", "warnings"],
        "properties": {
            "upserted": {"type": "array", "items": {"type": "string"}},
            "count": {"type": "integer", "minimum": 0, "description": "how many articles were written or removed: "
                      "a 200 means every article of the request is in the index"},
            "deleted": {"type": "array", "items": {"type": "string"}},
            "unknown": {"type": "array", "items": {"type": "string"}},
            "seconds": {"type": "number", "minimum": 0},
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    },
    "NewArticle": {
        "type": "object",
        "required": ["id", "text"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "text": {"type": "string", "minLength": 1},
            "title": {"type": "string"},
            "date": {"type": "string", "description": "ISO 8601 or a date as Indonesian sites write it"},
            "source": {"type": "string"},
            "author": {"type": "string"},
            "url": {"type": "string"},
        },
    },
}

UNAVAILABLE = _error("The index is missing or damaged, or the search took too long (see Retry-After).", RETRY_AFTER)


def _param(name: str, schema: dict, description: str, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


ID_PARAM = _param("id", {"type": "string", "minLength": 1}, "an article's id", "path", True)
QUERY_PARAMS = [
    _param("q", {"type": "string"}, "the query (see `cari search --help`); empty with a filter lists newest first"),
    {**_param("source", {"type": "array", "items": {"type": "string"}},
              "only these publishers (repeat it: source=a&source=b; any of them)"), "style": "form", "explode": True},
    _param("from", {"type": "string", "format": "date"}, "only articles published on or after (YYYY-MM-DD)"),
    _param("to", {"type": "string", "format": "date"}, "only articles published on or before (YYYY-MM-DD)"),
    _param("sort", {"type": "string", "enum": ["relevance", "newest", "oldest", "date"]},
           "order of the results; date is newest"),
]
SEARCH_PARAMS = [
    *QUERY_PARAMS,
    _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "page of results"),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "results per page (default 10)"),
    _param("group", {"type": "integer", "enum": [0, 1]},
           "1 (default): each result is a story, listing the other articles of it that matched (same_story); "
           "0: every article a result of its own"),
    _param("explain", {"type": "integer", "enum": [0, 1]}, "1: each hit explains its score (`explain`)"),
    _param("prefix", {"type": "integer", "enum": [0, 1]},
           "1: results as the reader types: the last word (3 letters or more) also searches its most frequent "
           "completions; a shorter last word is left out"),
]


def _get(summary: str, ok: dict, parameters: list | None = None, **errors: dict) -> dict:
    responses = {"200": ok, **{code.removeprefix("e"): value for code, value in errors.items()}, "503": UNAVAILABLE}
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": responses}}


def _paths() -> dict:
    bad = _error("A parameter or the query cannot be used (the message says why).")
    missing = _error("There is no article with this id.")
    return {
        "/api/search": _get("Search", _json(_ref("SearchResults"), "A page of results"), SEARCH_PARAMS, e400=bad),
        "/api/article/{id}": _get("One article", _json(_ref("Article"), "The article"), [ID_PARAM], e404=missing),
        "/api/related/{id}": _get(
            "Articles like one article", _json(_ref("Related"), "The most similar articles, best first"),
            [ID_PARAM, _param("limit", {"type": "integer", "minimum": 1, "maximum": 20}, "how many (default 10)")],
            e400=bad, e404=missing),
        "/api/suggest": _get(
            "Completions of what is typed", _json(_ref("Suggestions"), "Words, then names, then titles"),
            [_param("q", {"type": "string"}, "what is typed so far (2 letters at least)"),
             _param("limit", {"type": "integer", "minimum": 1, "maximum": 20}, "how many (default 8)")],
            e400=bad),
        "/api/stats": _get("What the index holds", _json(_ref("Stats"), "Counts, size, when it was built")),
        "/api/export.csv": _export("csv", "text/csv; charset=utf-8", bad),
        "/api/export.jsonl": _export("jsonl", "application/x-ndjson; charset=utf-8", bad),
        "/feed.atom": {"get": {
            "summary": "The Atom feed of a search: its newest 50 articles holding every word, newest first",
            "parameters": [p for p in SEARCH_PARAMS if p["name"] in ("q", "source", "from", "to")],
            "responses": {
                "200": {"description": "Atom 1.0 (RFC 4287); ETag and Last-Modified follow the index",
                        "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                "304": {"description": "Not changed since If-None-Match / If-Modified-Since"},
                "400": bad, "503": UNAVAILABLE}}},
        "/healthz": {"get": {"summary": "Health", "parameters": [], "responses": {
            "200": _json(_ref("Health"), "The live generation and its document count"),
            "503": _json(_ref("Health"), "No sound index to serve"),
        }}},
        "/api/openapi.json": {"get": {"summary": "This description", "parameters": [], "responses": {
            "200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}},
        }}},
    }


def _export(form: str, media_type: str, bad: dict) -> dict:
    """Every match of a search as a download (web.views.export; the rows of search.tables)."""
    headers = {name: {"description": text, "schema": {"type": "string"}} for name, text in (
        ("Content-Disposition", "attachment; filename=cari-WORDS." + form),
        ("X-Cari-Total", "how many articles matched"),
        ("X-Cari-Rows", "how many rows are sent (at most the server's cap, 100,000 unless set)"))}
    return {"get": {
        "summary": f"Every match to take away ({form}): one row per article with its story, streamed",
        "parameters": QUERY_PARAMS,
        "responses": {
            "200": {"description": "Rows: id, title, source, date, author, url, score, snippet (plain text), story, "
                                   "same_story" + ("; UTF-8 with a byte order mark, formula-like cells prefixed "
                                                   "with '" if form == "csv" else ""),
                    "headers": headers, "content": {media_type: {"schema": {"type": "string"}}}},
            "400": bad,
            "503": UNAVAILABLE,
        }}}


def _write_paths() -> dict:
    refused = {
        "400": _error("A document cannot be read (the message names its line)."),
        "401": _error("No API key, or a wrong one."),
        "404": _error("Writing is off (the server has no key), or no article has this id."),
        "413": _error("The body is too large."),
        "503": _error("The index is being rebuilt: nothing was written, send it again (see Retry-After).",
                      RETRY_AFTER),
    }
    written = _json(_ref("Written"), "Written: searches see it from now on")
    return {
        "/api/documents": {"post": {
            "summary": "Add or replace articles (by id)",
            "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref("NewArticle")},
                "application/x-ndjson": {"schema": {"type": "string"}, "description": "JSON Lines of articles"},
            }},
            "responses": {"200": written, **refused},
        }},
        "/api/documents/{id}": {"delete": {
            "summary": "Remove an article",
            "security": [{"bearer": []}],
            "parameters": [ID_PARAM],
            "responses": {"200": written, **{k: v for k, v in refused.items() if k not in ("400", "413")}},
        }},
    }


def openapi_document(writes: bool) -> dict:
    """The description; the write operations only when the server takes writes."""
    paths = {**_paths(), **(_write_paths() if writes else {})}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Cari", "version": __version__,
                 "description": "Full-text search of Indonesian news. Reads are public; writes need the key."},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
