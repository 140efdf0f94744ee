"""Results to take away: ``cari search --format csv|jsonl --all`` and the library's ``Index.search_all`` on IndoSum."""

import csv
import io
import json

import pytest
from conftest import write_jsonl

from search import Index
from search.tables import FIELDS


def _csv_rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff"), "CSV for Excel starts with a byte order mark"
    return list(csv.DictReader(io.StringIO(text[1:])))


def _search_total(run_cli, index, *words) -> int:
    return json.loads(run_cli("search", *words, "--index", index, "--json").output)["total"]


@pytest.mark.slow
@pytest.mark.parametrize("words", [("banjir",), ("setya", "novanto"), ("presiden", "-jokowi")])
def test_cli_writes_every_match_once_and_the_counts_match_the_search(run_cli, indosum_index, words):
    """Every match (not a page), each once, as many as the search counts; CSV and JSON Lines alike."""
    total = _search_total(run_cli, indosum_index, *words)
    assert total > 20  # more than two pages: --all is not one page
    rows = _csv_rows(run_cli("search", *words, "--index", indosum_index, "--format", "csv", "--all").output)
    assert len(rows) == total == len({row["id"] for row in rows})
    assert list(rows[0]) == list(FIELDS)
    lines = run_cli("search", *words, "--index", indosum_index, "--format", "jsonl", "--all").output.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [row["id"] for row in rows]
    assert all(set(r) == set(FIELDS) and isinstance(r["same_story"], list) for r in records)
    # The same articles the search pages through, without grouping.
    with Index(indosum_index) as index:
        paged = [hit.id for page in range(1, -(-total // 100) + 1)
                 for hit in index.search(" ".join(words), page=page, limit=100, group=False).hits]
    assert sorted(paged) == sorted(row["id"] for row in rows)
    if words == ("banjir",):  # by relevance: the first rows are the first page's results
        assert [row["id"] for row in rows[:10]] == paged[:10]


def test_cli_without_all_writes_the_page_asked_for(run_cli, indosum_index):
    page = _csv_rows(run_cli("search", "banjir", "--index", indosum_index, "--format", "csv", "-n", "5",
                             "-p", "2").output)
    every = _csv_rows(run_cli("search", "banjir", "--index", indosum_index, "--format", "csv", "--all").output)
    assert [row["id"] for row in page] == [row["id"] for row in every[5:10]]


def test_all_without_rows_is_a_usage_error(run_cli, indosum_index):
    result = run_cli("search", "banjir", "--index", indosum_index, "--all")
    assert result.exit_code == 2 and "--format csv" in result.output


def test_export_rows_carry_the_story(tmp_path, indosum_docs):
    original = list(indosum_docs.values())[5]
    copy = {**original, "id": "copy", "source": "Suara", "title": "=1+1"}
    with Index(tmp_path / "index") as index:
        index.rebuild([write_jsonl(tmp_path / "d.jsonl", [original, copy, list(indosum_docs.values())[6]])],
                      full=True)
        matches = index.search_all("polda metro tilang")
        rows = list(matches.rows())
    assert matches.total == len(rows) == 2 and matches.stories == 1
    by_id = {row["id"]: row for row in rows}
    assert by_id["copy"]["story"] == by_id[original["id"]]["story"] == min("copy", original["id"])
    assert [other["id"] for other in by_id["copy"]["same_story"]] == [original["id"]]
    assert by_id["copy"]["snippet"] and "<mark>" not in by_id["copy"]["snippet"]


def test_an_export_survives_a_write_swapping_the_index_under_it(tmp_path, indosum_docs):
    """The rows come from the generation searched, held and read by a reader of their own."""
    docs = list(indosum_docs.values())[:400]
    with Index(tmp_path / "index") as index:
        index.rebuild([write_jsonl(tmp_path / "d.jsonl", docs)], full=True)
        matches = index.search_all("jakarta")
        rows = matches.rows()
        first = [next(rows) for _ in range(5)]
        index.remove([row["id"] for row in first])  # a new generation swapped in
        index.search("jakarta")  # the index reopens on it: the old searcher is closed
        index.add([write_jsonl(tmp_path / "e.jsonl", [{**docs[0], "id": "new", "title": "jakarta baru"}])])
        index.search("jakarta")
        rest = list(rows)
    assert len(first) + len(rest) == matches.total
    assert len({row["id"] for row in first + rest}) == matches.total


def test_an_export_gives_back_the_stems_its_snippets_learnt(monkeypatch, indosum_index):
    """Every snippet stems the new words of its article: an export of thousands would grow the shared
    stem cache by most of the archive's words; it is cut back to its size at the start as rows go."""
    import search.tables
    from search.analysis.stemmer import shared_stemmer

    monkeypatch.setattr(search.tables, "STEMS_KEPT", 50)
    with Index(indosum_index) as index:
        matches = index.search_all("indonesia")
        shared_stemmer().forget_since(0)
        rows = list(matches.rows())
    assert len(rows) == matches.total > 1000
    # Without the cut, 29,088 words (IndoSum, 1,299 rows); with it, the words of the rows since the last cut.
    assert len(shared_stemmer().known_roots()) < 10_000
