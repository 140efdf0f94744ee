"""One writer for every worker of a server: the write API's writes applied by one long-lived process.

A write reads and writes records of the whole archive (the list of articles, the names' counts, the
stories); a process that keeps them in memory from one write to the next (``search.index.kept``)
writes ten articles to 1,000,000 in ~2 CPU-s instead of ~7. Keeping them costs ~0.8 GB, which every
serving worker would pay if each wrote for itself, and each would start from records another worker
wrote. So ``cari serve`` runs one writer process beside its workers: a worker hands each write over
a Unix socket in a private folder to :func:`serve_writes`, which batches them (``index.documents``),
applies them through the one write path (``index.build``: the rebuild lock, a new generation swapped
in whole) and answers once the write is live. A worker waits for that answer on its socket, so it
goes on answering searches meanwhile (a write in the worker itself held its event loop for the
write's whole length).

The writer is one process per socket (an ``flock`` beside it): a worker that finds none starts one
(:func:`start_writer`) and waits for it; when none can be started it writes itself, as before. If
the writer dies during a write (SIGKILL, out of memory), the write's generation is never swapped in:
the previous one keeps serving, the worker answers that the write was not confirmed and the caller
sends it again (an upsert or a deletion sent twice gives the same index); the next write starts a
new writer. It ignores Ctrl-C (the terminal sends it to the whole process group) and ends once the
server that owns it is gone and no write is under way.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from whoosh.index import open_dir

from search import errors
from search._whoosh.live import count_live_only
from search._whoosh.writers import open_for_writing
from search.analysis.stemmer import shared_stemmer
from search.index import (
    generations,
    grown,
    kept,
    name_counts,
    name_learning,
    stories,
    story_groups,
    topic_points,
    writer_state,
)
from search.index.documents import BatchedWrites, WriteResult
from search.index.format import COMMON_ROOTS, CONTENTS, check_format, learn_roots
from search.index.schema import build_schema
from search.ingest.article import Article

log = logging.getLogger(__name__)

START_SECONDS = 20.0  # how long a worker waits for a writer it started to listen
WATCH_SECONDS = 0.5  # how often the writer looks for its owner
_HEADER = struct.Struct("!Q")


def _send(sock: socket.socket, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _receive(sock: socket.socket) -> Any:
    (size,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    return pickle.loads(_exactly(sock, size))  # noqa: S301 - a private socket between one server's processes


def _exactly(sock: socket.socket, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = sock.recv(min(left, 1 << 20))
        if not part:
            raise EOFError("the connection closed")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


# -- the worker's side ------------------------------------------------------------------------------------------


class ForwardedWrites:
    """A worker's writes, handed to the writer at ``socket_path`` (started if need be; the server ``owner``'s).

    The same calls as ``BatchedWrites``; where no writer can be reached the
    worker writes itself (``local``, keeping no records between writes).
    """

    def __init__(self, index_dir: Path, socket_path: str | os.PathLike, owner: int | None = None,
                 wait_seconds: float = 10.0) -> None:
        self.index_dir = Path(index_dir)
        self.socket_path = Path(socket_path)
        self.owner = owner if owner is not None else os.getpid()
        self.local = BatchedWrites(self.index_dir, wait_seconds=wait_seconds, keep_records=False)
        self.wait_seconds = wait_seconds

    def upsert(self, articles: list[Article]) -> WriteResult:
        return self._forward(("upsert", list(articles)), lambda: self.local.upsert(articles))

    def delete(self, ids: list[str]) -> WriteResult:
        return self._forward(("delete", list(ids)), lambda: self.local.delete(ids))

    def _forward(self, request: tuple[str, list], locally: Any) -> WriteResult:
        try:
            sock = self._connect()
        except OSError as e:
            log.warning("no writer at %s (%s): this worker writes itself", self.socket_path, e)
            return locally()
        with sock:
            try:
                _send(sock, request)
                kind, payload = _receive(sock)
            except (OSError, EOFError, pickle.UnpicklingError):
                raise errors.WriteUnconfirmed("The index's writer stopped before it confirmed the write, which may or "
                                              "may not have been applied: send it again.") from None
        if kind == "ok":
            return payload
        raise _error(kind, payload)

    def _connect(self) -> socket.socket:
        try:
            return _connected(self.socket_path)
        except (FileNotFoundError, ConnectionRefusedError):
            start_writer(self.index_dir, self.socket_path, self.owner, self.wait_seconds)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                return _connected(self.socket_path)
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def _connected(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        raise
    return sock


def _error(kind: str, message: str) -> errors.CariError:
    """The writer's error as the worker raises it: its class if it is one of Cari's, else CariError."""
    found = getattr(errors, kind, None)
    if isinstance(found, type) and issubclass(found, errors.CariError):
        with contextlib.suppress(Exception):
            return found(message)
    return errors.CariError(message)


def start_writer(index_dir: Path, socket_path: Path, owner: int, wait_seconds: float = 10.0) -> None:
    """Start a writer process for ``index_dir`` at ``socket_path`` (it ends at once if one already runs there)."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, this module
        [sys.executable, "-m", "search.index.writer", str(Path(index_dir).resolve()), str(socket_path), str(owner),
         str(wait_seconds)],
        stdin=subprocess.DEVNULL)
    threading.Thread(target=process.wait, name="cari-writer-reaper", daemon=True).start()


