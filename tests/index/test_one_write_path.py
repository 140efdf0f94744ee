"""Removal takes the one write path every write takes (``build_index``): the same lock, generation and swap."""

import os

import pytest

import search._whoosh.writers
import search.index.build
import search.index.changes
import search.index.documents
import search.index.format
from search import BuildFailed, Index, IndexBusy, IndexMissing, IndexOutdated, given_article
from search.index import generations, write_lock
from search.index.batch import REMOVE
from search.index.build import build_index
from tests.conftest import make_index, write_jsonl

ARTICLES = [
    {"id": "banjir", "source": "Kompas", "text": "Banjir melanda Bekasi setelah hujan deras semalaman."},
    {"id": "gempa", "source": "Kompas", "text": "Gempa mengguncang Cianjur dan merusak ratusan rumah."},
    {"id": "pemilu", "source": "Tempo", "text": "Komisi pemilihan umum menetapkan jadwal kampanye di Bekasi."},
]


@pytest.fixture
def index(tmp_path):
    return make_index(tmp_path, ARTICLES)


def ids(index, query: str) -> list[str]:
    with Index(index) as opened:
        return sorted(hit.id for hit in opened.search(query, limit=100, group=False).hits)


def test_a_removal_is_a_build_of_mode_remove_with_the_builds_record(index, monkeypatch):
    """The removal's generation is made by build_index: its manifest, sources and records are a build's."""
    called = []
    real = search.index.build.build_index
    monkeypatch.setattr(search.index.changes, "build_index", lambda *a, **k: called.append(k["mode"]) or real(*a, **k))
    before = generations.read_manifest(generations.live_generation(index))
    report = Index(index).remove(["gempa", "nope", "gempa"])
    assert called == [REMOVE]
    assert report.removed == ["gempa"] and report.unknown == ["nope"]
    after = generations.read_manifest(generations.live_generation(index))
    assert after["mode"] == "remove" and after["removed"] == 1 and after["documents"] == 2
    assert after["sources"] == before["sources"] and after["skipped"] == before["skipped"]
    assert ids(index, "bekasi") == ["banjir", "pemilu"] and ids(index, "cianjur") == []
    with Index(index) as opened:
        assert dict(opened.sources()) == {"Kompas": 1, "Tempo": 1}


def test_an_update_after_a_removal_knows_what_the_index_holds(index, tmp_path):
    """The removal's record of the articles is the one the next update reads: the removed id is added again."""
    Index(index).remove(["gempa"])
    report = Index(index).add([write_jsonl(tmp_path / "again.jsonl", ARTICLES[1:2])])
    assert (report.added, report.unchanged) == (1, 0)
    assert ids(index, "cianjur") == ["gempa"]


def test_removing_only_unknown_ids_makes_no_generation(index):
    live = generations.live_generation(index)
    report = Index(index).remove(["nope"])
    assert report.removed == [] and report.unknown == ["nope"]
    assert generations.live_generation(index) == live and [p.name for p in index.glob("gen-*")] == [live.name]


def test_a_dry_run_removal_changes_nothing(index):
    live = generations.live_generation(index)
    report = Index(index).remove(["banjir", "nope"], dry_run=True)
    assert report.removed == ["banjir"] and report.unknown == ["nope"]
    assert generations.live_generation(index) == live and ids(index, "bekasi") == ["banjir", "pemilu"]


@pytest.mark.parametrize(("interruption", "raised"), [(KeyboardInterrupt(), KeyboardInterrupt),
                                                      (OSError(28, "No space left on device"), BuildFailed)])
def test_a_removal_that_fails_leaves_the_previous_generation_serving(index, monkeypatch, interruption, raised):
    live = generations.live_generation(index)
    files = sorted(os.listdir(live))

    def fail(*args, **kwargs):
        raise interruption

    monkeypatch.setattr(search._whoosh.writers.AdoptingWriter, "commit", fail)
    with pytest.raises(raised):  # a full disk is one message, "the previous index is unchanged"
        Index(index).remove(["banjir"])
    monkeypatch.undo()
    assert generations.live_generation(index) == live and sorted(os.listdir(live)) == files
    assert [p.name for p in index.glob("gen-*")] == [live.name]  # the half-made generation is gone
    assert ids(index, "bekasi") == ["banjir", "pemilu"]
    assert Index(index).remove(["banjir"]).removed == ["banjir"]  # and the lock was let go


def test_a_removal_waits_for_the_lock_every_write_takes(index):
    with write_lock.writing(index), pytest.raises(IndexBusy):
        Index(index).remove(["banjir"])
    assert ids(index, "bekasi") == ["banjir", "pemilu"]


def test_a_removal_from_no_index_or_an_old_one_says_so(index, tmp_path, monkeypatch):
    with pytest.raises(IndexMissing):
        Index(tmp_path / "none").remove(["banjir"])
    monkeypatch.setattr(search.index.format, "INDEX_FORMAT", search.index.format.INDEX_FORMAT + 1)
    with pytest.raises(IndexOutdated):
        Index(index).remove(["banjir"])


def test_the_write_apis_upserts_and_deletions_take_the_same_path(tmp_path, monkeypatch):
    modes = []
    real = search.index.build.build_index
    monkeypatch.setattr(search.index.documents, "build_index", lambda *a, **k: modes.append(k["mode"]) or real(*a, **k))
    monkeypatch.setattr(search.index.changes, "build_index",
                        lambda *a, **k: modes.append(k["mode"]) or real(*a, **k))
    index = Index(tmp_path / "index")
    article, _ = given_article({"id": "w-1", "text": "Banjir melanda Bekasi."}, "the write API, line 1")
    assert index.upsert([article]).upserted == ["w-1"]
    assert index.delete(["w-1", "w-2"]).deleted == ["w-1"]
    assert modes == ["add", REMOVE]
    assert index.search("banjir").total == 0


def test_a_removal_reads_no_sources():
    with pytest.raises(ValueError):
        build_index(["seeds"], search.index.build.Path("unused"), mode=REMOVE, remove=["x"])


def test_an_index_whose_every_article_was_removed_finds_nothing(index):
    Index(index).remove([article["id"] for article in ARTICLES])
    with Index(index) as opened:
        assert opened.doc_count() == 0
        for query in ("bekasi", "banjir NOT gempa", "bek*", '"hujan deras"'):  # arrays, Whoosh's matchers
            assert opened.search(query).total == 0
