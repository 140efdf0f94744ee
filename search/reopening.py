"""An index folder's live generation held open for searching, reopened when a write swaps in another.

``search.Index`` is one (:class:`ReopeningIndex`): its first search opens the
live generation (``search.serving.OpenGeneration``); a search that finds
``CURRENT`` changed opens the new one before the old one closes, or takes
the one the follower is opening (``search.following``, :meth:`ReopeningIndex.follow`).
Searches run one at a time (:func:`one_at_a_time`) under the lock that
also keeps a search from a generation being closed.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from search.errors import SearchBusy, damaged
from search.following import FOLLOW_SECONDS, Follower, Opening
from search.index import generations
from search.query.synonyms import SynonymsFile
from search.serving import OpenGeneration

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="ReopeningIndex")


def one_at_a_time(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a method of an index under the index's lock, waiting for it no longer than the budget.

    Whoosh 2.7's readers share file handles: two threads searching through
    one reader corrupt each other's reads (4 threads x 300 indosum searches
    gave 13 UnpicklingError/zlib errors and wrong results). Searching is
    CPU-bound Python under the GIL, so serialising costs next to nothing, and
    it also keeps a search from using a reader that a reopen is closing.
    Every search stops at its budget, so the one holding the lock lets go
    within it; a call that still cannot start by then (several slow
    searches queued ahead) is refused with SearchBusy rather than left waiting.
    """

    @functools.wraps(method)
    def locked(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        if not self._lock.acquire(timeout=-1 if self.budget_seconds is None else self.budget_seconds):
            raise SearchBusy("Cari is busy with other searches and could not start this one; try again in a moment.")
        try:
            return method(self, *args, **kwargs)
        finally:
            self._lock.release()

    return locked


class ReopeningIndex:
    """One index folder's live generation, opened at the first search and reopened after a write swapped it.

    ``budget_seconds`` bounds each search (None: no bound), and how long a
    search waits for the one before it (:func:`one_at_a_time`).
    """

    def __init__(self, index_dir: Path, budget_seconds: float | None) -> None:
        self.index_dir = index_dir
        self.budget_seconds = budget_seconds
        self._lock = threading.RLock()
        self._opened: OpenGeneration | None = None  # the generation searches read, reopened after a write
        self._follower: Follower | None = None  # opens each new generation as soon as it is swapped in (follow)
        self.synonyms = SynonymsFile(self.index_dir)

    def _current(self) -> OpenGeneration:
        """The open generation, reopened if a write swapped the index."""
        stamp = generations.pointer_stamp(self.index_dir)
        with self._lock:
            if self._opened is None or stamp != self._opened.stamp:
                # The follower's opening of it when one is under way, else opened here; opened before the old one
                # closes: a failure to open leaves the old one serving.
                opening = self._follower.waiting(stamp) if self._follower is not None else None
                found = opening.take() if opening is not None else None
                self._swap(found if found is not None else OpenGeneration(self.index_dir, stamp, self.synonyms))
            assert self._opened is not None
            if (problem := self._opened.damage) is not None:  # found by the check of its large files
                raise damaged(self.index_dir, problem)  # until a write (a rebuild) swaps in another generation
            return self._opened

    def _swap(self, opened: OpenGeneration) -> None:
        old, self._opened = self._opened, opened
        if old is not None:
            old.close()

    def follow(self, interval: float = FOLLOW_SECONDS) -> None:
        """Open each new generation as soon as a write swaps it in, not at the next search (``search.following``).

        A thread looks at ``CURRENT`` every ``interval`` seconds; searches go on
        with the open generation while the new one opens. A server's workers
        follow; :meth:`close` stops it.
        """
        with self._lock:
            if self._follower is None:
                self._follower = Follower(self.index_dir, lambda stamp: OpenGeneration(self.index_dir, stamp, self.synonyms),
                                          lambda: None if self._opened is None else self._opened.stamp,
                                          self._install, interval)

    def _install(self, opening: Opening) -> None:
        """Swap in the follower's generation, unless a search took it or ``CURRENT`` has moved on since."""
        with self._lock:
            opened = opening.take()
            if opened is None:
                return
            if self._follower is None or (self._opened is not None and self._opened.stamp == opened.stamp) \
                    or generations.pointer_stamp(self.index_dir) != opened.stamp:
                opened.close()
                return
            self._swap(opened)

    @property
    def open_generation(self) -> Path | None:
        """The generation open now (None: none), as it is: without looking for a newer one."""
        opened = self._opened
        return None if opened is None else opened.generation

    @property
    def is_open(self) -> bool:
        """Whether the index's files are open now (after a search or :meth:`warm_up`, until :meth:`close`)."""
        return self._opened is not None

    def close(self) -> None:
        """Close the open index files (waiting for a search in progress; the next call opens them again) and stop
        following the writes."""
        with self._lock:
            if self._follower is not None:
                self._follower.stop()
                self._follower = None
            if self._opened is not None:
                self._opened.close()
            self._opened = None
