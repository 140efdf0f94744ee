"""No query holds the others up: budgets, browsing without words, date order from arrays, bounded wildcards."""

import random
import threading

import pytest
from whoosh import query as q
from whoosh.index import open_dir

from search import Index
from search.errors import QueryError, QueryTooSlow, SearchBusy
from search.index import generations
from search.query import budget
from search.query.budget import Deadline
from search.query.filters import Filters
from search.ranking.expansion import WildcardExpander
from search.ranking.fallback import newest_first, rank_in_whoosh
from tests.conftest import built_then_updated, seed_sentences, whoosh_searcher
from web.app import create_app

KOMPAS_ID = "000_820b055c4d7704aa"


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    """Articles of seed sentences with many equal dates, some undated, some with a time zone; built, then
    updated (changed and gone articles: deleted documents, a second segment)."""
    sentences = seed_sentences()
    rng = random.Random(11)
    dates = ["2022-01-05", "2022-01-05", "2021-12-31T23:30:00+07:00", "2023-03-01T08:00:00Z", "2020-07-17", None]
    articles = []
    for i in range(90):
        article = {"id": f"d{i}", "title": rng.choice(sentences)[:80], "text": " ".join(rng.sample(sentences, 3)),
                   "source": ["Kompas", "Tempo", "Antara"][i % 3]}
        if (date := rng.choice(dates)) is not None:
            article["date"] = date
        articles.append(article)
    return built_then_updated(tmp_path_factory.mktemp("dated"), articles, changed=8, gone=10)


def whoosh_newest_first(index_dir, searcher: Index, query, filter_query=None) -> list[str]:
    """The ids Whoosh's own date sort gives (``fallback.newest_first``), all of them."""
    with open_dir(str(generations.live_generation(index_dir))).searcher() as plain:
        return [hit["id"] for hit in plain.search(query, limit=None, sortedby=newest_first(), filter=filter_query)]


def searched_query(searcher: Index, text: str):
    """The Whoosh query the searcher ranks for ``text`` (parsed, common stopwords dropped)."""
    searcher.search("warmup")
    return searcher.policy.pruned(searcher.parse(text)).query


class SteppingClock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


# -- the time budget -------------------------------------------------------------


@pytest.mark.budget  # the default budget (2 s), as users have it
@pytest.mark.parametrize("budget_seconds", [0, 1e-9])
def test_a_search_past_its_budget_stops_with_query_too_slow(seed_index, budget_seconds):
    searcher = Index(seed_index, budget_seconds=budget_seconds)
    for text, options in [("rusia", {}), ("rusia NOT ukraina", {}), ("kazak*", {}), ("rusia", {"sort": "date"})]:
        with pytest.raises(QueryTooSlow, match=r"fewer wildcards \(\*\) and more specific words"):
            searcher.search(text, **options)
    assert Index(seed_index).search("rusia").total  # the default budget is ample for the seeds


def test_the_array_scorer_looks_at_the_clock_between_branches(seed_index, monkeypatch):
    searcher = Index(seed_index)
    query = searched_query(searcher, "pasukan Rusia menarik diri dari Kazakhstan")
    monkeypatch.setattr(budget, "clock", SteppingClock(1.0))
    with pytest.raises(QueryTooSlow):
        searcher.scorer.rank(query, 10, deadline=Deadline(10.5))  # 24 branches, one second each
    assert searcher.scorer.rank(query, 10, deadline=Deadline(1000)) is not None


def test_whoosh_and_wildcard_expansion_stop_at_the_deadline(seed_index):
    searcher = Index(seed_index)
    query = searched_query(searcher, "rusia NOT ukraina")
    with whoosh_searcher(seed_index) as plain, pytest.raises(QueryTooSlow):
        rank_in_whoosh(plain, query, 10, None, "relevance", Deadline(0))
    with whoosh_searcher(seed_index) as plain, pytest.raises(QueryTooSlow):
        WildcardExpander(plain.reader()).words("body_exact", "ka*", Deadline(0))


