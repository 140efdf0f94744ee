"""``cari rebuild-index``, ``cari add``, ``cari remove``: what goes into the index, and nothing else."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli, plural

if TYPE_CHECKING:
    from search import BuildReport, SizeLimits

SOURCES = click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
JOBS = click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Worker processes  [default: one per core]")
QUIET = click.option("--quiet", "-q", is_flag=True, help="Print only the summary and problems.")
STRICT = click.option("--strict", is_flag=True, help="Fail (exit 1, previous index kept) if any input is skipped.")
WAIT = click.option("--wait", "wait_seconds", default=60.0, show_default=True, metavar="SECONDS",
                    type=click.FloatRange(0, 86400),
                    help="How long to wait for the index's lock while another build or API writes hold it.")
DRY_RUN = click.option("--dry-run", is_flag=True, help="Print what would be added, changed and removed; change nothing.")


def _csv_columns(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, str]:
    """``text=body,date=published`` -> ``{"text": "body", "date": "published"}``."""
    # lazy: `cari --help` starts without loading the engine
    from search import CSV_FIELDS

    columns: dict[str, str] = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        fieldname, equals, column = (x.strip() for x in part.partition("="))
        if not equals or not column:
            raise click.BadParameter(f"{part.strip()!r} is not FIELD=COLUMN (e.g. text=body,date=published).")
        if fieldname not in CSV_FIELDS:
            raise click.BadParameter(f"unknown field {fieldname!r}: the fields are {', '.join(CSV_FIELDS)}.")
        columns[fieldname] = column
    return columns


def _max_sizes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> SizeLimits:
    """``("line=16", "file=128")`` -> SizeLimits with those limits in MB, the others at their defaults."""
    # lazy: `cari --help` starts without loading the engine
    from search import MB, SIZE_KINDS, SizeLimits

    sizes: dict[str, int] = {}
    for value in values:
        kind, equals, number = (x.strip() for x in value.partition("="))
        if kind not in SIZE_KINDS or not equals:
            raise click.BadParameter(f"{value!r} is not KIND=MB with KIND one of {', '.join(SIZE_KINDS)}.")
        try:
            megabytes = float(number)
        except ValueError:
            megabytes = 0
        if not 0 < megabytes <= 65536:
            raise click.BadParameter(f"{value!r}: give a number of MB from 1 to 65536.")
        sizes[kind] = int(megabytes * MB)
    return SizeLimits(**sizes)


MAX_SIZE = click.option(
    "--max-size", metavar="KIND=MB", multiple=True, callback=_max_sizes,
    help="The largest input read (uncompressed), so none can fill memory: line (a JSON Lines line, default 8), "
    "page (a .txt or .html page, 16) or file (a .json, .csv or feed read whole, 64); past it the input is skipped "
    "with a message. Repeat for each, e.g. --max-size file=256.",
)
CSV_COLUMNS = click.option(
    "--csv-columns", metavar="FIELD=COLUMN,...", callback=_csv_columns,
    help="The CSV columns holding Cari's fields when they are named otherwise, e.g. text=body,date=published.",
)


@cli.command("rebuild-index")
@SOURCES
@INDEX_OPTION
@click.option("--full", is_flag=True, help="Rebuild everything instead of updating what changed.")
@click.option("--allow-removals", is_flag=True, help="Allow removing more than half of the index's articles.")
@DRY_RUN
@CSV_COLUMNS
@MAX_SIZE
@JOBS
@QUIET
@STRICT
@WAIT
@_fail_on_cari_errors
def rebuild_index(sources: tuple[Path, ...], index_dir: Path, full: bool, allow_removals: bool,  # noqa: PLR0913
                  dry_run: bool, csv_columns: dict[str, str], max_size: SizeLimits, jobs: int | None, quiet: bool,
                  strict: bool, wait_seconds: float) -> None:
    """Make the index exactly SOURCES (pages, feeds, exports; - for JSON Lines on standard input; default ./seeds).

    SOURCES are files and folders of news pages (.txt, .html), feeds (.xml,
    .rss, .atom) and exports (.jsonl, .json, .csv, .tsv), each also
    gzip-compressed (.jsonl.gz). A file of another format is reported as
    skipped; hidden files and folders (.git) in a folder are left out.

    Articles whose id and content are already in the index are left alone,
    new and changed ones are indexed, and those not in SOURCES are removed:
    to add articles without removing any, use `cari add`. A rebuild that
    would remove more than half of the index's articles is refused unless
    --allow-removals is given. A SOURCE that does not exist or holds no
    article is an error, and nothing changes. --full rebuilds from scratch
    (as does a change of Cari's analysis); --full without SOURCES rebuilds
    the index from its own articles, no source file needed (how an index of
    an older format is brought up to date). The new index is built beside the
    old one and swapped in only when it is complete: a failed or interrupted
    rebuild leaves the previous index serving. Files or lines that cannot be
    read are reported and skipped.

    \b
    Examples:
      cari rebuild-index seeds/ more/articles.jsonl --index index/
      cari rebuild-index export.csv --csv-columns text=body,date=published
      cari rebuild-index --full
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index, ReadOptions

    index = Index(index_dir)
    if not sources and not (full and index.exists()):  # --full alone: the index's own articles
        sources = (Path("seeds"),)
    with_progress(index_dir, quiet, lambda on_item: index.rebuild(
        sources, full=full, jobs=jobs, strict=strict, on_item=on_item, read_options=ReadOptions(csv_columns, max_size),
        allow_removals=allow_removals, dry_run=dry_run, wait_seconds=wait_seconds))


@cli.command("add")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@INDEX_OPTION
@DRY_RUN
@CSV_COLUMNS
@MAX_SIZE
@JOBS
@QUIET
@STRICT
@WAIT
@_fail_on_cari_errors
def add(sources: tuple[Path, ...], index_dir: Path, dry_run: bool, csv_columns: dict[str, str],  # noqa: PLR0913
        max_size: SizeLimits, jobs: int | None, quiet: bool, strict: bool, wait_seconds: float) -> None:
    """Add the articles of SOURCES to the index, or update them; remove nothing.

    SOURCES are files and folders of news pages (.txt, .html), feeds (.xml,
    .rss, .atom) and exports (.jsonl, .json, .csv, .tsv), each also
    gzip-compressed, or - for JSON Lines on standard input. An article whose
    id is already in the index replaces it when its content changed. The
    index is created if there is none.

    \b
    Examples:
      cari add today.jsonl.gz
      cari add saved-pages/ kompas-feed.xml
      scraper --since yesterday | cari add -
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index, ReadOptions

    with_progress(index_dir, quiet, lambda on_item: Index(index_dir).add(
        sources, jobs=jobs, strict=strict, on_item=on_item, read_options=ReadOptions(csv_columns, max_size),
        dry_run=dry_run, wait_seconds=wait_seconds))


@cli.command("remove")
@click.argument("ids", nargs=-1)
@INDEX_OPTION
@click.option("--ids-from", type=click.File("r", encoding="utf-8"),
              help="Also remove the ids in this file (one a line; - for standard input).")
@DRY_RUN
@_fail_on_cari_errors
def remove(ids: tuple[str, ...], index_dir: Path, ids_from: TextIO | None, dry_run: bool) -> None:
    """Remove the articles with these IDS from the index; unknown ids are reported.

    \b
    Examples:
      cari remove 000_820b055c4d7704aa
      cari remove --ids-from withdrawn.txt --dry-run
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    wanted = list(ids) + ([line.strip() for line in ids_from if line.strip()] if ids_from else [])
    if not wanted:
        raise click.UsageError("Give the IDS to remove (or --ids-from FILE).")
    with _stoppable(index_dir):
        report = Index(index_dir).remove(wanted, dry_run=dry_run)
    for doc_id in report.unknown:
        click.echo(f"unknown id {doc_id!r}: not in the index", err=True)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {plural(len(report.removed), 'article')}, {len(report.unknown)} unknown"
               + ("; nothing was changed." if dry_run else f" -> {index_dir}"))
    if report.unknown and not report.removed:
        sys.exit(1)


