"""Feeds (RSS, Atom), exports (.jsonl.gz, .json, CSV), standard input, and files Cari does not read."""

import gzip
import json

import pytest

from search import Index
from search.cli import cli
from search.ingest.article import Article
from search.ingest.formats import ReadOptions
from search.ingest.sources import read_articles

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Antaranews.com - Berita Terkini</title>
  <link>https://www.antaranews.com</link>
  <description>Berita terkini dari ANTARA</description>
  <item>
    <title>Presiden resmikan Bendungan Sadawarna di Subang</title>
    <link>https://www.antaranews.com/berita/3170001/presiden-resmikan-bendungan</link>
    <guid isPermaLink="false">antara-3170001</guid>
    <pubDate>Thu, 06 Oct 2022 21:01:00 +0700</pubDate>
    <dc:creator>Indra Arief Pribadi</dc:creator>
    <description>Presiden meresmikan bendungan di Subang. Ringkasan pendek.</description>
    <content:encoded><![CDATA[<p>Subang (ANTARA) - Presiden meresmikan Bendungan Sadawarna di Kabupaten Subang, Jawa Barat,
    yang akan mengairi sawah seluas 3.300 hektare.</p>
    <p><strong>Baca juga:</strong> <a href="/x">Bendungan Cipanas diresmikan</a></p>
    <figure><img src="b.jpg"><figcaption>Foto bendungan dari udara</figcaption></figure>
    <p>Bendungan itu juga menyediakan air baku bagi warga sekitar.</p><script>track("zzq")</script>]]></content:encoded>
  </item>
  <item>
    <title>Harga &lt;b&gt;cabai&lt;/b&gt; turun</title>
    <link>https://www.antaranews.com/berita/3170002/harga-cabai-turun</link>
    <pubDate>Fri, 07 Oct 2022 02:00:00 GMT</pubDate>
    <description>&lt;p&gt;Harga cabai rawit di &lt;b&gt;Pasar Kramat Jati&lt;/b&gt;
      turun menjadi Rp 40.000 per kilogram.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Tanpa isi</title>
    <link>https://www.antaranews.com/berita/3170003/tanpa-isi</link>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Tempo.co | Nasional</title>
  <link href="https://nasional.tempo.co/"/>
  <id>tag:tempo.co,2022:nasional</id>
  <updated>2022-10-05T10:00:00+07:00</updated>
  <entry>
    <title>Kazakhstan tolak usir duta besar Ukraina</title>
    <id>tag:tempo.co,2022:1642100</id>
    <link href="https://dunia.tempo.co/read/1642100/kazakhstan"/>
    <published>2022-10-05T10:00:00+07:00</published>
    <author><name>Nesa Aqila</name></author>
    <summary>Ringkasan saja.</summary>
    <content type="html">&lt;p&gt;TEMPO.CO, Jakarta - Kazakhstan menolak permintaan Rusia
      untuk mengusir duta besar Ukraina.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def _read(path, **options):
    items = list(read_articles([path], ReadOptions(**options)))
    return [i for i in items if isinstance(i, Article)], [str(i) for i in items if not isinstance(i, Article)]


def test_an_rss_item_is_an_article_with_its_full_text_or_else_its_summary(tmp_path):
    path = tmp_path / "antara.xml"
    path.write_text(RSS, encoding="utf-8")
    articles, problems = _read(path)
    first, second = articles
    assert first.id == "antara-3170001" and first.title == "Presiden resmikan Bendungan Sadawarna di Subang"
    assert first.body.startswith("Presiden meresmikan")  # the dateline taken off and "Ringkasan pendek" not in first.body
    assert first.body.endswith("air baku bagi warga sekitar.")
    assert first.related == ["Bendungan Cipanas diresmikan"]
    for furniture in ("Baca juga", "Foto bendungan", "track", "zzq", "<"):
        assert furniture not in first.body
    assert (first.date, first.source, first.author) == ("2022-10-06T21:01:00+07:00", "Antara", "Indra Arief Pribadi")
    assert first.url == "https://www.antaranews.com/berita/3170001/presiden-resmikan-bendungan"
    # No guid: the link is the id; only a summary, HTML stripped; GMT kept as UTC.
    assert second.id == "https://www.antaranews.com/berita/3170002/harga-cabai-turun"
    assert second.title == "Harga cabai turun"
    assert second.body == "Harga cabai rawit di Pasar Kramat Jati turun menjadi Rp 40.000 per kilogram."
    assert second.date == "2022-10-07T02:00:00+00:00"
    assert problems == [f"{path} item 3: an item with no text (neither content nor a summary)"]


