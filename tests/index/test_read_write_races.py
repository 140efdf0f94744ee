"""Readers while writers swap generations: no read fails, and no generation is deleted under a reader."""

from __future__ import annotations

import threading
import time
import traceback

import pytest

from search import Index, given_article
from search.errors import IndexBusy, SearchBusy
from search.index import generations
from search.index.documents import BatchedWrites
from search.query.filters import Filters
from tests.conftest import make_index

BASE = [{"id": f"awal-{n}", "title": f"Banjir di Jakarta {n}", "text": f"Banjir melanda Jakarta, hari ke-{n}.",
         "source": "Kompas.com" if n % 2 else "Tempo.co", "date": f"2023-01-{n + 1:02d}"} for n in range(12)]
SECONDS = 6
ENOUGH_WRITES = 20
AT_MOST = 900  # seconds: only a hang reaches it (half a core at load ~30 wrote 13 generations in 120 s)


def given(*objects: dict) -> list:
    """Articles as the write API hands them on: each JSON object read and checked."""
    return [given_article(obj, "the write API")[0] for obj in objects]


def read_everything(searcher: Index) -> None:
    """One of each read a server makes: a filtered search (its source list), sources, an article, stats, health."""
    searcher.search("banjir jakarta", filters=Filters(source="kompas"), facets=True)
    searcher.sources()
    assert searcher.article("awal-3") is not None
    searcher.stats()
    searcher.health()
    searcher.completions("banj")


@pytest.mark.slow
def test_readers_never_fail_while_writers_swap_generations(tmp_path):
    index = make_index(tmp_path, BASE)
    started = time.monotonic()
    errors: list[str] = []
    reads = [0]
    writes = [0]

    def going() -> bool:
        """SECONDS at least, and at least ENOUGH_WRITES generations swapped in (a loaded machine writes slowly)."""
        elapsed = time.monotonic() - started
        return elapsed < AT_MOST and (elapsed < SECONDS or writes[0] < ENOUGH_WRITES)

    def reader() -> None:
        searcher = Index(index)
        while going():
            try:
                read_everything(searcher)
                reads[0] += 1
            except SearchBusy:
                pass
            except Exception:  # noqa: BLE001 - every failure is counted, whatever it is
                errors.append(traceback.format_exc(limit=4))

    def writer(name: str) -> None:
        documents = BatchedWrites(index, batch_seconds=0.0)
        n = 0
        while going():
            doc_id = f"{name}-{n}"
            try:
                documents.upsert(given({"id": doc_id, "text": f"Kabar {name} nomor {n} tentang banjir.",
                                        "source": "Antara"}))
            except IndexBusy:  # the other writer held the lock past the wait: sent again, as a client would
                continue
            writes[0] += 1
            n += 1

    threads = [threading.Thread(target=reader) for _ in range(4)]
    threads += [threading.Thread(target=writer, args=(f"penulis{k}",)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(AT_MOST + 60)
    assert errors == [], f"{len(errors)} of {reads[0] + len(errors)} reads failed; first:\n{errors[0]}"
    assert writes[0] >= ENOUGH_WRITES and reads[0] >= 10


def test_a_generation_a_reader_holds_is_not_deleted_by_later_writes(tmp_path):
    index = make_index(tmp_path, BASE)
    reader = Index(index)
    reader.search("banjir")
    held = generations.live_generation(index)
    documents = BatchedWrites(index, batch_seconds=0.0)
    for n in range(4):  # each publish used to drop every generation but the new one and the one before
        documents.upsert(given({"id": f"baru-{n}", "text": f"Kabar baru nomor {n}."}))
    assert held.is_dir() and generations.live_generation(index) != held
    assert reader.article("awal-1") is not None  # still reads what it opened... then moves on
    reader.close()
    documents.upsert(given({"id": "baru-9", "text": "Kabar terakhir."}))
    assert not held.exists()  # once no reader holds it, the next publish removes it


def test_a_generation_without_its_readers_lock_gets_one_when_read(tmp_path):
    """A generation restored from a backup (which copies no lock file) is held like any other once read."""
    index = make_index(tmp_path, BASE)
    live = generations.live_generation(index)
    (live / generations.READERS_LOCK).unlink()
    reader = Index(index)
    reader.search("banjir")
    assert (live / generations.READERS_LOCK).is_file()
    documents = BatchedWrites(index, batch_seconds=0.0)
    for n in range(3):
        documents.upsert(given({"id": f"baru-{n}", "text": f"Kabar baru nomor {n}."}))
    assert live.is_dir() and reader.article("awal-1") is not None
