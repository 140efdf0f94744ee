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
articles, and reports how long the first and the tenth took: what a reader
waits, whichever worker answers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import urllib.parse
import urllib.request
from pathlib import Path

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


def serve_rounds(args) -> None:
    """The rounds against ``cari serve --workers N``: POST, then search until 10 in a row find the batch."""
    with cari_serve(args.index, args.serve, key=KEY, warm_up=args.warm_up) as url:
        posts, first, tenth, written, cpu = [], [], [], [], []
        for round_number in range(args.rounds):
            word, lines = batch_of(round_number, args.batch)
            cpu_before = server_cpu(args.index)
            started = time.perf_counter()
            request = urllib.request.Request(f"{url}/api/documents", data=lines.encode(), method="POST", headers={
                "Authorization": f"Bearer {KEY}", "Content-Type": "application/x-ndjson"})
            with urllib.request.urlopen(request, timeout=60) as response:
                written += json.load(response)["upserted"]
            posts.append(time.perf_counter() - started)
            in_a_row = 0
            while in_a_row < 10:
                query = urllib.parse.urlencode({"q": word})
                with urllib.request.urlopen(f"{url}/api/search?{query}", timeout=60) as response:
                    found = json.load(response)["total"] == args.batch
                in_a_row = in_a_row + 1 if found else 0
                if found and in_a_row == 1:
                    first.append(time.perf_counter() - started)
            tenth.append(time.perf_counter() - started)
            cpu_after = server_cpu(args.index)
            cpu.append((cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]))
            print(f"round {round_number}: POST {posts[-1]:.2f} s, first {first[-1]:.2f} s, 10th {tenth[-1]:.2f} s; "
                  f"CPU the writer {cpu[-1][0]:.2f} s, the server's processes {cpu[-1][1]:.2f} s", flush=True)
        deletes, delete_cpu = [], []
        for doc_id in written:
            request = urllib.request.Request(f"{url}/api/documents/{urllib.parse.quote(doc_id)}", method="DELETE",
                                             headers={"Authorization": f"Bearer {KEY}"})
            cpu_before = server_cpu(args.index)
            started = time.perf_counter()
            urllib.request.urlopen(request, timeout=60).close()
            deletes.append(time.perf_counter() - started)
            delete_cpu.append(server_cpu(args.index)[0] - cpu_before[0])
    print(f"cari serve --workers {args.serve}; {args.rounds} POSTs of {args.batch} article(s), from the POST's start")
    print(f"POST returned    median {statistics.median(posts):.2f} s, max {max(posts):.2f} s")
    print(f"first search finding them    median {statistics.median(first):.2f} s, max {max(first):.2f} s")
    print(f"10th search in a row finding them    median {statistics.median(tenth):.2f} s, max {max(tenth):.2f} s")
    print(f"DELETE of one article    median {statistics.median(deletes):.2f} s, max {max(deletes):.2f} s; "
          f"the writer's CPU median {statistics.median(delete_cpu):.2f} s")
    print(f"CPU from a POST to the 10th search: the writer median {statistics.median(c[0] for c in cpu):.2f} s, "
          f"all the server's processes {statistics.median(c[1] for c in cpu):.2f} s")


if __name__ == "__main__":
    main()
