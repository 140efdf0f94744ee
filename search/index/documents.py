"""Articles written one at a time (a newsroom's CMS): upserts and deletions, batched into generation swaps.

A write is never applied to the live index in place. Writes that arrive
close together are collected for ``BATCH_SECONDS`` and applied as one
``build_index(mode=ADD)`` (upserts, the articles passed as they are: a new id
is added, a known id with other content replaced, an identical one left
alone) or one ``build_index(mode=REMOVE)`` (deletions), each of which writes
a new generation under the rebuild lock and swaps it in atomically, exactly
like ``cari add`` and ``cari remove``: the one write path (``index.build``).
So an index is never half-written, a write is on disk (and survives a
restart) before its caller hears it succeeded, and every process serving
the index -- each gunicorn worker has its own writer -- sees the new
generation at its next search, as after any rebuild.

The rebuild lock serialises writers across processes: a writer that finds
it held (a rebuild, or another worker's batch) waits up to ``wait_seconds``
and then refuses the batch with IndexBusy, so the caller can send it again:
a write is applied or refused, never dropped. A batch that fails for any other
reason is applied again one write at a time, so that a bad write fails alone
and never takes the writes batched with it down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from search.errors import CariError, IndexBusy
from search.index import kept
from search.index.batch import ADD, GivenArticles
from search.index.build import build_index
from search.index.changes import remove_articles
from search.ingest.article import Article

log = logging.getLogger(__name__)

BATCH_SECONDS = 0.2  # how long the first write of a batch waits for others to join it
LOCK_RETRY_SECONDS = 0.25
T = TypeVar("T")


@dataclass
class WriteResult:
    """What one write did, once its batch is in the live index."""

    upserted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # ids asked to be deleted that the index did not hold
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"upserted": self.upserted, "deleted": self.deleted, "unknown": self.unknown,
                "seconds": round(self.seconds, 3)}


@dataclass
class _Write:
    kind: str  # "upsert" (Articles) or "delete" (ids)
    items: list
    done: threading.Event = field(default_factory=threading.Event)
    result: WriteResult | None = None
    error: BaseException | None = None


class BatchedWrites:
    """Applies writes to the index at ``index_dir`` from one background thread, a batch at a time."""

    def __init__(self, index_dir: str | Path, wait_seconds: float = 10.0, batch_seconds: float = BATCH_SECONDS,
                 keep_records: bool = True, ready: threading.Event | None = None):
        self.index_dir = Path(index_dir)
        # Keep the archive's records in memory from one write to the next (search.index.kept): a write of ten to
        # 1,000,000 articles then costs what its articles do, not ~3 CPU-s of reading the records again.
        self.keep_records = keep_records
        self.wait_seconds = wait_seconds
        self.batch_seconds = batch_seconds
        self._ready = ready  # the writer's warm-up: no write (nor job) starts before it is set
        self._pending: list[_Write] = []
        self._idle_jobs: list[Callable[[], object]] = []  # run by the writing thread when no write waits (when_idle)
        self._applying = False
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def upsert(self, articles: list[Article]) -> WriteResult:
        """Add or replace ``articles`` (by id); returns once they are live."""
        return self._submit(_Write("upsert", list(articles)))

    def delete(self, ids: list[str]) -> WriteResult:
        """Remove the articles with ``ids``; returns once they are gone from the live index."""
        return self._submit(_Write("delete", list(ids)))

    def when_idle(self, job: Callable[[], object]) -> None:
        """Run ``job`` in the writing thread (keeping records as its writes do) once no write is waiting: the writes
        sent before it or meanwhile go first, and one arriving while it runs waits for it. What the writer's warm-up
        leaves for after the first write (``writer.keep_buckets``); a job that fails is logged, the writes go on."""
        with self._wake:
            self._idle_jobs.append(job)
            self._start()
            self._wake.notify()

    def _submit(self, write: _Write) -> WriteResult:
        with self._wake:
            self._pending.append(write)
            self._start()
            self._wake.notify()
        write.done.wait()
        if write.error is not None:
            raise write.error
        assert write.result is not None
        return write.result

    def _start(self) -> None:
        """Start the writing thread if it is not running (the caller holds ``_wake``)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="cari-writer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._idle_jobs:
                    self._wake.wait()
            if self._ready is not None:
                self._ready.wait()  # the records being read: a write would read them again itself
            with self._wake:
                job = self._idle_jobs.pop(0) if self._idle_jobs and not self._pending else None
            if job is not None:
                try:
                    with kept.keeping(self.keep_records):
                        job()
                except Exception:  # noqa: BLE001 - a head start for the next writes only: they work without it
                    log.exception("a writer's job between writes failed")
                continue
            time.sleep(self.batch_seconds)  # let the writes arriving together join one generation
            with self._wake:
                batch, self._pending = self._pending, []
                self._applying = True
            try:
                with kept.keeping(self.keep_records):
                    for run in _runs(batch):
                        self._apply(run)
            finally:
                self._applying = False

    def idle(self) -> bool:
        """Whether no write is waiting or under way."""
        with self._wake:
            return not self._pending and not self._applying

    def _apply(self, run: list[_Write]) -> None:
        """One generation for a run of writes of one kind; each write hears the outcome."""
        started = time.perf_counter()
        try:
            results = self._with_lock_retries(lambda: _upsert(self.index_dir, run) if run[0].kind == "upsert"
                                              else _delete(self.index_dir, run))
        except BaseException as e:  # noqa: BLE001 - handed to every waiting writer, who re-raises it
            if len(run) > 1 and not isinstance(e, (IndexBusy, KeyboardInterrupt, SystemExit)):
                # One bad write must not fail the others batched with it: each is tried alone.
                for write in run:
                    self._apply([write])
                return
            for write in run:
                write.error = e
                write.done.set()
            return
        for write, result in zip(run, results, strict=True):
            result.seconds = time.perf_counter() - started
            write.result = result
            write.done.set()

    def _with_lock_retries(self, apply: Callable[[], T]) -> T:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                return apply()
            except IndexBusy:
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"The index is being rebuilt and stayed locked for {self.wait_seconds:g} s; "
                        "nothing was written: send the documents again in a moment."
                    ) from None
                time.sleep(LOCK_RETRY_SECONDS)


