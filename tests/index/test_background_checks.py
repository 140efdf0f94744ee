"""A new searching process checks its large files in the background: it opens fast, and stops serving at the
first flipped byte the check finds (search.index.checksums)."""

import contextlib
import os
import shutil
import subprocess
import threading
import time

import pytest

from search import Index, IndexDamaged
from search._whoosh.arrays import ARRAYS_EXT
from search.index import checksums, generations
from search.index.checksums import CHECK_NICE
from search.index.format import open_for_searching, open_index, opens
from tests.conftest import SEEDS, cari_command, web_client


@pytest.fixture(scope="module")
def own_seed_index(tmp_path_factory):
    """The seed index built by a process of its own: its roots record is the stem cache of the process that
    builds it (a warm cache: format.save_roots), so one built here after other tests had stemmed thousands of
    words held a roots record larger than its segments, and the fixtures below saw no small record."""
    index = tmp_path_factory.mktemp("own-seed-index") / "index"
    subprocess.run([*cari_command(), "rebuild-index", str(SEEDS), "--index", str(index), "-q"], check=True)
    return index


@pytest.fixture
def index(own_seed_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(own_seed_index, copy)
    return copy


@pytest.fixture
def segments_in_background(index, monkeypatch):
    """The segments count as large files (a 1,000,000-article index's are 3.6 GB each), Cari's records as small."""
    generation = generations.live_generation(index)
    segment = min(p.stat().st_size for p in generation.glob("*.seg"))
    records = max(p.stat().st_size for p in generation.iterdir() if p.suffix != ".seg" and p.name != "topics.npz")
    assert records < segment
    monkeypatch.setattr(checksums, "BACKGROUND_BYTES", segment)
    monkeypatch.setattr(checksums, "SETTLED_NS", -1)  # files just flipped count as settled: remembered


def flip_last_posting_weight(index):
    """Flip the last byte of a segment's posting arrays: a weight, which Whoosh reads without complaint."""
    generation, ix = open_index(index)
    with ix.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers())
        offset, length = leaf.storage().a.range(leaf.segment().make_filename(ARRAYS_EXT))
        path = generation / leaf.segment().make_filename(".seg")
    data = bytearray(path.read_bytes())
    data[offset + length - 1] ^= 0xFF
    path.write_bytes(data)
    return path


def health_once_checked(opened, seconds=20):
    """``Index.health()`` once the background check is over (IndexDamaged if it found damage)."""
    stop = time.monotonic() + seconds
    while (health := opened.health())["checksums"] != "checked":
        assert time.monotonic() < stop, "the background check did not end"
        time.sleep(0.05)
    return health


def test_a_sound_index_opens_and_its_large_files_are_checked_meanwhile(index, segments_in_background, monkeypatch):
    read = []
    real = checksums.file_checksum
    monkeypatch.setattr(checksums, "file_checksum", lambda path, stop=None: read.append(path.name) or real(path, stop))
    with Index(index) as opened:
        assert opened.search("kazakhstan").total == 5
        assert health_once_checked(opened)["status"] == "ok"
        assert opened.search("kazakhstan").total == 5
    generation = generations.live_generation(index)
    assert sorted(read) == sorted(generations.read_manifest(generation)["checksums"])  # every file, once


def test_a_flipped_byte_in_a_large_file_stops_the_serving_once_found(index, segments_in_background):
    segment = flip_last_posting_weight(index)
    with Index(index) as opened:
        with contextlib.suppress(IndexDamaged):
            opened.search("kazakhstan")  # before the check ends it may be answered: the price of opening fast
        with pytest.raises(IndexDamaged, match="damaged") as caught:
            health_once_checked(opened)
        assert segment.name in str(caught.value) and "rebuild-index" in str(caught.value)
        with pytest.raises(IndexDamaged, match=segment.name):
            opened.search("kazakhstan")  # every later search is refused
    with Index(index) as again, pytest.raises(IndexDamaged, match=segment.name):
        again.search("kazakhstan")  # this process remembers: refused before opening