# -- the writer's side ------------------------------------------------------------------------------------------


def serve_writes(index_dir: Path, socket_path: Path, owner: int, wait_seconds: float = 10.0) -> None:
    """Apply the writes the workers send to ``socket_path`` until ``owner`` (the server's process) is gone.

    Returns at once when another writer holds the socket's lock.
    """
    lock = open(f"{socket_path}.lock", "a+b")  # noqa: SIM115 - held for the process's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)  # a writer killed before: its lock went with it, its socket file stayed
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(socket_path))
    listener.listen(128)  # workers connecting while the records are read wait here
    ready = threading.Event()  # the warm-up's records read: the writes sent meanwhile wait for it in ``writes``
    writes = BatchedWrites(index_dir, wait_seconds=wait_seconds, keep_records=True, ready=ready)
    saves = threading.Event()  # set when what the writer keeps is newer than what it saved (``writer_state``)
    if threading.current_thread() is threading.main_thread():  # SIGTERM (systemd stopping the service, or _watch)
        signal.signal(signal.SIGTERM, lambda *_: _end(index_dir, writes))
    threading.Thread(target=_watch, args=(owner, socket_path, writes, index_dir), name="cari-writer-watch",
                     daemon=True).start()
    threading.Thread(target=_warm_up, args=(index_dir, ready, writes, saves), name="cari-writer-warm-up",
                     daemon=True).start()
    threading.Thread(target=save_when_quiet, args=(index_dir, writes, saves), name="cari-writer-save",
                     daemon=True).start()
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=_answer, args=(connection, writes, saves), daemon=True).start()


def _warm_up(index_dir: Path, ready: threading.Event, writes: BatchedWrites, saves: threading.Event) -> None:
    """Read the records a write starts from, then let the writes in (``ready``), then check the files."""
    try:
        warm_up(index_dir, ready, writes, saves)
    except Exception:  # noqa: BLE001 - only a head start: the first write reads what it needs
        log.exception("could not read the index's records ahead of the first write")
    finally:
        ready.set()


