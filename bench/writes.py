#!/usr/bin/env python3
"""Write API latency: how long until a POSTed article is searchable, on an existing index.

Usage:
    python -m bench.writes --index DIR [--rounds 5] [--batch 1] [--serve WORKERS [--warm-up SECONDS]]

It WRITES to the index at DIR (articles with ids ``bench-write-*``, removed
again at the end): use a copy or a bench index. Through the web app's test
client, each round posts --batch articles (JSON Lines) and times the request
(which returns once the new generation is live), then checks that a search
finds them and times a DELETE of one of them. A second app over the same
index stands for another worker: the time of its first search after each
write (it reopens the new generation) is the rest of the wait for a reader.

With ``--serve WORKERS`` it runs the real ``cari serve --workers WORKERS``
instead and posts over HTTP; after each POST it searches over new
connections (each may reach any worker) until 10 searches in a row find the
articles, and reports how long the first and the tenth took, and when the
first of those ten was sent: from then on no search missed the articles,
whichever worker answered (under load the ten searches themselves take
seconds, each waiting its turn behind the clients' searches).

``--clients N`` (with ``--serve``) makes the load itself, so that the figures do
not depend on what else runs on the machine: N clients search at full speed
(each sends its next query as soon as it has the last answer; the real
queries of ``../shared/eval/*/queries.tsv``) from the warm-up's end to the last
DELETE. Two clients a worker keep every worker busy all the time: a newsroom's
server at its peak. Their searches per second, latency and errors are reported.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from bench.loadtest import load_queries, percentile
from bench.serving import cari_serve

KEY = "bench-key-0123456789abcdef"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--serve", type=int, metavar="WORKERS", help="time a real `cari serve --workers WORKERS`")
    parser.add_argument("--warm-up", type=float, default=5.0, metavar="SECONDS",
                        help="with --serve: seconds for the workers and the writer to open the index before the first POST")
    parser.add_argument("--clients", type=int, default=0, metavar="N",
                        help="with --serve: N clients searching at full speed during the rounds (the load)")
    args = parser.parse_args()
    if args.serve:
        serve_rounds(args)
        return
    from web.app import create_app

    client = create_app({"INDEX_DIR": str(args.index), "API_KEY": KEY}).test_client()
    other = create_app({"INDEX_DIR": str(args.index)}).test_client()
    other.get("/healthz")
    reopens = []
    auth = {"Authorization": f"Bearer {KEY}"}
    documents = client.get("/healthz").get_json()["documents"]
    posts, deletes, written = [], [], []
    for round_number in range(args.rounds):
        word, lines = batch_of(round_number, args.batch)
        started = time.perf_counter()
        response = client.post("/api/documents", data=lines, headers={**auth, "Content-Type": "application/x-ndjson"})
        posts.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data(as_text=True)
        started = time.perf_counter()
        found = other.get("/api/search", query_string={"q": word}).get_json()["total"]
        reopens.append(time.perf_counter() - started)
        assert found == args.batch, f"{found} of {args.batch} searchable"
        written += response.get_json()["upserted"]
    for doc_id in written:
        started = time.perf_counter()
        assert client.delete(f"/api/documents/{doc_id}", headers=auth).status_code == 200
        deletes.append(time.perf_counter() - started)
    print(f"index of {documents} documents; {args.rounds} POSTs of {args.batch} article(s), searchable on return")
    print(f"POST  median {statistics.median(posts):.2f} s, max {max(posts):.2f} s")
    print(f"another worker's first search after it (reopening) median {statistics.median(reopens):.2f} s, "
          f"max {max(reopens):.2f} s")
    print(f"DELETE median {statistics.median(deletes):.2f} s, max {max(deletes):.2f} s")


def batch_of(round_number: int, size: int) -> tuple[str, str]:
    """(the word only this round's articles hold, their JSON Lines)."""
    word = f"benchtulis{round_number}x"
    lines = "\n".join(json.dumps({"id": f"bench-write-{round_number}-{n}", "title": f"Uji tulis {n}",
                                  "text": f"Artikel uji {word} nomor {n} untuk mengukur waktu tulis."})
                      for n in range(size))
    return word, lines


def server_cpu(index: Path) -> tuple[float, float]:
    """CPU seconds (user + system) so far of the processes serving ``index``: (its writer, all of them)."""
    writer = total = 0.0
    wanted = str(index).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if not any(wanted in part for part in command) or not any(b"serve" in p or b"writer" in p for p in command):
            continue
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        total += seconds
        if b"search.index.writer" in command:
            writer += seconds
    return writer, total


def serve_rounds(args: argparse.Namespace) -> None:
    """The rounds against ``cari serve --workers N``: POST, then search until 10 in a row find the batch."""
    with cari_serve(args.index, args.serve, key=KEY, warm_up=args.warm_up) as url, Load(url, args.clients) as load:
        rounds, written = [], []
        for round_number in range(args.rounds):
            done, ids = served_round(url, args.index, round_number, args.batch)
            rounds.append(done)
            written += ids
            print(f"round {round_number}: POST {done.post:.2f} s, first {done.first:.2f} s, none missed from "
                  f"{done.settled:.2f} s, 10th {done.tenth:.2f} s; "
                  f"CPU the writer {done.cpu[0]:.2f} s, the server's processes {done.cpu[1]:.2f} s", flush=True)
        deletes, delete_cpu = served_deletes(url, args.index, written)
    posts, first, settled, tenth = ([getattr(done, name) for done in rounds] for name in ("post", "first", "settled",
                                                                                            "tenth"))
    cpu = [done.cpu for done in rounds]
    print(f"cari serve --workers {args.serve}; {args.rounds} POSTs of {args.batch} article(s), from the POST's start")
    print(load.summary())
    print(f"POST returned    median {statistics.median(posts):.2f} s, max {max(posts):.2f} s")
    print(f"first search finding them    median {statistics.median(first):.2f} s, max {max(first):.2f} s")
    print(f"no search missing them from (the first of the last 10 in a row sent)    median "
          f"{statistics.median(settled):.2f} s, max {max(settled):.2f} s")
    print(f"10th search in a row finding them    median {statistics.median(tenth):.2f} s, max {max(tenth):.2f} s")
    print(f"DELETE of one article    median {statistics.median(deletes):.2f} s, max {max(deletes):.2f} s; "
          f"the writer's CPU median {statistics.median(delete_cpu):.2f} s")
    print(f"CPU from a POST to the 10th search: the writer median {statistics.median(c[0] for c in cpu):.2f} s, "
          f"all the server's processes {statistics.median(c[1] for c in cpu):.2f} s")


class Round(NamedTuple):
    """One round's seconds from its POST's start, and the server's CPU seconds over it (the writer's, all)."""

    post: float  # the POST returned
    first: float  # the first search finding the batch
    settled: float  # the first of the last 10 searches in a row finding it was sent
    tenth: float  # the 10th search in a row finding it
    cpu: tuple[float, float]


def served_round(url: str, index: Path, round_number: int, size: int) -> tuple[Round, list[str]]:
    """POST a batch of ``size``, then search over new connections until 10 in a row find it; the ids written."""
    word, lines = batch_of(round_number, size)
    cpu_before = server_cpu(index)
    started = time.perf_counter()
    request = urllib.request.Request(f"{url}/api/documents", data=lines.encode(), method="POST", headers={
        "Authorization": f"Bearer {KEY}", "Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=60) as response:
        written = json.load(response)["upserted"]
    post = time.perf_counter() - started
    in_a_row, found_first, streak = 0, None, 0.0
    while in_a_row < 10:
        query = urllib.parse.urlencode({"q": word})
        sent = time.perf_counter() - started
        with urllib.request.urlopen(f"{url}/api/search?{query}", timeout=60) as response:
            found = json.load(response)["total"] == size
        in_a_row = in_a_row + 1 if found else 0
        if found and found_first is None:
            found_first = time.perf_counter() - started
        if found and in_a_row == 1:
            streak = sent  # from here on no search missed them, whichever worker answered
    tenth = time.perf_counter() - started
    cpu_after = server_cpu(index)
    assert found_first is not None  # the loop ends on a search finding them
    return Round(post, found_first, streak, tenth, (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])), written


def served_deletes(url: str, index: Path, written: list[str]) -> tuple[list[float], list[float]]:
    """DELETE each article written, one request each: the seconds of each, and the writer's CPU seconds."""
    deletes, delete_cpu = [], []
    for doc_id in written:
        request = urllib.request.Request(f"{url}/api/documents/{urllib.parse.quote(doc_id)}", method="DELETE",
                                         headers={"Authorization": f"Bearer {KEY}"})
        cpu_before = server_cpu(index)
        started = time.perf_counter()
        urllib.request.urlopen(request, timeout=60).close()
        deletes.append(time.perf_counter() - started)
        delete_cpu.append(server_cpu(index)[0] - cpu_before[0])
    return deletes, delete_cpu


class Load:
    """``clients`` threads searching ``url`` at full speed (one keep-alive connection each) while the block runs."""

    def __init__(self, url: str, clients: int) -> None:
        self.address = urllib.parse.urlsplit(url).netloc
        self.clients = clients
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._search, args=(n,), daemon=True) for n in range(clients)]
        self.seconds = 0.0
        self.load = (0.0, 0.0)

    def __enter__(self) -> Load:
        self.started = time.perf_counter()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        self.seconds = time.perf_counter() - self.started
        self.load = os.getloadavg()[:2]

    def _search(self, offset: int) -> None:
        queries = load_queries()
        connection = http.client.HTTPConnection(self.address, timeout=60)
        at = offset * 997
        while not self.stop.is_set():
            path = "/api/search?" + urllib.parse.urlencode({"q": queries[at % len(queries)][:500]})
            at += 1
            started = time.perf_counter()
            status: int | str
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as e:
                status, connection = type(e).__name__, http.client.HTTPConnection(self.address, timeout=60)
            self.latencies.append(time.perf_counter() - started)
            if status not in (200, 400):  # 400: a real query with an unbalanced quote, answered with a message
                self.errors.append(str(status))

    def summary(self) -> str:
        if not self.clients:
            return f"no load of its own (load average {self.load[0]:.1f} / {self.load[1]:.1f} over 1 / 5 min)"
        done = len(self.latencies)
        return (f"load: {self.clients} clients searching at full speed: {done / self.seconds:.1f} searches/s, "
                f"p50 {percentile(self.latencies, 0.5)} ms, p99 {percentile(self.latencies, 0.99)} ms, "
                f"{len(self.errors)} errors {dict(Counter(self.errors))}; "
                f"load average {self.load[0]:.1f} / {self.load[1]:.1f} over 1 / 5 min")


if __name__ == "__main__":
    main()