def test_an_atom_entry_is_an_article(tmp_path):
    path = tmp_path / "tempo.atom"
    path.write_text(ATOM, encoding="utf-8")
    (entry,), problems = _read(path)
    assert not problems
    assert (entry.id, entry.source, entry.author, entry.date) == (
        "tag:tempo.co,2022:1642100", "Tempo.co", "Nesa Aqila", "2022-10-05T10:00:00+07:00")
    assert entry.body == "Kazakhstan menolak permintaan Rusia untuk mengusir duta besar Ukraina."


@pytest.mark.parametrize(
    "content, reason",
    [
        ("<html><body>Bukan feed</body></html>", "not an RSS or Atom feed"),
        ("this is not XML at all {", "not an RSS or Atom feed"),
        ('<?xml version="1.0"?><rss version="2.0"><channel><title>Kosong</title></channel></rss>', "with no items"),
        ("", "empty"),
    ],
)
def test_a_feed_that_does_not_parse_is_one_skipped_line(tmp_path, content, reason):
    path = tmp_path / "feed.rss"
    path.write_text(content, encoding="utf-8")
    articles, problems = _read(path)
    assert not articles and len(problems) == 1
    assert problems[0].startswith(f"{path}: ") and reason in problems[0], problems


def test_a_feed_cut_short_keeps_its_whole_items_and_says_so(tmp_path):
    path = tmp_path / "potong.xml"
    path.write_text(RSS[: RSS.index("<item>", RSS.index("</item>")) + 60], encoding="utf-8")
    articles, problems = _read(path)
    assert [a.id for a in articles][:1] == ["antara-3170001"]
    assert problems[0].startswith(f"{path}: not a well-formed feed (")
    assert problems[0].endswith("the items before the fault were read")
    assert problems[1:] == [f"{path} item 2: an item with neither a guid/id nor a link: no id to index it by"]


def test_a_feed_is_indexed_and_its_times_are_shown_in_wib(tmp_path, run_cli):
    path = tmp_path / "antara.xml"
    path.write_text(RSS, encoding="utf-8")
    index = tmp_path / "index"
    result = run_cli("add", path, "--index", index)
    assert "Indexed 2 documents" in result.output and "skipped 1" in result.output
    listed = run_cli("search", "cabai", "--index", index)
    assert "Antara · 2022-10-07 09:00 WIB" in listed.output  # 02:00 GMT


def _jsonl(rows):
    return "".join(json.dumps(row) + "\n" for row in rows).encode("utf-8")


ROWS = [
    {"id": "g1", "title": "Gempa Cianjur", "text": "Gempa mengguncang Cianjur pada Senin siang.", "date": "2022-11-21"},
    {"id": "g2", "text": "Banjir merendam Bekasi pada Kamis (6/10/2022) sore."},
    {"id": "g3", "text": "Harga beras naik di Cipinang."},
]


def test_a_jsonl_gz_export_is_read_as_a_stream(tmp_path):
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(gzip.compress(_jsonl(ROWS)))
    articles, problems = _read(path)
    assert [a.id for a in articles] == ["g1", "g2", "g3"] and not problems
    assert articles[1].date == "2022-10-06"  # from the lead
    assert articles[0].origin == f"{path}:1"


