"""``rebuild-index`` updates an existing index: only new, changed and gone articles are touched."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import search._whoosh.writers
import search.index.build
import search.index.format
from search import Index
from search.cli import cli
from search.index import generations
from search.index.build import build_index
from tests.conftest import whoosh_searcher

ARTICLES = {
    "banjir": "Banjir melanda Bekasi setelah hujan deras semalaman.",
    "gempa": "Gempa mengguncang Cianjur dan merusak ratusan rumah.",
    "pemilu": "Komisi pemilihan umum menetapkan jadwal kampanye.",
}


def write_jsonl(path: Path, articles: dict) -> None:
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in articles.items()), encoding="utf-8")


def ids_for(index: Path, query: str) -> list[str]:
    return sorted(hit.id for hit in Index(index).search(query, limit=100).hits)


def summary(result) -> str:
    return result.output.strip().splitlines()[-1]


@pytest.fixture
def jsonl_index(tmp_path, run_cli):
    source = tmp_path / "news.jsonl"
    write_jsonl(source, ARTICLES)
    index = tmp_path / "ix"
    assert run_cli("rebuild-index", source, "--index", index).exit_code == 0
    return source, index


def test_unchanged_sources_reindex_nothing(jsonl_index, run_cli, monkeypatch):
    source, index = jsonl_index
    indexed = []
    real = search.index.build.article_fields
    monkeypatch.setattr(search.index.build, "article_fields", lambda a, *rest: indexed.append(a.id) or real(a, *rest))
    result = run_cli("rebuild-index", source, "--index", index)
    assert "(0 new, 0 changed, 0 removed, 3 unchanged)" in summary(result)
    assert indexed == []
    assert ids_for(index, "bekasi") == ["banjir"]


def test_new_changed_and_gone_articles_in_jsonl(jsonl_index, run_cli, monkeypatch):
    source, index = jsonl_index
    articles = dict(ARTICLES)
    del articles["pemilu"]
    articles["gempa"] = "Gempa mengguncang Garut; warga mengungsi."
    articles["kebakaran"] = "Kebakaran hutan meluas di Riau."
    write_jsonl(source, articles)
    indexed = []
    real = search.index.build.article_fields
    monkeypatch.setattr(search.index.build, "article_fields", lambda a, *rest: indexed.append(a.id) or real(a, *rest))
    result = run_cli("rebuild-index", source, "--index", index)
    assert "Indexed 3 documents (1 new, 1 changed, 1 removed, 1 unchanged)" in summary(result)
    assert sorted(indexed) == ["gempa", "kebakaran"]
    assert ids_for(index, "kampanye") == []  # gone
    assert ids_for(index, "cianjur") == []  # the old text of a changed article
    assert ids_for(index, "garut") == ["gempa"]
    assert ids_for(index, "hutan") == ["kebakaran"]
    assert ids_for(index, "bekasi") == ["banjir"]
    assert Index(index).stats()["documents"] == 3
    # Totals count only live documents, not the deleted old versions.
    assert Index(index).search("kampanye").total == 0
    assert Index(index).search("gempa mengguncang").total == 1


def test_total_counted_from_postings_equals_whoosh_count(seed_index):
    from search.ranking.fallback import count_plain_or

    searcher = Index(seed_index)
    questions = ("kapan kazakhstan rusuh", "berapa korban gempa")  # OR ANDMAYBE answer kind
    # (Not 'csto': the seeds define it, "Collective Security Treaty Organization (CSTO)", so it searches that phrase
    # too, and a phrase is no plain OR.)
    with whoosh_searcher(seed_index) as whoosh:  # Whoosh's searcher of the live generation, as Index reads it
        for text in ("mengusir", "rusia ukraina", "kazakhstan tokayev moskow", "title:kazakhstan", "zzzz", *questions):
            query = searcher.parse(text).query
            assert count_plain_or(whoosh, query) == len(whoosh.search(query, limit=1)) is not None
        assert count_plain_or(whoosh, searcher.parse("rusia AND ukraina").query) is None


def test_new_changed_and_gone_pages_in_a_folder(seeds_copy, tmp_path, run_cli):
    index = tmp_path / "ix"
    assert run_cli("rebuild-index", seeds_copy, "--index", index).exit_code == 0
    pages = sorted(seeds_copy.glob("*.txt"))
    pages[0].unlink()
    changed = pages[1].read_text(encoding="utf-8").replace("Kazakhstan", "Uzbekistan", 1)
    pages[1].write_text(changed, encoding="utf-8")
    (seeds_copy / "extra.txt").write_text(
        "Judul berita banjir\n\nJAKARTA, KOMPAS.com - " + "Banjir rob menggenangi pelabuhan Sunda Kelapa. " * 5,
        encoding="utf-8",
    )
    result = run_cli("rebuild-index", seeds_copy, "--index", index)
    assert "Indexed 5 documents (1 new, 1 changed, 1 removed, 3 unchanged)" in summary(result)
    assert ids_for(index, "uzbekistan") == [pages[1].stem]
    assert ids_for(index, "pelabuhan") == ["extra"]
    assert Index(index).document(pages[0].stem) is None


def test_full_rebuilds_everything(jsonl_index, run_cli, monkeypatch):
    source, index = jsonl_index
    indexed = []
    real = search.index.build.article_fields
    monkeypatch.setattr(search.index.build, "article_fields", lambda a, *rest: indexed.append(a.id) or real(a, *rest))
    result = run_cli("rebuild-index", source, "--index", index, "--full")
    assert summary(result).startswith("Indexed 3 documents, skipped 0")
    assert sorted(indexed) == sorted(ARTICLES)
    assert generations.read_manifest(generations.live_generation(index))["mode"] == "full"


def test_index_from_another_analysis_is_rebuilt_in_full(jsonl_index, run_cli, monkeypatch):
    source, index = jsonl_index
    monkeypatch.setattr(search.index.format, "INDEX_FORMAT", search.index.format.INDEX_FORMAT + 1)
    result = run_cli("rebuild-index", source, "--index", index)
    assert summary(result).startswith("Indexed 3 documents, skipped 0")


def test_failed_update_leaves_the_previous_index(jsonl_index, monkeypatch):
    source, index = jsonl_index
    live = generations.live_generation(index)
    files_before = sorted(os.listdir(live))
    articles = dict(ARTICLES, gempa="Gempa mengguncang Garut.", longsor="Longsor menimbun jalan di Bogor.")
    del articles["banjir"]
    write_jsonl(source, articles)

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(search._whoosh.writers.AdoptingWriter, "commit", fail)
    result = CliRunner().invoke(cli, ["rebuild-index", str(source), "--index", str(index)])
    assert result.exit_code != 0
    monkeypatch.undo()
    assert generations.live_generation(index) == live
    assert sorted(os.listdir(live)) == files_before  # the hard-linked files were not touched
    assert [p.name for p in index.glob("gen-*")] == [live.name]
    assert ids_for(index, "bekasi") == ["banjir"]
    assert ids_for(index, "cianjur") == ["gempa"]
    assert ids_for(index, "bogor") == []


def test_update_keeps_the_previous_generation_intact_for_readers(jsonl_index, run_cli):
    source, index = jsonl_index
    old = generations.live_generation(index)
    write_jsonl(source, dict(ARTICLES, gempa="Gempa mengguncang Garut."))
    assert run_cli("rebuild-index", source, "--index", index).exit_code == 0
    assert generations.live_generation(index) != old
    from whoosh.index import open_dir

    with open_dir(str(old)).searcher() as reader:  # a reader that opened it before the swap
        assert reader.document(id="gempa")["body"].startswith("Gempa mengguncang Cianjur")


@pytest.mark.parametrize("segment_documents", [None, 300])
def test_parallel_workers_index_like_one_process(tmp_path, monkeypatch, segment_documents):
    # Enough batches (400) that both workers get some even when one starts late on a busy machine.
    articles = {f"a{i}": f"Berita nomor {i}: banjir melanda kota ke-{i % 7} setelah hujan." for i in range(2000)}
    source = tmp_path / "many.jsonl"
    write_jsonl(source, articles)
    monkeypatch.setattr(search.index.workers, "BATCH_SIZE", 5)
    monkeypatch.setattr(search.index.workers, "MIN_BATCHES_FOR_WORKERS", 2)
    if segment_documents is not None:  # each worker finishes a segment and starts another every 300 documents
        monkeypatch.setattr(search.index.workers, "SEGMENT_DOCUMENTS", segment_documents)
    serial = build_index([source], tmp_path / "serial", procs=1, full=True)
    parallel = build_index([source], tmp_path / "parallel", procs=2, full=True)
    assert serial.indexed == parallel.indexed == 2000
    query = "banjir kota hujan"
    one = Index(tmp_path / "serial").search(query, limit=100)
    two = Index(tmp_path / "parallel").search(query, limit=100)
    assert one.total == two.total == 2000
    # Equal scores may come in another order: compare the scores, and each article's score.
    assert sorted(h.score for h in one.hits) == sorted(h.score for h in two.hits)
    scores = {h.id: h.score for h in one.hits}
    assert all(scores[h.id] == h.score for h in two.hits if h.id in scores)
    segments = [p for p in generations.live_generation(tmp_path / "parallel").iterdir() if p.suffix == ".seg"]
    assert len(segments) >= (2 if segment_documents is None else 2000 // segment_documents)
    assert len(generations.read_record(generations.live_generation(tmp_path / "parallel"), "contents.json.gz")) == 2000


def test_a_failing_worker_fails_the_build_and_keeps_the_old_index(tmp_path, monkeypatch, run_cli):
    source = tmp_path / "many.jsonl"
    write_jsonl(source, {f"a{i}": f"Banjir melanda kota nomor {i}." for i in range(30)})
    index = tmp_path / "ix"
    assert run_cli("rebuild-index", source, "--index", index).exit_code == 0
    live = generations.live_generation(index)
    monkeypatch.setattr(search.index.workers, "BATCH_SIZE", 5)
    monkeypatch.setattr(search.index.workers, "MIN_BATCHES_FOR_WORKERS", 2)
    real = search.index.build.article_fields
    # Documents after the first ten go to the (forked) workers, which choke on them.
    monkeypatch.setattr(search.index.build, "article_fields",
                        lambda a, *rest: dict(real(a, *rest), nonsense="x") if int(a.id[1:]) >= 20 else real(a, *rest))
    result = run_cli("rebuild-index", source, "--index", index, "--full", "--jobs", "2")
    assert result.exit_code == 1
    assert "Error: " in result.output and "indexing worker failed" in result.output
    assert generations.live_generation(index) == live
    assert [p.name for p in index.glob("gen-*")] == [live.name]


def test_update_starts_with_the_stems_saved_beside_the_index(jsonl_index, run_cli, monkeypatch):
    from search.analysis.stemmer import Stemmer, shared_stemmer

    source, index = jsonl_index
    roots = generations.read_record(generations.live_generation(index), search.index.format.ROOTS)
    assert roots["mengguncang"] == "guncang"
    shared_stemmer().known_roots().clear()  # as in a new process
    # Sources this small beside the record are stemmed afresh (the next test); here they count as large.
    monkeypatch.setattr(search.index.format, "ROOTS_INPUT_SHARE", 0)
    stemmed = []
    real = Stemmer.stem_uncached
    monkeypatch.setattr(Stemmer, "stem_uncached", lambda self, word: stemmed.append(word) or real(self, word))
    write_jsonl(source, dict(ARTICLES, gempa="Gempa mengguncang Bekasi dan merusak rumah warga."))
    assert run_cli("rebuild-index", source, "--index", index).exit_code == 0
    assert set(stemmed) <= {"warga"}  # the only word the first build may not have seen
    assert ids_for(index, "guncang") == ["gempa"]


def test_a_small_write_neither_reads_nor_rewrites_the_stem_roots_record(jsonl_index, monkeypatch):
    """Ten articles added to 1,000,000: reading 2.3 million roots (~3 CPU-s) and writing them again (~2 CPU-s)
    cost more than stemming their words afresh; the roots, and so the index, are the same."""
    from search.analysis.stemmer import shared_stemmer
    from search.index import format as format_module
    from search.index.build import build_index

    source, index = jsonl_index
    live = generations.live_generation(index)
    saved = generations.read_record(live, format_module.ROOTS)
    monkeypatch.setattr(format_module, "ROOTS_INPUT_SHARE", 10.0)  # the record counts as ten times the sources' size
    shared_stemmer().known_roots().clear()  # as in a new process
    format_module.forget_learned_roots()
    reads = []
    real_read = generations.read_record
    monkeypatch.setattr(generations, "read_record", lambda gen, name: reads.append(name) or real_read(gen, name))
    write_jsonl(source, dict(ARTICLES, baru="Zzqkota diguncang gempa kemarin."))
    build_index([source], index)
    assert format_module.ROOTS not in reads and format_module.COMMON_ROOTS in reads  # the common words' roots only
    generation = generations.live_generation(index)
    assert generation != live
    assert (generation / format_module.ROOTS).stat().st_ino == (live / format_module.ROOTS).stat().st_ino  # kept
    assert real_read(generation, format_module.ROOTS) == saved
    assert ids_for(index, "guncang") == ["baru", "gempa"]  # its words stemmed all the same

    monkeypatch.setattr(format_module, "ROOTS_INPUT_SHARE", 0)  # a large write reads them, and saves the new ones
    monkeypatch.setattr(format_module, "ROOTS_GROWTH", 0)  # once they are many enough
    format_module.forget_learned_roots()
    write_jsonl(source, dict(ARTICLES, baru="Zzqkota diguncang gempa kemarin.", lagi="Zzqdesa kebanjiran lagi."))
    build_index([source], index)
    assert format_module.ROOTS in reads
    roots = real_read(generations.live_generation(index), format_module.ROOTS)
    assert roots.items() >= saved.items() and roots["kebanjiran"] == "banjir"

    monkeypatch.setattr(format_module, "ROOTS_GROWTH", 0.5)  # a process holding them adds a few: kept as they are
    live = generations.live_generation(index)
    write_jsonl(source, dict(ARTICLES, baru="Zzqkota diguncang gempa kemarin.", lagi="Zzqdesa dilanda longsor."))
    build_index([source], index)
    generation = generations.live_generation(index)
    assert (generation / format_module.ROOTS).stat().st_ino == (live / format_module.ROOTS).stat().st_ino
    assert ids_for(index, "landa") == ["banjir", "lagi"]


def reseal(generation):
    """Record the checksums of files a test changed on purpose (any other change is damage)."""
    from search.index.checksums import checksums

    manifest = json.loads((generation / generations.MANIFEST).read_text(encoding="utf-8"))
    manifest["checksums"] = checksums(generation, generations.MANIFEST)
    (generation / generations.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_searcher_learns_the_builds_stem_roots_only_from_the_same_analysis(jsonl_index):
    from search.analysis.stemmer import shared_stemmer
    from search.index import format as format_module
    from search.index.format import COMMON_ROOTS, ROOTS

    _, index = jsonl_index
    generation = generations.live_generation(index)
    roots = generations.read_record(generation, ROOTS)
    assert roots.get("melanda") == "landa"  # the build saved what it stemmed
    assert generations.read_record(generation, COMMON_ROOTS) == roots  # fewer than COMMON_ROOTS_COUNT: all of them
    generations.write_record(generation, COMMON_ROOTS, {**roots, "zzqmelanda": "zzq-saved"})  # what a searcher reads
    reseal(generation)
    format_module.forget_learned_roots()  # as in another process than the one that built it: it reads the record once
    Index(index).search("banjir")
    assert shared_stemmer().stem("zzqmelanda") == "zzq-saved"

    manifest = json.loads((generation / generations.MANIFEST).read_text(encoding="utf-8"))
    (generation / generations.MANIFEST).write_text(json.dumps({**manifest, "fingerprint": "other"}), encoding="utf-8")
    generations.write_record(generation, COMMON_ROOTS, {"zzqmembanjiri": "zzq-stale"})
    reseal(generation)
    format_module.forget_learned_roots()
    Index(index).search("banjir")
    assert shared_stemmer().stem("zzqmembanjiri") != "zzq-stale"


def test_a_process_reads_an_indexs_roots_once_across_its_generations(jsonl_index, monkeypatch):
    """After a write, the next generation's roots are not read again (1.5 s a worker on 100,000 articles)."""
    from search.index import format as format_module
    from search.index.build import build_index

    source, index = jsonl_index
    format_module.forget_learned_roots()
    reads = []
    real_read = generations.read_record
    monkeypatch.setattr(generations, "read_record", lambda gen, name: reads.append(name) or real_read(gen, name))
    Index(index).search("banjir")
    assert reads.count(format_module.COMMON_ROOTS) == 1 and format_module.ROOTS not in reads
    with open(source, "a", encoding="utf-8") as out:
        out.write(json.dumps({"id": "baru", "title": "Gempa", "text": "Gempa mengguncang zzqkota kemarin."}) + "\n")
    build_index([source], index)  # a new generation with one new word
    reads.clear()
    searcher = Index(index)
    assert searcher.search("zzqkota").total == 1  # the new word is found, its root worked out
    assert format_module.COMMON_ROOTS not in reads