def test_a_search_that_cannot_start_within_the_budget_is_refused_as_busy(seed_index):
    app = create_app({"INDEX_DIR": str(seed_index), "SEARCH_BUDGET_SECONDS": 0.05})
    searcher = app.extensions["cari.index"]
    searcher.budget_seconds = None  # the first search opens the index: on a busy machine that alone can take 0.05 s
    searcher.search("rusia")
    searcher.budget_seconds = 0.05
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with searcher._lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait(10)
    try:
        with pytest.raises(SearchBusy, match="busy"):
            searcher.search("rusia")
        page = app.test_client().get("/search?q=rusia")
        assert page.status_code == 503 and "Cari sedang sibuk" in page.get_data(as_text=True)
        assert page.headers["Retry-After"]
    finally:
        release.set()
        holder.join()
    searcher.budget_seconds = None
    assert searcher.search("rusia").total


def test_the_api_answers_a_slow_search_with_503_and_retry_after(seed_index):
    client = create_app({"INDEX_DIR": str(seed_index), "SEARCH_BUDGET_SECONDS": 1e-9}).test_client()
    response = client.get("/api/search?q=rusia")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert "fewer wildcards" in response.get_json()["error"]


def test_the_page_for_a_slow_search_is_a_503_in_indonesian(seed_index, caplog):
    client = create_app({"INDEX_DIR": str(seed_index), "SEARCH_BUDGET_SECONDS": 1e-9}).test_client()
    response = client.get("/search?q=rusia")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Pencarian terlalu lama" in page and "kata yang lebih spesifik" in page
    assert "QueryTooSlow" not in page and str(seed_index) not in page and "took longer" not in page
    assert "took longer" in caplog.text  # the detail is in the log


@pytest.mark.budget  # the default budget (2 s), as users have it
def test_the_budget_comes_from_the_app_config(seed_index):
    app = create_app({"INDEX_DIR": str(seed_index), "SEARCH_BUDGET_SECONDS": "0.5"})
    assert app.extensions["cari.index"].budget_seconds == 0.5
    assert create_app({"INDEX_DIR": str(seed_index)}).extensions["cari.index"].budget_seconds == 2.0


# -- browsing without words -----------------------------------------------------------


def test_a_star_alone_lists_every_article_newest_first(seed_index):
    # Every seed is dated (the Tempo page by its lead); undated-last is checked on dated_index below.
    results = Index(seed_index).search("*")
    dates = [hit.date for hit in results.hits]
    assert results.browsed and results.total == 5 and len(dates) == 5
    assert None not in dates and dates == sorted(dates, reverse=True)
    assert [hit.id for hit in results.hits][:2] == ["000_820b055c4d7704aa", "001_a4f4262280191b67"]
    assert all(hit.score is None for hit in results.hits)


def test_a_filter_without_words_lists_its_articles_newest_first(seed_index):
    searcher = Index(seed_index)
    results = searcher.search("", filters=Filters(source="Kompas.com"))
    assert results.browsed and results.total == 3 == len(results.hits)
    assert {hit.source for hit in results.hits} == {"Kompas.com"}
    dates = [hit.date for hit in results.hits]
    assert dates == sorted(dates, reverse=True)
    # 11 January and 6 October (Kompas), 5 October (Tempo, by its lead).
    assert searcher.search("  ", filters=Filters(date_from="2022-01-09")).total == 3


def test_no_words_and_no_filter_is_still_an_empty_query(seed_index):
    for filters in (None, Filters(), Filters(source="")):
        with pytest.raises(QueryError, match="Empty query"):
            Index(seed_index).search(" ", filters=filters)


