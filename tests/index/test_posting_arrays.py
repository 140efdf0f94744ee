"""Posting lists written once as arrays beside Whoosh's blocks (search/_whoosh/arrays.py) and read as views."""

import re
from pathlib import Path

import numpy as np
import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher

import search.index.workers
from search._whoosh import arrays as arrays_module
from search._whoosh.arrays import ARRAYS_EXT, PostingArraysWriter, SegmentArrays
from search._whoosh.postings import PostingArrays, decoded_blocks
from search.index.build import build_index
from search.index.format import open_index
from tests.conftest import write_jsonl

SCORED = ("title", "body", "title_exact", "body_exact", "source", "year", "answers")


def article(n: int) -> dict:
    common = "pemerintah Jakarta banjir " * (1 + n % 4)
    return {"id": f"a{n}", "title": f"Berita banjir {n % 7}", "source": ["Kompas", "Tempo"][n % 2],
            "date": f"20{10 + n % 12}-0{1 + n % 9}-1{n % 10}", "text": f"{common} warga nomor{n % 50} mengungsi. " * 3}


def decoded(postings: PostingArrays, fieldname: str, text: str) -> tuple[list, list]:
    """The term's postings as Whoosh's block reader decodes them, segment after segment."""
    ids, weights = [], []
    for reader, offset in postings.leaves:
        try:
            for block_ids, block_weights in decoded_blocks(reader, fieldname, text):
                ids += [i + offset for i in block_ids]
                weights += [float(w) for w in block_weights]
        except KeyError:
            pass
    return ids, weights


@pytest.fixture
def index(tmp_path):
    """An index of 1,200 articles written by two workers, then 40 more added by the parent (Whoosh's writer)."""
    folder = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", [article(n) for n in range(1200)])], folder, procs=2)
    build_index([write_jsonl(tmp_path / "b.jsonl", [article(n) for n in range(1200, 1240)])], folder, mode="add", procs=1)
    return folder


def test_every_segment_has_its_arrays_and_every_list_reads_as_whoosh_decodes_it(index):
    assert_arrays_read_as_decoded(index)


def test_terms_written_out_of_memory_in_runs_keep_their_arrays(tmp_path, monkeypatch):
    monkeypatch.setattr(search.index.workers, "WORKER_LIMIT_MB", 0.05)  # every worker writes many runs
    folder = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", [article(n) for n in range(1200)])], folder, procs=2)
    assert_arrays_read_as_decoded(folder)


def assert_arrays_read_as_decoded(index):
    _, ix = open_index(index)
    with ix.reader() as reader:
        postings = PostingArrays(reader)
        assert len(postings.leaves) >= 2
        assert all(found is not None and len(found.keys) for found in postings.arrays)
        checked = 0
        for fieldname, tbytes in reader.all_terms():
            if fieldname in SCORED:
                text = tbytes.decode("utf-8")
                ids, weights = postings.read(fieldname, text)
                assert (ids.tolist(), weights.astype(float).tolist()) == decoded(postings, fieldname, text), text
                checked += 1
        assert checked > 100


@pytest.mark.parametrize("layout", [1, 2])
def test_a_list_stored_as_blocks_is_read_from_the_arrays_without_decoding_blocks(tmp_path, monkeypatch, layout):
    """Layout 1 (indexes of format 10 before it): a view of the mapped segment file. Layout 2: decoded from the
    coded arrays by numpy, still no block of Whoosh's read."""
    monkeypatch.setattr("search._whoosh.codec.LAYOUT", layout)
    folder = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", [article(n) for n in range(300)])], folder, procs=1)
    _, ix = open_index(folder)
    with ix.reader() as reader:
        postings = PostingArrays(reader)
        before = decoded(postings, "body", "banjir")
        assert len(before[0]) == 300  # more than a block: stored as blocks, not in the dictionary

        def no_decoding(*args):
            raise AssertionError("a block was decoded")

        monkeypatch.setattr(W3LeafMatcher, "_read_ids", no_decoding)
        ids, weights = postings.read("body", "banjir")
        if layout == 1:
            assert not ids.flags.owndata and not ids.flags.writeable  # a view of the mapped segment
        assert weights.dtype == np.uint8  # term frequencies, one byte each
        assert (ids.tolist(), weights.astype(float).tolist()) == before


def test_an_index_without_arrays_is_read_by_decoding_the_blocks(index, monkeypatch):
    monkeypatch.setattr("search._whoosh.postings.segment_arrays", lambda reader: None)
    _, ix = open_index(index)
    with ix.reader() as reader:
        postings = PostingArrays(reader)
        assert postings.arrays == [None] * len(postings.leaves)
        ids, weights = postings.read("body", "banjir")
        assert (ids.tolist(), weights.astype(float).tolist()) == decoded(postings, "body", "banjir")
        assert len(ids) == 1240


def test_searches_rank_the_same_with_and_without_the_arrays(index, monkeypatch):
    from search import Index

    queries = ["banjir jakarta", "warga mengungsi nomor7", "pemerintah", "Berita banjir 3"]

    def rankings():
        searcher = Index(index)
        return [[(h.id, h.score) for h in searcher.search(text, limit=20).hits] for text in queries]

    with_arrays = rankings()
    monkeypatch.setattr("search._whoosh.postings.segment_arrays", lambda reader: None)
    assert rankings() == with_arrays
    assert all(with_arrays)


