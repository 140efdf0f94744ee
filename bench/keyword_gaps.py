#!/usr/bin/env python3
"""Where does Cari trail the other engines? The queries of a set on which Cari's nDCG@10 is furthest below
the best engine of ../shared/peers/peers.py, with what each ranks first.

Usage: python -m bench.keyword_gaps [SET_DIR] [--index DIR] [--engines sqlite,tantivy,...] [--top 20] [--json]

SET_DIR defaults to eval/keywords (its docs.jsonl is IndoSum's: see eval/keywords/README.md). The index is
built from SET_DIR/docs.jsonl into a temporary folder unless --index names a built one. The peer engines
are run by peers.py's own functions, so their rankings are exactly those it measures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from pathlib import Path
from types import ModuleType

warnings.filterwarnings("ignore")  # before the imports: Whoosh warns as its modules compile

from bench.peers import PEERS, load_peers  # noqa: E402
from search import Index  # noqa: E402
from search.evaluation import evaluate, read_qrels, read_queries  # noqa: E402
from search.index.build import build_index  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

ENGINES = "sqlite,sqlite+sastrawi,tantivy,tantivy+sastrawi,whoosh,whoosh+sastrawi"


def peer_runs(peers: ModuleType, docs: list[dict], topics: list[tuple[str, str]], engines: list[str]) -> dict[str, dict]:
    """Ranked ids per query for each engine, as peers.py's main() runs them (top 100)."""
    runs = {}
    for engine in engines:
        sastrawi = peers.Sastrawi() if engine.endswith("+sastrawi") else None
        prep = sastrawi.text if sastrawi else (lambda text: text)
        base = engine.split("+")[0]
        if base == "sqlite":
            _, run, _ = peers.run_sqlite(docs, topics, 100, prep)
        elif base == "tantivy":
            _, run, _ = peers.run_tantivy(docs, topics, 100, prep)
        else:
            _, run, _ = peers.run_whoosh(docs, topics, 100, sastrawi)
        runs[engine] = run
        print(f"ran {engine}", file=sys.stderr)
    return runs


def ndcg(run: list[str], judged: dict[str, int]) -> float:
    return evaluate({"q": run}, {"q": judged})["nDCG@10"]


def gaps(topics: list[tuple[str, str]], qrels: dict[str, dict[str, int]], cari_run: dict[str, list[str]],
         runs: dict[str, dict], top: int) -> list[dict]:
    """The ``top`` queries with the largest (best peer's nDCG@10 - Cari's), worst first."""
    rows = []
    for qid, text in topics:
        scores = {engine: ndcg(run.get(qid, []), qrels[qid]) for engine, run in runs.items()}
        best = max(scores, key=lambda engine: (scores[engine], engine))
        ours = ndcg(cari_run[qid], qrels[qid])
        rows.append({"qid": qid, "query": text, "cari": ours, "best_peer": best, "peer": scores[best],
                     "cari_top": cari_run[qid][:10], "peer_top": runs[best].get(qid, [])[:10]})
    rows.sort(key=lambda row: (row["cari"] - row["peer"], row["qid"]))
    return rows[:top]


def grades_line(top: list[str], judged: dict[str, int]) -> str:
    """'2 2 1 . 2': the grade of each of the top 10 ('.' not relevant or not judged)."""
    return " ".join(str(judged[d]) if judged.get(d) else "." for d in top) or "(none)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set_dir", type=Path, nargs="?", default=REPO / "eval" / "keywords")
    parser.add_argument("--index", type=Path, help="a built index of SET_DIR/docs.jsonl (default: build one)")
    parser.add_argument("--engines", default=ENGINES, help="peers.py engines to compare with")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="one JSON object per query")
    args = parser.parse_args()
    docs_path = args.set_dir / "docs.jsonl"
    docs = [json.loads(line) for line in docs_path.open(encoding="utf-8") if line.strip()]
    titles = {doc["id"]: doc.get("title", "") for doc in docs}
    qrels = read_qrels(args.set_dir / "qrels.txt")
    topics = [(qid, text) for qid, text in read_queries(args.set_dir / "queries.tsv") if qid in qrels]
    index_dir = args.index
    if index_dir is None:
        index_dir = Path(tempfile.mkdtemp(prefix="cari-gaps-"))
        build_index([docs_path], index_dir)
    searcher = Index(index_dir)
    cari_run = {qid: [doc_id for doc_id, _ in searcher.ranked_ids(text, 100)] for qid, text in topics}
    runs = peer_runs(load_peers(PEERS), docs, topics, args.engines.split(","))
    for row in gaps(topics, qrels, cari_run, runs, args.top):
        judged = qrels[row["qid"]]
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        print(f"{row['qid']} {row['query']!r}: Cari {row['cari']:.3f}, {row['best_peer']} {row['peer']:.3f}")
        for who, top in (("Cari", row["cari_top"]), (row["best_peer"], row["peer_top"])):
            print(f"    {who:16} top 10 grades: {grades_line(top, judged)}")
        found = row["cari_top"]
        title, grade = (titles.get(found[0], "(no result)"), judged.get(found[0], 0)) if found else ("(no result)", 0)
        print(f"    Cari first: {title!r} (grade {grade})")
        for rank, doc_id in enumerate(row["cari_top"], 1):
            if not judged.get(doc_id):
                print(f"    Cari's first miss, rank {rank}: {titles.get(doc_id, doc_id)!r}")
                break


if __name__ == "__main__":
    main()
