"""Segment layouts (search/_whoosh/codec.py): each segment records how it was written and is read that way.

Layout 2 codes the posting arrays and keeps the lists of fields without
positions in them alone; an index of layout 1 (every index of format 10
written before it) is read as before, and an update adds layout-2 segments
beside its layout-1 ones, which a merge may join.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3LeafMatcher

import search._whoosh.codec as codec_module
from search import Index
from search._whoosh.arrays import ARRAYS_EXT, CodedArraysWriter, SegmentArrays, code_ids
from search._whoosh.codec import CariCodec, current_codec
from search._whoosh.postings import PostingArrays
from search._whoosh.term_dictionary import ARRAYS_ONLY_MAGIC, ArrayMatcher
from search._whoosh.writers import AdoptingWriter
from search.index import checksums, generations
from search.index.build import build_index
from search.index.format import open_index
from tests.conftest import write_jsonl

QUERIES = ["banjir jakarta", "warga mengungsi nomor7", "pemerintah", '"pemerintah jakarta"', "banjir -nomor3",
           "Berita banjir 3", "source:kompas banjir", "mengungsi OR nomor12"]


def article(n: int) -> dict:
    common = "pemerintah Jakarta banjir " * (1 + n % 4)
    return {"id": f"a{n}", "title": f"Berita banjir {n % 7} Tokoh{n % 13}", "source": ["Kompas", "Tempo"][n % 2],
            "date": f"20{10 + n % 12}-0{1 + n % 9}-1{n % 10}",
            "text": f"{common} warga nomor{n % 50} mengungsi. Kata Joko Widodo{n % 3} di Istana. " * 3}


def build(folder, tmp_path, layouts, monkeypatch, procs=1):
    """An index of 1,200 articles (a worker's segment writer) then 60 more (Whoosh's, in the parent), each part
    written with its layout (``layouts``: two of them); one process, so the document numbers are the same."""
    for (first, count), layout in zip(((0, 1200), (1200, 60)), layouts, strict=True):
        monkeypatch.setattr(codec_module, "LAYOUT", layout)
        docs = write_jsonl(tmp_path / f"{first}.jsonl", [article(n) for n in range(first, first + count)])
        build_index([docs], folder, procs=procs if first == 0 else 1, mode="full" if first == 0 else "add")
    monkeypatch.setattr(codec_module, "LAYOUT", 2)
    return folder


def segment_layouts(folder) -> list[int]:
    _, ix = open_index(folder)
    return segment_layouts_of(ix)


def postings_of(folder) -> dict:
    """Every term's postings (id, weight, value) as Whoosh's matchers give them, in index document numbers."""
    _, ix = open_index(folder)
    return postings_of_ix(ix)


def walked(matcher) -> list:
    """(id, weight, value) of every posting; a value-less posting's value as b"" (Whoosh gives "" for a list packed
    in the term dictionary, None for one in blocks, and the weight 1 or 1.0 likewise, in either layout)."""
    found = []
    while matcher.is_active():
        found.append((matcher.id(), float(matcher.weight()), matcher.value() or b""))
        matcher.next()
    return found


def rankings(folder) -> list:
    searcher = Index(folder)
    return [[(h.id, round(h.score, 9)) for h in searcher.search(q, limit=30).hits] for q in QUERIES]


def segment_parts(folder) -> dict[str, int]:
    """Bytes of each kind of sub-file (``pst``, ``cpa``...) summed over the live generation's segments."""
    from bench.index_size import sizes

    return dict(sizes(generations.live_generation(folder)))


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory):
    """The same articles written all in layout 1 (as format-10 indexes were) and all in layout 2."""
    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("layouts")
    try:
        return {layout: build(base / f"ix{layout}", base, (layout, layout), mp) for layout in (1, 2)}
    finally:
        mp.undo()


def test_new_segments_record_layout_2_and_old_ones_stay_layout_1(old_and_new):
    from bench.index_size import segment_layouts as shown

    assert set(segment_layouts(old_and_new[1])) == {1}
    assert set(segment_layouts(old_and_new[2])) == {2}
    for layout in (1, 2):  # what `python -m bench.index_size` prints
        assert shown(generations.live_generation(old_and_new[layout])) == segment_layouts(old_and_new[layout])
    assert current_codec().layout == 2
    # An index of layout 1 pickles its codec as format 10 always did (three numbers): old code reads it.
    assert CariCodec().__reduce__()[1] == ("codec", 128, 3, 32)
    assert CariCodec(layout=2).__reduce__()[1] == ("codec", 128, 3, 32, 2)
    with pytest.raises(ValueError, match="layout"):
        CariCodec(layout=9)


def test_layout_2_reads_every_posting_and_ranks_exactly_as_layout_1(old_and_new):
    old, new = postings_of(old_and_new[1]), postings_of(old_and_new[2])
    assert old == new
    assert len(old) > 500
    assert rankings(old_and_new[2]) == rankings(old_and_new[1])
    assert all(rankings(old_and_new[1])[:3])


def test_layout_2_is_smaller_without_second_copies(old_and_new):
    old, new = segment_parts(old_and_new[1]), segment_parts(old_and_new[2])
    assert new["cpa"] < 0.45 * old["cpa"]  # coded: ~1.5 bytes a posting instead of 5
    assert new["pst"] < 0.8 * old["pst"]  # no blocks for the fields without positions
    assert new["trm"] == old["trm"] and new["col"] == old["col"]  # the rest of a segment as it was


