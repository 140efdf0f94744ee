#!/usr/bin/env python3
"""Typos and old spellings of names: keyword queries with one realistic error anywhere in a word.

Usage: python -m bench.name_typos --index DIR [--queries eval/keywords/queries.tsv] [--half test] [--run-out FILE]

Broader than ``bench.opening_typos`` (a swap in the first three letters):
each query of the keyword set (or --queries, beside its qrels.txt) has its
longest word of 5 letters or more given one error, drawn with a fixed seed
(``SEED``): a letter dropped, a letter doubled, two neighbouring letters
swapped (anywhere in the word), or the name written in the old spelling
(``u`` -> ``oe``, ``j`` -> ``dj``, ``c`` -> ``tj``, ``y`` -> ``j``: Soekarno,
Djakarta, Tjahaja, Soerabaja) where the word has such a letter. Each is
searched as typed right and as mistyped (``Index.ranked_ids``); the figure
is the share of the typed-right MRR@10 (and nDCG@10) the mistyped queries
keep, over all of them and by kind of error. --half takes only the queries
of the set's tuning or test half (``eval/splits/SET/HALF.tsv``); --run-out
writes the mistyped queries' run (TREC format, their qids) and, beside it
(FILE.queries.tsv), the queries as mistyped: ``cari evaluate FILE.queries.tsv
QRELS --run FILE --compare OTHER`` compares two versions on them.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from search import Index
from search.evaluation import evaluate, read_qrels, read_queries, run_lines

ROOT = Path(__file__).resolve().parent.parent
SEED = 2027
KINDS = ("dropped", "doubled", "swapped", "old spelling")
# Today's letters and how the spelling before 1972 wrote them.
OLD_SPELLING = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"))


def erred(word: str, kind: str, rng: random.Random) -> str | None:
    """``word`` with one error of ``kind`` at a seeded place, or None when the word cannot have it."""
    if kind == "dropped":
        at = rng.randrange(len(word))
        return word[:at] + word[at + 1:]
    if kind == "doubled":
        at = rng.randrange(len(word))
        return word[:at + 1] + word[at:]
    if kind == "swapped":
        places = [at for at in range(len(word) - 1) if word[at] != word[at + 1]]
        if not places:
            return None
        at = rng.choice(places)
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    spellings = [(at, old) for new, old in OLD_SPELLING for at in range(len(word))
                 if word.startswith(new, at) and not word.startswith(old, at)]
    if not spellings:
        return None
    at, old = rng.choice(spellings)
    return word[:at] + old + word[at + 1:]


def mistyped(query: str, rng: random.Random) -> tuple[str, str, str, str] | None:
    """(the query mistyped, the word, its error, the kind of error), or None when no word has 5 letters or more."""
    words = query.split()
    longest = max(words, key=len)
    if len(longest) < 5 or not longest.isalpha():
        return None
    kinds = [kind for kind in KINDS if kind != "old spelling" or any(new in longest for new, _ in OLD_SPELLING)]
    kind = rng.choice(kinds)
    typo = erred(longest, kind, rng)
    if typo is None or typo == longest:
        return None
    return " ".join(typo if w == longest else w for w in words), longest, typo, kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=ROOT / "eval" / "keywords" / "queries.tsv")
    parser.add_argument("--half", choices=("tuning", "test"), help="only this half of the set (eval/splits)")
    parser.add_argument("--show", action="store_true", help="print each query whose MRR@10 fell")
    parser.add_argument("--run-out", type=Path, help="write the mistyped queries' run here")
    parser.add_argument("--seed", type=int, default=SEED, help="other errors for the same queries (tuning)")
    args = parser.parse_args()
    qrels = read_qrels(args.queries.parent / "qrels.txt")
    half = None  # every query; else the qids of one half, each mistyped as in the whole set's run
    if args.half:
        half = {qid for qid, _ in read_queries(ROOT / "eval" / "splits" / args.queries.parent.name / f"{args.half}.tsv")}
    searched = search_both(Index(args.index), args.queries, qrels, half, random.Random(args.seed))
    print_kept(searched, qrels)
    if args.run_out:
        args.run_out.with_suffix(".queries.tsv").write_text(
            "".join(f"{qid}\t{typed}\n" for qid, (_, typed) in searched.shown.items()), encoding="utf-8")
        args.run_out.write_text("".join(line if line.endswith("\n") else line + "\n" for line in searched.runs),
                                encoding="utf-8")
    if args.show:
        print_fallen(searched, qrels)


@dataclass
class Searched:
    """Each query's ranking as typed right and as mistyped, by qid."""

    right: dict[str, list[str]] = field(default_factory=dict)
    wrong: dict[str, list[str]] = field(default_factory=dict)
    by_kind: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # kind of error -> qids
    shown: dict[str, tuple[str, str]] = field(default_factory=dict)  # (as typed right, as mistyped)
    runs: list[str] = field(default_factory=list)  # the mistyped queries' run (TREC lines)


def search_both(searcher: Index, queries: Path, qrels: dict, half: set[str] | None, rng: random.Random) -> Searched:
    """Search every judged query (of ``half``, if given) that can be mistyped, as typed right and mistyped."""
    searched = Searched()
    for qid, text in read_queries(queries):
        # Drawn for every judged query: a half's queries are mistyped as in the whole set's run.
        made = mistyped(text, rng) if qid in qrels else None
        if made is None or (half is not None and qid not in half):
            continue
        typed, _, _, kind = made
        searched.by_kind[kind].append(qid)
        searched.right[qid] = [doc for doc, _ in searcher.ranked_ids(text, 100)]
        ranked = searcher.ranked_ids(typed, 100)
        searched.wrong[qid] = [doc for doc, _ in ranked]
        searched.runs.extend(run_lines(qid, ranked))
        searched.shown[qid] = (text, typed)
    return searched


def print_kept(searched: Searched, qrels: dict) -> None:
    """The share of the typed-right MRR@10 and nDCG@10 the mistyped queries keep: over all, and by kind of error."""
    right, wrong, by_kind = searched.right, searched.wrong, searched.by_kind
    print(f"{len(right)} queries, one error each: " + ", ".join(f"{len(by_kind[k])} {k}" for k in KINDS))
    for label, qids in (("all", list(right)), *((kind, by_kind[kind]) for kind in KINDS)):
        if not qids:
            continue
        judged = {qid: qrels[qid] for qid in qids}
        as_typed = evaluate({q: right[q] for q in qids}, judged)
        as_mistyped = evaluate({q: wrong[q] for q in qids}, judged)
        kept = {m: as_mistyped[m] / as_typed[m] if as_typed[m] else 0.0 for m in ("MRR@10", "nDCG@10")}
        print(f"{label:>12}: MRR@10 typed right {as_typed['MRR@10']:.4f}, mistyped {as_mistyped['MRR@10']:.4f} "
              f"({kept['MRR@10']:.1%} kept); nDCG@10 {kept['nDCG@10']:.1%} kept")


def print_fallen(searched: Searched, qrels: dict) -> None:
    """Each query whose MRR@10 fell, as typed right and as mistyped."""
    for qid in searched.right:
        one = {qid: qrels[qid]}
        before = evaluate({qid: searched.right[qid]}, one)["MRR@10"]
        after = evaluate({qid: searched.wrong[qid]}, one)["MRR@10"]
        if after < before:
            print(f"  {searched.shown[qid][0]!r} -> {searched.shown[qid][1]!r}: MRR@10 {before:.2f} -> {after:.2f}")


if __name__ == "__main__":
    main()
