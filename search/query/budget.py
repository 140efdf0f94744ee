"""A search's time budget: a deadline handed down the stages, checked between their steps.

Searches run one at a time (Whoosh's readers cannot be shared between
threads), so one slow search holds up every search sent meanwhile: a query
of wildcards ran 81 s on IndoSum while plain queries waited behind it.
Each stage that loops over something a query can make large -- the words a
wildcard expands to, the branches of an OR, the postings a Whoosh matcher
walks, the documents Whoosh collects -- checks the deadline between steps
and stops with :class:`QueryTooSlow`, so no search runs much past its budget.
It is in the query stage, the first that checks it (spelling corrections);
ranking and the library hand it on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from search.errors import QueryTooSlow

# The clock deadlines read; tests replace it to make time pass.
clock = time.monotonic
# How many items of a long loop pass between two looks at the clock (a look costs ~60 ns).
CHECK_EVERY = 256

T = TypeVar("T")


class Deadline:
    """The moment a search must be done by; ``seconds=None`` is no limit (batch runs)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self._expires = math.inf if seconds is None else clock() + seconds

    @property
    def bounded(self) -> bool:
        return self.seconds is not None

    def remaining(self) -> float:
        """Seconds left (0 once expired; infinite without a limit)."""
        return max(0.0, self._expires - clock())

    def expired(self) -> bool:
        return clock() >= self._expires

    def check(self) -> None:
        """Raise :class:`QueryTooSlow` if the time is up."""
        if self.expired():
            raise self.error()

    def error(self) -> QueryTooSlow:
        """The error a search over its budget ends with: what happened and what to try instead."""
        return QueryTooSlow(
            f"The search took longer than its limit of {self.seconds:g} s and was stopped. "
            "Use fewer wildcards (*) and more specific words, or narrow it with a source or date filter."
        )

    def checked(self, items: Iterable[T], every: int = CHECK_EVERY) -> Iterator[T]:
        """``items``, with the deadline checked before the first and every ``every`` after."""
        for i, item in enumerate(items):
            if not i % every:
                self.check()
            yield item


NO_DEADLINE = Deadline(None)
