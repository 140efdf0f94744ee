"""Dates: Indonesian dates in a lead fill a missing date, zones are kept and shown, filters take a year or a month."""

import json

import pytest

from search.errors import QueryError
from search.ingest.dates import lead_date, parse_date, shown_time
from search.query.filters import Filters
from tests.conftest import searcher_of, web_client
from web.formatting import tanggal


@pytest.mark.parametrize(
    "lead, iso",
    [
        ("TEMPO.CO, Jakarta - Kazakhstan menolak permintaan Rusia pada Rabu, 5 Oktober 2022 lantaran", "2022-10-05"),
        ("ASTANA, KOMPAS.com – Kementerian Luar Negeri Kazakhstan pada Kamis (6/10/2022) memanggil", "2022-10-06"),
        ("Ditemui di sela-sela pameran di BSD, Banten, Kamis (18 / 8 / 2016), Henry mengatakan", "2016-08-18"),
        ("Jakarta - Harga cabai naik sejak 5/10/2022 di pasar induk.", "2022-10-05"),
        ("Jumat, 7 Januari 2022 adalah hari ketiga kerusuhan.", "2022-01-07"),
        # A month name without its weekday is as often a day in the story's past.
        ("Perjanjian itu ditandatangani pada 5 Oktober 2005 di Jakarta.", None),
        ("Sabtu (8/1) Erdogan berkata", None),  # no year: no date
        ("Kamis (31/2/2022) tidak ada.", None),  # no such day
    ],
)
def test_a_date_in_the_lead_is_found(lead, iso):
    assert lead_date(lead) == iso


def test_only_the_start_of_the_first_paragraph_is_read_for_a_lead_date():
    assert lead_date("Judul berita tanpa tanggal.\nPada Rabu, 5 Oktober 2022 terjadi sesuatu.") is None
    assert lead_date("x " * 300 + "pada Rabu, 5 Oktober 2022") is None


@pytest.mark.parametrize(
    "iso, shown_cli, shown_web",
    [
        ("2022-10-06T21:01:00+07:00", "2022-10-06 21:01 WIB", "6 Oktober 2022, 21:01 WIB"),
        ("2016-08-18T20:30:00Z", "2016-08-19 03:30 WIB", "19 Agustus 2016, 03:30 WIB"),  # IndoSum's UTC
        ("2016-08-18T20:30:00+00:00", "2016-08-19 03:30 WIB", "19 Agustus 2016, 03:30 WIB"),
        ("2016-08-12T10:30:00+08:00", "2016-08-12 10:30 WITA", "12 Agustus 2016, 10:30 WITA"),
        ("2016-08-12T10:30:00+09:00", "2016-08-12 10:30 WIT", "12 Agustus 2016, 10:30 WIT"),
        ("2016-08-12T10:30:00+05:30", "2016-08-12 10:30 UTC+05:30", "12 Agustus 2016, 10:30 UTC+05:30"),
        ("2016-08-12T10:30:00", "2016-08-12 10:30", "12 Agustus 2016, 10:30"),  # no zone given: none made up
        ("2022-10-05", "2022-10-05", "5 Oktober 2022"),
    ],
)
def test_times_are_shown_in_their_zone_and_utc_in_wib(iso, shown_cli, shown_web):
    from search.cli.render import short_date

    assert short_date(iso) == shown_cli
    assert tanggal(iso) == shown_web


def test_an_offset_without_a_colon_is_read():
    assert parse_date("2022-10-06T21:01:00+0700") == "2022-10-06T21:01:00+07:00"
    assert shown_time("2022-10-06T21:01:00+0700").zone == "WIB"


def _bounds(date_from=None, date_to=None):
    (date_range,) = Filters(date_from=date_from, date_to=date_to).to_query().subqueries
    return date_range.startdate, date_range.enddate