def test_a_searcher_reads_only_the_first_roots_of_a_large_build(tmp_path, monkeypatch):
    """A searcher learns COMMON_ROOTS_COUNT roots, the first the build met; an update still has them all."""
    from search.analysis.stemmer import shared_stemmer
    from search.index import format as format_module
    from search.index.build import build_index

    monkeypatch.setattr(format_module, "COMMON_ROOTS_COUNT", 3)
    source = tmp_path / "a.jsonl"
    words = ["zzqsatu", "zzqdua", "zzqtiga", "zzqempat", "zzqlima"]
    source.write_text("".join(json.dumps({"id": f"d{n}", "text": f"{w} berita"}) + "\n" for n, w in enumerate(words)),
                      encoding="utf-8")
    index = tmp_path / "index"
    build_index([source], index, procs=1)
    generation = generations.live_generation(index)
    every = generations.read_record(generation, format_module.ROOTS)
    common = generations.read_record(generation, format_module.COMMON_ROOTS)
    assert len(common) == 3 and list(common.items()) == list(every.items())[:3]
    assert all(w in every for w in words)
    shared_stemmer().known_roots().clear()  # as in a fresh worker
    format_module.forget_learned_roots()
    Index(index).search("berita")
    learned = set(shared_stemmer().known_roots())
    assert set(common) <= learned and not set(every) - set(common) <= learned


def test_a_damaged_contents_record_makes_the_update_a_full_rebuild(jsonl_index, run_cli):
    source, index = jsonl_index
    (generations.live_generation(index) / search.index.build.CONTENTS).write_bytes(b"\x1f\x8b not really gzip")
    result = run_cli("rebuild-index", source, "--index", index)
    assert result.exit_code == 0
    assert generations.read_manifest(generations.live_generation(index))["mode"] == "full"
    assert ids_for(index, "banjir") == ["banjir"]  # one copy, not the old one and a new one
    from whoosh.index import open_dir

    with open_dir(str(generations.live_generation(index))).reader() as reader:
        assert reader.doc_count() == len(ARTICLES)
