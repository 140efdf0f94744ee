"""The web app through Flask's test client: every route, status codes, escaping."""

import configparser
import fnmatch
import json
import re
import threading
import time
from html.parser import HTMLParser

import pytest

from search.index.build import build_index
from search.query.syntax import MAX_QUERY_CHARS
from tests.conftest import KOMPAS_ID, ROOT, make_index, web_client
from web.app import create_app

TEMPO_ID = "001_a4f4262280191b67"
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


OWN_SCRIPT = '<script src="/static/cari.js" defer></script>'


def without_own_script(page: str) -> str:
    """The page without Cari's one script tag (a file of its own, loaded from /static): any other is an injection."""
    assert page.count("<script") == page.count(OWN_SCRIPT) <= 1, "a script other than static/cari.js"
    return page.replace(OWN_SCRIPT, "")


class Tags(HTMLParser):
    """Collects the tags found inside elements with a given class."""

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class, self.depth, self.inside = css_class, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
            self.inside.append(tag)
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def tags_inside(page: str, css_class: str) -> set[str]:
    parser = Tags(css_class)
    parser.feed(page)
    return set(parser.inside)


# -- the front page -----------------------------------------------------------


def test_home_has_an_autofocused_search_box_and_the_article_count(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="id">' in page
    assert 'name="q"' in page and "autofocus" in page
    assert ">Cari</button>" in page
    assert "Mencari di <strong>5</strong> artikel" in page


def test_search_without_words_is_the_front_page(client):
    response = client.get("/search?q=++")
    assert response.status_code == 200
    assert "autofocus" in response.get_data(as_text=True)


def test_head_links_stylesheet_and_opensearch(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/static/style.css"' in page
    assert 'rel="search" type="application/opensearchdescription+xml"' in page
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "@media" in css.get_data(as_text=True)


# -- results --------------------------------------------------------------------


def test_results_are_ranked_with_links_source_date_and_marked_snippets(client):
    response = client.get("/search?q=pengusiran")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>2</strong> hasil untuk <q>pengusiran</q>" in page
    assert " ms)" in page  # the time taken
    assert f'href="/article/{KOMPAS_ID}?q=pengusiran"' in page
    assert f'href="/article/{TEMPO_ID}?q=pengusiran"' in page
    assert "<mark>mengusir</mark>" in page
    assert '<span class="source">Kompas.com</span>' in page
    assert "6 Oktober 2022, 21:01" in page
    assert 'value="pengusiran"' in page  # the query stays in the box


def test_root_with_q_is_the_results_page(client):
    def without_time(url):
        return re.sub(r'<span class="took">.*?</span>', "", client.get(url).get_data(as_text=True))

    assert without_time("/?q=mengusir") == without_time("/search?q=mengusir")


def test_snippets_and_titles_contain_only_mark_tags(client):
    page = client.get("/search?q=rusia").get_data(as_text=True)
    assert tags_inside(page, "snippet") == {"mark"}
    assert tags_inside(page, "result") <= {"h2", "a", "mark", "p", "span", "time"}


def test_no_results_says_so_in_indonesian(client):
    page = client.get("/search?q=zzzqqq").get_data(as_text=True)
    assert "Tidak ada hasil untuk <q>zzzqqq</q>" in page


def test_pages_link_to_each_other_and_keep_the_page_size(client):
    first = client.get("/search?q=rusia&limit=2").get_data(as_text=True)
    assert "Halaman 1 dari 3" in first
    assert 'rel="next" href="/search?q=rusia&amp;page=2&amp;limit=2"' in first
    assert '<span class="current" aria-current="page">1</span>' in first
    second = client.get("/search?q=rusia&limit=2&page=2").get_data(as_text=True)
    assert 'rel="prev" href="/search?q=rusia&amp;limit=2"' in second
    assert '<ol class="results" id="hasil" tabindex="-1" start="3">' in second
    article_link = r'href="(/article/[^"?]+)'
    first_ids, second_ids = set(re.findall(article_link, first)), set(re.findall(article_link, second))
    assert len(first_ids) == len(second_ids) == 2 and not first_ids & second_ids


def test_a_page_past_the_last_offers_the_last(client):
    page = client.get("/search?q=rusia&limit=2&page=9").get_data(as_text=True)
    assert "Halaman 9 melewati halaman terakhir" in page
    assert 'href="/search?q=rusia&amp;page=3&amp;limit=2"' in page
    assert "/article/" not in page  # not the last page's results under page 9's number
    assert client.get("/api/search?q=rusia&limit=2&page=9").get_json()["results"] == []


def test_source_filter_lists_the_sources_and_restricts_results(client):
    page = client.get("/search?q=rusia&source=Tempo.co").get_data(as_text=True)
    # The menu names every publisher; the counts are the facets', for this query (not the archive's).
    assert '<option value="Tempo.co" selected>Tempo.co</option>' in page
    assert '<option value="Kompas.com">Kompas.com</option>' in page
    assert "<strong>1</strong> hasil" in page and TEMPO_ID in page
    assert "Hapus filter" in page


def test_date_range_filter(client):
    page = client.get("/search?q=kazakhstan&from=2022-10-01&to=2022-10-31").get_data(as_text=True)
    assert KOMPAS_ID in page
    assert "004_6c20b73a237de7b4" not in page  # January 2022
    assert 'value="2022-10-01"' in page


def test_sort_by_date_puts_the_newest_first(client):
    data = client.get("/api/search?q=kazakhstan&sort=date").get_json()
    dates = [r["date"] for r in data["results"] if r["date"]]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 2


# -- bad input ------------------------------------------------------------------


def test_bad_query_is_explained_in_indonesian_in_the_page_and_in_english_by_the_cli(client, run_cli, seed_index):
    cli_message = run_cli("search", '"duta besar" OR', "--index", seed_index).output.strip()
    assert cli_message.startswith("Error: Operator OR needs a word")
    response = client.get('/search?q="duta besar" OR')
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Operator OR perlu kata di kedua sisinya" in page and "needs a word" not in page
    assert 'value="&#34;duta besar&#34; OR"' in page


@pytest.mark.parametrize(
    "args, message",
    [
        ("page=abc", "Nilai page &#39;abc&#39; tidak sah"),
        ("page=0", "Nilai page &#39;0&#39; tidak sah"),
        ("limit=1000", "Nilai limit &#39;1000&#39; tidak sah"),
        ("from=kemarin", "Tanggal &#39;kemarin&#39; tidak dikenali"),
        ("sort=random", "Urutan tidak dikenali"),
    ],
)
def test_bad_parameters_are_explained(client, args, message):
    response = client.get(f"/search?q=rusia&{args}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_bad_filter_is_said_to_be_the_filter_not_the_words_with_an_example_from_the_archive(news_client):
    # IndoSum's page said "Kueri "banjir jakarta" tidak dapat diproses" of a mistyped date, and gave
    # 2022-10-06 as the example on a 2016-2018 archive (issue 21): the words were fine.
    page = news_client.get("/search?q=banjir&from=2023-13").get_data(as_text=True)
    assert "Tanggal ini tidak dapat dipakai, jadi <q>banjir</q> belum dicari." in page and "Kueri" not in page
    assert "tulis TTTT-BB-HH (2023-08-17), TTTT-BB (2023-08) atau TTTT (2023)" in page  # NEWS's newest day
    page = news_client.get("/search?source=Kompas&to=kemarin").get_data(as_text=True)
    assert "Tanggal ini tidak dapat dipakai.</strong>" in page
    page = news_client.get("/search?q=banjir&source=Reuters").get_data(as_text=True)
    assert "Sumber ini tidak dapat dipakai, jadi <q>banjir</q> belum dicari." in page
    assert "Kueri <q>banjir AND</q> tidak dapat diproses." in news_client.get("/search?q=banjir+AND").get_data(as_text=True)


def test_several_sources_chosen_are_all_in_sight_in_the_list_of_sources(news_client):
    # With two sources chosen the list was three rows of the sources in order: "Semua sumber", Antara,
    # Kompas.com; the chosen Tempo.co was out of sight (IndoSum: cnn indonesia and suara, issue 21).
    page = news_client.get("/search?q=banjir&source=Tempo.co&source=Kompas.com").get_data(as_text=True)
    select = re.search(r'<select name="source" multiple size="(\d+)">(.*?)</select>', page, re.S)
    options = re.findall(r'<option value="([^"]*)"( selected)?>', select.group(2))
    shown = options[: int(select.group(1))]
    assert shown == [("", ""), ("Kompas.com", " selected"), ("Tempo.co", " selected")]
    assert options[3:] == [("Antara", "")]
    one = news_client.get("/search?q=banjir&source=Tempo.co").get_data(as_text=True)
    assert re.findall(r'<option value="([^"]*)"', re.search(r'<select name="source">(.*?)</select>', one, re.S).group(1)) == [
        "", "Antara", "Kompas.com", "Tempo.co"]


def test_a_one_day_filter_is_named_as_that_day(news_client):
    # A day's bar of the timeline narrows to that day: its chip said "7 Januari 2018 – 7 Januari 2018" (issue 21).
    page = news_client.get("/search?q=banjir&from=2023-01-10&to=2023-01-10").get_data(as_text=True)
    assert 'aria-label="Hapus filter 10 Januari 2023"' in page and "10 Januari 2023 –" not in page
    page = news_client.get("/search?q=banjir&from=2023-01-10&to=2023-01-12").get_data(as_text=True)
    assert 'aria-label="Hapus filter 10 Januari 2023 – 12 Januari 2023"' in page


def test_a_question_is_said_to_be_why_not_every_word_is_in_every_result(news_client):
    # A question is ranked over partial matches whatever the archive holds: the note said only that few
    # articles or none held every word (the CLI's line says a question too), false for "Siapa tersangka
    # korupsi e-KTP?" on IndoSum, where 37 articles hold tersangka, korupsi and e-KTP (issue 21).
    page = news_client.get("/search?q=Siapa+yang+membahas+banjir+di+kota%3F").get_data(as_text=True)
    assert "atau pencarian ini berupa pertanyaan atau kalimat" in page


def test_long_query_is_refused_with_a_message_and_capped_in_the_box(client):
    response = client.get("/search", query_string={"q": "rusia " * 400})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"paling banyak {MAX_QUERY_CHARS}" in page
    assert f'maxlength="{MAX_QUERY_CHARS}"' in page
    assert "rusia " * 400 not in page


@pytest.mark.parametrize("evil", XSS)
@pytest.mark.parametrize("route", ["/search", "/article/" + KOMPAS_ID, "/"])
def test_queries_are_shown_as_text(client, route, evil):
    page = client.get(route, query_string={"q": evil}).get_data(as_text=True)
    assert evil not in page
    assert "<script" not in without_own_script(page) and "<img" not in page
    if route == "/search":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;img src=x" in page


def test_article_data_is_escaped_everywhere(tmp_path):
    index = make_index(tmp_path, [{
        "id": "jahat", "title": XSS[0] + " Ledakan", "text": "Ledakan " + XSS[1] + " di kota.",
        "author": XSS[1], "source": "<b>Jahat</b>", "url": "javascript:alert(1)", "date": "2022-01-02",
    }])
    client = web_client(index)
    for url in ("/search?q=ledakan", "/article/jahat?q=ledakan"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in without_own_script(page) and "<img" not in page and "<b>" not in page
        assert "javascript:" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<mark>Ledakan</mark>" in page


# -- the article page -----------------------------------------------------------


def test_article_page_shows_the_whole_article_with_the_query_marked(client):
    response = client.get(f"/article/{KOMPAS_ID}?q=pengusiran")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Kazakhstan Panggil Dubes Rusia Gelar Pembicaraan Serius, Ini Sebabnya</h1>" in page
    assert "Danur Lambang Pristiandaru" in page and "Kompas.com" in page
    assert page.count("<mark>mengusir</mark>") == 2
    assert page.count("<p>") >= 8  # one per paragraph of the body
    assert "Terkini Lainnya" not in page
    assert 'href="/search?q=pengusiran"' in page  # back to the results
    assert tags_inside(page, "body") <= {"p", "mark"}


def test_article_page_without_query_marks_nothing(client):
    page = client.get(f"/article/{KOMPAS_ID}").get_data(as_text=True)
    assert "<mark>" not in page and "Kembali ke hasil" not in page


def test_article_page_with_a_bad_query_still_shows_the_article(client):
    response = client.get(f'/article/{KOMPAS_ID}?q="duta')
    assert response.status_code == 200
    assert "<mark>" not in response.get_data(as_text=True)


def test_missing_article_is_a_404_page(client):
    response = client.get("/article/tidak-ada")
    assert response.status_code == 404
    assert "Artikel tidak ditemukan" in response.get_data(as_text=True)


def test_unknown_address_is_a_404_page(client):
    response = client.get("/tidak/ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


# -- the JSON API -----------------------------------------------------------------


def test_api_matches_cli_json(client, run_cli, seed_index):
    cli = json.loads(run_cli("search", "kazakhstan", "--limit", "3", "--page", "2", "--index", seed_index, "--json").output)
    response = client.get("/api/search?q=kazakhstan&limit=3&page=2")
    api = response.get_json()
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert list(api) == list(cli)
    cli.pop("took_ms"), api.pop("took_ms")
    assert api == cli and api["results"]


def test_api_bad_query_is_400_with_the_message(client):
    response = client.get("/api/search?q=rusia AND")
    assert response.status_code == 400
    assert response.get_json() == {"error": "Operator AND needs a word on each side (e.g. rusia AND ukraina)."}
    assert client.get("/api/search").status_code == 400


# -- index trouble, server errors, headers -------------------------------------------


def test_missing_index_is_a_clear_503(tmp_path):
    client = web_client(tmp_path / "none")
    for url in ("/", "/search?q=rusia", f"/article/{KOMPAS_ID}"):
        response = client.get(url)
        assert response.status_code == 503
        assert "cari rebuild-index" in response.get_data(as_text=True)
    api = client.get("/api/search?q=rusia")
    assert api.status_code == 503 and "belum dibuat" in api.get_json()["error"]
    assert str(tmp_path) not in api.get_data(as_text=True)  # server paths go to the log only


def test_damaged_index_is_a_clear_503(tmp_path):
    index = make_index(tmp_path, [{"id": "a", "text": "Ledakan di kota."}])
    generation = index / (index / "CURRENT").read_text().strip()
    for toc in generation.glob("*.toc"):
        toc.write_bytes(b"rusak")
    response = create_app({"INDEX_DIR": str(index)}).test_client().get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "tidak dapat dibaca" in page and "cari rebuild-index" in page
    assert str(tmp_path) not in page and "Error" not in page  # no server path, no exception name


def test_internal_error_is_a_500_page_without_traceback(seed_index):
    app = create_app({"INDEX_DIR": str(seed_index)})
    searcher = app.extensions["cari.index"]
    searcher.search = lambda *a, **k: 1 / 0
    response = app.test_client().get("/search?q=rusia")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in page
    assert "Traceback" not in page and "ZeroDivisionError" not in page


def test_every_response_has_security_headers_and_no_inline_script(client):
    for url in ("/", "/search?q=rusia", f"/article/{KOMPAS_ID}", "/api/search?q=rusia", "/nope"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_data(as_text=True)
        assert "<script" not in without_own_script(body) and " style=" not in body
        assert "script-src 'self'" in csp  # Cari's own script file, nothing else


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    xml = response.get_data(as_text=True)
    assert "<ShortName>Cari</ShortName>" in xml
    assert 'template="/search?q={searchTerms}"' in xml  # relative unless PUBLIC_URL is set


def test_the_app_searches_one_request_at_a_time(seed_index):
    """Whoosh's readers are not safe to share between threads; the Index serialises them."""
    app = create_app({"INDEX_DIR": str(seed_index)})
    searcher = app.extensions["cari.index"]
    real_current, active, most = searcher._current, [], []

    def current(*args, **kwargs):
        active.append(1)
        most.append(len(active))
        time.sleep(0.01)  # widen the window in which a second thread could enter
        try:
            return real_current(*args, **kwargs)
        finally:
            active.pop()

    searcher._current = current
    statuses = []

    def get():
        statuses.extend(app.test_client().get("/api/search?q=rusia").status_code for _ in range(5))

    threads = [threading.Thread(target=get) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20 and len(most) >= 20
    assert max(most) == 1


def test_a_rebuild_is_served_without_restarting(tmp_path):
    index = make_index(tmp_path / "one", [{"id": "a", "text": "Ledakan di kota."}])
    client = create_app({"INDEX_DIR": str(index)}).test_client()
    assert client.get("/api/search?q=banjir").get_json()["total"] == 0
    source = tmp_path / "two.jsonl"
    source.write_text(json.dumps({"id": "b", "text": "Banjir melanda kota."}) + "\n")
    build_index([source], index, allow_removals=True)  # the index becomes the new source alone
    assert client.get("/api/search?q=banjir").get_json()["total"] == 1


def test_package_data_ships_every_template_and_static_file():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in config["options.package_data"]["web"].split(",")]
    web = ROOT / "web"
    files = [p.relative_to(web).as_posix() for p in web.rglob("*") if p.is_file() and p.suffix != ".py"
             and "__pycache__" not in p.parts]
    assert any(f.startswith("templates/") for f in files) and any(f.startswith("static/") for f in files)
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
    assert "waitress" in config["options"]["install_requires"]


def test_a_misspelt_query_is_corrected_and_says_so(client):
    page = client.get("/search?q=kazakstn").get_data(as_text=True)
    # One edit from "kazakstn" is the seeds' "Kazakstan", whose other spelling is searched too.
    assert "Juga dicari:" in page and "<strong>kazakstan</strong>" in page
    assert '<a href="/search?q=kazakstn&amp;as_typed=1">' in page
    assert "<mark>Kazakhstan</mark>" in page and "hasil untuk" in page


def test_a_misspelt_query_as_typed_offers_the_indexed_spelling(client):
    page = client.get("/search?q=kazakstn&as_typed=1").get_data(as_text=True)
    assert "Juga dicari:" not in page
    assert "Mungkin maksud Anda:" in page
    assert 'href="/search?q=kazakhstan"' in page


def test_links_never_trust_the_host_header(seed_index):
    forged = {"Host": "evil.example"}
    plain = create_app({"INDEX_DIR": str(seed_index)}).test_client().get("/opensearch.xml", headers=forged)
    assert "evil.example" not in plain.get_data(as_text=True)
    assert 'template="/search?q={searchTerms}"' in plain.get_data(as_text=True)
    public = create_app({"INDEX_DIR": str(seed_index), "PUBLIC_URL": "https://cari.example.id/"}).test_client()
    body = public.get("/opensearch.xml", headers=forged).get_data(as_text=True)
    assert "evil.example" not in body and 'template="https://cari.example.id/search?q={searchTerms}"' in body