@pytest.mark.parametrize(
    "date_from, date_to, start, end",
    [
        # Days, months and years are Jakarta's: the published field holds UTC.
        ("2022", "2022", "2021-12-31 17:00:00", "2022-12-31 16:59:59"),
        ("2022-10", "2022-10", "2022-09-30 17:00:00", "2022-10-31 16:59:59"),
        ("2022-01", "2022-02", "2021-12-31 17:00:00", "2022-02-28 16:59:59"),
        ("2022-10-06", "2022-10-06", "2022-10-05 17:00:00", "2022-10-06 16:59:59"),
    ],
)
def test_a_filter_takes_a_year_a_month_or_a_day(date_from, date_to, start, end):
    lower, upper = _bounds(date_from, date_to)
    assert (str(lower), str(upper)) == (start, end)


@pytest.mark.parametrize("value", ["kemarin", "2022-13", "2022-02-30", "22", "2022-1"])
def test_a_filter_date_that_is_no_date_is_one_clear_error(value):
    with pytest.raises(QueryError, match="use a day \\(2022-10-06\\), a month \\(2022-10\\) or a year \\(2022\\)"):
        Filters(date_from=value).to_query()


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    from search.index.build import build_index

    folder = tmp_path_factory.mktemp("dated")
    rows = [
        ("late-2021", "2021-12-31T20:00:00Z"),  # 1 January 2022, 03:00 WIB
        ("oct-2022", "2022-10-06T21:01:00+07:00"),
        ("nov-2022", "2022-11-01"),
        ("jan-2023", "2023-01-01T01:00:00+07:00"),  # 31 December 2022 in UTC, 2023 in Jakarta
    ]
    with open(folder / "news.jsonl", "w", encoding="utf-8") as out:
        for doc_id, date in rows:
            out.write(json.dumps({"id": doc_id, "text": "Banjir melanda kota.", "date": date}) + "\n")
    index = folder / "index"
    build_index([folder / "news.jsonl"], index, procs=1)
    return index


@pytest.mark.parametrize(
    "args, ids",
    [
        (["--from", "2022", "--to", "2022"], ["late-2021", "nov-2022", "oct-2022"]),
        (["--from", "2022-10", "--to", "2022-10"], ["oct-2022"]),
        (["--to", "2022-10"], ["late-2021", "oct-2022"]),
        (["--from", "2023"], ["jan-2023"]),
        (["--from", "2022-11-01", "--to", "2022-11-01"], ["nov-2022"]),
    ],
)
def test_year_and_month_filters_in_the_cli(run_cli, dated_index, args, ids):
    result = run_cli("search", "banjir", "--index", dated_index, "--json", *args)
    assert result.exit_code == 0, result.output
    assert sorted(hit["id"] for hit in json.loads(result.output)["results"]) == ids


def test_year_filter_in_the_web_app_and_the_form_keeps_it(dated_index):
    client = web_client(dated_index)
    data = client.get("/api/search?q=banjir&from=2022&to=2022").get_json()
    assert sorted(hit["id"] for hit in data["results"]) == ["late-2021", "nov-2022", "oct-2022"]
    page = client.get("/search?q=banjir&from=2022-10&to=2022").get_data(as_text=True)
    assert 'name="from" value="2022-10"' in page and 'name="to" value="2022"' in page
    assert "6 Oktober 2022, 21:01 WIB" in page and "nov-2022" in page and "jan-2023" not in page
    response = client.get("/search?q=banjir&from=2022-13")
    assert response.status_code == 400 and "tidak dikenali" in response.get_data(as_text=True)


def test_year_and_month_facets_count_jakarta_s_calendar_as_the_filters_do(tmp_path):
    from search.query.filters import Filters

    # 2022-12-31T20:00Z is 1 January 2023, 03:00 WIB.
    docs = [{"id": "new-year", "title": "Tahun baru", "text": "Kembang api tahun baru.", "date": "2022-12-31T20:00:00Z"}]
    searcher = searcher_of(docs, tmp_path)
    found = searcher.search("kembang", facets=True)
    assert found.facets["year"] == {"2023": 1}
    assert list(found.facets.get("month", {"2023-01": 1})) == ["2023-01"]
    assert searcher.search("kembang", filters=Filters(date_from="2023")).total == 1


