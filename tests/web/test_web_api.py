"""The JSON API: every endpoint, its description (OpenAPI 3), and schemathesis against both."""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings

from search.index import generations
from tests.conftest import KOMPAS_ID, NEWS, make_index, web_client
from web.app import create_app

schemathesis = pytest.importorskip("schemathesis", reason="the API tests need schemathesis (the [test] extra)")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def test_search_counts_facets_for_the_query_not_the_archive(news_client):
    data = news_client.get("/api/search?q=banjir&limit=2").get_json()
    assert data["total"] == 5 and data["limit"] == 2 and data["pages"] == 3 and len(data["results"]) == 2
    assert data["facets"]["source"] == {"Kompas.com": 3, "Tempo.co": 2}
    assert data["facets"]["year"] == {"2023": 3, "2022": 2}
    assert data["facets"]["month"] == {"2023-03": 1, "2023-02": 1, "2023-01": 1, "2022-12": 1, "2022-11": 1}
    # Every page together is the whole result, as the facets count it.
    pages = [news_client.get(f"/api/search?q=banjir&limit=2&page={page}").get_json() for page in (1, 2, 3)]
    ids = {r["id"] for page in pages for r in page["results"]}
    assert len(ids) == 5


@pytest.mark.parametrize("url", ["/api/search?q=%C3%AB&prefix=1", "/api/search?q=r&prefix=1",
                                 "/api/search?q=zzzqqq", "/api/search?q=banjir", "/api/search?q=-W"])
def test_every_search_answer_has_the_facets_and_timeline_even_when_nothing_is_counted(news_client, url):
    # found by schemathesis: a lone typed letter (the completion's early answer) left both out
    data = news_client.get(url).get_json()
    assert set(data["facets"]) == {"source", "year", "month", "people", "organisations"}, url
    assert isinstance(data["timeline"], list), url


def test_a_query_with_an_exclusion_counts_every_facet_and_the_timeline_of_its_matches(news_client):
    # found by schemathesis: a NOT is ranked by Whoosh, whose counts had no people, organisations or timeline
    plain = news_client.get("/api/search?q=banjir").get_json()
    excluding = news_client.get("/api/search?q=banjir -zzzqqq").get_json()
    assert excluding["total"] == plain["total"] == 5
    assert excluding["facets"] == plain["facets"] and excluding["timeline"] == plain["timeline"]
    assert sum(period["count"] for period in excluding["timeline"]) == 5


def test_browse_a_source_newest_or_oldest_first_undated_last(news_client):
    newest = news_client.get("/api/search?source=Tempo.co").get_json()
    assert [r["id"] for r in newest["results"]] == ["tem-11", "tem-10", "tem-12"]
    assert all(r["score"] is None for r in newest["results"])
    oldest = news_client.get("/api/search?source=Tempo.co&sort=oldest").get_json()
    assert [r["id"] for r in oldest["results"]] == ["tem-10", "tem-11", "tem-12"]
    by_date = news_client.get("/api/search?q=banjir&sort=oldest").get_json()
    dates = [r["date"] for r in by_date["results"]]
    assert dates == sorted(dates) and by_date["total"] == 5
    year = news_client.get("/api/search?from=2022-01-01&to=2022-12-31").get_json()
    assert year["total"] == 2 and year["facets"]["year"] == {"2022": 2}


def test_a_not_query_sorts_oldest_first_and_counts_months_too(news_client):
    data = news_client.get("/api/search?q=banjir NOT nomor&sort=oldest").get_json()
    assert data["total"] == 0
    data = news_client.get("/api/search?q=banjir NOT pemilu&sort=oldest").get_json()
    dates = [r["date"] for r in data["results"]]
    assert data["total"] == 5 and dates == sorted(dates)
    assert sum(data["facets"]["month"].values()) == 5


def test_unknown_sort_is_a_400_naming_the_choices(news_client):
    response = news_client.get("/api/search?q=banjir&sort=alphabet")
    assert response.status_code == 400 and "relevance, newest or oldest" in response.get_json()["error"]


def test_article_endpoint_gives_the_fields_and_paragraphs(news_client):
    data = news_client.get("/api/article/tem-10").get_json()
    assert data["id"] == "tem-10" and data["author"] == "Nesa Aqila" and data["url"] == "https://tempo.co/a/10"
    assert data["paragraphs"] and "banjir" in data["paragraphs"][0]
    missing = news_client.get("/api/article/nope")
    assert missing.status_code == 404 and "nope" in missing.get_json()["error"]


def test_related_endpoint_is_the_cli_related_json(news_client, run_cli, news_index):
    data = news_client.get("/api/related/kom-1?limit=3").get_json()
    cli = json.loads(run_cli("search", "--related", "kom-1", "-n", "3", "--json", "--index", news_index).output)
    assert data == cli and len(data["results"]) == 3 and "kom-1" not in [r["id"] for r in data["results"]]
    assert news_client.get("/api/related/nope").status_code == 404
    assert news_client.get("/api/related/kom-1?limit=0").status_code == 400


