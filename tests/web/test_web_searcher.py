"""The Index methods the web pages need: sources, article, doc_count, pages past the last."""

from search import Index
from tests.conftest import NEWS, searcher_of, write_jsonl
from web.render import article_html

KOMPAS_ID = "000_820b055c4d7704aa"


def test_sources_lists_each_publisher_with_its_article_count(seed_index):
    assert Index(seed_index).sources() == [("Kompas.com", 3), ("SinPo.id", 1), ("Tempo.co", 1)]


def test_doc_count(seed_index):
    assert Index(seed_index).doc_count() == 5


def test_article_has_paragraphs_and_marks_every_form_of_the_query(seed_index):
    article = Index(seed_index).article(KOMPAS_ID, "pengusiran")
    assert article.title == "Kazakhstan Panggil Dubes Rusia Gelar Pembicaraan Serius, Ini Sebabnya"
    assert article.source == "Kompas.com" and article.author == "Danur Lambang Pristiandaru"
    assert article_html(article)["paragraphs_html"][0].startswith("Kementerian Luar Negeri Kazakhstan")  # no dateline
    marked = [p for p in article_html(article)["paragraphs_html"] if "<mark>" in p]
    assert len(marked) == 2 and all("<mark>mengusir</mark>" in p for p in marked)
    assert all("\n" not in p for p in article_html(article)["paragraphs_html"])


def test_article_with_unparseable_query_is_unmarked_and_missing_is_none(seed_index):
    searcher = Index(seed_index)
    assert not any("<mark>" in p for p in article_html(searcher.article(KOMPAS_ID, '"duta'))["paragraphs_html"])
    assert searcher.article("tidak-ada") is None


def test_a_page_past_the_last_has_no_hits(seed_index):
    results = Index(seed_index).search("rusia", page=9, limit=2)
    assert results.total == 5 and results.hits == [] and results.pages == 3


def test_warm_up_opens_the_index_and_loads_the_stemmer_dictionary(seed_index):
    """A worker's warm-up leaves its first reader less to load: the index open, Sastrawi's dictionary read."""
    from search.analysis.stemmer import Stemmer

    stemmer = Stemmer()
    assert not stemmer.loaded
    stemmer.load()
    assert stemmer.loaded and stemmer.dictionary.contains("makan")
    searcher = Index(seed_index)
    searcher.warm_up()
    assert searcher.is_open  # open: the first request does not open it


def test_warm_up_of_a_missing_index_raises_index_missing(tmp_path):
    import pytest

    from search.errors import IndexMissing

    with pytest.raises(IndexMissing):
        Index(tmp_path / "nothing").warm_up()


def test_scorer_and_policy_are_the_live_generations_before_any_search_and_after_a_write(tmp_path):
    index = searcher_of(NEWS[:4], tmp_path)
    assert not index.is_open
    assert index.scorer.postings.live_count == 4  # opened by the first look, no search needed
    assert index.policy.scorer is index.scorer
    index.add([write_jsonl(tmp_path / "more.jsonl", NEWS[4:6])])
    assert index.scorer.postings.live_count == 6  # the write's generation, reopened
    assert index.policy.scorer is index.scorer
