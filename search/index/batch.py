"""One build's reading of its sources: what a build is asked to make, what it read, and what it removes.

:func:`search.index.build.build_index` is the one write path; this module is its reading half: the
sources (files, the index's own articles, articles passed as objects), each source's furniture learned
from them, the report's tallies, problems shown a few at a time, and which ids the new generation drops.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from search.errors import BuildFailed
from search.index import generations
from search.index.format import FURNITURE
from search.index.name_counts import Tally
from search.index.records import OwnArticles
from search.index.signatures import Sketches
from search.ingest.article import Article, Problem
from search.ingest.formats import ReadOptions
from search.ingest.furniture import Furniture, FurnitureLearner
from search.ingest.sources import STDIN, read_articles, settle


class Phase(str):
    """A step of a build after its articles are read, given to ``on_item`` as it starts (it can take seconds);
    a long one given again as it goes, with ``share`` the part of it done (``Phase.done``)."""

    share: float | None = None

    @classmethod
    def done(cls, step: str, share: float) -> Phase:
        """``step`` again, ``share`` (0 to 1) of it done."""
        phase = cls(step)
        phase.share = share
        return phase


ProgressCallback = Callable[[Article | Problem | Phase], None]
# What a build makes of the index: exactly its sources, the index plus them, or the index without some ids.
REBUILD, ADD, REMOVE = "rebuild", "add", "remove"
# A new index learns its sources' furniture before it indexes them: their articles are kept from that reading
# for the indexing while their text is under this many characters, else all are read again (IndoSum: 0.4 s of
# reading JSON Lines saved, 2-3% of the build's CPU; far more for HTML pages).
READ_ONCE_CHARS = 64_000_000


@dataclass
class GivenArticles:
    """A build's source that is articles already read (the write API's): passed as they are, no file between."""

    articles: list[Article]
    label: str = "the write API"

    def __str__(self) -> str:
        return self.label

    def read(self) -> Iterator[Article | Problem]:
        for article in self.articles:
            yield settle(replace(article))  # a copy: a batch tried again must not strip a dateline twice


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
    mode: str = REBUILD
    dry_run: bool = False
    unread: int = 0  # files or folders that could not be read at all
    kept: int = 0  # articles not found in the sources but kept, since some sources could not be read
    deleted: list[str] = field(default_factory=list)  # REMOVE: the ids asked for that were removed
    unknown: list[str] = field(default_factory=list)  # REMOVE: the ids asked for that the index did not hold

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


def learned_furniture(batch: Batch, live: Path | None, index_dir: Path) -> Furniture:
    """Each source's furniture: an update keeps the live index's (so an article is indexed the same whichever
    way it came: ``cari add``, the write API); a new index learns it from its sources, read once more for
    it; an update of an index that has none yet, from the index's own articles and the sources."""
    paths = batch.paths
    if live is not None:
        record = generations.read_record(live, FURNITURE)
        if record is not None:
            return Furniture.from_record(record)
        paths = [OwnArticles(live, index_dir), *paths]
    announce(batch, "Learning each source's furniture: the lines that recur across its articles")
    learner = FurnitureLearner()

    def passed_over(obj: dict) -> bool:
        # Once nothing more is kept for the build's pass, an article of a source whose sample is counted is not
        # made at all (at 1,000,000 articles this pass read every one, ~0.1 ms each, while the workers waited).
        source = obj.get("source")
        return batch.remembered_chars < 0 and isinstance(source, str) and learner.counted_in_full(source.strip())

    # Standard input can be read only once: its articles teach nothing (a later full rebuild learns from them).
    for path in paths:
        if str(path) != STDIN:
            for item in remembered(batch, path, passed_over):
                if isinstance(item, Article):
                    learner.add(item.source, item.body)
    return learner.learned()


