#!/usr/bin/env python3
"""The judged keyword set (eval/judged): list an article pool to read, and write the set from the judgements.

Usage:
  python -m bench.judged_set show PATTERN...   # each pool: id order, title, lead, how often the pattern occurs
  python -m bench.judged_set count PATTERN...  # pool sizes
  python -m bench.judged_set write             # eval/judged/judgements.tsv -> queries.tsv, qrels.txt

A pool is every IndoSum article whose title or text matches PATTERN (a
case-insensitive regular expression), listed in id order: a literal test, no
ranking and no search engine. Each article of a pool is read (title and lead,
more where they do not settle it) and graded by hand; the grades are written
in ``judgements.tsv`` as one digit per pool article, in pool order
(``query<TAB>pattern<TAB>grades``). ``write`` turns them into TREC qrels
(``j001 0 docid grade``, every pool article judged, 0 included).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "eval" / "judged" / "docs.jsonl"
SET = ROOT / "eval" / "judged"
# The dateline that opens most IndoSum articles ("Jakarta, CNN Indonesia --"), not part of the lead.
DATELINE = re.compile(r"^.{0,60}?\s[-–—]+\s", re.S)


def read_articles(path: Path = DOCS) -> list[dict]:
    """IndoSum's articles in id order."""
    with open(path, encoding="utf-8") as lines:
        return sorted((json.loads(line) for line in lines if line.strip()), key=lambda doc: doc["id"])


def pool(articles: list[dict], pattern: str) -> list[dict]:
    """The articles whose title or text matches ``pattern`` (case-insensitive), in id order."""
    found = re.compile(pattern, re.I)
    return [doc for doc in articles if found.search(doc.get("title", "") + "\n" + doc["text"])]


def show(articles: list[dict], pattern: str, width: int = 260) -> None:
    found = re.compile(pattern, re.I)
    print("=====", pattern)
    for number, doc in enumerate(pool(articles, pattern)):
        lead = DATELINE.sub("", doc["text"][:400], count=1).replace("\n", " ")
        print(f"[{number}] {doc.get('title', '')[:100]} || x{len(found.findall(doc['text']))} || {lead[:width]}")


def judgements(path: Path = SET / "judgements.tsv") -> list[tuple[str, str, str]]:
    """(query, pattern, grades) rows."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            query, pattern, grades = line.split("\t")
            rows.append((query, pattern, grades))
    return rows


def qrels_lines(articles: list[dict], rows: list[tuple[str, str, str]]) -> tuple[list[str], list[str]]:
    """(queries.tsv lines, qrels.txt lines); a grade string that does not fit its pool is an error."""
    queries: list[str] = []
    qrels: list[str] = []
    for number, (query, pattern, grades) in enumerate(rows, 1):
        qid = f"j{number:03d}"
        docs = pool(articles, pattern)
        if len(docs) != len(grades) or set(grades) - set("012"):
            raise SystemExit(f"{qid} {query!r}: {len(grades)} grades for a pool of {len(docs)}")
        queries.append(f"{qid}\t{query}")
        qrels.extend(f"{qid} 0 {doc['id']} {grade}" for doc, grade in zip(docs, grades, strict=True))
    return queries, qrels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["show", "count", "write"])
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()
    articles = read_articles()
    if args.action == "write":
        queries, qrels = qrels_lines(articles, judgements())
        (SET / "queries.tsv").write_text("".join(line + "\n" for line in queries), encoding="utf-8")
        (SET / "qrels.txt").write_text("".join(line + "\n" for line in qrels), encoding="utf-8")
        print(f"{len(queries)} queries, {len(qrels)} judgements -> {SET}")
    for pattern in args.patterns:
        if args.action == "count":
            print(len(pool(articles, pattern)), pattern)
        else:
            show(articles, pattern)


if __name__ == "__main__":
    main()