@pytest.mark.parametrize(
    "iso, utc, has_time, zoned",
    [
        ("2016-08-12T23:30:00", "2016-08-12T16:30:00+00:00", True, False),  # no zone: Jakarta's (WIB)
        ("2016-08-12 23:30", "2016-08-12T16:30:00+00:00", True, False),
        ("2022-10-05", "2022-10-04T17:00:00+00:00", False, False),  # a day alone: from midnight WIB
        ("2022-10-06T21:01:00+07:00", "2022-10-06T14:01:00+00:00", True, True),
        ("2022-10-06T21:01:00+0800", "2022-10-06T13:01:00+00:00", True, True),  # WITA, offset without a colon
        ("2021-12-31T20:00:00Z", "2021-12-31T20:00:00+00:00", True, True),
        (" 2022-10-05 ", "2022-10-04T17:00:00+00:00", False, False),
    ],
)
def test_one_reader_reads_a_date_without_a_zone_as_jakartas(iso, utc, has_time, zoned):
    from search.index.schema import published_value
    from search.ingest.dates import read_date, utc_moment

    read = read_date(iso)
    assert (read.has_time, read.zoned) == (has_time, zoned)
    assert utc_moment(iso).isoformat() == utc
    assert published_value(iso).isoformat() + "+00:00" == utc  # what the index stores: the same moment, naive UTC


@pytest.mark.parametrize("bad", [None, "", "kemarin", "2022-13-01", "2022-02-30T10:00", "6 Oktober 2022", "12:30"])
def test_one_reader_gives_nothing_for_what_is_no_date(bad):
    from search.index.schema import published_value
    from search.ingest.dates import read_date, utc_moment

    assert read_date(bad) is None and utc_moment(bad) is None and published_value(bad) is None
    assert shown_time(bad) is None


def test_a_zone_less_time_is_filtered_counted_and_fed_as_jakartas(tmp_path):
    """23:30 on 6 October with no zone is that evening in Jakarta: the 6th's filter, 2022's year, the feed's 16:30Z."""
    docs = [{"id": "malam", "title": "Banjir malam", "text": "Banjir melanda kota malam itu.", "date": "2022-12-31T23:30:00"},
            {"id": "hari", "title": "Banjir siang", "text": "Banjir melanda kota siang itu.", "date": "2022-12-31"}]
    searcher = searcher_of(docs, tmp_path)
    day = Filters(date_from="2022-12-31", date_to="2022-12-31")
    assert sorted(hit.id for hit in searcher.search("banjir", filters=day, group=False).hits) == ["hari", "malam"]
    assert searcher.search("banjir", facets=True, group=False).facets["year"] == {"2022": 2}
    assert [hit.id for hit in searcher.search("banjir", sort="newest", group=False).hits] == ["malam", "hari"]
    feed = web_client(tmp_path / "index").get("/feed.atom?q=banjir").get_data(as_text=True)
    assert "<published>2022-12-31T16:30:00Z</published>" in feed
    assert "<published>2022-12-30T17:00:00Z</published>" in feed
    page = web_client(tmp_path / "index").get("/search?q=banjir").get_data(as_text=True)
    assert '<time datetime="2022-12-31T23:30:00">31 Desember 2022, 23:30</time>' in page  # as given, no zone made up
    assert "31 Desember 2022: 2 artikel" in page  # the timeline's day is Jakarta's too


@pytest.mark.parametrize("bad", ["9999-99-99", "2022-13-01", "2017-02-30", "2017-02-28T25:61"])
def test_a_date_of_the_right_shape_that_is_no_date_is_named_and_left_empty(tmp_path, bad):
    """An export's '9999-99-99' (a placeholder) was kept as the article's date without a word: no year, no place in
    date order or filters, and the JSON said '9999-99-99'. It is one warning naming the line, like any unknown date."""
    from search.ingest.sources import read_articles

    path = tmp_path / "dates.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "Banjir", "text": "Banjir melanda kota.", "date": bad}) + "\n",
                    encoding="utf-8")
    items = list(read_articles([path]))
    assert [str(i) for i in items[:-1]] == [f"{path}:1: unknown date format {bad!r}; date left empty"]
    assert items[-1].id == "a" and items[-1].date is None
