"""What who-is-in-the-news and the timeline cost (issue 26, points 2-3), on an index built beforehand.

Usage: python -m bench.newsroom INDEX [--docs DOCS.jsonl] [--articles 3000]

Prints, each in CPU time unless said: the names terms of one article (``name_terms``, per article of
DOCS, beside the shared token pass of the other fields), the learning a write does (the names terms
read from the index, then learned), reading the counts record a write starts from, a process's first
reading of the names record and the (article, name) pairs, and per search the people/organisations
facets and the timeline for random match sets of 0.1%, 1%, 10% and 100% of the articles.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from search._whoosh.postings import PostingArrays
from search.analysis.names import name_terms
from search.analysis.tokens import index_words
from search.index import generations
from search.index.format import open_index
from search.index.name_counts import index_counts, read_counts
from search.index.name_learning import learned_names
from search.index.names import NAMES, names_of_record
from search.ingest.datelines import strip_dateline
from search.ranking.dates import DateOrder
from search.ranking.people import NameFacets
from search.ranking.timeline import timeline


def per_article(docs: Path, articles: int) -> None:
    with docs.open(encoding="utf-8") as lines:
        texts = [strip_dateline(json.loads(line).get("text", "")) for line in itertools.islice(lines, articles)]
    for name, analyse in (("name_terms", name_terms), ("index_words (the other fields' pass)", index_words)):
        started = time.process_time()
        for text in texts:
            analyse(text)
        print(f"{name}: {(time.process_time() - started) / len(texts) * 1000:.3f} ms an article ({len(texts):,})")


T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.process_time()
    found = work()
    return found, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--docs", type=Path, help="JSON Lines articles for the per-article cost")
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    if args.docs:
        per_article(args.docs, args.articles)
    live = generations.live_generation(args.index)
    with open_index(args.index, live)[1].reader() as reader:
        counts, read = timed(lambda: index_counts(reader))
        names, learning = timed(lambda: learned_names(reader, counts))
        _, counts_record = timed(lambda: read_counts(live))
        print(f"a write: {len(counts):,} names terms read from the index in {read:.2f} s, learned in {learning:.2f} s "
              f"({len(names):,} names); the counts record read in {counts_record:.2f} s")
        record, first = timed(lambda: names_of_record(generations.read_record(live, NAMES)))
        postings = PostingArrays(reader)
        facets, pairs = timed(lambda: NameFacets(record or [], postings))
        print(f"a process's first facets: the record in {first * 1000:.0f} ms, {len(facets.names):,} names' "
              f"(article, name) pairs in {pairs:.2f} s")
        dates = DateOrder(reader)
        live_docs = postings.live
        rng = np.random.default_rng(1)
        for share in (0.001, 0.01, 0.1, 1.0):
            matched = live_docs & (rng.random(len(live_docs)) < share)
            names_ms = [timed(partial(facets.counts, matched))[1] * 1000 for _ in range(20)]
            timeline_ms = [timed(partial(timeline, dates, matched))[1] * 1000 for _ in range(20)]
            print(f"{int(matched.sum()):>9,} matches: people and organisations {statistics.median(names_ms):.2f} ms, "
                  f"timeline {statistics.median(timeline_ms):.2f} ms (medians of 20)")


if __name__ == "__main__":
    main()