def save_when_quiet(index_dir: Path, writes: BatchedWrites, due: threading.Event) -> None:
    """Once ``due`` is set (the warm-up done, a write made) and no write has come for ``QUIET_DELAY`` seconds, in the
    writing thread: give the story record its rows by bucket (``keep_buckets``: 1.35 CPU-s at 1,000,000 articles,
    which a first write after a start, on two cores beside two workers opening the index, waited for when they were
    made as soon as the warm-up ended); then, ``SAVE_DELAY`` seconds more without a write, save the records the
    writer keeps (``writer_state.save``: ~0.7 CPU-s and 126 MB there; nothing when saved or taken for that generation
    already). Two jobs: a write sent meanwhile waits for one at most. The first time, the pause is ``START_DELAY``:
    the workers may still be opening the index, and the first write comes when they have."""
    delay = writer_state.START_DELAY
    while True:
        due.wait()
        due.clear()
        while due.wait(delay):
            due.clear()
        writes.when_idle(lambda: keep_buckets(index_dir))
        delay = writer_state.QUIET_DELAY
        if not due.wait(writer_state.SAVE_DELAY):  # else a write came: its pause is waited for from the start
            writes.when_idle(lambda: writer_state.save(index_dir))


def _answer(connection: socket.socket, writes: BatchedWrites, saves: threading.Event) -> None:
    with connection:
        try:
            kind, items = _receive(connection)
            result = writes.upsert(items) if kind == "upsert" else writes.delete(items)
            saves.set()
            answer: tuple[str, Any] = ("ok", result)
        except errors.CariError as e:
            answer = (type(e).__name__, str(e))
        except (OSError, EOFError, pickle.UnpicklingError):
            return  # the worker went away before its request was read
        except Exception as e:  # noqa: BLE001 - answered, and logged: the worker says the write failed
            log.exception("write failed")
            answer = ("CariError", f"The write failed ({type(e).__name__}); the index is unchanged.")
        with contextlib.suppress(OSError):
            _send(connection, answer)


def _watch(owner: int, socket_path: Path, writes: BatchedWrites, index_dir: Path) -> None:
    """End the process once the server ``owner`` is gone (or its socket removed) and no write is under way, having
    saved the records it keeps if its last writes are not saved yet (``writer_state.save_before_ending``)."""
    while True:
        time.sleep(WATCH_SECONDS)
        if (not running(owner) or not socket_path.exists()) and writes.idle():
            writer_state.save_before_ending(index_dir, writes)
            os.kill(os.getpid(), signal.SIGTERM)  # nothing under way: end now (the main thread waits in accept)


def _end(index_dir: Path, writes: BatchedWrites) -> None:
    """End the process on SIGTERM once the write under way (if any) is applied and the records saved (at most
    ``writer_state.SAVE_SECONDS``; systemd's stop timeout, 30 s in deploy/cari.service, ends it in any case)."""
    writer_state.save_before_ending(index_dir, writes)
    raise SystemExit(0)  # raised in the main thread, which waits in accept; the others are daemons


