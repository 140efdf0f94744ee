#!/usr/bin/env python3
"""Show that a change kept Cari's behaviour: rankings and snippets before and after, compared.

Usage:
    python -m bench.equivalence snapshot OUT.json [--jobs 1] [--snippet-queries 1000]
    python -m bench.equivalence compare BEFORE.json AFTER.json

``snapshot`` builds an index of each public set (``../shared/eval/facqa`` and
``indosum``), saves the top 100 (id, score) of every query (what ``cari
batch-search`` and ``cari evaluate`` rank) and the first result pages of
``--snippet-queries`` queries (ids, scores, snippets and titles as HTML,
totals, suggestions, and the marked article page of each top hit).
``compare`` reports every difference and exits 1 if there is any.

With ``--jobs 1`` the build writes one segment in one process, so document
numbers (which order equal scores) are the same in every build; with more
jobs the workers split the articles differently each time, and only the
scores of each id can be compared (``compare --scores-only``). A snapshot
always runs with ``PYTHONHASHSEED=0`` (it starts itself again with it), so
that two snapshots of the same code are the same.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
SETS = ("facqa", "indosum")
HASH_SEED = "0"


def collect(set_dir: Path, index_dir: Path, jobs: int, snippet_queries: int) -> dict:
    """Rankings of every query and result pages of the first ``snippet_queries``."""
    from search import Index, read_queries
    from web.render import article_html, marked_html, results_json

    topics = read_queries(set_dir / "queries.tsv")
    with Index(index_dir) as index:
        index.rebuild([set_dir / "docs.jsonl"], jobs=jobs)
        rankings = {qid: [[doc_id, score] for doc_id, score in index.ranked_ids(text, 100)] for qid, text in topics}
        pages = {}
        for qid, text in topics[:snippet_queries]:
            try:
                results = index.search(text, limit=10)
            except Exception as e:  # noqa: BLE001 - a refused query is part of the behaviour
                pages[qid] = {"error": f"{type(e).__name__}: {e}"}
                continue
            page = results_json(results)
            page.pop("took_ms")
            for hit, shown in zip(results.hits, page["results"], strict=True):
                shown["title_html"] = marked_html(hit.marked_title)
            if results.hits:
                article = index.article(results.hits[0].id, text)
                page["article"] = article_html(article) if article else None
            pages[qid] = page
    return {"rankings": rankings, "pages": pages}


def snapshot(out: Path, jobs: int, snippet_queries: int) -> None:
    data = {}
    for name in SETS:
        with tempfile.TemporaryDirectory(prefix=f"cari-equivalence-{name}-") as tmp:
            data[name] = collect(EVAL / name, Path(tmp), jobs, snippet_queries // len(SETS))
        print(f"{name}: {len(data[name]['rankings'])} rankings, {len(data[name]['pages'])} result pages")
    out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def compare(before: dict, after: dict, scores_only: bool) -> int:
    """Print each difference; the number of queries that differ."""
    differing = 0
    for name in SETS:
        for kind in ("rankings", "pages"):
            old, new = before[name][kind], after[name][kind]
            for qid in sorted(set(old) | set(new)):
                a, b = old.get(qid), new.get(qid)
                if scores_only and kind == "rankings" and a and b:
                    a, b = sorted(map(tuple, a)), sorted(map(tuple, b))
                if scores_only and kind == "pages":
                    continue
                if a != b:
                    differing += 1
                    print(f"{name} {kind} {qid}:\n  before {json.dumps(a, ensure_ascii=False)[:400]}\n"
                          f"  after  {json.dumps(b, ensure_ascii=False)[:400]}")
            print(f"{name} {kind}: {len(old)} before, {len(new)} after")
    print(f"{differing} differences")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("out", type=Path)
    snap.add_argument("--jobs", type=int, default=1)
    snap.add_argument("--snippet-queries", type=int, default=1000)
    comp = sub.add_parser("compare")
    comp.add_argument("before", type=Path)
    comp.add_argument("after", type=Path)
    comp.add_argument("--scores-only", action="store_true", help="compare each id's score, not tie order or pages")
    args = parser.parse_args()
    if args.command == "snapshot":
        if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
            # Set sets' order follows the hash seed, and with it the order of some sums: two runs of the
            # same code would differ in the last bit of some scores. The snapshot runs again with a fixed seed.
            os.execve(sys.executable, [sys.executable, "-m", "bench.equivalence", *sys.argv[1:]],
                      {**os.environ, "PYTHONHASHSEED": HASH_SEED})
        snapshot(args.out, args.jobs, args.snippet_queries)
    else:
        load = lambda path: json.loads(path.read_text(encoding="utf-8"))  # noqa: E731
        sys.exit(1 if compare(load(args.before), load(args.after), args.scores_only) else 0)


if __name__ == "__main__":
    main()
