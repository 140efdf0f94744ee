"""Extraction of title, date, source, author and clean body from the seed pages."""

import json

import pytest

from search.ingest.dates import parse_date
from search.ingest.sources import read_articles
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def seeds():
    return {a.id: a for a in read_articles([SEEDS])}


@pytest.mark.parametrize(
    "doc_id, title, date, source, author",
    [
        ("000_820b055c4d7704aa", "Kazakhstan Panggil Dubes Rusia Gelar Pembicaraan Serius, Ini Sebabnya",
         "2022-10-06T21:01:00+07:00", "Kompas.com", "Danur Lambang Pristiandaru"),
        # No date line: the day its lead names ("pada Rabu, 5 Oktober 2022").
        ("001_a4f4262280191b67", "Kazakhstan menolak permintaan Rusia untuk mengusir duta besar Ukraina",
         "2022-10-05", "Tempo.co", "Nesa Aqila"),
        ("002_cbbf247a86d7e78f", "Menlu AS: Pengaruh Rusia di Kazakhstan Akan Semakin Kuat",
         "2022-01-08T06:31:00+07:00", "Kompas.com", "Danur Lambang Pristiandaru"),
        ("003_5d7ded9b14249955", "Erdogan Suarakan Solidaritas Terhadap Kazakstan Yang Dilanda Kerusuhan",
         "2022-01-08T09:20:00+07:00", "SinPo.id", "Samsudin"),
        ("004_6c20b73a237de7b4", "Pasukan Rusia Akan Tinggalkan Kazakhstan dalam 2 Hari",
         "2022-01-11T16:45:00+07:00", "Kompas.com", "Irawan Sapto Adhi"),
    ],
)
def test_seed_metadata_is_extracted(seeds, doc_id, title, date, source, author):
    article = seeds[doc_id]
    assert (article.title, article.date, article.source, article.author) == (title, date, source, author)


def test_body_starts_at_the_dateline_and_keeps_the_last_paragraph(seeds):
    kompas = seeds["000_820b055c4d7704aa"]
    # The dateline ("ASTANA, KOMPAS.com -") is furniture, taken off the body (issue 14).
    assert kompas.body.startswith("Kementerian Luar Negeri Kazakhstan pada Kamis")
    assert kompas.body.endswith("penarikannya oleh Kyiv.")
    assert seeds["003_5d7ded9b14249955"].body.endswith("kepada wartawan.")  # ".sinpo" signature gone
    assert seeds["001_a4f4262280191b67"].body.endswith("mencaplok bagian Ukraina.")  # byline gone


@pytest.mark.parametrize(
    "furniture",
    ["Baca juga", "Baca berita", "Simak breaking news", "WhatsApp", "Video rekomendasi", "Terkini Lainnya",
     "Rafah", "Close Ads", "Bagikan artikel", "Login untuk", "Komentar", "REUTERS | NESA", "Halaman:"],
)
def test_page_furniture_is_not_in_any_body(seeds, furniture):
    for article in seeds.values():
        assert furniture not in article.body, (article.id, furniture)


def test_related_links_are_kept_apart(seeds):
    assert "Ada Mobilisasi Militer, Banyak Warga Rusia Lari ke Kazakhstan" in seeds["000_820b055c4d7704aa"].related


def test_repeated_image_caption_is_not_in_the_body(seeds):
    assert "dilanda kerusuhan paling mengerikan" not in seeds["003_5d7ded9b14249955"].body


@pytest.mark.parametrize(
    "text, iso",
    [
        ("Kompas.com - 06/10/2022, 21:01 WIB", "2022-10-06T21:01:00+07:00"),
        ("Sabtu, 08 Januari 2022 | 09:20 WIB", "2022-01-08T09:20:00+07:00"),
        ("Rabu, 5 Oktober 2022", "2022-10-05"),
        ("12 Agustus 2016 pukul 10.30 WITA", "2016-08-12T10:30:00+08:00"),
        ("2016-08-18", "2016-08-18"),
        ("31/02/2022", None),
        ("kemarin", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_jsonl_articles_and_broken_lines_are_reported(tmp_path):
    path = tmp_path / "bulk.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "Judul", "text": "Isi berita tentang banjir.", "date": "2022-01-02"}),
        "{broken json",
        json.dumps({"id": "a2"}),
        json.dumps({"id": "a3", "text": "Tanpa judul, kalimat pertama jadi judul.", "author": 7}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_articles([path]))
    articles = [i for i in items if hasattr(i, "body")]
    problems = [str(i) for i in items if not hasattr(i, "body")]
    assert [a.id for a in articles] == ["a1", "a3"]
    assert articles[0].date == "2022-01-02"
    assert articles[1].title == "Tanpa judul, kalimat pertama jadi judul"
    assert any(p.startswith(f"{path}:2: invalid JSON") for p in problems)
    assert f'{path}:3: missing "text"' in problems
    assert any(p.startswith(f"{path}:4: \"author\" is not a string") for p in problems)


def test_a_sentence_that_starts_like_a_credit_line_is_kept(tmp_path):
    path = tmp_path / "passages.jsonl"
    lines = [
        {"id": "p1", "text": "Sumber dana untuk pembangunan jembatan itu berasal dari APBD."},
        {"id": "p2", "text": "Laporan: pemerintah menyatakan bahwa harga beras naik. Warga mengeluh."},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    bodies = {a.id: a.body for a in read_articles([path]) if hasattr(a, "body")}
    assert bodies == {"p1": lines[0]["text"], "p2": lines[1]["text"]}
