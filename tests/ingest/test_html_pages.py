"""Saved HTML pages: the article text only (trafilatura), the metadata from the page, the site's name off the title."""

import shutil

import pytest

from search import Index
from search.ingest.article import Article
from search.ingest.html import PageMeta, headline_and_site, site_keys
from search.ingest.sources import read_articles
from tests.conftest import DATA

PAGES = DATA / "html"


@pytest.fixture(scope="module")
def pages():
    items = list(read_articles([PAGES]))
    return {item.id: item for item in items if isinstance(item, Article)}, [str(i) for i in items
                                                                            if not isinstance(i, Article)]


@pytest.mark.parametrize(
    "doc_id, title, date, source, author, url",
    [
        # JSON-LD NewsArticle, og:*, article:published_time; the <title> ends "Halaman all - Kompas.com".
        ("kompas-banjir", "Banjir Rendam 120 Rumah di Bekasi, Warga Mengungsi ke Masjid", "2022-10-06T21:01:00+07:00",
         "Kompas.com", "Joy Andre",
         "https://megapolitan.kompas.com/read/2022/10/06/21010051/banjir-rendam-120-rumah-di-bekasi"),
        # JSON-LD in an @graph, a headline that still carries "- detikNews", a "+0700" offset.
        ("detik-gempa", "Gempa M 5,6 Guncang Cianjur, Ratusan Rumah Rusak", "2022-11-21T14:05:00+07:00",
         "Detik.com", "Muchamad Sholihin",
         "https://news.detik.com/berita/d-6417000/gempa-m-5-6-guncang-cianjur-ratusan-rumah-rusak"),
        # No og:* at all: "... | Tempo Gaya" is the publisher; the author from microdata, the day by htmldate.
        ("tempo-gaya-tidur", "Lima Kebiasaan Sebelum Tidur yang Bikin Badan Segar Esok Pagi", "2022-10-06",
         "Tempo Gaya", "Mila Novita", "https://gaya.tempo.co/read/1642000/lima-kebiasaan-sebelum-tidur"),
        # "KapanLagi.com: ..." before the headline; article:author is a Facebook address, not a name.
        ("kapanlagi-raisa", "Raisa Rilis Album Baru Setelah Lima Tahun Vakum", "2022-10-07T19:30:00+07:00",
         "KapanLagi.com", "Ayu Lestari", "https://www.kapanlagi.com/showbiz/selebriti/raisa-rilis-album-baru.html"),
        ("republika-beras", "Harga Beras di Pasar Induk Cipinang Naik Jelang Akhir Tahun", "2022-12-06",
         "Republika Online", None, "https://ekonomi.republika.co.id/berita/rk1234/harga-beras-naik"),
    ],
)
def test_metadata_of_saved_pages(pages, doc_id, title, date, source, author, url):
    article = pages[0][doc_id]
    assert (article.title, article.date, article.source, article.author, article.url) == (
        title, date, source, author, url)


@pytest.mark.parametrize(
    "doc_id, first, last",
    [
        # The datelines ("BEKASI, KOMPAS.com -") are furniture and taken off (datelines.py).
        ("kompas-banjir", "Banjir setinggi", "turun lagi pada malam hari."),
        ("detik-gempa", "Jakarta - Gempa bumi bermagnitudo 5,6", "masih mungkin terjadi,\" ujarnya."),
        ("tempo-gaya-tidur", "Tidur yang cukup", "sebelum memejamkan mata."),
        ("kapanlagi-raisa", "Penyanyi Raisa", "berakhir di Jakarta pada akhir tahun."),
    ],
)
def test_the_body_is_the_article_from_its_first_paragraph_to_its_last(pages, doc_id, first, last):
    body = pages[0][doc_id].body
    assert body.startswith(first) and body.endswith(last), body


@pytest.mark.parametrize(
    "furniture",
    [
        "Megapolitan", "Money", "Cari berita",  # navigation
        "Bagikan artikel", "WhatsApp", "Salin Link",  # share lines
        "Berita Terkait", "Cianjur, Warga Panik", "Rafah", "Curacao", "Isyana", "Garut",  # related and popular lists
        "Komentar", "warga_bekasi", "zzyzx", "tidurzzyzx",  # comments
        "googletag", "dataLayer", "trackingPixel", "javascriptonly", "adtrackerqqq",  # scripts
        "ADVERTISEMENT", "SCROLL TO CONTINUE", "Gambas", "Simak Video", "(msl/imk)",  # ad slots, embeds
        "Baca juga", "Pilihan Editor", "Copyright", "Kompas Cyber Media", "Redaksi",  # links, footer
        "KOMPAS.com/JOY ANDRE", "Rumah warga rusak akibat gempa",  # photo captions
    ],
)
def test_no_furniture_reaches_a_body(pages, furniture):
    for article in pages[0].values():
        assert furniture not in article.body and furniture not in article.title, (article.id, furniture)


