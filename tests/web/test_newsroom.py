"""Issue 26 on the page and in the API: people and organisations as facets and filters, the timeline as a
server-made SVG, and an Atom feed per query (valid Atom, cheap to poll)."""

from __future__ import annotations

import re
from html import unescape

import feedparser
import pytest

from tests.conftest import make_index, web_client

# Six articles about floods in May 2023 name Budi Gunawan ('kata ...', a person) and the Badan Narkotika
# Nasional (BNN); two older ones name nobody; one is about something else.
ARTICLES = [
    *({"id": f"b{i}", "title": f"Banjir & <longsor> {i}", "source": "Kompas.com", "url": f"https://kompas.com/{i}",
       "date": f"2023-05-{i + 1:02d}T0{i}:00:00+07:00",
       "text": f"Banjir melanda kota nomor {i}. \"Kami siaga,\" kata Budi Gunawan di kantor Badan Narkotika "
               f"Nasional (BNN). Budi Gunawan meminta warga waspada."} for i in range(6)),
    {"id": "old1", "title": "Banjir lama", "source": "Tempo.co", "date": "2023-04-20T08:00:00+07:00",
     "text": "Banjir lama melanda desa."},
    {"id": "old2", "title": "Banjir lain", "source": "Tempo.co", "date": "2023-04-21",
     "text": "Banjir lain melanda kampung."},
    {"id": "x", "title": "Gempa", "source": "Tempo.co", "date": "2023-05-03", "text": "Gempa mengguncang kota."},
]


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    return make_index(tmp_path_factory.mktemp("newsroom"), ARTICLES)


@pytest.fixture
def app_client(newsroom):
    return web_client(newsroom)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def section(page: str, cls: str) -> str:
    return page.split(f'class="{cls}', 1)[1].split("</section>", 1)[0].split("</figure>", 1)[0]


def test_people_and_organisations_are_facets_whose_links_filter(app_client):
    page = page_of(app_client, "/search?q=banjir")
    people = section(page, "facet facet-people")
    links = dict((label, unescape(href)) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', people))
    assert list(links) == ["Budi Gunawan"]
    assert 'q=banjir+person:"Budi+Gunawan"' in links["Budi Gunawan"].replace("%3A", ":").replace("%22", '"')
    assert "Badan Narkotika Nasional (BNN)" in section(page, "facet facet-organisations")
    filtered = page_of(app_client, links["Budi Gunawan"])
    assert "<strong>6</strong> hasil" in filtered
    assert 'aria-current="true"' in section(filtered, "facet facet-people")  # the filter is on: its link removes it


def test_the_timeline_is_an_svg_of_every_match_with_titled_bars_and_links_to_each_period(app_client):
    page = page_of(app_client, "/search?q=banjir&limit=1")
    figure = section(page, "timeline")
    svg = figure.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and 'aria-labelledby="timeline-title timeline-summary"' in svg
    assert "<script" not in page.split("</head>", 1)[1]
    titles = re.findall(r"<title>([^<]+)</title>", svg)
    assert titles[0] == "20 April 2023: 1 artikel" and "1 Mei 2023: 1 artikel" in titles
    assert len(titles) == 17  # 20 April to 6 May, by day, empty days too
    assert 'fill="currentColor"' in svg
    assert "8 artikel bertanggal, per hari" in figure  # every match, not the one on the page
    links = [unescape(href) for href in re.findall(r'<a href="([^"]+)" title="1 Mei 2023', figure)]
    assert links == ["/search?q=banjir&limit=1&from=2023-05-01&to=2023-05-01"]
    assert "<strong>1</strong> hasil" in page_of(app_client, links[0])


def test_every_results_page_links_its_atom_feed(app_client):
    page = page_of(app_client, "/search?q=banjir&source=Kompas.com&page=1")
    head = page.split("</head>", 1)[0]
    feed = unescape(re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)"',
                              head).group(1))
    assert feed == "/feed.atom?q=banjir&source=Kompas.com"
    assert f'href="{feed.replace("&", "&amp;")}"' in page.split("</head>", 1)[1]  # and a visible link


def test_the_feed_is_valid_atom_newest_first_every_word_escaped(app_client):
    response = app_client.get("/feed.atom?q=banjir kota")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    ids = [entry.id for entry in parsed.entries]
    assert ids == [f"urn:cari:article:b{i}" for i in range(5, -1, -1)]  # newest first; 'kota' in each
    first = parsed.entries[0]
    assert first.title == "Banjir & <longsor> 5"  # escaped in the XML, the same text read back
    assert first.link.endswith("/article/b5") and first.updated == "2023-05-05T22:00:00Z"
    assert all(entry.id and entry.updated and entry.link for entry in parsed.entries)
    assert b"<longsor>" not in response.data and b"&lt;longsor&gt;" in response.data


def test_the_feed_answers_304_until_the_index_changes(app_client, newsroom):
    first = app_client.get("/feed.atom?q=banjir")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert app_client.get("/feed.atom?q=banjir", headers={"If-None-Match": etag}).status_code == 304
    assert app_client.get("/feed.atom?q=banjir", headers={"If-Modified-Since": modified}).status_code == 304
    assert app_client.get("/feed.atom?q=gempa", headers={"If-None-Match": etag}).status_code == 200


def test_a_query_that_breaks_the_rules_is_a_400_not_a_feed(app_client):
    response = app_client.get('/feed.atom?q=b*')  # a wildcard needs two letters
    assert response.status_code == 400


def test_the_api_has_the_timeline_and_the_name_facets_and_its_filters(app_client):
    data = app_client.get("/api/search?q=banjir&limit=1").get_json()
    assert data["timeline"][0] == {"period": "2023-04-20", "count": 1, "from": "2023-04-20", "to": "2023-04-20"}
    assert sum(p["count"] for p in data["timeline"]) == data["total"] == 8
    assert data["facets"]["people"] == {"Budi Gunawan": 6}
    assert data["facets"]["organisations"] == {"Badan Narkotika Nasional (BNN)": 6}
    only = app_client.get('/api/search?q=banjir org:BNN').get_json()
    assert only["total"] == 6
    spec = app_client.get("/api/openapi.json").get_json()
    results = spec["components"]["schemas"]["SearchResults"]["properties"]
    assert results["timeline"]["items"]["required"] == ["period", "count", "from", "to"]
    assert {"people", "organisations"} <= set(results["facets"]["properties"])
