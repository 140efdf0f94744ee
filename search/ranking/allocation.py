"""Freed memory kept for the next search: glibc's malloc asked not to hand large blocks back to the kernel at once.

A search at 1,000,000 articles makes numpy arrays of tens of megabytes (a
sentence's ~4 million postings concatenated, cast, summed and flagged).
glibc serves a block above its mmap threshold (which it raises by itself
to at most 32 MB) straight from the kernel and unmaps it when freed, so
every search faulted those pages in again, and with transparent huge pages
the kernel zeroes and compacts each one: at 1,000,000 articles 7.2 of 30.6
CPU-s of 300 sentences were the kernel's, 30 ms of a median sentence's
sum of its branches alone (docs/performance.md). With both thresholds at
:data:`KEEP_BYTES` a freed block stays in the process's heap and the next
search reuses it; a searching process keeps up to that much more memory
(~70 MB more after 1,300 searches at 1,000,000 articles).
"""

from __future__ import annotations

import ctypes
import os

KEEP_BYTES = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
# An operator's own setting of the thresholds (environment or tunables) is left as it is.
_OPERATORS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
_kept: bool | None = None


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds to :data:`KEEP_BYTES`, once per process; whether they are.

    False (nothing changed) where the C library is not glibc, or where the
    process was started with the thresholds set (``MALLOC_MMAP_THRESHOLD_``,
    ``MALLOC_TRIM_THRESHOLD_``, ``GLIBC_TUNABLES``).
    """
    global _kept
    if _kept is None:
        _kept = _set_thresholds()
    return _kept


def _set_thresholds() -> bool:
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if any(name in os.environ for name in _OPERATORS) or "threshold" in tunables:
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt
    except (ValueError, OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, KEEP_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, KEEP_BYTES))