def test_fields_without_positions_keep_no_blocks_and_their_matchers_read_the_arrays(old_and_new):
    _, ix = open_index(old_and_new[2])
    with ix.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers())
        body_exact = leaf.postings("body_exact", "banjir")
        assert type(body_exact) is ArrayMatcher
        offset, _ = leaf._terms.term_info("body_exact", b"banjir").extent()
        with leaf.storage().open_file(leaf.segment().make_filename(".pst")) as postfile:
            assert postfile.read()[offset : offset + 4] == ARRAYS_ONLY_MAGIC
        assert type(leaf.postings("body", "banjir")) is W3LeafMatcher  # positions: blocks, for phrases
        ids = list(body_exact.all_ids())
        body_exact.reset()
        body_exact.skip_to(ids[len(ids) // 2] + 1)
        assert body_exact.id() == ids[len(ids) // 2 + 1]


def test_an_old_index_updated_gets_new_segments_beside_its_old_ones_and_a_merge_joins_them(
        tmp_path, monkeypatch, old_and_new):
    mixed = build(tmp_path / "mixed", tmp_path, (1, 2), monkeypatch)
    assert segment_layouts(mixed) == [1, 2]
    assert postings_of(mixed) == postings_of(old_and_new[1])
    assert rankings(mixed) == rankings(old_and_new[1])
    _, ix = open_index(mixed)
    with ix.reader() as reader:
        postings = PostingArrays(reader)
        assert [found.layout for found in postings.arrays] == [1, 2]
        ids, weights = postings.read("body_exact", "banjir")
        assert len(ids) == 1260 and (np.diff(ids) > 0).all()
    # A merge (Whoosh's writer with Cari's codec: the tenth small write in a row) reads both, writes layout 2.
    AdoptingWriter(ix, codec=current_codec()).commit(optimize=True)
    assert segment_layouts_of(ix) == [2]
    assert postings_of_ix(ix) == postings_of(old_and_new[1])


def segment_layouts_of(ix) -> list[int]:
    with ix.refresh().reader() as reader:
        return [leaf.codec().layout for leaf, _ in reader.leaf_readers()]


def postings_of_ix(ix) -> dict:
    with ix.refresh().reader() as reader:
        return {(f, t): walked(reader.postings(f, t)) for f, t in reader.all_terms()}


def test_a_flipped_byte_in_the_coded_arrays_is_found_by_the_checksums(tmp_path, monkeypatch):
    folder = build(tmp_path / "ix", tmp_path, (2, 2), monkeypatch)
    generation, ix = open_index(folder)
    with ix.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers())
        offset, length = leaf.storage().a.range(leaf.segment().make_filename(ARRAYS_EXT))
        path = generation / leaf.segment().make_filename(".seg")
    expected = generations.read_manifest(generation)["checksums"]
    assert checksums.first_mismatch(generation, expected, again=True) is None
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0x01  # inside the coded ids
    path.write_bytes(data)
    assert "checksum" in checksums.first_mismatch(generation, expected, again=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 70000), min_size=1, max_size=300), st.integers(0, 3),
       st.lists(st.sampled_from([1.0, 1.0, 1.0, 2.0, 3.0, 0.0, 255.0, 7.5, 300.0]), min_size=300, max_size=300))
def test_coded_lists_read_back_exactly(gaps, first, weights):
    ids = np.cumsum([first, *gaps[1:]]).astype(np.int32) if first == 0 else np.cumsum(gaps).astype(np.int32)
    weights = np.array(weights[: len(ids)], dtype=np.float32)
    writer = CodedArraysWriter()
    writer.add(3, ids, weights)
    writer.add(9, ids[:1], weights[:1])
    out = bytearray()

    class Sink:
        def write(self, data):
            out.extend(data)

    writer.write_to(Sink())
    for shift in (0, 3):  # the file anywhere in its segment file
        found = SegmentArrays(memoryview(bytes(shift) + bytes(out))[shift:])
        got_ids, got_weights = found.get(3)
        assert got_ids.tolist() == ids.tolist()
        assert got_weights.astype(float).tolist() == weights.astype(float).tolist()
        assert found.get(9)[0].tolist() == ids[:1].tolist() and found.get(4) is None
        # Decoded into the middle of a term's arrays, a later segment's offset added to every id.
        into_ids, into_weights = np.full(len(ids) + 2, -1, np.int32), np.zeros(len(ids) + 2, np.float32)
        found.decode_into(found.find(3), into_ids[1:-1], into_weights[1:-1], offset=1_000_000)
        assert into_ids[1:-1].tolist() == (ids + 1_000_000).tolist() and into_ids[[0, -1]].tolist() == [-1, -1]
        assert into_weights[1:-1].tolist() == weights.astype(float).tolist() and not into_weights[[0, -1]].any()
        assert found.ids_at(found.find(3)).tolist() == ids.tolist()  # the ids alone, as live counts read them


def test_dense_lists_take_a_byte_a_posting_and_sparse_ones_stay_int32():
    dense = np.arange(0, 3000, 3, dtype=np.int32)
    assert code_ids(dense)[0] == 1 and len(code_ids(dense)[1]) < 1.1 * len(dense) + 8
    sparse = np.arange(0, 3_000_000, 100_000, dtype=np.int32)
    assert code_ids(sparse)[0] == 0 and len(code_ids(sparse)[1]) == 4 * len(sparse)
