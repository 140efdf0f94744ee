"""Relevance measurement: TREC run files, MRR@10, nDCG@10, Recall@100, and two runs compared per query."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from search.errors import CariError

RUN_TAG = "cari"
METRICS = ("MRR@10", "nDCG@10", "Recall@100")
# Resamples of the queries for a bootstrap interval, and the seed that makes it repeatable.
BOOTSTRAP_RESAMPLES = 10_000
BOOTSTRAP_SEED = 27


def read_queries(path: str | Path) -> list[tuple[str, str]]:
    """``qid<TAB>query`` lines; raises CariError naming a malformed line."""
    queries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            qid, tab, text = line.partition("\t")
            if not tab or not qid.strip():
                raise CariError(f"{path}:{number}: expected 'qid<TAB>query'")
            queries.append((qid.strip(), text))
    return queries


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """TREC qrels ``qid 0 docid relevance``: judged relevant documents per query."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4 or not parts[3].lstrip("-").isdigit():
                raise CariError(f"{path}:{number}: expected 'qid 0 docid relevance'")
            if int(parts[3]) > 0:
                qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def read_run(path: str | Path) -> dict[str, list[str]]:
    """Ranked document ids per query of a TREC run file (``qid Q0 docid rank score tag``), by rank.

    Lines are ordered by their rank column where it is a number (TREC tools
    do), else kept in file order; a line of under three columns is an error
    naming it.
    """
    ranked: dict[str, list[tuple[float, int, str]]] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 3:
                raise CariError(f"{path}:{number}: expected 'qid Q0 docid rank score tag'")
            try:
                rank = float(parts[3]) if len(parts) > 3 else math.inf
            except ValueError:
                rank = math.inf
            ranked.setdefault(parts[0], []).append((rank, number, parts[2]))
    return {qid: [doc for _, _, doc in sorted(lines)] for qid, lines in ranked.items()}


def run_lines(qid: str, ranked: Iterable[tuple[str, float]]) -> Iterator[str]:
    """TREC run lines ``qid Q0 docid rank score tag`` for one query."""
    for rank, (doc_id, score) in enumerate(ranked, 1):
        yield f"{qid} Q0 {doc_id} {rank} {score:.4f} {RUN_TAG}"


def query_metrics(ranked: list[str], relevant: dict[str, int]) -> dict[str, float]:
    """MRR@10 (reciprocal rank of the first relevant in the top 10), nDCG@10 and Recall@100 of one query."""
    reciprocal = next((1 / (i + 1) for i, doc_id in enumerate(ranked[:10]) if doc_id in relevant), 0.0)
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sum(r / math.log2(i + 2) for i, r in enumerate(sorted(relevant.values(), reverse=True)[:10]))
    recall = len(set(ranked[:100]) & set(relevant)) / len(relevant) if relevant else 0.0
    return {"MRR@10": reciprocal, "nDCG@10": dcg / ideal if ideal else 0.0, "Recall@100": recall}


def per_query(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    """Every judged query's metrics; a query missing from the run scores 0."""
    return {qid: query_metrics(run.get(qid, []), relevant) for qid, relevant in qrels.items()}


def evaluate(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean MRR@10, nDCG@10 and Recall@100 over the judged queries."""
    scores = per_query(run, qrels)
    n = len(scores) or 1
    return {"queries": len(scores), **{m: sum(s[m] for s in scores.values()) / n for m in METRICS}}


def paired_bootstrap(change: list[float], resamples: int = BOOTSTRAP_RESAMPLES,
                     seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """95% interval of the mean per-query change, the queries resampled with replacement (paired: one
    change per query, so what both runs share cancels out)."""
    if not change:
        return 0.0, 0.0
    values = np.asarray(change, dtype=float)
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for start in range(0, resamples, 1000):  # in blocks: 10,000 x 3,463 indices at once is 280 MB
        stop = min(resamples, start + 1000)
        means[start:stop] = values[rng.integers(0, len(values), (stop - start, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


@dataclass
class MetricChange:
    """One metric of two runs over the same queries: means, the change and its 95% interval."""

    base: float
    new: float
    low: float
    high: float

    @property
    def change(self) -> float:
        return self.new - self.base

    def to_dict(self) -> dict:
        return {"base": self.base, "new": self.new, "change": self.change, "interval95": [self.low, self.high]}


@dataclass
class Comparison:
    """A run compared with a base run, query by query (``compare``)."""

    queries: int
    metric: str  # the metric the better/worse lists are by
    metrics: dict[str, MetricChange]
    better: list[tuple[str, float, float]] = field(default_factory=list)  # (qid, base, new), biggest gain first
    worse: list[tuple[str, float, float]] = field(default_factory=list)  # biggest loss first

    def to_dict(self) -> dict:
        def listed(rows: list[tuple[str, float, float]]) -> list[dict]:
            return [{"qid": qid, "base": base, "new": new, "change": new - base} for qid, base, new in rows]

        return {"queries": self.queries, "metric": self.metric,
                "metrics": {name: change.to_dict() for name, change in self.metrics.items()},
                "better": listed(self.better), "worse": listed(self.worse)}


def compare(new_run: dict[str, list[str]], base_run: dict[str, list[str]], qrels: dict[str, dict[str, int]],
            metric: str = "MRR@10", resamples: int = BOOTSTRAP_RESAMPLES) -> Comparison:
    """``new_run`` against ``base_run`` on the judged queries: each metric's means, the mean change with
    a paired bootstrap 95% interval, and the queries whose ``metric`` went up and down."""
    if metric not in METRICS:
        raise CariError(f"unknown metric {metric!r}: expected one of {', '.join(METRICS)}")
    new, base = per_query(new_run, qrels), per_query(base_run, qrels)
    qids = list(qrels)
    metrics = {}
    for name in METRICS:
        change = [new[qid][name] - base[qid][name] for qid in qids]
        low, high = paired_bootstrap(change, resamples)
        n = len(qids) or 1
        metrics[name] = MetricChange(sum(base[q][name] for q in qids) / n, sum(new[q][name] for q in qids) / n,
                                     low, high)
    moved = [(qid, base[qid][metric], new[qid][metric]) for qid in qids if new[qid][metric] != base[qid][metric]]
    better = sorted((row for row in moved if row[2] > row[1]), key=lambda row: (row[1] - row[2], row[0]))
    worse = sorted((row for row in moved if row[2] < row[1]), key=lambda row: (row[2] - row[1], row[0]))
    return Comparison(len(qids), metric, metrics, better, worse)
