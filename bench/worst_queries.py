#!/usr/bin/env python3
"""The slowest kinds of query, timed: does any search still hold the others up?

Usage:
    python -m bench.worst_queries ../shared/eval/indosum/docs.jsonl
    python ../shared/peers/make_corpus.py 20000 syn20k.jsonl
    python -m bench.worst_queries syn20k.jsonl --index syn20k-index   # built once, then reused

Each query runs ``--repeat`` times through ``Index.search`` (a page of 10
with snippets) and its p50 and max are printed with how it ended (results,
a QueryError, or QueryTooSlow at the budget). The first run of a query is
its cold cost (posting lists and wildcard words read from disk), so max is
the cold time and p50 the usual one. Last, a plain query is sent while the
slowest query (by max) runs cold, in another thread of a searcher just
opened, timing how long the plain one waited.
The script only uses the public API, so the same file times an older
checkout: ``PYTHONPATH=../old python bench/worst_queries.py ...`` (run as a file, not with -m, so that
../old's ``search`` is found before this checkout's).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import string
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from search import Index, errors
from search.index.build import build_index
from search.query.filters import Filters

PLAIN = "harga minyak dunia"
COMMON_WORDS = ["pemerintah", "indonesia", "jakarta", "presiden", "menteri", "polisi", "rakyat", "ekonomi",
                "harga", "partai", "daerah", "sekolah", "kota", "tahun", "negara", "dunia", "pasar", "bank"]
SLOW_ERRORS = tuple(getattr(errors, name) for name in ("QueryTooSlow",) if hasattr(errors, name))


def capped(words: Iterable[str], limit: int = 999) -> str:
    """``words`` joined by spaces, as many as fit in ``limit`` characters."""
    text = ""
    for word in words:
        if len(text) + len(word) + 1 > limit:
            return text
        text = f"{text} {word}" if text else word
    return text


def cases(top_source: str) -> list[tuple[str, str, dict]]:
    """(name, query text, search options) of each query timed."""
    letters = itertools.cycle(string.ascii_lowercase)
    prefixes = itertools.cycle(a + b for a in "bcdkmpst" for b in "aeiou")
    return [
        ("plain query", PLAIN, {}),
        ("q=*", "*", {}),
        ("q=pe*", "pe*", {}),
        ("*a* *b* ... (999 chars)", capped(f"*{c}*" for c in letters), {}),
        ("pa* pe* ... (999 chars)", capped(f"{p}*" for p in prefixes), {}),
        ("long OR chain (999 chars)", capped(itertools.chain.from_iterable(
            (w, "OR") for w in itertools.cycle(COMMON_WORDS))).removesuffix(" OR"), {}),
        ("common word by relevance", "indonesia", {}),
        ("sort=date, common word", "indonesia", {"sort": "date"}),
        ("NOT query", "indonesia NOT jakarta", {}),
        (f"browse, source={top_source}", "", {"filters": Filters(source=top_source)}),
    ]


def timed(searcher: Index, text: str, options: dict) -> tuple[float, str]:
    """(seconds, outcome) of one search."""
    started = time.perf_counter()
    try:
        results = searcher.search(text, **options)
        outcome = f"{results.total} results"
    except SLOW_ERRORS:
        outcome = "QueryTooSlow"
    except errors.QueryError as e:
        outcome = f"QueryError: {str(e)[:60]}"
    return time.perf_counter() - started, outcome


def measure(searcher: Index, text: str, options: dict, repeat: int, max_seconds: float) -> dict:
    """p50 and max in ms of ``repeat`` runs (fewer once they have taken ``max_seconds``), and the outcomes."""
    times: list[float] = []
    outcomes: Counter[str] = Counter()
    for _ in range(repeat):
        seconds, outcome = timed(searcher, text, options)
        times.append(seconds)
        outcomes[outcome] += 1
        if sum(times) > max_seconds:
            break
    return {"runs": len(times), "p50_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000,
            "outcome": ", ".join(outcomes)}


def waited_behind(searcher: Index, slow: tuple[str, dict]) -> dict:
    """How long a plain query sent 50 ms into the slow one took (waiting included)."""
    timed(searcher, PLAIN, {})  # opens the index; the plain query's words are then read, as on a running server
    slow_done: list[tuple[float, str]] = []  # (seconds, outcome)

    def run_slow() -> None:
        slow_done.append(timed(searcher, *slow))

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.05)
    seconds, outcome = timed(searcher, PLAIN, {})
    thread.join()
    return {"plain_ms": seconds * 1000, "plain_outcome": outcome, "slow_ms": slow_done[0][0] * 1000}


def index_for(docs: Path, index: Path | None) -> Path:
    """``index`` if it holds an index, else a new index of ``docs`` there (or in a temporary folder)."""
    if index is not None and (index / "CURRENT").exists():
        return index
    target = index or Path(tempfile.mkdtemp(prefix="cari-worst-")) / "index"
    started = time.perf_counter()
    build_index([docs], target)
    print(f"indexed {docs} in {time.perf_counter() - started:.1f} s -> {target}", file=sys.stderr)
    return target


def new_searcher(index: Path, budget: float | None) -> Index:
    try:
        return Index(index, budget_seconds=budget)
    except TypeError:  # a checkout from before search budgets
        return Index(index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", type=Path, help="JSON Lines articles to index")
    parser.add_argument("--index", type=Path, help="index folder: reused if it holds an index, else built there")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each query")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="stop repeating a query after this long")
    parser.add_argument("--budget", type=float, default=2.0, help="the searcher's budget in seconds (0: none)")
    parser.add_argument("--cases", default="", help="only the queries whose name holds this text")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    index = index_for(args.docs, args.index)
    searcher = new_searcher(index, args.budget or None)
    documents = searcher.doc_count()
    top_source = max(searcher.sources(), key=lambda pair: pair[1])[0]
    timed(searcher, PLAIN, {})  # open the index before timing
    report = {}
    chosen = [case for case in cases(top_source) if args.cases in case[0]]
    if not chosen:
        parser.error(f"--cases {args.cases!r}: no query's name holds it ({'; '.join(name for name, _, _ in cases(top_source))})")
    for name, text, options in chosen:
        report[name] = measure(searcher, text, options, args.repeat, args.max_seconds)
        if not args.json:
            row = report[name]
            print(f"{name:<34} p50 {row['p50_ms']:9.1f} ms  max {row['max_ms']:9.1f} ms  "
                  f"({row['runs']} runs; {row['outcome']})", flush=True)
    slowest = max(chosen, key=lambda case: report[case[0]]["max_ms"])
    behind = waited_behind(new_searcher(index, args.budget or None), slowest[1:])
    report["plain query behind the slowest"] = {"slowest": slowest[0], **behind}
    if args.json:
        print(json.dumps({"documents": documents, "queries": report}, indent=2))
        return
    print(f"plain query sent during {slowest[0]!r} ({behind['slow_ms']:.0f} ms): "
          f"{behind['plain_ms']:.1f} ms ({behind['plain_outcome']}); {documents} articles")


if __name__ == "__main__":
    main()