def test_a_flipped_byte_in_a_small_file_is_refused_before_opening(index, segments_in_background):
    generation = generations.live_generation(index)
    record = max((p for p in generation.iterdir() if p.suffix == ".gz"), key=lambda p: p.stat().st_size)
    data = bytearray(record.read_bytes())
    data[len(data) // 2] ^= 0x10
    record.write_bytes(data)
    with Index(index) as opened, pytest.raises(IndexDamaged, match=record.name):
        opened.search("kazakhstan")


def test_healthz_answers_503_once_the_check_finds_damage(index, segments_in_background):
    flip_last_posting_weight(index)
    client = web_client(index)
    stop = time.monotonic() + 20
    while (response := client.get("/healthz")).status_code == 200:
        assert response.get_json()["checksums"] == "checking", "the check ended without finding the flipped byte"
        assert time.monotonic() < stop
        time.sleep(0.05)
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"
    assert client.get("/api/search?q=kazakhstan").status_code == 503


def test_cari_check_reads_every_byte_and_names_the_damaged_file(index, run_cli, monkeypatch):
    sound = run_cli("check", "--index", index)
    assert sound.exit_code == 0 and "every byte as written" in sound.output
    files = len(generations.read_manifest(generations.live_generation(index))["checksums"])
    assert f"{files} files" in sound.output
    monkeypatch.setattr(checksums, "SETTLED_NS", -1)
    with Index(index) as opened:  # this process found every file sound ...
        opened.search("kazakhstan")
    before = {path: path.stat() for path in generations.live_generation(index).glob("*.seg")}
    segment = flip_last_posting_weight(index)
    os.utime(segment, ns=(before[segment].st_atime_ns, before[segment].st_mtime_ns))  # ... a flip that kept its time
    damaged = run_cli("check", "--index", index)
    assert damaged.exit_code == 1 and segment.name in damaged.output and "Traceback" not in damaged.output


def _one_article(tmp_path, doc_id="baru"):
    from tests.conftest import write_jsonl

    return write_jsonl(tmp_path / f"{doc_id}.jsonl", [{"id": doc_id, "title": "Gempa", "text": "Gempa mengguncang kota."}])


def test_a_write_works_while_the_large_files_it_starts_from_are_checked(index, segments_in_background, monkeypatch,
                                                                       tmp_path):
    """An addition checks the live generation's large files in a thread while it indexes (at 1,000,000 articles the
    CRC-32 of 7.3 GB, ~3 CPU-s, used to come first), and swaps only once they are found sound."""
    import threading

    from search.index import build
    from search.index.batch import ADD

    checksums.forget_checked()  # as in a new process
    indexed = threading.Event()
    order = []
    real_checksum, real_fields = checksums.file_checksum, build.article_fields

    def checksum(path, stop=None):
        if path.suffix == ".seg":
            indexed.wait(10)  # on a writer that checks first, this waits in vain and the article is indexed after
            order.append("segment checked")
        return real_checksum(path, stop)

    def fields(article, furniture=None):
        order.append("article indexed")
        indexed.set()
        return real_fields(article, furniture)

    monkeypatch.setattr(checksums, "file_checksum", checksum)
    monkeypatch.setattr(build, "article_fields", fields)
    build.build_index([_one_article(tmp_path)], index, mode=ADD, procs=1)
    assert order[0] == "article indexed" and "segment checked" in order
    assert [hit.id for hit in Index(index).search("gempa mengguncang").hits][:1] == ["baru"]


def test_a_write_on_a_large_file_found_damaged_changes_nothing(index, segments_in_background, tmp_path):
    from search.errors import BuildFailed
    from search.index.batch import ADD
    from search.index.build import build_index

    checksums.forget_checked()
    live = generations.live_generation(index)
    flip_last_posting_weight(index)
    with pytest.raises(BuildFailed, match="damaged.*checksum"):
        build_index([_one_article(tmp_path)], index, mode=ADD, procs=1)
    assert generations.live_generation(index) == live
    assert [p.name for p in index.glob("gen-*")] == [live.name]  # the new generation is gone


def first_mismatch_in_two_threads(generation, expected):
    """What ``checksums.first_mismatch`` finds, asked by two threads at once."""
    found: list[str | None] = []
    threads = [threading.Thread(target=lambda: found.append(checksums.first_mismatch(generation, expected)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def test_two_threads_checking_one_generation_read_each_file_once(index, monkeypatch):
    """A writer's warm-up checks every file while its first write checks the large ones it builds on: a file another
    thread of the process is reading is waited for, not read a second time, and a damaged one is said by both."""
    monkeypatch.setattr(checksums, "SETTLED_NS", -1)
    checksums.forget_checked()
    read: list[str] = []
    real = checksums.file_checksum

    def slow(path, stop=None):
        read.append(path.name)
        time.sleep(0.05)  # long enough for the other thread to come to the same file
        return real(path, stop)

    monkeypatch.setattr(checksums, "file_checksum", slow)
    generation = generations.live_generation(index)
    expected = generations.read_manifest(generation)["checksums"]
    found = first_mismatch_in_two_threads(generation, expected)
    assert found == [None, None]
    assert sorted(read) == sorted(expected)  # every file, once
    checksums.forget_checked()
    damaged = flip_last_posting_weight(index)
    read.clear()
    expected = {damaged.name: expected[damaged.name]}
    found = first_mismatch_in_two_threads(generation, expected)
    assert read == [damaged.name] and len(found) == 2 and all(problem and damaged.name in problem for problem in found)
    checksums.forget_checked()


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no thread priorities here")
def test_a_searching_process_checks_its_large_files_below_its_own_priority(index, monkeypatch):
    """A serving worker's check runs below its process (``checksums.yielding``): at 1,000,000 articles each worker
    reads 4.4 GB as ``cari serve`` starts, on two cores beside the writer, whose warm-up and first write wait for its
    own check of the same files (issue 24: the first write after a start within 5 s). The writer's check does not."""
    monkeypatch.setattr(checksums, "BACKGROUND_BYTES", 1)  # every file is large: checked by the thread
    seen: list[tuple[str, int]] = []
    checksum = checksums.file_checksum

    def checking(path, stop=None):
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return checksum(path, stop)

    monkeypatch.setattr(checksums, "file_checksum", checking)
    checksums.forget_checked()
    own = os.getpriority(os.PRIO_PROCESS, 0)
    ix, check, _ = open_for_searching(index, generations.live_generation(index))
    assert check.wait(60) is None and check.finished
    ix.close()
    assert seen and {nice for _, nice in seen} == {min(19, own + CHECK_NICE)}
    seen.clear()
    checksums.forget_checked()
    # A write's check: the writer waits for it.
    write_check = opens(index, generations.live_generation(index), background=True)
    assert write_check is not None and write_check.wait(60) is None
    assert seen and {nice for _, nice in seen} == {own}
