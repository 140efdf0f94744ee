#!/usr/bin/env python3
"""The first write after `cari serve` starts: how long the first POST waits, and the writer's CPU for it.

Usage:
    python -m bench.first_write --index COPY --articles FILE.jsonl [--delay SECONDS] [--rounds 3] [--code DIR]

It WRITES to the index at COPY (articles of FILE under new ids ``first-write-*``; one of them removed
again): use a hard-link copy. It starts ``cari serve --workers 2`` with the write API on
(``$CARI_API_KEY``), and as soon as it listens (or ``--delay`` seconds later) POSTs ten articles of
FILE as JSON Lines, then ``--rounds`` - 1 more POSTs of ten, each as soon as the last returned, then a
DELETE of one. For each it prints the wall time and the writer process's CPU (user + system, from
/proc) for it and since the writer started: the first POST sent at once waits for the writer's
warm-up, so its CPU is the warm-up's and the write's. After the first POST it asks for one of its
articles (``/api/article/ID``, each request on a new connection, which either worker may take) until
ten in a row find it, and prints when the first of those ten was sent (from then on no worker missed
the write) and the CPU of each of the server's processes since the start (the workers', the writer's):
the work on the way to a write visible everywhere, comparable under any load. ``--code DIR`` runs the
server from another checkout of Cari (``git archive`` of another commit), to compare two commits on
copies of one index.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

KEY = "bench-key-0123456789abcdef"


def writer_pid(index: Path) -> int | None:
    """The writer process of the server over ``index``, if it runs."""
    wanted = str(index).encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"search.index.writer" in command and wanted in command:
                return int(entry.name)
    return None


def server_processes(index: Path) -> dict[int, str]:
    """pid -> "writer", "worker" or "master" of each process of the server over ``index``."""
    found = {}
    wanted = str(index).encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if wanted in command and b"search.index.writer" in command:
                found[int(entry.name)] = "writer"
            elif wanted in command and b"serve" in command:
                found[int(entry.name)] = "process" if parent == os.getpid() else "worker"
    return found


def cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--articles", type=Path, required=True, help="JSON Lines, ten articles a round")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between listening and the first POST")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", type=Path, help="the Cari checkout to serve with (default: the installed one)")
    args = parser.parse_args()
    index = args.index.resolve()
    with args.articles.open(encoding="utf-8") as lines:
        articles = [json.loads(line) for line, _ in zip(lines, range(10 * args.rounds), strict=False)]
    env = dict(os.environ, CARI_API_KEY=KEY)
    cwd = None
    if args.code is not None:
        env["PYTHONPATH"] = cwd = str(args.code.resolve())
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-c", "from search.cli import cli; cli()", "serve", "--index", str(index),
                               "--port", "0", "--workers", "2"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    try:
        url = next((line.split(" at ", 1)[1].split()[0].rstrip("/") for line in server.stdout if " at http://" in line),
                   None)
        if url is None:
            raise SystemExit(f"cari serve did not start (exit status {server.wait()})")
        threading.Thread(target=server.stdout.read, daemon=True).start()  # a full pipe would block the server
        print(f"listening after {time.perf_counter() - started:.1f} s, load {os.getloadavg()[0]:.1f}", flush=True)
        time.sleep(args.delay)
        rounds(url, index, articles, args.rounds, started)
    finally:
        server.terminate()
        server.wait()


def rounds(url: str, index: Path, articles: list[dict], count: int, started: float) -> None:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/x-ndjson"}
    ids = []
    for number in range(count):
        batch = [{**article, "id": f"first-write-{number}-{n}"} for n, article in enumerate(articles[number * 10:][:10])]
        ids += [article["id"] for article in batch]
        body = "\n".join(json.dumps(article, ensure_ascii=False) for article in batch).encode()
        pid = writer_pid(index)
        before, sent = cpu_seconds(pid), time.perf_counter()
        request = urllib.request.Request(f"{url}/api/documents", data=body, method="POST", headers=headers)
        urllib.request.urlopen(request, timeout=900).close()
        took = time.perf_counter() - sent
        after = cpu_seconds(pid or writer_pid(index))
        print(f"POST {number} of 10, sent {sent - started:.1f} s after the start: returned in {took:.2f} s, the "
              f"writer's CPU {after - before:.2f} s (since it started {after:.2f} s), load {os.getloadavg()[0]:.1f}",
              flush=True)
        if number == 0:
            everywhere(url, index, batch[0]["id"], sent, started)
    pid = writer_pid(index)
    before, sent = cpu_seconds(pid), time.perf_counter()
    request = urllib.request.Request(f"{url}/api/documents/{ids[0]}", method="DELETE", headers=headers)
    urllib.request.urlopen(request, timeout=900).close()
    print(f"DELETE of one: {time.perf_counter() - sent:.2f} s, the writer's CPU {cpu_seconds(pid) - before:.2f} s",
          flush=True)


def everywhere(url: str, index: Path, doc_id: str, sent: float, started: float) -> None:
    """Ask for ``doc_id`` until ten requests in a row find it; print when the first of them was sent, and the CPU
    of each of the server's processes then."""
    in_a_row, streak = 0, 0.0
    while in_a_row < 10:
        asked = time.perf_counter()
        try:
            urllib.request.urlopen(f"{url}/api/article/{urllib.parse.quote(doc_id)}", timeout=900).close()
            found = True
        except urllib.error.HTTPError as e:
            if e.code != 404:
                raise
            found = False
        in_a_row = in_a_row + 1 if found else 0
        if found and in_a_row == 1:
            streak = asked
    processes = server_processes(index)
    cpu = sorted(((kind, cpu_seconds(pid)) for pid, kind in processes.items()), key=lambda item: item[0])
    print(f"visible to every worker (ten requests in a row) from {streak - sent:.2f} s after the POST was sent "
          f"({streak - started:.2f} s after the start); the CPU since the start: "
          + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in cpu)
          + f", in all {sum(seconds for _, seconds in cpu):.2f} s", flush=True)


if __name__ == "__main__":
    main()
