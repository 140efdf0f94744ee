"""``--explain`` / ``explain=1``: each hit's score broken into its parts, and the parts add up to the score."""

import json

import pytest

from tests.conftest import searcher_of, web_client

ARTICLES = [
    {"id": "title", "title": "Banjir besar", "text": "Air naik di kampung. Warga mengungsi ke masjid."},
    {"id": "both", "title": "Cuaca", "text": "Banjir Jakarta merendam rumah. Hujan deras di Jakarta sejak pagi."},
    {"id": "body", "title": "Laporan", "text": "Banjir lagi. Banjir di mana-mana. Banjir tiap tahun, kata warga."},
    {"id": "far", "title": "Kota", "text": "Jakarta sibuk. " + "Kata lain. " * 30 + "Lalu banjir datang."},
    {"id": "novanto", "title": "Setya Novanto diperiksa", "text": "Novanto datang ke gedung KPK pada Senin."},
    {"id": "answer", "title": "Gempa", "text": "Gempa di Aceh menewaskan 12 orang. Korban dirawat."},
    {"id": "other", "title": "Gempa lagi", "text": "Gempa di Aceh terasa kuat. Korban belum didata."},
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    return searcher_of(ARTICLES, tmp_path_factory.mktemp("explain"))


def explained(searcher, text, **kwargs):
    results = searcher.search(text, explain=True, **kwargs)
    assert results.hits and all(hit.explanation is not None for hit in results.hits)
    return results.hits


def test_keyword_parts_add_up_to_the_score_and_name_fields_words_coverage_and_nearness(searcher):
    hits = explained(searcher, "banjir jakarta")
    for hit in hits:
        why = hit.explanation
        assert why["ranker"] == "bm25f" and why["score"] == pytest.approx(hit.score, abs=1e-3)
        parts = sum(why["fields"].values()) + why["nearness"]["score"]
        assert parts == pytest.approx(hit.score, abs=1e-3) and why["sum"] == pytest.approx(hit.score, abs=1e-3)
        assert sum(t["score"] for t in why["terms"]) == pytest.approx(sum(why["fields"].values()), abs=1e-3)
        assert {t["word"] for t in why["terms"]} <= {"banjir", "jakarta"}
    by_id = {hit.id: hit.explanation for hit in hits}
    assert by_id["both"]["coverage"] == {"held": 2, "of": 2, "note": "articles holding more of the words rank first"}
    assert by_id["title"]["coverage"]["held"] == 1
    assert by_id["both"]["nearness"]["score"] > 0 and by_id["far"]["nearness"]["score"] == 0
    assert set(by_id["title"]["fields"]) == {"title", "title_exact"}  # banjir only in its title
    assert "title" not in by_id["body"]["fields"]


def test_a_correction_is_named_with_the_word_typed(searcher):
    hit = explained(searcher, "novnto")[0]
    assert hit.id == "novanto"
    assert hit.explanation["corrections"] == [{"typed": "novnto", "searched": "novanto"}]
    assert {(t["word"], t["term"], t["reason"]) for t in hit.explanation["terms"]} == {("novnto", "novanto", "correction")}


def test_a_question_shows_its_answer_kind_bonus_and_re_rank(searcher):
    hits = explained(searcher, "Berapa korban gempa di Aceh?")
    first = hits[0].explanation
    assert hits[0].id == "answer"  # the passage with a number
    assert first["answer_kind"]["kind"] == "number" and first["answer_kind"]["score"] > 0
    rerank = first["rerank"]
    assert rerank["applied"] and rerank["answer_near"] and rerank["score"] == pytest.approx(hits[0].score, abs=1e-3)
    assert rerank["bm25"] == pytest.approx(sum(first["fields"].values()) + first["answer_kind"]["score"], abs=1e-3)
    other = next(hit.explanation for hit in hits if hit.id == "other")
    assert other["answer_kind"]["score"] == 0 and not other["rerank"]["answer_near"]


def test_exclusions_sorting_by_date_and_browsing_are_explained(searcher):
    hit = explained(searcher, "banjir -jakarta")[0]
    assert hit.explanation["excluded"][0] == "jakarta" and hit.explanation["sum"] == pytest.approx(hit.score, abs=1e-3)
    assert explained(searcher, "banjir", sort="newest")[0].explanation["ranker"] == "date"
    assert searcher.search("banjir").hits[0].explanation is None  # only when asked for


def test_cli_explain_prints_the_parts_and_json_carries_them(run_cli, tmp_path):
    searcher_of(ARTICLES, tmp_path)
    index = tmp_path / "index"
    result = run_cli("search", "banjir", "jakarta", "--explain", "--index", index)
    assert result.exit_code == 0, result.output
    assert "why: body" in result.output and "holds 2 of 2 words (all words first)" in result.output
    assert "words close together" in result.output and "  = " in result.output
    typo = run_cli("search", "novnto", "--explain", "--index", index).output
    assert "(correction: novanto)" in typo and "corrected: novnto -> novanto" in typo
    data = json.loads(run_cli("search", "banjir", "--explain", "--json", "--index", index).output)
    assert all("fields" in hit["explain"] for hit in data["results"])
    plain = json.loads(run_cli("search", "banjir", "--json", "--index", index).output)
    assert all("explain" not in hit for hit in plain["results"])


def test_api_explain_and_its_openapi_description(tmp_path):
    searcher_of(ARTICLES, tmp_path)
    client = web_client(tmp_path / "index")
    data = client.get("/api/search?q=banjir+jakarta&explain=1").get_json()
    assert data["results"][0]["explain"]["coverage"]["held"] == 2
    assert "explain" not in client.get("/api/search?q=banjir+jakarta").get_json()["results"][0]
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert "explain" in params and "Explanation" in spec["components"]["schemas"]


def test_explaining_is_part_of_the_search_time_and_stops_at_its_deadline(searcher):
    from search.errors import QueryTooSlow
    from search.query.budget import Deadline

    parsed = searcher.parse("banjir jakarta")
    found, *_ = searcher.policy.rank(searcher.policy.pruned(parsed), 10)
    explainer = searcher.policy.explainer(searcher.policy.pruned(parsed))
    assert len(explainer.explain(found, found, Deadline(60))) == len(found)
    with pytest.raises(QueryTooSlow):
        explainer.explain(found, found, Deadline(0))
