"""Bad input, failures and concurrency never break search or lose the index."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from search import Index
from search.cli import cli
from search.index import generations, write_lock
from tests.conftest import SEEDS
from web.render import marked_html


def rebuild(*args):
    return CliRunner().invoke(cli, ["rebuild-index", *map(str, args)])


def total(index, query):
    return Index(index).search(query).total


# -- bad input ---------------------------------------------------------------


@pytest.fixture
def messy(seeds_copy):
    """The seeds plus one of every kind of bad or awkward input."""
    (seeds_copy / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "only-furniture.txt").write_text("Baca berita tanpa iklan. Gabung Kompas.com+\n\nTerkini Lainnya\nRafah\n")
    (seeds_copy / "latin1.txt").write_bytes(
        "Judul Banjir\n\nJakarta, Kompas.com - Banjir merendam kafé di Jakarta pada Senin pagi, "
        "sehingga warga harus mengungsi ke tempat yang lebih tinggi.".encode("cp1252")
    )
    (seeds_copy / "bom.txt").write_bytes(
        "\ufeffJudul Gempa\r\n\r\nCianjur, Kompas.com - Gempa mengguncang Cianjur pada Senin siang, "
        "menyebabkan kerusakan di banyak rumah warga.\r\n".encode("utf-8")
    )
    lines = [
        json.dumps({"id": "j1", "text": "Harga cabai melonjak di pasar induk.", "date": "kemarin sore"}),
        '{"id": "j2", "text": "broken',
        json.dumps({"id": "j3", "title": "Tanpa teks"}),
        json.dumps({"id": "j4", "text": "Petani tomat merugi.", "source": ["Kompas"]}),
        json.dumps({"id": "j1", "text": "Duplikat: harga bawang turun."}),
        json.dumps(["not", "an", "object"]),
    ]
    (seeds_copy / "bulk.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return seeds_copy


def test_bad_inputs_are_reported_by_name_and_line_and_the_rest_indexed(messy, tmp_path):
    result = rebuild(messy, "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    out = result.output
    expected = [
        "binary.txt: binary file",
        "empty.txt: empty file",
        "only-furniture.txt: no article body found",
        "latin1.txt: not UTF-8",
        "bulk.jsonl:1: unknown date format 'kemarin sore'",
        "bulk.jsonl:2: invalid JSON",
        'bulk.jsonl:3: missing "text"',
        'bulk.jsonl:4: "source" is not a string',
        "bulk.jsonl:5: duplicate id 'j1'",
        "bulk.jsonl:6: expected a JSON object",
    ]
    for fragment in expected:
        assert fragment in out, fragment
    # 5 seeds + latin1 + bom + j1 + j4
    assert "Indexed 9 documents, skipped 7" in out
    index = tmp_path / "ix"
    assert total(index, "kafé") == 1  # Windows-1252 decoded, not mojibake
    assert total(index, "guncang") == 1  # BOM and CRLF page
    assert Index(index).document("bom")["title"] == "Judul Gempa"
    assert Index(index).document("j1")["body"].startswith("Harga cabai")  # first of the duplicates kept


def test_strict_fails_and_keeps_the_previous_index(messy, seeds_copy, tmp_path):
    index = tmp_path / "ix"
    assert rebuild(seeds_copy.parent / "seeds", "--index", index, "--strict").exit_code == 1
    assert not (index / generations.POINTER).exists()  # nothing half-built was published
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.jsonl").write_text(json.dumps({"id": "a", "text": "Harga cabai naik."}) + "\n")
    assert rebuild(clean, "--index", index, "--strict").exit_code == 0
    result = rebuild(messy, "--index", index, "--strict")
    assert result.exit_code == 1
    assert "--strict: 7 input(s) could not be indexed; the previous index is unchanged." in result.output
    assert total(index, "cabai") == 1 and total(index, "kazakhstan") == 0
    assert len(list(index.glob("gen-*"))) == 1


@pytest.mark.slow
def test_huge_article_is_indexed_and_its_snippet_shows_a_deep_match(tmp_path):
    filler = "Warga kota berkumpul di alun-alun untuk merayakan hari jadi kota dengan berbagai lomba. " * 60_000
    text = filler + "Di akhir laporan, petani Zzyzxville memanen padi. " + filler[:1000]
    (tmp_path / "huge.jsonl").write_text(json.dumps({"id": "huge", "title": "Arsip", "text": text}) + "\n")
    assert rebuild(tmp_path / "huge.jsonl", "--index", tmp_path / "ix").exit_code == 0
    hit = Index(tmp_path / "ix").search("zzyzxville").hits[0]
    assert hit.id == "huge"
    assert "petani <mark>Zzyzxville</mark> memanen" in marked_html(hit.snippet)


# -- failures ------------------------------------------------------------------


def test_second_rebuild_is_refused_while_one_runs(seed_index, tmp_path):
    index = tmp_path / "ix"
    with write_lock.rebuild_lock(index):
        result = rebuild(SEEDS, "--index", index, "--wait", "0.3")
    assert result.exit_code == 1
    assert f"Another rebuild of {index} is running (pid {os.getpid()}) and stayed locked for 0.3 s" in result.output
    assert not list(index.glob("gen-*"))


def test_unwritable_index_folder_gets_a_clear_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = rebuild(SEEDS, "--index", blocker / "ix")
    assert result.exit_code == 1
    assert "Cannot write the index at" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("damage", ["delete-segment", "truncate-segment", "truncate-toc", "bad-pointer"])
def test_damaged_index_gets_a_clear_message_and_exit_1(seed_index, tmp_path, damage):
    import shutil

    index = tmp_path / "ix"
    shutil.copytree(seed_index, index)
    generation = generations.live_generation(index)
    segment = next(generation.glob("*.seg"))
    if damage == "delete-segment":
        segment.unlink()
    elif damage == "truncate-segment":
        os.truncate(segment, segment.stat().st_size // 2)
    elif damage == "truncate-toc":
        os.truncate(next(generation.glob("*.toc")), 10)
    else:
        (index / generations.POINTER).write_text("gen-missing")
    result = CliRunner().invoke(cli, ["search", "kazakhstan", "--index", str(index)])
    assert result.exit_code == 1
    assert "damaged" in result.output and "cari rebuild-index" in result.output
    assert "Traceback" not in result.output
    # ... and a rebuild repairs it.
    assert rebuild(SEEDS, "--index", index).exit_code == 0
    assert total(index, "kazakhstan") == 5


def _corpus(tmp_path, n):
    """n news-like articles as a JSONL source, a rebuild of about a second or two.

    Made from the seed articles' sentences (the repository has no bigger
    corpus), reshuffled per article, with the word ``toyota`` in every third
    one so that the new index is recognisable.
    """
    import random

    from search.ingest.sources import read_articles
    from tests.conftest import SEEDS

    sentences = [s for a in read_articles([SEEDS]) for s in a.body.replace("\n", " ").split(". ") if len(s) > 30]
    # The old index's marker word, in every spelling the seeds have (Kazakhstan,
    # Kazakstan, Kazakhastan, Kazaskhstan): search finds spelling variants.
    sentences = [s for s in sentences if "kaza" not in s.lower()]
    rng = random.Random(7)
    path = tmp_path / "corpus" / "docs.jsonl"
    path.parent.mkdir()
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            text = ". ".join(rng.sample(sentences, 25)) + (" Mobil Toyota terjual." if i % 3 == 0 else "")
            out.write(json.dumps({"id": f"gen{i}", "title": f"Berita {i}", "text": text}) + "\n")
    return path.parent


def _start_rebuild(source, index):
    return subprocess.Popen(
        [sys.executable, "-c", "from search.cli import cli; cli()", "rebuild-index", str(source), "--index", str(index), "-q",
         "--allow-removals"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


@pytest.mark.server
@pytest.mark.slow
def test_rebuild_killed_at_any_moment_leaves_the_previous_index_serving(seed_index, tmp_path):
    import shutil

    index = tmp_path / "ix"
    shutil.copytree(seed_index, index)
    source = _corpus(tmp_path, 400)
    for delay in (0.2, 0.6, 1.0, 1.5):
        proc = _start_rebuild(source, index)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        live = generations.live_generation(index)  # never a half-written pointer
        if live.name == (seed_index / generations.POINTER).read_text():
            assert total(index, "kazakhstan") == 5
        else:  # the rebuild had finished before the kill: the whole new index serves
            assert total(index, "toyota") == 134 and total(index, "kazakhstan") == 0
    proc = _start_rebuild(source, index)
    assert proc.wait() == 0, proc.stdout.read()
    assert total(index, "toyota") > 0
    # The next complete rebuild cleaned up what the killed ones left.
    assert len(list(index.glob("gen-*"))) <= 2


@pytest.mark.server
@pytest.mark.slow
def test_search_answers_during_a_rebuild_and_then_sees_the_new_index(seed_index, tmp_path):
    import shutil

    index = tmp_path / "ix"
    shutil.copytree(seed_index, index)
    searcher = Index(index)  # one long-lived searcher, like a server's
    source = _corpus(tmp_path, 400)
    proc = _start_rebuild(source, index)
    answers = []
    while proc.poll() is None:
        answers.append(searcher.search("kazakhstan OR toyota").total)
        time.sleep(0.02)
    assert proc.returncode == 0, proc.stdout.read()
    new_total = Index(index).search("kazakhstan OR toyota").total
    assert new_total != 5
    # Every search answered, from the old index (5 seeds) or the complete new one.
    assert answers and set(answers) <= {5, new_total}
    # The long-lived searcher moved to the new index without a restart.
    assert searcher.search("kazakhstan OR toyota").total == new_total


@pytest.mark.server
@pytest.mark.slow
def test_a_running_server_answers_every_search_during_a_rebuild(seed_index, tmp_path):
    import shutil
    import urllib.request

    from tests.conftest import start_cari_serve, stop

    index = tmp_path / "ix"
    shutil.copytree(seed_index, index)
    source = _corpus(tmp_path, 400)
    server, url, _ = start_cari_serve(index)
    try:
        def total_for(query):
            with urllib.request.urlopen(f"{url}/api/search?q={query}", timeout=30) as response:
                assert response.status == 200
                return json.load(response)["total"]

        assert total_for("kazakhstan") == 5
        rebuild_proc = _start_rebuild(source, index)
        answers = []
        while rebuild_proc.poll() is None:
            answers.append(total_for("kazakhstan+OR+toyota"))
        assert rebuild_proc.returncode == 0, rebuild_proc.stdout.read()
        new_total = Index(index).search("kazakhstan OR toyota").total
        assert answers and set(answers) <= {5, new_total}
        assert total_for("kazakhstan+OR+toyota") == new_total  # no restart needed
    finally:
        stop(server)
