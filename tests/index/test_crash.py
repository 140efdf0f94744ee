"""A crash or a stop never locks the index or loses it: workers end with their parent, Ctrl-C and kill stop cleanly.

Each test runs a real ``cari rebuild-index`` of a few thousand articles
(enough that worker processes start) and signals the parent process alone,
as the out-of-memory killer or an operator's ``kill`` would, never its
process group. Afterwards no Cari process of that index is left, the
previous index still serves, and the next rebuild works.
"""

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search import Index
from search.index import generations
from tests.conftest import SEEDS

pytestmark = [pytest.mark.server]

ARTICLES = 6000


@pytest.fixture(scope="module")
def big_source(tmp_path_factory) -> Path:
    """JSON Lines of synthetic articles from the seeds' words: several seconds of indexing on two cores."""
    words = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")).split()
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(ARTICLES):
            out.write(json.dumps({"id": f"big{i}", "text": " ".join(rng.choices(words, k=400))}) + "\n")
    return path


@pytest.fixture
def seed_copy(seed_index, tmp_path) -> Path:
    import shutil

    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    return index


# The rebuilds a test started: whatever its outcome, none runs on into the next test (a slow machine's timeout
# left one running, and the next tests' workers did not start within their minute).
STARTED: list[tuple[subprocess.Popen, Path]] = []
# How long a stopped or failing build may take to end: only a hang reaches it (a 6,000-article build takes ~20 s
# of two loaded cores, a few minutes on half a core).
ENDS_WITHIN = 600


@pytest.fixture(autouse=True)
def _no_build_left_running():
    yield
    while STARTED:
        proc, index = STARTED.pop()
        for pid in [proc.pid, *processes_of(index)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait()


def start(source: Path, index: Path, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from search.cli import main; main()", "rebuild-index", str(source), "--index",
         str(index), "-q", "--jobs", "2", "--full", "--allow-removals", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    STARTED.append((proc, index))
    return proc


def processes_of(index: Path) -> list[int]:
    """Live processes whose command line names ``index`` (the parent and its forked workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(index).encode() in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def wait_for_workers(proc: subprocess.Popen, index: Path, timeout: float = ENDS_WITHIN) -> None:
    deadline = time.monotonic() + timeout
    while len(processes_of(index)) < 3:  # the parent and two workers
        assert proc.poll() is None and time.monotonic() < deadline, "the workers never started"
        time.sleep(0.05)


def wait_gone(index: Path, timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while processes_of(index) and time.monotonic() < deadline:
        time.sleep(0.05)
    return processes_of(index)


def assert_previous_index_serves(index: Path) -> None:
    with Index(index) as opened:
        assert opened.search("kazakhstan").total == 5


def assert_next_rebuild_works(index: Path) -> None:
    """The lock is free, and the next rebuild removes what the interrupted one left behind."""
    before = generations.live_generation(index).name
    done = subprocess.run([sys.executable, "-c", "from search.cli import main; main()", "rebuild-index", str(SEEDS),
                           "--index", str(index), "-q", "--allow-removals"], capture_output=True, text=True,
                          timeout=ENDS_WITHIN)
    assert done.returncode == 0, done.stdout + done.stderr
    # Only the new generation and the one it replaced (kept for readers mid-switch) remain.
    assert {p.name for p in index.glob("gen-*")} == {generations.live_generation(index).name, before}


@pytest.mark.parametrize("delay", [0.0, 1.5])
def test_killing_the_parent_alone_ends_its_workers_and_frees_the_lock(big_source, seed_copy, delay):
    previous = generations.live_generation(seed_copy)
    proc = start(big_source, seed_copy)
    wait_for_workers(proc, seed_copy)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert wait_gone(seed_copy) == []
    if generations.live_generation(seed_copy) == previous:
        assert_previous_index_serves(seed_copy)
    else:  # the build had finished before the kill (a machine fast enough): the whole new index serves
        assert Index(seed_copy).doc_count() == ARTICLES
    assert_next_rebuild_works(seed_copy)


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_stops_with_one_line_and_the_previous_index_serving(big_source, seed_copy, sig, code):
    proc = start(big_source, seed_copy)
    wait_for_workers(proc, seed_copy)
    proc.send_signal(sig)
    output, _ = proc.communicate(timeout=ENDS_WITHIN)
    assert (proc.returncode, output.strip().splitlines()) == (code, [f"Stopped: the index at {seed_copy} is unchanged."])
    assert wait_gone(seed_copy) == []
    assert [p.name for p in seed_copy.glob("gen-*")] == [generations.live_generation(seed_copy).name]  # temp removed
    assert_previous_index_serves(seed_copy)


@pytest.mark.slow
def test_a_killed_worker_fails_the_build_and_it_exits(big_source, seed_copy):
    proc = start(big_source, seed_copy)
    wait_for_workers(proc, seed_copy)
    worker = next(pid for pid in processes_of(seed_copy) if pid != proc.pid)
    os.kill(worker, signal.SIGKILL)
    output, _ = proc.communicate(timeout=ENDS_WITHIN)
    assert proc.returncode == 1 and "worker" in output and "Traceback" not in output
    assert wait_gone(seed_copy) == []
    assert_previous_index_serves(seed_copy)
    assert_next_rebuild_works(seed_copy)


@pytest.mark.slow
def test_a_strict_failure_after_the_workers_started_exits(big_source, seed_copy, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text(big_source.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    proc = start(broken, seed_copy, "--strict")
    output, _ = proc.communicate(timeout=ENDS_WITHIN)
    assert proc.returncode == 1 and "--strict" in output and "Traceback" not in output
    assert wait_gone(seed_copy) == []
    assert_previous_index_serves(seed_copy)


@pytest.mark.slow
def test_a_full_disk_fails_the_build_and_it_exits(big_source, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=14m", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode:
        pytest.skip("a small file system needs mount (root): " + mounted.stderr.decode(errors="replace").strip())
    try:
        index = small / "index"
        proc = start(big_source, index)
        output, _ = proc.communicate(timeout=ENDS_WITHIN)
        assert proc.returncode == 1 and "No space left" in output and "Traceback" not in output
        assert wait_gone(index) == []
        assert list(index.glob("gen-*")) == []  # the unfinished generation was removed
    finally:
        subprocess.run(["umount", str(small)])
