#!/usr/bin/env python3
"""Completion latency: /api/suggest on a large index, as a reader typing would call it.

Usage:
    python -m bench.suggest [--index DIR] [--docs N] [--rounds 3]

Without --index it makes a corpus of --docs articles with
../shared/peers/make_corpus.py, indexes it in a temporary folder and
measures there. The prefixes are every prefix (2 letters and more) of words
and names taken from the corpus's titles, typed one letter at a time, plus
two-word prefixes. It prints the time to make the table (the first
suggestion after an index is opened pays it) and p50/p90/p99 of the calls
after that, through the web app's test client (routing and JSON included,
no network), as wall time and as the CPU time of the calling thread (the
steadier figure on a shared machine); --slowest N lists the prefixes that
cost the most CPU.
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

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "peers" / "make_corpus.py"


def build(docs: int, folder: Path) -> Path:
    corpus = folder / "corpus.jsonl"
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(docs), str(corpus)], check=True)
    from search.index.build import build_index

    build_index([corpus], folder / "index")
    return folder / "index"


def typed_prefixes(index: Path, count: int, seed: int = 1) -> list[str]:
    """What a reader types on the way to words and names of the index's titles."""
    from search import Index

    searcher = Index(index)
    rng = random.Random(seed)
    titles = []
    whoosh = searcher._current().searcher  # noqa: SLF001 - a bench may read the stored titles directly
    total = whoosh.doc_count_all()
    for docnum in rng.sample(range(total), min(count, total)):
        titles.append(whoosh.stored_fields(docnum).get("title", ""))
    prefixes = []
    for title in titles:
        words = [w for w in title.split() if w.isalpha()]
        if not words:
            continue
        word = rng.choice(words)
        prefixes += [word[:n] for n in range(2, len(word) + 1)]
        if len(words) > 1:
            prefixes.append(" ".join(words[:2])[: len(words[0]) + 3])
    return prefixes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an existing index (else one of --docs is made)")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--titles", type=int, default=300, help="titles whose words are typed")
    parser.add_argument("--slowest", type=int, default=0, help="list this many prefixes that took the most CPU")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        index = args.index or build(args.docs, Path(folder))
        from web.app import create_app

        client = create_app({"INDEX_DIR": str(index)}).test_client()
        started = time.perf_counter()
        client.get("/healthz")  # opens the index
        open_seconds = time.perf_counter() - started
        started, cpu_started = time.perf_counter(), time.thread_time()
        client.get("/api/suggest?q=ka")
        table_seconds, table_cpu = time.perf_counter() - started, time.thread_time() - cpu_started
        prefixes = typed_prefixes(index, args.titles)
        slow: list[tuple[float, str]] = []
        times, cpu_times = [], []
        found = 0
        for _ in range(args.rounds):
            for prefix in prefixes:
                started, cpu_started = time.perf_counter(), time.thread_time()
                response = client.get("/api/suggest", query_string={"q": prefix})
                cpu_times.append((time.thread_time() - cpu_started) * 1000)
                times.append((time.perf_counter() - started) * 1000)
                found += bool(response.get_json()["suggestions"])
                if args.slowest:
                    slow.append((cpu_times[-1], prefix))
        times.sort()
        cpu_times.sort()
        documents = client.get("/healthz").get_json()["documents"]
        print(f"index: {documents} documents, opened in {open_seconds:.2f} s; "
              f"the first suggestion (making the table) {table_seconds:.2f} s ({table_cpu:.2f} s CPU)")
        print(f"{len(times)} calls ({len(prefixes)} prefixes x {args.rounds}), {found / len(times):.0%} with completions")
        for label, values in (("wall", times), ("CPU", cpu_times)):
            print(f"{label}: p50 {statistics.median(values):.1f} ms  p90 {values[int(len(values) * .9)]:.1f} ms  "
                  f"p99 {values[int(len(values) * .99)]:.1f} ms  max {values[-1]:.1f} ms")
        for cpu, prefix in sorted(slow, reverse=True)[:args.slowest]:
            print(f"  {cpu:6.1f} ms CPU  {prefix!r}")
        sample = client.get("/api/suggest?q=kaza").get_json()["suggestions"][:3]
        print("kaza ->", ", ".join(s["text"] for s in sample) or "(nothing)")


if __name__ == "__main__":
    main()