def test_a_truncated_gz_keeps_the_lines_before_the_damage_and_says_where(tmp_path):
    data = gzip.compress(_jsonl(ROWS * 400))
    path = tmp_path / "potong.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, problems = _read(path)
    assert 0 < len(articles) < 1200
    (problem,) = problems
    assert problem.startswith(f"{path}: damaged gzip data (the file ends before its compressed data does): after line ")
    assert "the lines before it were read" in problem


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("palsu.jsonl.gz", b'{"id": "x", "text": "bukan gzip"}\n', "not gzip-compressed"),
        ("palsu.json.gz", b"[]", "not gzip-compressed"),
        ("rusak.csv.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage", "damaged gzip data"),
        ("potong.html.gz", gzip.compress(b"<html><body><p>" + b"kata " * 500)[:40], "truncated gzip file"),
    ],
)
def test_a_malformed_gz_is_one_skipped_line(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    articles, problems = _read(path)
    assert not articles and len(problems) == 1 and problems[0].startswith(f"{path}: ") and reason in problems[0]


def test_a_json_file_holds_an_array_of_articles_or_one(tmp_path):
    many = tmp_path / "many.json"
    many.write_text(json.dumps([ROWS[0], {"id": "bad"}, "not an object", ROWS[2]]), encoding="utf-8")
    articles, problems = _read(many)
    assert [a.id for a in articles] == ["g1", "g3"]
    assert problems == [f'{many} item 2: missing "text"', f"{many} item 3: expected a JSON object, got str"]
    one = tmp_path / "one.json"
    one.write_text(json.dumps(ROWS[1]), encoding="utf-8")
    assert [a.id for a in _read(one)[0]] == ["g2"]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "a", "text": "x"},\n {"id": ', encoding="utf-8")
    assert _read(broken) == ([], [f"{broken}: invalid JSON (Expecting value at line 2 column 9)"])


def test_a_json_file_of_one_object_a_line_is_read_as_json_lines_with_a_warning(tmp_path):
    path = tmp_path / "export.json"
    path.write_bytes(_jsonl(ROWS[:2]) + b"{broken\n")
    items = list(read_articles([path]))
    assert [i.id for i in items if isinstance(i, Article)] == ["g1", "g2"]
    problems = [(str(i), i.skipped) for i in items if not isinstance(i, Article)]
    assert problems == [
        (f"{path}: holds JSON Lines (one object a line), not one JSON value; read as JSON Lines", False),
        (f"{path}:3: invalid JSON (Expecting property name enclosed in double quotes at column 2)", True),
    ]


CSV = (
    "id,title,text,date,source,url\n"
    'c1,Harga Cabai,"Harga cabai naik di pasar, kata pedagang.",2022-10-05,Kompas.com,https://kompas.com/c1\n'
    'c2,Dua Baris,"Paragraf pertama.\n\nParagraf kedua, dalam satu sel.",,,\n'
    "c3,Kurang,Satu kolom kurang,2022-10-06\n"
    ",Tanpa id,Teks tanpa id.,,,\n"
    'c4,"Kutip rusak"x,Teks,,,\n'
    "c5,Lima,Harga bawang turun.,06/10/2022,,\n"
)


def test_a_csv_export_is_one_article_a_row_and_a_broken_row_is_one_line(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    articles, problems = _read(path)
    assert [a.id for a in articles] == ["c1", "c2", "c5"]
    assert (articles[0].title, articles[0].date, articles[0].source, articles[0].url) == (
        "Harga Cabai", "2022-10-05", "Kompas.com", "https://kompas.com/c1")
    assert articles[1].body == "Paragraf pertama.\n\nParagraf kedua, dalam satu sel."
    assert articles[2].date == "2022-10-06"
    assert problems == [
        f"{path}:6: 4 fields, the header has 6 (a stray delimiter or quote?)",
        f'{path}:7: missing or empty "id"',
        f"{path}:8: broken CSV row (',' expected after '\"')",
    ]


def test_csv_columns_map_other_names_and_a_semicolon_csv_is_read(tmp_path, run_cli):
    path = tmp_path / "cms.csv"
    path.write_text("ID;Judul;Isi Berita;Diterbitkan\nk1;Gempa;Gempa mengguncang Cianjur.;2022-11-21T14:05:00+07:00\n",
                    encoding="utf-8")
    articles, problems = _read(path, csv_columns={"title": "Judul", "text": "Isi Berita", "date": "Diterbitkan"})
    assert not problems and [(a.id, a.title, a.date) for a in articles] == [
        ("k1", "Gempa", "2022-11-21T14:05:00+07:00")]
    index = tmp_path / "index"
    result = run_cli("rebuild-index", path, "--index", index, "--csv-columns", "title=Judul,text=Isi Berita,date=Diterbitkan")
    assert result.exit_code == 0 and "Indexed 1 document," in result.output, result.output
    # Without the mapping the file has no text column: one line saying how to name it, and nothing changes.
    result = run_cli("add", path, "--index", index)
    assert result.exit_code == 1
    assert (f"skipped {path}: no 'text' column (the header has: ID, Judul, Isi Berita, Diterbitkan); name the column "
            "that holds it with --csv-columns text=COLUMN") in result.output


@pytest.mark.parametrize(
    "value, message",
    [("text", "'text' is not FIELD=COLUMN"), ("body=isi", "unknown field 'body'"), ("text=", "is not FIELD=COLUMN")],
)
def test_a_bad_csv_columns_value_is_a_usage_error(tmp_path, runner, value, message):
    result = runner.invoke(cli, ["add", str(tmp_path), "--csv-columns", value, "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2 and message in result.output


def test_a_mapped_column_the_header_lacks_is_named(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,text\na,Teks berita.\n", encoding="utf-8")
    assert _read(path, csv_columns={"date": "published"})[1] == [
        f"{path}: --csv-columns date=published: the header has no column 'published' (it has: id, text)"]


def test_standard_input_still_reads_json_lines(tmp_path, runner):
    index = tmp_path / "index"
    result = runner.invoke(cli, ["add", "-", "--index", str(index)], input=_jsonl(ROWS).decode())
    assert result.exit_code == 0 and "Indexed 3 documents" in result.output, result.output


def test_a_folder_of_every_format_is_indexed_and_what_is_not_read_is_said(tmp_path, run_cli):
    from tests.ingest.test_html_pages import PAGES

    folder = tmp_path / "newsroom"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "kompas.html").write_bytes((PAGES / "kompas-banjir.html").read_bytes())
    (folder / "pages" / "kompas_files").mkdir()  # what a browser saves beside the page
    (folder / "pages" / "kompas_files" / "main.js").write_text("var x;")
    (folder / "antara.xml").write_text(RSS, encoding="utf-8")
    (folder / "export.jsonl.gz").write_bytes(gzip.compress(_jsonl(ROWS)))
    (folder / "extra.json").write_text(json.dumps([{"id": "j1", "text": "Petani tomat merugi."}]), encoding="utf-8")
    (folder / "export.csv").write_text("id,text\nc1,Harga bawang turun.\n", encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    (folder / "notes.docx").write_bytes(b"PK")
    (folder / ".DS_Store").write_bytes(b"\x00\x00")  # hidden: passed over without a word
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("[core]")
    index = folder / "index"  # an index inside the sources: its records are no articles
    assert run_cli("rebuild-index", folder / "export.csv", "--index", index).exit_code == 0
    result = run_cli("rebuild-index", folder, "--index", index)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"warning {index}: a Cari index; not read" in out and "contents.json" not in out
    assert f"skipped {folder / 'report.pdf'}: unsupported format (Cari reads .txt, .html" in out
    assert f"skipped {folder / 'notes.docx'}: unsupported format" in out
    assert f"warning {folder / 'pages' / 'kompas_files'}: the scripts, styles and images of a saved page" in out
    assert ".DS_Store" not in out and ".git" not in out and "main.js" not in out
    # 1 page + 2 feed items + 3 JSON Lines + 1 JSON + 1 CSV; the feed's empty item and the two unsupported files.
    assert "Indexed 8 documents (7 new, 0 changed, 0 removed, 1 unchanged), skipped 3" in out
    assert Index(index).search("bawang").total == 1


def test_a_file_of_an_unsupported_format_named_on_the_command_line_is_refused(tmp_path, run_cli):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    result = run_cli("rebuild-index", path, "--index", tmp_path / "index")
    assert result.exit_code == 1
    assert f"skipped {path}: unsupported format" in result.output
    assert "holds no article that could be read. Nothing was changed." in result.output


def test_a_feed_items_id_with_control_characters_is_escaped_with_a_warning(tmp_path):
    path = tmp_path / "f.rss"
    path.write_text('<rss version="2.0"><channel><title>t</title><item><guid>a&#9;b</guid><title>x</title>'
                    "<description>Teks berita yang cukup.</description></item></channel></rss>", encoding="utf-8")
    (article,), problems = _read(path)
    assert article.id == "a\\tb" and article.id.isprintable()
    assert problems == [f"{path} item 1: its id holds control characters; indexed as 'a\\\\tb'"]


def test_a_json_lines_line_cut_in_a_string_says_where_once(tmp_path):
    """The most common broken line, one cut mid-string, said in one English clause (was 'starting at at column')."""
    path = tmp_path / "cut.jsonl"
    path.write_bytes(_jsonl(ROWS[:1]) + b'{"id": "y", "text": "a\tb"}\n' + b'{"id": "x", "text": "Banjir di')
    problems = [str(i) for i in read_articles([path]) if not isinstance(i, Article)]
    assert problems == [f"{path}:2: invalid JSON (Invalid control character at column 23)",
                        f"{path}:3: invalid JSON (Unterminated string starting at column 21)"]
    broken = tmp_path / "cut.json"
    broken.write_text('[{"id": "a", "text": "x},\n {"id": "b"}]', encoding="utf-8")
    assert _read(broken)[1] == [f"{broken}: invalid JSON (Invalid control character at line 1 column 26)"]