def remembered(batch: Batch, path: Path | OwnArticles | GivenArticles,
               passed_over: Callable[[dict], bool] | None = None) -> Iterator[Article | Problem]:
    """``path``'s items, kept for the build's own pass while they fit ``READ_ONCE_CHARS``: read once, not twice.
    Past it, the JSON Lines objects ``passed_over`` says nothing is needed of are not read (``ReadOptions``)."""
    kept: list[Article | Problem] | None = [] if path in batch.paths and batch.remembered_chars >= 0 else None
    options = replace(batch.options, passed_over=passed_over) if passed_over is not None else batch.options
    for item in articles_of(path, options):
        if kept is not None:
            kept.append(item)
            batch.remembered_chars += len(item.body) + len(item.title) if isinstance(item, Article) else 0
            if batch.remembered_chars > READ_ONCE_CHARS:
                kept, batch.remembered_chars = None, -1  # too many to hold: every source is read again
                batch.remembered = {}
        yield item
    if kept is not None:
        batch.remembered[id(path)] = kept


def articles_of(path: Path | OwnArticles | GivenArticles, options: ReadOptions) -> Iterator[Article | Problem]:
    return path.read() if isinstance(path, (OwnArticles, GivenArticles)) else read_articles([path], options)


def check_sources(paths: list[Path]) -> None:
    """Refuse, before anything changes, a source that is not there (a typo must not empty the archive)."""
    missing = [str(path) for path in paths if isinstance(path, Path) and str(path) != STDIN and not path.exists()]
    if missing:
        raise BuildFailed(f"No such file or folder: {', '.join(missing)}. Nothing was changed.")
    if not paths:
        raise BuildFailed("No sources given. Nothing was changed.")


@dataclass
class Batch:
    """One build's reading: the sources, what the index held, and the rules for what may be removed."""

    paths: list  # Path, OwnArticles or GivenArticles
    previous: dict[str, str]  # id -> content hash of the generation being updated ({} for a new one)
    known: dict[str, str]  # id -> content hash the live index holds (what removals are counted against)
    report: BuildReport
    on_item: ProgressCallback | None
    strict: bool
    allow_removals: bool
    options: ReadOptions
    sketches: Sketches = field(default_factory=Sketches)  # of the articles (re)indexed
    names: Tally | None = None  # the names terms' counts, kept by an update (search.index.name_counts)
    remembered: dict[int, list] = field(default_factory=dict)  # id(source) -> its items, read for the furniture
    remembered_chars: int = 0  # their text's size; -1: past READ_ONCE_CHARS, nothing more is kept
    furniture: Furniture | None = None  # each source's learned furniture lines (search.ingest.furniture)
    # What the write did to ``previous`` (set by the writing): the new list is ``previous`` without ``removed`` (a
    # removal), or ``previous`` with the hashes of ``changed`` changed and new ids after (an addition); None: neither.
    removed: list[str] | None = None
    changed: list[str] | None = None
    previous_keys: int | None = None  # how many ids ``previous`` held, when the addition grew it in place


def read_sources(batch: Batch, add: Callable[[Article], None]) -> dict[str, str]:
    """Read every source, tallying the report; ``add`` each new or changed article. ``id -> hash`` of those read."""
    report = batch.report
    contents: dict[str, str] = {}
    origins: dict[str, str] = {}
    for path in batch.paths:
        found = 0
        repeats = Repeats()
        kept = batch.remembered.pop(id(path), None)
        for item in articles_of(path, batch.options) if kept is None else kept:
            if isinstance(item, Article) and item.id in origins:
                item = Problem(item.origin, f"duplicate id {item.id!r} (first read from {origins[item.id]}); skipped")
            if isinstance(item, Article):
                found += 1
                origins[item.id] = item.origin
                digest = contents[item.id] = item.content_hash
                if batch.previous.get(item.id) != digest:
                    add(item)
                report.count(item.id, digest, batch.known)
            else:
                report.skipped += item.skipped
                report.unread += item.unread
                if not repeats.shown(item):
                    continue  # counted, not kept: a file may repeat one problem a million times
                report.problems.append(item)
            if batch.on_item:
                batch.on_item(item)
        for summary in repeats.summaries():
            report.problems.append(summary)
            if batch.on_item:
                batch.on_item(summary)
        if not found:
            raise BuildFailed(f"{shown(path)} holds no article that could be read. Nothing was changed.")
    if batch.strict and report.skipped:
        raise BuildFailed(f"--strict: {report.skipped} input(s) could not be indexed; the previous index is unchanged.")
    return contents


