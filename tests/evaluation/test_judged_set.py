"""The judged keyword set (eval/judged): its files parse and agree, every query has a relevant article,
and bench/judged_set.py remakes the queries and qrels from the judgements and IndoSum."""

import pytest

from search.evaluation import read_qrels, read_queries
from tests.conftest import ROOT, bench_module, eval_file

SET = ROOT / "eval" / "judged"


def test_queries_judgements_and_qrels_agree():
    queries = read_queries(SET / "queries.tsv")
    rows = bench_module("judged_set").judgements(SET / "judgements.tsv")
    assert len(queries) == len(rows) == 100
    assert [text for _, text in queries] == [query for query, _, _ in rows]
    lines = [line.split() for line in (SET / "qrels.txt").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == sum(len(grades) for _, _, grades in rows)
    assert all(len(parts) == 4 and parts[1] == "0" and parts[3] in "012" for parts in lines)
    relevant = read_qrels(SET / "qrels.txt")
    assert set(relevant) == {qid for qid, _ in queries}  # every query has a relevant article


@pytest.mark.slow
def test_the_script_remakes_the_set_from_the_judgements():
    module = bench_module("judged_set")
    articles = module.read_articles(eval_file("indosum", "docs.jsonl"))
    queries, qrels = module.qrels_lines(articles, module.judgements(SET / "judgements.tsv"))
    assert "".join(line + "\n" for line in queries) == (SET / "queries.tsv").read_text(encoding="utf-8")
    assert "".join(line + "\n" for line in qrels) == (SET / "qrels.txt").read_text(encoding="utf-8")


def test_a_pool_is_every_article_holding_the_pattern_in_id_order():
    module = bench_module("judged_set")
    articles = [{"id": "b", "title": "Banjir", "text": "Tanggulnya jebol."},
                {"id": "a", "title": "Lain", "text": "TANGGUL retak."}, {"id": "c", "title": "x", "text": "y"}]
    articles.sort(key=lambda doc: doc["id"])
    assert [doc["id"] for doc in module.pool(articles, "tanggul")] == ["a", "b"]
    try:
        module.qrels_lines(articles, [("tanggul", "tanggul", "2")])
    except SystemExit as error:
        assert "1 grades for a pool of 2" in str(error)
    else:
        raise AssertionError("a grade string shorter than its pool was accepted")
