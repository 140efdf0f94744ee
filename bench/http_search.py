#!/usr/bin/env python3
"""The CPU one search costs a serving worker over HTTP: the page (/search) and the API (/api/search).

Usage:
    python -m bench.http_search --index IX [--queries 100] [--in-process [--profile FILE]] [--dump FILE] [--json]

The queries are IndoSum's summary sentences (a pasted headline or lead) and
1-3 word queries taken from them (as ``bench.scale`` makes them), each asked
of ``/search?q=`` (the HTML page, with its facets, timeline and tips) and of
``/api/search?q=`` (the JSON), one request at a time. By default they go to
the real ``cari serve --workers 1`` over HTTP, after its worker has opened the
index and finished checking it (``/healthz`` says ``checked``), and the CPU is
the worker's own (user+system from ``/proc``, over all the requests of a kind);
``--in-process`` asks the app of ``web.create_app`` through Flask's test client
in this process instead (its ``time.process_time``; ``--profile FILE`` writes a
cProfile of those requests, for ``python -m pstats``). Each kind is run once to
warm up (10 queries not measured), then measured, without the 2 s budget unless
``--budget`` sets one (every search ends, whatever the machine's load): CPU ms per request, and p50 and p99
of the wall time a request took (a shared machine's load shows in these, less in
the CPU). ``--dump FILE`` also writes what 200 searches answer (the API's JSON
without its ``took_ms``, and the page's HTML without its time), one JSON line
each, so that two versions of the code can be compared with ``diff``: sentences,
words, a publisher filter, newest first, a second page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import time
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.scale import SHARED, load_queries, percentile
from bench.serving import cari_serve

warnings.filterwarnings("ignore")
PATHS = ("/search", "/api/search")
WARM = 10  # requests of each kind not measured
CLOCK = os.sysconf("SC_CLK_TCK")

Ask = Callable[[str], tuple[int, bytes]]  # a path with its query string -> (status, body)


def worker_pids() -> list[int]:
    """The processes started by the ``cari serve`` children of this process (gunicorn's workers)."""
    def children(pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text(encoding="ascii")
            found += [int(child) for child in text.split()]
        return found

    return [worker for server in children(os.getpid()) for worker in children(server)]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of ``pids`` so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK


@contextmanager
def over_http(index: Path) -> Iterator[tuple[Ask, Callable[[], float]]]:
    """``cari serve --workers 1`` over ``index``: (ask, the worker's CPU seconds), once it has checked the index."""
    with cari_serve(index, workers=1, warm_up=0) as url:
        host, port = urllib.parse.urlsplit(url).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=120)

        def ask(path: str) -> tuple[int, bytes]:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()

        while True:  # the worker opens the index, then checks its files in the background
            try:
                status, body = ask("/healthz")
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                status, body = 0, b""
            if status == 200 and json.loads(body).get("checksums") == "checked":
                break
            time.sleep(1)
        pids = worker_pids()
        yield ask, lambda: cpu_seconds(pids)
        connection.close()


@contextmanager
def in_process(index: Path) -> Iterator[tuple[Ask, Callable[[], float]]]:
    """The app of ``web.create_app`` over ``index``, asked through Flask's test client in this process."""
    from web.app import create_app

    client = create_app({"INDEX_DIR": str(index)}).test_client()

    def ask(path: str) -> tuple[int, bytes]:
        response = client.get(path)
        return response.status_code, response.data

    ask("/search?q=banjir")  # the index opened and warm, as a worker's is
    yield ask, time.process_time


def measured(ask: Ask, cpu: Callable[[], float], path: str, queries: list[str]) -> dict:
    """CPU ms per request and the wall p50/p99 of ``queries`` asked of ``path`` (10 more first, to warm up)."""
    for text in queries[-WARM:]:
        ask(f"{path}?q={urllib.parse.quote(text)}")
    measure = queries[:-WARM]
    walls: list[float] = []
    statuses: dict[int, int] = {}
    started = cpu()
    for text in measure:
        began = time.perf_counter()
        status, _ = ask(f"{path}?q={urllib.parse.quote(text)}")
        walls.append(time.perf_counter() - began)
        statuses[status] = statuses.get(status, 0) + 1
    spent = cpu() - started
    return {"requests": len(measure), "cpu_ms_per_request": round(spent / len(measure) * 1000, 1),
            "p50_ms": percentile(walls, 0.5), "p99_ms": percentile(walls, 0.99),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def dump_requests(sentences: list[str], short: list[str], sources: list[str]) -> list[str]:
    """200 searches (path and query string) whose answers are compared between two versions."""
    asked = []
    for i, text in enumerate(sentences[:50] + short[:50]):
        args: dict[str, str] = {"q": text}
        if i % 5 == 1 and sources:
            args["source"] = sources[i % len(sources)]
        elif i % 5 == 2:
            args["sort"] = "newest"
        elif i % 5 == 3:
            args["page"] = "2"
        asked += [f"{path}?{urllib.parse.urlencode(args)}" for path in PATHS]
    return asked


def dump(ask: Ask, asked: list[str], out: Path) -> None:
    """What each of ``asked`` answers, one JSON line each, without the time it took."""
    with open(out, "w", encoding="utf-8") as f:
        for path in asked:
            status, body = ask(path)
            if path.startswith("/api/"):
                answer = json.loads(body)
                answer.pop("took_ms", None)
            else:
                answer = re.sub(r'<span class="took">[^<]*</span>', "", body.decode("utf-8"))
            f.write(json.dumps({"path": path, "status": status, "answer": answer}, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=100, help="queries of each kind (sentences, words)")
    parser.add_argument("--indosum", type=Path, default=SHARED / "eval" / "indosum")
    parser.add_argument("--in-process", action="store_true", help="the app in this process (test client)")
    parser.add_argument("--profile", type=Path, help="with --in-process: a cProfile of the measured requests")
    parser.add_argument("--dump", type=Path, help="write the answers of 200 searches here (JSON lines)")
    parser.add_argument("--budget", default="none",
                        help="the searches' budget ($CARI_SEARCH_BUDGET): none (the default) lets every search end, "
                             "so that two versions do the same work and their answers can be compared")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ["CARI_SEARCH_BUDGET"] = args.budget  # read by the app, in this process or in cari serve
    sentences, short = load_queries(args.indosum / "queries.tsv", args.queries + WARM)
    opened = in_process(args.index) if args.in_process else over_http(args.index)
    profile = None
    if args.profile is not None:
        import cProfile

        profile = cProfile.Profile()
    figures: dict = {"index": str(args.index), "mode": "in-process" if args.in_process else "cari serve --workers 1",
                     "load_before": os.getloadavg()[0]}
    with opened as (ask, cpu):
        if args.dump is not None:
            status, body = ask("/api/search?q=banjir&limit=1")  # the largest publishers, for the filter
            names = list(json.loads(body).get("facets", {}).get("source", {})) if status == 200 else []
            dump(ask, dump_requests(sentences, short, names[:3]), args.dump)
        if profile is not None:
            profile.enable()
        for kind, queries in (("sentences", sentences), ("words", short)):
            for path in PATHS:
                figures[f"{path} {kind}"] = measured(ask, cpu, path, queries)
        if profile is not None:
            profile.disable()
            profile.dump_stats(args.profile)
    figures["load_after"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{figures['mode']} over {args.index}; load {figures['load_before']:.1f} before, "
          f"{figures['load_after']:.1f} after")
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{key:<24} {value['requests']:>4} requests  CPU {value['cpu_ms_per_request']:>6} ms/request  "
                  f"p50 {value['p50_ms']:>6} ms  p99 {value['p99_ms']:>6} ms  {value['statuses']}")


if __name__ == "__main__":
    main()
