"""Story groups on the results page ("Juga di ...") and in the JSON API (same_story, stories, group=0)."""

import pytest
from conftest import STORY_QUERY as TITLE_QUERY
from conftest import write_jsonl

from search import Index
from web.app import create_app


@pytest.fixture
def story_client(story_index):
    app = create_app({"INDEX_DIR": str(story_index[0]), "TESTING": True})
    return app.test_client()


def test_the_page_says_juga_di_and_links_every_article(story_client, story_index):
    _, _, story, _ = story_index
    page = story_client.get("/search", query_string={"q": TITLE_QUERY}).get_data(as_text=True)
    assert 'class="same-story">Juga di' in page
    assert sum(f"/article/{doc_id}" in page for doc_id in story) == 4
    assert "berita" in page and "Tampilkan semua artikel" in page
    assert "/api/export.csv?q=" in page and "/api/export.jsonl?q=" in page
    every = story_client.get("/search", query_string={"q": TITLE_QUERY, "group": "0"}).get_data(as_text=True)
    assert "Juga di" not in every and "Kelompokkan" in every


def test_the_page_escapes_what_a_story_shows(tmp_path, indosum_docs):
    """A copy's publisher and title come from the data: shown escaped, never as markup."""
    original = dict(list(indosum_docs.values())[5])
    copy = {**original, "id": "evil", "source": "<script>alert(1)</script>", "title": '"><img src=x onerror=1>'}
    Index(tmp_path / "index").rebuild([write_jsonl(tmp_path / "d.jsonl", [original, copy])], full=True)
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    page = client.get("/search", query_string={"q": "polda metro tilang"}).get_data(as_text=True)
    assert "Juga di" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;script&gt;" in page


def test_the_api_groups_by_default_and_group_0_lists_every_article(story_client, story_index):
    _, _, story, _ = story_index
    grouped = story_client.get("/api/search", query_string={"q": TITLE_QUERY}).get_json()
    every = story_client.get("/api/search", query_string={"q": TITLE_QUERY, "group": "0"}).get_json()
    assert grouped["total"] == every["total"] and grouped["stories"] == every["total"] - 3
    assert every["stories"] is None
    assert sum(hit["id"] in story for hit in grouped["results"]) == 1
    assert sum(hit["id"] in story for hit in every["results"]) == 4
    assert all(hit["same_story"] == [] for hit in every["results"])