@pytest.mark.parametrize(
    "filters",
    [Filters(source="Tempo"), Filters(date_from="2022-01-05"), Filters(date_to="2022-01-05"),
     Filters(source="Antara", date_from="2021-12-31", date_to="2022-12-31"), Filters(date_from="2030-01-01")],
)
def test_browsing_lists_what_whoosh_finds_for_the_filter_in_its_date_order(dated_index, filters):
    searcher = Index(dated_index)
    expected = whoosh_newest_first(dated_index, searcher, q.Every(), filters.to_query())
    # every article, as Whoosh lists them: the made articles hold near-copies, which story grouping would fold
    results = searcher.search("", filters=filters, limit=100, group=False)
    assert [hit.id for hit in results.hits] == expected and results.total == len(expected)


def test_the_web_form_and_api_browse_with_a_filter_and_no_words(client):
    page = client.get("/search?q=&source=Kompas.com").get_data(as_text=True)
    assert "<strong>3</strong> artikel dengan filter ini, terbaru lebih dulu" in page
    assert KOMPAS_ID in page
    assert client.get("/?source=Kompas.com").get_data(as_text=True).count('class="result"') == 3
    data = client.get("/api/search?q=&source=Kompas.com").get_json()
    assert data["total"] == 3 and [r["source"] for r in data["results"]] == ["Kompas.com"] * 3
    assert "autofocus" in client.get("/search?q=").get_data(as_text=True)  # no filter: the front page
    assert client.get("/api/search?q=*").get_json()["total"] == 5


# -- date order from arrays ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, filters",
    [("kazakhstan", None), ("rusia", None), ("pengusiran", None), ("rusia ukraina kazakhstan", Filters(source="Tempo.co")),
     ("kazakhstan OR rusuh", None), ('"pasukan rusia"', None), ("kazak*", None)],
)
def test_date_sort_gives_whoosh_date_order_on_the_seeds(seed_index, text, filters):
    searcher = Index(seed_index)
    query = searched_query(searcher, text)
    expected = whoosh_newest_first(seed_index, searcher, query, filters.to_query() if filters else None)
    results = searcher.search(text, sort="date", filters=filters, limit=100)
    assert [hit.id for hit in results.hits] == expected and results.total == len(expected)


@pytest.mark.parametrize(
    "text, filters",
    # Words joined by OR are every article holding one of them; plain words mean all of them (test_reader_archive).
    [("kazakhstan", None), ("rusia", None), ("pasukan OR Rusia OR menarik OR diri OR dari OR Kazakhstan", None),
     ("rusia AND kazakhstan", None), ("pe*", None), ("berapa orang tewas", None),
     ("rusia", Filters(source="Kompas", date_from="2021-12-31")), ("yang OR di OR dan", None)],
)
def test_date_sort_gives_whoosh_date_order_with_equal_dates_undated_and_deleted_articles(dated_index, text, filters):
    searcher = Index(dated_index)
    query = searched_query(searcher, text)
    assert searcher.scorer.rank(query, 10) is not None  # ranked by the array scorer
    expected = whoosh_newest_first(dated_index, searcher, query, filters.to_query() if filters else None)
    results = searcher.search(text, sort="date", filters=filters, limit=100, group=False)  # every article, as Whoosh
    assert len(expected) > 3 and results.total == len(expected)
    assert [hit.id for hit in results.hits] == expected[:100]
    assert all(hit.score is None for hit in results.hits)


# -- wildcards --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["*a*", "a*", "k*stan", "title:a*", "rusia *", "*stan", "* NOT rusia"])
def test_a_wildcard_without_two_letters_before_it_is_a_query_error_saying_the_rule(seed_index, text):
    with pytest.raises(QueryError, match=r"at least 2 letters before the first \*.*A \* on its own lists"):
        Index(seed_index).search(text)


@pytest.mark.parametrize("text", ["ka*", "kazak*", "ka*stan", "title:kaz*", "*", "title:*"])
def test_wildcards_with_two_letters_before_them_are_searched(seed_index, text):
    assert Index(seed_index).search(text).total >= 1


