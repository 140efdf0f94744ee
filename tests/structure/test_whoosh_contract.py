"""The wall around Whoosh: only ``search/_whoosh`` uses its private names, and every one it uses exists.

``search/_whoosh`` is in effect a small fork of Whoosh 2.7.4's W3 codec and
segment writer. An upgrade of Whoosh could remove any private name it leans
on, so this test names them all, checks them against the installed Whoosh,
and checks that no other module of Cari reaches behind Whoosh's public API.
"""

import ast
import shutil
from pathlib import Path

import pytest
import whoosh
from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.matching import ListMatcher
from whoosh.scoring import BM25F
from whoosh.writing import SegmentWriter

from search._whoosh.persisted import restore
from search.index.schema import build_schema
from tests.conftest import ROOT, write_jsonl

# Class attributes and methods (the class, then the names).
PRIVATE_METHODS = [
    (SegmentWriter, ["_merge_segments", "_finalize_segment", "_check_state", "_check_fields", "_flush_segment",
                     "_close_segment"]),
    (whoosh3.W3PostingsWriter, ["_write_block", "_new_block"]),
    (whoosh3.W3TermsReader, ["_range_for_key"]),
    (whoosh3.W3LeafMatcher, ["_read_ids", "_read_weights", "_next_block"]),
    (whoosh3.W3TermInfo, ["read_doc_freq"]),
]
# Module-level private names imported by search/_whoosh.
PRIVATE_MODULE_NAMES = [(whoosh3, ["_lenfield", "LENGTHS_COLUMN", "WHOOSH3_HEADER_MAGIC"]), (filetables, ["_lengths"])]


def test_the_pinned_whoosh_is_installed():
    assert whoosh.versionstring() == "2.7.4"


@pytest.mark.parametrize("cls, names", PRIVATE_METHODS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_private_method_relied_on_exists(cls, names):
    assert [name for name in names if not callable(getattr(cls, name, None))] == []


@pytest.mark.parametrize("module, names", PRIVATE_MODULE_NAMES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_private_module_name_relied_on_exists(module, names):
    assert [name for name in names if not hasattr(module, name)] == []


def test_every_private_attribute_relied_on_exists(seed_index, tmp_path):
    """The instance attributes, read off a real index of the seeds and a writer of it."""
    from search.index.format import open_index

    # A copy: a Whoosh writer, even cancelled, leaves segment files behind, and the seed index is shared by the
    # session (test_damage flipped a byte in such a leftover and, rightly, found no damage).
    copy = tmp_path / "index"
    shutil.copytree(seed_index, copy)
    _, index = open_index(copy)
    with index.searcher() as searcher:
        leaf = searcher.reader().leaf_readers()[0][0]
        assert {"_perdoc", "_terms"} <= set(vars(leaf))
        assert callable(leaf._text_to_bytes) and callable(leaf._perdoc._cached_reader)
        column = leaf._perdoc._cached_reader(whoosh3._lenfield("body"), whoosh3.LENGTHS_COLUMN)
        assert {"_typecode", "_count", "_dbfile", "_basepos", "_default"} <= set(vars(column))
        assert {"_tindex", "_dbfile", "_codec", "_postfile"} <= set(vars(leaf._terms))
        assert callable(leaf._terms._keycoder) and callable(leaf._terms._keydecoder)
        tindex = leaf._terms._tindex
        assert callable(tindex.get) and callable(tindex.items_from)
    assert "_field_B" in vars(BM25F(title_B=0.5))
    assert "_fields" in vars(build_schema())
    # term_dictionary.ArrayMatcher, a ListMatcher over a list kept in the posting arrays alone (layout 2)
    assert {"_ids", "_weights", "_i", "_format", "_scorer", "_term", "_terminfo"} <= set(
        vars(ListMatcher([1], weights=[1.0])))
    writer = index.writer()
    try:
        assert {"_tempstorage", "_added", "perdocwriter", "fieldwriter", "indexname"} <= set(vars(writer))
        fieldwriter = writer.fieldwriter
        assert {"_postfile", "_tindex", "_fieldid"} <= set(vars(fieldwriter))
        assert {"index", "buckets", "hashfn", "lastkey", "dbfile"} <= set(vars(fieldwriter._tindex))
    finally:
        writer.cancel()


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found += [f"{path.name}:{node.lineno} imports {a.name}" for a in node.names if a.name.startswith("_")]
        is_private = isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
        if is_private and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_module_outside_the_wall_uses_private_names():
    outside = [p for p in [*(ROOT / "search").rglob("*.py"), *(ROOT / "web").rglob("*.py")] if "_whoosh" not in p.parts]
    assert len(outside) > 20
    assert [use for path in outside for use in _private_uses(path)] == []


def test_the_index_names_no_cari_module_but_the_persisted_one():
    """Whoosh pickles the schema and codec into the index: they must name only search._whoosh.persisted."""
    import pickle
    import pickletools

    from search._whoosh.codec import CariCodec

    for obj in (build_schema(), CariCodec(blocklimit=64)):
        data = pickle.dumps(obj, 2)
        names = {arg for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"}
        cari = {name for name in names if name.startswith(("search", "web"))}
        assert cari == {"search._whoosh.persisted restore"}, cari
        assert pickle.loads(data).__class__ is obj.__class__
    assert restore("codec", 64, 3, 32)._blocklimit == 64
    assert restore("codec", 128, 3, 32).layout == 1  # how every index of format 10 names its segments' codec
    assert restore("codec", 128, 3, 32, 2).layout == 2
    with pytest.raises(ValueError, match="rebuild"):
        restore("no-such-object")


def test_whole_arrays_match_whoosh_a_document_at_a_time(tmp_path):
    """The live mask and the date column read whole (``_whoosh.columns``) are Whoosh's own, document by document:
    on two segments with deletions and undated articles."""

    import numpy as np
    from whoosh.columns import NumericColumn

    from search._whoosh.columns import live_mask, numeric_values
    from search.index.build import build_index
    from search.index.format import open_index

    articles = [{"id": f"a{i}", "text": f"Berita nomor {i} dari Jakarta.",
                 "date": None if i % 4 == 0 else f"20{10 + i % 12}-0{1 + i % 9}-1{i % 10}"} for i in range(60)]
    source, index_dir = tmp_path / "news.jsonl", tmp_path / "ix"
    write_jsonl(source, articles)
    build_index([source], index_dir, procs=2)
    write_jsonl(source, articles[7:-9])
    build_index([source], index_dir)  # an update: deleted documents in the first segments
    _, index = open_index(index_dir)
    with index.searcher() as searcher:
        reader = searcher.reader()
        assert any(leaf.has_deletions() for leaf, _ in reader.leaf_readers())
        expected = np.zeros(reader.doc_count_all(), dtype=bool)
        expected[list(reader.all_doc_ids())] = True
        assert (live_mask(reader) == expected).all() and expected.sum() == 44
        read_whole = 0
        for leaf, _ in reader.leaf_readers():
            column = leaf.column_reader("published", translate=False)
            read_whole += type(column) is NumericColumn.Reader
            assert {"_dbfile", "_basepos", "_count", "_fixedlen", "_typecode", "_default"} <= set(vars(column))
            count = leaf.doc_count_all()
            assert numeric_values(column, count).tolist() == list(column)
        assert read_whole == len(reader.leaf_readers())  # the fast path, not the fallback, was compared