class Repeats:
    """Problems of one kind in one file: the first few are shown, the rest counted and summed up after the file."""

    SHOWN = 5

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self.first: dict[tuple[str, str], Problem] = {}

    def shown(self, problem: Problem) -> bool:
        key = (_file_of(problem.origin), _kind_of(problem.reason))
        self.counts[key] = count = self.counts.get(key, 0) + 1
        self.first.setdefault(key, problem)
        return count <= self.SHOWN

    def summaries(self) -> list[Problem]:
        """One warning for each kind past the first few: how many more there were (already counted as skipped)."""
        found = []
        for (file, kind), count in self.counts.items():
            if count > self.SHOWN:
                first = self.first[file, kind]
                done = "skipped" if first.skipped else "read"
                found.append(Problem(file, f"{count - self.SHOWN:,} more like {first.origin} ({kind.strip(' :;')}), "
                                           f"{done} without a line each", skipped=False))
        return found


def _file_of(origin: str) -> str:
    """The file a problem's origin names (``a.jsonl:12`` and ``feed.xml item 3`` are in ``a.jsonl``, ``feed.xml``)."""
    return re.sub(r"(:\d+| item \d+)$", "", origin)


def _kind_of(reason: str) -> str:
    """What kind of problem a reason tells, without its particulars (an id, a number, what follows a parenthesis)."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "", reason.split(" (")[0])


def input_bytes(sources: list) -> int | None:
    """The size of a write's sources (what stemming their words costs), None if unknown (standard input)."""
    total = 0
    for source in sources:
        if isinstance(source, GivenArticles):
            total += sum(len(article.title) + len(article.body) for article in source.articles)
        elif isinstance(source, Path) and str(source) != STDIN:
            try:
                total += source.stat().st_size if source.is_file() else sum(
                    p.stat().st_size for p in source.rglob("*") if p.is_file())
            except OSError:
                return None
        else:
            return None
    return total


def removals(batch: Batch, contents: dict[str, str]) -> list[str]:
    """The ids to delete for the articles read: gone ones (a rebuild) unless refused, and changed ones."""
    report = batch.report
    if report.mode == REMOVE:
        return [doc_id for doc_id in report.deleted if doc_id in batch.previous]
    if report.mode == ADD:  # the articles read, not the whole archive: a write of 10 to 1,000,000
        return [doc_id for doc_id, digest in contents.items() if batch.previous.get(doc_id, digest) != digest]
    gone = [doc_id for doc_id in batch.known if doc_id not in contents]
    if gone and report.unread and not report.full:
        # A file or folder could not be read: its articles may be among the
        # "gone" ones, and an archive is never emptied by a permission error.
        report.problems.append(Problem("", f"{len(gone)} article(s) not found were kept: {report.unread} "
                                           "source(s) could not be read", skipped=False))
        report.kept = len(gone)
        gone = []
    elif len(gone) * 2 > len(batch.known) and not batch.allow_removals:
        raise BuildFailed(
            f"This rebuild would remove {len(gone)} of the index's {len(batch.known)} articles (they are not in the "
            "sources given). Nothing was changed. To add articles without removing any, use `cari add`; if the "
            "removals are meant, give --allow-removals."
        )
    report.removed = len(gone)
    changed = [doc_id for doc_id, digest in batch.previous.items() if doc_id in contents and contents[doc_id] != digest]
    return [doc_id for doc_id in gone if doc_id in batch.previous] + changed


def announce(batch: Batch, step: str) -> Callable[[float], None]:
    """Tell ``batch``'s listener that ``step`` starts; returns what tells it how much of the step is done."""
    listener = batch.on_item
    if listener is not None:
        listener(Phase(step))
    return (lambda share: listener(Phase.done(step, share))) if listener is not None else (lambda share: None)


def shown(path: Path) -> str:
    return "standard input" if str(path) == STDIN else str(path)
