"""Results to take away from the page: ``/api/export.csv`` and ``/api/export.jsonl`` (streamed, capped) on IndoSum."""

import csv
import io
import json

import pytest

from web.app import create_app


def _csv_rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff"), "CSV for Excel starts with a byte order mark"
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture(scope="module")
def client(indosum_index):
    return create_app({"INDEX_DIR": str(indosum_index), "TESTING": True}).test_client()


@pytest.mark.slow
def test_the_download_is_every_match_streamed_as_an_attachment(client):
    total = client.get("/api/search", query_string={"q": "banjir"}).get_json()["total"]
    response = client.get("/api/export.csv", query_string={"q": "banjir"})
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="cari-banjir.csv"'
    assert response.headers["X-Cari-Total"] == response.headers["X-Cari-Rows"] == str(total)
    rows = _csv_rows(response.get_data().decode("utf-8"))
    assert len(rows) == total
    lines = client.get("/api/export.jsonl", query_string={"q": "banjir", "source": "suara"}).get_data(as_text=True)
    filtered = client.get("/api/search", query_string={"q": "banjir", "source": "suara"}).get_json()["total"]
    assert len(lines.splitlines()) == filtered < total
    assert {json.loads(line)["source"] for line in lines.splitlines()} == {"suara"}


def test_the_download_is_capped_and_says_so(indosum_index):
    app = create_app({"INDEX_DIR": str(indosum_index), "TESTING": True, "EXPORT_ROWS": 7})
    response = app.test_client().get("/api/export.jsonl", query_string={"q": "jakarta"})
    assert int(response.headers["X-Cari-Total"]) > 7 and response.headers["X-Cari-Rows"] == "7"
    assert len(response.get_data(as_text=True).splitlines()) == 7


def test_a_bad_download_query_is_a_json_error(client):
    response = client.get("/api/export.csv", query_string={"q": "banjir", "sort": "sideways"})
    assert response.status_code == 400 and "sort" in response.get_json()["error"]
