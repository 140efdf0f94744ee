"""Build the index: read articles, analyse them, write Whoosh, swap it in."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from search.analysis.answers import answer_kinds
from search.analysis.stemmer import shared_stemmer
from search.errors import BuildFailed, CariError
from search.index import generations as store
from search.index.format import CONTENTS, INDEX_FORMAT, ROOTS, learn_roots, opens, schema_fingerprint
from search.index.schema import build_schema, published_value
from search.ingest.article import Article, Problem, lead_title
from search.ingest.sources import read_articles

ProgressCallback = Callable[[Article | Problem], None]


@dataclass
class BuildReport:
    """What a rebuild did, for the summary line and ``cari stats``."""

    index_dir: Path
    indexed: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = True  # False: an update of the previous index
    added: int = 0  # articles not in the previous index
    changed: int = 0  # articles whose content hash changed
    removed: int = 0  # articles of the previous index no longer in the sources
    unchanged: int = 0

    def count(self, doc_id: str, digest: str, previous: dict[str, str]) -> None:
        """Tally one article read, against the previous index's contents."""
        self.indexed += 1
        known = previous.get(doc_id)
        if known is None:
            self.added += 1
        elif known != digest:
            self.changed += 1
        else:
            self.unchanged += 1

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.skipped]


def article_fields(article: Article) -> dict:
    """The Whoosh document for an article (one place maps articles to fields)."""
    # A title made up from the lead (passages without a headline) repeats the
    # body: indexing it would weight the first sentence twice, so it is only
    # stored, for display.
    title = "" if article.title == lead_title(article.body) else article.title
    doc: dict[str, object] = {
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
    published = published_value(article.date)
    if published:
        doc["published"] = published
        doc["year"] = str(published.year)
    return doc


def build_index(
    sources: Iterable[str | Path],
    index_dir: Path,
    on_item: ProgressCallback | None = None,
    full: bool = False,
    procs: int | None = None,
    strict: bool = False,
) -> BuildReport:
    """Index every article in ``sources`` into a new generation of ``index_dir``.

    Unless ``full`` is set, an index built from the same schema is updated
    rather than rebuilt: an article whose id and content hash are already in
    it is left alone, a new or changed one is (re)indexed, and one no longer
    in ``sources`` is deleted. Either way the work happens in a new
    generation (an update starts from hard links to the live one, see
    ``store``), and the live index is replaced only when the new one is
    complete; on any error (or Ctrl-C) the new generation is removed and the
    old one keeps serving. ``procs`` worker processes analyse and write
    (default: one per core). A file or line that cannot be read is reported
    through ``on_item`` and in the report, and skipped; with ``strict`` any
    skipped input fails the build (BuildFailed) and the previous index stays.
    Duplicate ids: the first article read wins, the others are reported.
    """
    paths = [Path(s) for s in sources]
    index_dir = Path(index_dir)
    report = BuildReport(index_dir=index_dir)
    started = time.perf_counter()
    with store.writable(index_dir), store.rebuild_lock(index_dir):
        store.remove_stale_generations(index_dir)
        live, previous = (None, {}) if full else updatable_generation(index_dir)
        report.full = live is None
        generation = store.new_generation(index_dir) if live is None else store.copy_generation(index_dir, live)
        try:
            ix = _open_for_writing(generation, live)
            if live is not None:
                learn_roots(live)
            contents = _write_articles(ix, str(generation), paths, previous, report, on_item, procs, strict)
            store.write_record(generation, CONTENTS, contents)
            store.write_record(generation, ROOTS, shared_stemmer().known_roots())
            report.seconds = time.perf_counter() - started
            store.publish(index_dir, generation, manifest(report, paths))
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
    return report


def updatable_generation(index_dir: Path) -> tuple[Path | None, dict[str, str]]:
    """The live generation and its ``id -> content hash`` if an update can start
    from it, else ``(None, {})`` (full rebuild)."""
    try:
        live = store.live_generation(index_dir)
    except CariError:
        return None, {}
    record = store.read_manifest(live)
    if record.get("index_format") != INDEX_FORMAT or record.get("fingerprint") != schema_fingerprint():
        return None, {}
    # Without a readable record of what the index holds, an update would add
    # every article again beside its old copy: rebuild instead.
    contents = store.read_record(live, CONTENTS)
    if contents is None or not opens(live):
        return None, {}
    return live, contents


def _open_for_writing(generation: Path, live: Path | None):
    """The Whoosh index to write: a new one, or the copy of ``live``."""
    from search._whoosh.writers import open_for_writing

    return open_for_writing(str(generation), build_schema(), new=live is None)


def _write_articles(ix, path: str, sources, previous: dict, report: BuildReport, on_item, procs, strict) -> dict:
    """Add new and changed articles, delete changed and gone ones, commit.

    Returns ``id -> content hash`` of every article now in the index.
    """
    from search._whoosh.writers import parent_writer
    from search.index.workers import DocumentSink, default_procs

    contents: dict[str, str] = {}
    origins: dict[str, str] = {}
    writer = parent_writer(ix)
    try:
        with DocumentSink(writer, path, procs or default_procs()) as sink:
            for item in read_articles(sources):
                if isinstance(item, Article) and item.id in origins:
                    item = Problem(item.origin, f"duplicate id {item.id!r} (first read from {origins[item.id]}); skipped")
                if isinstance(item, Article):
                    origins[item.id] = item.origin
                    digest = contents[item.id] = item.content_hash
                    if previous.get(item.id) != digest:
                        sink.add(article_fields(item))
                    report.count(item.id, digest, previous)
                else:
                    report.problems.append(item)
                    report.skipped += item.skipped
                if on_item:
                    on_item(item)
            if strict and report.skipped:
                raise BuildFailed(
                    f"--strict: {report.skipped} input(s) could not be indexed; the previous index is unchanged."
                )
            sink.finish()
        stale = [doc_id for doc_id, digest in previous.items() if contents.get(doc_id) != digest]
        report.removed = sum(1 for doc_id in stale if doc_id not in contents)
        if stale:
            # One searcher for all: without it Whoosh opens a new one (every
            # segment's files) for each deletion, seconds per hundred.
            with writer.searcher() as searcher:
                for doc_id in stale:
                    writer.delete_by_term("id", doc_id, searcher=searcher)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return contents


def manifest(report: BuildReport, sources: list[Path]) -> dict:
    """The build's record, stored beside the index for ``cari stats``."""
    return {
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sources": [str(s.resolve()) for s in sources],
        "documents": report.indexed,
        "skipped": report.skipped,
        "seconds": round(report.seconds, 3),
        "mode": "full" if report.full else "update",
        "added": report.added,
        "changed": report.changed,
        "removed": report.removed,
        "fingerprint": schema_fingerprint(),
        "index_format": INDEX_FORMAT,
    }
