#!/usr/bin/env python3
"""Cari against the straightforward Whoosh + Sastrawi baseline, in one run, on one machine.

Usage:
    python -m bench.baseline                      # IndoSum, then 100,000 synthetic articles
    python -m bench.baseline --docs 10000         # a quick run
    python -m bench.baseline --docs 0             # IndoSum only

The baseline is ``run_whoosh`` of ``peers.py`` (Whoosh, RegexTokenizer, Sastrawi
with an unbounded stem cache), imported from --peers, never a copy. Each engine
runs in its own process so that peak memory is its own. Cari is measured
through its public API: ``build_index`` (default workers) and
``Index.search`` (a page of 10 results with snippets). The machine is
shared, so compare the ratios, which come from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.peers import load_peers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"  # ../shared beside the repository


def read_lines(path: Path) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


def peak_mb() -> tuple[float, float]:
    """Peak RSS in MB of this process and of its largest child (a worker).

    VmHWM, not ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a
    child would report the bench's own peak (reading the corpus) as its own.
    """
    own = float("nan")
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def load_queries(path: Path, count: int, seed: int = 7) -> tuple[list, list]:
    """Sentence queries, and 1-3 word queries taken from them."""
    sentences = [line.split("\t", 1) for line in read_lines(path) if "\t" in line]
    sentences = sentences[:count] if count else sentences
    rng = random.Random(seed)
    short = []
    for qid, text in sentences:
        words = [w for w in re.findall(r"[A-Za-z]{4,}", text)]
        if words:
            start = rng.randrange(len(words))
            short.append((qid + "s", " ".join(words[start : start + rng.randint(1, 3)])))
    return sentences, short


def run_baseline(docs_path: Path, queries: list, peers: Path) -> dict:
    module: Any = load_peers(peers)  # loaded by file: mypy cannot see its names, and one is replaced below
    clock = Clock()
    module.time = clock  # run_whoosh times itself with time.perf_counter(); record CPU time too
    docs = [json.loads(line) for line in read_lines(docs_path) if line.strip()]
    seconds, _, latencies = module.run_whoosh(docs, queries, 10, module.Sastrawi())
    cpu = clock.cpu[1] - clock.cpu[0]  # the first two readings bracket the indexing
    return {"docs": len(docs), "index_s": seconds, "index_cpu": cpu, "latencies": latencies, "peak": peak_mb()}


class Clock:
    """Stands in for the ``time`` module: wall time as asked, CPU time on the side."""

    def __init__(self) -> None:
        self.cpu: list[float] = []

    def perf_counter(self) -> float:
        self.cpu.append(cpu_seconds())
        return time.perf_counter()


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the indexing workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_cari(docs_path: Path, queries: list, workdir: Path, update_path: Path | None) -> dict:
    import warnings

    warnings.simplefilter("ignore")
    from search.index import generations
    from search.index.build import build_index

    index_dir = workdir / f"cari-{docs_path.stem}"
    started, cpu = time.perf_counter(), cpu_seconds()
    report = build_index([docs_path], index_dir, full=True)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    peak = peak_mb()
    generation = generations.live_generation(index_dir)
    size = sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
    latencies = query_latencies(index_dir, queries)
    result = {"docs": report.indexed, "index_s": seconds, "index_cpu": cpu, "latencies": latencies, "peak": peak, "size": size}
    if update_path:
        started = time.perf_counter()
        update = build_index([update_path], index_dir)
        result["update_s"] = time.perf_counter() - started
        result["update"] = f"{update.added} new, {update.changed} changed, {update.removed} removed"
    return result


def query_latencies(index_dir: Path, queries: list, cpu: list | None = None) -> list[float]:
    """Seconds of ``Index.search`` (a page of 10 with snippets) for each query, in order.

    With ``cpu``, each query's CPU seconds are appended to it as well: on a
    shared machine they move less than wall time.
    """
    from search import Index
    from search.errors import QueryError

    searcher = Index(index_dir)
    searcher.search("warmup")  # opens the index; a server does this once
    latencies = []
    for _, text in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            searcher.search(text, limit=10)
        except QueryError:
            searcher.search(text, limit=10, words_only=True)
        latencies.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - started_cpu)
    searcher.close()
    return latencies


def latency_run(index_dir: Path, queries_path: Path, count: int) -> list[str]:
    """Cari's query latency on an index built earlier (``--index``), without building anything."""
    sentences, short = load_queries(queries_path, count)
    cpu: list[float] = []
    wall = query_latencies(index_dir, sentences + short, cpu)
    rows = [f"\nqueries on {index_dir} (Cari only, load {os.getloadavg()[0]:.1f})", f"{'':28} {'p50 ms':>10} {'p99 ms':>10}"]
    for label, times in (("wall", wall), ("CPU", cpu)):
        for kind, part in (("sentence", times[: len(sentences)]), ("1-3 words", times[len(sentences) :])):
            rows.append(f"{kind + ' query, ' + label:28} {percentile(part, 0.5):10.1f} {percentile(part, 0.99):10.1f}")
    return rows


