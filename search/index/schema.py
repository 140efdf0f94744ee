"""The index schema: which article fields are searched, stored and filtered."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search.analysis.chain import exact_analyzer, indonesian_analyzer, name_analyzer

# Fields a query may name with ``field:term``.
SEARCHABLE_FIELDS = ("title", "body", "source", "author")
# Fields searched when a query term names no field, with their weights. Whoosh
# scores each field on its own (its own saturation and idf) and adds them up, so
# a headline word already counts twice: once in the title, once in the body.
# A title weighted above the body let a short headline outrank the article the
# query describes (IndoSum MRR 0.973 -> 0.991 at half weight; docs/relevance.md).
DEFAULT_FIELDS = {"title": 0.5, "body": 1.0, "title_exact": 0.5, "body_exact": 1.0}
# Each exact-form field and the stemmed field with positions that checks its phrases.
EXACT_TWINS = {"title_exact": "title", "body_exact": "body"}
# BM25F: a low K1 saturates repeated words early, so an article matching more
# of the query's words beats one repeating a few (measured: docs/relevance.md).
BM25_PARAMS = {"B": 0.75, "K1": 0.5}
# Weight of holding the kind of answer a question asks for (answers.py).
ANSWER_BOOST = 20.0


def build_schema() -> Schema:
    """A new schema object (Whoosh pickles it into the index)."""
    text = indonesian_analyzer()
    names = name_analyzer()
    exact = exact_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True),
        body=TEXT(analyzer=text, stored=True),
        # Frequencies only: a phrase is matched on the stemmed fields, which
        # keep positions (query.py); positions here doubled the index.
        title_exact=TEXT(analyzer=exact, phrase=False),
        body_exact=TEXT(analyzer=exact, phrase=False),
        answers=KEYWORD(),  # kinds of answer the body holds: date, number
        source=TEXT(analyzer=names, stored=True),
        author=TEXT(analyzer=names, stored=True),
        # Exact values for filters and facets; the text fields above are for search.
        source_id=ID(),
        published=DATETIME(sortable=True),
        year=ID(),  # for the year facet
        date=STORED(),  # ISO 8601 as the page gave it (with or without a time)
        url=STORED(),
        related=STORED(),
        origin=STORED(),
        content_hash=STORED(),  # compared through contents.json.gz, never searched
    )
