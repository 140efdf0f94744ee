"""The smaller findings of the attack round: bad months, stray quotes, a locked index, ties, FIFOs, escapes."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from search import Index
from search.index import write_lock
from tests.conftest import make_index, web_client, write_jsonl

ARTICLES = [
    {"id": "minyak-1", "title": "Harga minyak naik", "text": "Harga minyak dunia naik tajam pekan ini.",
     "source": "Kompas.com", "date": "2022-03-01"},
    {"id": "beras-1", "title": "Harga beras", "text": "Harga beras di pasar induk stabil.", "source": "Antara",
     "date": "2022-04-01"},
]


@pytest.fixture
def index(tmp_path):
    return make_index(tmp_path, ARTICLES)


@pytest.mark.parametrize("month", ["13", "00", "ab"])
def test_a_bad_month_in_the_date_filter_is_a_400_page_not_a_500(index, month):
    client = web_client(index)
    response = client.get(f"/search?q=minyak&from=2017-{month}-01&to=2017-{month}-31")
    assert response.status_code == 400
    assert "Terjadi kesalahan" not in response.get_data(as_text=True)
    assert client.get(f"/api/search?q=minyak&from=2017-{month}-01&to=2017-{month}-31").status_code == 400


@pytest.mark.parametrize("pasted", ['Harga minyak "naik tajam pekan ini.', "harga minyak dunia naik)",
                                    "(harga minyak dunia"])
def test_a_pasted_sentence_with_a_stray_quote_is_searched_as_words_with_a_note(index, pasted, run_cli):
    results = Index(index).search(pasted)
    assert results.as_words and results.hits[0].id == "minyak-1"
    client = web_client(index)
    answer = client.get("/api/search", query_string={"q": pasted})
    assert answer.status_code == 200 and answer.get_json()["results"][0]["id"] == "minyak-1"
    assert "searched as plain words" in answer.get_json()["note"]
    page = client.get("/search", query_string={"q": pasted})
    assert page.status_code == 200 and "Tanda kutip atau kurung tanpa pasangan diabaikan" in page.get_data(as_text=True)
    result = run_cli("search", pasted, "--index", index)
    assert result.exit_code == 0 and "searched as plain words" in result.output and "minyak-1" in result.output
    assert not Index(index).search('"harga minyak"').as_words  # a whole phrase is still a phrase


def test_rebuild_waits_for_the_lock_for_wait_seconds(tmp_path, run_cli):
    source = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    index = tmp_path / "index"
    locked = threading.Event()

    def hold_for_a_moment():
        with write_lock.rebuild_lock(index):  # API writes, or another build, hold it for a moment
            locked.set()
            time.sleep(1.0)

    holder = threading.Thread(target=hold_for_a_moment)
    holder.start()
    locked.wait(5)
    result = run_cli("rebuild-index", source, "--index", index, "--wait", "20")
    holder.join()
    assert result.exit_code == 0 and "Indexed 2 documents" in result.output


def test_equal_scores_are_ordered_newest_first_then_by_id_in_every_generation(tmp_path):
    same = "Harga minyak goreng naik lagi di pasar."
    tied = [{"id": "x-c", "text": same, "date": "2020-01-01"}, {"id": "x-b", "text": same, "date": "2021-01-01"},
            {"id": "x-a", "text": same, "date": "2021-01-01"}]
    index = make_index(tmp_path, tied)  # read in the order c, b, a: document numbers say c first
    searcher = Index(index)
    assert [hit.id for hit in searcher.search("minyak goreng").hits] == ["x-a", "x-b", "x-c"]
    assert [hit.id for hit in searcher.search("minyak goreng", limit=1).hits] == ["x-a"]
    assert [hit.id for hit in searcher.search("minyak goreng", limit=2, page=2).hits] == ["x-c"]


def test_a_fifo_in_a_source_folder_is_reported_not_read(tmp_path, run_cli):
    folder = tmp_path / "src"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", ARTICLES)
    os.mkfifo(folder / "pipa.jsonl")
    result = run_cli("rebuild-index", folder, "--index", tmp_path / "index")
    assert result.exit_code == 0
    assert f"skipped {folder / 'pipa.jsonl'}: not a regular file (a named pipe, socket or device); not read" \
        in result.output


def test_an_index_built_inside_its_own_source_folder_is_not_read_as_a_source(tmp_path, run_cli):
    folder = tmp_path / "src"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", ARTICLES)
    result = run_cli("rebuild-index", folder, "--index", folder / "index", "--strict")
    assert result.exit_code == 0, result.output
    assert "unsupported format" not in result.output and "Indexed 2 documents, skipped 0" in result.output
    again = run_cli("rebuild-index", folder, "--index", folder / "index", "--strict")
    assert again.exit_code == 0 and "a Cari index; not read" in again.output


def test_search_json_escapes_characters_that_drive_a_terminal(tmp_path, run_cli):
    index = make_index(tmp_path, [{"id": "nakal", "title": "Judul \u009b31m merah \u202eterbalik",
                                   "text": "Berita nakal \u009b31m dengan \u202e teks terbalik."}])
    result = run_cli("search", "nakal", "--json", "--index", index)
    assert "\u009b" not in result.output and "\u202e" not in result.output
    assert "\\u009b" in result.output and "\\u202e" in result.output
    assert json.loads(result.output)["results"][0]["title"] == "Judul \u009b31m merah \u202eterbalik"
