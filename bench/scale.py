#!/usr/bin/env python3
"""What a user of a large archive waits for, on an index built earlier, in one searching process.

Usage:
    python -m bench.scale --index IX [--queries 300] [--update CORPUS.jsonl --update-count 1000
                          [--update-by add|upsert]] [--json]

Build the index first with the command whose time and peak memory you want
(``/usr/bin/time -v cari rebuild-index CORPUS --index IX -q``; the corpus from
``../shared/peers/make_corpus.py N CORPUS``). Then, through ``Index`` as a
serving worker uses it: opening the index and the first query; IndoSum's
summary sentences as queries (``--queries`` of them), first pass and again
(caches warm); 1-3 word queries taken from them, by relevance and newest
first; browsing newest first; facets; completions; how many searches the
2 s budget stopped; the process's memory (resident, and how much of it is
its own rather than pages of the index files, which every worker shares);
with ``--update``, an update of ``--update-count`` articles (a third
changed, a third new, taken from the corpus, written as ``cari add`` writes,
or with ``--update-by upsert`` as the write API writes; its wall time and the
CPU time of this process and its workers) and the reopening after it. ``--decode-blocks`` reads the same index as
Cari did before the posting arrays (``search/_whoosh/arrays.py``): every
list stored as blocks is decoded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for the annotations: search is imported where it is used
    from search import Index

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1) if values else float("nan")


def memory_mb() -> dict:
    """Resident MB, the part that is anonymous (this process's own) rather than mapped index files, and the
    proportional set size (each shared page divided among the processes mapping it)."""
    found = {}
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss", "Anonymous", "Private_Clean", "Private_Dirty", "Shared_Clean"):
                found[key] = int(value.split()[0]) / 1024
    return {"rss_mb": round(found.get("Rss", 0)), "pss_mb": round(found.get("Pss", 0)),
            "anonymous_mb": round(found.get("Anonymous", 0)),
            "file_mapped_mb": round(found.get("Rss", 0) - found.get("Anonymous", 0))}


def load_queries(path: Path, count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Summary sentences, and 1-3 word queries taken from them (as bench/baseline.py makes them)."""
    lines = [line.split("\t", 1)[1] for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
    sentences = lines[:count]
    rng = random.Random(seed)
    short = []
    for text in sentences:
        words = re.findall(r"[A-Za-z]{4,}", text)
        if words:
            start = rng.randrange(len(words))
            short.append(" ".join(words[start : start + rng.randint(1, 3)]))
    return sentences, short


def timed(searcher: Index, queries: list[str], **options: Any) -> tuple[list[float], int, list[float]]:
    """Seconds of each search, how many the budget stopped, and CPU seconds of each (steadier on a shared machine)."""
    from search.errors import QueryError, QueryTooSlow

    seconds: list[float] = []
    stopped = 0
    cpu: list[float] = []
    for text in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            try:
                searcher.search(text, limit=10, **options)
            except QueryError:
                searcher.search(text, limit=10, words_only=True, **options)
        except QueryTooSlow:
            stopped += 1
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return seconds, stopped, cpu


def cpu_with_workers() -> float:
    """CPU seconds of this process and of its children that ended (a build's workers)."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def updated_articles(corpus: Path, count: int) -> list[dict]:
    """``count`` articles: two thirds taken from the corpus and changed, a third new."""
    rng = random.Random(3)
    docs = []
    with open(corpus, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= 20_000:
                break
            if rng.random() < 0.1:
                docs.append(json.loads(line))
    docs = docs[:count]
    for i, doc in enumerate(docs):
        doc["text"] += "\n\nPembaruan: berita ini telah diperbarui oleh redaksi."
        if i % 3 == 2:
            doc["id"] = f"new{i:07d}"
    return docs


def main() -> None:
    args = _arguments()
    if args.decode_blocks:
        import search._whoosh.postings as postings

        postings.segment_arrays = lambda reader: None

    sentences, short = load_queries(args.indosum / "queries.tsv", args.queries)
    out: dict = {"index": str(args.index), "load": round(os.getloadavg()[0], 1), "decode_blocks": args.decode_blocks}
    searcher = opened(args.index, args.budget, out)
    time_searches(searcher, sentences, short, out)
    time_completions(searcher, short, out)
    out["memory_after_queries"] = memory_mb()
    if args.update:
        time_update(searcher, args, out)
    out["load_at_end"] = round(os.getloadavg()[0], 1)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for key, value in out.items():
        print(f"{key:26} {value}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--indosum", type=Path, default=SHARED / "eval" / "indosum")
    parser.add_argument("--update", type=Path, help="the corpus the index was built from: time an update of it")
    parser.add_argument("--update-count", type=int, default=1000)
    parser.add_argument("--update-by", choices=("add", "upsert"), default="add",
                        help="write the update as `cari add` does (worker processes), or as the write API does "
                             "(Index.upsert: this process alone)")
    parser.add_argument("--decode-blocks", action="store_true",
                        help="ignore the index's posting arrays and decode Whoosh's blocks, as before they existed")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="each search's budget in seconds (0: none, to see the CPU of those it would stop)")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def opened(index: Path, budget: float, out: dict) -> Index:
    """The index opened as a serving worker opens it, timed to the end of its first query."""
    from search import Index

    started, started_cpu = time.perf_counter(), time.process_time()
    searcher = Index(index, budget_seconds=budget or None)
    searcher.search("banjir jakarta")
    out["open_and_first_query_s"] = round(time.perf_counter() - started, 2)
    out["open_and_first_query_cpu_s"] = round(time.process_time() - started_cpu, 2)
    out["memory_after_open"] = memory_mb()
    return searcher


def time_searches(searcher: Index, sentences: list[str], short: list[str], out: dict) -> None:
    """The sentences (twice: the second with warm caches), the short queries by relevance, newest first and with
    facets, and browsing newest first."""
    for name, queries, options in (("sentences", sentences, {}), ("sentences_again", sentences, {}),
                                   ("words", short, {}), ("words_newest", short, {"sort": "newest"}),
                                   ("words_facets", short[:100], {"facets": True})):
        seconds, stopped, cpu = timed(searcher, queries, **options)
        out[name] = {"p50_ms": percentile(seconds, 0.5), "p99_ms": percentile(seconds, 0.99), "stopped": stopped,
                     "cpu_p50_ms": percentile(cpu, 0.5), "cpu_p99_ms": percentile(cpu, 0.99),
                     "cpu_max_ms": percentile(cpu, 1.0), "cpu_over_2s": sum(c > 2 for c in cpu), "count": len(seconds)}
    browse, _, browse_cpu = timed(searcher, ["*"] * 20, sort="newest")
    out["browse_newest_p50_ms"] = percentile(browse, 0.5)
    out["browse_newest"] = {"p50_ms": percentile(browse, 0.5), "p99_ms": percentile(browse, 0.99),
                            "cpu_p50_ms": percentile(browse_cpu, 0.5), "cpu_p99_ms": percentile(browse_cpu, 0.99)}


def time_completions(searcher: Index, short: list[str], out: dict) -> None:
    """The first completion (its word list loaded), then every prefix of 2 letters or more of the short queries'
    words, as typed one letter at a time."""
    started = time.perf_counter()
    searcher.completions("ja")
    out["suggest_first_s"] = round(time.perf_counter() - started, 2)
    typed = [w[:n] for w in " ".join(short[:100]).lower().split() for n in range(2, len(w) + 1)]
    seconds, cpu = [], []
    for prefix in typed:
        started, started_cpu = time.perf_counter(), time.process_time()
        searcher.completions(prefix)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    out["suggest"] = {"p50_ms": percentile(seconds, 0.5), "p99_ms": percentile(seconds, 0.99), "count": len(seconds),
                      "cpu_p50_ms": percentile(cpu, 0.5), "cpu_p99_ms": percentile(cpu, 0.99)}


def time_update(searcher: Index, args: argparse.Namespace, out: dict) -> None:
    """An update of ``--update-count`` articles of the corpus, as ``cari add`` or the write API writes it, and the
    first search after it (the new generation opened)."""
    from search import given_article
    from search.index.build import build_index

    docs = updated_articles(args.update, args.update_count)
    path = args.index.parent / f"update-{os.getpid()}.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    started, started_cpu = time.perf_counter(), cpu_with_workers()
    if args.update_by == "upsert":
        searcher.upsert([given_article(doc, "the update")[0] for doc in docs])
        out["update"] = f"{len(docs)} upserted by the write API's call"
    else:
        report = build_index([path], args.index, mode="add")
        out["update"] = f"{report.added} new, {report.changed} changed of {len(docs)}"
    out["update_s"] = round(time.perf_counter() - started, 2)
    out["update_cpu_s"] = round(cpu_with_workers() - started_cpu, 2)
    path.unlink()
    started = time.perf_counter()
    searcher.search("banjir jakarta")
    out["reopen_after_write_s"] = round(time.perf_counter() - started, 2)
    out["memory_after_reopen"] = memory_mb()


if __name__ == "__main__":
    main()
