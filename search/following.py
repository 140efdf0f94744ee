"""A serving process follows the index's writes: a new generation opened as soon as it is swapped in.

``search.Index`` opens the live generation when a search finds that ``CURRENT``
changed, so after a write the first search of every worker waited for the
opening (and for what a search reads of a generation once: the names'
facets, the stories), and a worker nobody asked kept the old one until
asked. A server's worker instead calls :meth:`Index.follow
<search.Index.follow>`: a thread (a greenlet under gevent) looks at
``CURRENT`` every ``FOLLOW_SECONDS`` (one ``stat``) and, when it changed,
opens the new generation and reads what a search would (``OpenGeneration.warm``)
while searches go on with the one open; then it hands it over. A search
that finds the new ``CURRENT`` while the opening is under way waits for it
rather than opening a second copy, so a write is visible to the search
after it, as before. The writers need to know nothing of the readers: a
write by ``cari add``, the write API's writer, a rebuild or ``cari publish``
(a replica's ``CURRENT`` swapped by rsync) is followed alike.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from search.index import generations
from search.serving import OpenGeneration

log = logging.getLogger(__name__)

FOLLOW_SECONDS = 0.1  # how often a following process looks at CURRENT


class Opening:
    """One generation being opened by the follower: waited for, then taken by whoever installs it first."""

    def __init__(self, stamp: tuple) -> None:
        self.stamp = stamp
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._opened: OpenGeneration | None = None

    def finish(self, opened: OpenGeneration | None) -> None:
        self._opened = opened
        self._done.set()

    def take(self) -> OpenGeneration | None:
        """The generation opened (waiting for the opening to end), once: None to a second caller or on a failure."""
        self._done.wait()
        with self._lock:
            opened, self._opened = self._opened, None
        return opened


class Follower:
    """Opens each new generation of ``index_dir`` in a thread of its own and hands it to ``install``.

    ``open_stamp`` says which generation the index has open (None: none yet,
    which the first search opens); ``install(opening)`` takes the generation
    opened (unless a search took it first) and swaps it in, under the index's lock.
    """

    def __init__(self, index_dir: Path, make: Callable[[tuple], OpenGeneration],
                 open_stamp: Callable[[], tuple | None], install: Callable[[Opening], None],
                 interval: float = FOLLOW_SECONDS) -> None:
        self.index_dir = index_dir
        self._make, self._open_stamp, self._install = make, open_stamp, install
        self.interval = interval
        self.opening: Opening | None = None
        self._failed: tuple | None = None  # a generation that would not open: left to the searches to report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cari-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def waiting(self, stamp: tuple) -> Opening | None:
        """The opening of the generation ``stamp`` if one is under way (or done and not yet installed)."""
        opening = self.opening
        return opening if opening is not None and opening.stamp == stamp else None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            stamp = generations.pointer_stamp(self.index_dir)
            current = self._open_stamp()
            if current is None or not stamp or stamp in (current, self._failed):
                continue
            self._follow(stamp)

    def _follow(self, stamp: tuple) -> None:
        opening = self.opening = Opening(stamp)
        opened = None
        try:
            opened = self._make(stamp)
            opened.warm()
        except Exception as e:  # noqa: BLE001 - the next search opens it and says what is wrong
            log.warning("could not open the new generation of %s: %s", self.index_dir, e)
            if opened is not None:
                opened.close()
            opened, self._failed = None, stamp
        opening.finish(opened)
        try:
            self._install(opening)  # unless a search waiting for it took it first
        finally:
            if self.opening is opening:
                self.opening = None
