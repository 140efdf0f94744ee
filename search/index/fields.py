"""An article as the index's fields: the one place that maps an article to the Whoosh document a build writes."""

from __future__ import annotations

from search.analysis.answers import answer_kinds
from search.index import names
from search.index.records import stored_record
from search.index.schema import WIB, published_value
from search.ingest.article import Article, lead_title
from search.ingest.furniture import Furniture


def article_fields(article: Article, furniture: Furniture | None = None) -> dict:
    """The Whoosh document for an article (one place maps articles to fields), without its source's
    learned ``furniture`` lines (``search.ingest.furniture``)."""
    # A title made up from the lead (passages without a headline) repeats the
    # body: indexing it would weight the first sentence twice, so it is only
    # stored, for display.
    title = "" if article.title == lead_title(article.body) else article.title
    body = article.body if furniture is None else furniture.strip(article.source, article.body)
    doc: dict[str, object] = {
        "id": article.id,
        "title": title,
        "_stored_title": article.title,
        "title_exact": title,
        "body": body,
        "body_exact": body,
        "answers": " ".join(answer_kinds(body)),
        "origin": article.origin,
        "content_hash": article.content_hash,
        "related": article.related,
    }
    if names.LEARN:
        doc["names"] = body
    given = stored_record(article, body)
    if given is not None:
        doc["given"] = given
    for name in ("source", "author", "url", "date"):
        value = getattr(article, name)
        if value:
            doc[name] = value
    if article.source:
        doc["source_id"] = article.source
    published = published_value(article.date)
    if published:
        doc["published"] = published
        doc["year"] = str((published + WIB).year)  # Jakarta's year, as the filters count it
    return doc
