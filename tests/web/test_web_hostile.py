"""Hostile requests: random queries, path tricks, and no debugger in production."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.query.test_query_properties import QUERIES
from web.app import create_app


@pytest.fixture(scope="module")
def app(seed_index):
    """The app as it runs in production (not in testing mode: no debugger, errors handled as for users)."""
    return create_app({"INDEX_DIR": str(seed_index)})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERIES, page=st.one_of(st.integers(-5, 50).map(str), st.text(max_size=5)),
       limit=st.one_of(st.integers(-5, 500).map(str), st.text(max_size=5)))
def test_api_answers_200_or_400_never_500(app, q, page, limit):
    response = app.test_client().get("/api/search", query_string={"q": q, "page": page, "limit": limit})
    assert response.status_code in (200, 400), (q, page, limit, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert ("results" in body) if response.status_code == 200 else body["error"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERIES)
def test_results_page_answers_200_or_400_never_500(app, q):
    assert app.test_client().get("/search", query_string={"q": q}).status_code in (200, 400)


@pytest.mark.parametrize(
    "path",
    [
        "/article/../../etc/passwd",
        "/article/..%2F..%2Fetc%2Fpasswd",
        "/article/%2e%2e/%2e%2e/etc/passwd",
        "/article/..%252F..%252Fsetup.cfg",
        "/article/....//....//etc/passwd",
        "/article/%00",
        "/article/000_820b055c4d7704aa%00",
        "/article/000_820b055c4d7704aa/../../setup.cfg",
        "/static/../setup.cfg",
        "/static/..%2Fapp.py",
        "/static/%2e%2e/%2e%2e/setup.cfg",
    ],
)
def test_path_tricks_are_404(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "root:" not in text and "[metadata]" not in text and "create_app" not in text


def test_the_app_never_runs_with_the_debugger(app):
    assert not app.debug
    response = app.test_client().get("/api/search?q=rusia")
    assert "Werkzeug Debugger" not in response.get_data(as_text=True)


def test_a_page_past_the_ten_thousandth_result_is_refused_before_any_work(app, seed_index):
    """Page 10,000 of 100 asked for the stored fields of a million results before the budget could look (25-38
    CPU-s and 7.6 GB at 1,000,000 articles): a search lists 10,000 results at most, as Elasticsearch does, and says
    so; every match is in an export."""
    from search import Index, QueryError
    from search.results import SearchResults

    client = app.test_client()
    assert client.get("/api/search", query_string={"q": "kazakhstan", "page": 100, "limit": 100}).status_code == 200
    answer = client.get("/api/search", query_string={"q": "kazakhstan", "page": 101, "limit": 100})
    assert answer.status_code == 400 and "past the 10,000th result" in answer.get_json()["error"]
    page = client.get("/search", query_string={"q": "kazakhstan", "page": 2000})
    assert page.status_code == 400
    assert "Halaman 2.000 melewati hasil ke-10.000" in page.get_data(as_text=True)
    with Index(seed_index) as index, pytest.raises(QueryError, match="past the 10,000th"):
        index.search("*", page=1001)
    assert SearchResults("banjir", 1_000_000, 1, 10, 0.0).pages == 1_000  # no link past the last page listed
