"""The per-term segment writer's index reads back as Whoosh's own SegmentWriter's (search/segwriter.py)."""

import random

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.index import create_in
from whoosh.writing import SegmentWriter

from search._whoosh import field_postings
from search._whoosh.codec import CariCodec
from search._whoosh.lengths import CachedLengthBM25F
from search._whoosh.segwriter import PerTermSegmentWriter
from search.index.fields import article_fields
from search.index.schema import build_schema
from search.ingest.article import Article
from search.ingest.sources import read_articles
from search.query.builder import QueryBuilder
from search.query.weights import BM25_PARAMS
from tests.conftest import SEEDS

QUERIES = ["presiden jokowi", "berlari lari", "harga minyak naik", '"jalan tol"', "kata OR sama", "banjir -jakarta"]
WORDS = [f"kata{i}" for i in range(60)] + ["berlari", "lari", "pelari", "presiden", "harga", "naik", "yang", "dan"]


def seed_docs():
    return [article_fields(a) for a in read_articles([SEEDS]) if isinstance(a, Article)]


def synthetic_docs(count, seed=7):
    """Documents whose common words fill several blocks, with repeats (positions) and empty fields."""
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        # Zipf-like: a few words in most documents, many in a few; some rare words of their own.
        body = [rng.choice(WORDS[: rng.randint(1, len(WORDS))]) for _ in range(rng.randint(0, 120))]
        body += [f"langka{n}x{k}" for k in range(rng.randint(0, 3))]
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))
        docs.append({
            "id": f"doc{n}", "title": title, "title_exact": title, "body": " ".join(body),
            "body_exact": " ".join(body), "source": rng.choice(["kompas", "detik", "tempo co"]),
            "answers": rng.choice(["", "date", "date number"]),
        })
    docs[3]["title"] = docs[3]["title_exact"] = ["kata1", "langka3x0", "kata1"]  # words as given, not analysed
    return docs


def build(path, docs, writer_class, layout=1, before_commit=None, **options):
    path.mkdir()
    ix = create_in(str(path), build_schema())
    writer = writer_class(ix, codec=CariCodec(layout=layout), **options)
    for doc in docs:
        writer.add_document(**doc)
    if before_commit is not None:
        before_commit(writer)
    writer.commit()
    return ix, writer


def terms_and_postings(ix, blocks: bool):
    """Every term's statistics and postings (id, weight, value); with ``blocks``, each block's too."""
    found = {}
    with ix.reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                     info.max_weight(), info.min_id(), info.max_id())
            matcher = reader.postings(fieldname, text)
            postings, layout = [], []
            while matcher.is_active():
                if blocks and type(matcher) is W3LeafMatcher:  # a new block: a new last id
                    block = (matcher.block_max_id(), matcher.block_max_weight(),
                             matcher.block_min_length(), matcher.block_max_length())
                    if not layout or layout[-1] != block:
                        layout.append(block)
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            found[fieldname, text] = (stats, postings, layout if blocks else None)
    return found


def documents(ix):
    """Stored fields and every field's length, per document, and the fields' totals."""
    with ix.reader() as reader:
        names = [name for name in reader.schema.names() if reader.schema[name].scorable]
        lengths = [[reader.doc_field_length(d, n) for n in names] for d in range(reader.doc_count_all())]
        # (Whoosh's min and max fail on a field no document has.)
        totals = [(n, reader.field_length(n), reader.min_field_length(n), reader.max_field_length(n))
                  for n in names if reader.field_length(n)]
        return list(reader.all_stored_fields()), lengths, totals


def hits(ix):
    """(docnum, score) of every hit of a few queries, parsed and scored as Cari does."""
    builder = QueryBuilder(ix.schema)
    with ix.searcher(weighting=CachedLengthBM25F(**BM25_PARAMS)) as searcher:
        return {q: [(h.docnum, h.score) for h in searcher.search(builder.parse(q).query, limit=None)] for q in QUERIES}


def assert_same_index(ours, theirs, blocks: bool):
    assert terms_and_postings(ours, blocks) == terms_and_postings(theirs, blocks)
    assert documents(ours) == documents(theirs)
    found = hits(ours)
    assert found == hits(theirs)
    return found


@pytest.mark.parametrize("layout", [1, 2])
@pytest.mark.parametrize("source", ["seeds", "synthetic"])
def test_index_reads_back_like_whoosh_segment_writer(tmp_path, source, layout):
    docs = seed_docs() if source == "seeds" else synthetic_docs(700)
    ours, writer = build(tmp_path / "ours", docs, PerTermSegmentWriter, layout)
    theirs, _ = build(tmp_path / "whoosh", docs, SegmentWriter, layout)
    assert writer.short_block_writes == 0  # the whole build held in memory: same blocks as Whoosh
    found = assert_same_index(ours, theirs, blocks=True)
    assert any(found.values())
    if source == "synthetic":  # lists long enough for several blocks, and inlined ones
        with ours.reader() as reader:
            dfs = [reader.doc_frequency(*term) for term in reader.all_terms()]
            assert max(dfs) > 3 * 128 and min(dfs) == 1


