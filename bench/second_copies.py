"""What each second copy earns: the same work timed through the copy and through the code it copies.

Usage: python -m bench.second_copies [--set ../shared/eval/indosum] [--max-docs 1000] [--queries 300]

The copies are listed in docs/architecture.md ("Second copies kept on purpose"); each has a test that keeps
it equal to the original. Here, on the articles and queries of a public set (IndoSum by default):

  stemmer   search.analysis.sastrawi_fast.FastSastrawi against PySastrawi's own stemmer, every distinct word
            of the articles once (neither caches: Cari's Stemmer keeps the one cache)
  words     the indexer's text fields through fastindex's shared pass (index_words, each word stemmed once)
            against Whoosh's field.index through the analyzer (analyse, a Token per word part)
  runs      written_words (run_parts: remembered runs between spaces, what snippets and the re-rank read)
            against list(analyse(text)), every body read twice (a page of results reads the same words again)
  segments  one segment of ``--max-docs`` articles by PerTermSegmentWriter (which reads fast_schema's shared
            pass) against Whoosh's SegmentWriter given the same pass (fast_schema), same codec; "both":
            against Whoosh's SegmentWriter as it comes (each field analysed on its own): what a worker gains
  bm25f     the top 10 of each query by the ArrayScorer (numpy) against Whoosh's matchers with LiveBM25F
            (what ranks a query with a NOT, ranking.fallback), on the whole set
  lengths   Whoosh's matchers with CachedLengthBM25F (lengths read once a segment) against Whoosh's BM25F

Takes about 2.5 minutes of CPU on IndoSum (most of it building the index for bm25f).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from whoosh import scoring
from whoosh.index import create_in, open_dir
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from search import Index
from search._whoosh.codec import CariCodec
from search._whoosh.fastindex import fast_schema
from search._whoosh.lengths import CachedLengthBM25F
from search._whoosh.live import LiveBM25F, count_live_only
from search._whoosh.segwriter import PerTermSegmentWriter
from search._whoosh.writers import finish_segment
from search.analysis.sastrawi_fast import FastSastrawi, reference_stemmer
from search.analysis.tokens import analyse, index_words, written_words
from search.evaluation import read_queries
from search.index.fields import article_fields
from search.index.format import open_index
from search.index.schema import build_schema
from search.ingest.article import Article
from search.ingest.sources import read_articles
from search.query.builder import QueryBuilder
from search.query.weights import BM25_PARAMS
from search.ranking.scoring import ArrayScorer

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parent.parent
TEXT_FIELDS = ("title", "title_exact", "body", "body_exact")


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def searched(searcher: Searcher, queries: list) -> Callable[[], list]:
    """The work of searching ``queries`` (a page of 10 each) with ``searcher``, for ``timed``."""
    return lambda: [searcher.search(query, limit=10) for query in queries]


def show(name: str, copy: float, original: float, unit: str, count: int) -> None:
    scale = 1e6 if unit == "us" else 1e3
    print(f"{name:9} copy {copy / count * scale:9.1f} {unit}   original {original / count * scale:9.1f} {unit}"
          f"   x{original / copy:5.1f}   ({count} items)")


def stemmer(articles: list[Article]) -> None:
    words = sorted({word for a in articles for word in index_words(f"{a.title} {a.body}").kept})
    fast, reference = FastSastrawi(), reference_stemmer()
    show("stemmer", timed(lambda: [fast.stem(w) for w in words]), timed(lambda: [reference.stem(w) for w in words]),
         "us", len(words))


def index_pass(docs: list[dict]) -> None:
    plain, fast = build_schema(), fast_schema(build_schema())
    texts = [(name, doc[name]) for doc in docs for name in TEXT_FIELDS]
    for _ in range(2):  # the second round: every root the stemmer's cache already holds, as in a long build
        copy = timed(lambda: [list(fast[name].index(text)) for name, text in texts])
        original = timed(lambda: [list(plain[name].index(text)) for name, text in texts])
    show("words", copy, original, "ms", len(docs))


def runs(articles: list[Article]) -> None:
    bodies = [a.body for a in articles]
    [written_words(body) for body in bodies]  # the runs remembered, as on a serving searcher
    copy = timed(lambda: [written_words(body) for body in bodies])
    original = timed(lambda: [list(analyse(body)) for body in bodies])
    show("runs", copy, original, "ms", len(bodies))


def segments(docs: list[dict], folder: Path) -> None:
    def build(name: str, writer_class: type, schema: object) -> float:
        path = folder / name
        path.mkdir()
        create_in(str(path), build_schema())
        ix = open_dir(str(path), schema=schema)  # as a worker opens it (index.workers)

        def write() -> None:
            writer = writer_class(ix, codec=CariCodec())
            for doc in docs:
                writer.add_document(**doc)
            finish_segment(writer)  # written as a worker writes it: no TOC (it would pickle the fast schema)

        return timed(write)

    whoosh = build("whoosh", SegmentWriter, build_schema())
    whoosh_fast_words = build("whoosh-fast-words", SegmentWriter, fast_schema(build_schema()))
    per_term = build("per-term", PerTermSegmentWriter, build_schema())  # it analyses by fast_schema itself
    show("segments", per_term, whoosh_fast_words, "ms", len(docs))
    show("both", per_term, whoosh, "ms", len(docs))


def bm25f(set_dir: Path, folder: Path, count: int) -> None:
    with Index(folder / "index") as index:
        index.rebuild([set_dir / "docs.jsonl"], jobs=1)
    _, ix = open_index(folder / "index")
    builder = QueryBuilder(ix.schema)
    queries = [builder.parse(text).query for _, text in read_queries(set_dir / "queries.tsv")[:count]]
    with ix.searcher(weighting=LiveBM25F(**BM25_PARAMS)) as live, \
            ix.searcher(weighting=CachedLengthBM25F(**BM25_PARAMS)) as cached, \
            ix.searcher(weighting=scoring.BM25F(**BM25_PARAMS)) as plain:
        count_live_only(live.reader())  # as the library opens an index
        scorer = ArrayScorer(live)
        searchers = {"live": live, "cached": cached, "plain": plain}
        for query in queries[:20]:  # lengths, norms and posting arrays loaded, as on a serving searcher
            scorer.rank(query, 10)
            for searcher in searchers.values():
                searcher.search(query, limit=10)
        array = timed(lambda: [scorer.rank(query, 10) for query in queries])
        took = {name: timed(searched(searcher, queries))
                for name, searcher in searchers.items()}
    show("bm25f", array, took["live"], "ms", len(queries))
    show("lengths", took["cached"], took["plain"], "ms", len(queries))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=ROOT.parent / "shared" / "eval" / "indosum")
    parser.add_argument("--max-docs", type=int, default=1000, help="articles read for every part but bm25f")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    articles = [a for a in read_articles([args.set / "docs.jsonl"]) if isinstance(a, Article)][: args.max_docs]
    docs = [article_fields(a) for a in articles]
    print("          (time per item through the copy, through the original, and the speed-up)")
    stemmer(articles)
    index_pass(docs)
    runs(articles)
    with tempfile.TemporaryDirectory(prefix="cari-second-copies-") as tmp:
        segments(docs, Path(tmp))
        bm25f(args.set, Path(tmp), args.queries)


if __name__ == "__main__":
    main()
