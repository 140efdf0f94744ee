#!/usr/bin/env python3
"""Typos in a word's first three letters: keyword queries with two of those letters swapped.

Usage: python -m bench.opening_typos --index DIR [--queries eval/keywords/queries.tsv] [--half test] [--without-swaps]

Each query of the keyword set (or --queries, beside its qrels.txt) has its
longest word of 5 letters or more mistyped by swapping two of its first three
letters (neighbours; which pair is fixed by a seeded draw), and is searched as
typed right and as mistyped (``Index.ranked_ids``, corrections on). Prints
how many typos were corrected back to the word, nDCG@10 and MRR@10 of both
(and the share of the first the second keeps), and p50 of
the mistyped searches. --half takes only the queries of the set's tuning or
test half (``eval/splits/SET/HALF.tsv``; SET is the folder of --queries).
--without-swaps turns the opening-swap look-up off (the code before issue 27),
to compare.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from unittest.mock import patch

from search import Index
from search.evaluation import evaluate, read_qrels, read_queries
from search.query.typos import IndexLexicon

ROOT = Path(__file__).resolve().parent.parent

SEED = 27


def mistyped(query: str, rng: random.Random) -> tuple[str, str, str] | None:
    """(the query mistyped, the word, its typo), or None when no word has 5 letters or more."""
    words = query.split()
    longest = max(words, key=len)
    if len(longest) < 5 or not longest.isalpha():
        return None
    i = rng.choice([0, 1])
    letters = list(longest)
    letters[i], letters[i + 1] = letters[i + 1], letters[i]
    typo = "".join(letters)
    if typo == longest:
        return None
    return " ".join(typo if w == longest else w for w in words), longest, typo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=ROOT / "eval" / "keywords" / "queries.tsv")
    parser.add_argument("--half", choices=("tuning", "test"), help="only this half of the set (eval/splits)")
    parser.add_argument("--without-swaps", action="store_true")
    args = parser.parse_args()
    if args.without_swaps:
        patch.object(IndexLexicon, "_opening_edits", lambda self, word, every_kind=True: []).start()  # for the whole run
    qrels = read_qrels(args.queries.parent / "qrels.txt")
    half = None  # every query; else the qids of one half, each mistyped as in the whole set's run
    if args.half:
        half = {qid for qid, _ in read_queries(ROOT / "eval" / "splits" / args.queries.parent.name / f"{args.half}.tsv")}
    rng = random.Random(SEED)
    searcher = Index(args.index)
    right, wrong, latencies, corrected, cases = {}, {}, [], 0, 0
    for qid, text in read_queries(args.queries):
        made = mistyped(text, rng) if qid in qrels else None
        if made is None or (half is not None and qid not in half):
            continue
        typed, word, typo = made
        cases += 1
        right[qid] = [doc for doc, _ in searcher.ranked_ids(text, 100)]
        started = time.perf_counter()
        wrong[qid] = [doc for doc, _ in searcher.ranked_ids(typed, 100)]
        latencies.append(1000 * (time.perf_counter() - started))
        corrected += (typo, word) in searcher.search(typed, limit=1).corrections
    judged = {qid: qrels[qid] for qid in right}
    print(f"{cases} queries mistyped; {corrected} typos corrected back to the word")
    as_typed, as_mistyped = evaluate(right, judged), evaluate(wrong, judged)
    for metric in ("nDCG@10", "MRR@10"):
        kept = as_mistyped[metric] / as_typed[metric] if as_typed[metric] else 0.0
        print(f"{metric} typed right {as_typed[metric]:.4f}, mistyped {as_mistyped[metric]:.4f} ({kept:.1%} of it kept)")
    print(f"p50 mistyped {statistics.median(latencies):.1f} ms")


if __name__ == "__main__":
    main()
