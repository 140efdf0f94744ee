"""The public keyword set (eval/keywords, made by bench/keyword_set.py from IndoSum): its files parse, every
judged article is an IndoSum article, the script remakes the files exactly, and its judging rule grades
by the title, the lead and the count of mentions."""

import json
from collections import Counter

import pytest

from search.analysis.names import long_form
from search.evaluation import read_qrels, read_queries
from tests.conftest import ROOT, bench_module, eval_file, write_jsonl

SET = ROOT / "eval" / "keywords"


def judged_lines():
    return [line.split() for line in (SET / "qrels.txt").read_text(encoding="utf-8").splitlines()]


def test_queries_and_qrels_parse_and_agree():
    queries = read_queries(SET / "queries.tsv")
    relevant = read_qrels(SET / "qrels.txt")
    texts = [text for _, text in queries]
    assert 150 <= len(queries) <= 400
    assert len(set(texts)) == len(texts) and all(text == text.lower().strip() and text for text in texts)
    assert {qid for qid, _ in queries} == set(relevant) == {parts[0] for parts in judged_lines()}
    assert all(5 <= len(docs) <= 60 and 2 in docs.values() for docs in relevant.values())
    assert all(len(parts) == 4 and parts[1] == "0" and parts[3] in "012" for parts in judged_lines())
    lengths = Counter(len(text.split()) for text in texts)
    assert lengths[1] and lengths[2]  # single names and names of two words


def test_every_judged_article_is_in_indosum():
    with eval_file("indosum", "docs.jsonl").open(encoding="utf-8") as lines:
        ids = {json.loads(line)["id"] for line in lines if line.strip()}
    missing = {parts[2] for parts in judged_lines()} - ids
    assert not missing, sorted(missing)[:5]


@pytest.mark.slow
def test_the_script_remakes_the_set_exactly(tmp_path):
    module = bench_module("keyword_set")
    module.write(tmp_path, module.build(module.read_articles(eval_file("indosum", "docs.jsonl"))))
    for name in ("queries.tsv", "qrels.txt"):
        assert (tmp_path / name).read_bytes() == (SET / name).read_bytes(), name


def test_grades_come_from_the_title_the_lead_and_repeated_mentions(tmp_path):
    module = bench_module("keyword_set")
    docs = [
        {"id": "title", "title": "kpk periksa saksi", "text": "Jakarta, CNN Indonesia - - Saksi diperiksa. Lalu KPK pulang."},
        {"id": "lead", "title": "saksi diperiksa", "text": "Jakarta, CNN Indonesia - - Penyidik KPK memeriksa saksi. Ia pulang."},
        {"id": "thrice", "title": "saksi", "text": "Saksi datang. Lalu KPK bertanya. Lalu KPK menulis. Lalu KPK pulang."},
        {"id": "once", "title": "saksi", "text": "Saksi datang ke gedung. Lalu KPK pulang."},
        {"id": "dateline", "title": "saksi", "text": "KPK, CNN Indonesia - - Saksi datang ke gedung."},
    ]
    path = tmp_path / "docs.jsonl"
    write_jsonl(path, docs)
    articles = module.read_articles(path)
    kpk = module.Name(("kpk",))
    grades = module.judge(articles, {("kpk",): kpk}, {"kpk"})[("kpk",)]
    assert {articles[i].id: grade for i, grade in grades.items()} == {"title": 2, "lead": 1, "thrice": 1, "once": 0}


def test_a_short_form_defined_in_two_articles_counts_as_its_long_form(tmp_path):
    module = bench_module("keyword_set")
    docs = [
        {"id": "defines1", "title": "saksi", "text": "Saksi datang ke Komisi Pemberantasan Korupsi (KPK) kemarin."},
        {"id": "defines2", "title": "saksi", "text": "Penyidik datang. Komisi Pemberantasan Korupsi (KPK) bertanya."},
        {"id": "long", "title": "komisi pemberantasan korupsi periksa saksi", "text": "Saksi datang."},
        {"id": "other", "title": "saksi", "text": "Saksi datang. Lalu Komisi Yudisial (KY) bertanya."},
    ]
    path = tmp_path / "docs.jsonl"
    write_jsonl(path, docs)
    articles = module.read_articles(path)
    also = module.aliases(articles)
    assert also[("kpk",)] == {("komisi", "pemberantasan", "korupsi")}
    assert ("ky",) not in also  # defined once only
    grades = module.judge(articles, {("kpk",): module.Name(("kpk",))}, {"kpk"}, also)[("kpk",)]
    assert {articles[i].id: grade for i, grade in grades.items()} == {"defines1": 1, "defines2": 0, "long": 2}
    # defines2: named twice (long and short form), after the lead: mentioned, not about


def test_long_forms_are_found_letter_by_letter():
    assert long_form("KPK", ["kata", "Ketua", "Komisi", "Pemberantasan", "Korupsi"]) == ["Komisi", "Pemberantasan", "Korupsi"]
    assert long_form("Setnov", ["Ketua", "DPR", "Setya", "Novanto"]) == ["Setya", "Novanto"]
    assert long_form("Kemendagri", ["pihak", "Kementerian", "Dalam", "Negeri"]) == ["Kementerian", "Dalam", "Negeri"]
    assert long_form("BNN", ["kata", "Kepala", "Polisi", "Daerah"]) is None  # no B to open it
