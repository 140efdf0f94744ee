"""Short posting lists kept in the term dictionary read back as W3 wrote them (search/_whoosh/codec.py)."""

import itertools
import json
import pickle

import pytest
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import create_in
from whoosh.writing import SegmentWriter

from search._whoosh import codec, packing, term_dictionary
from search._whoosh.codec import CariCodec
from search.index.fields import article_fields
from search.index.schema import build_schema
from search.ingest.article import Article
from search.ingest.sources import read_articles
from tests.conftest import SEEDS, eval_file


def seed_docs():
    return [article_fields(a) for a in read_articles([SEEDS]) if isinstance(a, Article)]


def indosum_docs(count):
    with eval_file("indosum", "docs.jsonl").open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in itertools.islice(lines, count)]
    return [
        {"id": row["id"], "title": row.get("title", ""), "title_exact": row.get("title", ""),
         "body": row["text"], "body_exact": row["text"]}
        for row in rows
    ]


def build(path, docs, chosen_codec):
    path.mkdir()
    ix = create_in(str(path), build_schema())
    writer = SegmentWriter(ix, codec=chosen_codec)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def everything(ix):
    """Every term's statistics and postings (id, weight, value), and every stored document."""
    with ix.reader() as reader:
        terms = {}
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                     info.max_weight(), info.min_id(), info.max_id())
            counts = (reader.doc_frequency(fieldname, text), reader.frequency(fieldname, text))
            terms[fieldname, text] = (stats, counts, _walk(reader.postings(fieldname, text)))
        missing = [(reader.doc_frequency(f, "zzzq"), reader.frequency(f, "zzzq")) for f in ("body", "id")]
        return terms, missing, list(reader.all_stored_fields())


def _walk(matcher):
    found = []
    while matcher.is_active():
        # A field without values (ID) reads as None from a block, "" inlined: both "no value".
        found.append((matcher.id(), float(matcher.weight()), matcher.value() or None))
        matcher.next()
    return found


@pytest.mark.parametrize("source", ["seeds", pytest.param("indosum", marks=pytest.mark.slow)])
def test_inlined_index_reads_back_like_w3(tmp_path, monkeypatch, source):
    docs = seed_docs() if source == "seeds" else indosum_docs(80)
    monkeypatch.setattr(codec, "INLINE_LIMIT", 3)
    # Blocks of 2 postings: the other lists span several blocks (written by our _write_block).
    inlined = build(tmp_path / "cari", docs, CariCodec(blocklimit=2))
    plain = build(tmp_path / "w3", docs, W3Codec(blocklimit=2))
    ours, theirs = everything(inlined), everything(plain)
    assert ours == theirs
    with inlined.reader() as reader:
        assert any(reader.term_info(*t).doc_frequency() >= 5 for t in reader.all_terms())  # 3+ blocks
        short = [t for t in reader.all_terms() if reader.term_info(*t).doc_frequency() < 3]
        assert short and all(reader.term_info(*t).is_inlined() for t in short)
        assert not any(reader.term_info(*t).is_inlined() for t in reader.all_terms() if t not in set(short))


def test_inlined_postings_are_the_term_infos_ids_and_weights(tmp_path, monkeypatch):
    """The array scorer's direct read of a packed entry gives what the matcher would."""
    from whoosh.reading import TermNotFound

    monkeypatch.setattr(codec, "INLINE_LIMIT", 3)
    ix = build(tmp_path / "cari", seed_docs(), CariCodec(blocklimit=2))
    with ix.reader() as reader:
        terms_reader = reader._terms
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            found = terms_reader.whole_list(fieldname, text)
            if info.is_inlined():
                ids, weights, _ = info._inlined
                assert found == (list(ids), tuple(weights))
            else:
                assert found == info._offset  # where its blocks, and its posting arrays, are found
        with pytest.raises(TermNotFound):
            terms_reader.whole_list("body", b"zzzq")


def test_inlined_postings_are_smaller_than_w3_blocks(tmp_path):
    docs = seed_docs()
    sizes = {}
    for name, chosen in (("cari", CariCodec()), ("w3", W3Codec())):
        build(tmp_path / name, docs, chosen)
        sizes[name] = sum(f.stat().st_size for f in (tmp_path / name).iterdir())
    assert sizes["cari"] < sizes["w3"]


@pytest.mark.parametrize(
    "postings",
    [
        ((3,), (1,), (b"\x00\x00\x00\x01",)),  # Frequency: the count as pack_uint
        ((0, 7, 300000), (2, 1, 5), ()),  # no values (an ID field), a large id gap
        ((5, 6), (1.5, 2.0), (b"", b"x")),  # fractional weights, bytes that are no format's
        ((9,), (3,), (b"\x00\x00\x00\x03\x80\x02]q\x00(K\x01K\x02K\xc8e.",)),  # Positions [1, 3, 203]
    ],
)
def test_packed_inlined_list_unpacks_to_the_same_tuple(postings):
    packed = packing.pack_inlined(*postings)
    assert packing.unpack_inlined(b"xyz" + packed, 3) == tuple(tuple(part) for part in postings)


@pytest.mark.parametrize(
    ("ids", "expected_ids"),
    [
        ((1, 2, 3), [1, 1, 1]),  # every gap below 128: the bytes in one call
        ((127, 255, 383), [127, 0x80, 0x01, 0x80, 0x01]),  # gaps of 128: two bytes each, low seven bits first
    ],
)
def test_packed_gaps_and_weights_are_varints_one_after_another(ids, expected_ids):
    packed = packing.pack_inlined(ids, (1, 200, 1), ())
    # count, gaps, whole weights (marker 0; 200 in two bytes), no values (marker 0, count 0)
    assert packed == bytes([3, *expected_ids, 0, 1, 200 & 0x7F | 0x80, 1, 1, 0, 0])
    assert packing.unpack_inlined(packed) == (ids, (1, 200, 1), ())


@pytest.mark.parametrize(
    ("docnum", "weight", "value", "length"),
    [
        (0, 1.0, b"\x00\x00\x00\x01", 12),  # Frequency
        (300000, 2.0, b"\x00\x00\x00\x02\x80\x02]q\x00(K\x01K\x02e.", 70000),  # Positions, a large id
        (5, 1.0, b"", 0),  # no value, no length (a field that stores none)
        (6, 0.3, b"x", 3),  # a weight no float32 holds exactly, bytes that are no format's
    ],
)
def test_single_posting_entry_is_the_general_entry(docnum, weight, value, length):
    from array import array

    stats = (weight, length or None, length)
    general = packing.inlined_term_info([docnum], array("f", [weight]), [value] if value else [], stats)
    assert packing.inlined_single(docnum, weight, value, length) == general
    assert term_dictionary.CompactTermInfo.from_bytes(general).max_id() == docnum


def test_positions_are_packed_smaller_than_w3s_pickle():
    from whoosh.formats import Positions

    values = tuple(Positions().encode(p) for p in ([4], [10, 12, 90]))
    packed = packing.pack_inlined((17, 250), (1, 3), values)
    assert packing.unpack_inlined(packed)[2] == values
    assert len(packed) < len(pickle.dumps(((17, 250), (1, 3), values), pickle.HIGHEST_PROTOCOL)) / 3
