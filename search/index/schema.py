"""The index schema: which article fields are searched, stored and filtered, and how a date is stored."""

from __future__ import annotations

from datetime import datetime, timedelta

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search._whoosh.analyzers import exact_analyzer, indonesian_analyzer, names_analyzer
from search.ingest.dates import utc_moment

# Fields a query may name with ``field:term``.
SEARCHABLE_FIELDS = ("title", "body", "source", "author")
# Each exact-form field and the stemmed field with positions that checks its phrases.
EXACT_TWINS = {"title_exact": "title", "body_exact": "body"}


def build_schema() -> Schema:
    """A new schema object (Whoosh pickles it into the index)."""
    text = indonesian_analyzer()
    exact = exact_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True),
        body=TEXT(analyzer=text, stored=True),
        # Frequencies only: a phrase is matched on the stemmed fields, which
        # keep positions (search.query.builder); positions here doubled the index.
        title_exact=TEXT(analyzer=exact, phrase=False),
        body_exact=TEXT(analyzer=exact, phrase=False),
        answers=KEYWORD(),  # kinds of answer the body holds: date, number
        # Runs of capitalised words and their evidence (search.analysis.names): people and organisations
        names=KEYWORD(analyzer=names_analyzer()),
        source=TEXT(analyzer=exact, stored=True),
        author=TEXT(analyzer=exact, stored=True),
        # Exact values for filters and facets; the text fields above are for search.
        source_id=ID(),
        published=DATETIME(sortable=True),
        year=ID(),  # for the year facet
        date=STORED(),  # ISO 8601 as the page gave it (with or without a time)
        url=STORED(),
        related=STORED(),
        origin=STORED(),
        content_hash=STORED(),  # compared through contents.json.gz, never searched
        given=STORED(),  # the article's record as it was given (search.index.records), for export and rebuilds
    )


# Days, months and years are Jakarta's (WIB) wherever Cari counts or filters
# by them: the days the results show; ``published`` itself holds UTC.
WIB = timedelta(hours=7)


def published_value(value: str | None) -> datetime | None:
    """An article's date as the ``published`` field stores it: a naive UTC datetime (Whoosh wants naive).

    Read by ``search.ingest.dates.read_date``, the one date reader: a date that names no zone is Jakarta's.
    """
    moment = utc_moment(value)
    return None if moment is None else moment.replace(tzinfo=None)
