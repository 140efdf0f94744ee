"""The writer process's warm-up (``search.index.writer.warm_up``) loads what a write reads once, before the first write
arrives (issue 24: a newsroom restarts the service, and its first correction must be visible within 5 s like every
later one): the story record's signatures in a buffer with rows to spare (the first addition writes into it instead of
copying every signature, 256 MB at 1,000,000 articles), the topics a write's new articles are placed with, Sastrawi's
dictionary and the archive's common roots. A first write after it reads none of them, as a later write does not."""

import numpy as np
import pytest

import search
from search.analysis.stemmer import shared_stemmer
from search.index import generations, kept, stories, topics
from search.index.documents import BatchedWrites
from search.index.format import COMMON_ROOTS, forget_learned_roots
from search.index.writer import warm_up
from tests.conftest import make_index

pytestmark = pytest.mark.slow


@pytest.fixture
def warmed(tmp_path, indosum_docs, monkeypatch):
    monkeypatch.setattr(topics, "RELEARN_BELOW", 100)  # an index of 200 is "large": a write keeps its topics
    kept.forget()
    forget_learned_roots()
    docs = list(indosum_docs.values())
    index = make_index(tmp_path, docs[:200])
    kept.forget()  # a new process: nothing kept, nothing learned
    forget_learned_roots()
    shared_stemmer().known_roots().clear()
    vars(shared_stemmer()).pop("dictionary", None)
    yield index, docs
    kept.forget()


def _kept_story_record(index):
    with kept.keeping():
        return kept.peek(generations.live_generation(index) / stories.RECORD, stories.RECORD)


def test_the_warm_up_reads_the_signatures_into_a_buffer_the_first_addition_writes_into(warmed):
    index, docs = warmed
    warm_up(index)
    record = _kept_story_record(index)
    assert record is not None and record.buffer is not None and len(record.buffer) > len(record.ids)
    assert np.shares_memory(record.buffer, record.values)
    buffer = record.buffer
    BatchedWrites(index, keep_records=True).upsert([search.given_article(doc, "test")[0] for doc in docs[200:210]])
    after = _kept_story_record(index)
    assert after is not None and len(after.ids) == 210
    assert after.buffer is buffer and np.shares_memory(after.values, buffer)  # written in place: nothing copied
    assert np.array_equal(after.values, stories.read(generations.live_generation(index)).values)


def test_a_first_write_after_the_warm_up_reads_no_topics_and_stems_with_the_common_roots(warmed, monkeypatch):
    index, docs = warmed
    warm_up(index)
    assert shared_stemmer().loaded
    common = generations.read_record(generations.live_generation(index), COMMON_ROOTS)
    assert common and all(shared_stemmer().known_roots().get(word) == root for word, root in common.items())
    loads = []
    load = topics.Topics.load
    monkeypatch.setattr(topics.Topics, "load", classmethod(lambda cls, generation: loads.append(generation)
                                                           or load(generation)))
    BatchedWrites(index, keep_records=True).upsert([search.given_article(doc, "test")[0] for doc in docs[200:210]])
    assert loads == []  # the topics the warm-up kept placed the new articles
    assert len(list(generations.live_generation(index).glob("topic-points-*.npy"))) >= 2  # the new segment's points


def test_a_writers_list_of_articles_is_grown_and_cut_in_place_write_after_write(warmed):
    """The list of articles a write starts from is its own (taken from what the process kept): an addition grows it
    and a removal cuts it in place, the same object from write to write (a copy of 1,000,000 ids cost 0.03-0.09
    CPU-s a write), and it is what the record then holds."""
    from search.index.format import CONTENTS

    index, docs = warmed
    warm_up(index)

    def kept_list():
        with kept.keeping():
            return kept.peek(generations.live_generation(index) / CONTENTS, CONTENTS)

    first = kept_list()
    assert first is not None and len(first) == 200
    writes = BatchedWrites(index, keep_records=True)
    writes.upsert([search.given_article(doc, "test")[0] for doc in docs[200:205]])
    assert kept_list() is first and len(first) == 205
    writes.delete([docs[3]["id"], docs[202]["id"]])
    assert kept_list() is first and len(first) == 203 and docs[3]["id"] not in first
    assert generations.read_record(generations.live_generation(index), CONTENTS) == first
    assert list(generations.read_record(generations.live_generation(index), CONTENTS)) == list(first)


def test_the_warm_up_leaves_the_rows_by_bucket_to_the_writing_thread_after_the_writes_waiting(warmed):
    """The rows by bucket (story_groups.Buckets, 1.35 CPU-s at 1,000,000 articles) are not made before the writes
    may start: a write sent during the warm-up goes first (it passes over every row once), then the writing thread
    gives the record it kept its rows by bucket, the same as made from that record's signatures."""
    import threading
    import time

    from search.index import story_groups

    index, docs = warmed
    ready = threading.Event()
    writes = BatchedWrites(index, keep_records=True, ready=ready)
    sent = threading.Thread(target=writes.upsert, args=([search.given_article(doc, "test")[0] for doc in docs[200:210]],))
    sent.start()
    while writes.idle():  # the write sent during the warm-up waits for it in the writes' queue
        time.sleep(0.01)
    seen: list[tuple[int, bool]] = []

    def look() -> None:  # queued before the warm-up's own job: runs after the write, before the rows by bucket
        record = _kept_story_record(index)
        seen.append((len(record.ids), record.buckets is None))

    writes.when_idle(look)
    warm_up(index, ready, writes)
    assert ready.is_set()
    sent.join(120)
    done = threading.Event()
    writes.when_idle(done.set)  # after every job queued before it
    assert done.wait(120)
    assert seen == [(210, True)]  # the write went first, without rows by bucket
    record = _kept_story_record(index)
    assert record is not None and len(record.ids) == 210  # the write went first
    assert record.buckets is not None  # then the writing thread made them for the record it kept
    assert np.array_equal(record.buckets.order, story_groups.Buckets(record.values).order)
