#!/usr/bin/env python3
"""Is run B better than run A? MRR@10 of both on all queries and each half, with a bootstrap interval.

Usage: python -m bench.compare_runs QUERIES QRELS RUN_A RUN_B [--resamples N]

RUN_A and RUN_B are TREC run files (``cari batch-search``). The queries are
split by position into even and odd halves, as ``bench/relevance.py`` splits
them (tune on even, check on odd). A change of 0.001 on facqa is one or two
questions: the script counts the questions that moved up and down and gives a
95% bootstrap interval (queries resampled with replacement) of the change in
MRR@10, so a change whose interval holds zero can be told from one that does not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from search.evaluation import read_qrels, read_queries


def read_run(path: Path) -> dict[str, list[str]]:
    """Ranked document ids per query from a TREC run file, in file order."""
    run: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 3:
                run.setdefault(parts[0], []).append(parts[2])
    return run


def reciprocal_ranks(run: dict[str, list[str]], qids: list[str], qrels: dict[str, dict[str, int]]) -> np.ndarray:
    """1/rank of the first judged document in each query's top 10 (0 when there is none)."""
    found = []
    for qid in qids:
        ranked = run.get(qid, [])[:10]
        found.append(next((1 / (i + 1) for i, doc in enumerate(ranked) if doc in qrels[qid]), 0.0))
    return np.array(found)


def bootstrap_interval(change: np.ndarray, resamples: int, seed: int = 0) -> tuple[float, float]:
    """95% interval of the mean of ``change`` over resamples of the queries."""
    rng = np.random.default_rng(seed)
    means = [change[rng.integers(0, len(change), len(change))].mean() for _ in range(resamples)]
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("queries", type=Path)
    parser.add_argument("qrels", type=Path)
    parser.add_argument("run_a", type=Path, help="the base run")
    parser.add_argument("run_b", type=Path, help="the changed run")
    parser.add_argument("--resamples", type=int, default=2000)
    args = parser.parse_args()
    qrels = read_qrels(args.qrels)
    qids = [qid for qid, _ in read_queries(args.queries) if qid in qrels]
    a = reciprocal_ranks(read_run(args.run_a), qids, qrels)
    b = reciprocal_ranks(read_run(args.run_b), qids, qrels)
    for name, part in (("all", slice(None)), ("even", slice(0, None, 2)), ("odd", slice(1, None, 2))):
        print(f"{name:4} MRR@10 {a[part].mean():.4f} -> {b[part].mean():.4f} ({b[part].mean() - a[part].mean():+.4f})")
    change = b - a
    low, high = bootstrap_interval(change, args.resamples)
    print(f"questions up {int((change > 0).sum())}, down {int((change < 0).sum())}; "
          f"95% interval of the change {low:+.4f} .. {high:+.4f}")


if __name__ == "__main__":
    main()
