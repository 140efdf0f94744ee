"""Write an index on every core: worker processes that each write a Whoosh segment.

Analysis (Sastrawi stemming above all) and Whoosh's posting writer are pure
Python, so one process indexes at a few hundred articles a second whatever
the machine. Here the indexer hands batches of documents to worker
processes; each writes its own segment with a
``segwriter.PerTermSegmentWriter`` (Whoosh's ``SegmentWriter`` with postings
kept per term instead of in a sorted pool; the same postings) -- the
schema's own field analyzers, so any field the schema gains is analysed the
same way. The parent's writer then commits one TOC that
lists those segments beside the index's others: one atomic step, as in a
single-process commit.

Segments are not merged afterwards: merging would rewrite every posting in
one process again. Scores do not depend on the split (BM25F takes document
frequencies and average lengths from the whole index), and a search over two
segments costs about what it costs over one.

The parent holds the first ``BATCH_SIZE * MIN_BATCHES_FOR_WORKERS``
documents before it forks the workers: a smaller job (the seed folder, an
update of a few hundred articles) is not worth starting processes for and is
written by the parent alone, into a segment of its own written as a worker
writes one; so is every job with one process (``procs=1``: the write API,
which never forks the serving process). It does not analyse the documents it
holds: the workers inherit the stem cache as it is (an update's saved roots)
and stem the rest themselves, a few microseconds a new word, which costs less
than keeping one core idle while the parent warms the cache (0.7 s of a
5-second IndoSum build).
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import numpy as np

from search._whoosh.writers import PARENT_LIMIT_MB, finish_segment, worker_writer
from search.analysis.stemmer import shared_stemmer
from search.errors import CariError
from search.index import stories
from search.index.schema import build_schema
from search.index.signatures import SignatureRows, signature_of_hashes
from search.index.write_lock import release_inherited_lock

BATCH_SIZE = 100  # documents per message to a worker
MIN_BATCHES_FOR_WORKERS = 5
WORKER_LIMIT_MB = 256  # postings and terms (an estimate) a worker holds before it writes them out as a run
# A worker finishes its segment and starts another after this many documents: a segment's terms (each
# with its unfinished list, the dictionary entries, the lengths) stay in memory until it is written,
# and grow with the archive's vocabulary (see docs/performance.md, "Indexing"). Searching pays for each
# segment: at 1,000,000 articles 8 segments (125,000 each) cost sentences 1.9x and 1-3 words 1.6x the CPU
# of 2, to save 1.1 GB of the build's peak, so a worker of a two-worker build of 1,000,000 keeps one.
SEGMENT_DOCUMENTS = 500_000
# Every this many documents a worker sends the parent the story signatures and the new roots it made (the parent
# keeps them anyway: the record, the roots saved with the index), and keeps only its first ``ROOTS_KEPT`` roots:
# the frequent words, learned first; a later word is stemmed again when it comes back (a few microseconds).
# Kept until the end, they grew a worker of 500,000 articles by ~0.4 GB (docs/performance.md, "Indexing").
REPORT_DOCUMENTS = 2_000
ROOTS_KEPT = 400_000
_POLL_SECONDS = 0.5
_REPORT = "report"  # a worker's message while it works: (ids, signatures, signed, new roots)
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class IndexingFailed(CariError):
    """A worker process failed or died while writing its segment."""


def default_procs() -> int:
    """Worker processes to use: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class DocumentSink:
    """Takes documents one by one and gets them into ``writer``'s next commit.

    Documents go to ``procs`` worker processes once there are enough of
    them, else straight into ``writer``. Use as a context manager; call
    :meth:`finish` before committing ``writer``.
    """

    def __init__(self, writer: Any, index_path: str, procs: int, counted_fields: tuple[str, ...] = (),
                 signatures: SignatureRows | None = None) -> None:
        self.writer = writer
        self.index_path = index_path
        self.procs = procs
        self.batch: list[dict] = []
        self.workers: list[Any] = []
        self.here: Any = None  # this process's own segment writer, made for the first document written here
        self.jobs: Any = None  # multiprocessing queues, made when the workers start
        self.results: Any = None
        # id -> story signature (search.index.signatures) of each document written: a worker makes it from the
        # words it indexes the body's exact-form field with, and sends them as it goes; this process from the body,
        # for the few it writes.
        self.signatures = signatures if signatures is not None else SignatureRows()
        # {field: {term: documents}} of each of ``counted_fields`` over every document written, read from the
        # segments as they are finished (the names an update learns, search.index.name_counts: no second analysis).
        self.counted_fields = counted_fields
        self.term_documents: dict[str, dict[str, int]] = {name: {} for name in counted_fields}

    def __enter__(self) -> DocumentSink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._stop()

    def add(self, doc: dict) -> None:
        """Index one document (a dict of field values)."""
        if self.workers:
            self.batch.append(doc)
            if len(self.batch) >= BATCH_SIZE:
                self._send(self.batch)
                self.batch = []
                self._take_reports()
        elif self.procs == 1:
            self._write_here(doc)
        else:
            self.batch.append(doc)
            if len(self.batch) >= BATCH_SIZE * MIN_BATCHES_FOR_WORKERS:
                self._start()

    def finish(self) -> None:
        """Wait for the workers, or finish this process's segment, and hand the segments to the writer."""
        if not self.workers:
            for doc in self.batch:  # too few to be worth the processes
                self._write_here(doc)
            self.batch = []
            if self.here is not None:
                here, self.here = self.here, None
                self._adopt(_finished(here, self.counted_fields))
            return
        if self.batch:
            self._send(self.batch)
        for _ in self.workers:
            self._send(None)
        results = [self._result() for _ in self.workers]
        for process in self.workers:
            process.join()
        for segments in results:
            for segment in segments:
                self._adopt(segment)
        self.workers = []

    def _adopt(self, finished: tuple[Any, dict[str, dict[str, int]]]) -> None:
        segment, counted = finished
        if segment is not None:
            self.writer.adopted.append(segment)
        for fieldname, term_documents in counted.items():
            kept = self.term_documents[fieldname]
            for term, documents in term_documents.items():
                kept[term] = kept.get(term, 0) + documents

    def _write_here(self, doc: dict) -> None:
        """Write ``doc`` in this process, into a segment of its own written as a worker writes one.

        Not through ``writer``: Whoosh's own writer sorts every posting in a
        pool and analyses each field again, and the write API (one process,
        ``procs=1``) took several times the CPU of ``cari add``'s workers.
        """
        if self.here is None:
            self.here = worker_writer(self.index_path, build_schema(), PARENT_LIMIT_MB)
        _add(self.here, doc, self.signatures)

    # -- the worker processes --------------------------------------------------

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")  # the workers inherit the stem cache
        self.jobs = context.Queue(self.procs * 4)
        self.results = context.Queue()
        self.workers = [
            context.Process(target=_write_segment,
                            args=(self.index_path, self.jobs, self.results, os.getpid(), self.counted_fields),
                            daemon=True)
            for _ in range(self.procs)
        ]
        start_with_stop_signals_held(self.workers)
        warm, self.batch = self.batch, []
        for start in range(0, len(warm), BATCH_SIZE):
            self._send(warm[start : start + BATCH_SIZE])

    def _send(self, batch: list[dict] | None) -> None:
        while True:
            try:
                with _stop_signals_deferred():
                    self.jobs.put(batch, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                self._check_feeding()

    def _check_feeding(self) -> None:
        """While batches are still coming, a worker that has ended, however it ended, has failed."""
        self._check_alive()
        if any(not process.is_alive() for process in self.workers):
            try:
                status, value = self._final(_POLL_SECONDS)
            except queue.Empty:
                status, value = "failed", "it ended before its work was done"
            reason = value if status == "failed" else "it ended before its work was done"
            raise IndexingFailed(f"An indexing worker failed: {reason}. The previous index is unchanged.")

    def _result(self) -> Any:
        while True:
            try:
                status, value = self._final(_POLL_SECONDS)
            except queue.Empty:
                self._check_alive()
                continue
            if status == "failed":
                raise IndexingFailed(f"An indexing worker failed: {value}. The previous index is unchanged.")
            return value

    def _final(self, timeout: float) -> tuple[str, Any]:
        """The next worker's last message (``done`` or ``failed``), taking in its reports on the way; queue.Empty
        when none came within ``timeout``."""
        while True:
            with _stop_signals_deferred():
                status, value = self.results.get(timeout=timeout)
            if status != _REPORT:
                return status, value
            self._take_report(value)

    def _take_reports(self) -> None:
        """Take in the reports the workers have sent so far (while feeding them: their signatures, their roots)."""
        while True:
            try:
                with _stop_signals_deferred():
                    status, value = self.results.get_nowait()
            except queue.Empty:
                return
            if status != _REPORT:  # a worker ended while batches still come: it failed
                reason = value if status == "failed" else "it ended before its work was done"
                raise IndexingFailed(f"An indexing worker failed: {reason}. The previous index is unchanged.")
            self._take_report(value)

    def _take_report(self, value: tuple) -> None:
        ids, values, signed, roots = value
        self.signatures.add_rows(ids, values, signed)
        shared_stemmer().learn_roots(roots)  # saved with the index for the next update

    def _check_alive(self) -> None:
        for process in self.workers:
            if not process.is_alive() and process.exitcode != 0:
                raise IndexingFailed(f"An indexing worker died (exit code {process.exitcode}).")

    def _stop(self) -> None:
        """End the workers at once (the build failed or was interrupted): kill, reap, drop the queues.

        A queue's feeder thread would otherwise wait at exit to flush
        batches that no worker will read, and the process never ends.
        """
        if self.here is not None:
            self.here.cancel()
            self.here = None
        for process in self.workers:
            if process.is_alive():
                process.kill()
        for process in self.workers:
            process.join(timeout=5)
        for channel in (self.jobs, self.results):
            if channel is not None:
                channel.cancel_join_thread()
                channel.close()
        self.workers = []


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _stop_signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while the main thread is inside a queue's locks.

    The CLI stops a build by raising from its signal handler; raised while
    ``Queue.put`` held its lock, the lock stayed taken, and closing the
    queue on the way out then waited for it for ever (seen once in 700
    runs of tests/index/test_crash.py). A held-back signal is handled as soon as
    the call returns, within one poll.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def start_with_stop_signals_held(processes: list[Any]) -> None:
    """Fork ``processes`` with Ctrl-C and SIGTERM held back in the parent until all have started.

    Raised from the CLI's handler while the parent ran fork's after-fork
    callbacks (logging's ``_releaseLock``), the KeyboardInterrupt was printed as
    "Exception ignored" and lost: the build ran on to its end and exited 0, and
    the handler had already set every later Ctrl-C to be ignored. Each child
    takes the signals back itself (:func:`own_stop_signals`).
    """
    with _stop_signals_deferred():
        for process in processes:
            process.start()


def own_stop_signals() -> None:
    """In a forked child: Ctrl-C ignored (the parent's to handle), SIGTERM ends it, neither held back any more."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler is not ours
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def new_roots(inherited: int) -> dict[str, str]:
    """The stems this worker computed (dicts keep insertion order), for the parent's cache."""
    roots = shared_stemmer().known_roots()
    return dict(itertools.islice(roots.items(), inherited, None))


class _Reports:
    """What a worker sends its parent as it goes: the documents' signatures, as rows of one array, and the roots
    it stemmed since the last report; then it forgets its roots past the first ``ROOTS_KEPT``."""

    def __init__(self, results: Any) -> None:
        self.results = results
        self.inherited = self.sent = len(shared_stemmer().known_roots())
        self.ids: list[str] = []
        self.rows: list[Any] = []
        self.signed: list[bool] = []

    def signature(self, doc_id: str, found: Any) -> None:
        self.ids.append(doc_id)
        self.signed.append(found is not None)
        if found is not None:
            self.rows.append(found)
        if len(self.ids) >= REPORT_DOCUMENTS:
            self.send()

    def send(self) -> None:
        roots = new_roots(self.sent)
        values = np.stack(self.rows) if self.rows else None
        self.results.put((_REPORT, (self.ids, values, self.signed, roots)))
        self.ids, self.rows, self.signed = [], [], []
        stemmer = shared_stemmer()
        stemmer.forget_since(max(self.inherited, ROOTS_KEPT))
        self.sent = len(stemmer.known_roots())


class _Signatures:
    """The signatures a worker makes, handed to its reports (``_add`` sets them as in a dict)."""

    def __init__(self, reports: _Reports) -> None:
        self.reports = reports

    def __setitem__(self, doc_id: str, found: Any) -> None:
        self.reports.signature(doc_id, found)


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies, whatever kills the parent.

    Without it a worker whose parent got SIGKILL (the out-of-memory killer's
    signal) waits for a batch for ever. ``prctl(PR_SET_PDEATHSIG)`` is Linux's;
    the parent may have died before the call, so that is checked after it.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the parent is polled instead
        pass
    if os.getppid() != parent:
        raise SystemExit(1)


def _add(writer: Any, doc: dict, signatures: Any) -> None:
    """Add ``doc`` to a segment ``writer`` (``worker_writer``), and its story signature to ``signatures``."""
    if stories.SIGNATURES:  # the body's words first: the body fields then index the same analysis
        signatures[doc["id"]] = signature_of_hashes(writer.text_hashes(doc.get("body") or ""))
    writer.add_document(**doc)


def _finished(writer: Any, counted_fields: tuple[str, ...]) -> tuple[Any, dict[str, dict[str, int]]]:
    """The segment ``writer`` wrote (None: no documents), and ``{field: {term: documents}}`` of ``counted_fields``
    in it."""
    counted = {fieldname: writer.term_documents(fieldname) for fieldname in counted_fields}
    return finish_segment(writer), counted


def _write_segment(index_path: str, jobs: Any, results: Any, parent: int, counted_fields: tuple[str, ...]) -> None:
    """Worker process: add every batch from ``jobs`` to a new segment (a new one every ``SEGMENT_DOCUMENTS``),
    report them."""
    own_stop_signals()
    die_with_parent(parent)
    release_inherited_lock()  # the rebuild lock is the parent's: it must end with the parent
    reports = _Reports(results)
    signatures = _Signatures(reports)
    try:
        writer = worker_writer(index_path, build_schema(), WORKER_LIMIT_MB)
        finished = []
        for batch in iter(jobs.get, None):
            for doc in batch:
                _add(writer, doc, signatures)
            if writer.docnum >= SEGMENT_DOCUMENTS:  # written out, its memory reused by the next one
                finished.append(_finished(writer, counted_fields))
                writer = worker_writer(index_path, build_schema(), WORKER_LIMIT_MB)
        finished.append(_finished(writer, counted_fields))
        reports.send()
        results.put(("done", finished))
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which cancels the build
        # A full disk is said as the disk says it, with the file: not "OSError: [Errno 28] ...".
        said = f"{e.strerror} ({e.filename or index_path})" if isinstance(e, OSError) and e.strerror else None
        results.put(("failed", said or f"{type(e).__name__}: {e}"))
