#!/usr/bin/env python3
"""Split each public relevance set's queries into a tuning half and a test half (fixed seed).

Usage: python -m bench.split_sets [--eval ../shared/eval] [--out eval/splits]

For FacQA, IndoSum (../shared/eval), the keyword set (eval/keywords) and the
headline set (eval/headlines), the
judged queries are shuffled by ``random.Random(SEED)`` in qid order and cut in
two: the first half (rounded up) is ``tuning.tsv``, the rest ``test.tsv``,
each in the set's own query order (``qid<TAB>query`` lines, what ``cari
evaluate`` and ``cari batch-search`` read). Ranking choices are made on the
tuning halves; the figures reported are the test halves'. Same input, same
output, byte for byte.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from search.evaluation import read_qrels, read_queries

ROOT = Path(__file__).resolve().parent.parent

SEED = 27  # the issue that asked for the split
SETS = {"facqa": "{eval}/facqa", "indosum": "{eval}/indosum", "keywords": str(ROOT / "eval" / "keywords"),
        "headlines": str(ROOT / "eval" / "headlines")}


def split(queries: list[tuple[str, str]], qrels: dict, seed: int = SEED) -> dict[str, list[tuple[str, str]]]:
    """``{"tuning": [...], "test": [...]}``: the judged queries in two halves, each in the given order."""
    judged = [(qid, text) for qid, text in queries if qid in qrels]
    qids = sorted(qid for qid, _ in judged)
    random.Random(seed).shuffle(qids)
    tuning = set(qids[: (len(qids) + 1) // 2])
    return {"tuning": [row for row in judged if row[0] in tuning],
            "test": [row for row in judged if row[0] not in tuning]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval", help="the shared sets' folder")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "splits")
    args = parser.parse_args()
    for name, folder in SETS.items():
        source = Path(folder.format(eval=args.eval))
        halves = split(read_queries(source / "queries.tsv"), read_qrels(source / "qrels.txt"))
        (args.out / name).mkdir(parents=True, exist_ok=True)
        for half, rows in halves.items():
            text = "".join(f"{qid}\t{query}\n" for qid, query in rows)
            (args.out / name / f"{half}.tsv").write_text(text, encoding="utf-8")
        print(f"{name}: {len(halves['tuning'])} tuning, {len(halves['test'])} test -> {args.out / name}")


if __name__ == "__main__":
    main()
