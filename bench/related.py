#!/usr/bin/env python3
"""Related articles against the sets judged by reading (eval/related/*.tsv).

Usage:
    python -m bench.related --index DIR [--set subjects.tsv --set fresh.tsv] [--show] [--read] [--cut SHARE]
    python -m bench.related --index DIR --cost 300 [--docs FILE.jsonl]

DIR is an index of IndoSum (``../shared/eval/indosum/docs.jsonl``). For each
judged article it asks ``Index.related(id, limit=10)`` and counts the
related articles about its subject by the judges' rule (the set's pattern in
the title, or at least twice in the title and text); it prints how many
articles reach 8 of 10 and the count of each, how many of the first 5 (what
an article page shows) are about it, and with --show the related list of
every article below 8. With --read it counts instead by the judgements
of each related article made one by one by reading (``eval/related/read/``,
for the sets that have them, and the articles on the subject found by reading
when the set was built, ``eval/related/pool/``): an article no reader judged counts as not
about the subject, and how many there were is printed. With --cut it keeps
only the related articles scoring at least SHARE of the first one's score
(a cut-off: a short list rather than unrelated articles) and prints how many
were kept and how many of them are about the subject. subjects.tsv set the method's weights;
held-out.tsv and fresh.tsv were never used to set them until issue 21's
second round, which tuned on all three; test.tsv (written before that round)
is its test half, used once since to reject a change; test2.tsv (22 new
topics, written after every choice) was used once to measure; test3.tsv (20 new topics, each with at least
10 other articles on its subject in IndoSum, written before the session that tuned on the five others) is
the test half; test4.tsv (21 new topics built by reading, blind to Cari, in session 15) was read once, for the
method frozen then and main's before it; test5.tsv (20 new topics built the same way in session 16) likewise,
for the method frozen in session 16 and main at 59df731; test6.tsv (20 more, built the same way in session
17) likewise, for the method frozen in session 17 and main at 8e7295b; test7.tsv (14 more, built the same way in
session 18, with at least 8 other articles on each subject) likewise, for the method frozen in session 18 and main at
6e48850; test8.tsv (24 articles drawn at random in session 19, the article first and its subject as its reader would
state it, each with at least 8 others) likewise, for the method frozen in session 19 and main at b25d5c5.
With --cost N it measures instead the
CPU time of ``Index.related(id, limit=10)`` for N articles drawn at random
(seed 21) from FILE.jsonl, the articles DIR was built from (IndoSum's by
default; a synthetic archive of ``../shared/peers/make_corpus.py`` too),
after 30 calls to warm the caches.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations: search is imported where it is used
    from search import Index

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "eval" / "indosum" / "docs.jsonl"
SETS = ("subjects.tsv", "held-out.tsv", "fresh.tsv", "test.tsv", "test2.tsv", "test3.tsv", "test4.tsv",
        "test5.tsv", "test6.tsv", "test7.tsv", "test8.tsv")
PAGE = 5  # related articles an article page shows


def judged(name: str) -> list[tuple[str, str, str]]:
    """(id, subject, pattern) of each article of ``eval/related/NAME``."""
    lines = (ROOT / "eval" / "related" / name).read_text(encoding="utf-8").splitlines()
    rows = []
    for line in lines:
        if line and not line.startswith("#"):
            doc_id, subject, pattern = line.split("\t")
            rows.append((doc_id, subject, pattern))
    return rows


def about(doc: dict, pattern: str) -> bool:
    """The judges' rule: the subject is in the article's title, or named at least twice in it."""
    title = doc["title"].lower()
    return bool(re.search(pattern, title)) or len(re.findall(pattern, title + "\n" + doc["text"].lower())) >= 2


def readings(name: str) -> dict[tuple[str, str], bool] | None:
    """(article, related article) -> about the article's subject, as read (``eval/related/read/NAME``), or None.

    A related article of the set's pool (``eval/related/pool/NAME``: the articles on each article's subject found
    by reading when the set was built) that no list's reading judged counts as about it."""
    path = ROOT / "eval" / "related" / "read" / name
    if not path.exists():
        return None
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    judged = {(article, other): mark.strip() == "1" for article, other, mark in rows}
    pool = ROOT / "eval" / "related" / "pool" / name
    if pool.exists():
        for line in pool.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                article, other = line.split("\t")[:2]
                judged.setdefault((article, other), True)
    return judged


