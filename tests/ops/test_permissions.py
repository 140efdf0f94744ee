"""One user builds, another serves: index files follow the umask, a file Cari may not read is a permission
problem (never "damaged"), and the rebuild lock holds across users.

The tests with a second user run Cari as ``nobody`` (``setpriv``), which needs root; as another user they
are skipped, saying so, and the same is checked with a file this user may not read.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from search import Index
from search.errors import IndexNotPermitted
from search.index import generations, write_lock
from search.index.build import build_index
from tests.conftest import SEEDS, cari_command

NOBODY = ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]


def _second_user() -> str | None:
    """Why Cari cannot be run as ``nobody`` here, or None when it can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None:
        return "running Cari as a second user (nobody) needs root and setpriv"
    # Through a shell, as the tests run it (setpriv itself may exec what nobody may not reach).
    probe = subprocess.run([*NOBODY, "sh", "-c", " ".join(cari_command()) + " --version"], capture_output=True,
                           text=True, cwd="/")
    if probe.returncode != 0:  # e.g. a virtual environment in root's home, which nobody may not enter
        return f"nobody may not run this Cari ({cari_command()[0]}): {probe.stderr.strip()[:200]}"
    return None


WHY_NOT = _second_user()
needs_root = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


@pytest.fixture
def shared_folder():
    """A folder every user may reach (pytest's own temp folder is its user's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="cari-perm-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _build(index: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        build_index([SEEDS], index, procs=1)
    finally:
        os.umask(previous)


def _modes(index: Path) -> set[str]:
    return {stat.filemode(p.stat().st_mode)[0] + oct(p.stat().st_mode & 0o777) for p in [index, *index.rglob("*")]}


def test_index_files_follow_the_umask(shared_folder):
    _build(shared_folder / "open", 0o022)
    modes = _modes(shared_folder / "open")
    assert {m for m in modes if m.startswith("d")} == {"d0o755"}  # mkdtemp made generations 0700
    assert {m for m in modes if m.startswith("-")} <= {"-0o644", "-0o755"} and "-0o644" in modes
    _build(shared_folder / "closed", 0o077)
    assert {m[1:] for m in _modes(shared_folder / "closed")} <= {"0o700", "0o600"}


def _as_nobody(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = " ".join([*cari_command(), *(f"'{a}'" for a in args)])
    return subprocess.run([*NOBODY, "sh", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.server
@needs_root
def test_a_service_user_searches_what_root_built(shared_folder):
    _build(shared_folder / "index", 0o022)
    done = _as_nobody("search", "pengusiran", "--index", "index", cwd=shared_folder)
    assert done.returncode == 0, done.stderr
    assert "000_820b055c4d7704aa" in done.stdout


@pytest.mark.server
@needs_root
def test_a_file_the_service_user_may_not_read_is_a_permission_problem(shared_folder):
    _build(shared_folder / "index", 0o022)
    segment = next(generations.live_generation(shared_folder / "index").glob("*.seg"))
    segment.chmod(0o600)
    done = _as_nobody("search", "pengusiran", "--index", "index", cwd=shared_folder)
    assert done.returncode == 1
    message = done.stderr
    assert "running as nobody, may not read" in message and segment.name in message
    assert "belongs to root" in message and "permission problem, not damage" in message
    assert "damaged" not in message.replace("not damage", "") and "rebuild-index" not in message
    (shared_folder / "index" / generations.POINTER).chmod(0o600)  # the pointer to the live generation
    done = _as_nobody("stats", "--index", "index", cwd=shared_folder)
    assert done.returncode == 1 and "may not read index/CURRENT" in done.stderr


def test_a_file_this_user_may_not_read_is_not_called_damage(tmp_path, monkeypatch):
    """The same check without a second user: os.access says the manifest may not be read."""
    build_index([SEEDS], tmp_path / "index", procs=1)
    manifest = generations.live_generation(tmp_path / "index") / generations.MANIFEST
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != manifest and real_access(path, mode))
    with pytest.raises(IndexNotPermitted) as error:
        Index(tmp_path / "index").search("rusia")
    assert f"may not read {manifest}" in str(error.value) and "not damage" in str(error.value)


@pytest.mark.server
@needs_root
def test_the_rebuild_lock_holds_across_users(shared_folder):
    index = shared_folder / "index"
    _build(index, 0o022)
    with write_lock.rebuild_lock(index):  # root's cron job is rebuilding
        done = _as_nobody("add", str(SEEDS), "--index", "index", cwd=shared_folder)
    assert done.returncode == 1 and "Another rebuild of index is running (pid" in done.stderr, done.stderr
    # Free, the lock is taken (a file open for reading is enough for flock); the folder is root's to write.
    done = _as_nobody("rebuild-index", str(SEEDS), "--full", "--index", "index", cwd=shared_folder)
    assert done.returncode == 1 and "Cannot write the index at index: Permission denied" in done.stderr, done.stderr
    assert Index(index).search("rusia").total == 5  # and it still serves