def with_progress(index_dir: Path, quiet: bool, build: Callable[[Callable[[object], None]], BuildReport]) -> None:
    """Run ``build`` (a rebuild or an add, given the callback that hears of each item) with a running count
    of the articles read, reporting problems as they come, then the summary."""
    # lazy: `cari --help` starts without loading the engine
    from search import Phase, Problem

    counter = ProgressLine(enabled=not quiet)
    started = time.perf_counter()

    def on_item(item: object) -> None:
        if isinstance(item, Phase):  # the steps after reading many articles, each its own line: none is silent
            if not quiet and counter.count >= ProgressLine.SHOWN_FROM:
                counter.phase(str(item), item.share, time.perf_counter() - started)
            return
        if isinstance(item, Problem):
            counter.finish()  # shown at once, not after a long run, on a line of its own
            click.echo(("skipped " if item.skipped else "warning ") + str(item), err=True)
            return
        counter.step()

    _background_priority()
    with _stoppable(index_dir):
        try:
            report = build(on_item)
        finally:
            counter.finish()
    for problem in report.problems:
        if not problem.origin:  # about the whole build, not one input: shown with the summary
            click.echo("warning " + str(problem), err=True)
    click.echo(summary(report))


def build_with_progress(sources: list[Path], index_dir: Path, quiet: bool) -> None:
    """Build the index from ``sources`` (``cari serve`` with no index yet), as ``cari rebuild-index`` does."""
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    with_progress(index_dir, quiet, lambda on_item: Index(index_dir).rebuild(sources, on_item=on_item))


