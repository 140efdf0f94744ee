"""A searching process keeps the large arrays a search freed for the next one (search/ranking/allocation.py).

glibc hands a freed block above its mmap threshold back to the kernel, so
each search at 1,000,000 articles faulted its tens of megabytes of arrays in
again (a sixth to a fifth of its CPU in the kernel). Opening an index for
searching raises the thresholds: a freed block of 64 MB stays in the process.
Checked in a new process, as the setting is the process's.
"""

import os
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not hasattr(os, "confstr") or not os.confstr("CS_GNU_LIBC_VERSION"), reason="glibc's malloc"),
]

SCRIPT = """
import sys
import numpy as np

def kept_after_free():
    def resident():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096
    before = resident()
    block = np.ones(8_000_000)  # 64 MB, every page touched
    del block
    return resident() - before > 48_000_000

print(kept_after_free())
from search import Index
Index(sys.argv[1]).search("banjir")
print(kept_after_free())
"""


def run(index, **env) -> list[str]:
    found = subprocess.run([sys.executable, "-c", SCRIPT, str(index)], capture_output=True, text=True, timeout=120,
                           env={**os.environ, **env}, check=True)
    return found.stdout.split()


def test_opening_an_index_keeps_freed_arrays_in_the_process(seed_index):
    assert run(seed_index) == ["False", "True"]  # handed back before opening, kept after


def test_an_operators_own_malloc_setting_is_left_alone(seed_index):
    assert run(seed_index, MALLOC_TRIM_THRESHOLD_="131072") == ["False", "False"]
