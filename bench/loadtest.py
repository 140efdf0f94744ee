#!/usr/bin/env python3
"""Load test: concurrent clients against a running `cari serve`, with a rebuild in the middle.

Usage:
    python -m bench.loadtest [--clients 8] [--seconds 60] [--rebuild-at 20] [--workers 1,2]
                             [--docs ../shared/eval/indosum/docs.jsonl] [--no-worst]

It builds an index of --docs in a temporary folder, starts
`cari serve` on a free port, and during the run starts `cari rebuild-index`
on the same index, so searches must keep answering while the index is
rebuilt and swapped. Queries are a shuffled mix of the real queries in
../shared/eval/*/queries.tsv, sent to /api/search. Prints requests/s,
p50/p99 latency, the queries rejected with HTTP 400 (a few of the real queries
have an unbalanced quote or parenthesis: the API's right answer is a message)
and the error count (anything else but HTTP 200), which must be 0.

Beside the clients of real queries, one client sends the worst queries
(``*``, ``pe*``, a long OR chain, a date sort of a common word): its answers
within the time budget and its 503s (over budget) are counted apart, and
the plain clients' latency is what they got while it ran. With
``--workers 1,2`` the whole run is repeated for each number of ``cari serve``
workers, and the throughput ratio printed (one machine, one run).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def load_queries() -> list[str]:
    queries = []
    for path in sorted((SHARED / "eval").glob("*/queries.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                queries.append(line.split("\t", 1)[1])
    random.Random(1).shuffle(queries)
    return queries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its children (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(stat[11]) + int(stat[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pids.extend(map(int, children))
    return total


def wait_until_up(host: str, port: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {host}:{port} did not start")


def wait_for_workers(server: subprocess.Popen[str], workers: int) -> None:
    """Wait until each of ``workers`` has opened the index (its "MB resident" line), then drain the log.

    The socket listens before the workers have started: a request sent then
    would time the server's start, not its serving.
    """
    log = server.stderr
    assert log is not None  # started with stderr=PIPE
    ready = 0
    for line in log:
        if "MB resident" in line:
            ready += 1
            if ready == workers:
                break
    threading.Thread(target=log.read, daemon=True).start()


WORST = [{"q": "*"}, {"q": "pe*"}, {"q": " OR ".join(["rusia", "ukraina", "jakarta", "presiden", "pemerintah"] * 16)},
         {"q": "yang", "sort": "date"}, {"q": "pe* ke* di*"}]


Latency = tuple[float, float, str]  # seconds taken, when it was sent (perf_counter), the query
Error = tuple[int | str, str]  # the HTTP status or the exception's name, the query's start


def client(host: str, port: int, queries: list[str] | list[dict[str, str]], stop_at: float, latencies: list[Latency],
           errors: list[Error], lock: threading.Lock, offset: int) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    i = offset
    while time.perf_counter() < stop_at:
        q = queries[i % len(queries)]
        i += 1
        params = q if isinstance(q, dict) else {"q": q[:500]}
        path = "/api/search?" + urllib.parse.urlencode(params)
        q = params["q"]
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status: int | str = response.status
        except (OSError, http.client.HTTPException) as e:
            status = type(e).__name__
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append((elapsed, started, q))
            if status != 200:  # 400 is counted apart: the query's syntax, reported to the user
                errors.append((status, q[:80]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rebuild-at", type=float, default=20, help="seconds into the run (negative: no rebuild)")
    ap.add_argument("--docs", default=str(SHARED / "eval" / "indosum" / "docs.jsonl"))
    ap.add_argument("--workers", default="1,2", help="cari serve --workers, one run each (comma-separated)")
    ap.add_argument("--no-worst", action="store_true", help="leave out the client of worst queries")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="cari-load-")
    index = Path(workdir) / "index"
    print(f"building the index of {args.docs} ...", flush=True)
    subprocess.run([*CARI, "rebuild-index", args.docs, "--index", str(index), "-q"], check=True)
    reports = [run(args, index, int(n)) for n in args.workers.split(",")]
    for report in reports:
        print(json.dumps(report, indent=2))
    if len(reports) > 1:
        ratio = reports[-1]["requests_per_s"] / max(reports[0]["requests_per_s"], 1e-9)
        print(f"throughput: {reports[-1]['workers']} workers / {reports[0]['workers']} = {ratio:.2f}x")
    sys.exit(1 if any(r["errors"] for r in reports) else 0)


CARI = [sys.executable, "-c", "from search.cli import cli; cli()"]


def run(args: argparse.Namespace, index: Path, workers: int) -> dict[str, Any]:
    """One run against ``cari serve --workers N``: the clients, the worst client, a rebuild in the middle."""
    queries = load_queries()
    host, port = "127.0.0.1", free_port()
    server = subprocess.Popen([*CARI, "serve", "--index", str(index), "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_until_up(host, port)
    wait_for_workers(server, workers)
    server_cpu = tree_cpu_seconds(server.pid)
    latencies: list[Latency] = []
    errors: list[Error] = []
    worst_latencies: list[Latency] = []
    worst_errors: list[Error] = []
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + args.seconds
    threads = [
        threading.Thread(target=client, args=(host, port, queries, stop_at, latencies, errors, lock, n * 997))
        for n in range(args.clients)
    ]
    if not args.no_worst:
        threads.append(threading.Thread(target=client, args=(host, port, WORST, stop_at, worst_latencies,
                                                             worst_errors, lock, 0)))
    for t in threads:
        t.start()
    rebuild_window = None
    try:
        if args.rebuild_at >= 0:
            time.sleep(max(0.0, args.rebuild_at))
            t0 = time.perf_counter() - started
            # --full: a complete rebuild into a new generation, swapped in while serving.
            rebuild = subprocess.run([*CARI, "rebuild-index", args.docs, "--index", str(index), "-q", "--full"],
                                     capture_output=True, text=True)
            rebuild_window = (t0, time.perf_counter() - started, rebuild.returncode)
        for t in threads:
            t.join()
        server_cpu = tree_cpu_seconds(server.pid) - server_cpu
    finally:
        server.terminate()
        server.wait()
    took = time.perf_counter() - started
    figures = report(workers, args.clients, took, started, latencies, errors, worst_latencies, worst_errors,
                     rebuild_window)
    figures["server_cpu_ms_per_request"] = round(1000 * server_cpu / max(1, len(latencies) + len(worst_latencies)), 1)
    return figures


def percentile(values: list[float], fraction: float) -> float | None:
    values = sorted(values)
    return round(1000 * values[min(len(values) - 1, int(len(values) * fraction))], 1) if values else None


def timeline(latencies: list[Latency], started: float, step: float = 10.0) -> list[float | None]:
    """p99 of the plain queries sent in each ``step`` seconds of the run: shows a cold start or a swap."""
    buckets: dict[int, list[float]] = {}
    for elapsed, at, _ in latencies:
        buckets.setdefault(int((at - started) // step), []).append(elapsed)
    return [percentile(buckets[k], 0.99) for k in sorted(buckets)]


def report(workers: int, clients: int, took: float, started: float, latencies: list[Latency], errors: list[Error],
           worst_latencies: list[Latency], worst_errors: list[Error],
           rebuild_window: tuple[float, float, int] | None) -> dict[str, Any]:
    """The figures of one run; plain-query latency also split into during and outside the rebuild."""
    n = len(latencies)
    times = [elapsed for elapsed, _, _ in latencies]
    low, high = (started + rebuild_window[0], started + rebuild_window[1]) if rebuild_window else (0.0, -1.0)
    during = [elapsed for elapsed, at, _ in latencies if low <= at <= high]
    outside = [elapsed for elapsed, at, _ in latencies if not low <= at <= high]
    slowest = sorted(latencies, reverse=True)[:5]
    return {
        "workers": workers,
        "clients": clients,
        "seconds": round(took, 1),
        "requests": n,
        "requests_per_s": round(n / took, 1),
        "p50_ms": percentile(times, 0.5),
        "p99_ms": percentile(times, 0.99),
        "mean_ms": round(1000 * statistics.mean(times), 1) if n else None,
        "p99_ms_during_rebuild": percentile(during, 0.99),
        "p99_ms_outside_rebuild": percentile(outside, 0.99),
        "slowest": [[round(1000 * elapsed), q[:60]] for elapsed, _, q in slowest],
        "p99_ms_by_10s": timeline(latencies, started),
        "rejected_400": sum(1 for status, _ in errors if status == 400),
        "errors": sum(1 for status, _ in errors if status != 400),
        "error_statuses": sorted({str(status) for status, _ in errors if status != 400}),
        "worst_requests": len(worst_latencies),
        "worst_over_budget_503": sum(1 for status, _ in worst_errors if status == 503),
        "worst_other": sorted({str(status) for status, _ in worst_errors if status != 503}),
        "rebuild": None if not rebuild_window else
        {"from_s": round(rebuild_window[0], 1), "to_s": round(rebuild_window[1], 1), "exit": rebuild_window[2]},
    }


if __name__ == "__main__":
    main()
