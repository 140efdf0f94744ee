#!/usr/bin/env python3
"""The headline set (eval/headlines): IndoSum's own titles as queries, each judged by its own article.

Usage: python -m bench.headline_set [--docs ../shared/eval/indosum/docs.jsonl] [--out eval/headlines]

A reader who remembers a headline types it; the article it heads is the one
to find (a known item, like IndoSum's summary sentences). Every IndoSum
article with a title gives one query: the title exactly as the set holds it
(most lowercase, as IndoSum stores titles; runs of spaces made one), numbered in the articles' id order
(``hl0001`` ...), judged grade 1 for its own article and nothing else. No
rule of Cari's and no engine takes part: the set is the data's own pairing of
a title with its article. ``bench.split_sets`` cuts it into tuning and test
halves like the other sets. Same input, same output, byte for byte.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def headlines(docs: Path) -> list[tuple[str, str, str]]:
    """``(qid, title, article id)`` for every titled article, in id order (titles on one line)."""
    with open(docs, encoding="utf-8") as lines:
        articles = sorted((json.loads(line) for line in lines if line.strip()), key=lambda doc: doc["id"])
    titled = [(" ".join(str(doc.get("title") or "").split()), doc["id"]) for doc in articles]
    titled = [(title, doc_id) for title, doc_id in titled if title]
    return [(f"hl{n:04d}", title, doc_id) for n, (title, doc_id) in enumerate(titled, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=Path, default=ROOT.parent / "shared" / "eval" / "indosum" / "docs.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "headlines")
    args = parser.parse_args()
    rows = headlines(args.docs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "queries.tsv").write_text("".join(f"{qid}\t{title}\n" for qid, title, _ in rows), encoding="utf-8")
    (args.out / "qrels.txt").write_text("".join(f"{qid} 0 {doc_id} 1\n" for qid, _, doc_id in rows), encoding="utf-8")
    print(f"{len(rows)} headlines -> {args.out}")


if __name__ == "__main__":
    main()
