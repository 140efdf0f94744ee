"""Relevance measurement: TREC run files and MRR@10, nDCG@10, Recall@100."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.errors import CariError

RUN_TAG = "cari"


def read_queries(path: str | Path) -> list[tuple[str, str]]:
    """``qid<TAB>query`` lines; raises CariError naming a malformed line."""
    queries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            qid, tab, text = line.partition("\t")
            if not tab or not qid.strip():
                raise CariError(f"{path}:{number}: expected 'qid<TAB>query'")
            queries.append((qid.strip(), text))
    return queries


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """TREC qrels ``qid 0 docid relevance``: judged relevant documents per query."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4 or not parts[3].lstrip("-").isdigit():
                raise CariError(f"{path}:{number}: expected 'qid 0 docid relevance'")
            if int(parts[3]) > 0:
                qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def run_lines(qid: str, ranked: Iterable[tuple[str, float]]) -> Iterator[str]:
    """TREC run lines ``qid Q0 docid rank score tag`` for one query."""
    for rank, (doc_id, score) in enumerate(ranked, 1):
        yield f"{qid} Q0 {doc_id} {rank} {score:.4f} {RUN_TAG}"


def evaluate(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean MRR@10, nDCG@10 and Recall@100 over the judged queries."""
    mrr = ndcg = recall = 0.0
    for qid, relevant in qrels.items():
        ranked = run.get(qid, [])
        for i, doc_id in enumerate(ranked[:10]):
            if doc_id in relevant:
                mrr += 1 / (i + 1)
                break
        dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ideal = sum(r / math.log2(i + 2) for i, r in enumerate(sorted(relevant.values(), reverse=True)[:10]))
        ndcg += dcg / ideal if ideal else 0.0
        recall += len(set(ranked[:100]) & set(relevant)) / len(relevant)
    n = len(qrels) or 1
    return {"queries": len(qrels), "MRR@10": mrr / n, "nDCG@10": ndcg / n, "Recall@100": recall / n}