@pytest.mark.parametrize("layout", [1, 2])
def test_memory_limit_writes_short_blocks_and_reads_back_the_same(tmp_path, layout):
    docs = synthetic_docs(700, seed=11)
    ours, writer = build(tmp_path / "ours", docs, PerTermSegmentWriter, layout, limitmb=0.05)
    theirs, _ = build(tmp_path / "whoosh", docs, SegmentWriter, layout)
    assert writer.short_block_writes > 3
    # Block boundaries differ where lists were written out early; nothing read back does.
    assert_same_index(ours, theirs, blocks=False)


def test_terms_written_out_in_runs_leave_memory_and_are_counted_and_merged_back(tmp_path):
    docs = synthetic_docs(700, seed=5)
    theirs, _ = build(tmp_path / "whoosh", docs, SegmentWriter)
    (tmp_path / "ours").mkdir()
    ours = create_in(str(tmp_path / "ours"), build_schema())
    writer = PerTermSegmentWriter(ours, codec=CariCodec(), limitmb=0.05)
    held = []
    for doc in docs:
        writer.add_document(**doc)
        held.append(sum(len(postings.terms) for postings in writer._fields.values()))
    assert writer.short_block_writes > 3 and len(writer._fields["body"].runs) > 3
    assert min(held) < max(held) / 5  # each run takes the terms out of memory
    with theirs.reader() as reader:  # the document frequencies, read from runs and memory together
        for fieldname in ("body", "body_exact", "id"):
            expected = {text.decode("utf-8"): reader.doc_frequency(fieldname, text)
                        for field, text in reader.all_terms() if field == fieldname}
            assert writer.term_documents(fieldname) == expected
    writer.commit()
    assert_same_index(ours, theirs, blocks=False)


def test_hash_buckets_kept_packed_write_the_same_term_dictionary(tmp_path, monkeypatch):
    docs = synthetic_docs(300, seed=3)
    build(tmp_path / "packed", docs, PerTermSegmentWriter, compound=False)

    class TupleBucket(list):  # Whoosh's own: a list of (hash, position) tuples
        def add(self, hashed, position):
            self.append((hashed, position))

    monkeypatch.setattr(field_postings, "PackedBucket", TupleBucket)
    build(tmp_path / "tuples", docs, PerTermSegmentWriter, compound=False)
    packed, tuples = (sorted((tmp_path / name).glob("*.trm")) for name in ("packed", "tuples"))
    assert len(packed) == len(tuples) == 1
    assert packed[0].read_bytes() == tuples[0].read_bytes()


def test_spill_file_is_removed_and_unsupported_options_refused(tmp_path):
    ix = create_in(str(tmp_path), build_schema())
    writer = PerTermSegmentWriter(ix, codec=CariCodec())
    with pytest.raises(ValueError, match="boosts"):
        writer.add_document(id="a", body="kata", _boost=2.0)
    writer.add_document(id="a", body="kata")
    writer.commit()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".postings-")]


@pytest.mark.parametrize("flush_tokens", [1, 97])
def test_tokens_grouped_into_postings_in_batches_give_whooshs_blocks(tmp_path, monkeypatch, flush_tokens):
    # Each field's tokens become postings a batch of documents at a time (search/_whoosh/token_columns.py): a
    # term's postings come from several batches (flush_tokens 1: every document a batch of its own).
    from search._whoosh import segwriter

    monkeypatch.setattr(segwriter, "FLUSH_TOKENS", flush_tokens)
    docs = synthetic_docs(400, seed=13)
    ours, writer = build(tmp_path / "ours", docs, PerTermSegmentWriter, 2)
    assert writer.flush_tokens == flush_tokens
    theirs, _ = build(tmp_path / "whoosh", docs, SegmentWriter, 2)
    assert writer.short_block_writes == 0
    assert_same_index(ours, theirs, blocks=True)


def test_a_run_written_after_the_last_document_keeps_every_field(tmp_path):
    # Memory ran low on the last document: every term went to a run and none is left in memory when the segment
    # is written (the end once skipped such a field, and lost its postings).
    docs = synthetic_docs(120, seed=17)
    theirs, _ = build(tmp_path / "whoosh", docs, SegmentWriter)

    def every_term_to_a_run(writer):
        writer.write_runs()
        assert not any(postings.terms for postings in writer._fields.values())

    ours, _ = build(tmp_path / "ours", docs, PerTermSegmentWriter, before_commit=every_term_to_a_run)
    assert_same_index(ours, theirs, blocks=False)


def test_a_repeated_value_of_a_plain_field_is_analysed_once(tmp_path, monkeypatch):
    """The answers' kinds, a year, a source id repeat in every batch: Whoosh's ``field.index`` works each value out
    once per segment (``_items``); the index stays Whoosh's (the tests above compare it)."""
    from collections import Counter

    from whoosh.fields import FieldType

    calls: Counter = Counter()
    plain_index = FieldType.index

    def counted(self, value, **kwargs):
        calls[value if isinstance(value, str) else repr(value)] += 1
        return plain_index(self, value, **kwargs)

    monkeypatch.setattr(FieldType, "index", counted)
    docs = synthetic_docs(300)
    build(tmp_path / "ours", docs, PerTermSegmentWriter)
    assert calls["date number"] == 1 and calls["date"] == 1
    assert sum(calls[doc["id"]] for doc in docs) == len(docs)  # a unique field's values are not kept