def _runs(batch: list[_Write]) -> list[list[_Write]]:
    """Consecutive writes of one kind, in order (an upsert then a delete of the same id ends deleted)."""
    runs: list[list[_Write]] = []
    for write in batch:
        if runs and runs[-1][0].kind == write.kind:
            runs[-1].append(write)
        else:
            runs.append([write])
    return runs


def _upsert(index_dir: Path, run: list[_Write]) -> list[WriteResult]:
    """Every article of ``run`` in one ADD build, passed as they are; of two with one id, the later one wins."""
    latest: dict[str, Article] = {}
    for write in run:
        for article in write.items:
            latest.pop(article.id, None)
            latest[article.id] = article
    index_dir.mkdir(parents=True, exist_ok=True)
    report = build_index([GivenArticles(list(latest.values()))], index_dir, mode=ADD, procs=1)
    if report.skipped:  # checked before queuing, so this is a bug, never silently dropped data
        raise CariError(f"{report.skipped} document(s) could not be indexed: "
                        + "; ".join(str(p) for p in report.problems))
    return [WriteResult(upserted=[article.id for article in write.items]) for write in run]


def _delete(index_dir: Path, run: list[_Write]) -> list[WriteResult]:
    """Every id of ``run`` in one removal."""
    report = remove_articles(index_dir, [doc_id for write in run for doc_id in write.items])
    removed = set(report.removed)
    return [WriteResult(deleted=[i for i in write.items if i in removed],
                        unknown=[i for i in write.items if i not in removed]) for write in run]
