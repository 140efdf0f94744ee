#!/usr/bin/env python3
"""Related articles against the sets judged by reading (eval/related/*.tsv).

Usage:
    python -m bench.related --index DIR [--set subjects.tsv --set fresh.tsv] [--show]

DIR is an index of IndoSum (``../shared/eval/indosum/docs.jsonl``). For each
judged article it asks ``Index.related(id, limit=10)`` and counts the
related articles about its subject by the judges' rule (the set's pattern in
the title, or at least twice in the title and text); it prints how many
articles reach 8 of 10 and the count of each, and with --show the related
list of every article below 8. subjects.tsv set the method's weights;
held-out.tsv and fresh.tsv were never used to set them until issue 21's
second round, which tuned on all three; test.tsv (written before that round)
is its test half, run only to report.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "eval" / "indosum" / "docs.jsonl"
SETS = ("subjects.tsv", "held-out.tsv", "fresh.tsv", "test.tsv")


def judged(name: str) -> list[tuple[str, str, str]]:
    """(id, subject, pattern) of each article of ``eval/related/NAME``."""
    lines = (ROOT / "eval" / "related" / name).read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def about(doc: dict, pattern: str) -> bool:
    """The judges' rule: the subject is in the article's title, or named at least twice in it."""
    title = doc["title"].lower()
    return bool(re.search(pattern, title)) or len(re.findall(pattern, title + "\n" + doc["text"].lower())) >= 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index of IndoSum")
    parser.add_argument("--set", action="append", dest="sets", help="a file of eval/related (default: all three)")
    parser.add_argument("--show", action="store_true", help="list the related articles of those below 8 of 10")
    args = parser.parse_args()
    from search import Index

    with DOCS.open(encoding="utf-8") as lines:
        docs = {doc["id"]: doc for doc in map(json.loads, lines)}
    index = Index(args.index)
    for name in args.sets or SETS:
        counts = []
        for doc_id, subject, pattern in judged(name):
            hits = index.related(doc_id, limit=10)
            marks = [about(docs[hit.id], pattern) for hit in hits]
            counts.append(sum(marks))
            if args.show and sum(marks) < 8:
                print(f"  {sum(marks)}/10 {doc_id} ({subject})")
                for hit, mark in zip(hits, marks, strict=True):
                    print(f"    {'+' if mark else '-'} {hit.title}")
        print(f"{name}: {sum(n >= 8 for n in counts)} of {len(counts)} articles with 8 of 10 related about "
              f"their subject, {sum(counts)} of {10 * len(counts)} in all: {counts}")


if __name__ == "__main__":
    main()
