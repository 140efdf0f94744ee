#!/usr/bin/env python3
"""Write API latency: how long until a POSTed article is searchable, on an existing index.

Usage:
    python bench/writes.py --index DIR [--rounds 5] [--batch 1]

It WRITES to the index at DIR (articles with ids ``bench-write-*``, removed
again at the end): use a copy or a bench index. Through the web app's test
client, each round posts --batch articles (JSON Lines) and times the request
(which returns once the new generation is live), then checks that a search
finds them and times a DELETE of one of them. A second app over the same
index stands for another worker: the time of its first search after each
write (it reopens the new generation) is the rest of the wait for a reader.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

KEY = "bench-key-0123456789abcdef"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    from web.app import create_app

    client = create_app({"INDEX_DIR": str(args.index), "API_KEY": KEY}).test_client()
    other = create_app({"INDEX_DIR": str(args.index)}).test_client()
    other.get("/healthz")
    reopens = []
    auth = {"Authorization": f"Bearer {KEY}"}
    documents = client.get("/healthz").get_json()["documents"]
    posts, deletes, written = [], [], []
    for round_number in range(args.rounds):
        word = f"benchtulis{round_number}x"
        lines = "\n".join(json.dumps({"id": f"bench-write-{round_number}-{n}", "title": f"Uji tulis {n}",
                                      "text": f"Artikel uji {word} nomor {n} untuk mengukur waktu tulis."})
                          for n in range(args.batch))
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


if __name__ == "__main__":
    main()