def make_update(docs_path: Path, out: Path, count: int) -> None:
    """A copy of the corpus with ``count`` articles changed, added or removed (a third each)."""
    lines = read_lines(docs_path)
    count = min(count, len(lines))  # --docs under 1,000: a third of the corpus changed, a third added, a third removed
    third = max(1, count // 3)
    rng = random.Random(3)
    for i in rng.sample(range(len(lines)), third):  # changed
        doc = json.loads(lines[i])
        doc["text"] += "\n\nPembaruan: berita ini telah diperbarui oleh redaksi."
        lines[i] = json.dumps(doc, ensure_ascii=False)
    for i in range(count - 2 * third):  # added
        doc = json.loads(lines[rng.randrange(len(lines))])
        doc["id"] = f"new{i:06d}"
        lines.append(json.dumps(doc, ensure_ascii=False))
    del lines[:third]  # removed
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def child(args: argparse.Namespace) -> None:
    """Run one engine (in its own process) and print its numbers as JSON."""
    queries = json.loads(Path(args.queries_json).read_text(encoding="utf-8"))
    workdir = Path(args.workdir)
    if args.engine == "whoosh":
        result = run_baseline(Path(args.docs), queries, Path(args.peers))
    else:
        update = Path(args.update) if args.update else None
        result = run_cari(Path(args.docs), queries, workdir, update)
    print(json.dumps(result))


def measure(engine: str, docs: Path, queries: list, workdir: Path, args: argparse.Namespace,
            update: Path | None = None) -> dict:
    qfile = workdir / "queries.json"
    qfile.write_text(json.dumps(queries), encoding="utf-8")
    command = [sys.executable, "-m", "bench.baseline", "--child", engine, "--docs-path", str(docs), "--queries-json", str(qfile),
               "--workdir", str(workdir), "--peers", str(args.peers), *(["--update", str(update)] if update else [])]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def startup_seconds(workdir: Path, runs: int = 10) -> float:
    """Median wall time of ``cari search`` on the seed index, process start to output."""
    index = workdir / "seed-index"
    cari = [str(Path(sys.executable).parent / "cari")]  # the installed console script
    subprocess.run(cari + ["rebuild-index", str(ROOT / "seeds"), "--index", str(index), "-q"], check=True,
                   capture_output=True, cwd=ROOT)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cari + ["search", "mengusir", "--index", str(index)], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report(name: str, base: dict, cari: dict, split: int) -> list[str]:
    """Table rows for one corpus: absolute numbers and Cari/baseline ratios."""
    def rate(r: dict) -> float:
        return r["docs"] / r["index_s"]

    rows = [f"\n{name}: {cari['docs']:,} articles",
            f"{'':28} {'baseline':>10} {'Cari':>10} {'ratio':>8}",
            f"{'index docs/s':28} {rate(base):10.0f} {rate(cari):10.0f} {rate(cari) / rate(base):7.1f}x",
            f"{'index seconds':28} {base['index_s']:10.1f} {cari['index_s']:10.1f}",
            f"{'index CPU seconds (all procs)':28} {base.get('index_cpu', float('nan')):10.1f} {cari['index_cpu']:10.1f}",
            (f"{'docs/s per CPU-second':28} {base['docs'] / base.get('index_cpu', float('nan')):10.0f} "
             f"{cari['docs'] / cari['index_cpu']:10.0f}"),
            f"{'peak MB (main / worker)':28} {base['peak'][0]:10.0f} {cari['peak'][0]:5.0f} /{cari['peak'][1]:4.0f}"]
    for label, lo, hi in (("sentence", 0, split), ("1-3 words", split, None)):
        b, c = base["latencies"][lo:hi], cari["latencies"][lo:hi]
        for p in (0.5, 0.99):
            rows.append(f"{label + f' query p{int(p * 100)} ms':28} {percentile(b, p):10.1f} {percentile(c, p):10.1f} "
                        f"{percentile(b, p) / percentile(c, p):7.1f}x faster")
    rows.append(f"{'Cari index MB / 1,000 docs':28} {'':10} {cari['size'] / cari['docs'] * 1000 / 1e6:10.2f}")
    if "update_s" in cari:
        rows.append(f"{'Cari update seconds':28} {'':10} {cari['update_s']:10.1f}  ({cari['update']})")
    return rows


def index_rounds(docs: Path, workdir: Path, args: argparse.Namespace, rounds: int, base: dict, cari: dict) -> None:
    """Index ``docs`` again with each engine, in turn, and keep the median times.

    This VM's CPU speed drifts by up to 1.8x within minutes, and one run
    measures the two engines a minute apart: alternating them and taking
    the medians compares them at the same moments.
    """
    for result in (base, cari):
        result["rounds"], result["cpu_rounds"] = [result["index_s"]], [result.get("index_cpu", float("nan"))]
    for _ in range(rounds - 1):
        for engine, result in (("whoosh", base), ("cari", cari)):
            again = measure(engine, docs, [], workdir, args)
            result["rounds"].append(again["index_s"])
            result["cpu_rounds"].append(again.get("index_cpu", float("nan")))
    for result in (base, cari):
        result["index_s"], result["index_cpu"] = statistics.median(result["rounds"]), statistics.median(result["cpu_rounds"])


def corpus_run(name: str, docs: Path, queries: Path, args: argparse.Namespace, workdir: Path, update_count: int) -> list[str]:
    sentences, short = load_queries(queries, args.queries)
    update = None
    if update_count:
        update = workdir / "updated.jsonl"
        make_update(docs, update, update_count)
    cari = measure("cari", docs, sentences + short, workdir, args, update)
    print(f"  {name}: Cari done in {cari['index_s']:.0f} s", file=sys.stderr, flush=True)
    if name != "IndoSum" and args.cari_only:
        base: dict[str, Any] = {"docs": 1, "index_s": float("nan"), "latencies": [], "peak": (float("nan"), 0)}
    else:
        base = measure("whoosh", docs, sentences + short, workdir, args)
    rounds = args.index_rounds if name == "IndoSum" else 1
    if rounds > 1:
        index_rounds(docs, workdir, args, rounds, base, cari)
    rows = report(name, base, cari, len(sentences))
    if rounds > 1:
        rows.append(f"{'index seconds, each round':28} {' '.join(f'{s:.1f}' for s in base['rounds']):>10}  "
                    f"Cari {' '.join(f'{s:.1f}' for s in cari['rounds'])}  (medians above)")
    raw = sum(len(d.get("text", "")) + len(d.get("title", "")) for d in map(json.loads, read_lines(docs)))
    rows.append(f"{'raw text MB / 1,000 docs':28} {'':10} {raw / cari['docs'] * 1000 / 1e6:10.2f}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000, help="size of the synthetic corpus (0: skip it)")
    parser.add_argument("--corpus", type=Path, help="reuse this synthetic corpus instead of making one")
    parser.add_argument("--queries", type=int, default=500, help="sentence queries on the synthetic corpus")
    parser.add_argument("--indosum", type=Path, default=SHARED / "eval" / "indosum")
    parser.add_argument("--peers", type=Path, default=SHARED / "peers" / "peers.py")
    parser.add_argument("--skip-indosum", action="store_true", help="only the synthetic corpus")
    parser.add_argument("--cari-only", action="store_true", help="skip the baseline on the synthetic corpus")
    parser.add_argument("--index", type=Path, help="only time Cari's queries on this existing index")
    parser.add_argument("--index-rounds", type=int, default=5,
                        help="times each engine indexes IndoSum, in turn (the medians are reported)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--docs-path", help=argparse.SUPPRESS)
    parser.add_argument("--queries-json", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--update", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.engine, args.docs = args.child, args.docs_path
        return child(args)
    if args.index:
        return print("\n".join(latency_run(args.index, args.indosum / "queries.tsv", args.queries)))
    workdir = Path(tempfile.mkdtemp(prefix="cari-bench-"))
    try:
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}")
        print(f"CLI start to printed results (seed index, median of 10): {startup_seconds(workdir):.2f} s")
        indosum = args.indosum
        queries_all = args.queries
        args.queries = 0
        if not args.skip_indosum:
            for row in corpus_run("IndoSum", indosum / "docs.jsonl", indosum / "queries.tsv", args, workdir, 0):
                print(row, flush=True)
        args.queries = queries_all
        if args.docs:
            corpus = args.corpus
            if corpus is None:
                corpus = workdir / "corpus.jsonl"
                subprocess.run([sys.executable, str(args.peers.parent / "make_corpus.py"), str(args.docs), str(corpus)],
                               check=True)
            for row in corpus_run("Synthetic", corpus, indosum / "queries.tsv", args, workdir, 1000):
                print(row, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
