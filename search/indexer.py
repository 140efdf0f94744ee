"""Build the index: read articles, analyse them, write Whoosh, swap it in."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from . import store
from .answers import answer_kinds
from .articles import Article, Problem, lead_title, read_articles
from .schema import build_schema

ProgressCallback = Callable[[Article | Problem], None]


@dataclass
class BuildReport:
    """What a rebuild did, for the summary line and ``cari stats``."""

    index_dir: Path
    indexed: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.skipped]


def article_fields(article: Article) -> dict:
    """The Whoosh document for an article (one place maps articles to fields)."""
    # A title made up from the lead (passages without a headline) repeats the
    # body: indexing it would weight the first sentence twice, so it is only
    # stored, for display.
    title = "" if article.title == lead_title(article.body) else article.title
    doc = {
        "id": article.id,
        "title": title,
        "_stored_title": article.title,
        "title_exact": title,
        "body": article.body,
        "body_exact": article.body,
        "answers": " ".join(answer_kinds(article.body)),
        "origin": article.origin,
        "content_hash": article.content_hash,
        "related": article.related,
    }
    for name in ("source", "author", "url", "date"):
        value = getattr(article, name)
        if value:
            doc[name] = value
    if article.source:
        doc["source_id"] = article.source
    published = parse_iso(article.date)
    if published:
        doc["published"] = published
        doc["year"] = str(published.year)
    return doc


def parse_iso(value: str | None) -> datetime | None:
    """A naive UTC datetime for the DATETIME field (Whoosh wants naive)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def build_index(
    sources: Iterable[str | Path],
    index_dir: Path,
    on_item: ProgressCallback | None = None,
) -> BuildReport:
    """Index every article in ``sources`` into a new generation of ``index_dir``.

    The live index is replaced only when the new one is complete; on any error
    (or Ctrl-C) the new generation is removed and the old one keeps serving.
    A file or line that cannot be read is reported through ``on_item`` and in
    the report, and skipped. Duplicate ids: the first article read wins.
    """
    from whoosh.index import create_in

    sources = [Path(s) for s in sources]
    index_dir = Path(index_dir)
    report = BuildReport(index_dir=index_dir)
    started = time.perf_counter()
    with store.rebuild_lock(index_dir):
        store.remove_stale_generations(index_dir)
        generation = store.new_generation(index_dir)
        try:
            ix = create_in(str(generation), build_schema())
            writer = ix.writer(limitmb=256)
            try:
                seen: dict[str, str] = {}
                for item in read_articles(sources):
                    if isinstance(item, Article) and item.id in seen:
                        item = Problem(item.origin, f"duplicate id {item.id!r} (first read from {seen[item.id]}); skipped")
                    if isinstance(item, Article):
                        seen[item.id] = item.origin
                        writer.add_document(**article_fields(item))
                        report.indexed += 1
                    else:
                        report.problems.append(item)
                        report.skipped += item.skipped
                    if on_item:
                        on_item(item)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            report.seconds = time.perf_counter() - started
            store.publish(index_dir, generation, manifest(report, sources))
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
    return report


def manifest(report: BuildReport, sources: list[Path]) -> dict:
    """The build's record, stored beside the index for ``cari stats``."""
    return {
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sources": [str(s.resolve()) for s in sources],
        "documents": report.indexed,
        "skipped": report.skipped,
        "seconds": round(report.seconds, 3),
    }
