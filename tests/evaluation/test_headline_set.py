"""The headline set (eval/headlines): IndoSum's titles as queries, each judged by its own article,
remade byte for byte by bench/headline_set.py."""

import json

from search.evaluation import read_qrels, read_queries
from tests.conftest import ROOT, bench_module, eval_file

SET = ROOT / "eval" / "headlines"


def test_every_query_is_a_title_judged_by_its_own_article_only():
    queries, qrels = read_queries(SET / "queries.tsv"), read_qrels(SET / "qrels.txt")
    assert len(queries) == len(qrels) == 3463
    assert all(len(judged) == 1 and list(judged.values()) == [1] for judged in qrels.values())
    assert len({next(iter(judged)) for judged in qrels.values()}) == 3463  # one query an article
    assert all(text and " ".join(text.split()) == text for _, text in queries)


def test_the_script_remakes_the_set_from_indosum(tmp_path):
    docs = eval_file("indosum", "docs.jsonl")
    rows = bench_module("headline_set").headlines(docs)
    assert "".join(f"{qid}\t{title}\n" for qid, title, _ in rows) == (SET / "queries.tsv").read_text(encoding="utf-8")
    assert "".join(f"{qid} 0 {doc} 1\n" for qid, _, doc in rows) == (SET / "qrels.txt").read_text(encoding="utf-8")
    titles = {}
    with open(docs, encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            titles[doc["id"]] = " ".join(doc["title"].split())
    assert all(titles[doc] == title for _, title, doc in rows)


def test_titles_are_cleaned_of_line_breaks_and_untitled_articles_skipped(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(doc) + "\n" for doc in (
        {"id": "b", "title": "banjir  di\njakarta", "text": "x"},
        {"id": "a", "title": "", "text": "no title"},
        {"id": "c", "text": "none either"},
    )), encoding="utf-8")
    assert bench_module("headline_set").headlines(docs) == [("hl0001", "banjir di jakarta", "b")]
