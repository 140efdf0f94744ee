"""The index schema: which article fields are searched, stored and filtered."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from .analysis import indonesian_analyzer, name_analyzer

# Fields a query may name with ``field:term``.
SEARCHABLE_FIELDS = ("title", "body", "source", "author")
# Fields searched when a query term names no field, with their BM25F weights:
# a word in the headline says more about the article than one in its body.
DEFAULT_FIELDS = {"title": 2.0, "body": 1.0}


def build_schema() -> Schema:
    """A new schema object (Whoosh pickles it into the index)."""
    text = indonesian_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True),
        body=TEXT(analyzer=text, stored=True),
        source=TEXT(analyzer=names, stored=True),
        author=TEXT(analyzer=names, stored=True),
        # Exact values for filters and facets; the text fields above are for search.
        source_id=ID(),
        published=DATETIME(sortable=True),
        date=STORED(),  # ISO 8601 as the page gave it (with or without a time)
        url=STORED(),
        related=STORED(),
        origin=STORED(),
        content_hash=ID(stored=True),
    )
