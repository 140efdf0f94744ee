#!/usr/bin/env python3
"""What the question re-rank costs: each query timed with and without it, in one run.

Usage: python -m bench.rerank_cost SET_DIR --index DIR [--queries N]

Searches SET/queries.tsv through ``Index.ranked_ids(text, 100)`` twice per
query, alternating which goes first: once as shipped, once with the re-rank
replaced by BM25's order. A warm-up pass first fills the stemmer's cache (a
server keeps it). Prints p50/p99 of both, their ratio, and how many queries
were questions. Latency is noisy on a shared machine: compare within a run.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

warnings.filterwarnings("ignore")  # before the imports: Whoosh warns as its modules compile

import search.ranking.policy as policy  # noqa: E402 - the module whose answers_first the ranking calls
from search import Index  # noqa: E402
from search.evaluation import read_queries  # noqa: E402
from search.query.builder import is_question  # noqa: E402

# ranked_ids(text, 100) fetches 100 either way: only the re-rank itself differs.
SHIPPED = policy.answers_first
BM25_ONLY = lambda parsed, query, hits, reader, *rest: hits  # noqa: E731


def timed(searcher: Index, text: str, variant: Callable[..., list]) -> float:
    policy.answers_first = variant
    started = time.perf_counter()
    searcher.ranked_ids(text, 100)
    return 1000 * (time.perf_counter() - started)


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {statistics.median(values):6.2f} ms  p99 {values[int(len(values) * 0.99)]:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set_dir", type=Path)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=0, help="only the first N queries")
    args = parser.parse_args()
    texts = [text for _, text in read_queries(args.set_dir / "queries.tsv")]
    texts = texts[: args.queries] if args.queries else texts
    searcher = Index(args.index)
    for text in texts:
        timed(searcher, text, SHIPPED)
    shipped: list[float] = []
    bm25: list[float] = []
    for i, text in enumerate(texts):
        order = ((shipped, SHIPPED), (bm25, BM25_ONLY))
        for times, variant in order if i % 2 else reversed(order):
            times.append(timed(searcher, text, variant))
    policy.answers_first = SHIPPED
    questions = sum(map(is_question, texts))
    print(f"{args.set_dir.name}: {len(texts)} queries, {questions} questions")
    print(f"  BM25 only   {percentiles(bm25)}")
    print(f"  re-ranked   {percentiles(shipped)}")
    ratio = statistics.median(shipped) / statistics.median(bm25)
    print(f"  p50 ratio {ratio:.2f}x, median extra {statistics.median(s - b for s, b in zip(shipped, bm25, strict=True)):.2f} ms")


if __name__ == "__main__":
    main()
