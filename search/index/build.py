"""Build the index: read articles, analyse them, write Whoosh, swap it in.

The one write path: every change to an index -- ``cari rebuild-index`` and
``cari add`` (files), the write API's upserts (articles passed as objects:
:class:`GivenArticles`), and removals by id (``cari remove``, the write API's
deletions: ``mode=REMOVE``, which ``index.changes`` asks for) -- is a
:func:`build_index` that holds ``write_lock.writing``, fills a
``generations.next_generation`` and swaps it in with ``generations.publish``;
the write API batches its writes into these (``index.documents``). Reading the sources, and
what a build removes, is ``index.batch``; what a write starts from (the live generation, if it can
be updated, and what it holds) is ``index.updatable``.
``search.Index`` is the front door to all of them.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from search._whoosh.writers import open_for_writing, parent_writer
from search.errors import BuildFailed
from search.index import generations, names, stories, topic_points, topics, write_lock
from search.index import kept as records
from search.index.batch import (
    ADD,
    REBUILD,
    REMOVE,
    Batch,
    BuildReport,
    GivenArticles,
    Phase,
    ProgressCallback,
    announce,
    check_sources,
    input_bytes,
    learned_furniture,
    read_sources,
    removals,
    shown,
)
from search.index.checksums import Verification
from search.index.fields import article_fields
from search.index.format import (
    CONTENTS,
    FURNITURE,
    learn_roots_for_update,
    save_roots,
    stamp,
)
from search.index.name_counts import WORDS_FIELD, Tally
from search.index.name_learning import write_names
from search.index.names import NAMES_FIELD
from search.index.records import OwnArticles
from search.index.schema import build_schema
from search.index.updatable import (
    has_index,
    live_contents,
    not_updatable,
    own_sources,
    removable,
    updatable_generation,
)
from search.index.workers import DocumentSink, default_procs
from search.ingest.formats import ReadOptions
from search.ingest.sources import STDIN


def build_index(
    sources: Iterable[str | Path | GivenArticles],
    index_dir: Path,
    on_item: ProgressCallback | None = None,
    full: bool = False,
    procs: int | None = None,
    strict: bool = False,
    mode: str = REBUILD,
    allow_removals: bool = False,
    dry_run: bool = False,
    options: ReadOptions | None = None,
    wait_seconds: float = 0.0,
    own_articles: bool = False,
    remove: Iterable[str] = (),
) -> BuildReport:
    """Index every article in ``sources`` into a new generation of ``index_dir``.

    ``mode`` ``REBUILD`` makes the index exactly ``sources``: an article
    whose id and content hash are already in it is left alone, a new or
    changed one is (re)indexed, and one no longer in ``sources`` is deleted;
    when that would delete more than half of the index's articles the build
    is refused (BuildFailed) unless ``allow_removals``. ``ADD`` adds and
    updates only: nothing is deleted. ``full`` rebuilds from scratch instead
    of updating. A source that does not exist, or yields no article, fails
    the build before anything changes. ``dry_run`` reads the sources and
    reports what would change, and changes nothing.

    The work happens in a new generation (an update starts from hard links to
    the live one, see ``generations``), and the live index is replaced only
    when the new one is complete; on any error (or Ctrl-C) the new generation
    is removed and the old one keeps serving. ``procs`` worker processes
    analyse and write (default: one per core). A file or line that cannot be
    read is reported through ``on_item`` and in the report, and skipped; with
    ``strict`` any skipped input fails the build and the previous index
    stays. Duplicate ids: the first article read wins, the others are reported.
    ``options`` say how to read the sources (a CSV's column names). A build
    that finds the index locked (another build, API writes) waits for it up
    to ``wait_seconds``, then raises IndexBusy.

    ``own_articles`` (no ``sources``) rebuilds the index from scratch from its
    own articles, read back from the live generation under the lock (of this
    format or an older one: how a change of format or analysis is taken in);
    an article that cannot be read back fails the build, as with ``strict``.

    ``mode`` ``REMOVE`` (no ``sources``) removes the articles whose ids are
    in ``remove``: ``report.deleted`` names those removed, ``report.unknown``
    those the index did not hold (a generation is made only if some are
    removed). It raises IndexMissing, IndexOutdated or IndexDamaged when there
    is no sound index to remove from.
    """
    index_dir = Path(index_dir)
    paths: list = [s if isinstance(s, GivenArticles) else Path(s) for s in sources]
    if own_articles and mode != REMOVE:
        full, mode, strict = True, REBUILD, True
    _check_asked(paths, mode, own_articles, full)
    options = options or ReadOptions()
    report = BuildReport(index_dir=index_dir, mode=mode, dry_run=dry_run)
    started = time.perf_counter()
    if dry_run:
        _plan(own_sources(index_dir) if own_articles else paths, remove, index_dir, report, on_item, strict,
              allow_removals, options)
        report.seconds = time.perf_counter() - started
        return report
    with write_lock.writing(index_dir, wait_seconds):
        if own_articles:  # read under the lock: no write can land between the reading and the swap
            paths = own_sources(index_dir)
        if mode == REMOVE and not removable(index_dir, remove, report).deleted:
            return report  # nothing to remove: no new generation
        live, previous, known, check = _starting_point(index_dir, mode, full)
        report.full = live is None
        batch = Batch(paths, previous, known, report, on_item, strict, allow_removals, options)
        try:
            _write_generation(index_dir, live, batch, 1 if mode == REMOVE else procs, started, check)
        finally:
            if check is not None:
                check.stop()
    return report


def _check_asked(paths: list, mode: str, own_articles: bool, full: bool) -> None:
    """Raise for a build that asks what cannot be: a removal that reads sources, a source that does not exist."""
    if mode == REMOVE:
        if paths or own_articles or full:
            raise ValueError("a removal reads no sources")
    elif not own_articles:
        check_sources(paths)


def _starting_point(index_dir: Path, mode: str, full: bool
                    ) -> tuple[Path | None, dict[str, str], dict[str, str], Verification | None]:
    """What a write starts from: the live generation if it can be updated (None: a new index), the contents it
    holds, what a removal guard counts against, and the check of its large files (if one runs meanwhile)."""
    # A rebuild checks every file of the live generation first (a damaged one is rebuilt whole); a write that
    # only adds or removes checks the large ones in a thread meanwhile, and publishes only once they are sound.
    live, previous, check = (None, {}, None) if full else updatable_generation(index_dir, mode != REBUILD)
    if live is None and mode in (ADD, REMOVE) and has_index(index_dir):
        raise BuildFailed(not_updatable(index_dir))
    return live, previous, previous or live_contents(index_dir), check


def _write_generation(index_dir: Path, live: Path | None, batch: Batch, procs: int | None, started: float,
                      check: Verification | None = None) -> None:
    """Write ``batch`` into a new generation of ``index_dir`` (a copy of ``live``, or a new index) with the
    records of what it holds, and swap it in; on any error the new generation is removed. ``check``: the check of
    ``live``'s large files, waited for before the swap (BuildFailed if it finds damage)."""
    report = batch.report
    with generations.next_generation(index_dir, live) as generation:
        ix = _open_for_writing(generation, live)
        if live is not None:
            learn_roots_for_update(live, input_bytes(batch.paths))
        batch.names = Tally(live) if names.LEARN else None
        batch.furniture = learned_furniture(batch, live, index_dir)
        generations.write_record(generation, FURNITURE, batch.furniture.to_record())
        contents = _write_articles(ix, str(generation), batch, procs)
        earlier = generations.read_manifest(live) if live is not None else {}
        repeats = generations.write_grown_record(generation, CONTENTS, contents, live, batch.previous if live else None,
                                                 _repeats(earlier), batch.changed, batch.removed, batch.previous_keys)
        records.keep(generation / CONTENTS, CONTENTS, contents)  # for the next write of a process that keeps them
        # The stories (numpy, which lets go of the GIL in its large passes) in a thread while the names are learned
        # (Python): at 1,000,000 articles each is ~2.5 CPU-s a write, and a machine has two cores. Leaving the block
        # waits for the thread, so a failure of either removes the generation only once nothing writes into it.
        with ThreadPoolExecutor(1, thread_name_prefix="cari-stories") as pool:
            grouped = pool.submit(contextvars.copy_context().run, stories.update, generation, live, contents,
                                  batch.sketches, batch.removed)  # in this thread's context: whether records are kept
            if names.LEARN:
                announce(batch, "Learning the people and organisations the archive names")
                write_names(generation, ix, batch.names)
            grouped.result()
        save_roots(generation, live)
        relearned = topics.needs_learning(generation, ix)
        if relearned:  # else an update keeps them (hard-linked)
            topics.learn_from(generation, ix, announce(batch, "Learning the archive's topics (for related articles)"))
        announce(batch, "Placing the articles in the topics (for related articles)")
        topic_points.write(generation, ix, relearned, live, procs or default_procs())
        if batch.on_item is not None:
            batch.on_item(Phase("Saving: the records of what the index holds, then the swap"))
        if check is not None and check.wait():
            raise BuildFailed(not_updatable(index_dir, check.problem))
        report.seconds = time.perf_counter() - started
        kept = earlier if report.mode != REBUILD else {}
        generations.publish(index_dir, generation, {**manifest(report, batch.paths, kept, len(contents)),
                                                    REPEATS: {CONTENTS: repeats}})


# In the manifest: how many ids the list of articles (CONTENTS) repeats (``generations.write_grown_record``).
REPEATS = "repeated_in_records"


def _repeats(manifest: dict) -> int:
    found = manifest.get(REPEATS)
    repeats = found.get(CONTENTS) if isinstance(found, dict) else None
    return repeats if isinstance(repeats, int) and repeats >= 0 else 0


def _open_for_writing(generation: Path, live: Path | None) -> Any:
    """The Whoosh index to write: a new one, or the copy of ``live``."""
    return open_for_writing(str(generation), build_schema(), new=live is None)


def _plan(paths: list, remove: Iterable[str], index_dir: Path, report: BuildReport, on_item: ProgressCallback | None,
          strict: bool, allow_removals: bool, options: ReadOptions) -> None:
    """``dry_run``: what a build would add, change and remove, reading the sources only (a removal: which of
    ``remove`` the index holds)."""
    if report.mode == REMOVE:
        removable(index_dir, remove, report)
        return
    known = live_contents(index_dir)
    report.full = False
    batch = Batch(paths, known, known, report, on_item, strict, allow_removals, options)
    removals(batch, read_sources(batch, lambda article: None))


def _write_articles(ix: Any, path: str, batch: Batch, procs: int | None) -> dict:
    """Add new and changed articles, delete changed and gone ones, commit.

    Returns ``id -> content hash`` of every article now in the index.
    """
    writer = parent_writer(ix)
    counted = (NAMES_FIELD, WORDS_FIELD) if batch.names is not None and batch.names.counting else ()
    try:
        with DocumentSink(writer, path, procs or default_procs(), counted_fields=counted,
                          signatures=batch.sketches.signatures) as sink:  # each (re)indexed article's story
            contents = read_sources(batch, lambda article: sink.add(article_fields(article, batch.furniture)))
            stale = removals(batch, contents)
            announce(batch, "Finishing: the workers analyse their last articles and write their segments")
            sink.finish()
        if batch.names is not None and counted:  # the names terms and words of the articles written
            batch.names.add_counts(sink.term_documents[NAMES_FIELD], sink.term_documents[WORDS_FIELD])
        if stale:
            delete_ids(writer, stale, batch.names)
    except BaseException:
        writer.cancel()
        raise
    announce(batch, "Committing: the segments are merged into the index")
    writer.commit()
    if batch.report.mode == REMOVE:  # the removed taken off the write's own list (read, or taken from what the process
        remaining = batch.previous  # kept): a copy of 1,000,000 ids cost ~0.03-0.09 CPU-s; the write says what it removed
        batch.removed = [doc_id for doc_id in stale if remaining.pop(doc_id, None) is not None]
        return remaining
    if batch.report.mode == ADD or batch.report.kept:
        previous = batch.previous
        batch.changed = [doc_id for doc_id, digest in contents.items() if previous.get(doc_id, digest) != digest]
        if batch.report.mode != ADD:
            return {**previous, **contents}
        batch.previous_keys = len(previous)  # the write's own list (read, or taken from what the process kept) grown
        previous.update(contents)  # in place: a copy of 1,000,000 ids cost ~0.03-0.09 CPU-s a write
        return previous
    return contents


def delete_ids(writer: Any, ids: list[str], names: Tally | None = None) -> None:
    """Mark the articles with ``ids`` deleted in ``writer``'s next commit (and take them off ``names``)."""
    # One searcher for all: without it Whoosh opens a new one (every
    # segment's files) for each deletion, seconds per hundred.
    with writer.searcher() as searcher:
        if names is not None:
            names.remove_stored(searcher, ids)
        for doc_id in ids:
            writer.delete_by_term("id", doc_id, searcher=searcher)


def _recorded(sources: list) -> list[str]:
    """The sources a manifest records: a rebuild from the index's own articles keeps those they came from."""
    recorded: list[str] = []
    for source in sources:
        if isinstance(source, OwnArticles):
            recorded += generations.read_manifest(source.generation).get("sources") or []
        elif isinstance(source, GivenArticles):
            recorded.append(source.label)
        else:
            recorded.append(shown(source) if str(source) == STDIN else str(source.resolve()))
    return recorded


def manifest(report: BuildReport, sources: list, earlier: dict | None = None, documents: int | None = None) -> dict:
    """The build's record, stored beside the index for ``cari stats``.

    ``earlier``: the manifest of the generation added to or removed from
    (its sources are kept, and a removal keeps its count of skipped inputs);
    ``documents``: how many articles the new generation holds.
    """
    earlier = earlier or {}
    return {
        **stamp(),
        "sources": list(dict.fromkeys([*earlier.get("sources", []), *_recorded(sources)])),
        "documents": report.indexed if documents is None else documents,
        "skipped": earlier.get("skipped") if report.mode == REMOVE else report.skipped,
        "seconds": round(report.seconds, 3),
        "mode": report.mode if not report.full else "full",
        "added": report.added,
        "changed": report.changed,
        "removed": report.removed,
    }
