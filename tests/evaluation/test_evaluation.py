"""Measurement: per-query metrics, run files, two runs compared with a paired bootstrap interval
(`cari evaluate --compare`), and the committed tuning/test halves of the public sets."""

import json
import subprocess
import sys

import pytest

from search.errors import CariError
from search.evaluation import compare, paired_bootstrap, query_metrics, read_qrels, read_queries, read_run
from tests.conftest import EVAL, ROOT

SPLITS = ROOT / "eval" / "splits"


def test_query_metrics_of_one_ranking():
    scores = query_metrics(["x", "a", "y", "b"], {"a": 2, "b": 1, "c": 1})
    assert scores["MRR@10"] == 0.5
    assert scores["Recall@100"] == pytest.approx(2 / 3)
    # DCG 2/log2(3) + 1/log2(5); ideal 2 + 1/log2(3) + 1/2
    assert scores["nDCG@10"] == pytest.approx((2 / 1.5849625 + 1 / 2.3219281) / (2 + 1 / 1.5849625 + 0.5))
    assert query_metrics([], {"a": 1}) == {"MRR@10": 0.0, "nDCG@10": 0.0, "Recall@100": 0.0}


def test_a_run_file_is_read_by_rank_and_a_short_line_is_named(tmp_path):
    run = tmp_path / "run"
    run.write_text("q1 Q0 b 2 1.0 x\nq1 Q0 a 1 2.0 x\n\nq2 Q0 c 1 1.0 x\n")
    assert read_run(run) == {"q1": ["a", "b"], "q2": ["c"]}
    run.write_text("q1 Q0 a 1 2.0 x\nq1\n")
    with pytest.raises(CariError, match=r"run:2: expected"):
        read_run(run)


def test_the_interval_of_no_change_is_zero_and_of_a_steady_gain_excludes_zero():
    assert paired_bootstrap([0.0] * 50) == (0.0, 0.0)
    low, high = paired_bootstrap([0.1] * 40 + [0.0] * 10)
    assert 0 < low <= 0.08 <= high < 0.1
    low, high = paired_bootstrap([1.0, -1.0] * 25)  # as many up as down: noise
    assert low < 0 < high


def test_compare_lists_the_queries_that_moved_and_pairs_them():
    qrels = {f"q{i}": {"good": 1} for i in range(20)}
    base = {f"q{i}": ["bad", "good"] for i in range(20)}
    new = dict(base, q3=["good"], q7=["good"], q9=["bad", "bad2", "good"])
    result = compare(new, base, qrels, resamples=2000)
    mrr = result.metrics["MRR@10"]
    assert mrr.base == 0.5 and mrr.new == pytest.approx((17 * 0.5 + 2 + 1 / 3) / 20)
    assert mrr.change == pytest.approx(mrr.new - mrr.base)
    assert mrr.low <= mrr.change <= mrr.high
    assert [qid for qid, _, _ in result.better] == ["q3", "q7"]
    assert result.worse == [("q9", 0.5, pytest.approx(1 / 3))]
    assert result.metrics["Recall@100"].change == 0 and result.metrics["Recall@100"].low == 0
    assert compare(base, base, qrels).better == []
    with pytest.raises(CariError, match="unknown metric"):
        compare(new, base, qrels, metric="P@5")


def test_cari_evaluate_compare(run_cli, tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("".join(f"q{i}\tkata {i}\n" for i in range(30)) + "unjudged\tnothing\n")
    qrels = tmp_path / "qrels"
    qrels.write_text("".join(f"q{i} 0 good 1\n" for i in range(30)) + "other 0 good 1\n")
    base, new = tmp_path / "base.run", tmp_path / "new.run"
    base.write_text("".join(f"q{i} Q0 bad 1 2 t\nq{i} Q0 good 2 1 t\n" for i in range(30)))
    lines = [f"q{i} Q0 good 1 2 t\n" if i < 20 else f"q{i} Q0 bad 1 2 t\nq{i} Q0 good 2 1 t\n" for i in range(29)]
    new.write_text("".join(lines))  # q0..q19 up to rank 1, q29 lost
    result = run_cli("evaluate", queries, qrels, "--run", new, "--compare", base, "--show", "3")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "queries     30" in out
    assert "MRR@10       0.5000  0.8167  +0.3167" in out
    assert "20 queries better, 1 worse, 9 unchanged" in out
    assert "  q0           0.500 -> 1.000  kata 0" in out and "q3 " not in out  # --show 3: q0, q1, q10
    assert "  q29          0.500 -> 0.000  kata 29" in out
    data = json.loads(run_cli("evaluate", queries, qrels, "--run", new, "--compare", base, "--json").output)
    assert data["queries"] == 30 and len(data["better"]) == 20 and data["worse"][0]["qid"] == "q29"
    low, high = data["metrics"]["MRR@10"]["interval95"]
    assert 0 < low < 0.3167 < high
    # Without --compare, only the judged queries of QUERIES count, from a run file too.
    plain = json.loads(run_cli("evaluate", queries, qrels, "--run", new, "--json").output)
    assert plain["queries"] == 30 and plain["MRR@10"] == pytest.approx(0.8167, abs=1e-4)


def test_evaluate_compare_against_the_index(run_cli, seed_index, tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tErdogan solidaritas Kazakstan\nq2\tpenarikan pasukan CSTO?\n")
    qrels = tmp_path / "qrels"
    qrels.write_text("q1 0 003_5d7ded9b14249955 1\nq2 0 004_6c20b73a237de7b4 1\n")
    base = tmp_path / "base.run"
    base.write_text("q1 Q0 003_5d7ded9b14249955 1 1 t\n")
    data = json.loads(run_cli("evaluate", queries, qrels, "--index", seed_index, "--compare", base, "--json").output)
    assert data["metrics"]["MRR@10"]["base"] == 0.5 and data["metrics"]["MRR@10"]["new"] == 1.0
    assert [row["qid"] for row in data["better"]] == ["q2"] and data["worse"] == []


@pytest.mark.parametrize("name", ["facqa", "indosum", "keywords", "headlines"])
def test_the_halves_are_disjoint_cover_the_judged_queries_and_keep_their_text(name):
    folder = ROOT / "eval" / name if name in ("keywords", "headlines") else EVAL / name
    if not (folder / "qrels.txt").is_file():
        pytest.skip(f"{folder} not found")
    queries, qrels = read_queries(folder / "queries.tsv"), read_qrels(folder / "qrels.txt")
    tuning, test = read_queries(SPLITS / name / "tuning.tsv"), read_queries(SPLITS / name / "test.tsv")
    assert not {q for q, _ in tuning} & {q for q, _ in test}
    assert sorted(tuning + test) == sorted(row for row in queries if row[0] in qrels)
    assert len(tuning) - len(test) in (0, 1)


@pytest.mark.server
def test_the_script_remakes_the_halves_exactly(tmp_path):
    if not (EVAL / "indosum" / "queries.tsv").is_file() or not (EVAL / "facqa" / "queries.tsv").is_file():
        pytest.skip(f"{EVAL} not found")
    subprocess.run([sys.executable, "-m", "bench.split_sets", "--eval", str(EVAL), "--out", str(tmp_path)],
                   check=True, capture_output=True, cwd=ROOT)
    for made in sorted(tmp_path.rglob("*.tsv")):
        assert made.read_bytes() == (SPLITS / made.relative_to(tmp_path)).read_bytes(), made
    assert len(list(tmp_path.rglob("*.tsv"))) == 8
