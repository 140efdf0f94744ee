"""The writer's records saved as it holds them (``search.index.writer_state``; issue 24: the first write after ``cari
serve`` starts, at 1,000,000 articles, visible within 5 s): a writer started again takes them instead of reading the
list of articles and the names' counts and learning the names' first pass again, and writes exactly what a writer
that read them writes; records saved for another generation, or damaged, are not taken (the damage said, the records
read); the writer saves them once its writes pause. And a serving worker checks its large files below its own
priority, so that on two cores the writer's warm-up and first write get the CPU first."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import search
from search.index import (
    count_parts,
    generations,
    grown,
    kept,
    name_counts,
    name_learning,
    stories,
    story_groups,
    writer,
    writer_state,
)
from search.index.documents import BatchedWrites
from search.index.format import CONTENTS
from search.index.name_counts import SplitCounts, by_prefix
from search.index.names import NAMES
from search.index.writer import ForwardedWrites, save_when_quiet, warm_up
from search.index.writer_state import save_before_ending
from tests.conftest import make_index

pytestmark = pytest.mark.slow

SAID = "\n\"Kami sudah memeriksa,\" kata Juru Bicara KPK Febri Diansyah kepada wartawan di Gedung Merah Putih."
HANG_GUARD = 120  # seconds: only a hang waits this long


@pytest.fixture(scope="module")
def built(tmp_path_factory, indosum_docs):
    docs = list(indosum_docs.values())
    return make_index(tmp_path_factory.mktemp("writer-state"), docs[:200]), docs


def _copy(built, folder):
    kept.forget()
    shutil.copytree(built[0], folder)
    return folder


@pytest.fixture
def index(built, tmp_path):
    yield _copy(built, tmp_path / "index")
    kept.forget()


def _live(index):
    return generations.live_generation(index)


def _saved(index):
    """A writer's warm-up reading the records, then its save; then nothing kept, as in a new process."""
    with kept.keeping():
        warm_up(index)
        assert writer_state.save(index)
    kept.forget()


def _writes(index, docs):
    """Ten new articles and two corrected ones (their names' counts change), then two removed, as the writer does."""
    writes = BatchedWrites(index, keep_records=True)
    corrected = [{**doc, "text": doc["text"] + SAID} for doc in docs[:2]]
    writes.upsert([search.given_article(doc, "test")[0] for doc in docs[200:210] + corrected])
    writes.delete([docs[5]["id"], docs[203]["id"]])


def _written(index):
    live = _live(index)
    return (generations.read_record(live, NAMES), name_counts.read_both(live),
            generations.read_record(live, CONTENTS))


def _refuse_reading_the_records(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("the records were read")

    monkeypatch.setattr(grown, "read_in_parts", refused)  # the list of articles
    monkeypatch.setattr(name_counts, "read_both", refused)  # the names' counts
    monkeypatch.setattr(name_learning.Candidates, "renew", refused)  # the names' first pass over every run


def test_a_writer_started_again_reads_no_record_and_writes_what_one_that_read_them_writes(built, tmp_path, monkeypatch):
    _, docs = built
    read = _copy(built, tmp_path / "read")
    with kept.keeping():
        warm_up(read)
    _writes(read, docs)
    kept.forget()

    taken = _copy(built, tmp_path / "taken")
    _saved(taken)
    _refuse_reading_the_records(monkeypatch)
    with kept.keeping():
        warm_up(taken)
        counts = kept.peek(_live(taken) / name_counts.COUNTS, name_counts.COUNTS)[0]
    assert isinstance(counts, SplitCounts)  # taken from the saved records, not read
    _writes(taken, docs)
    kept.forget()
    monkeypatch.undo()
    names, both, contents = _written(taken)
    assert (names, both, contents) == _written(read)
    assert any("person" in str(name) for name in names) and len(contents) == 208


def test_records_saved_for_another_generation_are_not_taken(index, built):
    _saved(index)
    BatchedWrites(index, keep_records=False).upsert([search.given_article(built[1][300], "test")[0]])
    with kept.keeping():
        assert not writer_state.load(index, _live(index))
        assert kept.peek(_live(index) / CONTENTS, CONTENTS) is None
        warm_up(index)  # reads them
        assert len(kept.peek(_live(index) / CONTENTS, CONTENTS)) == 201


def test_a_flipped_byte_in_the_saved_records_is_said_and_the_records_are_read(index, built, caplog):
    _saved(index)
    path = index / writer_state.STATE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING), kept.keeping():
        assert not writer_state.load(index, _live(index))
        warm_up(index)
    assert "damaged (checksum)" in caplog.text and str(path) in caplog.text
    _writes(index, built[1])
    assert len(generations.read_record(_live(index), CONTENTS)) == 208


