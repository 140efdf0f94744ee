"""Cari's own ``.npz`` records (story groups, the names' counts), read safely from many threads.

numpy reads the header of each array in an ``.npz`` with ``ast.literal_eval``. On CPython 3.11 two
threads doing that at once can fail with ``SystemError: AST constructor recursion depth mismatch``:
four reader threads of ``tests/index/test_read_write_races.py`` met it once in 832 searches while
writers swapped generations. The records are read once per generation, so one lock costs nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

_READING = threading.Lock()


def read_arrays(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The arrays ``names`` of the ``.npz`` file at ``path``, read whole, one thread at a time.

    Raises what ``np.load`` raises for a missing or broken file (OSError, ValueError, EOFError,
    zipfile.BadZipFile) and KeyError for a name the file lacks.
    """
    with _READING, np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in names}
