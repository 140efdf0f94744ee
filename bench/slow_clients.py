#!/usr/bin/env python3
"""Slow clients against `cari serve`: do normal searches still answer while many connections dribble headers?

Usage:
    python -m bench.slow_clients --index DIR [--slow 200] [--workers 2] [--seconds 40] [--port 0]

It runs the real ``cari serve --workers N`` over the index at DIR (read
only), opens --slow connections that each send a request's headers one byte
every 2 s (and open a new connection when the server closes one, as an
attacker would), and meanwhile, once all are open, sends one normal search
(`/api/search?q=...`, a new connection each) every 0.25 s for --seconds.
It prints how many slow connections were open, how many the server closed
(408), and the normal searches' latencies: p50, p90, max, over 1 s, failed.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.serving import cari_serve

QUERIES = ["banjir jakarta", "harga minyak", "presiden jokowi", "gempa bumi", "pemilu 2019", "timnas indonesia"]
REQUEST = b"GET /api/search?q=lambat HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow-loris\r\nX-Pad: " + b"a" * 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=40)
    args = parser.parse_args()
    with cari_serve(args.index, args.workers) as url:
        host, port = url.split("//")[1].split(":")
        run(host, int(port), url, args)


def run(host: str, port: int, url: str, args: argparse.Namespace) -> None:
    stop = threading.Event()
    state = {"open": 0, "closed_by_server": 0, "refused": 0}
    slow = threading.Thread(target=dribble, args=(host, port, args.slow, stop, state), daemon=True)
    slow.start()
    time.sleep(3)  # every slow connection open and dribbling
    latencies: list[float] = []
    failed = 0
    end = time.monotonic() + args.seconds
    n = 0
    while time.monotonic() < end:
        query = urllib.parse.quote(QUERIES[n % len(QUERIES)])
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{url}/api/search?q={query}", timeout=30) as response:
                response.read()
            latencies.append(time.perf_counter() - started)
        except OSError:
            failed += 1
        n += 1
        time.sleep(0.25)
    open_at_end = state["open"]
    stop.set()
    slow.join(10)
    latencies.sort()
    print(f"cari serve --workers {args.workers}: {args.slow} slow connections (headers one byte every 2 s), "
          f"{args.seconds:.0f} s")
    print(f"slow connections open at the end: {open_at_end}; closed by the server: {state['closed_by_server']}; "
          f"refused: {state['refused']}")
    if latencies:
        p50, p90 = statistics.median(latencies), latencies[int(0.9 * (len(latencies) - 1))]
        print(f"normal searches: {len(latencies)} answered, {failed} failed; p50 {p50 * 1000:.0f} ms, "
              f"p90 {p90 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms, over 1 s: "
              f"{sum(t > 1 for t in latencies)}")
    else:
        print(f"normal searches: none answered, {failed} failed")


def dribble(host: str, port: int, count: int, stop: threading.Event, state: dict) -> None:
    """Keep ``count`` connections open, each sending one byte of REQUEST every 2 s; reopen any the server closes."""
    conns: list[list] = []  # [socket, bytes sent]

    def connect() -> list | None:
        try:
            sock = socket.create_connection((host, port), timeout=5)
            sock.setblocking(False)
            return [sock, 0]
        except OSError:
            state["refused"] += 1
            return None

    for _ in range(count):
        conn = connect()
        if conn:
            conns.append(conn)
    while not stop.is_set():
        for i, conn in enumerate(conns):
            sock, sent = conn
            try:
                if sock.recv(4096, socket.MSG_PEEK) == b"":  # closed by the server
                    raise ConnectionError
                sock.recv(65536)  # an answer (408): the server is done with it
                raise ConnectionError
            except BlockingIOError:
                pass  # still waiting for more of our headers: good
            except OSError:
                state["closed_by_server"] += 1
                sock.close()
                fresh = connect()
                if fresh:
                    conns[i] = fresh
                continue
            try:
                sock.send(REQUEST[sent % len(REQUEST): sent % len(REQUEST) + 1])
                conn[1] = sent + 1
            except OSError:
                pass
        state["open"] = len(conns)
        stop.wait(2)
    for sock, _ in conns:
        sock.close()


if __name__ == "__main__":
    main()
