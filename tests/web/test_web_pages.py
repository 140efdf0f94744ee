"""The pages: facets that count for the query, filter chips, browsing, the article page, accessibility hooks."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import KOMPAS_ID, NEWS


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def facet_links(page: str, facet: str) -> dict[str, tuple[str, str]]:
    """{label: (href, count)} of one facet's links on a results page."""
    section = page.split(f'class="facet facet-{facet}', 1)[1].split("</section>", 1)[0]
    return {label: (unescape(href), count) for href, label, count in
            re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="count">([^<]+)</span>', section)}


def test_facets_count_the_query_s_matches_and_link_to_the_filter(news_client):
    page = page_of(news_client, "/search?q=banjir")
    sources = facet_links(page, "source")
    assert {name: count for name, (_, count) in sources.items()} == {"Kompas.com": "3", "Tempo.co": "2"}
    assert sources["Tempo.co"][0] == "/search?q=banjir&source=Tempo.co"
    years = facet_links(page, "year")
    assert {year: count for year, (_, count) in years.items()} == {"2023": "3", "2022": "2"}
    assert years["2022"][0] == "/search?q=banjir&from=2022-01-01&to=2022-12-31"
    assert 'class="facet facet-month"' not in page  # months once a year is chosen
    filtered = page_of(news_client, sources["Tempo.co"][0])
    assert "<strong>2</strong> hasil" in filtered
    # The chosen source's entry takes it out again; another's adds it.
    assert '<li class="active"><a href="/search?q=banjir" aria-current="true"' in filtered
    added = facet_links(filtered, "source")["Kompas.com"][0]
    assert added == "/search?q=banjir&source=Tempo.co&source=Kompas.com"
    assert "<strong>5</strong> hasil" in page_of(news_client, added)


def test_a_chosen_year_offers_its_months_and_a_month_link_filters_to_it(news_client):
    page = page_of(news_client, "/search?q=banjir&from=2023-01-01&to=2023-12-31")
    months = facet_links(page, "month")
    assert list(months) == ["Maret 2023", "Februari 2023", "Januari 2023"]
    assert months["Februari 2023"][0] == "/search?q=banjir&from=2023-02-01&to=2023-02-28"
    month = page_of(news_client, months["Februari 2023"][0])
    assert "<strong>1</strong> hasil" in month and "Februari 2023 <span" in month  # its chip


def test_active_filters_are_chips_that_remove_them(news_client):
    page = page_of(news_client, "/search?q=banjir&source=Kompas.com&from=2023-01-01&to=2023-12-31&sort=oldest")
    chips = dict((label, unescape(href)) for href, label in
                 re.findall(r'<a class="chip" href="([^"]+)" aria-label="Hapus filter ([^"]+)">', page))
    assert chips == {
        "Sumber: Kompas.com": "/search?q=banjir&from=2023-01-01&to=2023-12-31&sort=oldest",
        "Tahun 2023": "/search?q=banjir&source=Kompas.com&sort=oldest",
    }
    assert "Hapus filter" not in page_of(news_client, "/search?q=banjir").split("<main", 1)[1].split('class="facets"')[0]


def test_a_filter_without_words_browses_newest_or_oldest_first(news_client):
    page = page_of(news_client, "/search?source=Tempo.co")
    assert "<strong>3</strong> artikel dengan filter ini, terbaru lebih dulu" in page
    assert re.findall(r'href="/article/(tem-\d+)', page) == ["tem-11", "tem-10", "tem-12"]
    oldest = page_of(news_client, "/search?source=Tempo.co&sort=oldest")
    assert "terlama lebih dulu" in oldest
    assert re.findall(r'href="/article/(tem-\d+)', oldest) == ["tem-10", "tem-11", "tem-12"]
    assert '<option value="oldest" selected>Terlama</option>' in oldest
    year = page_of(news_client, "/?from=2022-01-01&to=2022-12-31")  # the front page browses too
    assert re.findall(r'href="/article/([\w-]+)', year) == ["tem-11", "tem-10"]


def test_the_old_date_sort_is_the_newest_one(news_client):
    page = page_of(news_client, "/search?q=banjir&sort=date")
    assert '<option value="newest" selected>Terbaru</option>' in page
    dates = re.findall(r'<time datetime="([^"]+)"', page)
    assert dates == sorted(dates, reverse=True)
    response = news_client.get("/search?q=banjir&sort=abjad")
    assert response.status_code == 400 and "Urutan tidak dikenali" in response.get_data(as_text=True)


def test_the_article_page_links_source_author_original_and_related(news_client):
    page = page_of(news_client, "/article/tem-10?q=banjir")
    assert '<a class="source" href="/search?source=Tempo.co">Tempo.co</a>' in page
    author = unescape(re.search(r'<a class="author" href="([^"]+)">Nesa Aqila</a>', page).group(1))
    assert author == "/search?q=author:%22Nesa+Aqila%22&sort=newest"
    assert re.findall(r'href="/article/(tem-10)', page_of(news_client, author)) == ["tem-10"]
    assert '<a href="https://tempo.co/a/10" rel="noopener noreferrer nofollow">Baca di situs aslinya (Tempo.co)</a>' in page
    related = page.split('<section class="related"', 1)[1]
    assert "Artikel terkait" in related
    linked = re.findall(r'href="/article/([\w-]+)"', related)
    assert linked and "tem-10" not in linked
    assert set(linked) <= {a["id"] for a in NEWS}


def test_every_page_has_a_skip_link_landmarks_and_cari_s_own_script(client):
    for url in ("/", "/search?q=rusia", f"/article/{KOMPAS_ID}"):
        page = page_of(client, url)
        body = page.split("<body", 1)[1]
        # the first thing to Tab to; on a results page it leads to the list of results itself
        target = "hasil" if url.startswith("/search") else "utama"
        assert re.match(rf'[^>]*>\s*<a class="skip-link" href="#{target}">', body), url
        assert f'id="{target}" tabindex="-1"' in page, url
        assert '<main id="utama" tabindex="-1">' in page and "<footer" in page
        assert '<label for="q" class="visually-hidden">Kata pencarian</label>' in page
        assert '<script src="/static/cari.js" defer></script>' in page
    results = page_of(client, "/search?q=rusia")
    assert '<header class="topbar">' in results and 'role="search"' in results
    assert '<aside class="facets" aria-labelledby="facets-title">' in results
    # The facets come after the results: Tab reaches the first result first.
    assert results.index('class="result"') < results.index('class="facets"')


def test_the_stylesheet_draws_a_focus_ring_and_follows_dark_mode(news_client):
    css = news_client.get("/static/style.css").get_data(as_text=True)
    assert "outline: 0" not in css and "outline:0" not in css
    assert re.search(r":focus-visible \{ outline: 3px solid", css)
    assert re.search(r"\.query-box:focus-within \{[^}]*outline: 3px solid", css)
    assert "@media (prefers-color-scheme: dark)" in css
    script = news_client.get("/static/cari.js")
    assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")
    assert "history.pushState" in script.get_data(as_text=True)
