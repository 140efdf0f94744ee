"""Related articles anchored by the title word that names the article's subject (search/ranking/anchors.py): the
articles about the anchor come first, the story's own thread after them."""

from search import Index
from search.ranking import anchors
from tests.conftest import make_index

THREAD = (("Sumiati menunggu putusan banding", "Malaysia"), ("Keluarga Tuti memohon ampunan", "Hongkong"),
          ("Pengacara Rina ajukan grasi", "Taiwan"), ("Kemlu dampingi Yanti di pengadilan", "Brunei"),
          ("Eksekusi Siti ditunda pengadilan", "Kamboja"), ("Vonis Dewi diperberat hakim", "Vietnam"))
SAUDI_NEWS = ("raja salman kunjungi jepang", "perempuan boleh menyetir mobil", "bioskop kembali dibuka",
              "pangeran mahkota tangkap pejabat", "harga minyak dunia naik", "riyadh gelar pameran mobil",
              "larang warga asing berkemah", "bangun kota baru di pesisir", "izinkan konser musik",
              "kirim bantuan ke yaman")
FILLER = ("persib menang tipis di kandang", "hujan deras guyur bandung", "harga cabai turun di pasar",
          "timnas latihan di bali", "banjir rendam rumah warga", "kereta cepat mulai diuji",
          "penjualan mobil naik", "gempa kecil guncang lombok", "festival kopi digelar", "bursa saham melemah")


def _article(number: int, title: str, body: str) -> dict:
    return {"id": f"a{number:03d}", "title": title, "text": body, "date": f"2017-{1 + number % 12:02d}-10",
            "source": "uji", "url": f"https://example.com/{number}"}


def _archive() -> list[dict]:
    """An article on two Indonesians spared death in Saudi Arabia, six on Indonesians sentenced to death elsewhere
    (its own story's thread, which more like this ranks first), ten on Saudi Arabia itself, and others."""
    source = _article(0, "Dua WNI lolos hukuman mati di Saudi",
                      "Pemerintah Saudi membebaskan dua WNI dari hukuman mati pancung. Kedua WNI itu sempat divonis "
                      "hukuman mati di Saudi karena pembunuhan majikan.\nKemlu menyambut kabar dua WNI itu. Pengadilan "
                      "Saudi menerima pemaafan keluarga korban, kata pejabat Saudi.")
    thread = [_article(1 + n, f"{title} {place}",
                       f"Seorang WNI divonis hukuman mati pancung di {place} karena pembunuhan majikan. Kemlu berupaya "
                       f"membebaskan WNI itu dari hukuman mati.\nKeluarga WNI meminta pemaafan keluarga korban.")
              for n, (title, place) in enumerate(THREAD)]
    saudi = [_article(10 + n, f"Saudi {news}",
                      f"Pemerintah Saudi mengumumkan kabar itu di Riyadh. Kerajaan Saudi menyebut {news} sebagai "
                      f"bagian dari rencana Raja Salman.\nPejabat Saudi menyambut keputusan itu.")
             for n, news in enumerate(SAUDI_NEWS)]
    others = [_article(30 + n, news.capitalize(), f"{news.capitalize()} pada pekan ini. Warga menyambut kabar itu "
                                                  f"dengan senang.\nPejabat setempat mengatakan {news} sesuai rencana.")
              for n, news in enumerate(FILLER * 3)]
    return [source, *thread, *saudi, *others]


def test_the_articles_about_the_title_word_naming_the_subject_come_before_the_storys_thread(tmp_path):
    index = Index(make_index(tmp_path, _archive()))
    hits = index.related("a000", limit=10)
    # Before, the six death sentences elsewhere came first (they share the story's words: WNI, hukuman mati,
    # pancung, majikan); Saudi Arabia is what the title names and what ten other titles share.
    assert [hit.title.lower().startswith("saudi") for hit in hits[:8]] == [True] * 8, [hit.title for hit in hits]


def test_no_anchor_leaves_more_like_this_order(tmp_path, monkeypatch):
    monkeypatch.setattr(anchors, "anchor_of", lambda *args: None)
    hits = Index(make_index(tmp_path, _archive())).related("a000", limit=10)
    assert sum(not hit.title.lower().startswith("saudi") for hit in hits[:6]) >= 4, [hit.title for hit in hits]


def test_a_subject_word_many_titles_share_is_likelier_than_a_word_of_one_story():
    # "saudi": in 11 titles of 200 texts, named 4 times, in the lead; "pancung": in 2 titles and 3 texts.
    assert anchors.likely_subject(11, 20, 4, True, 3463) > anchors.likely_subject(2, 3, 4, True, 3463) + 2
    # A word every text holds is no subject, however often titles name it.
    assert anchors.likely_subject(200, 3000, 4, True, 3463) < anchors.likely_subject(11, 20, 4, True, 3463)
