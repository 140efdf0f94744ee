"""Abbreviations on a real archive: how well ``mendagri``, ``KPK``, ``pemkot``... find what they name, both ways.

Usage: python -m bench.abbreviations --index DIR [--set eval/abbreviations/abbreviations.tsv] [--half tune|test]
       [--show] [--rounds 3]

For each abbreviation of the set (typed as a reader types it) and its full
form (typed as words, no quotes), on an index of IndoSum: how many of the
top 10 name the thing, how many of all the matches do not (``wrong``), and
how many of the articles that write the full form the abbreviation finds
(and the other way round). An article names the thing when its text matches
the set's regular expression (the abbreviation as written or its full form;
IndoSum lowercases its titles, so a title is matched in any case): read from
the articles, never from Cari's answers. Totals per half (the tune half is
what changes were tuned on; the test half is kept apart). Then each query's
CPU time (``time.process_time``) of a page of ten, the median of
``--rounds`` runs, and the p50 over all queries. ``--show`` lists the ids
of the wrong matches, to read.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from search import Index

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "eval" / "abbreviations" / "abbreviations.tsv"
DOCS = ROOT.parent / "shared" / "eval" / "indosum" / "docs.jsonl"


def read_set(path: Path) -> list[tuple[str, str, str, str]]:
    """(abbreviation, full form, half, pattern) of each line."""
    lines = (line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
    rows = []
    for line in lines:
        short, full, half, pattern = line.split("\t")
        rows.append((short, full, half, pattern))
    return rows


def namer(pattern: str) -> Callable[[str, str], bool]:
    """``(title, text) -> bool``: whether an article names the thing (capitals as the set says; titles any case)."""
    parts = pattern.split("|")
    capitals = [re.compile(p) for p in parts if p[2:].split("\\")[0].isupper()]
    other = [re.compile(p, re.I) for p in parts if not p[2:].split("\\")[0].isupper()]
    anycase = [re.compile(p.pattern, re.I) for p in capitals] + other
    return lambda title, text: any(r.search(text) for r in capitals + other) or any(r.search(title) for r in anycase)


def matches(index: Index, text: str) -> list[str]:
    found = index.search_all(text)
    try:
        return [row["id"] for row in found.rows()]
    finally:
        found.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="an index of IndoSum's docs.jsonl")
    parser.add_argument("--set", type=Path, default=SET)
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--half", choices=("tune", "test"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    docs = {}
    with args.docs.open(encoding="utf-8") as lines:
        for doc in map(json.loads, lines):
            docs[doc["id"]] = (doc["title"], doc["text"])
    rows = [row for row in read_set(args.set) if args.half in (None, row[2])]
    totals: dict[str, list[int]] = {}
    times = []
    with Index(args.index) as index:
        for short, full, half, pattern in rows:
            names = namer(pattern)
            parts = pattern.split("|")
            writes_short = {i for i, d in docs.items() if namer(parts[0])(*d)}
            writes_full = {i for i, d in docs.items() if namer("|".join(parts[1:]))(*d)}
            by_short, by_full = matches(index, short), matches(index, full)
            wrong = [i for i in by_short if not names(*docs[i])]
            figures = [sum(names(*docs[i]) for i in by_short[:10]), len(by_short[:10]), len(wrong), len(by_short),
                       len(writes_full & set(by_short)), len(writes_full),
                       sum(names(*docs[i]) for i in by_full[:10]), len(by_full[:10]),
                       len(writes_short & set(by_full)), len(writes_short)]
            totals.setdefault(half, [0] * len(figures))
            totals[half] = [a + b for a, b in zip(totals[half], figures, strict=True)]
            print(f"{half:4} {short:11} top10 {figures[0]:2}/{figures[1]:<2} wrong {figures[2]:3}/{figures[3]:<4} "
                  f"finds full form's {figures[4]:3}/{figures[5]:<3} | full form: top10 {figures[6]:2}/{figures[7]:<2} "
                  f"finds abbreviation's {figures[8]:3}/{figures[9]:<3}", flush=True)
            if args.show and wrong:
                print("     wrong:", " ".join(wrong))
            for text in (short, full):
                spent = []
                for _ in range(args.rounds):
                    start = time.process_time()
                    index.search(text, limit=10)
                    spent.append(time.process_time() - start)
                times.append(statistics.median(spent))
    for half, t in totals.items():
        print(f"{half}: abbreviation top10 {t[0]}/{t[1]}, wrong {t[2]} of {t[3]} matches, finds the full form's "
              f"articles {t[4]}/{t[5]}; full form top10 {t[6]}/{t[7]}, finds the abbreviation's {t[8]}/{t[9]}")
    print(f"query CPU p50 {1000 * statistics.median(times):.1f} ms over {len(times)} queries "
          f"(max {1000 * max(times):.1f} ms)")


if __name__ == "__main__":
    main()