class ProgressLine:
    """``Indexing: 12,345 articles read`` on standard error, rewritten in place as the build reads (a terminal only).

    The build reports each article as it reads it, so nothing is read twice
    to size a bar first (a JSON Lines export of a million lines was read
    whole for its count before the build read it again).
    """

    EVERY_SECONDS = 0.2
    SHOWN_FROM = 200  # articles: a smaller build is over before a count would help

    def __init__(self, enabled: bool):
        self.enabled = enabled and self.on_a_terminal()
        self.count = 0
        self.shown_at = 0.0
        self.showing = False
        self.line = ""  # the step (and its share done) the terminal's last line shows, if not the count
        self.step_line = ""

    @staticmethod
    def on_a_terminal() -> bool:
        """Whether standard error is a terminal (a pipe or a log gets each step's line once)."""
        return sys.stderr.isatty()

    def step(self) -> None:
        self.count += 1
        now = time.monotonic()
        if self.enabled and self.count >= self.SHOWN_FROM and now - self.shown_at >= self.EVERY_SECONDS:
            self.shown_at = now
            self.showing = True
            click.echo(f"\rIndexing: {self.count:,} articles read", err=True, nl=False)

    def finish(self) -> None:
        """End the line the count (or a step's share) is on (before a message of its own, and at the end)."""
        if self.showing:
            # A step's line ends as it started (its share done rubbed out): the lines left are those of a pipe.
            shown = self.step_line.ljust(len(self.line)) if self.line else f"Indexing: {self.count:,} articles read"
            click.echo(f"\r{shown}", err=True)
            self.showing = False
        self.line = ""

    def phase(self, step: str, share: float | None, seconds: float) -> None:
        """A step of the build: its own line as it starts; on a terminal, rewritten with the share of a long one
        done as it goes (the topics' 6-9 s on IndoSum said nothing)."""
        if share is None:
            self.finish()
            self.step_line = f"{step} ({seconds:.1f} s)"
            if not self.enabled:
                click.echo(self.step_line, err=True)
                return
            self.line, self.showing, self.shown_at = self.step_line, True, time.monotonic()
            click.echo(self.line, err=True, nl=False)
            return
        now = time.monotonic()
        if self.enabled and self.showing and now - self.shown_at >= self.EVERY_SECONDS:
            self.shown_at = now
            self.line = f"{self.step_line[:self.step_line.rindex(' (')]}: {share:.0%} ({seconds:.1f} s)"
            click.echo(f"\r{self.line}", err=True, nl=False)


def summary(report: BuildReport) -> str:
    """One line: what the build did (or, for a dry run, would do)."""
    changes = "" if report.full else (
        f" ({report.added} new, {report.changed} changed, {report.removed} removed, {report.unchanged} unchanged)"
    )
    if report.dry_run:
        return (f"Would index {plural(report.indexed, 'document')}{changes}, skip {report.skipped}; "
                "nothing was changed.")
    return (f"Indexed {plural(report.indexed, 'document')}{changes}, skipped {report.skipped}, "
            f"in {report.seconds:.1f} s -> {report.index_dir}")


class _Stopped(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is."""


@contextmanager
def _stoppable(index_dir: Path) -> Iterator[None]:
    """Ctrl-C or SIGTERM stop the work: one line, exit code 130 (143), the previous index serving.

    The build removes its unfinished generation and its workers on the way
    out (``build_index``); a second Ctrl-C meanwhile is ignored rather than
    cutting that short with a traceback.
    """

    def stop(signum: int, frame: object) -> None:
        # The first signal stops the work; more of them must not cut its clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise _Stopped if signum == signal.SIGTERM else KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop), signal.signal(signal.SIGINT, stop)
    try:
        yield
    except KeyboardInterrupt as e:
        click.echo(f"Stopped: the index at {index_dir} is unchanged.", err=True)
        sys.exit(143 if isinstance(e, _Stopped) else 130)
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


# Indexing is a batch job: searches on the same machine (a `cari serve`) come first.
# On an idle machine a lower priority costs nothing; the workers inherit it.
BACKGROUND_NICENESS = 10


def _background_priority() -> None:
    """Lower this process's CPU priority (and its workers'), where the system allows it."""
    with suppress(AttributeError, OSError):  # no nice() on Windows; a container may refuse it
        os.nice(BACKGROUND_NICENESS)
