"""The write API: documents added, replaced and removed with a key, through the normal generation swap."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from search.index import generations, write_lock
from tests.conftest import make_index, start_cari_serve, stop, web_client
from web.app import create_app

KEY = "rahasia-redaksi-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
BASE = [
    {"id": "lama-1", "title": "Gempa di Cianjur", "text": "Gempa mengguncang Cianjur pada pagi hari.",
     "source": "Kompas.com", "date": "2022-11-21"},
    {"id": "lama-2", "title": "Harga beras naik", "text": "Harga beras di pasar naik lagi minggu ini.",
     "source": "Tempo.co", "date": "2023-02-01"},
]


def article(doc_id: str, text: str, **extra) -> dict:
    return {"id": doc_id, "title": extra.pop("title", text.split(".")[0]), "text": text, **extra}


@pytest.fixture
def index(tmp_path):
    return make_index(tmp_path, BASE)


def app_over(index, **config):
    return create_app({"INDEX_DIR": str(index), "TESTING": True, "API_KEY": KEY, **config})


def ids_for(client, query: str) -> list[str]:
    return [hit["id"] for hit in client.get("/api/search", query_string={"q": query}).get_json()["results"]]


def test_without_a_key_there_is_no_write_api(index):
    client = web_client(index)
    response = client.post("/api/documents", json=article("baru", "Banjir melanda Bekasi."), headers=AUTH)
    assert response.status_code == 404 and "CARI_API_KEY" in response.get_json()["error"]
    assert client.delete("/api/documents/lama-1", headers=AUTH).status_code == 404
    assert ids_for(client, "gempa") == ["lama-1"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer salah"}, {"Authorization": KEY},
                                     {"Authorization": f"Basic {KEY}"}])
def test_a_missing_or_wrong_key_is_a_401_and_writes_nothing(index, headers):
    client = app_over(index).test_client()
    response = client.post("/api/documents", json=article("baru", "Banjir melanda Bekasi."), headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.delete("/api/documents/lama-1", headers=headers).status_code == 401
    assert ids_for(client, "banjir") == [] and ids_for(client, "gempa") == ["lama-1"]
    assert client.get("/api/search?q=gempa").status_code == 200  # reads stay public


def test_a_posted_article_is_searchable_by_every_process_when_the_request_returns(index):
    writer, other_worker = app_over(index).test_client(), app_over(index).test_client()
    assert ids_for(other_worker, "gempa") == ["lama-1"]  # its searcher is open on the old generation
    before = generations.live_generation(index).name
    response = writer.post("/api/documents", json=article("baru-1", "Banjir melanda Bekasi sejak subuh."),
                           headers=AUTH)
    assert response.status_code == 200 and response.get_json()["upserted"] == ["baru-1"]
    assert generations.live_generation(index).name != before  # one new generation, swapped in whole
    assert ids_for(writer, "banjir") == ["baru-1"] and ids_for(other_worker, "banjir") == ["baru-1"]
    assert other_worker.get("/healthz").get_json()["documents"] == 3
    # A restart (a new app over the folder) finds it too: it is in the index on disk.
    assert ids_for(create_app({"INDEX_DIR": str(index)}).test_client(), "bekasi") == ["baru-1"]


def test_posting_an_id_again_replaces_the_article(index):
    client = app_over(index).test_client()
    changed = article("lama-1", "Gempa susulan terasa di Sukabumi.", source="Antara", date="2022-11-22")
    assert client.post("/api/documents", json=changed, headers=AUTH).status_code == 200
    assert ids_for(client, "cianjur") == [] and ids_for(client, "sukabumi") == ["lama-1"]
    assert client.get("/api/article/lama-1").get_json()["source"] == "Antara"
    assert client.get("/api/stats").get_json()["documents"] == 2


def test_json_lines_are_written_together_and_a_bad_line_writes_nothing(index):
    client = app_over(index).test_client()
    lines = "\n".join(json.dumps(article(f"seri-{n}", f"Liputan pemilu bagian {n}.")) for n in range(3))
    response = client.post("/api/documents", data=lines, headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200 and response.get_json()["upserted"] == ["seri-0", "seri-1", "seri-2"]
    assert sorted(ids_for(client, "pemilu")) == ["seri-0", "seri-1", "seri-2"]
    bad = json.dumps(article("seri-9", "Liputan pemilu lagi.")) + '\n{"id": "tanpa-teks"}\n'
    response = client.post("/api/documents", data=bad, headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert response.status_code == 400 and response.get_json()["error"] == 'line 2: missing "text".'
    assert "seri-9" not in ids_for(client, "pemilu")
    for body in (b"", b"\xff\xfe\x00", b"[1, 2]", b"not json"):
        assert client.post("/api/documents", data=body, headers=AUTH).status_code == 400


def test_delete_removes_an_article_and_an_unknown_id_is_a_404(index):
    client = app_over(index).test_client()
    response = client.delete("/api/documents/lama-2", headers=AUTH)
    assert response.status_code == 200 and response.get_json()["deleted"] == ["lama-2"]
    assert ids_for(client, "beras") == [] and client.get("/api/article/lama-2").status_code == 404
    assert client.delete("/api/documents/lama-2", headers=AUTH).status_code == 404
    assert ids_for(client, "gempa") == ["lama-1"]


def test_writes_arriving_together_share_one_generation(index):
    app = app_over(index)
    statuses = []

    def post(n):
        statuses.append(app.test_client().post(
            "/api/documents", json=article(f"serentak-{n}", f"Kabar serentak nomor {n}."), headers=AUTH).status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    manifest = generations.read_manifest(generations.live_generation(index))
    assert manifest["mode"] == "add" and manifest["added"] == 4  # one ADD build for the four
    assert app.test_client().get("/healthz").get_json()["documents"] == 6
    assert len(ids_for(app.test_client(), "serentak")) == 4


def test_many_writes_in_a_row_merge_their_segments(index):
    # The tenth small segment makes Whoosh merge them (this crashed on ID fields' packed lists).
    client = app_over(index, WRITE_WAIT_SECONDS=1).test_client()
    for n in range(14):
        assert client.post("/api/documents", json=article(f"urut-{n}", f"Kabar berurutan {n}."),
                           headers=AUTH).status_code == 200
    assert len([p for p in generations.live_generation(index).iterdir() if p.suffix == ".seg"]) < 14
    assert client.get("/api/search?q=berurutan&limit=20").get_json()["total"] == 14


def test_a_write_during_a_rebuild_waits_for_it(index):
    client = app_over(index, WRITE_WAIT_SECONDS=10).test_client()
    with write_lock.rebuild_lock(index):  # a rebuild holds the index...
        result = {}
        thread = threading.Thread(target=lambda: result.update(response=client.post(
            "/api/documents", json=article("sabar", "Artikel yang menunggu."), headers=AUTH)))
        thread.start()
        time.sleep(0.8)
        assert thread.is_alive()  # ...so the write waits
    thread.join(10)
    assert result["response"].status_code == 200 and ids_for(client, "menunggu") == ["sabar"]


def test_a_write_refused_during_a_long_rebuild_says_so_and_is_not_applied_later(index):
    client = app_over(index, WRITE_WAIT_SECONDS=0.3).test_client()
    with write_lock.rebuild_lock(index):
        response = client.post("/api/documents", json=article("ditolak", "Artikel yang ditolak."), headers=AUTH)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert "send the documents again" in response.get_json()["error"]
    time.sleep(0.5)
    assert ids_for(client, "ditolak") == []  # refused means not written: the client sends it again
    assert client.post("/api/documents", json=article("ditolak", "Artikel yang ditolak."),
                       headers=AUTH).status_code == 200


def test_too_large_a_body_is_a_413(index):
    client = app_over(index, MAX_CONTENT_LENGTH=1000).test_client()
    response = client.post("/api/documents", json=article("besar", "kata " * 500), headers=AUTH)
    assert response.status_code == 413 and "smaller batches" in response.get_json()["error"]


@pytest.mark.server
@pytest.mark.slow
def test_serve_takes_the_key_from_a_file_and_every_worker_sees_a_write(tmp_path):
    index = make_index(tmp_path, BASE)
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    proc, url, _ = start_cari_serve(index, 60, "--workers", "2", "--api-key-file", str(key_file))
    try:
        body = json.dumps(article("lewat-http", "Kereta cepat diresmikan hari ini.")).encode()
        request = urllib.request.Request(url + "/api/documents", data=body, method="POST",
                                         headers={**AUTH, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["upserted"] == ["lewat-http"]
        for _ in range(8):  # connections are not kept: the requests reach both workers
            with urllib.request.urlopen(url + "/api/search?q=kereta", timeout=10) as response:
                assert [hit["id"] for hit in json.load(response)["results"]] == ["lewat-http"]
        wrong = urllib.request.Request(url + "/api/documents/lama-1", method="DELETE",
                                       headers={"Authorization": "Bearer salah"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(wrong, timeout=10)
        assert refused.value.code == 401
    finally:
        stop(proc)


def test_serve_refuses_a_short_key(run_cli, tmp_path, monkeypatch):
    index = make_index(tmp_path, BASE)
    key_file = tmp_path / "key"
    key_file.write_text("kunci", encoding="utf-8")
    result = run_cli("serve", "--index", index, "--port", "0", "--api-key-file", key_file)
    assert result.exit_code != 0 and "at least 16 characters" in result.output
    monkeypatch.setenv("CARI_API_KEY", "pendek")
    result = run_cli("serve", "--index", index, "--port", "0")
    assert result.exit_code != 0 and "CARI_API_KEY must be at least 16" in result.output
    result = run_cli("serve", "--index", index, "--port", "0", "--api-key-file", tmp_path / "missing")
    assert result.exit_code != 0 and "cannot read" in result.output