def test_suggest_completes_words_names_and_titles(client):
    data = client.get("/api/suggest?q=kaza").get_json()
    assert data["suggestions"][0] == {"text": "kazakhstan", "kind": "word"}
    titles = [s for s in data["suggestions"] if s["kind"] == "title"]
    assert KOMPAS_ID in [s["id"] for s in titles]
    assert titles and all(re.search(r"\bkaza", s["text"].lower()) for s in titles)
    names = client.get("/api/suggest?q=tempo").get_json()["suggestions"]
    assert {"text": "Tempo.co", "kind": "name"} in names
    words = client.get("/api/suggest?q=duta bes").get_json()["suggestions"]
    assert words[0] == {"text": "duta besar", "kind": "word"}
    assert client.get("/api/suggest?q=k").get_json()["suggestions"] == []  # one letter completes nothing


def test_stats_say_what_the_index_holds_without_server_paths(news_client, news_index):
    response = news_client.get("/api/stats")
    data = response.get_json()
    assert data["documents"] == len(NEWS) and data["sources"] == 1 and data["terms"] > 0
    assert str(news_index) not in response.get_data(as_text=True)
    assert str(news_index.parent) not in response.get_data(as_text=True)


def test_healthz_names_the_live_generation_or_answers_503(news_client, news_index, tmp_path):
    data = news_client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["documents"] == len(NEWS)
    assert data["generation"] == generations.live_generation(news_index).name
    empty = web_client(tmp_path / "none").get("/healthz")
    assert empty.status_code == 503 and empty.get_json()["status"] == "unavailable"
    assert str(tmp_path) not in empty.get_data(as_text=True)


def test_unknown_api_address_and_method_are_json(news_client):
    response = news_client.get("/api/nothing")
    assert response.status_code == 404 and response.is_json
    response = news_client.post("/api/search")
    assert response.status_code == 405 and response.is_json and "GET" in response.headers["Allow"]


def test_the_description_covers_every_api_route(news_index):
    app = create_app({"INDEX_DIR": str(news_index), "API_KEY": "k" * 32})
    described = app.test_client().get("/api/openapi.json").get_json()
    assert described["openapi"].startswith("3.")
    routes = {
        (str(rule).replace("<path:doc_id>", "{id}"), method.lower())
        for rule in app.url_map.iter_rules()
        if str(rule).startswith("/api/") or str(rule) in ("/healthz", "/feed.atom")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {(path, method) for path, item in described["paths"].items() for method in item}
    without_key = create_app({"INDEX_DIR": str(news_index)}).test_client().get("/api/openapi.json").get_json()
    assert "/api/documents" not in without_key["paths"]


# -- schemathesis: generated requests against the description -------------------
# Each operation's cases come from its hypothesis strategy (schemathesis's pytest
# loader does not run under pytest 9), checked by schemathesis's own checks.


def run_schemathesis(schema, max_examples: int, headers: dict | None = None) -> list[tuple[str, int]]:
    """Every operation of ``schema`` with generated cases; returns (operation, status) of each call."""
    seen: list[tuple[str, int]] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # Hypothesis gives every example the same seed of the global random, and Whoosh
            # names each new segment with it: every write would pick the name of the last one.
            random.seed()
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            seen.append((case.operation.label, response.status_code))

        check()
    return seen


@pytest.mark.slow
def test_every_response_matches_the_description(news_index):
    """Reads with anything schemathesis makes of the parameters; writes without the key are 401s."""
    app = create_app({"INDEX_DIR": str(news_index), "API_KEY": "k" * 32})
    seen = run_schemathesis(schemathesis.openapi.from_wsgi("/api/openapi.json", app), max_examples=40)
    labels = {label for label, _ in seen}
    assert {"GET /api/search", "GET /api/suggest", "GET /healthz", "POST /api/documents"} <= labels
    # Without the key every write is a 401 (a generated id the router cannot match is its 404).
    writes = [status for label, status in seen if not label.startswith("GET")]
    assert 401 in writes and set(writes) <= {401, 404}
    assert 200 in {status for label, status in seen if label == "GET /api/search"}


@pytest.mark.slow
def test_writes_with_the_key_match_the_description(tmp_path):
    """Generated documents and ids, with the key: written or refused (400, 404), never a 5xx."""
    index = make_index(tmp_path, NEWS[:3])
    app = create_app({"INDEX_DIR": str(index), "API_KEY": "k" * 32, "WRITE_WAIT_SECONDS": 1})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app).include(path_regex="^/api/documents")
    seen = run_schemathesis(schema, max_examples=10, headers={"Authorization": "Bearer " + "k" * 32})
    assert {status for _, status in seen} <= {200, 400, 404, 413}