class _Waits(threading.Event):
    """An event that notes the timeout of every wait."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[float | None] = []

    def wait(self, timeout=None):
        self.timeouts.append(timeout)
        return super().wait(timeout)


def test_the_writer_saves_what_it_keeps_once_its_writes_pause(index, built, monkeypatch):
    """After its warm-up the writer waits ``START_DELAY`` of no write (the workers may still be opening the index,
    and the first write comes when they have) before the rows by bucket, after a write ``QUIET_DELAY``; then
    ``SAVE_DELAY`` more before the save."""
    monkeypatch.setattr(writer_state, "START_DELAY", 0.02)
    monkeypatch.setattr(writer_state, "QUIET_DELAY", 0.01)
    monkeypatch.setattr(writer_state, "SAVE_DELAY", 0.03)
    writes = BatchedWrites(index, keep_records=True)
    due = _Waits()
    threading.Thread(target=save_when_quiet, args=(index, writes, due), daemon=True).start()
    with kept.keeping():
        warm_up(index)
    due.set()
    _wait_for_state_of(index)
    writes.upsert([search.given_article(built[1][300], "test")[0]])
    due.set()
    _wait_for_state_of(index)  # of the write's generation
    timed = [timeout for timeout in due.timeouts if timeout is not None]
    assert timed[:2] == [0.02, 0.03] and timed[2:4] == [0.01, 0.03]
    kept.forget()
    with kept.keeping():
        assert writer_state.load(index, _live(index))
        assert len(kept.peek(_live(index) / CONTENTS, CONTENTS)) == 201


def test_the_servers_writer_leaves_the_rows_by_bucket_to_when_its_writes_pause(index, built, monkeypatch):
    """The server's writer (its warm-up told when to save) makes the story record's rows by bucket only once its
    writes pause: a first write sent after the warm-up does not wait for them (1.35 CPU-s at 1,000,000 articles, on
    two cores beside the workers opening the index) and passes over every row instead; then the pause gives the
    record the writer kept its rows by bucket, and saves the records."""
    monkeypatch.setattr(writer_state, "START_DELAY", 0.01)
    monkeypatch.setattr(writer_state, "SAVE_DELAY", 0.01)
    ready, due = threading.Event(), threading.Event()
    writes = BatchedWrites(index, keep_records=True, ready=ready)
    with kept.keeping():
        warm_up(index, ready, writes, due)
    assert ready.is_set() and due.is_set()
    writes.upsert([search.given_article(built[1][300], "test")[0]])
    record = _kept_story_record(index)
    assert record is not None and len(record.ids) == 201 and record.buckets is None  # nothing made before the write
    threading.Thread(target=save_when_quiet, args=(index, writes, due), daemon=True).start()
    _wait_for_state_of(index)
    record = _kept_story_record(index)
    assert record is not None and record.buckets is not None
    assert np.array_equal(record.buckets.order, story_groups.Buckets(record.values).order)


def test_a_write_sent_while_the_writer_makes_its_rows_by_bucket_goes_before_its_save(index, built, monkeypatch):
    """Once the writes pause, the rows by bucket and the save are two jobs of the writing thread: a write sent during
    the first waits for it, not for the save too (~0.7 CPU-s at 1,000,000 articles), which then saves its generation."""
    monkeypatch.setattr(writer_state, "START_DELAY", 0.01)
    monkeypatch.setattr(writer_state, "SAVE_DELAY", 0.01)
    making, go, saved = threading.Event(), threading.Event(), []
    make, save = writer.keep_buckets, writer_state.save

    def slow_buckets(index_dir):
        making.set()
        go.wait(HANG_GUARD)
        make(index_dir)

    def saving(index_dir):
        saved.append(_live(index).name)
        return save(index_dir)

    monkeypatch.setattr(writer, "keep_buckets", slow_buckets)
    monkeypatch.setattr(writer_state, "save", saving)
    ready, due = threading.Event(), threading.Event()
    writes = BatchedWrites(index, keep_records=True, ready=ready)
    with kept.keeping():
        warm_up(index, ready, writes, due)
    threading.Thread(target=save_when_quiet, args=(index, writes, due), daemon=True).start()
    assert making.wait(HANG_GUARD)
    before = _live(index).name
    sent = threading.Thread(target=writes.upsert, args=([search.given_article(built[1][300], "test")[0]],))
    sent.start()
    while writes.idle():  # the write waits in the queue
        time.sleep(0.01)
    go.set()
    sent.join(HANG_GUARD)
    deadline = time.monotonic() + HANG_GUARD
    while not saved:
        assert time.monotonic() < deadline, "the writer never saved its records"
        time.sleep(0.01)
    assert _live(index).name != before and saved[0] == _live(index).name  # the first save is the write's
    _wait_for_state_of(index)


def test_a_writer_whose_server_is_gone_saves_its_last_writes_before_it_ends(index, built):
    """A server stopped before its writes paused for ``SAVE_DELAY``: its writer saves the records of that write's
    generation before it ends (``_watch``), and a writer started again takes them."""
    writes = BatchedWrites(index, keep_records=True)
    with kept.keeping():
        warm_up(index)
    writes.upsert([search.given_article(built[1][300], "test")[0]])
    assert not writer_state.is_saved(index)
    assert save_before_ending(index, writes, HANG_GUARD)
    assert writer_state.key_of(_live(index))[0] in _saved_generation(index)
    kept.forget()
    with kept.keeping():
        assert writer_state.load(index, _live(index))


def test_a_writer_told_to_end_applies_the_write_in_hand_saves_and_ends(index, built, tmp_path):
    """SIGTERM (systemd stopping ``cari serve`` sends it to every process of the service): the writer process
    saves the records of its last write's generation and ends with status 0, and a writer started again takes them."""
    socket_path = tmp_path / "writer.sock"
    writer_process = subprocess.Popen([sys.executable, "-m", "search.index.writer", str(index), str(socket_path),
                                       str(os.getpid())])
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not socket_path.exists():  # else the worker's side starts a writer of its own
            assert writer_process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        result = ForwardedWrites(index, socket_path).upsert([search.given_article(built[1][300], "test")[0]])
        assert result.upserted == [built[1][300]["id"]]
        assert writer_state.key_of(_live(index))[0] not in _saved_generation(index)
        writer_process.send_signal(signal.SIGTERM)
        assert writer_process.wait(HANG_GUARD) == 0
    finally:
        if writer_process.poll() is None:
            writer_process.kill()
            writer_process.wait()
    assert writer_state.key_of(_live(index))[0] in _saved_generation(index)
    kept.forget()
    with kept.keeping():
        assert writer_state.load(index, _live(index))
        assert len(kept.peek(_live(index) / CONTENTS, CONTENTS)) == 201