def test_related_links_are_kept_apart(pages):
    assert pages[0]["kompas-banjir"].related == [
        "Hujan Deras, Sejumlah Ruas Jalan di Jakarta Tergenang", "Tanggul Kali Bekasi Jebol, Ratusan Warga Terdampak"]
    assert pages[0]["detik-gempa"].related == ["BMKG: Gempa Cianjur Dipicu Sesar Cimandiri"]  # a link in a table
    assert "Olahraga Pagi atau Sore, Mana yang Lebih Baik?" in pages[0]["tempo-gaya-tidur"].related


def test_a_page_without_an_article_is_one_skipped_line(pages):
    assert pages[1] == [f"{PAGES / 'kompas-index-page.html'}: no article text found in the HTML page "
                        "(only links and headings: a front or index page?)"]


@pytest.mark.parametrize(
    "title, headline, site",
    [
        ("Banjir di Bekasi - Kompas.com", "Banjir di Bekasi", "Kompas.com"),
        ("Harga Cabai Naik | Republika Online", "Harga Cabai Naik", "Republika Online"),
        ("KapanLagi.com: Raisa Rilis Album Baru", "Raisa Rilis Album Baru", "KapanLagi.com"),
        ("Tips Tidur Nyenyak | Tempo Gaya", "Tips Tidur Nyenyak", "Tempo Gaya"),
        ("Gempa Cianjur - ANTARA News", "Gempa Cianjur", "ANTARA News"),
        ("Judul Berita Halaman all - Kompas.com", "Judul Berita", "Kompas.com"),
        # A headline's own colon or dash is no site name.
        ("Menlu AS: Pengaruh Rusia di Kazakhstan Akan Semakin Kuat", "Menlu AS: Pengaruh Rusia di Kazakhstan Akan "
         "Semakin Kuat", None),
        ("Jokowi: Kita Harus Kerja Keras", "Jokowi: Kita Harus Kerja Keras", None),
        ("Suara Rakyat: Harga Naik", "Suara Rakyat: Harga Naik", None),
        ("Perang Rusia-Ukraina - Hari Ke-100", "Perang Rusia-Ukraina - Hari Ke-100", None),
    ],
)
def test_the_title_is_the_headline_without_the_sites_name(title, headline, site):
    assert headline_and_site(title, site_keys(PageMeta(None, None, None, None, None, None))) == (headline, site)


def test_html_pages_are_indexed_and_their_furniture_is_not_searchable(tmp_path, run_cli):
    index = tmp_path / "index"
    result = run_cli("rebuild-index", PAGES, "--index", index)
    assert result.exit_code == 0, result.output
    assert "Indexed 5 documents, skipped 1" in result.output
    assert "skipped " + str(PAGES / "kompas-index-page.html") + ": no article text found" in result.output
    searcher = Index(index)
    assert searcher.search("Jatirasa").total == 1
    assert searcher.search("Cipinang").total == 1
    for word in ("Curacao", "zzyzx_commenter", "googletag", "Isyana", "Garut", "javascriptonly"):
        assert searcher.search(word).total == 0, word
    listed = run_cli("search", "--source", "Kompas.com", "--index", index)
    assert "Banjir Rendam 120 Rumah di Bekasi" in listed.output and "2022-10-06 21:01 WIB" in listed.output


def test_an_html_file_named_on_the_command_line_is_read_as_html_and_so_is_one_saved_as_txt(tmp_path, run_cli):
    saved = tmp_path / "halaman.txt"
    shutil.copy(PAGES / "detik-gempa.html", saved)
    index = tmp_path / "index"
    result = run_cli("rebuild-index", PAGES / "kompas-banjir.html", saved, "--index", index)
    assert result.exit_code == 0 and "Indexed 2 documents, skipped 0" in result.output, result.output
    document = Index(index).document("kompas-banjir")
    assert document["title"] == "Banjir Rendam 120 Rumah di Bekasi, Warga Mengungsi ke Masjid"
    assert "<" not in document["body"] and "gtag" not in document["body"]
    assert Index(index).document("halaman")["source"] == "Detik.com"


def test_a_page_in_another_encoding_is_read_by_its_declared_charset(tmp_path):
    html = (PAGES / "kompas-banjir.html").read_text(encoding="utf-8").replace(
        '<meta charset="utf-8">', '<meta charset="windows-1252">').replace("Masjid Al-Ikhlas", "Masjid Café")
    path = tmp_path / "lama.html"
    path.write_bytes(html.encode("cp1252"))
    (article,) = [a for a in read_articles([path]) if isinstance(a, Article)]
    assert "Masjid Café" in article.body


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"<html><body><p>Halo</p></body></html>", "no article text found"),
        (b"\x00\x01\x02<html>", "no article text found"),
        (b"<html><head><title>x</title><script>var a = 1;</script></head><body><nav>Home</nav></body></html>",
         "no article text found"),
    ],
)
def test_a_broken_or_empty_html_page_is_a_skipped_line_and_never_a_traceback(tmp_path, content, reason):
    path = tmp_path / "rusak.html"
    path.write_bytes(content)
    (problem,) = list(read_articles([path]))
    assert str(problem).startswith(f"{path}: ") and reason in str(problem)