def test_a_wildcard_expands_to_its_most_frequent_words_most_frequent_first(dated_index):
    with whoosh_searcher(dated_index) as plain:  # Whoosh's searcher of the live generation, as Index reads it
        reader = plain.reader()
        words = [word.decode("utf-8") for word in reader.expand_prefix("body_exact", "pe")]
        by_frequency = sorted(words, key=lambda word: (-reader.doc_frequency("body_exact", word), word))
        assert len(by_frequency) > 3 and reader.doc_frequency("body_exact", by_frequency[0]) > 1
        expander = WildcardExpander(reader, max_words=3)
        assert expander.words("body_exact", "pe*") == tuple(by_frequency[:3])
        expanded = expander.expand(q.Or([q.Term("body", "rusia"), q.Prefix("body_exact", "pe", boost=2.0)]))
        assert expanded == q.Or([q.Term("body", "rusia"), q.Or([q.Term("body_exact", w) for w in by_frequency[:3]], boost=2.0)])
        assert expander.expand(q.Term("body", "rusia")) == q.Term("body", "rusia")


def test_under_the_cap_a_wildcard_scores_as_the_or_of_the_words_it_matches(dated_index):
    """Each word scored by BM25F as if typed: what Whoosh gives an OR of all the words (its own ``simplify``)."""
    searcher = Index(dated_index)
    query = searched_query(searcher, "kazak* pe*an rusia")
    with whoosh_searcher(dated_index) as plain:  # Whoosh's searcher of the live generation, as Index reads it
        reader = plain.reader()

        def every_word(node):
            return node.simplify(reader) if isinstance(node, (q.Prefix, q.Wildcard)) else node.apply(every_word)

        expected = {hit["id"]: hit.score for hit in plain.search(every_word(query), limit=None, optimize=False)}
        got = dict(searcher.ranked_ids("kazak* pe*an rusia", limit=1000))
        assert len(expected) > 10 and got == pytest.approx(expected, rel=1e-9)


def test_a_wildcard_count_stopped_by_the_deadline_carries_on_at_the_next_search(dated_index, monkeypatch):
    from search.ranking import expansion

    with whoosh_searcher(dated_index) as plain:  # Whoosh's searcher of the live generation, as Index reads it
        reader = plain.reader()
        looked_up = []

        def counted(real):
            return lambda *a: looked_up.append(a) or real(*a)

        for leaf, _ in reader.leaf_readers():  # each segment's own (live documents only where it has deletions)
            monkeypatch.setattr(leaf, "doc_frequency", counted(leaf.doc_frequency))
        everything = WildcardExpander(reader, max_words=10_000).words("body_exact", "pe*")
        lookups_in_one_go = len(looked_up)  # one per word and segment holding it
        looked_up.clear()
        monkeypatch.setattr(expansion, "CHECK_EVERY", 2)
        monkeypatch.setattr(budget, "clock", SteppingClock(1.0))
        expander = WildcardExpander(reader, max_words=10_000)
        with pytest.raises(QueryTooSlow):
            expander.words("body_exact", "pe*", Deadline(4.5))  # stopped after a few words
        assert 0 < len(looked_up) < lookups_in_one_go
        assert expander.words("body_exact", "pe*", Deadline(1e9)) == everything
        assert len(looked_up) == lookups_in_one_go  # no word counted twice, none left out


@pytest.mark.budget  # the default budget (2 s), as users have it: Whoosh's timer around the filter skipped it
@pytest.mark.parametrize("text", ["-pemilu", "banjir AND NOT pemilu"])
def test_a_query_whoosh_ranks_keeps_its_filter_within_a_time_budget(news_index, text):
    """A NOT query filtered to one source lists only that source's articles, and counts only them."""
    with Index(news_index) as index:
        assert index.budget_seconds is not None
        results = index.search(text, filters=Filters(source="Tempo.co"), facets=True, group=False)
    assert {hit.source for hit in results.hits} == {"Tempo.co"}
    assert results.total == 2 and sorted(hit.id for hit in results.hits) == ["tem-10", "tem-11"]
    assert results.facets["source"] == {"Tempo.co": 2}
