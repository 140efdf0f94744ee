"""Each article's topics stored at index time (search.index.topic_points): one file per segment, the same points
a query would compute, kept by an update for the segments it did not write, written again when the topics are
learned again, and a damaged file is found by the manifest's checksums (and not read)."""

import os

import numpy as np
import pytest

from search import Index
from search.analysis.article_terms import head_bag
from search.errors import IndexDamaged
from search.index import topic_points, topics
from search.index.build import build_index
from search.index.format import open_for_searching
from search.index.generations import live_generation
from search.index.workers import IndexingFailed
from tests.conftest import make_index, write_jsonl


def _files(index_dir):
    return {path.name: path.stat().st_ino for path in live_generation(index_dir).glob(topic_points.PREFIX + "*.npy")}


def _opened(index_dir):
    """The live generation's Whoosh index and its topics with their stored points."""
    generation = live_generation(index_dir)
    ix, verification, _ = open_for_searching(index_dir, generation)
    verification.stop()
    learned = topics.Topics.load(generation)
    return ix, learned


def _related(index_dir, doc_ids):
    index = Index(index_dir)
    return {doc_id: [hit.id for hit in index.related(doc_id, limit=10)] for doc_id in doc_ids}


def test_points_are_stored_per_segment_kept_by_an_update_and_equal_the_computed_ones(tmp_path, indosum_docs,
                                                                                       monkeypatch):
    monkeypatch.setattr(topics, "RELEARN_BELOW", 100)  # an index of 150 is "large": its updates keep the topics
    docs = list(indosum_docs.values())
    index_dir = make_index(tmp_path, docs[:150])
    first = _files(index_dir)
    assert first  # one file per segment

    ix, learned = _opened(index_dir)
    with ix.searcher() as searcher:
        stored_points = topic_points.StoredPoints(live_generation(index_dir), searcher.reader(),
                                                  learned.vectors.shape[1])
        assert stored_points.complete
        cosines = []
        for doc in docs[:150:7]:
            docnum = searcher.document_number(id=doc["id"])
            stored = stored_points.get(docnum)
            computed = learned.point(head_bag(doc["title"], searcher.stored_fields(docnum)["body"]))
            assert (stored is None) == (computed is None)
            if stored is not None:
                cosines.append(float(stored @ computed))
        assert min(cosines) > 0.99  # int8 rows: the same point within rounding

    build_index([write_jsonl(tmp_path / "more.jsonl", [*docs[:150], *docs[400:405]])], index_dir)  # an update
    second = _files(index_dir)
    assert set(first) < set(second)  # the new segment's file beside the old ones
    assert all(second[name] == inode for name, inode in first.items())  # kept: the same files, hard-linked
    hits = Index(index_dir).related(docs[401]["id"], limit=10)  # a new article's related ones read stored points
    assert hits

    monkeypatch.setattr(topics, "RELEARN_GROWTH", 1.02)  # grown 160/150 times: topics learned again, every file new
    build_index([write_jsonl(tmp_path / "more.jsonl", [*docs[:150], *docs[400:410]])], index_dir)
    third = _files(index_dir)
    assert not set(third.values()) & set(second.values())


def test_related_articles_are_the_same_as_with_points_computed_and_a_damaged_file_is_found(tmp_path, indosum_docs,
                                                                                          monkeypatch):
    docs = list(indosum_docs.values())
    floods = [doc for doc in docs if "banjir" in doc["title"].lower()][:30]
    others = [doc for doc in docs if "banjir" not in doc["title"].lower()][:120]
    index_dir = make_index(tmp_path, floods + others)
    asked = [doc["id"] for doc in floods[:5]]
    stored = _related(index_dir, asked)
    assert sum("banjir" in indosum_docs[doc_id]["title"].lower() for doc_id in stored[asked[0]]) >= 8

    with monkeypatch.context() as patched:  # as an index written before the points were stored
        patched.setattr(topic_points.StoredPoints, "get", lambda self, docnum: topic_points.StoredPoints.MISSING)
        computed = _related(index_dir, asked)
    shared = [len(set(stored[doc_id]) & set(computed[doc_id])) for doc_id in asked]
    assert min(shared) >= 8, shared  # int8 rounding may swap a close pair at the end of a list, no more

    generation = live_generation(index_dir)
    damaged = sorted(generation.glob(topic_points.PREFIX + "*.npy"))[0]
    damaged.write_bytes(damaged.read_bytes()[:100])
    with pytest.raises(IndexDamaged, match=damaged.name):  # checksummed like every file of a generation
        _related(index_dir, asked)
    assert topic_points.load_rows(damaged, 150, learned_dimensions(generation)) is None  # and never read as points


def learned_dimensions(generation):
    return topics.Topics.load(generation).vectors.shape[1]