def running(pid: int) -> bool:
    """Whether the process ``pid`` runs (one that has ended but is not yet reaped, a zombie, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc to ask: it answered the signal


def warm_up(index_dir: Path, ready: threading.Event | None = None, writes: BatchedWrites | None = None,
            saves: threading.Event | None = None) -> None:
    """Read the live generation's records of the whole archive into memory now, before the first write asks; then
    (``ready`` set: the writes may start) check every file's checksum, remembered: a write does not check them again.

    The records first: at 1,000,000 articles ~1.3 CPU-s when a writer saved them for this generation
    (``writer_state``), else ~3.5 (the list of articles 0.65, the names' counts and their first pass ~2), the story
    record 0.3-0.6 either way; a write arriving meanwhile waits for them rather than read them again, and checks the
    files it still needs to while it writes. The story record's rows by bucket (1.35 CPU-s) are left to ``writes``'
    thread (``keep_buckets``): with ``saves`` (the server's writer) once the writes pause (``save_when_quiet``, which
    ``saves`` wakes), else after the writes waiting then; without ``writes``, made here.
    """
    try:
        live = generations.live_generation(index_dir)
    except errors.CariError:
        return  # no index yet: the first write makes one
    check_format(index_dir, live, background=True)  # the small files now; the large ones below, once the records are
    with kept.keeping():
        if not writer_state.load(index_dir, live):  # saved by a writer before, as it held them: ~1.0 CPU-s, not ~2.6
            _read_records(live)
        record = stories.read(live, with_pairs=True, spare=True)  # rows to spare: an addition copies none
        kept.keep(live / stories.RECORD, stories.RECORD, record)
        topic_points.kept_topics(live)  # what the points of a write's articles are placed with
        _rehearse(live)
    if saves is not None:  # the server's writer: the rows by bucket once the writes pause (save_when_quiet)
        saves.set()
    elif writes is not None:  # the rows by bucket after the writes waiting now (each passes over every row once)
        writes.when_idle(lambda: keep_buckets(index_dir))
    else:
        with kept.keeping():
            keep_buckets(index_dir)
    if ready is not None:
        ready.set()
    try:
        check_format(index_dir, live)
    except errors.CariError:
        kept.forget()  # read from damaged files, maybe: the next write reads them again (and refuses to publish)
        raise


def _read_records(live: Path) -> None:
    """Keep the list of articles and the names' counts of ``live`` as read from its records, with what the writes
    start from: the list's parts (the first removal writes only the ones it touches), the counts' split by prefix and
    the names' first pass over them, which the next learning starts from."""
    grown.keep_read(live / CONTENTS, CONTENTS)
    counts, words = name_counts.read_both(live) or (None, None)
    if counts is not None:
        split, candidates = name_counts.by_prefix(counts), name_learning.Candidates()
        with open_for_writing(str(live), build_schema(), new=False).reader() as reader:
            answers = name_counts.WordArticles(reader, words)
            count_live_only(reader)
            name_learning.learn(split, answers, candidates)
        kept.keep(live / name_counts.COUNTS, name_counts.COUNTS,
                  (counts, {**answers.known, **answers.asked}, split, candidates))


def keep_buckets(index_dir: Path) -> None:
    """Give the story record this process keeps for the live generation its rows by bucket (``story_groups.Buckets``)
    if it has none: each write then finds the rows of the buckets it touches among them, not by a pass over every
    row (~0.2 CPU-s a write at 1,000,000 articles). Made from every row (1.35 CPU-s there), so the warm-up leaves
    them to the writing thread (``BatchedWrites.when_idle``): a first write arriving during the warm-up does not
    wait for them, it makes its pass; the record it keeps gets them once it is done."""
    try:
        live = generations.live_generation(index_dir)
    except errors.CariError:
        return
    record = kept.peek(live / stories.RECORD, stories.RECORD)
    if record is not None and record.pairs is not None and record.buckets is None:
        record.buckets = story_groups.Buckets(record.values)


def _rehearse(live: Path) -> None:
    """Load what a write reads once a process and would otherwise read at the first write, as it reads it: Sastrawi's
    dictionary and the archive's common roots (a write's new words are stemmed through the cache), the modules of
    Whoosh's searching and of the write's own steps, the opened index."""
    shared_stemmer().load()
    learn_roots(live, COMMON_ROOTS)
    with open_dir(str(live), schema=build_schema()).searcher() as searcher:
        searcher.doc_count()


def main(argv: list[str]) -> None:
    """``python -m search.index.writer INDEX SOCKET OWNER [WAIT]``: what :func:`start_writer` runs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server; the writer ends after it, write done
    logging.basicConfig(format="writer %(process)d: %(levelname)s %(message)s", level=logging.WARNING)
    index_dir, socket_path, owner = Path(argv[0]), Path(argv[1]), int(argv[2])
    wait = float(argv[3]) if len(argv) > 3 else 10.0
    try:
        serve_writes(index_dir, socket_path, owner, wait)
    except OSError as e:
        log.error("cannot take writes at %s: %s (the workers write themselves)", socket_path, e)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