def cost(index: Index, docs: Path, count: int) -> str:
    """CPU milliseconds of ``index.related(id, limit=10)`` for ``count`` articles of ``docs`` drawn at random."""
    with docs.open(encoding="utf-8") as lines:
        ids = [json.loads(line)["id"] for line in lines if line.strip()]
    rng = random.Random(21)
    sample = rng.sample(ids, min(count, len(ids)))
    for doc_id in rng.sample(ids, min(30, len(ids))):
        index.related(doc_id, limit=10)
    spent = []
    for doc_id in sample:
        start = time.process_time()
        index.related(doc_id, limit=10)
        spent.append(1000 * (time.process_time() - start))
    spent.sort()

    def at(share: float) -> float:
        return spent[min(len(spent) - 1, int(share * len(spent)))]

    return (f"{len(spent)} related calls, CPU ms: p50 {at(0.5):.1f}, p90 {at(0.9):.1f}, p99 {at(0.99):.1f}, "
            f"mean {sum(spent) / len(spent):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index of IndoSum")
    parser.add_argument("--set", action="append", dest="sets", help="a file of eval/related (default: all nine)")
    parser.add_argument("--show", action="store_true", help="list the related articles of those below 8 of 10")
    parser.add_argument("--read", action="store_true", help="count by the judgements made by reading (eval/related/read/)")
    parser.add_argument("--cut", type=float, default=0.0, metavar="SHARE",
                        help="keep only related articles scoring at least SHARE of the first one's score")
    parser.add_argument("--cost", type=int, metavar="N", help="measure CPU time per call on N random articles instead")
    parser.add_argument("--docs", type=Path, default=DOCS, help="with --cost: the JSONL articles the index holds")
    args = parser.parse_args()
    from search import Index

    if args.cost:
        print(cost(Index(args.index), args.docs, args.cost))
        return

    with DOCS.open(encoding="utf-8") as lines:
        docs = {doc["id"]: doc for doc in map(json.loads, lines)}
    index = Index(args.index)
    for name in args.sets or SETS:
        read = readings(name) if args.read else None
        if args.read and read is None:
            print(f"{name}: no judgements by reading")
            continue
        counts, first, unread, shown = [], [], 0, 0
        for doc_id, subject, pattern in judged(name):
            hits = index.related(doc_id, limit=10)
            best = max((h.score or 0.0 for h in hits), default=0.0)  # related articles always have a score
            hits = [hit for hit in hits if (hit.score or 0.0) >= args.cut * best]
            shown += len(hits)
            if read is None:
                marks = [about(docs[hit.id], pattern) for hit in hits]
            else:
                unread += sum((doc_id, hit.id) not in read for hit in hits)
                marks = [read.get((doc_id, hit.id), False) for hit in hits]
            counts.append(sum(marks))
            first.append(sum(marks[:PAGE]))
            if args.show and sum(marks) < 8:
                print(f"  {sum(marks)}/10 {doc_id} ({subject})")
                for hit, mark in zip(hits, marks, strict=True):
                    print(f"    {'+' if mark else '-'} {hit.title}")
        print(report(name, counts, first) + (f" (read: {unread} related never judged, counted as not about it)"
                                             if read is not None else "")
              + (f"; cut at {args.cut}: {shown} shown, {sum(counts)} of them about their subject ("
                 f"{sum(counts) / max(shown, 1):.0%})" if args.cut else ""))


def report(name: str, counts: list[int], first: list[int]) -> str:
    """One line of figures of one set: articles with 8 of 10 about their subject, and the page's first ``PAGE``."""
    return (f"{name}: {sum(n >= 8 for n in counts)} of {len(counts)} articles with 8 of 10 related about "
            f"their subject, {sum(counts)} of {10 * len(counts)} in all: {counts}; the page's first {PAGE}: "
            f"{sum(first)} of {PAGE * len(first)}, {sum(n == PAGE for n in first)} articles with all {PAGE}")

if __name__ == "__main__":
    main()
