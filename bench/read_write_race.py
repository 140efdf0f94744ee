#!/usr/bin/env python3
"""Readers while writers swap generations: every read over HTTP must succeed, for minutes.

Usage:
    python -m bench.read_write_race --index DIR [--seconds 300] [--workers 2] [--readers 6] [--writers 3]

It WRITES to the index at DIR (articles ``race-*``, left there: use a
copy). It runs the
real ``cari serve --workers N`` with a write key; --writers clients each
POST an article every 0.2 s, while --readers clients each loop over the
reads a server answers (a search with a source filter and facets, the
article page, /api/stats, /healthz, /api/suggest, the search page, which
lists the sources). Every answer but a 200 (or a 404 for an article not
written yet) is an error; it prints the counts, the errors by kind, and how
many generations were left on disk at the end.
"""

from __future__ import annotations

import argparse
import collections
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.serving import cari_serve

KEY = "bench-key-0123456789abcdef"


SAMPLES: dict[str, str] = {}  # an answer's body, for each kind of error
BUSY: set[str] = set()  # the kinds of error that were SearchBusy's 503


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        kind, body = f"{e.code} {urllib.parse.urlsplit(url).path.split('/race-')[0]}", e.read()[:300].decode("utf-8", "replace")
        if e.code == 503 and ("busy" in body or "sibuk" in body):
            BUSY.add(kind)
        else:
            SAMPLES.setdefault(kind, body)
        return e.code
    except OSError as e:
        return -1 if "timed out" not in str(e) else -2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--writers", type=int, default=3)
    args = parser.parse_args()
    log: list[str] = []
    with cari_serve(args.index, args.workers, key=KEY, log=log) as url:
        counts = run(url, args)
    generations = sorted(p.name for p in args.index.glob("gen-*"))
    reads, writes, errors = counts["reads"], counts["writes"], counts["errors"]
    print(f"cari serve --workers {args.workers}; {args.readers} readers, {args.writers} writers (a POST every 0.2 s "
          f"each), {args.seconds:.0f} s")
    busy = sum(n for kind, n in errors["read"].items() if kind in BUSY)
    print(f"reads: {reads} answered, {sum(errors['read'].values()) - busy} errors {dict(errors['read'])}, "
          f"{busy} 503 'busy' (a search that could not start within its 2 s budget: overload, with Retry-After)")
    print(f"writes: {writes} acknowledged, {sum(errors['write'].values())} errors {dict(errors['write'])}")
    print(f"tracebacks in the server's log: {sum('Traceback' in line for line in log)}; "
          f"'damaged' in the log: {sum('damaged' in line for line in log)}")
    print(f"generations on disk at the end: {len(generations)}")
    for kind, body in SAMPLES.items():
        print(f"  e.g. {kind}: {body}")
    for line in log:
        if "damaged" in line or "Error" in line:
            print("  log:", line.rstrip()[:300])


def run(url: str, args: argparse.Namespace) -> dict:
    traffic = Traffic(url, time.monotonic() + args.seconds)
    threads = [threading.Thread(target=traffic.read, args=(n,)) for n in range(args.readers)]
    threads += [threading.Thread(target=traffic.write, args=(f"w{n}",)) for n in range(args.writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**traffic.totals, "errors": traffic.errors}


class Traffic:
    """The readers' and the writers' loops against the server at ``url`` until ``stop``, and what they counted."""

    READS = ("/api/search?q=banjir+jakarta&source=antaranews&facets=1", "/api/suggest?q=banj", "/api/stats",
             "/healthz", "/search?q=harga+minyak", "/api/search?q=pemilu&sort=newest")

    def __init__(self, url: str, stop: float) -> None:
        self.url = url
        self.stop = stop
        self.errors: dict[str, collections.Counter] = {"read": collections.Counter(), "write": collections.Counter()}
        self.totals = {"reads": 0, "writes": 0}
        self.lock = threading.Lock()
        self.written: list[str] = []

    def read(self, number: int) -> None:
        """Loop over the reads (every 7th the page of the last article written), from the ``number``-th on."""
        n = number
        while time.monotonic() < self.stop:
            path = self.READS[n % len(self.READS)]
            if n % 7 == 0 and self.written:
                path = f"/api/article/{urllib.parse.quote(self.written[-1])}"
            status = get(self.url + path)
            n += 1
            with self.lock:
                self.totals["reads"] += 1
                if status != 200:
                    self.errors["read"][f"{status} {path.split('?')[0]}"] += 1

    def write(self, name: str) -> None:
        """POST an article every 0.2 s (ids ``race-NAME-N``)."""
        n = 0
        while time.monotonic() < self.stop:
            doc_id = f"race-{name}-{n}"
            body = ('{"id": "%s", "title": "Banjir di Jakarta %d", "text": "Banjir melanda Jakarta lagi, laporan %d.", '
                    '"source": "Kompas.com"}' % (doc_id, n, n)).encode()
            status = post(self.url + "/api/documents", body)
            with self.lock:
                self.totals["writes"] += status == 200
                if status == 200:
                    self.written.append(doc_id)
                else:
                    self.errors["write"][status] += 1
            n += 1
            time.sleep(0.2)


def post(url: str, body: bytes) -> int:
    """POST one article with the write key: the answer's status (-1 where the connection failed)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return -1


if __name__ == "__main__":
    main()
