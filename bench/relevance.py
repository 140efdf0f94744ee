#!/usr/bin/env python3
"""Measure Cari's relevance on a public set, on all queries and on its tuning and test halves.

Usage: python -m bench.relevance ../shared/eval/facqa [--index DIR] [--reuse] [--queries FILE] [--run-out RUN]

Builds an index of SET/docs.jsonl (unless --reuse), searches SET/queries.tsv
(or --queries: eval/keywords/queries.tsv over IndoSum) through
``Index.ranked_ids`` (what ``cari batch-search`` and ``cari evaluate``
call) and prints MRR@10, nDCG@10, Recall@100 for all queries and for the
halves of ``eval/splits/NAME`` (tune on ``tuning``, report ``test``), plus p50
and p99 query latency. Latency is noisy on a shared machine: compare within a
run. --run-out writes the TREC run, for ``cari evaluate --compare``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")  # before the imports: Whoosh warns as its modules compile

from search import Index  # noqa: E402
from search.evaluation import evaluate, read_qrels, read_queries, run_lines  # noqa: E402
from search.index.build import build_index  # noqa: E402

SPLITS = Path(__file__).resolve().parent.parent / "eval" / "splits"


def measure(queries: Path, set_dir: Path, index_dir: Path, reuse: bool, run_out: Path | None) -> dict:
    """Metrics for all queries and each half, and latency percentiles."""
    if not reuse:
        build_index([set_dir / "docs.jsonl"], index_dir)
    qrels = read_qrels(queries.parent / "qrels.txt")
    topics = [(qid, text) for qid, text in read_queries(queries) if qid in qrels]
    searcher = Index(index_dir)
    run: dict[str, list[str]] = {}
    latencies: list[float] = []
    lines: list[str] = []
    for qid, text in topics:
        started = time.perf_counter()
        ranked = searcher.ranked_ids(text, 100)
        latencies.append(time.perf_counter() - started)
        run[qid] = [doc_id for doc_id, _ in ranked]
        lines.extend(run_lines(qid, ranked))
    if run_out:
        run_out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    split = SPLITS / queries.parent.name
    halves = {name: {qid: qrels[qid] for qid, _ in read_queries(split / f"{name}.tsv") if qid in run}
              for name in ("tuning", "test") if (split / f"{name}.tsv").is_file()}
    latencies.sort()
    return {
        "all": evaluate(run, {qid: qrels[qid] for qid, _ in topics}),
        **{name: evaluate(run, half) for name, half in halves.items()},
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set_dir", type=Path, help="folder with docs.jsonl, queries.tsv, qrels.txt")
    parser.add_argument("--index", type=Path, help="index folder (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="search the existing --index, do not rebuild")
    parser.add_argument("--queries", type=Path, help="queries beside their qrels.txt (default: SET/queries.tsv)")
    parser.add_argument("--run-out", type=Path, help="write the TREC run here")
    args = parser.parse_args()
    index_dir = args.index or Path(tempfile.mkdtemp(prefix="cari-relevance-"))
    queries = args.queries or args.set_dir / "queries.tsv"
    m = measure(queries, args.set_dir, index_dir, args.reuse, args.run_out)
    print(f"{queries.parent.name}: {m['all']['queries']} queries")
    for name in ("all", "tuning", "test"):
        if name in m:
            r = m[name]
            print(f"  {name:6} MRR@10 {r['MRR@10']:.4f}  nDCG@10 {r['nDCG@10']:.4f}  Recall@100 {r['Recall@100']:.4f}")
    print(f"  latency p50 {m['p50_ms']:.1f} ms  p99 {m['p99_ms']:.1f} ms")


if __name__ == "__main__":
    main()
