#!/usr/bin/env python3
"""A serving worker's memory: ``cari serve --workers N`` on an index built earlier, after real queries.

Usage:
    python -m bench.worker_memory --index IX [--workers 2] [--queries 300] [--clients 2] [--warm-up 30]

It starts the real ``cari serve --workers N`` over ``IX`` (read only: no write
API), then ``--clients`` threads send what ``bench.scale`` searches, over HTTP:
IndoSum's summary sentences, the 1-3 word queries cut from them, the same
newest first, and the completions of every prefix a reader types of the first
100 word queries (each search of ``/api/search`` counts the facets and the
timeline too). Then it reads ``/proc/PID/smaps_rollup`` of the server's
processes: for each worker its resident memory (RSS: every page it maps,
the index files' pages included), its proportional set size (PSS: each page
shared by K processes counted 1/K in each, so the workers' PSS sum to what
they hold together) and its anonymous memory (its own: caches, arrays, Python
objects). Also the requests' wall times and errors (a search past the 2 s
budget answers 503), and each process's CPU seconds while they ran. The first
process listed is gunicorn's arbiter, the others its workers.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.scale import SHARED, load_queries, percentile
from bench.serving import cari_serve


def rollup(pid: int) -> dict[str, int]:
    """Rss, Pss and Anonymous of a process, MB (1,048,576 bytes)."""
    found = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as lines:
        for line in lines:
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss", "Anonymous"):
                found[key.lower()] = round(int(value.split()[0]) / 1024)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (``/proc/PID/stat``)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    """``root`` and every process under it (those that end while they are read are left out)."""
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    waiting += [int(child) for child in children.read().split()]
        except OSError:
            continue
        found.append(pid)
    return found


def requests_of(sentences: list[str], short: list[str]) -> list[tuple[str, str]]:
    """(kind, path) of every request, in the order bench.scale sends them."""
    search = "/api/search?"
    paths = [("sentences", search + urllib.parse.urlencode({"q": q})) for q in sentences]
    paths += [("words", search + urllib.parse.urlencode({"q": q})) for q in short]
    paths += [("words_newest", search + urllib.parse.urlencode({"q": q, "sort": "newest"})) for q in short]
    typed = [w[:n] for w in " ".join(short[:100]).lower().split() for n in range(2, len(w) + 1)]
    paths += [("suggest", "/api/suggest?" + urllib.parse.urlencode({"q": prefix})) for prefix in typed]
    return paths


def send(url: str, paths: list[tuple[str, str]], times: dict[str, list[float]], errors: list[str]) -> None:
    for kind, path in paths:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url + path, timeout=60) as response:
                response.read()
        except (urllib.error.URLError, OSError) as e:
            errors.append(f"{kind}: {e}")
        times.setdefault(kind, []).append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--warm-up", type=float, default=30, metavar="SECONDS",
                        help="seconds for the workers to open the index and warm up before the first request")
    parser.add_argument("--indosum", type=Path, default=SHARED / "eval" / "indosum")
    args = parser.parse_args()
    sentences, short = load_queries(args.indosum / "queries.tsv", args.queries)
    paths = requests_of(sentences, short)
    out: dict = {"index": str(args.index), "workers": args.workers, "load": round(os.getloadavg()[0], 1)}
    before = set(process_tree(os.getpid()))
    with cari_serve(args.index, args.workers, warm_up=args.warm_up) as url:
        server = [pid for pid in process_tree(os.getpid()) if pid not in before]
        out["after_warm_up"] = {pid: rollup(pid) for pid in server}
        cpu_before = {pid: cpu_seconds(pid) for pid in server}
        times: dict[str, list[float]] = {}
        errors: list[str] = []
        clients = [threading.Thread(target=send, args=(url, paths[i :: args.clients], times, errors))
                   for i in range(args.clients)]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        out["requests_s"] = round(time.perf_counter() - started, 1)
        out["latency_ms"] = {kind: {"p50": percentile(values, 0.5), "p99": percentile(values, 0.99),
                                    "count": len(values)} for kind, values in times.items()}
        out["errors"] = len(errors)
        out["first_errors"] = errors[:5]
        out["after_requests"] = {pid: rollup(pid) for pid in process_tree(server[0])}
        out["cpu_s_during_requests"] = {pid: round(cpu_seconds(pid) - cpu_before.get(pid, 0), 2)
                                        for pid in process_tree(server[0])}
        out["load_at_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
