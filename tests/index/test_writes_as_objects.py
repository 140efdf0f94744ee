"""The write API's articles reach the build as objects: never written to a file that the build reads again."""

from search import Index, given_article
from search.index import batch


def test_an_upsert_is_indexed_from_the_articles_given_not_from_a_file(tmp_path, monkeypatch):
    def no_file(*args, **kwargs):
        raise AssertionError("the write API's articles were read from a file")

    monkeypatch.setattr(batch, "read_articles", no_file)  # how a build reads files (and standard input)
    index = Index(tmp_path / "index")
    article, caveats = given_article({"id": "w-1", "title": "Banjir", "text": "JAKARTA - Banjir melanda Bekasi."},
                                     "the write API, line 1")
    result = index.upsert([article])
    assert result.upserted == ["w-1"] and not caveats
    assert [hit.id for hit in index.search("banjir").hits] == ["w-1"]
    assert index.stats()["sources"] == ["the write API"]
    assert index.article("w-1").paragraphs[0].text == "Banjir melanda Bekasi."  # settled as any article read is
    assert sorted(p.name for p in (tmp_path / "index").iterdir() if not p.name.startswith("gen-")) == [
        ".lock", "CURRENT"]  # no temporary folder of articles left, none made
