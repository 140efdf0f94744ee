"""A file one process read and found sound is not read again by the next one (search.index.checked_files): at
1,000,000 articles `cari serve` started three processes that each read the same 4.4 GB (issue 24, the first write
after a start). What a flipped byte still meets: the next process when the file changed on the file system's way,
`cari check` at once, and any process once the note is TRUST_SECONDS old."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search import Index, IndexDamaged
from search.index import checked_files, checksums, generations
from tests.conftest import ROOT, SEEDS, cari_command


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    index = tmp_path_factory.mktemp("checked-files") / "index"
    subprocess.run([*cari_command(), "rebuild-index", str(SEEDS), "--index", str(index), "-q"], check=True)
    return index


@pytest.fixture
def index(built, tmp_path, monkeypatch):
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    monkeypatch.setattr(checksums, "BACKGROUND_BYTES", 1)  # every file is large: checked after opening, by a thread
    monkeypatch.setattr(checksums, "SETTLED_NS", -1)  # files copied just now count as settled
    checksums.forget_checked()
    yield copy
    checksums.forget_checked()


def files_read(index, monkeypatch):
    """The files a process opening ``index`` reads to check them (as a new process: nothing remembered)."""
    checksums.forget_checked()
    read: list[str] = []
    real = checksums.file_checksum
    monkeypatch.setattr(checksums, "file_checksum", lambda path, stop=None: read.append(path.name) or real(path, stop))
    with Index(index) as opened:
        opened.search("kazakhstan")
        stop = time.monotonic() + 30
        while opened.health()["checksums"] != "checked":
            assert time.monotonic() < stop
            time.sleep(0.02)
    monkeypatch.setattr(checksums, "file_checksum", real)
    return read


def flip(path, keep_time=False):
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(data)
    if keep_time:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def a_segment(index):
    return max(generations.live_generation(index).glob("*.seg"), key=lambda p: p.stat().st_size)


def test_a_file_one_process_found_sound_is_not_read_by_the_next(index, monkeypatch):
    expected = generations.read_manifest(generations.live_generation(index))["checksums"]
    assert sorted(files_read(index, monkeypatch)) == sorted(expected)  # the first process reads every file
    notes = json.loads((index / checked_files.RECORD).read_text())["sound"]
    assert len(notes) == len(expected)
    assert files_read(index, monkeypatch) == []  # the next one takes the notes


def test_another_process_takes_the_notes(index, monkeypatch):
    """A process of its own (not this one's memory) notes what it read; this one then reads nothing."""
    script = ("import sys; from search.index import checksums; checksums.BACKGROUND_BYTES = 1; "
              "checksums.SETTLED_NS = -1; from search import Index; import time; ix = Index(sys.argv[1]); "
              "ix.search('kazakhstan'); stop = time.monotonic() + 60\n"
              "while ix.health()['checksums'] != 'checked':\n    assert time.monotonic() < stop; time.sleep(0.02)")
    subprocess.run([sys.executable, "-c", script, str(index)], check=True, cwd=ROOT)
    assert (index / checked_files.RECORD).is_file()
    assert files_read(index, monkeypatch) == []


def a_search_finds_damaged(index: Path, segment: Path) -> None:
    """Opening ``index`` and searching raises IndexDamaged naming ``segment`` once the background check ends."""
    with Index(index) as opened, pytest.raises(IndexDamaged, match=segment.name):
        opened.search("kazakhstan")
        stop = time.monotonic() + 30
        while opened.health()["checksums"] != "checked":
            assert time.monotonic() < stop
            time.sleep(0.02)


def test_a_file_written_into_after_its_note_is_read_again_and_found_damaged(index, monkeypatch):
    files_read(index, monkeypatch)
    segment = a_segment(index)
    flip(segment)  # a write: its modification time changes, so it is another file to the notes
    checksums.forget_checked()
    a_search_finds_damaged(index, segment)


def test_a_flip_that_kept_the_files_time_is_found_by_cari_check_and_once_the_note_is_old(index, monkeypatch, run_cli):
    files_read(index, monkeypatch)
    segment = a_segment(index)
    flip(segment, keep_time=True)  # the disk's decay: the notes cannot tell
    assert segment.name not in files_read(index, monkeypatch)  # taken as noted: the price of reading once a machine
    damaged = run_cli("check", "--index", index)  # reads every byte, whatever is noted
    assert damaged.exit_code == 1 and segment.name in damaged.output
    checksums.forget_checked()
    monkeypatch.setattr(checked_files, "TRUST_SECONDS", 0)  # the notes are old
    a_search_finds_damaged(index, segment)


def test_a_copy_takes_no_note_of_the_original(index, monkeypatch, tmp_path):
    files_read(index, monkeypatch)
    copy = tmp_path / "copy"
    shutil.copytree(index, copy)  # the notes come along, but the files are others (inodes)
    expected = generations.read_manifest(generations.live_generation(copy))["checksums"]
    assert sorted(files_read(copy, monkeypatch)) == sorted(expected)


def test_a_damaged_or_foreign_record_is_no_note(index, monkeypatch):
    files_read(index, monkeypatch)
    (index / checked_files.RECORD).write_text("{not json")
    expected = generations.read_manifest(generations.live_generation(index))["checksums"]
    assert sorted(files_read(index, monkeypatch)) == sorted(expected)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no thread priorities here")
def test_the_main_thread_is_never_lowered():
    """A gevent worker's "threads" are greenlets of its main thread: lowering the thread checking the files lowered
    the whole worker (its searches, its opening of the index) for good."""
    before = os.getpriority(os.PRIO_PROCESS, os.getpid())
    checksums.yielding(checksums.CHECK_NICE)
    assert os.getpriority(os.PRIO_PROCESS, os.getpid()) == before


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no thread priorities here")
def test_a_worker_reads_its_files_in_real_threads_below_its_priority(index, monkeypatch):
    """Given a pool of real threads (a gevent worker's hub's), the files are read there, below the process."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    seen: list[tuple[int, int]] = []
    real = checksums.file_checksum

    def reading(path, stop=None):
        thread = threading.get_native_id()
        seen.append((thread, os.getpriority(os.PRIO_PROCESS, thread)))
        return real(path, stop)

    monkeypatch.setattr(checksums, "file_checksum", reading)
    with ThreadPoolExecutor(1) as pool:
        checksums.offload_reading(lambda function, *arguments: pool.submit(function, *arguments).result())
        try:
            assert files_read(index, monkeypatch)
        finally:
            checksums.offload_reading(None)
    own = os.getpriority(os.PRIO_PROCESS, os.getpid())
    assert seen and {nice for _, nice in seen} == {min(19, own + checksums.CHECK_NICE)}
    assert os.getpid() not in {thread for thread, _ in seen}


def test_a_worker_waits_for_another_process_reading_a_file_and_takes_its_note(index, monkeypatch):
    """Three processes of a server started on files nobody noted read each file once: a serving worker's check
    (``defer``) waits for the process reading the file (an flock on it) and takes its note; the writer's check,
    which its first write waits for, does not wait for a reader below its priority."""
    import fcntl
    import threading

    generation = generations.live_generation(index)
    segment = a_segment(index)
    expected = {segment.name: generations.read_manifest(generation)["checksums"][segment.name]}
    read: list[str] = []
    real = checksums.file_checksum
    monkeypatch.setattr(checksums, "file_checksum", lambda path, stop=None: read.append(path.name) or real(path, stop))
    found: list[str | None] = []
    with open(segment, "rb") as other:  # another process reading it (flock: another open file, another owner)
        fcntl.flock(other, fcntl.LOCK_EX)
        assert checksums.first_mismatch(generation, expected) is None  # the writer's: reads it, lock or not
        assert read == [segment.name]
        checksums.forget_checked()
        read.clear()
        (index / checked_files.RECORD).unlink()
        worker = threading.Thread(target=lambda: found.append(checksums.first_mismatch(generation, expected,
                                                                                       defer=True)))
        busy = threading.Event()
        try_lock = checked_files.try_lock
        monkeypatch.setattr(checked_files, "try_lock", lambda handle: (state := try_lock(handle)) == "busy"
                            and not busy.set() and state or state)
        worker.start()
        assert busy.wait(60), "the worker's check did not wait for the other reader"
        stat = segment.stat()
        checked_files.note_sound(index, checksums.identity(stat, expected[segment.name][1]), time.time_ns())
        fcntl.flock(other, fcntl.LOCK_UN)
        worker.join(60)
    assert found == [None] and read == []  # taken from the other's note, not read


def test_the_notes_of_files_no_generation_holds_are_dropped(index, monkeypatch):
    """Each write adds a few files to note: past PRUNE_ABOVE notes, those of files gone with their generations go."""
    files_read(index, monkeypatch)
    notes = json.loads((index / checked_files.RECORD).read_text())["sound"]
    monkeypatch.setattr(checked_files, "PRUNE_ABOVE", len(notes))
    gone = (1, 2, 3, 4, 5)  # a file of a generation deleted since
    checked_files.note_sound(index, gone, time.time_ns())
    kept = {tuple(note[:5]) for note in json.loads((index / checked_files.RECORD).read_text())["sound"]}
    assert gone not in kept and kept == {tuple(note[:5]) for note in notes}
    assert files_read(index, monkeypatch) == []