def _kept_story_record(index):
    with kept.keeping():
        return kept.peek(_live(index) / stories.RECORD, stories.RECORD)


def _wait_for_state_of(index):
    deadline = time.monotonic() + HANG_GUARD
    while writer_state.key_of(_live(index))[0] not in _saved_generation(index):
        assert time.monotonic() < deadline, "the writer never saved its records"
        time.sleep(0.05)


def _saved_generation(index) -> str:
    path = index / writer_state.STATE
    try:
        return path.read_bytes()[:4096].decode("latin-1")  # the key, the generation's name, opens the payload
    except OSError:
        return ""


def test_split_counts_read_and_change_the_split():
    counts = {"n:setya novanto": 50, "t:setya novanto": 7, "c:setya": 40, "a:kpk=komisi pemberantasan korupsi": 3}
    split = by_prefix(counts)
    view = SplitCounts(split)
    assert dict(view) == counts and len(view) == 4
    assert view.get("n:setya novanto") == 50 and view.get("n:nobody", 0) == 0 and view.get("z:x") is None
    view["n:anies baswedan"] = view.get("n:anies baswedan", 0) + 2
    view.pop("t:setya novanto")
    assert split["n"]["anies baswedan"] == 2 and "setya novanto" not in split["t"]
    with pytest.raises(KeyError):
        view["z:nothing"]
    assert list(view.values()) == [view[term] for term in view]


def test_counts_written_whole_from_the_view_read_back_as_the_counts(tmp_path):
    """Past its parts a write stores the counts whole (``count_parts.write``): from a writer's view, the same."""
    counts = {"n:setya novanto": 50, "t:setya novanto": 7, "c:setya": 40, "n:anies baswedan": 2}
    count_parts.write(tmp_path, SplitCounts(by_prefix(counts)), {"setya": 41})
    assert count_parts.read(tmp_path) == (counts, {"setya": 41})
