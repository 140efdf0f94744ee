#!/usr/bin/env python3
"""Cost of typo tolerance: sentences with two typos against the same sentences typed right.

Usage:
    python -m bench.typos [--docs 100000] [--queries 300] [--index DIR]

Builds (or reuses, with --index) an index of --docs synthetic articles from
../shared/peers/make_corpus.py, then searches IndoSum's summary sentences
twice through ``Index.search`` (a page of 10 with snippets): as written,
and with two of their words of 5 letters or more mistyped (a letter dropped,
or two swapped; the same words every run). Prints p50/p99 of both, and how
many typos were corrected. The machine is shared: compare the two columns.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations: search is imported where it is used
    from search import Index

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def mistyped(sentence: str, rng: random.Random) -> str:
    """``sentence`` with two of its longer words mistyped."""
    words = sentence.split()
    long_ones = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rng.sample(long_ones, min(2, len(long_ones))):
        w = words[i]
        at = rng.randrange(3, len(w) - 1)
        words[i] = w[:at] + w[at + 1:] if rng.random() < 0.5 else w[:at] + w[at + 1] + w[at] + w[at + 2:]
    return " ".join(words)


def timed(searcher: Index, queries: list[str]) -> tuple[list[float], int]:
    times: list[float] = []
    corrected = 0
    for text in queries:
        started = time.perf_counter()
        results = searcher.search(text, limit=10)
        times.append((time.perf_counter() - started) * 1000)
        corrected += len(results.corrections)
    return times, corrected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--index", help="an index to reuse (built there if missing)")
    args = ap.parse_args()
    from search import Index
    from search.index.build import build_index

    index = Path(args.index or tempfile.mkdtemp(prefix="cari-typos-")) / "index"
    if not index.exists():
        index.parent.mkdir(parents=True, exist_ok=True)
        corpus = index.parent / "corpus.jsonl"
        subprocess.run([sys.executable, str(SHARED / "peers" / "make_corpus.py"), str(args.docs), str(corpus)],
                       check=True)
        started = time.perf_counter()
        build_index([corpus], index)
        print(f"indexed {args.docs} articles in {time.perf_counter() - started:.0f} s")
    lines = (SHARED / "eval" / "indosum" / "queries.tsv").read_text(encoding="utf-8").splitlines()
    sentences = [line.split("\t", 1)[1] for line in lines if "\t" in line][: args.queries]
    rng = random.Random(14)
    typos = [mistyped(s, rng) for s in sentences]
    searcher = Index(index, budget_seconds=None)
    searcher.search("pemanasan")  # opening the index is not a query's time
    for name, queries in (("as written", sentences), ("two typos", typos), ("as written again", sentences)):
        times, corrected = timed(searcher, queries)
        times.sort()
        print(f"{name:17} p50 {statistics.median(times):6.1f} ms  p99 {times[int(len(times) * 0.99)]:6.1f} ms"
              f"  corrections {corrected}")


if __name__ == "__main__":
    main()
