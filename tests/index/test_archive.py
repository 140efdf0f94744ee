"""The archive is the record: every article kept whole, exported, rebuilt from its export or from the index itself."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from pathlib import Path

import pytest

from search import Index, given_article
from search.errors import IndexOutdated
from search.index import generations
from search.index.build import build_index
from search.index.documents import BatchedWrites
from search.index.format import INDEX_FORMAT
from tests.conftest import DATA, SEEDS, write_jsonl

FORMAT_7 = DATA / "index-format-7"  # built by commit 16888cf (format 7), 3 articles of them posted to its write API

# Records as a CMS exports them: furniture in the text, a padded title, dates as pages print them, no title.
GIVEN = [
    {"id": "raw-1", "title": "  Banjir di Bekasi  ",
     "text": "BEKASI, KOMPAS.com - Banjir melanda Bekasi pada Senin (2/1/2024).\n\nBaca juga: Warga Mengungsi\n\n"
             "Ribuan warga mengungsi ke masjid.\r\nPetugas membuka dapur umum.",
     "date": "Selasa, 02 Januari 2024 | 09:20 WIB", "source": "Kompas.com", "author": "Ani Rahma",
     "url": "https://example.com/banjir"},
    {"id": "raw-2", "text": "Gempa bermagnitudo 5,1 mengguncang Cianjur pada Rabu, 3 Januari 2024.", "source": "Antara"},
    {"id": "raw-3", "title": "Harga beras", "text": "Harga beras naik Rp 1.000 per kilogram.",
     "date": "tanggal tidak jelas"},
]


def given(*objects: dict) -> list:
    """Articles as the write API hands them on: each JSON object read and checked."""
    return [given_article(obj, "the write API")[0] for obj in objects]


def _search_all(searcher: Index, queries: list[str]) -> dict:
    """Everything a reader sees for each query: totals, ids, scores, snippets, facets; and every article page."""
    answers = {}
    for query in queries:
        for sort in ("relevance", "newest"):
            answers[query, sort] = searcher.search(query, limit=50, sort=sort, facets=True).to_dict()
            answers[query, sort].pop("took_ms")
    return answers


def _queries(docs: list[dict]) -> list[str]:
    """Every word of every title and the first words of every text, as one-word, two-word and phrase queries."""
    words: list[str] = []
    for doc in docs:
        words += (doc.get("title") or "").split()[:6] + doc["text"].split()[:8]
    words = [w.strip(".,:;()\"'") for w in words]
    words = list(dict.fromkeys(w for w in words if len(w) > 2))
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)][:40]
    return words + pairs + [f'"{p}"' for p in pairs[:10]] + ["*", "rusia -ukraina", "kazak*"]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_export_gives_each_article_back_as_it_was_given(tmp_path, run_cli):
    index = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "in.jsonl", GIVEN[:2])], index)
    # The third comes through the write API (a CMS's correction), with a field that is not a string.
    BatchedWrites(index, batch_seconds=0).upsert(given({**GIVEN[2], "author": 7}))
    result = run_cli("export", "--index", index, "--output", tmp_path / "out.jsonl")
    assert result.exit_code == 0 and "Exported 3 articles" in result.output
    exported = {record["id"]: record for record in _records(tmp_path / "out.jsonl")}
    assert exported == {doc["id"]: doc for doc in GIVEN}  # text, title, date as given; the number dropped
    # The index itself serves the article as it read it: furniture off, the date understood.
    page = Index(index).article("raw-1")
    assert page.title == "Banjir di Bekasi" and page.date == "2024-01-02T09:20:00+07:00"
    shown = " ".join(p.text for p in page.paragraphs)
    assert "Baca juga" not in shown and "KOMPAS.com" not in shown and shown.startswith("Banjir melanda")


def test_a_csv_export_holds_the_same_records(tmp_path, run_cli):
    index = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "in.jsonl", GIVEN)], index)
    result = run_cli("export", "--index", index, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert [row["id"] for row in rows] == ["raw-1", "raw-2", "raw-3"]
    assert rows[0]["text"] == GIVEN[0]["text"] and rows[1]["title"] == "" and rows[0]["date"] == GIVEN[0]["date"]


def _mixed(folder: Path, corrections: bool) -> Path:
    """An index of every kind of source (pages, HTML, records) added to by the write API; ``corrections``: an
    article replaced and one deleted too."""
    build_index([SEEDS, DATA / "html", write_jsonl(folder / "records.jsonl", GIVEN)], folder / "index", procs=2)
    writer = BatchedWrites(folder / "index", batch_seconds=0)
    writer.upsert(given({"id": "api-1", "title": "Pasukan Rusia", "text": "Pasukan Rusia meninggalkan Kazakhstan."}))
    if corrections:
        writer.upsert(given({"id": "raw-2", "text": "Gempa susulan terasa di Sukabumi, Jawa Barat.", "source": "Antara"}))
        writer.delete(["003_5d7ded9b14249955"])
    return folder / "index"


@pytest.fixture(scope="module")
def added_index(tmp_path_factory):
    return _mixed(tmp_path_factory.mktemp("added"), corrections=False)


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    return _mixed(tmp_path_factory.mktemp("mixed"), corrections=True)


def _rebuilt_from_export(index: Path, folder: Path, run_cli, fmt: str) -> Path:
    export = folder / f"archive.{fmt}.gz"
    assert run_cli("export", "--index", index, "--output", export).exit_code == 0
    assert run_cli("rebuild-index", export, "--index", folder / "rebuilt", "-q").exit_code == 0
    return folder / "rebuilt"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_index_rebuilt_from_its_export_answers_every_query_as_the_original(added_index, tmp_path, run_cli, fmt):
    rebuilt = _rebuilt_from_export(added_index, tmp_path, run_cli, fmt)
    records = [json.loads(line) for line in run_cli("export", "--index", added_index).output.splitlines()]
    assert len(records) == 14
    original, copy = Index(added_index), Index(rebuilt)
    queries = _queries(records)
    assert len(queries) > 100
    assert _search_all(copy, queries) == _search_all(original, queries)
    for record in records:
        assert copy.article(record["id"]).to_dict() == original.article(record["id"]).to_dict()
        assert copy.related(record["id"]) == original.related(record["id"])


def test_after_corrections_the_export_rebuilds_what_the_index_rebuilds_from_itself(mixed_index, tmp_path, run_cli):
    """Replaced and deleted articles linger in Whoosh's segments until they merge; every statistic leaves them
    out (search._whoosh.live), so the corrected index answers exactly as the fresh ones."""
    rebuilt = _rebuilt_from_export(mixed_index, tmp_path, run_cli, "jsonl")
    itself = tmp_path / "itself"
    shutil.copytree(mixed_index, itself)
    assert run_cli("rebuild-index", "--full", "--index", itself, "-q").exit_code == 0
    records = [json.loads(line) for line in run_cli("export", "--index", mixed_index).output.splitlines()]
    assert len(records) == 13 and "003_5d7ded9b14249955" not in {r["id"] for r in records}
    queries = _queries(records)
    fresh = _search_all(Index(rebuilt), queries)
    assert _search_all(Index(itself), queries) == fresh
    assert _search_all(Index(mixed_index), queries) == fresh
    for record in records:
        assert Index(mixed_index).related(record["id"]) == Index(rebuilt).related(record["id"])


def test_rebuild_full_without_sources_rebuilds_from_the_index_itself(mixed_index, added_index, tmp_path, run_cli):
    index = tmp_path / "index"
    shutil.copytree(mixed_index, index)
    before = run_cli("export", "--index", index).output
    result = run_cli("rebuild-index", "--full", "--index", index, "-q")  # no source file anywhere
    assert result.exit_code == 0, result.output
    assert "Indexed 13 documents, skipped 0" in result.output and "raw-3': unknown date format" in result.output
    assert run_cli("export", "--index", index).output == before
    index = tmp_path / "added"
    shutil.copytree(added_index, index)
    answers = _search_all(Index(index), _queries(GIVEN) + ["kazakhstan", "pengusiran", "beras"])
    assert run_cli("rebuild-index", "--full", "--index", index, "-q").exit_code == 0
    assert _search_all(Index(index), _queries(GIVEN) + ["kazakhstan", "pengusiran", "beras"]) == answers
    # The sources it came from stay on record.
    assert any(source.endswith("seeds") for source in generations.read_manifest(generations.live_generation(index))["sources"])


def test_rebuild_with_sources_still_makes_the_index_exactly_them(mixed_index, tmp_path, run_cli):
    index = tmp_path / "index"
    shutil.copytree(mixed_index, index)
    result = run_cli("rebuild-index", SEEDS, "--full", "--index", index, "--allow-removals", "-q")
    assert result.exit_code == 0 and result.output.startswith("Indexed 5 documents")
    assert len(run_cli("export", "--index", index).output.splitlines()) == 5


@pytest.fixture
def format_7(tmp_path):
    index = tmp_path / "old"
    shutil.copytree(FORMAT_7, index)
    return index


def test_an_index_of_the_previous_format_says_what_works(format_7, run_cli):
    assert INDEX_FORMAT == 11
    with pytest.raises(IndexOutdated) as error:
        Index(format_7).search("banjir")
    message = str(error.value)
    assert "index format 7" in message and "`cari rebuild-index --full` (no sources needed)" in message
    assert "cari export" in message
    result = run_cli("search", "banjir", "--index", format_7)
    assert result.exit_code == 1 and "no sources needed" in result.output
    result = run_cli("add", SEEDS, "--index", format_7)  # an update cannot start from it either
    assert result.exit_code == 1 and "`cari rebuild-index --full`" in result.output


def test_an_index_of_the_previous_format_is_rebuilt_from_itself_with_its_api_articles(format_7, tmp_path, run_cli):
    expected = json.loads((DATA / "index-format-7.expected.json").read_text(encoding="utf-8"))
    exported = [json.loads(line) for line in run_cli("export", "--index", format_7).output.splitlines()]
    assert sorted(r["id"] for r in exported) == [d["id"] for d in expected["documents"]]
    result = run_cli("rebuild-index", "--full", "--index", format_7)  # the source folders are long gone
    assert result.exit_code == 0 and "Indexed 8 documents, skipped 0" in result.output, result.output
    assert generations.read_manifest(generations.live_generation(format_7))["index_format"] == INDEX_FORMAT
    searcher = Index(format_7)
    for doc in expected["documents"]:  # the three the API took among them: "api-banjir-1", "api-gempa-2", "42"
        page = searcher.article(doc["id"])
        stored = searcher.document(doc["id"])
        assert (page.title, stored["body"], page.date, page.source, page.author, page.url) == (
            doc["title"], doc["body"], doc["date"], doc["source"], doc["author"], doc["url"])
        assert stored.get("related", []) == doc["related"]
    # The same articles answer each query (the order is the ranking's, which later versions may change).
    for query, hits in expected["answers"].items():
        assert {hit.id for hit in searcher.search(query, limit=20).hits} == {h[0] for h in hits}, query


def test_backup_is_a_consistent_index_while_writes_go_on(mixed_index, tmp_path, run_cli):
    index = tmp_path / "index"
    shutil.copytree(mixed_index, index)
    writer = BatchedWrites(index, batch_seconds=0)
    stop, written = threading.Event(), threading.Event()
    floods = Index(index).search("banjir").total

    def keep_writing():
        n = 0
        while not stop.is_set():
            n += 1
            writer.upsert(given({"id": f"w-{n}", "text": f"Berita nomor {n} tentang banjir."}))
            written.set()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    written.wait(30)
    try:
        for n in range(6):
            result = run_cli("backup", tmp_path / f"copy-{n}", "--index", index)
            assert result.exit_code == 0 and result.output.startswith("Backed up gen-"), result.output
    finally:
        stop.set()
        thread.join()
    for n in range(6):
        copy = tmp_path / f"copy-{n}"
        searcher = Index(copy)  # opens (its checksums hold), and holds every article of its moment
        total = searcher.doc_count()
        assert total > 13 and searcher.search("banjir", limit=100).total == floods + total - 13
    live = generations.live_generation(index)
    linked = next(p for p in live.iterdir() if p.suffix == ".seg")
    copied = tmp_path / "copy-5" / generations.live_generation(tmp_path / "copy-5").name / linked.name
    assert not copied.exists() or copied.stat().st_ino == linked.stat().st_ino  # a hard link, not a copy
    result = run_cli("backup", tmp_path / "copy-0", "--index", index)
    assert result.exit_code == 1 and "not an empty folder" in result.output


def test_backup_of_an_older_format_opens_as_that_index(format_7, tmp_path, run_cli):
    assert run_cli("backup", tmp_path / "copy", "--index", format_7).exit_code == 0
    assert run_cli("export", "--index", tmp_path / "copy").output == run_cli("export", "--index", format_7).output


def test_a_damaged_index_is_not_rebuilt_from_itself(mixed_index, tmp_path, run_cli):
    index = tmp_path / "index"
    shutil.copytree(mixed_index, index)
    segment = max(generations.live_generation(index).glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the stored articles' segment
    segment.write_bytes(bytes(data))
    live = generations.live_generation(index).name
    result = run_cli("rebuild-index", "--full", "--index", index)
    assert result.exit_code == 1 and "is damaged" in result.output and "Nothing was changed" in result.output
    assert "Traceback" not in result.output and generations.live_generation(index).name == live
