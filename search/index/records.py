"""The articles an index keeps whole, and how they come back out: ``cari export`` and a rebuild from the index.

An article that came as a record (a JSON Lines line, a JSON or CSV export,
the write API) is stored as it was given (the ``given`` stored field: its
``text`` before the furniture was taken off, its date as written), so that
reading its record again makes exactly the same article. The text is left
out of the stored record when it is the article's body (most of the time), so
nothing is stored twice. An article Cari extracted itself (a page, a feed
item), and every article of an index of format 7 or older, is its own record:
its title, body, date, source, author and URL, its "Baca juga" lines after
the body. Either way, reading an article's record as JSON Lines makes the
article the index holds: the export is the archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.index import open_dir

from search._whoosh.stored import iter_stored_fields
from search.index.schema import build_schema
from search.ingest.article import Article, Problem
from search.ingest.exports import checked_article
from search.ingest.sources import settle

# The fields of an exported article, in their order (a CSV's header).
FIELDS = ("id", "title", "text", "date", "source", "author", "url")
# The index formats whose stored fields an export can read (5: the first that names no Cari module).
READABLE_FORMATS = range(5, 12)


def stored_record(article: Article, body: str | None = None) -> dict | None:
    """What the index stores of ``article``'s record beside its fields (None: the fields are the record);
    ``body`` is the body stored (its source's furniture off), when not the article's."""
    if article.given is None:
        return None
    record = {name: value for name, value in article.given.items() if name in FIELDS and name != "id"}
    if record.get("text") == (article.body if body is None else body):
        del record["text"]  # read back from the stored body
    return record


def record_of(fields: dict) -> dict:
    """The exported record of one stored document: the article as it was given, or as Cari read it."""
    given = fields.get("given")
    record: dict = {"id": fields["id"]}
    if isinstance(given, dict):
        for name in FIELDS[1:]:
            value = fields.get("body") if name == "text" and "text" not in given else given.get(name)
            if value:
                record[name] = value
        return record
    text = fields.get("body") or ""
    related = fields.get("related") or []
    if related:  # read back as the same related articles, and not as body text
        text += "\n\n" + "\n".join(f"Baca juga: {title}" for title in related)
    for name, value in (("title", fields.get("title")), ("text", text), ("date", fields.get("date")),
                        ("source", fields.get("source")), ("author", fields.get("author")),
                        ("url", fields.get("url"))):
        if value:
            record[name] = value
    return record


def stored_documents(generation: Path) -> Iterator[dict]:
    """The stored fields of every live document of ``generation``, in document order, one at a time."""
    yield from iter_stored_fields(str(generation), build_schema())


def records(generation: Path) -> Iterator[dict]:
    """The exported records of every article of ``generation`` (any readable format), streamed."""
    for fields in stored_documents(generation):
        yield record_of(fields)


def articles(generation: Path, shown: str) -> Iterator[Article | Problem]:
    """The articles of ``generation`` read back from their records, as a JSON Lines export of them would be.

    ``shown`` names the index in problems. Each article keeps the origin it
    was first read from (the file and line its record came in).
    """
    for fields in stored_documents(generation):
        record = record_of(fields)
        for item in checked_article(record, f"{shown} article {record['id']!r}"):
            if isinstance(item, Article):
                settle(item)  # as read_articles does for every source
                item.origin = fields.get("origin") or item.origin
            yield item


@dataclass(frozen=True)
class OwnArticles:
    """A build's source that is the index itself: the articles of its live generation (``rebuild-index --full``)."""

    generation: Path
    index_dir: Path

    def __str__(self) -> str:
        return f"the articles of the index at {self.index_dir}"

    def read(self) -> Iterator[Article | Problem]:
        return articles(self.generation, str(self.index_dir))


def stored_reader(generation: Path) -> Any:
    """A Whoosh reader of ``generation`` of its own, for reading stored fields by document number at length
    (an export of all results): never a searcher's, which a reopen after a write closes. Close it when done."""
    return open_dir(str(generation), schema=build_schema()).reader()
