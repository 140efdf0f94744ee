"""The write API under attack: a body cut at the limit, a bad article batched with good ones, nested JSON."""

from __future__ import annotations

import io
import json
import threading

import pytest

from search import given_article
from search.index.documents import BatchedWrites
from tests.conftest import make_index
from tests.web.test_web_writes import AUTH, BASE, app_over, article, ids_for


@pytest.fixture
def index(tmp_path):
    return make_index(tmp_path, BASE)


def chunked_post(client, body: bytes):
    """POST ``body`` as a server hands a chunked request to the app: no Content-Length, the stream ended by the server."""
    return client.post("/api/documents", input_stream=io.BytesIO(body),
                       headers={**AUTH, "Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def lines_of(docs) -> bytes:
    return "".join(json.dumps(doc) + "\n" for doc in docs).encode()


def test_a_chunked_body_over_the_limit_is_a_413_and_writes_nothing(index):
    client = app_over(index, MAX_CONTENT_LENGTH=4000).test_client()
    docs = [article(f"potong-{n}", f"Laporan panjang nomor {n} tentang banjir rob.") for n in range(80)]
    body = lines_of(docs)
    assert len(body) > 4000
    # The cut falls at the end of a line: the part read is valid JSON Lines on its own.
    cut = body[:4000].rfind(b"\n") + 1
    response = chunked_post(client, body[:cut] + b" " * (4000 - cut) + body[cut:])
    assert response.status_code == 413 and "smaller batches" in response.get_json()["error"]
    assert ids_for(client, "banjir") == []
    assert client.get("/api/article/potong-0").status_code == 404


def test_a_chunked_body_under_the_limit_is_written_whole_and_the_answer_counts_it(index):
    client = app_over(index, MAX_CONTENT_LENGTH=100_000).test_client()
    docs = [article(f"utuh-{n}", f"Laporan nomor {n} tentang banjir rob.") for n in range(40)]
    response = chunked_post(client, lines_of(docs))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["count"] == len(docs) == len(answer["upserted"])
    assert answer["upserted"] == [doc["id"] for doc in docs]
    for doc in docs:
        assert client.get(f"/api/article/{doc['id']}").status_code == 200


def test_a_lone_surrogate_is_replaced_with_a_warning_not_a_500(index):
    client = app_over(index).test_client()
    body = '{"id": "kafe", "title": "Kafe baru", "text": "Teks caf\\udce9 di Bandung dibuka."}'
    response = client.post("/api/documents", data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["upserted"] == ["kafe"]
    assert any("lone surrogate" in warning for warning in response.get_json()["warnings"])
    assert "caf\ufffd" in client.get("/api/article/kafe").get_json()["paragraphs"][0]


def test_deeply_nested_json_is_a_400_naming_the_problem(index):
    client = app_over(index).test_client()
    for body in ("[" * 100_000 + "]" * 100_000, '{"id": "x", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"):
        response = client.post("/api/documents", data=body, headers={**AUTH, "Content-Type": "application/json"})
        assert response.status_code == 400
        assert "nested too deeply" in response.get_json()["error"]
    lines = json.dumps(article("baik", "Artikel yang baik.")) + "\n" + "[" * 100_000 + "\n"
    response = client.post("/api/documents", data=lines, headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert response.status_code == 400 and response.get_json()["error"].startswith("line 2: JSON nested too deeply")


def test_a_bad_write_batched_with_good_ones_fails_alone(index, monkeypatch):
    """Writes of one batch share a generation; when that fails, each is tried alone, so only the bad one fails."""
    from search.index import documents

    real = documents.build_index

    def fussy(sources, index_dir, **options):  # the build every batch of upserts is
        if any(article.id == "beracun" for given in sources for article in given.articles):
            raise documents.CariError("1 document(s) could not be indexed")
        return real(sources, index_dir, **options)

    monkeypatch.setattr(documents, "build_index", fussy)
    writer = BatchedWrites(index, batch_seconds=0.5)
    outcomes: dict[str, object] = {}

    def write(doc_id):
        try:
            outcomes[doc_id] = writer.upsert([given_article(article(doc_id, f"Kabar {doc_id} hari ini."), "test")[0]])
        except documents.CariError as e:
            outcomes[doc_id] = e

    threads = [threading.Thread(target=write, args=(doc_id,)) for doc_id in ("baik-1", "beracun", "baik-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert isinstance(outcomes["beracun"], documents.CariError)
    assert outcomes["baik-1"].upserted == ["baik-1"] and outcomes["baik-2"].upserted == ["baik-2"]
    client = app_over(index).test_client()
    assert sorted(ids_for(client, "kabar")) == ["baik-1", "baik-2"]


def test_a_line_cut_in_a_string_is_a_400_saying_where_once(index):
    """A batch cut mid-string (a client's buffer flushed short) names the line, the problem and its column, in
    English: 'Unterminated string starting at column 26', not '... starting at)' or 'at at'."""
    client = app_over(index).test_client()
    body = json.dumps(article("utuh", "Artikel yang baik.")) + '\n{"id": "potong", "text": "Banjir di\n'
    response = client.post("/api/documents", data=body, headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "line 2: not JSON (Unterminated string starting at column 26)."