def test_the_writer_keeps_weights_in_one_byte_only_when_they_all_are_small_whole_numbers(tmp_path):
    for weights, dtype in (([1.0, 3.0, 255.0], np.uint8), ([1.0, 2.5], np.float32), ([1.0, 256.0], np.float32)):
        writer = PostingArraysWriter(str(tmp_path))
        writer.add(7, [0, 5, 9][: len(weights)], weights)
        writer.add(90, [2], [1.0])
        with open(tmp_path / "out", "wb") as out:
            writer.write_to(out)
        found = SegmentArrays(memoryview((tmp_path / "out").read_bytes()))
        ids, read = found.get(7)
        assert read.dtype == dtype and read.astype(float).tolist() == weights
        assert ids.tolist() == [0, 5, 9][: len(weights)]
        assert found.get(90)[0].tolist() == [2] and found.get(8) is None
    with pytest.raises(ValueError, match="increase"):
        writer = PostingArraysWriter(str(tmp_path))
        writer.add(5, [1], [1.0])
        writer.add(5, [2], [1.0])


def test_the_lists_are_found_in_arrays_that_start_at_any_offset_of_the_segment_file(tmp_path):
    """The arrays file sits anywhere inside its compound segment file: its keys and starts (searched at every
    term) are made aligned, so a lookup is a binary search and not a copy of every key; the views of the
    ids and weights stay views of the file."""
    writer = PostingArraysWriter(str(tmp_path))
    for key in range(1, 3000):
        writer.add(10 * key, [key, key + 1], [1.0, 2.0])
    with open(tmp_path / "out", "wb") as out:
        writer.write_to(out)
    data = (tmp_path / "out").read_bytes()
    for shift in range(8):
        buffer = memoryview(bytes(shift) + data)[shift:]  # the file at an offset that is not a multiple of 8
        found = SegmentArrays(buffer)
        assert found.keys.flags.aligned and found.starts.flags.aligned
        ids, weights = found.get(10 * 1234)
        assert ids.tolist() == [1234, 1235] and weights.tolist() == [1, 2] and found.get(10 * 1234 + 1) is None
        assert not ids.flags.owndata and not weights.flags.owndata


def test_the_arrays_are_inside_the_checksummed_segment_file(index):
    """A flipped byte in the arrays is a damaged index at opening, like any other byte of it."""
    from search.errors import IndexDamaged
    from search.index import generations

    generation, ix = open_index(index)
    with ix.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers())
        compound = leaf.storage().a
        offset, length = compound.range(leaf.segment().make_filename(ARRAYS_EXT))
        path = generation / leaf.segment().make_filename(".seg")
    assert length > 0
    data = bytearray(path.read_bytes())
    data[offset + length - 1] ^= 0xFF  # the last weight
    path.write_bytes(data)
    with pytest.raises(IndexDamaged, match="checksum"):
        open_index(index)
    assert generations.live_generation(index) == generation


def test_a_file_that_is_not_posting_arrays_is_ignored(tmp_path):
    assert arrays_module.segment_arrays is not None
    with pytest.raises(ValueError):
        SegmentArrays(memoryview(b"NOTARRAY" + bytes(24)))


def test_files_of_a_compound_segment_are_read_from_the_map_not_copied(index):
    """Whoosh's BufferFile copied each file (postings, stored fields, terms) into every searching process."""
    import pickle
    import tracemalloc

    from search._whoosh.mapped import MappedBufferFile

    generation, ix = open_index(index)
    with ix.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers())
        compound = leaf.storage().a
        names = sorted(compound.list(), key=lambda name: -compound.range(name)[1])
        name = names[0]  # the largest file of the segment
        offset, length = compound.range(name)
        whole = (generation / leaf.segment().make_filename(".seg")).read_bytes()[offset : offset + length]
        assert length > 10_000
        tracemalloc.start()
        opened = compound.open_file(name)
        copied = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert isinstance(opened, MappedBufferFile) and copied < length // 10
        assert opened.read(100) == whole[:100]
        opened.seek(length - 50)
        assert opened.read() == whole[-50:] and opened.tell() == length
        opened.seek(-10, 2)
        assert opened.read(20) == whole[-10:]
        assert opened.get(1234, 56) == whole[1234:1290]
        opened.seek(0)
        assert opened.readline() == whole[: whole.index(b"\n") + 1] if b"\n" in whole else True
        opened.close()
    # A pickle read sequentially (Whoosh's own records) reads back the same through the map.
    blob = pickle.dumps({"kata": list(range(1000))})
    mapped = MappedBufferFile(memoryview(b"xx" + blob))
    mapped.seek(2)
    assert mapped.read_pickle() == {"kata": list(range(1000))}


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads Linux's /proc/self/smaps")
def test_a_searcher_maps_its_segments_for_random_reads(index):
    """A fault on a mapped page not in memory reads only its page (MADV_RANDOM), not the disk's read-ahead
    around it: where the index does not fit in a server's memory, that read-ahead thrashed (search/_whoosh/mapped.py)."""
    from search import Index

    searcher = Index(index)
    assert searcher.search("banjir").total
    flags = {}  # each mapped segment file of the index -> its VmFlags
    mapping = None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):
            mapping = line.split()[-1] if str(index) in line and line.endswith(".seg") else None
        elif line.startswith("VmFlags:") and mapping:
            flags[mapping] = line.split()[1:]
    assert len(flags) >= 2  # the two workers' segments, the parent's added one
    assert all("rr" in found for found in flags.values()), flags
    searcher.close()
