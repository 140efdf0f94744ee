"""What an open generation answers besides a search: one article, its related articles, the index's outline.

The work behind ``Index.article``, ``Index.related``, ``Index.sources``,
``Index.archive_outline``, ``Index.stats`` and ``Index.health``
(``search.library`` documents them and calls these under its lock).
"""

from __future__ import annotations

import re
from contextlib import suppress

from search.errors import QueryError, damaged
from search.highlight.spans import whole
from search.index import generations
from search.ingest.dates import shown_time
from search.options import MAX_LIMIT
from search.query.parsed import TermMatcher
from search.ranking import related as like
from search.ranking.fallback import read_errors_as_damage
from search.ranking.months import oldest
from search.results import ArticleInfo, ArticlePage, Hit
from search.searching import hit_of
from search.serving import OpenGeneration


def related_hits(opened: OpenGeneration, doc_id: str, limit: int = 10) -> list[Hit]:
    """Articles like ``doc_id``, best first, one per story (``search.ranking.related``); QueryError when there is
    no such id."""
    searcher = opened.searcher
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        raise QueryError(f"No article with id {doc_id!r}.")
    fields = searcher.stored_fields(docnum)
    reader = searcher.reader()
    with read_errors_as_damage(opened.index_dir):
        ranked = like.more_like(docnum, fields, opened.scorer, reader.doc_frequency, max(1, min(limit, MAX_LIMIT)),
                                opened.story_map().story_of, opened.topics(), searcher.stored_fields)
        nothing = TermMatcher.from_terms([])
        return [hit_of(searcher.stored_fields(doc), score, nothing) for doc, score in ranked]


def article_page(opened: OpenGeneration, doc_id: str, query_text: str = "") -> ArticlePage | None:
    """One whole article for reading, with the words of ``query_text`` marked (None: no such id).

    A query that does not parse only loses its highlighting: the reader
    asked for the article, not for the query.
    """
    fields = opened.searcher.document(id=doc_id)
    if fields is None:
        return None
    matcher = TermMatcher.from_terms(())
    if query_text.strip():
        with suppress(QueryError):  # a bad query still shows the article, unmarked
            matcher = opened.parse(query_text).matcher()
    paragraphs = [p.strip() for p in re.split(r"\n+", fields.get("body", "")) if p.strip()]
    return ArticlePage(
        **ArticleInfo.fields_of(fields),
        marked_title=whole(fields.get("title", ""), matcher),
        paragraphs=[whole(p, matcher) for p in paragraphs],
    )


def publishers(opened: OpenGeneration) -> list[tuple[str, int]]:
    """Every publisher with its number of articles, by name."""
    reader = opened.searcher.reader()
    return [(name, reader.doc_frequency("source_id", name)) for name in opened.source_names()]


def outline(opened: OpenGeneration) -> dict:
    """The first and last day of the archive and two words for tips (``Index.archive_outline``), read once
    per generation: every page shows them, and at 1,000,000 articles reading them took ~8 CPU-ms."""
    if opened.outline is None:
        opened.outline = read_outline(opened)
    return {**opened.outline, "words": list(opened.outline["words"])}


def read_outline(opened: OpenGeneration) -> dict:
    """What :func:`outline` keeps of ``opened``, read from it."""
    searcher = opened.searcher
    dates, live = opened.scorer.dates, opened.scorer.postings.live
    newest, first = dates.newest(live & dates.dated, 1).tolist(), oldest(dates, live & dates.dated, 1).tolist()

    def day(docnum: list[int]) -> str | None:  # the day as the pages show it (in WIB), not the stored UTC one
        stored = searcher.stored_fields(docnum[0]).get("date") if docnum else None
        shown = shown_time(stored)
        return shown.moment.date().isoformat() if shown else None

    return {"first": day(first), "last": day(newest), "words": opened.completion_table().tip_words()}


def statistics(opened: OpenGeneration) -> dict:
    """What is in the index: counts, size, when and from what it was built."""
    searcher = opened.searcher
    generation = opened.generation
    manifest = generations.read_manifest(generation)
    size = sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
    reader = searcher.reader()
    return {
        "index": str(opened.index_dir),
        "documents": searcher.doc_count(),
        "terms": sum(1 for _ in reader.lexicon("body")) + sum(1 for _ in reader.lexicon("title")),
        "size_bytes": size,
        "built_at": manifest.get("built_at"),
        "sources": manifest.get("sources", []),
        "skipped": manifest.get("skipped"),
    }


def health_of(opened: OpenGeneration) -> dict:
    """The open generation's name and document count."""
    generation = opened.generation
    checked = opened.verification.finished  # read before the damage: the check sets what it found, then ends
    if opened.damage is not None:
        raise damaged(opened.index_dir, opened.damage)
    return {"status": "ok", "generation": generation.name, "documents": opened.searcher.doc_count(),
            "built_at": generations.read_manifest(generation).get("built_at"),
            "checksums": "checked" if checked else "checking"}
