"""The ``cari`` command line, run for real through click's CliRunner."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import search.index.build
from search.cli import cli

KOMPAS_ID = "000_820b055c4d7704aa"
TEMPO_ID = "001_a4f4262280191b67"


def search_json(run_cli, index, *args):
    result = run_cli("search", *args, "--index", index, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("form", ["mengusir", "usir", "pengusiran", "diusir"])
def test_every_form_finds_the_articles_that_say_mengusir(run_cli, seed_index, form):
    data = search_json(run_cli, seed_index, form)
    assert {r["id"] for r in data["results"]} == {KOMPAS_ID, TEMPO_ID}
    for result in data["results"]:
        assert "<mark>mengusir</mark>" in result["snippet"]


@pytest.mark.parametrize("word", ["Rafah", "WhatsApp", "Gabung", "Korsel", "Hwasong"])
def test_words_only_in_page_furniture_find_nothing(run_cli, seed_index, word):
    assert search_json(run_cli, seed_index, word)["total"] == 0


def test_json_output_schema(run_cli, seed_index):
    data = search_json(run_cli, seed_index, "kerusuhan")
    required = {"query", "total", "page", "limit", "pages", "took_ms", "matched", "results"}
    assert required <= set(data) <= required | {"suggestion", "facets", "corrections", "note", "stories", "timeline"}
    assert data["query"] == "kerusuhan" and data["page"] == 1 and data["total"] >= 3
    assert data["limit"] == 10 and data["pages"] == -(-data["total"] // 10)
    for r in data["results"]:
        assert set(r) == {"id", "title", "source", "date", "author", "url", "score", "snippet", "same_story"}
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_title_match_outranks_body_match(run_cli, seed_index):
    # "pasukan" is in the title of 004 and only in the bodies of others.
    data = search_json(run_cli, seed_index, "pasukan")
    assert data["results"][0]["id"] == "004_6c20b73a237de7b4"
    assert data["total"] >= 3


def test_snippet_is_escaped_with_only_mark_added(tmp_path, run_cli):
    page = tmp_path / "x.jsonl"
    text = 'Ledakan <script>alert(1)</script> & "bom" mengguncang kota.'
    page.write_text(json.dumps({"id": "x", "title": "<b>Bom</b>", "text": text}) + "\n")
    index = tmp_path / "ix"
    assert run_cli("rebuild-index", page, "--index", index).exit_code == 0
    snippet = search_json(run_cli, index, "ledakan")["results"][0]["snippet"]
    assert snippet == "<mark>Ledakan</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;bom&quot; mengguncang kota."


def test_terminal_output_marks_matches_in_brackets_when_piped(run_cli, seed_index):
    result = run_cli("search", "pengusiran", "--index", seed_index)
    assert result.exit_code == 0
    assert "2 results for 'pengusiran'" in result.output
    assert "[mengusir]" in result.output
    assert "Kompas.com · 2022-10-06 21:01" in result.output


def test_phrase_field_and_boolean_queries(run_cli, seed_index):
    def ids(query):
        return {r["id"] for r in search_json(run_cli, seed_index, query)["results"]}

    assert ids("source:tempo") == {TEMPO_ID}
    assert ids("author:samsudin") == {"003_5d7ded9b14249955"}
    assert ids("title:erdogan") == {"003_5d7ded9b14249955"}
    assert ids("Erdogan OR Blinken") >= {"003_5d7ded9b14249955", "002_cbbf247a86d7e78f"}
    assert ids("Blinken AND Erdogan") == {"003_5d7ded9b14249955"}
    assert "003_5d7ded9b14249955" not in ids("Blinken NOT Erdogan")
    assert ids('"Petro Vrublevsky"') == {KOMPAS_ID}


@pytest.mark.parametrize(
    "query, message",
    [
        ("AND", "Operator AND needs a word"),
        ("rusia OR", "Operator OR needs a word"),
        ("NOT", "NOT needs a word"),
        ("   ", "Empty query"),
        ("judul:rusia", "Unknown field 'judul'"),
    ],
)
def test_bad_queries_get_a_clear_message(run_cli, seed_index, query, message):
    result = run_cli("search", query, "--index", seed_index)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_paging(run_cli, seed_index):
    first = search_json(run_cli, seed_index, "kazakhstan", "--limit", "2")
    second = search_json(run_cli, seed_index, "kazakhstan", "--limit", "2", "--page", "2")
    assert first["total"] == 5 and len(first["results"]) == 2 and second["page"] == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_missing_index_tells_the_user_to_rebuild(run_cli, tmp_path):
    result = run_cli("search", "rusia", "--index", tmp_path / "none")
    assert result.exit_code == 1
    assert "Run `cari rebuild-index`" in result.output


def test_index_location_from_environment(runner, seed_index):
    result = runner.invoke(cli, ["stats", "--json"], env={"CARI_INDEX": str(seed_index)})
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["documents"] == 5 and info["terms"] > 100 and info["size_bytes"] > 0 and info["built_at"]


def test_broken_file_is_reported_and_the_rest_indexed(run_cli, seeds_copy, tmp_path):
    (seeds_copy / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (seeds_copy / "bulk.jsonl").write_text('{"id": "ok", "text": "Banjir melanda Bekasi."}\nnot json\n')
    index = tmp_path / "ix"
    result = run_cli("rebuild-index", seeds_copy, "--index", index)
    assert result.exit_code == 0
    assert "binary.txt: binary file" in result.output
    assert "bulk.jsonl:2: invalid JSON" in result.output
    assert "Indexed 6 documents, skipped 2" in result.output
    assert search_json(run_cli, index, "bekasi")["results"][0]["id"] == "ok"


def test_interrupted_rebuild_leaves_the_previous_index(run_cli, seeds_copy, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    assert run_cli("rebuild-index", seeds_copy, "--index", index).exit_code == 0
    before = sorted(os.listdir(index))
    (seeds_copy / "new.jsonl").write_text('{"id": "new", "text": "Gempa mengguncang Cianjur."}\n')

    real = search.index.build.article_fields
    calls = []

    def interrupted(article, *rest):
        calls.append(article.id)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(article, *rest)

    monkeypatch.setattr(search.index.build, "article_fields", interrupted)
    result = CliRunner().invoke(cli, ["rebuild-index", str(seeds_copy), "--index", str(index), "--full"])
    assert result.exit_code != 0
    assert sorted(os.listdir(index)) == before  # the half-built generation is gone
    monkeypatch.undo()
    assert search_json(run_cli, index, "kazakhstan")["total"] == 5
    assert search_json(run_cli, index, "gempa")["total"] == 0


def test_rebuild_swaps_in_the_new_index(run_cli, seeds_copy, tmp_path):
    index = tmp_path / "ix"
    assert run_cli("rebuild-index", seeds_copy, "--index", index).exit_code == 0
    (seeds_copy / "new.jsonl").write_text('{"id": "new", "text": "Gempa mengguncang Cianjur."}\n')
    assert run_cli("rebuild-index", seeds_copy, "--index", index).exit_code == 0
    assert search_json(run_cli, index, "guncang")["results"][0]["id"] == "new"
    generations = [p for p in Path(index).iterdir() if p.name.startswith("gen-")]
    assert len(generations) <= 2


def test_batch_search_and_evaluate(run_cli, seed_index, tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tErdogan solidaritas Kazakstan\nq2\tpenarikan pasukan CSTO?\nq3\t\"Tokayev\n")
    qrels = tmp_path / "qrels"
    qrels.write_text("q1 0 003_5d7ded9b14249955 1\nq2 0 004_6c20b73a237de7b4 1\nq3 0 nowhere 1\n")
    run = tmp_path / "run"
    result = run_cli("batch-search", queries, "--output", run, "--index", seed_index)
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in run.read_text().splitlines()]
    assert lines[0][:4] == ["q1", "Q0", "003_5d7ded9b14249955", "1"] and lines[0][5] == "cari"
    assert any(line[0] == "q3" for line in lines)  # bad syntax searched as words
    result = run_cli("evaluate", queries, qrels, "--index", seed_index, "--json")
    metrics = json.loads(result.output)
    assert metrics["queries"] == 3
    assert metrics["MRR@10"] == pytest.approx(2 / 3)
    result = run_cli("evaluate", queries, qrels, "--run", run)
    assert "MRR@10      0.6667" in result.output


def test_sort_by_date_lists_newest_first_and_undated_last(run_cli, seeds_copy, tmp_path):
    (seeds_copy / "undated.jsonl").write_text(json.dumps({"id": "undated", "text": "Kazakhstan tanpa tanggal."}) + "\n")
    index = tmp_path / "index"
    assert run_cli("rebuild-index", seeds_copy, "--index", index).exit_code == 0
    data = search_json(run_cli, index, "kazakhstan", "--sort", "date")
    ids = [r["id"] for r in data["results"]]
    dates = [r["date"] for r in data["results"]]
    assert ids[-1] == "undated" and dates[-1] is None
    # The Tempo page's date comes from its lead (5 October), after Kompas's of 6 October.
    assert ids[:2] == ["000_820b055c4d7704aa", "001_a4f4262280191b67"]
    assert dates[:-1] == sorted(dates[:-1], reverse=True) and len(dates) == 6


def test_terminal_control_codes_in_articles_never_reach_the_terminal(tmp_path, run_cli):
    source = tmp_path / "evil.jsonl"
    title = "Judul \x1b]0;retas\x07 \x1b[2J"
    source.write_text(json.dumps({"id": "evil", "title": title, "text": "Banjir \x1b]52;c;YWJj\x07 melanda \u202eBekasi."})
                      + "\n", encoding="utf-8")
    index = tmp_path / "index"
    assert run_cli("rebuild-index", source, "--index", index).exit_code == 0
    result = run_cli("search", "banjir", "--index", index)
    assert result.exit_code == 0 and "1 result for 'banjir'" in result.output
    assert not any(ch in result.output for ch in "\x1b\x07\u202e")
    assert "[Banjir]" in result.output and "melanda" in result.output


def test_search_without_words_but_a_filter_lists_newest_first(seed_index, run_cli):
    listed = run_cli("search", "--source", "Kompas.com", "--index", seed_index, "--json")
    data = json.loads(listed.output)
    assert listed.exit_code == 0 and data["total"] == 3
    dates = [hit["date"] for hit in data["results"]]
    assert dates == sorted(dates, reverse=True)
    assert run_cli("search", "--index", seed_index).exit_code == 2  # no words, no filter: a usage error