def test_an_index_without_topics_has_no_points_files(tmp_path, indosum_docs):
    docs = list(indosum_docs.values())[:2]  # too few articles to learn topics from
    index_dir = make_index(tmp_path, docs)
    assert not (live_generation(index_dir) / topics.RECORD).exists()
    assert not _files(index_dir)
    rows = np.zeros((2, 3), dtype=np.int8)
    assert topic_points.load_rows(tmp_path / "nowhere.npy", 2, 3) is None
    np.save(tmp_path / "rows.npy", rows)
    assert topic_points.load_rows(tmp_path / "rows.npy", 3, 3) is None  # not the segment's shape
    assert topic_points.load_rows(tmp_path / "rows.npy", 2, 3) is not None


def test_an_update_of_an_index_written_before_points_computes_only_its_new_segments(tmp_path, indosum_docs,
                                                                                    monkeypatch):
    monkeypatch.setattr(topics, "RELEARN_BELOW", 100)  # an update keeps the topics (as at 1,000,000 articles)
    docs = list(indosum_docs.values())
    with monkeypatch.context() as older_code:  # the index as code before the points wrote it: no points files
        older_code.setattr(topic_points, "write", lambda generation, ix, relearned, live=None, procs=1: 0)
        index_dir = make_index(tmp_path, docs[:150])
    assert not _files(index_dir)

    computed = []
    real_segment_points = topic_points.segment_points
    monkeypatch.setattr(topic_points, "segment_points",
                        lambda leaf, learned: computed.append(leaf.doc_count_all()) or real_segment_points(leaf, learned))
    build_index([write_jsonl(tmp_path / "more.jsonl", [*docs[:150], *docs[400:405]])], index_dir)
    assert computed and max(computed) < 150  # only the update's own segment, never the 150 kept ones
    assert len(_files(index_dir)) == 1
    assert Index(index_dir).related(docs[3]["id"], limit=10)  # an old article's point computed at query time

    build_index([write_jsonl(tmp_path / "all.jsonl", docs[:155])], index_dir, full=True)  # a rebuild stores them all
    ix, learned = _opened(index_dir)
    with ix.searcher() as searcher:
        assert topic_points.StoredPoints(live_generation(index_dir), searcher.reader(),
                                         learned.vectors.shape[1]).complete


def test_a_build_places_its_segments_in_processes_of_their_own_with_the_same_points(tmp_path, indosum_docs,
                                                                                     monkeypatch):
    docs = list(indosum_docs.values())[:700]  # enough for two workers: a segment each
    monkeypatch.setattr(topic_points, "PARALLEL_DOCUMENTS", 0)
    real_segment_points = topic_points.segment_points
    placers = tmp_path / "placers.txt"

    def recorded(leaf, learned):  # the forked processes inherit it
        with placers.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real_segment_points(leaf, learned)

    monkeypatch.setattr(topic_points, "segment_points", recorded)
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "articles.jsonl", docs)], index_dir, procs=2)
    assert len(_files(index_dir)) == 2
    pids = placers.read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2 and str(os.getpid()) not in pids  # one process a segment

    ix, learned = _opened(index_dir)
    generation = live_generation(index_dir)
    with ix.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            stored = np.load(topic_points.file_of(generation, leaf.segment().segment_id()))
            assert np.array_equal(stored, real_segment_points(leaf, learned))  # what this process would have written

    def failing(leaf, learned):
        raise MemoryError("placing")

    before = live_generation(index_dir)
    monkeypatch.setattr(topic_points, "segment_points", failing)
    with pytest.raises(IndexingFailed, match="placing the articles in the topics failed"):
        build_index([write_jsonl(tmp_path / "articles.jsonl", docs[:650])], index_dir, procs=2, full=True)
    assert live_generation(index_dir) == before  # the previous index still serves
    assert Index(index_dir).related(docs[3]["id"], limit=10)


def test_a_full_disk_in_a_worker_is_said_as_the_disk_says_it_and_the_index_is_unchanged(tmp_path, indosum_docs,
                                                                                          monkeypatch):
    """A rebuild on a full disk (a 60 MB tmpfs) said 'An indexing worker failed: OSError: [Errno 28] No space left
    on device.', an exception's name and number; it says the device's words and the file."""
    import errno

    from search.index import workers

    docs = list(indosum_docs.values())[:650]
    index_dir = make_index(tmp_path / "first", docs[:20])
    before = live_generation(index_dir)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(index_dir / "MAIN_x.seg"))

    monkeypatch.setattr(workers, "worker_writer", full)  # in the workers: forked after this
    with pytest.raises(IndexingFailed) as failed:
        build_index([write_jsonl(tmp_path / "articles.jsonl", docs)], index_dir, procs=2, full=True)
    assert str(failed.value) == (f"An indexing worker failed: No space left on device ({index_dir / 'MAIN_x.seg'}). "
                                 "The previous index is unchanged.")
    assert live_generation(index_dir) == before
